// SPDX-License-Identifier: GPL-3.0-or-later

/// Doxorubicin quantities used when planning DEB-TACE: molar masses and the cumulative dose per body
/// surface area. The dose limits themselves (session dose by bilirubin, lifetime dose, Child–Pugh) are
/// the clinical policy's (reference-data/constraints/constraint-sets.json, module ClinicalPolicy).
public enum Doxorubicin {
    /// Molar mass used for mass ↔ amount conversions of plasma/tissue **concentrations**:
    /// doxorubicin free base, C27H29NO11, 543.52 g/mol (27·12.011 + 29·1.008 + 14.007 + 11·15.999).
    /// Measured concentrations (HPLC, ng/mL) are reported as free base, so 1 µM = 543.52 ng/mL.
    ///
    /// Doses and vial contents are labelled as doxorubicin **hydrochloride**; to turn a dose in mg into
    /// µmol use ``hydrochlorideMolarMassGPerMol`` (579.98 g/mol) instead, or the amount will be 6.7 % high.
    public static let molarMassGPerMol = 543.52
    /// Doxorubicin hydrochloride, C27H29NO11·HCl: 579.98 g/mol (free base + 36.46 g/mol HCl).
    public static let hydrochlorideMolarMassGPerMol = 579.98

    /// Cumulative dose per body surface area: Σ doses (mg) ÷ BSA (m²).
    ///
    /// Uses one BSA for all doses (the current one); if the patient's BSA changed between
    /// administrations, the sum of each dose divided by the BSA at that time is more accurate.
    /// An empty list means no prior doxorubicin and returns 0.
    ///
    /// - Parameters:
    ///   - priorDosesMg: each prior administration in mg of doxorubicin hydrochloride, each in (0, 500] mg.
    ///   - bsaM2: body surface area, 0.3–5.5 m².
    /// - Throws: ``AssessmentInputError`` naming the offending element (`priorDosesMg[2]`) or `bsaM2`.
    public static func cumulativeMgPerM2(priorDosesMg: [Double], bsaM2: Double) throws -> Double {
        try AssessmentRanges.bsaM2.check(bsaM2, field: "bsaM2")
        var totalMg = 0.0
        for (i, dose) in priorDosesMg.enumerated() {
            totalMg += try AssessmentRanges.doxorubicinDoseMg.check(dose, field: "priorDosesMg[\(i)]")
        }
        return totalMg / bsaM2
    }

}
