// SPDX-License-Identifier: GPL-3.0-or-later
import Foundation

/// An independent implementation of the radioembolization formulas, written from the published
/// formulas and constants (TheraSphere and SIR-Spheres package inserts; van Roekel, PhD thesis,
/// Utrecht, ch. 2; EANM 2022, Weber et al., EJNMMI 2022;49:1682) and from the command-line interface
/// described in README.md, not from the engine's code. The CLI's output is compared with these.
///
/// Units here: activity GBq, mass kg inside the formulas (g at the CLI), LSF as a fraction inside
/// the formulas (percent at the CLI), dose Gy, time h.
enum Independent {
    // MARK: Constants (package inserts, ICRP 107, EANM 2022; cited in reference-data/products/radioembolization.json)

    /// Gy·kg/GBq. TheraSphere package insert dose formula D = 50·A·(1−LSF)/M, a rounding of
    /// 0.9367 MeV × 64.1 h = 49.96 Gy·kg/GBq (Kao et al., CVIR 2013: "50 is the approximate absorbed dose coefficient").
    static let kGlass = 50.0
    /// Gy·kg/GBq. Sirtex partition-model constant, A = D_NL·(T/N·M_T + M_NL)/(49.670·(1−LSF))
    /// (van Roekel, PhD thesis, Utrecht, ch. 2).
    static let kResin = 49.67
    /// Gy·kg/GBq (= mJ/MBq). Utrecht Ho-166 value, "E_absorbed = 15.87 mJ/MBq" (J Nucl Med 2016;57 suppl 2:199).
    static let kHolmium = 15.87
    static let halfLifeY90H = 64.1
    static let halfLifeHo166H = 26.8
    static let densityGPerMl = 1.03
    static let lungMassG = 1000.0
    /// Hard limits: lung 30 Gy per treatment and 50 Gy cumulative (2024 MDPI review; Leung et al.,
    /// IJROBP 1995;33:919); resin lung shunt above 20 % contraindicated (SIR-Spheres instructions for use).
    /// Sources as in reference-data/constraints/constraint-sets.json.
    static let lungLimitGy = 30.0
    static let cumulativeLungLimitGy = 50.0
    static let resinMaxLungShuntPercent = 20.0
    // EANM 2022 (Weber et al., EJNMMI 2022;49:1682) Tables 2–4, read independently of the engine's data:
    /// glass perfused normal liver ≤ 120 Gy; whole normal liver < 90 Gy (bilirubin < 1.1 mg/dL) or 50 Gy.
    static let glassPerfusedNormalLiverGy = 120.0
    static let glassWholeNormalLiverGy = (lenient: 90.0, strict: 50.0)
    /// resin perfused normal liver < 40 Gy, or < 30 Gy for a pretreated or compromised liver.
    static let resinPerfusedNormalLiverGy = (lenient: 40.0, strict: 30.0)
    /// Ho-166 whole normal liver < 60 Gy unilobar, < 40 Gy bilobar.
    static let holmiumWholeNormalLiverGy = (lenient: 60.0, strict: 40.0)
    /// The largest activity one order can hold (GBq at calibration): TheraSphere's 20 GBq vial, one
    /// 3 GBq SIR-Spheres vial; 20 GBq for QuiremSpheres (no verified vendor maximum; dosecalc's bound).
    static func largestOrderGBq(device: String) -> Double { device == "resin" ? 3 : 20 }
    /// 1 MeV in J (SI 2019, exact elementary charge).
    static let joulePerMeV = 1.602176634e-13
    /// TheraSphere vial sizes at calibration (TheraSphere US package insert).
    static let glassVialsGBq: [Double] = [3, 5, 7, 10, 15, 20]
    /// SIR-Spheres: one 3 GBq vial (WJH 2015 Table 1; Hepatic Oncol 2014 Table 3).
    static let resinVialsGBq: [Double] = [3]

    static func k(device: String) -> Double {
        switch device {
        case "glass": return kGlass
        case "resin": return kResin
        default: return kHolmium
        }
    }

    // MARK: MIRD single compartment (TheraSphere package insert; MIRDy90, J Nucl Med 2024;65:794)

    /// A = D · M / (K · (1 − LSF)).
    static func mirdActivity(doseGy d: Double, massKg m: Double, lsf: Double, k: Double) -> Double {
        d * m / (k * (1 - lsf))
    }

    /// D = K · A · (1 − LSF) / M: the part of A that stays in the liver, spread over M.
    static func mirdDose(activityGBq a: Double, massKg m: Double, lsf: Double, k: Double) -> Double {
        let liverActivity = a * (1 - lsf)
        return k * liverActivity / m
    }

    // MARK: Lung

    /// D_lung = K · A · LSF / m_lung.
    static func lungDose(activityGBq a: Double, lsf: Double, lungMassKg m: Double, k: Double) -> Double {
        let lungActivity = a * lsf
        return k * lungActivity / m
    }

    // MARK: Partition model (Ho et al., Eur J Nucl Med 1996;23:947)

    /// Normal-liver dose: the liver activity A(1 − LSF) is shared in proportion to R·M_T : M_NL,
    /// so D_NL = K · A · (1 − LSF) / (R·M_T + M_NL).
    static func partitionNormalLiverDose(activityGBq a: Double, tumorKg mt: Double, normalKg mn: Double,
                                         tn r: Double, lsf: Double, k: Double) -> Double {
        k * a * (1 - lsf) / (r * mt + mn)
    }

    /// A = D_NL · (R·M_T + M_NL) / (K · (1 − LSF)).
    static func partitionActivityFromNormalLiver(doseGy d: Double, tumorKg mt: Double, normalKg mn: Double,
                                                 tn r: Double, lsf: Double, k: Double) -> Double {
        d * (r * mt + mn) / (k * (1 - lsf))
    }

    /// A = D_T · (M_T + M_NL / R) / (K · (1 − LSF)).
    static func partitionActivityFromTumor(doseGy d: Double, tumorKg mt: Double, normalKg mn: Double,
                                           tn r: Double, lsf: Double, k: Double) -> Double {
        d * (mt + mn / r) / (k * (1 - lsf))
    }

    // MARK: SIR-Spheres BSA and empiric methods (SIR-Spheres instructions for use)

    /// DuBois & DuBois 1916: BSA (m²) = 0.007184 · W^0.425 · H(cm)^0.725.
    static func duBoisBSA(heightCm h: Double, weightKg w: Double) -> Double {
        0.007184 * pow(w, 0.425) * pow(h, 0.725)
    }

    /// A = (BSA − 0.2) + V_T / V_liver (V_liver includes the tumour).
    static func bsaActivity(bsaM2: Double, tumorMl: Double, liverMl: Double) -> Double {
        (bsaM2 - 0.2) + tumorMl / liverMl
    }

    /// Lung-shunt reduction in percent, nil above 20 % (do not treat). Cut points from the SIR-Spheres
    /// instructions for use (reductions of 20 % and 40 %: Grosser et al., JVIR 2015;26:1615); boundary
    /// inclusivity as in reference-data/products/radioembolization.json:
    /// < 10 % none; 10 ≤ x < 15 → 20 %; 15 ≤ x ≤ 20 → 40 %; > 20 % contraindicated.
    static func resinReductionPercent(lungShuntPercent p: Double) -> Double? {
        if p < 10 { return 0 }
        if p < 15 { return 20 }
        if p <= 20 { return 40 }
        return nil
    }

    /// Empiric activity from integer-valued volumes, decided in exact integer arithmetic:
    /// involvement V_T/V_L < 25 % → 2.0 GBq; 25 % ≤ … ≤ 50 % → 2.5 GBq; > 50 % → 3.0 GBq.
    static func empiricActivity(tumorMl vt: Int, liverMl vl: Int) -> Double {
        if 4 * vt < vl { return 2.0 }
        if 2 * vt <= vl { return 2.5 }
        return 3.0
    }

    // MARK: Ho-166 standard (van Roekel, PhD thesis, Utrecht, ch. 2; EANM 2022 Table 4)

    /// A = D · M / 15.87 (D = 60 Gy by default), not corrected for lung shunt.
    static func holmiumStandardActivity(doseGy d: Double, liverKg m: Double) -> Double {
        d * m / kHolmium
    }

    // MARK: Lung shunt fraction (planar geometric mean; van Roekel, PhD thesis, Utrecht, ch. 2)

    /// LSF = GM_lung / (GM_lung + GM_liver), GM = √(anterior · posterior).
    static func lungShunt(lungAnterior la: Double, lungPosterior lp: Double, liverAnterior va: Double,
                          liverPosterior vp: Double) -> (fraction: Double, gmLung: Double, gmLiver: Double) {
        let gl = (la * lp).squareRoot()
        let gv = (va * vp).squareRoot()
        return (gl / (gl + gv), gl, gv)
    }

    // MARK: Decay and vials

    /// Fraction left after `hours`: 2^(−Δt/T½).
    static func decayFraction(hours: Double, halfLifeH: Double) -> Double {
        pow(2, -hours / halfLifeH)
    }

    /// Activity the vial must hold at calibration: A_inj / (1 − r) · 2^(Δt/T½).
    static func vialAtCalibration(injectedGBq a: Double, residualFraction r: Double, hours: Double, halfLifeH: Double) -> Double {
        a / (1 - r) * pow(2, hours / halfLifeH)
    }

    // MARK: Dose factor

    /// Decays per GBq for complete decay: 1e9 Bq · mean life (s) = 1e9 · T½ · 3600 / ln 2.
    static func decaysPerGBq(halfLifeH: Double) -> Double {
        1e9 * (halfLifeH * 3600 / log(2.0))
    }

    /// K = Ē · 1.602176634e-13 J/MeV · decays per GBq (J/GBq = Gy·kg/GBq).
    static func doseFactor(meanEnergyMeV e: Double, halfLifeH: Double) -> Double {
        e * joulePerMeV * decaysPerGBq(halfLifeH: halfLifeH)
    }

    // MARK: Calendar (for --from/--to with UTC offsets)

    /// The proleptic Gregorian date of a day number counted from 1970-01-01
    /// (H. Hinnant, "chrono-compatible low-level date algorithms", civil_from_days).
    static func civilFromDays(_ z0: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    /// ISO 8601 text of the instant `unixSeconds` as seen in a zone `offsetMinutes` east of UTC,
    /// e.g. "2026-11-26T10:30:00+01:00" (or "…Z" when `zulu` and the offset is 0).
    static func iso8601(unixSeconds t: Int64, offsetMinutes o: Int64, zulu: Bool = false) -> String {
        let local = t + o * 60
        let days = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
        let secs = local - days * 86_400
        let (y, m, d) = civilFromDays(days)
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let date = "\(y)-\(two(m))-\(two(d))T\(two(secs / 3600)):\(two(secs / 60 % 60)):\(two(secs % 60))"
        if o == 0 && zulu { return date + "Z" }
        let sign = o < 0 ? "-" : "+"
        return date + sign + two(abs(o) / 60) + ":" + two(abs(o) % 60)
    }
}

/// SplitMix64 (Steele, Lea, Flood 2014), written here so that the random cases are the same on
/// every platform and Swift version.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1), 53 random bits.
    mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }
    mutating func uniform(_ a: Double, _ b: Double) -> Double { a + (b - a) * unit() }
    /// Log-uniform in [a, b] (a > 0): spreads the cases over orders of magnitude.
    mutating func logUniform(_ a: Double, _ b: Double) -> Double { exp(uniform(log(a), log(b))) }
    mutating func int(_ a: Int, _ b: Int) -> Int { a + Int(next() % UInt64(b - a + 1)) }
    mutating func chance(_ p: Double) -> Bool { unit() < p }
    mutating func pick<T>(_ xs: [T]) -> T { xs[int(0, xs.count - 1)] }
    /// A value rounded to `digits` decimals, as a person would type it.
    mutating func typed(_ a: Double, _ b: Double, digits: Int = 3) -> Double {
        let s = pow(10.0, Double(digits))
        return max(a, (uniform(a, b) * s).rounded() / s)
    }
}
