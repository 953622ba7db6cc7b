// SPDX-License-Identifier: GPL-3.0-or-later
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// ALBI grade with the modified-ALBI (mALBI) split of grade 2.
///
/// - `grade1`: ALBI ≤ −2.60
/// - `grade2a`: −2.60 < ALBI ≤ −2.27   (mALBI; ALBI grade 2)
/// - `grade2b`: −2.27 < ALBI ≤ −1.39   (mALBI; ALBI grade 2)
/// - `grade3`: ALBI > −1.39
public enum ALBIGrade: String, Sendable, Codable, CaseIterable {
    case grade1 = "1"
    case grade2a = "2a"
    case grade2b = "2b"
    case grade3 = "3"

    /// The original three-level ALBI grade (Johnson et al. 2015): 1, 2 or 3 (2a and 2b are both 2).
    public var albiGrade: Int {
        switch self {
        case .grade1: return 1
        case .grade2a, .grade2b: return 2
        case .grade3: return 3
        }
    }
}

/// The ALBI score and its grades.
public struct ALBIResult: Sendable, Codable, Equatable {
    /// The ALBI score, unrounded (dimensionless; more negative = better liver function).
    public let score: Double
    /// ALBI grade 1, 2 or 3 (Johnson et al. 2015).
    public let grade: Int
    /// mALBI grade "1", "2a", "2b" or "3" (Hiraoka et al. 2017).
    public let mALBIGrade: String
}

/// Albumin–bilirubin (ALBI) score and grade: an objective liver-function grade for patients with
/// hepatocellular carcinoma, built from two laboratory values only (no subjective ascites or
/// encephalopathy assessment, unlike Child–Pugh).
///
/// Source: Johnson PJ, Berhane S, Kagebayashi C, et al. Assessment of liver function in patients
/// with hepatocellular carcinoma: a new evidence-based approach — the ALBI grade.
/// J Clin Oncol 2015;33(6):550–558.
///
///     ALBI = 0.66 · log10(bilirubin µmol/L) − 0.085 · albumin g/L
///
/// Grades compare the **unrounded** score with the cut-offs (some calculators round the score to
/// two decimals first, which moves scores within 0.005 of a cut-off across it).
/// Inputs: bilirubin 3–855 µmol/L or 0.05–50 mg/dL, albumin 10–70 g/L or 0.5–7 g/dL (the SI floors
/// catch a conventional value typed in an SI field).
public enum ALBI {
    /// Coefficient of log10(total bilirubin, µmol/L): 0.66 (Johnson et al., J Clin Oncol 2015;33:550).
    public static let log10BilirubinUmolPerLCoefficient = 0.66
    /// Coefficient of albumin (g/L): −0.085 (Johnson et al., J Clin Oncol 2015;33:550).
    public static let albuminGPerLCoefficient = -0.085
    /// Grade 1 if ALBI ≤ −2.60 (Johnson et al., J Clin Oncol 2015;33:550).
    public static let grade1MaxInclusive = -2.60
    /// Grade 2 if −2.60 < ALBI ≤ −1.39; grade 3 if ALBI > −1.39 (Johnson et al., J Clin Oncol 2015;33:550).
    public static let grade2MaxInclusive = -1.39
    /// mALBI: grade 2a if −2.60 < ALBI ≤ −2.27, grade 2b if −2.27 < ALBI ≤ −1.39.
    /// Source: Hiraoka A, Michitaka K, Kumada T, et al. Liver Cancer 2017;6:325–336
    /// [R] recalled, unverified (citation recalled from memory; cut-off −2.270 as widely quoted).
    public static let mALBIGrade2aMaxInclusive = -2.27

    /// Citation for the ALBI formula and grades (repeated in `reference-data/assessment-rules.json`).
    public static let source =
        "Johnson PJ et al. Assessment of liver function in patients with hepatocellular carcinoma: a new evidence-based approach - the ALBI grade. J Clin Oncol 2015;33(6):550-558"
    /// Citation for the mALBI 2a/2b split at −2.27; recalled from memory, not checked against the paper.
    public static let mALBISource =
        "Hiraoka A et al. Liver Cancer 2017;6:325-336 [R] recalled, unverified"

    /// ALBI = 0.66 · log10(bilirubin µmol/L) − 0.085 · albumin g/L.
    ///
    /// - Parameters:
    ///   - bilirubinUmolPerL: total serum bilirubin, 3–855 µmol/L.
    ///   - albuminGPerL: serum albumin, 10–70 g/L.
    /// - Throws: ``AssessmentInputError`` for non-finite or out-of-range input.
    public static func score(bilirubinUmolPerL: Double, albuminGPerL: Double) throws -> Double {
        try AssessmentRanges.bilirubinUmolPerL.check(bilirubinUmolPerL, field: "bilirubinUmolPerL")
        try AssessmentRanges.albuminGPerL.check(albuminGPerL, field: "albuminGPerL")
        return uncheckedScore(bilirubinUmolPerL: bilirubinUmolPerL, albuminGPerL: albuminGPerL)
    }

    /// Score and grades from SI units (bilirubin µmol/L, albumin g/L).
    public static func assess(bilirubinUmolPerL: Double, albuminGPerL: Double) throws -> ALBIResult {
        let s = try score(bilirubinUmolPerL: bilirubinUmolPerL, albuminGPerL: albuminGPerL)
        return try result(score: s)
    }

    /// Score and grades from conventional units. Converts with bilirubin µmol/L = mg/dL × 17.1 and
    /// albumin g/L = g/dL × 10 (see ``LabUnits``).
    ///
    /// - Parameters:
    ///   - bilirubinMgPerDl: total serum bilirubin, 0.05–50 mg/dL.
    ///   - albuminGPerDl: serum albumin, 0.5–7 g/dL.
    public static func assess(bilirubinMgPerDl: Double, albuminGPerDl: Double) throws -> ALBIResult {
        // Checked in the units given (LabUnits checks the conventional ranges); the SI floors are raised
        // against unit slips in SI fields and must not refuse a low value given in mg/dL.
        let bilirubinUmolPerL = try LabUnits.bilirubinUmolPerL(fromMgPerDl: bilirubinMgPerDl)
        let albuminGPerL = try LabUnits.albuminGPerL(fromGPerDl: albuminGPerDl)
        return try result(score: uncheckedScore(bilirubinUmolPerL: bilirubinUmolPerL, albuminGPerL: albuminGPerL))
    }

    /// The mALBI grade of a score: ≤ −2.60 → 1; ≤ −2.27 → 2a; ≤ −1.39 → 2b; otherwise 3.
    /// Each cut-off belongs to the better (lower) grade. `score` must be finite.
    public static func grade(score: Double) throws -> ALBIGrade {
        guard score.isFinite else {
            throw AssessmentInputError(field: "score", message: "must be a finite number; got \(formatNumber(score))")
        }
        if score <= grade1MaxInclusive { return .grade1 }
        if score <= mALBIGrade2aMaxInclusive { return .grade2a }
        if score <= grade2MaxInclusive { return .grade2b }
        return .grade3
    }

    static func uncheckedScore(bilirubinUmolPerL: Double, albuminGPerL: Double) -> Double {
        log10BilirubinUmolPerLCoefficient * log10(bilirubinUmolPerL) + albuminGPerLCoefficient * albuminGPerL
    }

    private static func result(score: Double) throws -> ALBIResult {
        let g = try grade(score: score)
        return ALBIResult(score: score, grade: g.albiGrade, mALBIGrade: g.rawValue)
    }
}
