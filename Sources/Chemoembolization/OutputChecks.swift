// SPDX-License-Identifier: GPL-3.0-or-later
import GSLKit

// No NaN, infinite or negative amount, concentration, AUC or dose reaches a result.
//
// Every state component of DEB-IX-3C is an amount (mg), a bead content (mg/mL) or an accumulated
// integral of one (mg·h/L): none can be negative, and the true solution never is (the system is
// a positive one). The solver keeps each component within its absolute tolerance
// absTol·scale_i of the truth (plus its relative tolerance); where the truth is far below that
// (the burst pool after a few days, the plasma decades after an IV bolus: 7.6e-263 ng/mL at
// 40,000 h), the computed value is round-off of that size and either sign. So, for every value
// that is put into a result:
//
// * NaN or ±∞ → `SolverFailure` (`.nonFiniteValue`);
// * negative by no more than the round-off allowance (`roundOffAllowanceFactor` = 10 times the
//   component's absolute tolerance absTol·scale_i; never less than 64 ulp of its scale) → reported
//   as 0, the value it equals within the solver's tolerance. Why 10: GSL accepts a step when each
//   component's estimated local error is up to 1.1 times its tolerance, and the errors of
//   successive steps add before they decay; over 76 random treatments the most negative step-end
//   value was 2.4 tolerances (the burst pool, days after delivery);
// * between solver steps (dense output, `checkedState(in:at:absTol:)`), a negative interpolated
//   value between two step-end values that are both non-negative within the allowance is an
//   artefact of the interpolant, not of the solution (which is non-negative): the cubic Hermite
//   interpolant uses the step-end derivatives f(t_k, y_k), which for a stiff component amplify the
//   state's round-off by the stiffness, and over a long step it swings by about h·|δf| (63
//   tolerances for the burst pool over a 700 h step; 14 for the tissue amount of a 300-shell bead
//   after 7 years). There the monotone interpolant (`ODETrajectory.monotoneValue`), which stays
//   between the two step-end values, is used instead, and then checked as above;
// * anything more negative → `SolverFailure` (`.negativeValue`): the solution is wrong, and no
//   number is printed.
//
// Nothing positive is changed. The mass balance is computed from the solver's own states, before
// this check.

extension ElutionModel {
    /// The round-off allowance in multiples of a component's absolute tolerance (see above): 10.
    public static let roundOffAllowanceFactor = 10.0

    /// The round-off allowance of component `i`: `roundOffAllowanceFactor` × absTol × its scale.
    public func roundOffAllowance(component i: Int, absTol: Double) -> Double {
        ElutionModel.roundOffAllowanceFactor * max(absTol, 64 * Double.ulpOfOne) * toleranceScale[i]
    }

    /// What component `i` is, with its unit, for messages.
    public func componentName(_ i: Int) -> String {
        let L = layout
        switch i {
        case L.burst: return "the burst pool A_B (mg)"
        case L.tissue: return "the tissue amount A_T (mg)"
        case L.central: return "the plasma amount A1 (mg)"
        case L.peripheral2: return "the peripheral amount A2 (mg)"
        case L.peripheral3: return "the peripheral amount A3 (mg)"
        case L.aucPlasma: return "the plasma AUC (mg·h/L)"
        case L.aucTissue: return "the tissue AUC (mg·h/L)"
        default:
            for (k, o) in L.shellOffsets.enumerated() where i >= o && i < o + L.classStateCounts[k] {
                let n = L.shellCounts[k]
                return i < o + n ? "the drug in shell \(i - o + 1) of \(n) of size class \(classes[k].size) (mg/mL)"
                    : "the bound drug in shell \(i - o - n + 1) of \(n) of size class \(classes[k].size) (mg/mL)"
            }
            return "state component \(i)"
        }
    }

    /// The state `y` at time `t` (h) made fit for output: every component finite, round-off
    /// negatives within the allowance set to 0 (see the notes at the top of this file).
    /// Throws `SolverFailure` otherwise.
    public func checkedState(_ y: [Double], at t: Double, absTol: Double) throws -> [Double] {
        var out = y
        for i in out.indices {
            let v = out[i]
            guard v.isFinite else {
                throw SolverFailure(tReached: t, timeUnit: "h", reason: .nonFiniteValue(quantity: componentName(i), value: v))
            }
            if v < 0 || v == 0 {   // also turns −0 into +0
                let a = roundOffAllowance(component: i, absTol: absTol)
                guard -v <= a else {
                    throw SolverFailure(tReached: t, timeUnit: "h", reason: .negativeValue(quantity: componentName(i), value: v, allowance: a))
                }
                out[i] = 0
            }
        }
        return out
    }

    /// The state at `t` (h) from the dense output: cubic Hermite for the compartments that rise and
    /// fall (A_T, A1, A2, A3: their peaks lie between steps), the monotone cubic Hermite of
    /// Fritsch & Carlson (`ODETrajectory.monotoneValue`) for the components that only ever
    /// decrease (every bead shell, the burst pool) or increase (the AUCs). The two agree
    /// wherever the solver resolves a component; they differ where a stiff component (an inner
    /// shell of a fine grid, late) has noisy step-end slopes, and there the monotone one stays
    /// between the solver's step-end values instead of swinging outside them.
    public func denseState(_ traj: ODETrajectory, at t: Double) -> [Double] {
        denseState(traj, at: t, interval: traj.interval(containing: t))
    }

    /// `denseState` with k = `traj.interval(containing: t)` already found.
    func denseState(_ traj: ODETrajectory, at t: Double, interval k: Int) -> [Double] {
        let last = traj.count - 1
        if t == traj.times[last] { return traj.state(atStep: last) }   // a step end: the recorded state itself
        let L = layout
        return [Double](unsafeUninitializedCapacity: L.dimension) { y, filled in
            for i in 0..<L.dimension {
                let risesAndFalls = i == L.tissue || i == L.central || i == L.peripheral2 || i == L.peripheral3
                y[i] = risesAndFalls ? traj.value(i, at: t, interval: k) : traj.monotoneValue(i, at: t, interval: k)
            }
            filled = L.dimension
        }
    }

    /// The dense-output state of `traj` at `t` (h) (`denseState`), checked like `checkedState`; a
    /// negative interpolated value between step-end values that are both non-negative within the
    /// allowance is replaced by the monotone interpolant first (see the notes at the top).
    public func checkedState(in traj: ODETrajectory, at t: Double, absTol: Double) throws -> [Double] {
        let k = traj.interval(containing: t)
        var y = denseState(traj, at: t, interval: k)
        if k + 1 < traj.count {
            for i in y.indices where y[i] < 0 {
                let a = roundOffAllowance(component: i, absTol: absTol)
                if traj.value(i, atStep: k) >= -a && traj.value(i, atStep: k + 1) >= -a {
                    y[i] = traj.monotoneValue(i, at: t, interval: k)
                }
            }
        }
        return try checkedState(y, at: t, absTol: absTol)
    }

    /// A fraction of the bead dose (eluted) made fit for output: within [0, 1] up to the round-off
    /// allowance `roundOffAllowanceFactor` × absTol (the bead content's absolute tolerance summed
    /// over the shells is absTol of the bead dose), clamped into [0, 1] there; a `SolverFailure` beyond.
    func checkedFraction(_ f: Double, quantity: String, at t: Double, absTol: Double) throws -> Double {
        guard f.isFinite else {
            throw SolverFailure(tReached: t, timeUnit: "h", reason: .nonFiniteValue(quantity: quantity, value: f))
        }
        let a = ElutionModel.roundOffAllowanceFactor * max(absTol, 64 * Double.ulpOfOne)
        if f <= 0 {
            guard -f <= a else { throw SolverFailure(tReached: t, timeUnit: "h", reason: .negativeValue(quantity: quantity, value: f, allowance: a)) }
            return 0
        }
        if f > 1 {
            guard f - 1 <= a else {
                throw SolverFailure(tReached: t, timeUnit: "h", reason: .other("\(quantity) came out above 1 (\(f)), beyond the round-off allowance of \(a)"))
            }
            return 1
        }
        return f
    }

    /// A derived value (a peak) made fit for output, like one state component with allowance `allowance`.
    func checkedValue(_ v: Double, quantity: String, at t: Double, allowance: Double) throws -> Double {
        guard v.isFinite else {
            throw SolverFailure(tReached: t, timeUnit: "h", reason: .nonFiniteValue(quantity: quantity, value: v))
        }
        if v <= 0 {
            guard -v <= allowance else {
                throw SolverFailure(tReached: t, timeUnit: "h", reason: .negativeValue(quantity: quantity, value: v, allowance: allowance))
            }
            return 0
        }
        return v
    }
}
