// SPDX-License-Identifier: GPL-3.0-or-later

/// Plausible ranges for the inputs of this module. A value outside its range is treated as a
/// data-entry or unit error and rejected with ``AssessmentInputError``; it is never clipped.
///
/// The ranges are deliberately wide (they must admit every real adult patient, including extreme
/// ones) and are not clinical reference intervals. They are project conventions, not published
/// cut-offs; `reference-data/assessment-rules.json` repeats them and a test keeps the two equal.
public enum AssessmentRanges {
    /// Height 50–250 cm.
    public static let heightCm = AssessmentRange(50, 250, unit: "cm")
    /// Weight 10–400 kg.
    public static let weightKg = AssessmentRange(10, 400, unit: "kg")
    /// Total serum bilirubin 0.05–50 mg/dL.
    public static let bilirubinMgPerDl = AssessmentRange(0.05, 50, unit: "mg/dL")
    /// Total serum bilirubin 3–855 µmol/L. The floor is above 0.05 mg/dL × 17.1 on purpose: a value
    /// below 3 µmol/L (0.18 mg/dL) is far more likely a mg/dL value typed in the µmol/L field (1.4 read as
    /// 1.4 µmol/L would raise the glass whole normal-liver limit from 50 to 90 Gy) than a real result.
    public static let bilirubinUmolPerL = AssessmentRange(3, 855, unit: "µmol/L")
    /// Serum albumin 0.5–7 g/dL.
    public static let albuminGPerDl = AssessmentRange(0.5, 7, unit: "g/dL")
    /// Serum albumin 10–70 g/L. Below 10 g/L is far more likely a g/dL value typed in the g/L field.
    public static let albuminGPerL = AssessmentRange(10, 70, unit: "g/L")
    /// International normalised ratio 0.5–15 (dimensionless).
    public static let inr = AssessmentRange(0.5, 15, unit: "")
    /// Body surface area 0.3–5.5 m². This covers every value either BSA formula can return for a
    /// height and weight inside the ranges above (DuBois at 50 cm / 10 kg ≈ 0.326 m²; Mosteller at
    /// 250 cm / 400 kg ≈ 5.27 m²), so a BSA computed by ``BodySurfaceArea`` is always accepted.
    public static let bsaM2 = AssessmentRange(0.3, 5.5, unit: "m²")
    /// One prior doxorubicin administration: more than 0 and at most 500 mg. The highest labelled
    /// single dose, 75 mg/m², is about 225 mg even at 3 m², and a DEB-TACE session is usually
    /// loaded with at most 150 mg; a larger number is almost certainly a unit error (µg or mg/m²
    /// typed as mg). A zero dose is not a dose: leave it out of the list.
    public static let doxorubicinDoseMg = AssessmentRange(0, 500, unit: "mg", includesLower: false)
}
