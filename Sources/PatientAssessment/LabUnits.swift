// SPDX-License-Identifier: GPL-3.0-or-later

/// Conversions between conventional (US) and SI units for the two laboratory values used here.
///
/// - Bilirubin: 1 mg/dL = 17.1 µmol/L. (Molar mass of bilirubin 584.67 g/mol: 10 mg/L ÷ 584.67 g/mol
///   = 17.104 µmol/L; 17.1 is the factor used by Johnson et al. 2015 (ALBI) and by laboratories.)
/// - Albumin: 1 g/dL = 10 g/L (exact, 1 dL = 0.1 L).
///
/// Each result is rounded to 9 decimal places. Binary floating point cannot represent most
/// decimal lab values exactly: without rounding 51.3 µmol/L ÷ 17.1 = 2.9999999999999996 mg/dL and
/// 50 mg/dL × 17.1 = 855.0000000000001 µmol/L, so a value that sits exactly on a published cut-off
/// or plausibility limit in one unit would fall on the other side of it after conversion. 10⁻⁹ is
/// far below the resolution of any laboratory report (0.1 µmol/L, 0.01 mg/dL), so the rounding never
/// changes a clinical value; it only removes representation noise. The input is validated in its own
/// unit first (see ``AssessmentRanges``) and never clipped.
public enum LabUnits {
    /// µmol/L per mg/dL of bilirubin: 17.1 (Johnson PJ et al., J Clin Oncol 2015;33:550; standard
    /// laboratory factor, = 10 / 584.67 g/mol × 1000 rounded to 3 significant digits).
    public static let bilirubinUmolPerLPerMgPerDl = 17.1
    /// g/L per g/dL of albumin: 10 (exact; 1 dL = 0.1 L).
    public static let albuminGPerLPerGPerDl = 10.0

    /// bilirubin µmol/L = mg/dL × 17.1. Input must be in [0.05, 50] mg/dL.
    public static func bilirubinUmolPerL(fromMgPerDl mgPerDl: Double) throws -> Double {
        try AssessmentRanges.bilirubinMgPerDl.check(mgPerDl, field: "bilirubinMgPerDl")
        return roundedToNanoUnits(mgPerDl * bilirubinUmolPerLPerMgPerDl)
    }

    /// bilirubin mg/dL = µmol/L ÷ 17.1. Input must be in [3, 855] µmol/L.
    public static func bilirubinMgPerDl(fromUmolPerL umolPerL: Double) throws -> Double {
        try AssessmentRanges.bilirubinUmolPerL.check(umolPerL, field: "bilirubinUmolPerL")
        return roundedToNanoUnits(umolPerL / bilirubinUmolPerLPerMgPerDl)
    }

    /// albumin g/L = g/dL × 10. Input must be in [0.5, 7] g/dL.
    public static func albuminGPerL(fromGPerDl gPerDl: Double) throws -> Double {
        try AssessmentRanges.albuminGPerDl.check(gPerDl, field: "albuminGPerDl")
        return roundedToNanoUnits(gPerDl * albuminGPerLPerGPerDl)
    }

    /// albumin g/dL = g/L ÷ 10. Input must be in [10, 70] g/L.
    public static func albuminGPerDl(fromGPerL gPerL: Double) throws -> Double {
        try AssessmentRanges.albuminGPerL.check(gPerL, field: "albuminGPerL")
        return roundedToNanoUnits(gPerL / albuminGPerLPerGPerDl)
    }

    /// Rounds to 9 decimal places. `(x·10⁹).rounded()` is an exact integer for |x| < 9·10⁶, and
    /// dividing an integer by 10⁹ (exactly representable) is correctly rounded, so the result is the
    /// double nearest to the 9-decimal value: the same double as the decimal literal (1.2, 855, …).
    static func roundedToNanoUnits(_ x: Double) -> Double {
        (x * 1e9).rounded() / 1e9
    }
}
