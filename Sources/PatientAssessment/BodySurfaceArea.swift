// SPDX-License-Identifier: GPL-3.0-or-later
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Which body-surface-area formula to use.
///
/// DuBois is the formula the SIR-Spheres (Sirtex) BSA method is written with; Mosteller is the
/// common oncology-pharmacy formula for mg/m² chemotherapy dosing. They differ by about 1 % for
/// typical adults (175 cm / 80 kg: 1.956 vs 1.972 m²) and by more at extremes of build.
public enum BSAFormula: String, Sendable, CaseIterable, Codable {
    case duBois = "dubois"
    case mosteller = "mosteller"
}

/// Body surface area (m²) from height and weight.
///
/// Inputs: `heightCm` in [50, 250] cm, `weightKg` in [10, 400] kg (see ``AssessmentRanges``).
/// Anything else — non-finite, zero, negative, implausible — throws ``AssessmentInputError``.
public enum BodySurfaceArea {
    /// DuBois coefficient 0.007184 (H in cm, W in kg, BSA in m²).
    /// Source: Du Bois D, Du Bois EF. A formula to estimate the approximate surface area if height
    /// and weight be known. Arch Intern Med 1916;17:863–871 (original: A = W^0.425 · H^0.725 · 71.84,
    /// A in cm², W in kg, H in cm; 71.84 cm² = 0.007184 m²).
    public static let duBoisCoefficient = 0.007184
    /// DuBois exponent of weight (kg): 0.425 (Du Bois & Du Bois 1916).
    public static let duBoisWeightExponent = 0.425
    /// DuBois exponent of height (cm): 0.725 (Du Bois & Du Bois 1916).
    public static let duBoisHeightExponent = 0.725
    /// Mosteller divisor 3600 (H in cm, W in kg): BSA = √(H·W / 3600).
    /// Source: Mosteller RD. Simplified calculation of body-surface area. N Engl J Med 1987;317:1098.
    public static let mostellerDivisor = 3600.0

    /// DuBois & DuBois 1916: BSA (m²) = 0.007184 · W(kg)^0.425 · H(cm)^0.725.
    ///
    /// Sirtex writes the same formula with height in metres: 0.20247 · H(m)^0.725 · W(kg)^0.425
    /// (0.007184 · 100^0.725 = 0.20247). Reference: 175 cm, 80 kg → 1.9561 m².
    public static func duBoisM2(heightCm: Double, weightKg: Double) throws -> Double {
        try validate(heightCm: heightCm, weightKg: weightKg)
        return duBoisCoefficient * pow(weightKg, duBoisWeightExponent) * pow(heightCm, duBoisHeightExponent)
    }

    /// Mosteller 1987: BSA (m²) = √(H(cm) · W(kg) / 3600). Reference: 175 cm, 80 kg → 1.9720 m².
    public static func mostellerM2(heightCm: Double, weightKg: Double) throws -> Double {
        try validate(heightCm: heightCm, weightKg: weightKg)
        return (heightCm * weightKg / mostellerDivisor).squareRoot()
    }

    /// BSA (m²) by the chosen formula; see ``duBoisM2(heightCm:weightKg:)`` and
    /// ``mostellerM2(heightCm:weightKg:)``.
    public static func m2(heightCm: Double, weightKg: Double, formula: BSAFormula) throws -> Double {
        switch formula {
        case .duBois: return try duBoisM2(heightCm: heightCm, weightKg: weightKg)
        case .mosteller: return try mostellerM2(heightCm: heightCm, weightKg: weightKg)
        }
    }

    private static func validate(heightCm: Double, weightKg: Double) throws {
        try AssessmentRanges.heightCm.check(heightCm, field: "heightCm")
        try AssessmentRanges.weightKg.check(weightKg, field: "weightKg")
    }
}
