// SPDX-License-Identifier: GPL-3.0-or-later
import Testing
@testable import PatientAssessment

@Suite("Doxorubicin")
struct DoxorubicinTests {
    // bilirubin < 1.2 → 100 %; 1.2 ≤ b ≤ 3.0 → 50 %; 3.0 < b ≤ 5.0 → 25 %; b > 5.0 → 0 %, contraindicated.
    @Test(arguments: [
        (0.05, 100.0, false), (1.0, 100.0, false), (1.19, 100.0, false), ((1.2).nextDown, 100.0, false),
        (1.2, 50.0, false), (2.0, 50.0, false), (3.0, 50.0, false),
        ((3.0).nextUp, 25.0, false), (3.05, 25.0, false), (3.1, 25.0, false), (5.0, 25.0, false),
        ((5.0).nextUp, 0.0, true), (5.1, 0.0, true), (50.0, 0.0, true),
    ])
    func bilirubinBands(bilirubin: Double, percent: Double, contraindicated: Bool) throws {
        let r = try Doxorubicin.bilirubinRule(bilirubinMgPerDl: bilirubin)
        #expect(r.dosePercent == percent)
        #expect(r.contraindicated == contraindicated)
        #expect(!r.source.isEmpty)
    }

    @Test func bandTexts() throws {
        #expect(try Doxorubicin.bilirubinRule(bilirubinMgPerDl: 1.0).band == "bilirubin < 1.2 mg/dL: 100 %")
        #expect(try Doxorubicin.bilirubinRule(bilirubinMgPerDl: 1.2).band == "1.2 ≤ bilirubin ≤ 3.0 mg/dL: 50 %")
        #expect(try Doxorubicin.bilirubinRule(bilirubinMgPerDl: 4.0).band == "3.0 < bilirubin ≤ 5.0 mg/dL: 25 %")
        #expect(try Doxorubicin.bilirubinRule(bilirubinMgPerDl: 6.0).band == "bilirubin > 5.0 mg/dL: contraindicated (0 %)")
    }

    // A bilirubin reported in µmol/L exactly at a cut-off must land in the same band after conversion:
    // 20.52 µmol/L = 1.2 mg/dL (50 %), 51.3 = 3.0 (50 %), 85.5 = 5.0 (25 %).
    @Test(arguments: [(20.52, 50.0), (51.3, 50.0), (85.5, 25.0)])
    func siValuesOnCutOffs(umolPerL: Double, percent: Double) throws {
        let mg = try LabUnits.bilirubinMgPerDl(fromUmolPerL: umolPerL)
        #expect(try Doxorubicin.bilirubinRule(bilirubinMgPerDl: mg).dosePercent == percent)
    }

    @Test func lifetimeLimits() {
        #expect(Doxorubicin.lifetimeLimitMgPerM2(priorChestIrradiation: false) == 550)
        #expect(Doxorubicin.lifetimeLimitMgPerM2(priorChestIrradiation: true) == 450)
    }

    // (50 + 50 + 75) mg / 1.75 m² = 175 / 1.75 = 100 mg/m².
    // 150 mg / 2.0 m² = 75 mg/m².
    @Test func cumulative() throws {
        #expect(isClose(try Doxorubicin.cumulativeMgPerM2(priorDosesMg: [50, 50, 75], bsaM2: 1.75), 100, tolerance: 1e-12))
        #expect(try Doxorubicin.cumulativeMgPerM2(priorDosesMg: [150], bsaM2: 2.0) == 75)
        #expect(try Doxorubicin.cumulativeMgPerM2(priorDosesMg: [], bsaM2: 1.8) == 0)
    }

    @Test(arguments: [Double.nan, .infinity, -.infinity, -50, 0, 500.01, 50_000])
    func rejectsBadDose(dose: Double) {
        let e = inputError { try Doxorubicin.cumulativeMgPerM2(priorDosesMg: [50, dose, 75], bsaM2: 1.8) }
        #expect(e?.field == "priorDosesMg[1]")
    }

    @Test func doseErrorMessage() {
        let e = inputError { try Doxorubicin.cumulativeMgPerM2(priorDosesMg: [0], bsaM2: 1.8) }
        #expect(e?.description == "priorDosesMg[0] must be a finite number in (0, 500] mg; got 0")
    }

    @Test func doseUpperEndAccepted() throws {
        #expect(try Doxorubicin.cumulativeMgPerM2(priorDosesMg: [500], bsaM2: 2.0) == 250)
    }

    @Test(arguments: [Double.nan, .infinity, -.infinity, -1.8, 0, 0.29, 5.51, 180])
    func rejectsBadBSA(bsa: Double) {
        let e = inputError { try Doxorubicin.cumulativeMgPerM2(priorDosesMg: [50], bsaM2: bsa) }
        #expect(e?.field == "bsaM2")
    }

    @Test(arguments: [Double.nan, .infinity, -.infinity, -1, 0, 0.049, 50.01])
    func rejectsBadBilirubin(value: Double) {
        #expect(inputError { try Doxorubicin.bilirubinRule(bilirubinMgPerDl: value) }?.field == "bilirubinMgPerDl")
    }

    // C27H29NO11: 27 × 12.011 + 29 × 1.008 + 14.007 + 11 × 15.999 = 324.297 + 29.232 + 14.007 + 175.989 = 543.525.
    // Hydrochloride adds HCl 1.008 + 35.45 = 36.458 → 579.983.
    @Test func molarMasses() {
        #expect(isClose(Doxorubicin.molarMassGPerMol, 543.525, tolerance: 0.01))
        #expect(isClose(Doxorubicin.hydrochlorideMolarMassGPerMol, 579.983, tolerance: 0.01))
    }
}
