// SPDX-License-Identifier: GPL-3.0-or-later
import DosecalcCore
import GSLKit

/// Solver settings of an in-vivo simulation.
public struct SimulationOptions: Sendable, Equatable {
    /// Relative tolerance asked of msbdf. With `absTol` 1e-12 this reproduces the reference
    /// solve (scipy BDF, rtol 1e-10, atol 1e-12) to ≤ 4e-9 relative in every reported output
    /// (peak, AUCs, eluted days, tissue, late plasma), measured by Benchmarks/DEBProfile; GSL's
    /// msbdf errors run 5–20× above the requested rtol (measured against the closed-form bolus), hence not looser.
    public var relTol: Double = 1e-10
    /// Absolute tolerance as a fraction of each component's scale (`ElutionModel.toleranceScale`):
    /// of the session dose for amounts and AUCs, of the loaded content u⁰ for bead shells. The
    /// default 1e-12 is, for a 100 mg session, the former fixed 1e-10 mg, and ≤ 2e-8 of the smallest
    /// state that is reported (late plasma amount, ~3e-5 of the dose) at every dose and loading;
    /// a fixed absolute tolerance lost that accuracy for small doses and loadings.
    ///
    /// It is also the round-off allowance of the output: a component that comes out negative by
    /// no more than absTol × its scale is round-off within the solver's tolerance and is reported
    /// as 0; anything more negative is a `SolverFailure` (see `ElutionModel.checkedState`).
    public var absTol: Double = 1e-12
    /// Output grid; nil = the default grid (dense in the first 2 h, hourly to 24 h, then every 6 h
    /// to 7 d and every 12 h after, plus 8 h, 30 d and every reported day). Output points cost no
    /// solver work: they are read from the dense output of the free-running solve.
    public var outputTimesH: [Double]? = nil
    /// Refine the plasma and tissue peaks between solver steps (root of dA/dt by GSL's Brent on the
    /// dense output). Off: the peaks are the largest output-grid values.
    public var refinePeaks: Bool = true

    public init() {}

    /// Refuses tolerances GSL cannot honour (non-finite, ≤ 0 absolute, < 0 relative) as an `InputError`.
    func validate() throws {
        guard absTol.isFinite, absTol > 0, absTol < 1 else {
            throw InputError(field: "SimulationOptions.absTol", "must be finite and in (0, 1); got \(absTol)")
        }
        guard relTol.isFinite, relTol >= 0, relTol < 1 else {
            throw InputError(field: "SimulationOptions.relTol", "must be finite and in [0, 1); got \(relTol)")
        }
    }
}

/// The summary of an in-vivo simulation: what the planner and the CLI report.
public struct DEBSummary: Sendable, Equatable, Codable {
    public let doseMg: Double
    public let days: Double
    /// Fraction of the bead dose released during delivery.
    public let burstFraction: Double
    public let plasmaPeakNgPerMl: Double
    public let plasmaPeakTimeH: Double
    /// ∫₀^days C_p dt (ng·h/mL).
    public let plasmaAucNgHPerMl: Double
    /// ∫₀^24h C_p dt (ng·h/mL), if days ≥ 1.
    public let plasmaAuc0to24hNgHPerMl: Double?
    /// Largest regional total tissue concentration (µg/mL and µM) and its time.
    public let tissuePeakUgPerMl: Double
    public let tissuePeakUM: Double
    public let tissuePeakTimeH: Double
    /// ∫₀^days A_T/V_T dt (µg·h/mL).
    public let tissueAucUgHPerMl: Double
    /// ∫₀^28d A_T/V_T dt (µg·h/mL), if days ≥ 28.
    public let tissueAuc0to28dUgHPerMl: Double?
    /// Regional total tissue concentration at 8 h and 30 d (µM), where within the horizon.
    public let tissueUMAt8h: Double?
    public let tissueUMAt30d: Double?
    /// Percent of the bead dose eluted (burst included) on days 1, 2, 3, 7, 14, 21, 28, 30, 60, 90, …
    /// up to `days`, keyed by the day as text.
    public let elutedPercentByDay: [String: Double]
    public let elutedPercentAtEnd: Double
    /// Drug eliminated systemically, f_CL·CL·∫C_p dt (mg): the systemically delivered amount.
    public let systemicEliminatedMg: Double
    /// Drug still in the beads at the end (mg).
    public let remainingInBeadsMg: Double
    /// max over the output grid of |accounted − dose| / dose.
    public let massBalanceRelativeError: Double
}

/// Solver statistics, as in SciPy's `solve_ivp` result (nfev, njev, steps).
public struct SolverReport: Sendable, Equatable, Codable {
    public let method: String
    public let relTol: Double
    /// As `SimulationOptions.absTol`: a fraction of each component's scale (dose, loaded content).
    public let absTol: Double
    public let dimension: Int
    /// Accepted steps, right-hand-side and Jacobian evaluations of the solve.
    public let steps: Int
    public let rhsEvaluations: Int
    public let jacobianEvaluations: Int
}

/// An in-vivo simulation result, like SciPy's `solve_ivp` result: the time series on the output
/// grid, the summary, and the solver statistics.
public struct DEBResult: Sendable {
    public let timesH: [Double]
    public let plasmaNgPerMl: [Double]
    public let tissueUgPerMl: [Double]
    public let tissueUM: [Double]
    /// Percent of the bead dose eluted (burst included).
    public let elutedPercent: [Double]
    /// Full states at the output times (`states[k][i]`: component i at `timesH[k]`).
    public let states: [[Double]]
    public let summary: DEBSummary
    public let classes: [BeadClassSetup]
    public let solver: SolverReport
}
