// SPDX-License-Identifier: GPL-3.0-or-later
import Testing
@testable import PatientAssessment

@Suite("Body surface area")
struct BodySurfaceAreaTests {
    // Hand computation, 175 cm / 80 kg:
    //   DuBois: ln 80 = 4.382027 × 0.425 = 1.862361; ln 175 = 5.164786 × 0.725 = 3.744470;
    //           e^(1.862361 + 3.744470) = e^5.606831 = 272.28; × 0.007184 = 1.9561 m².
    //   Mosteller: √(175 × 80 / 3600) = √3.888889 = 1.97203 m².
    // Both agree with the reference values in the brief (1.9561, 1.972).
    @Test func reference175cm80kg() throws {
        #expect(isClose(try BodySurfaceArea.duBoisM2(heightCm: 175, weightKg: 80), 1.9561, tolerance: 0.001))
        #expect(isClose(try BodySurfaceArea.mostellerM2(heightCm: 175, weightKg: 80), 1.9720, tolerance: 0.001))
        #expect(isClose(try BodySurfaceArea.m2(heightCm: 175, weightKg: 80, formula: .duBois), 1.9561, tolerance: 0.001))
        #expect(isClose(try BodySurfaceArea.m2(heightCm: 175, weightKg: 80, formula: .mosteller), 1.9720, tolerance: 0.001))
    }

    // Mosteller with an exact square root: 144 cm × 100 kg / 3600 = 4 → √4 = 2 m² exactly;
    // 160 cm × 90 kg / 3600 = 4 → 2 m²; 120 cm × 30 kg / 3600 = 1 → 1 m².
    @Test(arguments: [(144.0, 100.0, 2.0), (160.0, 90.0, 2.0), (120.0, 30.0, 1.0)])
    func mostellerExactSquares(heightCm: Double, weightKg: Double, expected: Double) throws {
        #expect(isClose(try BodySurfaceArea.mostellerM2(heightCm: heightCm, weightKg: weightKg), expected, tolerance: 1e-12))
    }

    // 170 cm / 70 kg, DuBois: ln 70 = 4.248495 × 0.425 = 1.805611; ln 170 = 5.135798 × 0.725 = 3.723454;
    // e^5.529065 = 251.91; × 0.007184 = 1.8097 m² (the commonly quoted 1.81 m² "standard adult").
    @Test func duBoisStandardAdult() throws {
        #expect(isClose(try BodySurfaceArea.duBoisM2(heightCm: 170, weightKg: 70), 1.8097, tolerance: 0.0005))
    }

    // Sirtex writes DuBois as 0.20247 · H(m)^0.725 · W^0.425; 0.007184 · 100^0.725 = 0.007184 · 28.1838 = 0.20247.
    @Test func sirtexFormOfDuBoisIsTheSame() throws {
        let sirtex = 0.20247 * pow(1.75, 0.725) * pow(80, 0.425)
        #expect(isClose(try BodySurfaceArea.duBoisM2(heightCm: 175, weightKg: 80), sirtex, tolerance: 1e-4))
    }

    @Test func formulaRawValues() {
        #expect(BSAFormula(rawValue: "dubois") == .duBois)
        #expect(BSAFormula(rawValue: "mosteller") == .mosteller)
        #expect(BSAFormula.allCases.count == 2)
    }

    // Range ends are accepted.
    @Test(arguments: [(50.0, 10.0), (250.0, 400.0), (50.0, 400.0), (250.0, 10.0)])
    func rangeEndsAccepted(heightCm: Double, weightKg: Double) throws {
        for f in BSAFormula.allCases {
            let bsa = try BodySurfaceArea.m2(heightCm: heightCm, weightKg: weightKg, formula: f)
            // The BSA plausibility range must admit every BSA computed from valid inputs,
            // so that cumulativeMgPerM2 never rejects our own output.
            #expect(AssessmentRanges.bsaM2.contains(bsa))
        }
    }

    @Test(arguments: [Double.nan, .infinity, -.infinity, -170, 0, 49.99, 250.01, 400])
    func rejectsBadHeight(heightCm: Double) {
        for f in BSAFormula.allCases {
            let e = inputError { try BodySurfaceArea.m2(heightCm: heightCm, weightKg: 70, formula: f) }
            #expect(e?.field == "heightCm")
        }
    }

    @Test(arguments: [Double.nan, .infinity, -.infinity, -70, 0, 9.99, 400.01, 70_000])
    func rejectsBadWeight(weightKg: Double) {
        for f in BSAFormula.allCases {
            let e = inputError { try BodySurfaceArea.m2(heightCm: 170, weightKg: weightKg, formula: f) }
            #expect(e?.field == "weightKg")
        }
    }

    // Common unit errors: height in metres, weight in grams or pounds-as-stones.
    @Test func rejectsHeightInMetres() {
        let e = inputError { try BodySurfaceArea.duBoisM2(heightCm: 1.75, weightKg: 80) }
        #expect(e?.description == "heightCm must be a finite number in [50, 250] cm; got 1.75")
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
