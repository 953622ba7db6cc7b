// SPDX-License-Identifier: GPL-3.0-or-later
import Foundation
import Testing
@testable import Radioembolization

private func close(_ a: Double, _ b: Double, abs tol: Double) -> Bool { Swift.abs(a - b) <= tol }

@Suite("Decay, vials and the dose factor")
struct DecayVialDoseFactorTests {
    @Test("DECAY-01/02: 5 GBq Y-90 after 48 h → 2.9754; 6 GBq Ho-166 after 3 h → 5.5521")
    func decay() {
        // 5 × 2^(−48/64.1) = 5 × 0.595086 = 2.97543
        #expect(close(Decay.activityGBq(5, afterHours: 48, halfLifeH: 64.1), 2.9754, abs: 0.0001))
        #expect(close(Decay.fraction(hours: 48, halfLifeH: 64.1), 0.59509, abs: 0.00001))
        // 6 × 2^(−3/26.8) = 6 × 0.925343 = 5.55206
        #expect(close(Decay.activityGBq(6, afterHours: 3, halfLifeH: 26.8), 5.5521, abs: 0.0001))
        // One half-life exactly halves; negative hours go back (fraction > 1).
        #expect(close(Decay.fraction(hours: 64.1, halfLifeH: 64.1), 0.5, abs: 1e-15))
        #expect(close(Decay.fraction(hours: -64.1, halfLifeH: 64.1), 2, abs: 1e-14))
        #expect(close(Decay.activityGBq(Decay.activityGBq(3, afterHours: 17, halfLifeH: 26.8), afterHours: -17, halfLifeH: 26.8), 3, abs: 1e-14))
    }

    @Test("loss per hour: Y-90 1.076 %, Ho-166 2.553 %")
    func lossPerHour() {
        // 100 × (1 − 2^(−1/64.1)) = 100 × (1 − 0.989245) = 1.0755; Ho: 100 × (1 − 2^(−1/26.8)) = 2.5533
        #expect(close(Decay.lossPerHourPercent(halfLifeH: 64.1), 1.076, abs: 0.001))
        #expect(close(Decay.lossPerHourPercent(halfLifeH: 26.8), 2.553, abs: 0.001))
    }

    @Test("CONST-01..04: K = Ē × 1.602176634e-13 × 1e9 × T½ × 3600 / ln 2")
    func doseFactor() {
        // 0.9367 × 64.1 × 0.8320885 = 49.963; decays 1e9 × 64.1 × 3600 / 0.693147 = 3.32916e14
        #expect(close(DoseFactor.gyKgPerGBq(meanEnergyPerDecayMeV: 0.9367, halfLifeH: 64.1), 49.963, abs: 0.001))
        #expect(close(DoseFactor.decaysPerGBq(halfLifeH: 64.1) / 1e14, 3.32916, abs: 0.00001))
        #expect(close(DoseFactor.gyKgPerGBq(meanEnergyPerDecayMeV: 0.93299, halfLifeH: 64.1), 49.765, abs: 0.001))
        #expect(close(DoseFactor.gyKgPerGBq(meanEnergyPerDecayMeV: 0.9267, halfLifeH: 64.04), 49.383, abs: 0.001))
        #expect(close(DoseFactor.gyKgPerGBq(meanEnergyPerDecayMeV: 0.66499, halfLifeH: 26.8), 14.830, abs: 0.001))
        #expect(close(DoseFactor.gyKgPerGBq(meanEnergyPerDecayMeV: 0.69634, halfLifeH: 26.8), 15.529, abs: 0.001))
        // 15.87 J/GBq at 26.8 h implies 15.87 / (0.8320885 × 26.8) = 0.7116 MeV per decay.
        #expect(close(DoseFactor.gyKgPerGBq(meanEnergyPerDecayMeV: 0.7116, halfLifeH: 26.8), 15.87, abs: 0.001))
    }

    @Test("VIAL-01: 2.6021 GBq, 1 % residual, 70 h → 5.6031 GBq at calibration, 7 GBq vial")
    func vial01() {
        let v = VialRequirement(injectedActivityGBq: 2.6021, residualPercent: 1, hoursFromCalibration: 70, halfLifeH: 64.1,
                                vialSizesGBq: [3, 5, 7, 10, 15, 20])
        // 2.6021 / 0.99 = 2.628384; × 2^(70/64.1) = × 2.131760 = 5.60308
        #expect(close(v.vialActivityAtTreatmentGBq, 2.6284, abs: 0.0001))
        #expect(close(v.vialActivityAtCalibrationGBq, 5.6031, abs: 0.0001))
        #expect(v.smallestSufficientVialGBq == 7)
        // 7 / 2.131760 = 3.28369 GBq; 64.1 × log2(7 / 2.628384) = 90.585 h
        #expect(close(v.wholeVialActivityAtTreatmentGBq ?? 0, 3.2837, abs: 0.0001))
        #expect(close(v.hoursAfterCalibrationWholeVialMatchesNeed ?? 0, 90.58, abs: 0.01))
    }

    @Test("vials: unsorted sizes, none big enough, no catalogue sizes, treatment before calibration")
    func vialEdges() {
        // Need 8 GBq at calibration (no decay, no residual): of [20, 5, 10] the smallest that suffices is 10.
        let a = VialRequirement(injectedActivityGBq: 8, residualPercent: 0, hoursFromCalibration: 0, halfLifeH: 64.1, vialSizesGBq: [20, 5, 10])
        #expect(a.smallestSufficientVialGBq == 10)
        let b = VialRequirement(injectedActivityGBq: 25, residualPercent: 0, hoursFromCalibration: 0, halfLifeH: 64.1, vialSizesGBq: [3, 20])
        #expect(b.smallestSufficientVialGBq == nil)
        #expect(b.wholeVialActivityAtTreatmentGBq == nil)
        let c = VialRequirement(injectedActivityGBq: 5, residualPercent: 0, hoursFromCalibration: 3, halfLifeH: 26.8, vialSizesGBq: [])
        #expect(c.smallestSufficientVialGBq == nil)
        // 5 × 2^(3/26.8) = 5 × e^(0.077591) = 5 × 1.080681 = 5.403403
        #expect(close(c.vialActivityAtCalibrationGBq, 5.403403, abs: 0.000002))
        // Treatment 64.1 h BEFORE calibration: the vial holds half its calibration activity more → need / 2.
        let d = VialRequirement(injectedActivityGBq: 4, residualPercent: 0, hoursFromCalibration: -64.1, halfLifeH: 64.1, vialSizesGBq: [3])
        #expect(close(d.vialActivityAtCalibrationGBq, 2, abs: 1e-12))
        #expect(d.smallestSufficientVialGBq == 3)
        // Exactly a vial size suffices.
        let e = VialRequirement(injectedActivityGBq: 5, residualPercent: 0, hoursFromCalibration: 0, halfLifeH: 64.1, vialSizesGBq: [3, 5, 7])
        #expect(e.smallestSufficientVialGBq == 5)
    }
}
