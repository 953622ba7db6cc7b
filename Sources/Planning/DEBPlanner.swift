// SPDX-License-Identifier: GPL-3.0-or-later
import DosecalcCore

/// Drug-eluting-bead planning (filled in once the elution model lands).
public enum DEBPlanner {
    public static func plan(_ input: PlanInput, assessment: AssessmentSummary, constraints: ChemoembolizationConstraints)
        throws -> (plan: ChemoembolizationPlan, checks: [Check], status: Status, reasons: [String], assumptions: [Assumption]) {
        throw InputError(field: "treatment.modality", "deb planning is not available yet")
    }
}
