// SPDX-License-Identifier: GPL-3.0-or-later
import Testing
@testable import PatientAssessment

@Suite("Input errors")
struct AssessmentInputErrorTests {
    @Test func exampleFromProjectRules() {
        let e = inputError { try BodySurfaceArea.duBoisM2(heightCm: 400, weightKg: 80) }
        #expect(e == AssessmentInputError(field: "heightCm", message: "must be a finite number in [50, 250] cm; got 400"))
        #expect(e?.description == "heightCm must be a finite number in [50, 250] cm; got 400")
    }

    @Test func nonFiniteIsNamed() {
        #expect(inputError { try BodySurfaceArea.mostellerM2(heightCm: .nan, weightKg: 80) }?.description
            == "heightCm must be a finite number in [50, 250] cm; got nan")
        #expect(inputError { try BodySurfaceArea.mostellerM2(heightCm: 170, weightKg: -.infinity) }?.description
            == "weightKg must be a finite number in [10, 400] kg; got -inf")
    }

    // A value just past a limit must not print as the limit itself.
    @Test func rejectedValueIsPrintedExactly() {
        let e = inputError { try BodySurfaceArea.duBoisM2(heightCm: (250.0).nextUp, weightKg: 80) }
        #expect(e?.description == "heightCm must be a finite number in [50, 250] cm; got 250.00000000000003")
    }

    @Test func descriptionIsOneLine() {
        let e = AssessmentInputError(field: "x\ny", message: "bad\r\nvalue")
        #expect(!e.description.contains("\n"))
        #expect(!e.description.contains("\r"))
    }

    // Every numeric input of every public function rejects every non-finite value.
    @Test func everyFunctionRejectsNonFinite() {
        for v in nonFiniteValues {
            #expect(inputError { try BodySurfaceArea.duBoisM2(heightCm: v, weightKg: 70) } != nil)
            #expect(inputError { try BodySurfaceArea.duBoisM2(heightCm: 170, weightKg: v) } != nil)
            #expect(inputError { try BodySurfaceArea.mostellerM2(heightCm: v, weightKg: 70) } != nil)
            #expect(inputError { try BodySurfaceArea.mostellerM2(heightCm: 170, weightKg: v) } != nil)
            #expect(inputError { try ALBI.score(bilirubinUmolPerL: v, albuminGPerL: 35) } != nil)
            #expect(inputError { try ALBI.score(bilirubinUmolPerL: 20, albuminGPerL: v) } != nil)
            #expect(inputError { try ALBI.assess(bilirubinMgPerDl: v, albuminGPerDl: 3.5) } != nil)
            #expect(inputError { try ALBI.assess(bilirubinMgPerDl: 1, albuminGPerDl: v) } != nil)
            #expect(inputError { try ALBI.grade(score: v) } != nil)
            #expect(inputError { try ChildPugh.assess(bilirubinMgPerDl: v, albuminGPerDl: 4, inr: 1, ascites: .none, encephalopathy: .none) } != nil)
            #expect(inputError { try ChildPugh.assess(bilirubinMgPerDl: 1, albuminGPerDl: v, inr: 1, ascites: .none, encephalopathy: .none) } != nil)
            #expect(inputError { try ChildPugh.assess(bilirubinMgPerDl: 1, albuminGPerDl: 4, inr: v, ascites: .none, encephalopathy: .none) } != nil)
            #expect(inputError { try Doxorubicin.cumulativeMgPerM2(priorDosesMg: [v], bsaM2: 1.8) } != nil)
            #expect(inputError { try Doxorubicin.cumulativeMgPerM2(priorDosesMg: [50], bsaM2: v) } != nil)
        }
    }
}
