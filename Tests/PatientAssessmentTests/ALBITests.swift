// SPDX-License-Identifier: GPL-3.0-or-later
import Testing
@testable import PatientAssessment

@Suite("ALBI")
struct ALBITests {
    // Brief reference: albumin 3.5 g/dL, bilirubin 1.2 mg/dL.
    //   bilirubin 1.2 × 17.1 = 20.52 µmol/L; albumin 3.5 × 10 = 35 g/L
    //   log10(20.52) = 1.312177
    //   ALBI = 0.66 × 1.312177 − 0.085 × 35 = 0.866037 − 2.975 = −2.108963 → grade 2 (−2.60 < s ≤ −1.39),
    //   mALBI 2b (s > −2.27). (One public calculator shows −2.35 for these inputs; that is wrong.)
    @Test func referenceConventionalUnits() throws {
        let r = try ALBI.assess(bilirubinMgPerDl: 1.2, albuminGPerDl: 3.5)
        #expect(isClose(r.score, -2.108963, tolerance: 1e-5))
        #expect(r.grade == 2)
        #expect(r.mALBIGrade == "2b")
    }

    // Bilirubin 8 µmol/L, albumin 45 g/L: log10 8 = 0.903090; 0.66 × 0.903090 = 0.596039;
    // 0.085 × 45 = 3.825; ALBI = 0.596039 − 3.825 = −3.228961 → grade 1.
    @Test func referenceGrade1() throws {
        let r = try ALBI.assess(bilirubinUmolPerL: 8, albuminGPerL: 45)
        #expect(isClose(r.score, -3.228961, tolerance: 1e-5))
        #expect(r.grade == 1)
        #expect(r.mALBIGrade == "1")
    }

    // Bilirubin 34 µmol/L, albumin 28 g/L: log10 34 = 1.531479; 0.66 × 1.531479 = 1.010776;
    // 0.085 × 28 = 2.38; ALBI = 1.010776 − 2.38 = −1.369224 → grade 3 (> −1.39).
    @Test func referenceGrade3() throws {
        let r = try ALBI.assess(bilirubinUmolPerL: 34, albuminGPerL: 28)
        #expect(isClose(r.score, -1.369224, tolerance: 1e-5))
        #expect(r.grade == 3)
        #expect(r.mALBIGrade == "3")
    }

    // Exact powers of ten, no logarithm tables needed:
    //   10 µmol/L, 40 g/L: 0.66 × 1 − 0.085 × 40 = 0.66 − 3.40 = −2.74 → grade 1.
    //   100 µmol/L, 20 g/L: 0.66 × 2 − 0.085 × 20 = 1.32 − 1.70 = −0.38 → grade 3.
    @Test func exactPowersOfTen() throws {
        #expect(isClose(try ALBI.score(bilirubinUmolPerL: 10, albuminGPerL: 40), -2.74, tolerance: 1e-12))
        #expect(isClose(try ALBI.score(bilirubinUmolPerL: 100, albuminGPerL: 20), -0.38, tolerance: 1e-12))
    }

    // Scores just either side of each cut-off, from lab values (hand computation):
    //   albumin 40 g/L (−3.40): bilirubin 16.2 → log10 = 1.209515, ×0.66 = 0.798280 → −2.601720 (grade 1)
    //                           bilirubin 16.4 → log10 = 1.214844, ×0.66 = 0.801797 → −2.598203 (2a)
    //   albumin 36 g/L (−3.06): bilirubin 15.5 → log10 = 1.190332, ×0.66 = 0.785619 → −2.274381 (2a)
    //                           bilirubin 16.0 → log10 = 1.204120, ×0.66 = 0.794719 → −2.265281 (2b)
    //   albumin 30 g/L (−2.55): bilirubin 57 → log10 = 1.755875, ×0.66 = 1.158877 → −1.391123 (2b)
    //                           bilirubin 58 → log10 = 1.763428, ×0.66 = 1.163862 → −1.386138 (3)
    @Test(arguments: [
        (16.2, 40.0, -2.601720, "1", 1),
        (16.4, 40.0, -2.598203, "2a", 2),
        (15.5, 36.0, -2.274381, "2a", 2),
        (16.0, 36.0, -2.265281, "2b", 2),
        (57.0, 30.0, -1.391123, "2b", 2),
        (58.0, 30.0, -1.386138, "3", 3),
    ])
    func labValuesNearCutOffs(bilirubinUmolPerL: Double, albuminGPerL: Double, score: Double, mALBI: String, grade: Int) throws {
        let r = try ALBI.assess(bilirubinUmolPerL: bilirubinUmolPerL, albuminGPerL: albuminGPerL)
        #expect(isClose(r.score, score, tolerance: 2e-6))
        #expect(r.mALBIGrade == mALBI)
        #expect(r.grade == grade)
    }

    // Each cut-off belongs to the better grade: ≤ −2.60 → 1, ≤ −2.27 → 2a, ≤ −1.39 → 2b.
    @Test(arguments: [
        (-2.60, ALBIGrade.grade1),
        ((-2.60).nextUp, ALBIGrade.grade2a),
        (-2.27, ALBIGrade.grade2a),
        ((-2.27).nextUp, ALBIGrade.grade2b),
        (-1.39, ALBIGrade.grade2b),
        ((-1.39).nextUp, ALBIGrade.grade3),
        (-6.0, ALBIGrade.grade1),
        (2.0, ALBIGrade.grade3),
    ])
    func gradeBoundaries(score: Double, expected: ALBIGrade) throws {
        #expect(try ALBI.grade(score: score) == expected)
    }

    @Test func albiGradeOfMALBIGrades() {
        #expect(ALBIGrade.grade1.albiGrade == 1)
        #expect(ALBIGrade.grade2a.albiGrade == 2)
        #expect(ALBIGrade.grade2b.albiGrade == 2)
        #expect(ALBIGrade.grade3.albiGrade == 3)
        #expect(ALBIGrade(rawValue: "2a") == .grade2a)
    }

    // The two entry points agree: 1.2 mg/dL = 20.52 µmol/L, 3.5 g/dL = 35 g/L.
    @Test func unitsAgree() throws {
        let a = try ALBI.assess(bilirubinMgPerDl: 1.2, albuminGPerDl: 3.5)
        let b = try ALBI.assess(bilirubinUmolPerL: 20.52, albuminGPerL: 35)
        #expect(a == b)
    }

    // Units swapped by mistake must be rejected, not graded.
    @Test func rejectsSwappedUnits() {
        // Albumin 35 entered in the g/dL slot (it is g/L).
        #expect(inputError { try ALBI.assess(bilirubinMgPerDl: 1.2, albuminGPerDl: 35) }?.field == "albuminGPerDl")
        // Albumin 3.5 entered in the g/L slot (it is g/dL).
        #expect(inputError { try ALBI.assess(bilirubinUmolPerL: 20.52, albuminGPerL: 3.5) }?.field == "albuminGPerL")
        // Bilirubin 0.5 "µmol/L" is below the plausible range (it is mg/dL).
        #expect(inputError { try ALBI.score(bilirubinUmolPerL: 0.5, albuminGPerL: 35) }?.field == "bilirubinUmolPerL")
    }

    @Test(arguments: [Double.nan, .infinity, -.infinity, -1, 0, 0.854, 855.01])
    func rejectsBadBilirubinUmol(value: Double) {
        #expect(inputError { try ALBI.score(bilirubinUmolPerL: value, albuminGPerL: 35) }?.field == "bilirubinUmolPerL")
        #expect(inputError { try ALBI.assess(bilirubinUmolPerL: value, albuminGPerL: 35) }?.field == "bilirubinUmolPerL")
    }

    @Test(arguments: [Double.nan, .infinity, -.infinity, -1, 0, 4.99, 70.01])
    func rejectsBadAlbuminGPerL(value: Double) {
        #expect(inputError { try ALBI.score(bilirubinUmolPerL: 20, albuminGPerL: value) }?.field == "albuminGPerL")
    }

    @Test(arguments: [Double.nan, .infinity, -.infinity, -1, 0, 0.049, 50.01])
    func rejectsBadBilirubinMg(value: Double) {
        #expect(inputError { try ALBI.assess(bilirubinMgPerDl: value, albuminGPerDl: 3.5) }?.field == "bilirubinMgPerDl")
    }

    @Test(arguments: [Double.nan, .infinity, -.infinity, -1, 0, 0.49, 7.01])
    func rejectsBadAlbuminGPerDl(value: Double) {
        #expect(inputError { try ALBI.assess(bilirubinMgPerDl: 1, albuminGPerDl: value) }?.field == "albuminGPerDl")
    }

    @Test(arguments: [Double.nan, .infinity, -.infinity])
    func gradeRejectsNonFiniteScore(score: Double) {
        #expect(inputError { try ALBI.grade(score: score) }?.field == "score")
    }

    // Range ends in both unit systems are accepted (50 mg/dL × 17.1 = 855 must not become 855.0000000000001).
    @Test func rangeEndsAccepted() throws {
        _ = try ALBI.assess(bilirubinMgPerDl: 0.05, albuminGPerDl: 0.5)
        _ = try ALBI.assess(bilirubinMgPerDl: 50, albuminGPerDl: 7)
        _ = try ALBI.assess(bilirubinUmolPerL: 3, albuminGPerL: 10)
        _ = try ALBI.assess(bilirubinUmolPerL: 855, albuminGPerL: 70)
    }
}
