// SPDX-License-Identifier: GPL-3.0-or-later
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import DosecalcCore

/// Radioactive decay: A(t) = A₀ · exp(−ln 2 · Δt / T½) = A₀ · 2^(−Δt/T½).
public enum Decay {
    /// Fraction remaining after `hours` (negative hours: back in time, fraction > 1).
    public static func fraction(hours: Double, halfLifeH: Double) -> Double {
        exp(-M_LN2 * hours / halfLifeH)
    }

    /// Activity after `hours` from `activityGBq`.
    public static func activityGBq(_ activityGBq: Double, afterHours hours: Double, halfLifeH: Double) -> Double {
        activityGBq * fraction(hours: hours, halfLifeH: halfLifeH)
    }

    /// Percent of the activity lost per hour: 100·(1 − 2^(−1/T½)). Y-90 1.076 %/h, Ho-166 2.553 %/h.
    public static func lossPerHourPercent(halfLifeH: Double) -> Double {
        100 * (1 - fraction(hours: 1, halfLifeH: halfLifeH))
    }
}

/// What a vial must hold so that, after decay and the residual left in the vial and lines,
/// the patient receives the prescribed activity.
public struct VialRequirement: Sendable, Equatable, Codable {
    /// Activity to inject into the patient at treatment (GBq).
    public let injectedActivityGBq: Double
    /// Activity the vial must hold at treatment: injected / (1 − residual fraction).
    public let vialActivityAtTreatmentGBq: Double
    /// Activity the vial must hold at calibration: vial at treatment · 2^(Δt/T½).
    public let vialActivityAtCalibrationGBq: Double
    /// Hours from calibration to treatment (negative: treatment before calibration).
    public let hoursFromCalibration: Double
    public let residualPercent: Double
    /// The smallest catalogue vial that suffices, if the device has fixed vial sizes.
    public let smallestSufficientVialGBq: Double?
    /// That whole vial's activity at the treatment time.
    public let wholeVialActivityAtTreatmentGBq: Double?
    /// Hours after calibration at which that whole vial has decayed to exactly the need.
    public let hoursAfterCalibrationWholeVialMatchesNeed: Double?

    /// - Parameters: residualPercent in percent of the vial activity (0 ≤ r < 100).
    public init(injectedActivityGBq: Double, residualPercent: Double, hoursFromCalibration: Double,
                halfLifeH: Double, vialSizesGBq: [Double]) {
        self.injectedActivityGBq = injectedActivityGBq
        self.residualPercent = residualPercent
        self.hoursFromCalibration = hoursFromCalibration
        let atTreatment = injectedActivityGBq / (1 - residualPercent / 100)
        vialActivityAtTreatmentGBq = atTreatment
        let atCalibration = atTreatment / Decay.fraction(hours: hoursFromCalibration, halfLifeH: halfLifeH)
        vialActivityAtCalibrationGBq = atCalibration
        if let vial = vialSizesGBq.sorted().first(where: { $0 >= atCalibration * (1 - 1e-12) }) {
            smallestSufficientVialGBq = vial
            wholeVialActivityAtTreatmentGBq = Decay.activityGBq(vial, afterHours: hoursFromCalibration, halfLifeH: halfLifeH)
            // vial · 2^(−t/T½) = need  ⇒  t = T½ · log2(vial / need)
            hoursAfterCalibrationWholeVialMatchesNeed = halfLifeH * log2(vial / atTreatment)
        } else {
            smallestSufficientVialGBq = nil
            wholeVialActivityAtTreatmentGBq = nil
            hoursAfterCalibrationWholeVialMatchesNeed = nil
        }
    }
}
