// SPDX-License-Identifier: GPL-3.0-or-later
import Foundation
import Testing
@testable import Radioembolization

// Library-level tests of the dose formulas. Every expected value is computed by hand in the
// comment beside it from the published formulas (MIRD single compartment, TheraSphere package
// insert; partition model, Ho et al., Eur J Nucl Med 1996;23:947; SIR-Spheres BSA method; planar
// lung shunt fraction; voxel local energy deposition), or is a published value.

private func close(_ a: Double, _ b: Double, abs tol: Double) -> Bool { Swift.abs(a - b) <= tol }

@Suite("Dosimetry formulas")
struct DosimetryTests {
    @Test("MIRD-01: A = 120 × 1.03 / (50 × 0.95) = 2.6021 GBq; and back to 120 Gy")
    func mird01() {
        let a = Dosimetry.singleCompartmentActivityGBq(doseGy: 120, lungShuntFraction: 0.05, massKg: 1.03, doseFactor: 50)
        #expect(close(a, 123.6 / 47.5, abs: 1e-12))
        #expect(close(a, 2.6021, abs: 0.0001))
        #expect(close(Dosimetry.singleCompartmentDoseGy(activityGBq: a, lungShuntFraction: 0.05, massKg: 1.03, doseFactor: 50), 120, abs: 1e-10))
        // The lung dose: 50 × 2.6021 × 0.05 / 1 = 6.505 Gy
        #expect(close(Dosimetry.lungDoseGy(activityGBq: a, lungShuntFraction: 0.05, lungMassKg: 1, doseFactor: 50), 6.505, abs: 0.001))
    }

    @Test("the lung shunt divides the activity, it does not multiply it (the known calculator bug)")
    func divideNotMultiply() {
        // 100 Gy to 1 kg with LSF 20 %, K 50: A = 100 / (50 × 0.8) = 2.5 GBq (the bug gives 100 × 0.8 / 50 = 1.6).
        let a = Dosimetry.singleCompartmentActivityGBq(doseGy: 100, lungShuntFraction: 0.2, massKg: 1, doseFactor: 50)
        #expect(close(a, 2.5, abs: 1e-12))
    }

    @Test("MIRD-02 forward dose and MIRD-03 with the residual")
    func mird02and03() {
        // 50 × 3 × 0.92 / 1.2 = 115 Gy
        #expect(close(Dosimetry.singleCompartmentDoseGy(activityGBq: 3, lungShuntFraction: 0.08, massKg: 1.2, doseFactor: 50), 115, abs: 1e-10))
        // MIRD-03: 3.5 GBq × (1 − 0.01) = 3.465 GBq; 50 × 3.465 × 0.95 / 1.2 = 137.156 Gy; lung 50 × 3.465 × 0.05 = 8.6625 Gy
        #expect(close(Dosimetry.singleCompartmentDoseGy(activityGBq: 3.465, lungShuntFraction: 0.05, massKg: 1.2, doseFactor: 50), 137.156, abs: 0.001))
        #expect(close(Dosimetry.lungDoseGy(activityGBq: 3.465, lungShuntFraction: 0.05, lungMassKg: 1, doseFactor: 50), 8.6625, abs: 1e-10))
    }

    @Test("PART-01: Sirtex form A = 40 × (3 × 0.2 + 1.3) / (49.67 × 0.9) = 1.7001 GBq; D_T 120 Gy")
    func part01() {
        let comps = [Compartment(name: "tumor", massKg: 0.2, relativeConcentration: 3),
                     Compartment(name: "normalLiver", massKg: 1.3, relativeConcentration: 1)]
        let a = Dosimetry.partitionActivityGBq(doseGy: 40, compartment: 1, lungShuntFraction: 0.1, compartments: comps, doseFactor: 49.67)
        #expect(close(a, 76 / 44.703, abs: 1e-12))
        #expect(close(a, 1.7001, abs: 0.0001))
        let d = Dosimetry.partitionDosesGy(activityGBq: a, lungShuntFraction: 0.1, compartments: comps, doseFactor: 49.67)
        #expect(close(d[0], 120, abs: 1e-10))
        #expect(close(d[1], 40, abs: 1e-10))
        // lung: 49.67 × 1.7001 × 0.1 = 8.444 Gy
        #expect(close(Dosimetry.lungDoseGy(activityGBq: a, lungShuntFraction: 0.1, lungMassKg: 1, doseFactor: 49.67), 8.444, abs: 0.001))
    }

    @Test("PART-02: from a tumour target of 205 Gy, T/N 4 → 1.5811 GBq, D_NL 51.25 Gy")
    func part02() {
        let comps = [Compartment(name: "tumor", massKg: 0.15, relativeConcentration: 4),
                     Compartment(name: "normalLiver", massKg: 0.85, relativeConcentration: 1)]
        // A = 205 × (0.15 + 0.85/4) / (50 × 0.94) = 74.3125 / 47 = 1.581117 GBq
        let a = Dosimetry.partitionActivityGBq(doseGy: 205, compartment: 0, lungShuntFraction: 0.06, compartments: comps, doseFactor: 50)
        #expect(close(a, 74.3125 / 47, abs: 1e-12))
        let d = Dosimetry.partitionDosesGy(activityGBq: a, lungShuntFraction: 0.06, compartments: comps, doseFactor: 50)
        #expect(close(d[1], 51.25, abs: 1e-10))
    }

    @Test("PART-04: three compartments T1 228.48, T2 91.39, NL 45.70 Gy")
    func part04() {
        let comps = [Compartment(name: "T1", massKg: 0.1, relativeConcentration: 5),
                     Compartment(name: "T2", massKg: 0.05, relativeConcentration: 2),
                     Compartment(name: "NL", massKg: 1.4, relativeConcentration: 1)]
        // Σ R·M = 0.5 + 0.1 + 1.4 = 2.0; K·A·(1 − LSF) = 49.67 × 2 × 0.92 = 91.3928
        // D = 91.3928 × R / 2: 228.482, 91.3928, 45.6964
        let d = Dosimetry.partitionDosesGy(activityGBq: 2, lungShuntFraction: 0.08, compartments: comps, doseFactor: 49.67)
        #expect(close(d[0], 228.482, abs: 1e-9))
        #expect(close(d[1], 91.3928, abs: 1e-9))
        #expect(close(d[2], 45.6964, abs: 1e-9))
        // Energy balance: Σ D_i·M_i = K·A·(1 − LSF) = 91.3928 J
        #expect(close(zip(d, comps).reduce(0) { $0 + $1.0 * $1.1.massKg }, 91.3928, abs: 1e-9))
        // lung 49.67 × 2 × 0.08 = 7.9472 Gy
        #expect(close(Dosimetry.lungDoseGy(activityGBq: 2, lungShuntFraction: 0.08, lungMassKg: 1, doseFactor: 49.67), 7.9472, abs: 1e-10))
        // And back: the activity that gives T2 91.3928 Gy is 2 GBq.
        #expect(close(Dosimetry.partitionActivityGBq(doseGy: 91.3928, compartment: 1, lungShuntFraction: 0.08, compartments: comps, doseFactor: 49.67), 2, abs: 1e-10))
    }

    @Test("HO-03: holmium partition 4.6734 GBq")
    func ho03() {
        let comps = [Compartment(name: "tumor", massKg: 0.12, relativeConcentration: 4),
                     Compartment(name: "normalLiver", massKg: 1.3, relativeConcentration: 1)]
        // 40 × (0.48 + 1.3) / (15.87 × 0.96) = 71.2 / 15.2352 = 4.673388 GBq
        let a = Dosimetry.partitionActivityGBq(doseGy: 40, compartment: 1, lungShuntFraction: 0.04, compartments: comps, doseFactor: 15.87)
        #expect(close(a, 4.6734, abs: 0.0001))
    }

    @Test("HO-02: published scout deposits 3.6 and 13.8 Gy (15.87 mJ/MBq, 1.06 g/mL)")
    func ho02() {
        // 3.7 MBq in 15.3 mL × 1.06 = 16.218 g: 15.87 × 0.0037 / 0.016218 = 3.62 Gy (published 3.6)
        let d1 = Dosimetry.singleCompartmentDoseGy(activityGBq: 0.0037, lungShuntFraction: 0, massKg: 15.3 * 1.06 / 1000, doseFactor: 15.87)
        // 33 MBq in 36 mL × 1.06 = 38.16 g: 15.87 × 0.033 / 0.03816 = 13.72 Gy (published 13.8)
        let d2 = Dosimetry.singleCompartmentDoseGy(activityGBq: 0.033, lungShuntFraction: 0, massKg: 36 * 1.06 / 1000, doseFactor: 15.87)
        #expect(close(d1, 3.6, abs: 0.1))
        #expect(close(d2, 13.8, abs: 0.1))
    }

    @Test("VOX-01: 1 MBq in a 4 mm voxel at 1.03 g/mL with K 49.67 → 753.5 Gy")
    func vox01() {
        // 0.4³ cm³ = 0.064 mL × 1.03 = 0.06592 g; 49.67 × 0.001 / 6.592e-5 = 753.49 Gy
        let d = Dosimetry.singleCompartmentDoseGy(activityGBq: 0.001, lungShuntFraction: 0, massKg: 0.064 * 1.03 / 1000, doseFactor: 49.67)
        #expect(close(d, 753.49, abs: 0.01))
    }

    @Test("LUNG-01/02: lung dose with 1 kg and CT mass; lung-limited activity")
    func lung() {
        // 49.67 × 2 × 0.12 / 1 = 11.9208 Gy; CT mass 3500 mL × 0.3 = 1.05 kg → 11.3531 Gy
        #expect(close(Dosimetry.lungDoseGy(activityGBq: 2, lungShuntFraction: 0.12, lungMassKg: 1, doseFactor: 49.67), 11.9208, abs: 1e-10))
        #expect(close(Dosimetry.lungDoseGy(activityGBq: 2, lungShuntFraction: 0.12, lungMassKg: 1.05, doseFactor: 49.67), 11.3531, abs: 0.0001))
        // LUNG-02: 30 × 1 / (50 × 0.18) = 3.3333 GBq; cumulative (50 − 25) / 9 = 2.7778 GBq
        #expect(close(Dosimetry.lungLimitedActivityGBq(limitGy: 30, lungShuntFraction: 0.18, lungMassKg: 1, doseFactor: 50), 3.3333, abs: 0.0001))
        #expect(close(Dosimetry.lungLimitedActivityGBq(limitGy: 25, lungShuntFraction: 0.18, lungMassKg: 1, doseFactor: 50), 2.7778, abs: 0.0001))
        #expect(Dosimetry.lungLimitedActivityGBq(limitGy: 30, lungShuntFraction: 0, lungMassKg: 1, doseFactor: 50) == .infinity)
        // LUNG-03: 0.61 GBq in the lungs × 50 / 1 kg = 30.5 Gy
        #expect(close(Dosimetry.lungDoseGy(activityGBq: 0.61, lungShuntFraction: 1, lungMassKg: 1, doseFactor: 50), 30.5, abs: 1e-10))
    }

    @Test("PART-05: whole normal liver 90 × 0.8 / 1.6 = 45 Gy")
    func part05() {
        #expect(close(Dosimetry.wholeNormalLiverDoseGy(perfusedNormalLiverDoseGy: 90, perfusedNormalLiverMassKg: 0.8, wholeNormalLiverMassKg: 1.6), 45, abs: 1e-12))
    }

    @Test("LSF-01 geometric mean and PART-03 T/N ratio")
    func lsfAndTN() {
        let r = Dosimetry.lungShuntFraction(lungAnterior: 12000, lungPosterior: 10000, liverAnterior: 90000, liverPosterior: 110000)
        // √(1.2e8) = 10954.45; √(9.9e9) = 99498.74; 10954.45 / 110453.19 = 0.099177
        #expect(close(r.gmLung, 10954.45, abs: 0.01))
        #expect(close(r.gmLiver, 99498.74, abs: 0.01))
        #expect(close(r.fraction, 0.09918, abs: 0.00001))
        // Not the arithmetic mean: (12000 + 10000)/2 = 11000 and 100000 would give 11000/111000 = 0.099099.
        #expect(!close(r.fraction, 11000.0 / 111000, abs: 1e-6))
        // PART-03: (400000 / 150) / (600000 / 850) = 2666.667 / 705.882 = 3.7778
        #expect(close(Dosimetry.tumorToNormalRatio(tumorCounts: 400000, tumorVolumeMl: 150, normalCounts: 600000, normalVolumeMl: 850), 3.7778, abs: 0.0001))
    }

    @Test("BSA-02: A = (1.9561 − 0.2) + 300/1500 = 1.9561 GBq")
    func bsa() {
        #expect(close(Dosimetry.resinBSAActivityGBq(bsaM2: 1.9561, tumorVolumeMl: 300, liverVolumeMl: 1500), 1.9561, abs: 1e-12))
        // The involvement is a fraction (0.2), not a percentage (20).
        #expect(Dosimetry.resinBSAActivityGBq(bsaM2: 1.8, tumorVolumeMl: 500, liverVolumeMl: 1000) < 3)
    }
}
