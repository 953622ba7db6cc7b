// SPDX-License-Identifier: GPL-3.0-or-later
import DosecalcCore
import Uncertainty

/// A drug-eluting-bead plan.
public struct ChemoembolizationPlan: Codable, Sendable {
    public var product: String
    /// Bead size class, e.g. "100-300" (µm).
    public var size: String
    public var doxorubicinMg: Double
    public var loadingMgPerMl: Double
    public var beadVolumeMl: Double
    public var plasmaPeakNgPerMl: Double
    public var plasmaPeakTimeH: Double
    /// "nominal" or "upper95": which plasma peak the limit was applied to.
    public var plasmaPeakBasis: String
    /// The upper end of the plasma peak's 95 % prediction interval (ng/mL), when the basis is upper95.
    public var plasmaPeakUpper95NgPerMl: Double?
    public var tissuePeakUM: Double
    /// Local exposure that the plan maximises: tissue AUC over 28 days (µg·h/mL).
    public var tissueAucUgHPerMl: Double
    public var elutedPercentByDay: [String: Double]
    /// The largest session dose the dose rules allow (mg), and which rule set it.
    public var doseCapMg: Double
    public var doseCapRule: String
    public var bindingConstraint: String
    /// Every size and loading the search evaluated, best first.
    public var candidates: [Candidate]
    /// Time series of the chosen plan, for the report's plots.
    public var curves: Curves

    public struct Candidate: Codable, Sendable {
        public var size: String
        public var loadingMgPerMl: Double
        public var doxorubicinMg: Double
        public var beadVolumeMl: Double
        public var plasmaPeakNgPerMl: Double
        public var tissueAucUgHPerMl: Double
        public var limitedBy: String
    }

    public struct Curves: Codable, Sendable {
        public var timesH: [Double]
        public var plasmaNgPerMl: [Double]
        public var tissueUM: [Double]
        public var elutedPercent: [Double]
    }
}

/// What `dosecalc plan` prints.
public struct PlanResult: Encodable, Sendable {
    /// The release of dosecalc that computed the plan, and the build identifier of its executable.
    public var dosecalcVersion: String
    public var buildId: String
    /// When the plan was computed (UTC, ISO 8601).
    public var calculatedAt: String
    /// SHA-256 of the reference-data set (see `ReferenceDataFingerprint`) and of each of its files.
    public var referenceDataSha256: String
    public var referenceDataFiles: [String: String]
    /// SHA-256 of `canonicalInput` (the UTF-8 bytes of the canonical JSON text).
    public var inputSha256: String
    /// The input as the planner read it, in canonical form: keys sorted, no whitespace, prose fields
    /// (`description`, `note`) dropped. `dosecalc plan --replay` recomputes from it.
    public var input: PlanInput
    public var patientId: String
    public var modality: String
    public var status: Status
    public var reasons: [String]
    public var assessment: AssessmentSummary
    public var checks: [Check]
    public var radioembolization: RadioembolizationPlan?
    public var chemoembolization: ChemoembolizationPlan?
    public var assumptions: [Assumption]
    /// With an `uncertainty` input: intervals, exceedance probabilities, sensitivity and the chance constraint.
    public var uncertainty: UncertaintyResult? = nil
}
