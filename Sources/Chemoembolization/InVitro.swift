// SPDX-License-Identifier: GPL-3.0-or-later
import DosecalcCore
import Foundation
import GSLKit

/// In-vitro release: beads of one size in a well-stirred medium, the bead interior discretised
/// exactly as in vivo (`ShellKinetics`) but with no external tissue resistance and no burst.
///
/// * **Perfect sink**: the medium concentration stays zero (Crank's classical problem for a
///   non-binding sphere; the same with ion-exchange binding for loaded beads).
/// * **Closed vessel**: the medium is V_m mL, c_out = A_m/V_m, and release stops at the
///   Langmuir equilibrium (`LangmuirIsotherm.closedVesselEquilibrium`).
public enum InVitro {
    /// A release curve.
    public struct Release: Sendable, Equatable {
        public let timesH: [Double]
        /// Fraction of the initial bead content released into the medium.
        public let releasedFraction: [Double]
        /// Shells of the radial grid and its label ("surface-refined-96").
        public let shells: Int
        public let grid: String
        /// Bead radius used (cm) and the diffusion time a²/D (h) of the free drug.
        public let radiusCm: Double
        public let diffusionTimeH: Double
        public let statistics: ODEStatistics
    }

    /// The medium: a perfect sink, or a closed vessel of `mediumMl` mL.
    enum Medium: Equatable { case sink, closed(mediumMl: Double) }

    /// One class of beads in a medium, as an ODE system: shells then the released amount A_m.
    struct VesselSystem {
        let kinetics: ShellKinetics
        let medium: Medium
        let totalMg: Double
        /// Initial content u⁰ of the shells (mg/mL): the scale of their absolute tolerance.
        let initialContent: Double
        var dimension: Int { kinetics.stateCount + 1 }

        /// Absolute tolerance as a fraction of each component's scale (u⁰ for the shells, the load
        /// for A_m). For the non-binding sphere (u⁰ = 1, load 1) this is the former fixed 1e-14; for
        /// loaded beads it makes the accuracy independent of the loading and the bead volume.
        static let absTol = 1e-14
        static let relTol = 1e-11

        var toleranceScale: [Double] {
            var s = [Double](repeating: initialContent, count: dimension)
            s[kinetics.stateCount] = totalMg
            return s
        }

        /// The released fraction A_m/load at `t`, from a solver state, checked: every component
        /// finite, and not negative (nor the fraction above 1) beyond the round-off allowance
        /// `ElutionModel.roundOffAllowanceFactor` × absTol × scale (see OutputChecks.swift); round-off
        /// inside it is reported as 0 (or 1).
        func checkedReleasedFraction(_ y: [Double], at t: Double) throws -> Double {
            let scale = toleranceScale
            for (i, v) in y.enumerated() {
                let what = i == kinetics.stateCount ? "the released amount (mg)"
                    : i < kinetics.count ? "the drug in bead shell \(i + 1) (mg/mL)" : "the bound drug in bead shell \(i + 1 - kinetics.count) (mg/mL)"
                guard v.isFinite else {
                    throw SolverFailure(tReached: t, timeUnit: "h", reason: .nonFiniteValue(quantity: what, value: v))
                }
                let a = ElutionModel.roundOffAllowanceFactor * max(VesselSystem.absTol, 64 * Double.ulpOfOne) * scale[i]
                guard v >= -a else {
                    throw SolverFailure(tReached: t, timeUnit: "h", reason: .negativeValue(quantity: what, value: v, allowance: a))
                }
            }
            let f = y[kinetics.stateCount] / totalMg
            let a = ElutionModel.roundOffAllowanceFactor * max(VesselSystem.absTol, 64 * Double.ulpOfOne)
            guard f.isFinite else {
                throw SolverFailure(tReached: t, timeUnit: "h", reason: .nonFiniteValue(quantity: "the released fraction", value: f))
            }
            guard f >= -a else {
                throw SolverFailure(tReached: t, timeUnit: "h", reason: .negativeValue(quantity: "the released fraction", value: f, allowance: a))
            }
            guard f <= 1 + a else {
                throw SolverFailure(tReached: t, timeUnit: "h", reason: .other("the released fraction came out above 1 (\(f)), beyond the round-off allowance of \(a)"))
            }
            return min(max(f, 0), 1)
        }

        func rhs(_ y: UnsafeBufferPointer<Double>, _ dydt: UnsafeMutableBufferPointer<Double>) {
            let n = kinetics.stateCount
            var cOut = 0.0
            if case .closed(let vm) = medium { cOut = y[n] / vm }
            dydt[n] = kinetics.beadCount * kinetics.rhs(y, dydt, outside: cOut)
        }

        func jacobian(_ y: UnsafeBufferPointer<Double>, _ dfdy: UnsafeMutableBufferPointer<Double>, _ dfdt: UnsafeMutableBufferPointer<Double>) {
            let n = kinetics.stateCount, m = dimension
            for i in 0..<(m * m) { dfdy[i] = 0 }
            for i in 0..<m { dfdt[i] = 0 }
            var outside: Int? = nil
            var dc = 0.0
            if case .closed(let vm) = medium { outside = n; dc = 1 / vm }
            kinetics.addJacobian(y, dfdy, columns: m, outsideIndex: outside, dcOutDy: dc, releaseRow: n)
        }

        func makeSolver(initialStep: Double) throws -> ODESolver {
            let s = self
            return try ODESolver(dimension: dimension, method: .msbdf, absTol: VesselSystem.absTol, relTol: VesselSystem.relTol,
                                 absTolScale: toleranceScale, initialStep: initialStep, timeUnit: "h",
                                 rhs: { _, y, d in s.rhs(y, d) },
                                 jacobian: { _, y, j, dt in s.jacobian(y, j, dt) })
        }
    }

    /// Checks that times are finite, ≥ 0 and strictly ascending.
    static func checkTimes(_ times: [Double], field: String) throws {
        guard !times.isEmpty else { throw InputError(field: field, "give at least one time (h)") }
        var last = -Double.infinity
        for t in times {
            try PlausibleRange(0, maximumTimeH, "h").check(t, field: field)
            guard t > last else { throw InputError(field: field, "times must be strictly ascending; got \(Format.number(t)) after \(Format.number(last))") }
            last = t
        }
    }

    static func integrate(_ s: VesselSystem, y0: [Double], times: [Double], initialStep: Double) throws -> (fractions: [Double], stats: ODEStatistics) {
        let solver = try s.makeSolver(initialStep: initialStep)
        let positive = times.filter { $0 > 0 }
        let sol = try solver.solve(from: 0, y0: y0, times: positive)
        var f: [Double] = times.filter { $0 == 0 }.map { _ in 0 }
        f += try zip(positive, sol.states).map { t, y in try s.checkedReleasedFraction(y, at: t) }
        return (f, sol.statistics)
    }

    /// Release from a non-binding sphere (diameter `beadDiameterUm`, diffusivity `diffusivityCm2PerS`)
    /// into a perfect sink: the discretised counterpart of `CrankSeries`. No shrink, no binding.
    public static func nonBindingSink(beadDiameterUm: Double, diffusivityCm2PerS: Double, timesH: [Double],
                                      grid: RadialGridSpec = .sinkDefault) throws -> Release {
        try checkBeadDiameter(beadDiameterUm)
        try PlausibleRange(1e-12, 1e-3, "cm²/s").check(diffusivityCm2PerS, field: "--diffusivity-cm2-per-s")
        try checkTimes(timesH, field: "--times-h")
        let r = 0.5 * beadDiameterUm * 1e-4
        let d = diffusivityCm2PerS * 3600
        let g = try RadialGrid(radiusCm: r, spec: grid)
        try checkShellCount(g.shellCount)
        let beadVolume = 4.0 / 3.0 * Double.pi * r * r * r
        // One bead with u = 1 scaled so that the total is 1: A_m is the released fraction.
        let kin = ShellKinetics(offset: 0, grid: g, isotherm: .nonBinding, beadDiffusivityCm2PerH: d,
                                external: .none, beadCount: 1 / beadVolume)
        let s = VesselSystem(kinetics: kin, medium: .sink, totalMg: 1, initialContent: 1)
        var y0 = [Double](repeating: 1, count: s.dimension)
        y0[g.shellCount] = 0
        let tDiff = r * r / d
        let thinnest = g.edges[g.shellCount] - g.edges[g.shellCount - 1]
        let out = try integrate(s, y0: y0, times: timesH, initialStep: 1e-3 * thinnest * thinnest / d)
        return Release(timesH: timesH, releasedFraction: out.fractions, shells: g.shellCount,
                       grid: grid.label(shells: g.shellCount), radiusCm: r, diffusionTimeH: tDiff, statistics: out.stats)
    }

    /// Builds the system for loaded beads of `product`/`size` at `loadingMgPerMl`, `packedVolumeMl`
    /// of sedimented beads, in `medium`.
    static func loadedSystem(product: BeadProduct, size: BeadSize, loadingMgPerMl: Double, packedVolumeMl: Double,
                             medium: Medium, grid: RadialGridSpec, parameters p: DEBModelParameters)
        throws -> (system: VesselSystem, y0: [Double], grid: RadialGrid, initialStep: Double, diffusionTimeH: Double) {
        try BeadDeposit.checkLoading(loadingMgPerMl, product: product)
        try checkBeadVolume(packedVolumeMl)
        let r = product.loadedRadiusCm(size: size, loadingMgPerMl: loadingMgPerMl)
        let g = try RadialGrid(radiusCm: r, spec: grid)
        try checkShellCount(g.shellCount)
        let iso = product.isotherm(p)
        let trueVolume = p.packingFraction * packedVolumeMl
        let beads = trueVolume / (4.0 / 3.0 * Double.pi * r * r * r)
        let film: Double?
        switch medium {
        case .sink: film = p.sinkFilmThicknessCm
        case .closed: film = p.closedVesselFilmThicknessCm
        }
        let kin = ShellKinetics(offset: 0, grid: g, isotherm: iso, beadDiffusivityCm2PerH: p.beadDiffusivityCm2PerH,
                                external: p.inVitroTransfer(filmThicknessCm: film), beadCount: beads,
                                exchangeRatePerH: product.exchangeRatePerH)
        let u0 = loadingMgPerMl / p.packingFraction
        let total = u0 * trueVolume
        let s = VesselSystem(kinetics: kin, medium: medium, totalMg: total, initialContent: u0)
        let y0 = kin.uniformState(total: u0) + [0]
        let thinnest = g.edges[g.shellCount] - g.edges[g.shellCount - 1]
        let dFree = p.beadDiffusivityCm2PerH / p.porosity
        return (s, y0, g, min(1e-6, 1e-3 * thinnest * thinnest / dFree), r * r / dFree)
    }

    /// Release of loaded beads into a perfect sink (with ion-exchange binding, no burst).
    public static func loadedSink(product: BeadProduct, size: BeadSize, loadingMgPerMl: Double, timesH: [Double],
                                  grid: RadialGridSpec = .sinkDefault, parameters: DEBModelParameters) throws -> Release {
        try checkTimes(timesH, field: "--times-h")
        let b = try loadedSystem(product: product, size: size, loadingMgPerMl: loadingMgPerMl, packedVolumeMl: 1,
                                 medium: .sink, grid: grid, parameters: parameters)
        let out = try integrate(b.system, y0: b.y0, times: timesH, initialStep: b.initialStep)
        return Release(timesH: timesH, releasedFraction: out.fractions, shells: b.grid.shellCount,
                       grid: grid.label(shells: b.grid.shellCount), radiusCm: b.grid.radiusCm,
                       diffusionTimeH: b.diffusionTimeH, statistics: out.stats)
    }

    /// A closed-vessel release curve with its exact equilibrium plateau.
    public struct ClosedVesselRelease: Sendable, Equatable {
        public let release: Release
        /// Fraction released at Langmuir equilibrium (exact, from the quadratic).
        public let plateauFraction: Double
        public let plateauFreeConcentrationMgPerMl: Double
        /// Times to 50 % and 90 % of the plateau (h), by GSL Brent on the re-integrated curve.
        public let timeTo50PercentOfPlateauH: Double
        public let timeTo90PercentOfPlateauH: Double
    }

    /// Release of `packedVolumeMl` of loaded beads into a closed, well-stirred `mediumMl`.
    public static func closedVessel(product: BeadProduct, size: BeadSize, loadingMgPerMl: Double, packedVolumeMl: Double,
                                    mediumMl: Double, timesH: [Double], grid: RadialGridSpec = .sinkDefault,
                                    parameters p: DEBModelParameters) throws -> ClosedVesselRelease {
        try checkMedium(mediumMl)
        try checkTimes(timesH, field: "--times-h")
        let b = try loadedSystem(product: product, size: size, loadingMgPerMl: loadingMgPerMl, packedVolumeMl: packedVolumeMl,
                                 medium: .closed(mediumMl: mediumMl), grid: grid, parameters: p)
        let out = try integrate(b.system, y0: b.y0, times: timesH, initialStep: b.initialStep)
        let iso = product.isotherm(p)
        let c = iso.closedVesselEquilibrium(amountMg: b.system.totalMg, beadVolumeMl: p.packingFraction * packedVolumeMl, mediumMl: mediumMl)
        let plateau = mediumMl * c / b.system.totalMg
        let t50 = try timeToFraction(0.5 * plateau, system: b.system, y0: b.y0, initialStep: b.initialStep, scale: b.diffusionTimeH)
        let t90 = try timeToFraction(0.9 * plateau, system: b.system, y0: b.y0, initialStep: b.initialStep, scale: b.diffusionTimeH)
        return ClosedVesselRelease(
            release: Release(timesH: timesH, releasedFraction: out.fractions, shells: b.grid.shellCount,
                             grid: grid.label(shells: b.grid.shellCount), radiusCm: b.grid.radiusCm,
                             diffusionTimeH: b.diffusionTimeH, statistics: out.stats),
            plateauFraction: plateau, plateauFreeConcentrationMgPerMl: c,
            timeTo50PercentOfPlateauH: t50, timeTo90PercentOfPlateauH: t90)
    }

    /// Time (h) at which the released fraction reaches `target`: the curve is integrated over a
    /// doubling time grid from 1e-6·`scale` until it passes the target, then GSL's Brent root finder
    /// solves released(t) = target, each trial re-integrated from the grid point before it.
    static func timeToFraction(_ target: Double, system s: VesselSystem, y0: [Double], initialStep: Double, scale: Double) throws -> Double {
        let solver = try s.makeSolver(initialStep: initialStep)
        let n = s.kinetics.stateCount
        var y = y0
        var t = 0.0
        var next = 1e-6 * scale
        var prevT = 0.0, prevY = y0
        while true {
            try solver.integrate(&y, from: t, to: next)
            t = next
            if y[n] / s.totalMg >= target { break }
            prevT = t; prevY = y
            next *= 2
            guard next < 1e9 else {
                throw SolverFailure(solver: "the release-time search", tReached: t, timeUnit: "h",
                                    reason: .other("the released fraction never reaches \(target) of the load"))
            }
        }
        do {
            let root = try RootFinder.brent(lower: prevT, upper: t, absTol: 0, relTol: 1e-11) { tt in
                var z = prevY
                try solver.reset()
                try solver.integrate(&z, from: prevT, to: tt)
                return z[n] / s.totalMg - target
            }
            return root.root
        } catch let e as SolverFailure {
            throw e
        } catch {
            throw SolverFailure.wrapping(error, solver: "the release-time search", timeUnit: "h")
        }
    }

    /// Times to 50 % and 90 % released into a perfect sink, for loaded beads.
    public static func loadedSinkHalfAndNinetyTimes(product: BeadProduct, size: BeadSize, loadingMgPerMl: Double,
                                                    grid: RadialGridSpec = .sinkDefault,
                                                    parameters: DEBModelParameters) throws -> (t50: Double, t90: Double) {
        let b = try loadedSystem(product: product, size: size, loadingMgPerMl: loadingMgPerMl, packedVolumeMl: 1,
                                 medium: .sink, grid: grid, parameters: parameters)
        return (try timeToFraction(0.5, system: b.system, y0: b.y0, initialStep: b.initialStep, scale: b.diffusionTimeH),
                try timeToFraction(0.9, system: b.system, y0: b.y0, initialStep: b.initialStep, scale: b.diffusionTimeH))
    }
}
