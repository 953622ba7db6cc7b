// SPDX-License-Identifier: GPL-3.0-or-later
import Foundation
import Testing
@testable import PatientAssessment

/// `reference-data/assessment-rules.json` is for people to read; the code keeps its own constants.
/// These tests keep the two in agreement.
@Suite("reference-data/assessment-rules.json agrees with the code")
struct ReferenceDataTests {
    /// Repository root: this file is <root>/Tests/PatientAssessmentTests/ReferenceDataTests.swift.
    static let rulesURL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // PatientAssessmentTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // repository root
        .appendingPathComponent("reference-data")
        .appendingPathComponent("assessment-rules.json")

    let root: [String: Any]

    init() throws {
        let data = try Data(contentsOf: Self.rulesURL)
        root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    private func object(_ path: String...) throws -> [String: Any] {
        var o = root
        for key in path { o = try #require(o[key] as? [String: Any], "missing object \(path)") }
        return o
    }

    private func number(_ o: [String: Any], _ key: String) throws -> Double {
        try #require((o[key] as? NSNumber)?.doubleValue, "missing number \(key)")
    }

    private func string(_ o: [String: Any], _ key: String) throws -> String {
        try #require(o[key] as? String, "missing string \(key)")
    }

    @Test func unitConversions() throws {
        let u = try object("unitConversions")
        #expect(try number(try object("unitConversions", "bilirubinUmolPerLPerMgPerDl"), "value") == LabUnits.bilirubinUmolPerLPerMgPerDl)
        #expect(try number(try object("unitConversions", "albuminGPerLPerGPerDl"), "value") == LabUnits.albuminGPerLPerGPerDl)
        #expect(try number(u, "roundingDecimalPlaces") == 9)
        #expect(LabUnits.roundedToNanoUnits(1.0000000004) == 1.0)
        #expect(LabUnits.roundedToNanoUnits(1.000000001) == 1.000000001)
    }

    @Test func inputRanges() throws {
        let ranges: [(String, AssessmentRange)] = [
            ("heightCm", AssessmentRanges.heightCm),
            ("weightKg", AssessmentRanges.weightKg),
            ("bilirubinMgPerDl", AssessmentRanges.bilirubinMgPerDl),
            ("bilirubinUmolPerL", AssessmentRanges.bilirubinUmolPerL),
            ("albuminGPerDl", AssessmentRanges.albuminGPerDl),
            ("albuminGPerL", AssessmentRanges.albuminGPerL),
            ("inr", AssessmentRanges.inr),
            ("bsaM2", AssessmentRanges.bsaM2),
            ("doxorubicinDoseMg", AssessmentRanges.doxorubicinDoseMg),
        ]
        for (key, range) in ranges {
            let o = try object("inputRanges", key)
            #expect(try number(o, "min") == range.lower, "\(key).min")
            #expect(try number(o, "max") == range.upper, "\(key).max")
            #expect((o["lowerInclusive"] as? Bool) == range.includesLower, "\(key).lowerInclusive")
        }
        // The SI upper ends are the conventional ones converted (× 17.1, × 10). The SI floors are raised on
        // purpose (3 µmol/L, 10 g/L) so that a value typed in the other unit is refused, not read.
        #expect(AssessmentRanges.bilirubinUmolPerL.lower == 3)
        #expect(AssessmentRanges.albuminGPerL.lower == 10)
        #expect(try LabUnits.bilirubinUmolPerL(fromMgPerDl: AssessmentRanges.bilirubinMgPerDl.upper) == AssessmentRanges.bilirubinUmolPerL.upper)
        #expect(try LabUnits.albuminGPerL(fromGPerDl: AssessmentRanges.albuminGPerDl.upper) == AssessmentRanges.albuminGPerL.upper)
    }

    @Test func bodySurfaceArea() throws {
        let d = try object("bodySurfaceArea", "duBois")
        #expect(try number(d, "coefficient") == BodySurfaceArea.duBoisCoefficient)
        #expect(try number(d, "weightExponent") == BodySurfaceArea.duBoisWeightExponent)
        #expect(try number(d, "heightExponent") == BodySurfaceArea.duBoisHeightExponent)
        let m = try object("bodySurfaceArea", "mosteller")
        #expect(try number(m, "divisor") == BodySurfaceArea.mostellerDivisor)
        for (o, formula) in [(d, BSAFormula.duBois), (m, BSAFormula.mosteller)] {
            let check = try #require(o["check"] as? [String: Any])
            let bsa = try BodySurfaceArea.m2(
                heightCm: try number(check, "heightCm"), weightKg: try number(check, "weightKg"), formula: formula)
            #expect(isClose(bsa, try number(check, "bsaM2"), tolerance: 0.001))
        }
    }

    @Test func albi() throws {
        let a = try object("albi")
        #expect(try number(a, "log10BilirubinUmolPerLCoefficient") == ALBI.log10BilirubinUmolPerLCoefficient)
        #expect(try number(a, "albuminGPerLCoefficient") == ALBI.albuminGPerLCoefficient)
        let g = try object("albi", "grades")
        #expect(try number(g, "grade1MaxInclusive") == ALBI.grade1MaxInclusive)
        #expect(try number(g, "grade2MaxInclusive") == ALBI.grade2MaxInclusive)
        #expect(try string(a, "source") == ALBI.source)
        let m = try object("albi", "mALBI")
        #expect(try number(m, "grade2aMaxInclusive") == ALBI.mALBIGrade2aMaxInclusive)
        #expect(try string(m, "source") == ALBI.mALBISource)
        #expect(ALBI.mALBISource.contains("[R] recalled, unverified"))
    }

    @Test func childPugh() throws {
        let c = try object("childPugh")
        #expect(try string(c, "source") == ChildPugh.source)
        let b = try object("childPugh", "bilirubinMgPerDl")
        #expect(try number(b, "onePointBelow") == ChildPugh.bilirubinOnePointBelowMgPerDl)
        #expect(try number(b, "twoPointsMaxInclusive") == ChildPugh.bilirubinTwoPointsMaxInclusiveMgPerDl)
        let bc = try object("childPugh", "bilirubinMgPerDlCholestatic")
        #expect(try number(bc, "onePointBelow") == ChildPugh.cholestaticBilirubinOnePointBelowMgPerDl)
        #expect(try number(bc, "twoPointsMaxInclusive") == ChildPugh.cholestaticBilirubinTwoPointsMaxInclusiveMgPerDl)
        let al = try object("childPugh", "albuminGPerDl")
        #expect(try number(al, "onePointAbove") == ChildPugh.albuminOnePointAboveGPerDl)
        #expect(try number(al, "twoPointsMinInclusive") == ChildPugh.albuminTwoPointsMinInclusiveGPerDl)
        let i = try object("childPugh", "inr")
        #expect(try number(i, "onePointBelow") == ChildPugh.inrOnePointBelow)
        #expect(try number(i, "twoPointsMaxInclusive") == ChildPugh.inrTwoPointsMaxInclusive)

        let ascites = try object("childPugh", "ascites")
        #expect(ascites.count == Ascites.allCases.count)
        for a in Ascites.allCases { #expect(try number(ascites, a.rawValue) == Double(a.childPughPoints)) }
        let enc = try object("childPugh", "encephalopathy")
        #expect(enc.count == Encephalopathy.allCases.count)
        for e in Encephalopathy.allCases { #expect(try number(enc, e.rawValue) == Double(e.childPughPoints)) }

        let classes = try object("childPugh", "classes")
        for (name, bounds) in classes {
            let pair = try #require(bounds as? [NSNumber]).map(\.intValue)
            #expect(pair.count == 2)
            for s in pair[0]...pair[1] { #expect(try ChildPugh.childPughClass(score: s) == name) }
        }
    }

    @Test func doxorubicin() throws {
        let mm = try object("doxorubicin", "molarMassGPerMol")
        #expect(try number(mm, "freeBase") == Doxorubicin.molarMassGPerMol)
        #expect(try number(mm, "hydrochloride") == Doxorubicin.hydrochlorideMolarMassGPerMol)
    }
}
