// SPDX-License-Identifier: GPL-3.0-or-later
import DosecalcCore
import Foundation
import GSLKit

extension ElutionModel {
    /// Days at which `elutedPercentByDay` reports, when within the horizon.
    public static let reportedDays: [Double] = [1, 2, 3, 7, 14, 21, 28, 30, 60, 90, 120, 180, 365]

    /// Loads the parameters, builds the model and simulates `days` days: the planner's entry point.
    public static func simulate(treatment: DEBTreatment, days: Double, parameters: DEBModelParameters? = nil,
                                options: SimulationOptions = SimulationOptions()) throws -> DEBResult {
        let model = try ElutionModel(treatment: treatment, parameters: try parameters ?? DEBModelParameters.load())
        return try model.simulate(days: days, options: options)
    }

    /// The default output grid for a horizon of `endH` hours.
    public static func defaultOutputTimes(endH: Double) -> [Double] {
        var t: [Double] = []
        var x = 0.025
        while x <= 0.5 + 1e-12 { t.append(x); x += 0.025 }
        x = 0.6
        while x <= 2 + 1e-12 { t.append(x); x += 0.1 }
        x = 3
        while x <= 24 { t.append(x); x += 1 }
        x = 30
        while x <= 168 { t.append(x); x += 6 }
        x = 180
        while x < endH { t.append(x); x += 12 }
        t.append(8)
        t.append(720)
        t += reportedDays.map { $0 * 24 }
        t.append(endH)
        let kept = t.filter { $0 > 0 && $0 <= endH }.sorted()
        var out: [Double] = []
        for v in kept where out.last.map({ v - $0 > 1e-9 * max(1, v) }) ?? true { out.append(v) }
        return out
    }

    /// Integrates from 0 to `days`·24 h and summarises (see `DEBSummary`).
    ///
    /// The solver steps freely (no stop at output times) and every step is kept: the output grid,
    /// the reported days and the peaks are read from the trajectory's cubic Hermite dense output
    /// (`ODETrajectory`; the monotone variant for the components that only decrease or increase,
    /// see `denseState`), which is exact at step ends and, at these tolerances, agrees with
    /// stopping the solver at each output time to ~1e-9 relative (tested).
    ///
    /// Every state, concentration, AUC, amount and fraction put into the result is checked
    /// (`checkedState`): finite, and not negative beyond round-off within the solver's tolerance.
    /// Numerical failures are `SolverFailure`s (times in h); bad input is an `InputError`.
    public func simulate(days: Double, options: SimulationOptions = SimulationOptions()) throws -> DEBResult {
        try PlausibleRange(0, ElutionModel.maximumSimulationHours / 24, "d", includesLower: false).check(days, field: "days")
        try options.validate()
        let endH = days * 24
        var grid = options.outputTimesH ?? ElutionModel.defaultOutputTimes(endH: endH)
        guard grid.allSatisfy(\.isFinite) else { throw InputError(field: "outputTimesH", "must all be finite") }
        grid = grid.filter { $0 > 0 && $0 <= endH }.sorted()
        if grid.last.map({ $0 < endH }) ?? true { grid.append(endH) }
        let model = self
        let absTol = options.absTol
        let solver = try DenseODESolver(
            dimension: layout.dimension, method: .msbdf, absTol: absTol, relTol: options.relTol,
            absTolScale: toleranceScale, initialStep: 1e-6, timeUnit: "h",
            rhs: model.solverRightHandSide, jacobian: model.solverJacobian)
        let traj = try solver.integrate(from: 0, y0: initialState, to: endH)
        let times = [0] + grid
        let states = try [checkedState(initialState, at: 0, absTol: absTol)] + grid.map { t in
            try checkedState(in: traj, at: t, absTol: absTol)
        }

        let L = layout, p = parameters
        func peak(_ index: Int, scale: Double, name: String) throws -> (t: Double, value: Double) {
            let found: (t: Double, value: Double)
            if options.refinePeaks {
                do { found = try ElutionModel.peak(of: index, in: traj) } catch {
                    throw SolverFailure.wrapping(error, solver: "the \(name) peak search", timeUnit: "h")
                }
            } else {
                let k = states.indices.max { states[$0][index] < states[$1][index] } ?? 0
                found = (times[k], states[k][index])
            }
            let v = try checkedValue(found.value, quantity: "the \(name) peak", at: found.t,
                                     allowance: roundOffAllowance(component: index, absTol: absTol))
            return (found.t, v * scale)
        }
        let plasmaPeak = try peak(L.central, scale: 1000 / p.pk.centralVolumeL, name: "plasma")
        let tissuePeak = try peak(L.tissue, scale: 1 / p.treatedTissueVolumeL, name: "tissue")

        func stateAt(_ h: Double) throws -> [Double]? {
            guard h <= endH * (1 + 1e-12) else { return nil }
            return try checkedState(in: traj, at: min(h, endH), absTol: absTol)
        }
        func eluted(_ y: [Double], at t: Double) throws -> Double {
            100 * (try checkedFraction(elutedFraction(y), quantity: "the eluted fraction", at: t, absTol: absTol))
        }
        let end = try checkedState(traj.state(atStep: traj.count - 1), at: endH, absTol: absTol)
        var byDay: [String: Double] = [:]
        for d in ElutionModel.reportedDays where d <= days {
            if let y = try stateAt(d * 24) { byDay[Format.number(d)] = try eluted(y, at: d * 24) }
        }
        if days == days.rounded() { byDay[Format.number(days)] = try eluted(end, at: endH) }
        var mb = 0.0
        let n = layout.dimension
        traj.states.withUnsafeBufferPointer { all in
            for k in 0..<traj.count {
                mb = max(mb, abs(accountedDrug(UnsafeBufferPointer(rebasing: all[(k * n)..<((k + 1) * n)])) - doseMg) / doseMg)
            }
        }
        guard mb.isFinite else {
            throw SolverFailure(tReached: endH, timeUnit: "h", reason: .nonFiniteValue(quantity: "the mass balance", value: mb))
        }
        let summary = DEBSummary(
            doseMg: doseMg, days: days, burstFraction: burstFraction,
            plasmaPeakNgPerMl: plasmaPeak.value, plasmaPeakTimeH: plasmaPeak.t,
            plasmaAucNgHPerMl: 1000 * end[L.aucPlasma],
            plasmaAuc0to24hNgHPerMl: try stateAt(24).map { 1000 * $0[L.aucPlasma] },
            tissuePeakUgPerMl: tissuePeak.value, tissuePeakUM: p.micromolar(fromUgPerMl: tissuePeak.value),
            tissuePeakTimeH: tissuePeak.t,
            tissueAucUgHPerMl: end[L.aucTissue],
            tissueAuc0to28dUgHPerMl: try stateAt(28 * 24).map { $0[L.aucTissue] },
            tissueUMAt8h: try stateAt(8).map { p.micromolar(fromUgPerMl: tissueUgPerMl($0)) },
            tissueUMAt30d: try stateAt(720).map { p.micromolar(fromUgPerMl: tissueUgPerMl($0)) },
            elutedPercentByDay: byDay, elutedPercentAtEnd: try eluted(end, at: endH),
            systemicEliminatedMg: p.clearanceFactor * p.pk.clearanceLPerH * end[L.aucPlasma],
            remainingInBeadsMg: beadContent(end),
            massBalanceRelativeError: mb)
        let stats = traj.statistics
        return DEBResult(
            timesH: times,
            plasmaNgPerMl: states.map(plasmaNgPerMl),
            tissueUgPerMl: states.map(tissueUgPerMl),
            tissueUM: states.map { p.micromolar(fromUgPerMl: tissueUgPerMl($0)) },
            elutedPercent: try zip(times, states).map { t, y in try eluted(y, at: t) },
            states: states, summary: summary, classes: classes,
            solver: SolverReport(method: "msbdf (GSL odeiv2), analytic Jacobian, free steps with cubic Hermite dense output (monotone for bead shells, burst pool and accumulators)",
                                 relTol: options.relTol, absTol: options.absTol, dimension: layout.dimension,
                                 steps: stats.steps, rhsEvaluations: stats.rhsEvaluations,
                                 jacobianEvaluations: stats.jacobianEvaluations))
    }

    /// The maximum of component `index` over a trajectory.
    ///
    /// The largest step-end value brackets the peak with a neighbour where the exact derivative f
    /// changes sign; GSL's Brent root finder then solves dA/dt = 0 on the Hermite interpolant's
    /// derivative in that step. If the derivative does not change sign there, GSL's Brent minimiser
    /// is used on −A(t) over the two neighbouring steps when the step end is strictly above both
    /// neighbours (Brent's requirement), to 1e-7 relative in time (a minimum is located only to about
    /// √ε relative; the value there is then exact to ~1e-14); otherwise (a flat top) the step end is
    /// the maximum.
    /// The end value is returned when the maximum is at the start or the end of the horizon.
    /// Failures of the root finder or the minimiser are thrown, never replaced by a value.
    static func peak(of index: Int, in traj: ODETrajectory) throws -> (t: Double, value: Double) {
        var k = 0
        for j in 1..<traj.count where traj.value(index, atStep: j) > traj.value(index, atStep: k) { k = j }
        guard k > 0, k < traj.count - 1 else { return (traj.times[k], traj.value(index, atStep: k)) }
        let fk = traj.derivative(index, atStep: k)
        if fk == 0 { return (traj.times[k], traj.value(index, atStep: k)) }
        let lo = fk > 0 ? k : k - 1
        let fLo = traj.derivative(index, atStep: lo), fHi = traj.derivative(index, atStep: lo + 1)
        if fLo > 0 && fHi < 0 {
            let root = try RootFinder.brent(lower: traj.times[lo], upper: traj.times[lo + 1], absTol: 0, relTol: 1e-13) { t in
                traj.slope(index, at: t)
            }
            return (root.root, traj.value(index, at: root.root))
        }
        let vk = traj.value(index, atStep: k)
        guard vk > traj.value(index, atStep: k - 1), vk > traj.value(index, atStep: k + 1) else { return (traj.times[k], vk) }
        let m = try Minimizer.brent(lower: traj.times[k - 1], upper: traj.times[k + 1], guess: traj.times[k],
                                    absTol: 0, relTol: 1e-7, { t in -traj.value(index, at: t) })
        return (m.x[0], -m.value)
    }

    /// Integrates from 0 and returns the states at `timesH` (ascending, ≥ 0, at most
    /// `maximumSimulationHours`), like `solve_ivp(..., t_eval=timesH)`, with the solver statistics.
    /// The solver stops at each time; the states are checked like `simulate`'s (`checkedState`).
    public func solve(timesH: [Double], options: SimulationOptions = SimulationOptions()) throws -> ODESolution {
        try solveChecked(timesH: timesH, options: options).checked
    }

    /// `solve`, returning the solver's own states (`raw`, for the mass balance) with the checked ones.
    func solveChecked(timesH: [Double], options: SimulationOptions) throws -> (raw: ODESolution, checked: ODESolution) {
        try options.validate()
        var last = -Double.infinity
        for t in timesH {
            try PlausibleRange(0, ElutionModel.maximumSimulationHours, "h").check(t, field: "--times-h")
            guard t > last else { throw InputError(field: "--times-h", "times must be strictly ascending; got \(Format.number(t)) after \(Format.number(last))") }
            last = t
        }
        let model = self
        let solver = try ODESolver(
            dimension: layout.dimension, method: .msbdf, absTol: options.absTol, relTol: options.relTol,
            absTolScale: toleranceScale, initialStep: 1e-6, timeUnit: "h",
            rhs: model.solverRightHandSide, jacobian: model.solverJacobian)
        let raw = try solver.solve(from: 0, y0: initialState, times: timesH)
        let states = try zip(timesH, raw.states).map { t, y in try checkedState(y, at: t, absTol: options.absTol) }
        return (raw, ODESolution(times: raw.times, states: states, statistics: raw.statistics))
    }
}
