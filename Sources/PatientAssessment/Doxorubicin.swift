// SPDX-License-Identifier: GPL-3.0-or-later

/// The doxorubicin dose adjustment that applies at a given serum bilirubin.
public struct DoxorubicinBilirubinRule: Sendable, Codable, Equatable {
    /// Percent of the normally calculated dose to give: 100, 50, 25 or 0.
    public let dosePercent: Double
    /// True when doxorubicin must not be given (bilirubin > 5.0 mg/dL); then `dosePercent` is 0.
    public let contraindicated: Bool
    /// The band that matched, written with explicit inequalities, e.g. "1.2 ≤ bilirubin ≤ 3.0 mg/dL: 50 %".
    public let band: String
    /// Where the rule comes from.
    public let source: String
}

/// Doxorubicin rules used when planning DEB-TACE: dose adjustment for hepatic impairment,
/// the lifetime cumulative-dose limit, and cumulative dose per body surface area.
///
/// These are the systemic (intravenous) prescribing rules. Their application to intra-arterial
/// drug-eluting-bead delivery is a clinical convention, not something the label addresses.
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

    /// Bilirubin below 1.2 mg/dL → 100 % of the dose.
    public static let fullDoseBelowBilirubinMgPerDl = 1.2
    /// 1.2 ≤ bilirubin ≤ 3.0 mg/dL → 50 % of the dose.
    public static let halfDoseMaxInclusiveBilirubinMgPerDl = 3.0
    /// 3.0 < bilirubin ≤ 5.0 mg/dL → 25 % of the dose; above 5.0 mg/dL doxorubicin is contraindicated.
    /// (The label writes the bands as 1.2–3.0 and 3.1–5.0 mg/dL; the gap 3.0–3.1 is closed here by
    /// giving it the more cautious 25 %.)
    public static let quarterDoseMaxInclusiveBilirubinMgPerDl = 5.0
    /// Lifetime cumulative limit, 550 mg/m².
    public static let lifetimeLimitMgPerM2Standard = 550.0
    /// Lifetime cumulative limit after mediastinal/chest irradiation or with other cardiotoxic
    /// therapy, 450 mg/m² (value as specified for this project). Note: some labels state 400 mg/m²
    /// for prior cardiac-region irradiation or concomitant cyclophosphamide; see the report.
    public static let lifetimeLimitMgPerM2AfterChestIrradiation = 450.0

    /// Source of the hepatic-impairment bands.
    public static let hepaticImpairmentSource =
        "Doxorubicin hydrochloride prescribing information, dosage in hepatic impairment (bilirubin 1.2-3.0 mg/dL: 50 %; 3.1-5.0 mg/dL: 25 %; > 5.0 mg/dL or severe hepatic impairment: contraindicated); GLOWM doxorubicin drug monograph"
    /// Source of the cumulative-dose limits.
    public static let cumulativeLimitSource =
        "Doxorubicin hydrochloride prescribing information / SmPC: lifetime cumulative dose 550 mg/m2; lower limit after mediastinal irradiation or with cardiotoxic co-therapy (450 mg/m2 used here; some labels give 400 mg/m2)"

    /// Dose adjustment for hepatic impairment by total serum bilirubin:
    ///
    ///     bilirubin < 1.2 mg/dL         → 100 %
    ///     1.2 ≤ bilirubin ≤ 3.0 mg/dL   →  50 %
    ///     3.0 < bilirubin ≤ 5.0 mg/dL   →  25 %
    ///     bilirubin > 5.0 mg/dL         →   0 %, contraindicated
    ///
    /// Bilirubin is only one criterion: the label also contraindicates doxorubicin in severe hepatic
    /// impairment (Child–Pugh C) whatever the bilirubin. Check that separately.
    ///
    /// - Parameter bilirubinMgPerDl: total serum bilirubin, 0.05–50 mg/dL.
    /// - Throws: ``AssessmentInputError`` for non-finite or out-of-range input.
    public static func bilirubinRule(bilirubinMgPerDl: Double) throws -> DoxorubicinBilirubinRule {
        try AssessmentRanges.bilirubinMgPerDl.check(bilirubinMgPerDl, field: "bilirubinMgPerDl")
        let b = bilirubinMgPerDl
        if b < fullDoseBelowBilirubinMgPerDl {
            return rule(100, false, "bilirubin < 1.2 mg/dL: 100 %")
        }
        if b <= halfDoseMaxInclusiveBilirubinMgPerDl {
            return rule(50, false, "1.2 ≤ bilirubin ≤ 3.0 mg/dL: 50 %")
        }
        if b <= quarterDoseMaxInclusiveBilirubinMgPerDl {
            return rule(25, false, "3.0 < bilirubin ≤ 5.0 mg/dL: 25 %")
        }
        return rule(0, true, "bilirubin > 5.0 mg/dL: contraindicated (0 %)")
    }

    /// Lifetime cumulative doxorubicin limit: 550 mg/m², or 450 mg/m² after mediastinal/chest
    /// irradiation or with other cardiotoxic therapy. Count all prior anthracyclines towards it.
    public static func lifetimeLimitMgPerM2(priorChestIrradiation: Bool) -> Double {
        priorChestIrradiation ? lifetimeLimitMgPerM2AfterChestIrradiation : lifetimeLimitMgPerM2Standard
    }

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

    private static func rule(_ percent: Double, _ contraindicated: Bool, _ band: String) -> DoxorubicinBilirubinRule {
        DoxorubicinBilirubinRule(
            dosePercent: percent, contraindicated: contraindicated, band: band, source: hepaticImpairmentSource)
    }
}
