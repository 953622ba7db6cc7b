// SPDX-License-Identifier: GPL-3.0-or-later
import Testing
@testable import PatientAssessment

@Suite("Lab units")
struct LabUnitsTests {
    // mg/dL × 17.1 = µmol/L: 1.2 → 20.52; 2 → 34.2; 3 → 51.3; 5 → 85.5; 0.2 → 3.42; 50 → 855. (The µmol/L floor is 3, above 0.05 mg/dL × 17.1, to catch mg/dL typed as µmol/L.)
    // Exact equality: converted values on cut-offs and range ends must be the decimal literal itself.
    @Test(arguments: [(1.2, 20.52), (2.0, 34.2), (3.0, 51.3), (5.0, 85.5), (0.2, 3.42), (50.0, 855.0), (1.0, 17.1)])
    func bilirubinBothWays(mgPerDl: Double, umolPerL: Double) throws {
        #expect(try LabUnits.bilirubinUmolPerL(fromMgPerDl: mgPerDl) == umolPerL)
        #expect(try LabUnits.bilirubinMgPerDl(fromUmolPerL: umolPerL) == mgPerDl)
    }

    // g/dL × 10 = g/L: 3.5 → 35; 2.8 → 28; 1 → 10; 7 → 70. (The g/L floor is 10 g/L, to catch g/dL typed as g/L.)
    @Test(arguments: [(3.5, 35.0), (2.8, 28.0), (1.0, 10.0), (7.0, 70.0), (4.1, 41.0)])
    func albuminBothWays(gPerDl: Double, gPerL: Double) throws {
        #expect(try LabUnits.albuminGPerL(fromGPerDl: gPerDl) == gPerL)
        #expect(try LabUnits.albuminGPerDl(fromGPerL: gPerL) == gPerDl)
    }

    @Test func factors() {
        #expect(LabUnits.bilirubinUmolPerLPerMgPerDl == 17.1)
        #expect(LabUnits.albuminGPerLPerGPerDl == 10)
    }

    @Test(arguments: [Double.nan, .infinity, -.infinity, -1, 0])
    func rejectsBadInput(value: Double) {
        #expect(inputError { try LabUnits.bilirubinUmolPerL(fromMgPerDl: value) }?.field == "bilirubinMgPerDl")
        #expect(inputError { try LabUnits.bilirubinMgPerDl(fromUmolPerL: value) }?.field == "bilirubinUmolPerL")
        #expect(inputError { try LabUnits.albuminGPerL(fromGPerDl: value) }?.field == "albuminGPerDl")
        #expect(inputError { try LabUnits.albuminGPerDl(fromGPerL: value) }?.field == "albuminGPerL")
    }
}
