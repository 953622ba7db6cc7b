// SPDX-License-Identifier: GPL-3.0-or-later
import Testing
@testable import PatientAssessment

@Suite("Doxorubicin")
struct DoxorubicinTests {
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

    @Test func molarMasses() {
        #expect(isClose(Doxorubicin.molarMassGPerMol, 543.525, tolerance: 0.01))
        #expect(isClose(Doxorubicin.hydrochlorideMolarMassGPerMol, 579.983, tolerance: 0.01))
    }
}
