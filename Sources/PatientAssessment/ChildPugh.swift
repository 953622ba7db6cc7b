// SPDX-License-Identifier: GPL-3.0-or-later

/// Ascites as graded for Child–Pugh: none (1 point), mild / slight / easily controlled (2),
/// moderate–severe / poorly controlled (3).
public enum Ascites: String, Sendable, Codable, CaseIterable {
    case none
    case mild
    case moderateSevere = "moderate-severe"

    /// Child–Pugh points: none 1, mild 2, moderate–severe 3.
    public var childPughPoints: Int {
        switch self {
        case .none: return 1
        case .mild: return 2
        case .moderateSevere: return 3
        }
    }
}

/// Hepatic encephalopathy as graded for Child–Pugh: none (1 point), grade 1–2 (2), grade 3–4 (3).
public enum Encephalopathy: String, Sendable, Codable, CaseIterable {
    case none
    case grade1to2 = "grade1-2"
    case grade3to4 = "grade3-4"

    /// Child–Pugh points: none 1, grade 1–2 2, grade 3–4 3.
    public var childPughPoints: Int {
        switch self {
        case .none: return 1
        case .grade1to2: return 2
        case .grade3to4: return 3
        }
    }
}

/// A Child–Pugh score with its class and the points of each parameter.
public struct ChildPughResult: Sendable, Codable, Equatable {
    /// Total points, 5–15.
    public let score: Int
    /// "A" (5–6), "B" (7–9) or "C" (10–15).
    public let childPughClass: String
    /// Points per parameter, keys `bilirubin`, `albumin`, `inr`, `ascites`, `encephalopathy`.
    public let points: [String: Int]
}

/// Child–Pugh (Child–Turcotte–Pugh) score and class.
///
/// Source: Pugh RNH, Murray-Lyon IM, Dawson JL, Pietroni MC, Williams R. Transection of the
/// oesophagus for bleeding oesophageal varices. Br J Surg 1973;60(8):646–649, in the standard
/// modern form (INR in place of prothrombin time prolongation, which the 1973 table used:
/// 1–4 s, 4–6 s, > 6 s).
///
/// | parameter              | 1 point | 2 points  | 3 points |
/// |------------------------|---------|-----------|----------|
/// | bilirubin mg/dL        | < 2     | 2 – 3     | > 3      |
/// | (cholestatic: PBC/PSC) | < 4     | 4 – 10    | > 10     |
/// | albumin g/dL           | > 3.5   | 2.8 – 3.5 | < 2.8    |
/// | INR                    | < 1.7   | 1.7 – 2.3 | > 2.3    |
/// | ascites                | none    | mild      | moderate–severe |
/// | encephalopathy         | none    | grade 1–2 | grade 3–4 |
///
/// Class A 5–6, B 7–9, C 10–15.
///
/// **Boundaries.** Published tables write the middle band as "2–3", "2.8–3.5", "1.7–2.3" and leave
/// the end points ambiguous; sources disagree. This implementation puts **every end point in the
/// middle (2-point) band**: bilirubin exactly 2.0 or 3.0 → 2; albumin exactly 3.5 or 2.8 → 2;
/// INR exactly 1.7 or 2.3 → 2; cholestatic bilirubin exactly 4.0 or 10.0 → 2.
///
/// Some textbook tables (e.g. Harrison's) use albumin 3.0–3.5 g/dL (30–35 g/L) for 2 points and
/// < 3.0 for 3 points; this implementation uses 2.8 g/dL, as in Pugh 1973 (28–35 g/L).
public enum ChildPugh {
    /// Bilirubin < 2.0 mg/dL → 1 point (Pugh 1973: < 2 mg/100 mL, < 34 µmol/L).
    public static let bilirubinOnePointBelowMgPerDl = 2.0
    /// Bilirubin 2.0–3.0 mg/dL (both ends included) → 2 points; > 3.0 → 3 (Pugh 1973).
    public static let bilirubinTwoPointsMaxInclusiveMgPerDl = 3.0
    /// Cholestatic disease (PBC/PSC): bilirubin < 4.0 mg/dL → 1 point (Pugh 1973 modification for
    /// primary biliary cirrhosis).
    public static let cholestaticBilirubinOnePointBelowMgPerDl = 4.0
    /// Cholestatic disease: bilirubin 4.0–10.0 mg/dL (both ends included) → 2 points; > 10.0 → 3.
    public static let cholestaticBilirubinTwoPointsMaxInclusiveMgPerDl = 10.0
    /// Albumin > 3.5 g/dL → 1 point (Pugh 1973: > 35 g/L).
    public static let albuminOnePointAboveGPerDl = 3.5
    /// Albumin 2.8–3.5 g/dL (both ends included) → 2 points; < 2.8 → 3 (Pugh 1973: 28–35 g/L).
    public static let albuminTwoPointsMinInclusiveGPerDl = 2.8
    /// INR < 1.7 → 1 point (standard modern table; not in Pugh 1973, which used prothrombin time).
    public static let inrOnePointBelow = 1.7
    /// INR 1.7–2.3 (both ends included) → 2 points; > 2.3 → 3 (standard modern table).
    public static let inrTwoPointsMaxInclusive = 2.3
    /// Class A: total 5–6; class B: 7–9; class C: 10–15 (Pugh 1973).
    public static let classAMaxScore = 6
    /// Class B upper end: 9. 10 and above is class C (Pugh 1973).
    public static let classBMaxScore = 9

    /// Citation for the table above (repeated in `reference-data/assessment-rules.json`).
    public static let source =
        "Pugh RNH et al. Transection of the oesophagus for bleeding oesophageal varices. Br J Surg 1973;60(8):646-649 (standard table; INR in place of prothrombin time)"

    /// Child–Pugh score, class and per-parameter points.
    ///
    /// - Parameters:
    ///   - bilirubinMgPerDl: total serum bilirubin, 0.05–50 mg/dL.
    ///   - albuminGPerDl: serum albumin, 0.5–7 g/dL.
    ///   - inr: international normalised ratio, 0.5–15.
    ///   - ascites: none / mild / moderate–severe.
    ///   - encephalopathy: none / grade 1–2 / grade 3–4.
    ///   - cholestatic: true for cholestatic liver disease (primary biliary cholangitis, primary
    ///     sclerosing cholangitis): uses the bilirubin bands < 4, 4–10, > 10 mg/dL.
    /// - Throws: ``AssessmentInputError`` for non-finite or out-of-range input.
    public static func assess(
        bilirubinMgPerDl: Double,
        albuminGPerDl: Double,
        inr: Double,
        ascites: Ascites,
        encephalopathy: Encephalopathy,
        cholestatic: Bool = false
    ) throws -> ChildPughResult {
        try AssessmentRanges.bilirubinMgPerDl.check(bilirubinMgPerDl, field: "bilirubinMgPerDl")
        try AssessmentRanges.albuminGPerDl.check(albuminGPerDl, field: "albuminGPerDl")
        try AssessmentRanges.inr.check(inr, field: "inr")

        let points: [String: Int] = [
            "bilirubin": bilirubinPoints(bilirubinMgPerDl, cholestatic: cholestatic),
            "albumin": albuminPoints(albuminGPerDl),
            "inr": inrPoints(inr),
            "ascites": ascites.childPughPoints,
            "encephalopathy": encephalopathy.childPughPoints,
        ]
        let score = points.values.reduce(0, +)
        return ChildPughResult(score: score, childPughClass: try childPughClass(score: score), points: points)
    }

    /// Class of a total score: 5–6 → "A", 7–9 → "B", 10–15 → "C". Other totals are impossible and throw.
    public static func childPughClass(score: Int) throws -> String {
        switch score {
        case 5...classAMaxScore: return "A"
        case (classAMaxScore + 1)...classBMaxScore: return "B"
        case (classBMaxScore + 1)...15: return "C"
        default:
            throw AssessmentInputError(field: "score", message: "must be an integer in [5, 15]; got \(score)")
        }
    }

    static func bilirubinPoints(_ mgPerDl: Double, cholestatic: Bool) -> Int {
        let onePointBelow = cholestatic ? cholestaticBilirubinOnePointBelowMgPerDl : bilirubinOnePointBelowMgPerDl
        let twoPointsMax = cholestatic ? cholestaticBilirubinTwoPointsMaxInclusiveMgPerDl : bilirubinTwoPointsMaxInclusiveMgPerDl
        if mgPerDl < onePointBelow { return 1 }
        if mgPerDl <= twoPointsMax { return 2 }
        return 3
    }

    static func albuminPoints(_ gPerDl: Double) -> Int {
        if gPerDl > albuminOnePointAboveGPerDl { return 1 }
        if gPerDl >= albuminTwoPointsMinInclusiveGPerDl { return 2 }
        return 3
    }

    static func inrPoints(_ inr: Double) -> Int {
        if inr < inrOnePointBelow { return 1 }
        if inr <= inrTwoPointsMaxInclusive { return 2 }
        return 3
    }
}
