// SPDX-License-Identifier: GPL-3.0-or-later
import Testing
@testable import PatientAssessment

@Suite("Child–Pugh")
struct ChildPughTests {
    // Normal values for the parameters not under test: bilirubin 1.0 (1), albumin 4.0 (1), INR 1.0 (1),
    // no ascites (1), no encephalopathy (1) → total 5.
    private func assess(
        bilirubin: Double = 1.0, albumin: Double = 4.0, inr: Double = 1.0,
        ascites: Ascites = .none, encephalopathy: Encephalopathy = .none, cholestatic: Bool = false
    ) throws -> ChildPughResult {
        try ChildPugh.assess(
            bilirubinMgPerDl: bilirubin, albuminGPerDl: albumin, inr: inr,
            ascites: ascites, encephalopathy: encephalopathy, cholestatic: cholestatic)
    }

    // Brief reference: bilirubin 2.5 (2–3 → 2), albumin 3.0 (2.8–3.5 → 2), INR 1.5 (< 1.7 → 1),
    // mild ascites (2), no encephalopathy (1): 2 + 2 + 1 + 2 + 1 = 8 → class B (7–9).
    @Test func referenceClassB() throws {
        let r = try ChildPugh.assess(bilirubinMgPerDl: 2.5, albuminGPerDl: 3.0, inr: 1.5, ascites: .mild, encephalopathy: .none)
        #expect(r.score == 8)
        #expect(r.childPughClass == "B")
        #expect(r.points == ["bilirubin": 2, "albumin": 2, "inr": 1, "ascites": 2, "encephalopathy": 1])
    }

    // Brief reference: bilirubin 1.0 (1), albumin 4.0 (1), INR 1.1 (1), none (1), none (1) = 5 → A.
    @Test func referenceClassA() throws {
        let r = try ChildPugh.assess(bilirubinMgPerDl: 1.0, albuminGPerDl: 4.0, inr: 1.1, ascites: .none, encephalopathy: .none)
        #expect(r.score == 5)
        #expect(r.childPughClass == "A")
        #expect(r.points == ["bilirubin": 1, "albumin": 1, "inr": 1, "ascites": 1, "encephalopathy": 1])
    }

    // Bilirubin: < 2 → 1; 2–3 (both ends) → 2; > 3 → 3.
    @Test(arguments: [
        (0.05, 1), (1.99, 1), ((2.0).nextDown, 1),
        (2.0, 2), (2.5, 2), (3.0, 2),
        ((3.0).nextUp, 3), (3.01, 3), (50.0, 3),
    ])
    func bilirubinBoundaries(bilirubin: Double, points: Int) throws {
        #expect(try assess(bilirubin: bilirubin).points["bilirubin"] == points)
    }

    // Cholestatic (PBC/PSC): < 4 → 1; 4–10 (both ends) → 2; > 10 → 3.
    @Test(arguments: [
        (2.5, 1), (3.99, 1), ((4.0).nextDown, 1),
        (4.0, 2), (7.0, 2), (10.0, 2),
        ((10.0).nextUp, 3), (10.01, 3),
    ])
    func cholestaticBilirubinBoundaries(bilirubin: Double, points: Int) throws {
        #expect(try assess(bilirubin: bilirubin, cholestatic: true).points["bilirubin"] == points)
    }

    // The cholestatic flag matters: bilirubin 3.5 is 3 points normally, 1 point in PBC/PSC.
    @Test func cholestaticFlagChangesBilirubinPoints() throws {
        #expect(try assess(bilirubin: 3.5).points["bilirubin"] == 3)
        #expect(try assess(bilirubin: 3.5, cholestatic: true).points["bilirubin"] == 1)
    }

    // Albumin: > 3.5 → 1; 2.8–3.5 (both ends) → 2; < 2.8 → 3.
    @Test(arguments: [
        (7.0, 1), (3.51, 1), ((3.5).nextUp, 1),
        (3.5, 2), (3.0, 2), (2.8, 2),
        ((2.8).nextDown, 3), (2.79, 3), (0.5, 3),
    ])
    func albuminBoundaries(albumin: Double, points: Int) throws {
        #expect(try assess(albumin: albumin).points["albumin"] == points)
    }

    // INR: < 1.7 → 1; 1.7–2.3 (both ends) → 2; > 2.3 → 3.
    @Test(arguments: [
        (0.5, 1), (1.69, 1), ((1.7).nextDown, 1),
        (1.7, 2), (2.0, 2), (2.3, 2),
        ((2.3).nextUp, 3), (2.31, 3), (15.0, 3),
    ])
    func inrBoundaries(inr: Double, points: Int) throws {
        #expect(try assess(inr: inr).points["inr"] == points)
    }

    @Test(arguments: [(Ascites.none, 1), (.mild, 2), (.moderateSevere, 3)])
    func ascitesPoints(ascites: Ascites, points: Int) throws {
        #expect(try assess(ascites: ascites).points["ascites"] == points)
    }

    @Test(arguments: [(Encephalopathy.none, 1), (.grade1to2, 2), (.grade3to4, 3)])
    func encephalopathyPoints(encephalopathy: Encephalopathy, points: Int) throws {
        #expect(try assess(encephalopathy: encephalopathy).points["encephalopathy"] == points)
    }

    // Class boundaries A/B at 6/7 and B/C at 9/10, by hand:
    //   6 = bilirubin 2.0 (2) + 1 + 1 + 1 + 1                                  → A
    //   7 = bilirubin 2.0 (2) + albumin 3.5 (2) + 1 + 1 + 1                    → B
    //   9 = bilirubin 2.0 (2) + albumin 3.0 (2) + INR 1.7 (2) + mild (2) + 1   → B
    //  10 = the same + encephalopathy grade 1–2 (2)                            → C
    //  15 = bilirubin 3.01 (3) + albumin 2.79 (3) + INR 2.31 (3) + 3 + 3       → C
    @Test func classBoundaries() throws {
        let six = try assess(bilirubin: 2.0)
        #expect(six.score == 6 && six.childPughClass == "A")
        let seven = try assess(bilirubin: 2.0, albumin: 3.5)
        #expect(seven.score == 7 && seven.childPughClass == "B")
        let nine = try assess(bilirubin: 2.0, albumin: 3.0, inr: 1.7, ascites: .mild)
        #expect(nine.score == 9 && nine.childPughClass == "B")
        let ten = try assess(bilirubin: 2.0, albumin: 3.0, inr: 1.7, ascites: .mild, encephalopathy: .grade1to2)
        #expect(ten.score == 10 && ten.childPughClass == "C")
        let fifteen = try assess(bilirubin: 3.01, albumin: 2.79, inr: 2.31, ascites: .moderateSevere, encephalopathy: .grade3to4)
        #expect(fifteen.score == 15 && fifteen.childPughClass == "C")
    }

    @Test(arguments: [(5, "A"), (6, "A"), (7, "B"), (9, "B"), (10, "C"), (15, "C")])
    func classOfScore(score: Int, expected: String) throws {
        #expect(try ChildPugh.childPughClass(score: score) == expected)
    }

    @Test(arguments: [Int.min, -1, 0, 4, 16, 100])
    func impossibleScoreRejected(score: Int) {
        #expect(inputError { try ChildPugh.childPughClass(score: score) }?.field == "score")
    }

    @Test func rawValues() {
        #expect(Ascites(rawValue: "moderate-severe") == .moderateSevere)
        #expect(Encephalopathy(rawValue: "grade1-2") == .grade1to2)
        #expect(Encephalopathy(rawValue: "grade3-4") == .grade3to4)
    }

    @Test(arguments: [Double.nan, .infinity, -.infinity, -1, 0, 0.049, 50.01, 855])
    func rejectsBadBilirubin(value: Double) {
        #expect(inputError { try assess(bilirubin: value) }?.field == "bilirubinMgPerDl")
        #expect(inputError { try assess(bilirubin: value, cholestatic: true) }?.field == "bilirubinMgPerDl")
    }

    // 35 is albumin in g/L typed into the g/dL field.
    @Test(arguments: [Double.nan, .infinity, -.infinity, -1, 0, 0.49, 7.01, 35])
    func rejectsBadAlbumin(value: Double) {
        #expect(inputError { try assess(albumin: value) }?.field == "albuminGPerDl")
    }

    @Test(arguments: [Double.nan, .infinity, -.infinity, -1, 0, 0.49, 15.01])
    func rejectsBadINR(value: Double) {
        let e = inputError { try assess(inr: value) }
        #expect(e?.field == "inr")
    }

    @Test func inrErrorMessageHasNoUnit() {
        let e = inputError { try assess(inr: 20) }
        #expect(e?.description == "inr must be a finite number in [0.5, 15]; got 20")
    }
}
