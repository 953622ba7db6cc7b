// SPDX-License-Identifier: GPL-3.0-or-later
import ArgumentParser
import ClinicalPolicy
import DosecalcCore
import Radioembolization
import Foundation

/// Counts are non-negative and finite; all-zero pairs cannot give a shunt.
private let countRange = PlausibleRange(0, 1e12, "counts")

struct LSFCommand: EvaluatingCommand {
    static let configuration = CommandConfiguration(
        commandName: "lsf",
        abstract: "Lung shunt fraction from planar anterior/posterior counts (geometric mean).",
        discussion: "LSF = GM_lung / (GM_lung + GM_liver), GM = √(anterior · posterior). No background subtraction: subtract it before if you use one.")

    @Option(name: .customLong("lung-anterior"), parsing: .unconditional) var lungAnterior: String
    @Option(name: .customLong("lung-posterior"), parsing: .unconditional) var lungPosterior: String
    @Option(name: .customLong("liver-anterior"), parsing: .unconditional) var liverAnterior: String
    @Option(name: .customLong("liver-posterior"), parsing: .unconditional) var liverPosterior: String
    @Flag(name: .customLong("json")) var json = false

    init() {}

    struct Result: Encodable {
        let lungShuntPercent: Double
        let lungShuntFraction: Double
        let geometricMeanLungCounts: Double
        let geometricMeanLiverCounts: Double
        let status: Status
        let checks: [Check]
        let assumptions: [Assumption]
    }

    /// The planar lung shunt from the four count flags (shared by `lsf` and `voxel --lung-shunt planar`).
    static func planar(lungAnterior: String, lungPosterior: String, liverAnterior: String, liverPosterior: String) throws
        -> (fraction: Double, gmLung: Double, gmLiver: Double) {
        let la = try ranged(lungAnterior, "--lung-anterior", countRange)
        let lp = try ranged(lungPosterior, "--lung-posterior", countRange)
        let va = try ranged(liverAnterior, "--liver-anterior", countRange)
        let vp = try ranged(liverPosterior, "--liver-posterior", countRange)
        let r = Dosimetry.lungShuntFraction(lungAnterior: la, lungPosterior: lp, liverAnterior: va, liverPosterior: vp)
        guard r.gmLiver > 0 else {
            throw InputError(field: "--liver-anterior", "liver counts give a zero geometric mean; both liver views need counts > 0")
        }
        return r
    }

    func evaluate() throws -> CommandOutput {
        let r = try Self.planar(lungAnterior: lungAnterior, lungPosterior: lungPosterior, liverAnterior: liverAnterior, liverPosterior: liverPosterior)
        let result = Result(lungShuntPercent: 100 * r.fraction, lungShuntFraction: r.fraction,
                            geometricMeanLungCounts: r.gmLung, geometricMeanLiverCounts: r.gmLiver,
                            status: .ok, checks: [], assumptions: [])
        let text = """
        Lung shunt (planar, geometric mean)
          GM lung counts   \(Format.number(r.gmLung, significant: 7))
          GM liver counts  \(Format.number(r.gmLiver, significant: 7))
          lung shunt       \(Format.fixed(100 * r.fraction, 2)) %
        Planar imaging overestimates the shunt (up to 44 % vs SPECT/CT; Allred et al., EJNMMI Res 2018).
        """
        return try CommandOutput(result: result, text: text, status: .ok)
    }
}

/// Parses an ISO 8601 date-time that carries its UTC offset ("Z" or "±hh:mm").
/// ISO 8601 with a UTC offset, a real calendar date and an offset within −12:00 … +14:00.
func parseTime(_ text: String, field: String) throws -> Date {
    try Timestamp.parse(text, field: field)
}

/// Hours between two times, or a number of hours; exactly one of the two forms.
func elapsedHours(hours: String?, from: String?, to: String?, fromFlag: String = "--from", toFlag: String = "--to") throws -> Double {
    if let h = hours {
        if from != nil || to != nil { throw InputError(field: "--hours", "contradicts \(fromFlag)/\(toFlag): give --hours or both times, not both") }
        return try ranged(h, "--hours", elapsedHoursRange)
    }
    guard let a = from, let b = to else {
        throw InputError(field: from == nil ? fromFlag : toFlag, "is required: give --hours H, or \(fromFlag) T1 and \(toFlag) T2 (ISO 8601 with UTC offset)")
    }
    let h = try parseTime(b, field: toFlag).timeIntervalSince(try parseTime(a, field: fromFlag)) / 3600
    return try elapsedHoursRange.check(h, field: toFlag)
}

/// Elapsed time for decay and vial timing: back at most 30 days (products are used within days of
/// calibration; further back is a typing error, and the activity grows without bound), forward up to
/// 10,000 h (waste decay).
let elapsedHoursRange = PlausibleRange(-720, 10_000, "h")

struct DecayCommand: EvaluatingCommand {
    static let configuration = CommandConfiguration(
        commandName: "decay",
        abstract: "Decay an activity over a number of hours or between two times.",
        discussion: """
        A(t) = A₀ · 2^(−Δt/T½). Negative --hours (or --to before --from) goes back in time, e.g. to the activity at calibration. \
        The activity may be given in GBq, MBq or mCi (one of --activity-gbq, --activity-mbq, --activity-mci; 1 mCi = 37 MBq \
        exactly); results are in GBq.
        """)

    @Option(name: .customLong("nuclide"), parsing: .unconditional, help: "y90 | ho166") var nuclide: String
    @Option(name: .customLong("activity-gbq"), parsing: .unconditional, help: "Activity at the start (GBq).") var activityGBq: String?
    @Option(name: .customLong("activity-mbq"), parsing: .unconditional, help: "Activity at the start (MBq), instead of --activity-gbq.") var activityMBq: String?
    @Option(name: .customLong("activity-mci"), parsing: .unconditional, help: "Activity at the start (mCi), instead of --activity-gbq.") var activityMCi: String?
    @Option(name: .customLong("hours"), parsing: .unconditional, help: "Elapsed hours (may be negative).") var hours: String?
    @Option(name: .customLong("from"), parsing: .unconditional, help: "Start time, ISO 8601 with UTC offset.") var from: String?
    @Option(name: .customLong("to"), parsing: .unconditional, help: "End time, ISO 8601 with UTC offset.") var to: String?
    @Flag(name: .customLong("json")) var json = false

    init() {}

    var activity: ActivityOption { ActivityOption(gbq: activityGBq, mbq: activityMBq, mci: activityMCi) }

    /// Two activity units are a usage error (exit 64).
    func validate() throws { try activity.validateAtMostOne() }

    struct Result: Encodable {
        let nuclide: String
        let initialActivityGBq: Double
        /// What was typed for the initial activity (flag, value, unit).
        let activityGiven: ActivityGiven
        let activityGBq: Double
        let activityMCi: Double
        let elapsedHours: Double
        let fractionRemaining: Double
        let status: Status
        let checks: [Check]
        let assumptions: [Assumption]
    }

    func evaluate() throws -> CommandOutput {
        let cat = try RadioembolizationCatalogue.load()
        let n = try renaming(["nuclide": "--nuclide"]) { try cat.nuclide(nuclide) }
        // 1 MBq (0.001 GBq) to 1000 GBq: any activity of a therapy vial, scout dose or waste assay.
        let (a0, given) = try activity.resolve(range: PlausibleRange(0.001, 1000, "GBq"), required: true, what: "the activity at the start")!
        let h = try elapsedHours(hours: hours, from: from, to: to)
        let f = Decay.fraction(hours: h, halfLifeH: n.halfLifeH)
        let a = a0 * f
        let result = Result(nuclide: n.name, initialActivityGBq: a0, activityGiven: given, activityGBq: a, activityMCi: a * UnitConversion.mCiPerGBq,
                            elapsedHours: h, fractionRemaining: f, status: .ok, checks: [],
                            assumptions: [Assumption(name: "halfLife (\(n.name))", value: n.halfLifeH, unit: "h", source: n.halfLifeSource)])
        let text = """
        \(n.name) decay over \(Format.number(h, significant: 6)) h (T½ \(Format.number(n.halfLifeH)) h)
          \(Format.fixed(a0, 4)) GBq\(ActivityOption.givenAs(given).map { " (\($0))" } ?? "") → \(Format.fixed(a, 4)) GBq (\(Format.fixed(a * UnitConversion.mCiPerGBq, 2)) mCi), fraction \(Format.number(f, significant: 6))
        """
        return try CommandOutput(result: result, text: text, status: .ok)
    }
}

struct VialCommand: EvaluatingCommand {
    static let configuration = CommandConfiguration(
        commandName: "vial",
        abstract: "Vial activity needed at calibration for an injected activity, with residual waste and decay.",
        discussion: """
        A_cal = A_inj / (1 − residual) · 2^(Δt/T½), Δt = treatment − calibration. For glass the smallest \
        catalogue vial that suffices is chosen, with the time at which that whole vial matches the need. \
        With --calibration-time and --treatment-time the times are printed as local date and time, in the UTC offset \
        written in the treatment time. The activity may be given in GBq, MBq or mCi (one of --activity-gbq, \
        --activity-mbq, --activity-mci; 1 mCi = 37 MBq exactly); results are in GBq.
        """)

    @Option(name: .customLong("device"), parsing: .unconditional, help: "glass | resin | quiremspheres") var device: String
    @Option(name: .customLong("activity-gbq"), parsing: .unconditional, help: "Activity to inject at treatment (GBq).") var activityGBq: String?
    @Option(name: .customLong("activity-mbq"), parsing: .unconditional, help: "Activity to inject at treatment (MBq), instead of --activity-gbq.") var activityMBq: String?
    @Option(name: .customLong("activity-mci"), parsing: .unconditional, help: "Activity to inject at treatment (mCi), instead of --activity-gbq.") var activityMCi: String?
    @Option(name: .customLong("residual-percent"), parsing: .unconditional, help: "Residual left in vial and lines (%), 0 ≤ r < 100.") var residualPercent: String
    @Option(name: .customLong("hours"), parsing: .unconditional, help: "Hours from calibration to treatment (may be negative).") var hours: String?
    @Option(name: .customLong("calibration-time"), parsing: .unconditional, help: "Vial calibration time, ISO 8601 with UTC offset.") var calibration: String?
    @Option(name: .customLong("treatment-time"), parsing: .unconditional, help: "Treatment time, ISO 8601 with UTC offset.") var treatment: String?
    @Flag(name: .customLong("json")) var json = false

    init() {}

    var activity: ActivityOption { ActivityOption(gbq: activityGBq, mbq: activityMBq, mci: activityMCi) }

    /// Two activity units are a usage error (exit 64).
    func validate() throws { try activity.validateAtMostOne() }

    struct Result: Encodable {
        let device: String
        let activityGBq: Double
        /// What was typed for the activity (flag, value, unit).
        let activityGiven: ActivityGiven
        let vial: VialRequirement
        let status: Status
        let reasons: [String]
        let checks: [Check]
        let assumptions: [Assumption]
    }

    func evaluate() throws -> CommandOutput {
        let cat = try RadioembolizationCatalogue.load()
        let d = try renaming(["device": "--device"]) { try cat.device(device) }
        let n = try cat.nuclide(d.nuclide)
        let (a, given) = try activity.resolve(range: PlausibleInputs.activityGBq, required: true, what: "the activity to inject at treatment")!
        let r = try ranged(residualPercent, "--residual-percent", PlausibleInputs.residualPercent, percent: true)
        let h = try elapsedHours(hours: hours, from: calibration, to: treatment, fromFlag: "--calibration-time", toFlag: "--treatment-time")
        let v = VialRequirement(injectedActivityGBq: a, residualPercent: r, hoursFromCalibration: h, halfLifeH: n.halfLifeH, vialSizesGBq: d.vialSizesGBq)
        // Deliverability is the clinical policy's: the product's largest vial or order and its usable
        // time after calibration.
        var checks = Deliverability.windowChecks(device: d, hoursAfterCalibration: h)
        checks.append(Deliverability.orderCheck(device: d, activityAtCalibrationGBq: v.vialActivityAtCalibrationGBq))
        if let m = v.hoursAfterCalibrationWholeVialMatchesNeed {
            checks.append(Deliverability.wholeVialTimeCheck(device: d, hoursAfterCalibration: m))
        }
        var reasons: [String] = []
        if !d.vialSizesGBq.isEmpty, v.smallestSufficientVialGBq == nil {
            reasons.append("no catalogue vial holds \(Format.fixed(v.vialActivityAtCalibrationGBq, 3)) GBq at calibration")
        }
        let status = overallStatus(checks)
        reasons += checkReasons(checks)
        let result = Result(device: d.id, activityGBq: a, activityGiven: given, vial: v, status: status, reasons: reasons, checks: checks, assumptions: [
            Assumption(name: "halfLife (\(n.name))", value: n.halfLifeH, unit: "h", source: n.halfLifeSource),
            Assumption(name: "vialSizes", value: Double(d.vialSizesGBq.count), unit: "sizes", source: d.vialSizesSource),
        ])
        // With both times given, times are shown as local date and time, in the UTC offset written in the
        // treatment time (else the calibration time); with --hours, as hours only.
        var clock: (calibration: Date, treatment: Date, offsetSeconds: Int)?
        if let c = calibration, let t = treatment {
            clock = (try parseTime(c, field: "--calibration-time"), try parseTime(t, field: "--treatment-time"),
                     Timestamp.utcOffsetSeconds(t) ?? Timestamp.utcOffsetSeconds(c) ?? 0)
        }
        /// A time `hours` after calibration: "Mon 7 Dec 2026, 09:40 (UTC+01:00), 162.0 h after calibration"
        /// (the minute rounded down), or "162.00 h after calibration" without times.
        func when(_ hours: Double) -> String {
            guard let clock else { return "\(Format.fixed(hours, 2)) h after calibration" }
            let instant = clock.calibration.addingTimeInterval(hours * 3600)
            return "\(Timestamp.readable(instant, offsetSeconds: clock.offsetSeconds)), \(Format.fixed(hours, 1)) h after calibration"
        }
        var text = [
            "\(d.name): vial for \(Format.fixed(a, 4)) GBq injected\(ActivityOption.givenAs(given).map { " (\($0))" } ?? ""), residual \(Format.number(r)) %, \(Format.number(h, significant: 6)) h after calibration",
        ]
        if let clock {
            text.append(TextTable.line("calibration", Timestamp.readable(clock.calibration, offsetSeconds: clock.offsetSeconds)))
            // The treatment time as written, not recomputed from the hours (which could lose a minute).
            text.append(TextTable.line("treatment", "\(Timestamp.readable(clock.treatment, offsetSeconds: clock.offsetSeconds)), \(Format.fixed(h, 1)) h after calibration"))
        }
        text += [
            TextTable.line("vial at treatment", "\(Format.fixed(v.vialActivityAtTreatmentGBq, 4)) GBq"),
            TextTable.line("vial at calibration", "\(Format.fixed(v.vialActivityAtCalibrationGBq, 4)) GBq"),
        ]
        if let s = v.smallestSufficientVialGBq {
            text.append(TextTable.line("smallest sufficient vial", "\(Format.number(s)) GBq"))
            text.append(TextTable.line("whole vial at treatment", "\(Format.fixed(v.wholeVialActivityAtTreatmentGBq!, 4)) GBq"))
            text.append(TextTable.line("whole vial matches need at", when(v.hoursAfterCalibrationWholeVialMatchesNeed!)))
        }
        text += TextTable.status(status, reasons: reasons)
        return try CommandOutput(result: result, text: text.joined(separator: "\n"), status: status)
    }
}

struct DoseFactorCommand: EvaluatingCommand {
    static let configuration = CommandConfiguration(
        commandName: "dose-factor",
        abstract: "Derive the dose factor K (Gy·kg/GBq) from a half-life and a mean energy per decay.",
        discussion: "K = Ē · 1.602176634e-13 J/MeV · 1e9 · T½ · 3600 / ln 2. Without flags, prints the catalogue's devices.")

    @Option(name: .customLong("half-life-h"), parsing: .unconditional) var halfLifeH: String?
    @Option(name: .customLong("mean-energy-mev"), parsing: .unconditional) var meanEnergyMeV: String?
    @Flag(name: .customLong("json")) var json = false

    init() {}

    struct Result: Encodable {
        let doseFactorGyKgPerGBq: Double
        let decaysPerGBq: Double
        let halfLifeH: Double
        let meanEnergyPerDecayMeV: Double
        let status: Status
        let checks: [Check]
        let assumptions: [Assumption]
    }

    func evaluate() throws -> CommandOutput {
        guard let hText = halfLifeH else { throw InputError(field: "--half-life-h", "is required (in (0, 1e6] h)") }
        guard let eText = meanEnergyMeV else { throw InputError(field: "--mean-energy-mev", "is required (in (0, 20] MeV)") }
        let h = try ranged(hText, "--half-life-h", PlausibleRange(0, 1e6, "h", includesLower: false))
        let e = try ranged(eText, "--mean-energy-mev", PlausibleRange(0, 20, "MeV", includesLower: false))
        let k = DoseFactor.gyKgPerGBq(meanEnergyPerDecayMeV: e, halfLifeH: h)
        let result = Result(doseFactorGyKgPerGBq: k, decaysPerGBq: DoseFactor.decaysPerGBq(halfLifeH: h), halfLifeH: h,
                            meanEnergyPerDecayMeV: e, status: .ok, checks: [],
                            assumptions: [Assumption(name: "joulePerMeV", value: UnitConversion.joulePerMeV, unit: "J/MeV", source: "SI 2019 exact elementary charge")])
        return try CommandOutput(result: result, text: "K = \(Format.number(k, significant: 6)) Gy·kg/GBq (\(Format.number(e)) MeV × \(Format.number(h)) h, complete decay in situ)", status: .ok)
    }
}

struct TNRatioCommand: EvaluatingCommand {
    static let configuration = CommandConfiguration(
        commandName: "tn-ratio",
        abstract: "Tumour-to-normal-liver concentration ratio from SPECT counts and volumes.",
        discussion: "R = (C_T / V_T) / (C_N / V_N), equal densities assumed. This is a concentration ratio, not Kao's activity ratio R′ = A_T/A_N.")

    @Option(name: .customLong("tumor-counts"), parsing: .unconditional) var tumorCounts: String
    @Option(name: .customLong("tumor-volume-ml"), parsing: .unconditional) var tumorVolumeMl: String
    @Option(name: .customLong("normal-counts"), parsing: .unconditional) var normalCounts: String
    @Option(name: .customLong("normal-volume-ml"), parsing: .unconditional) var normalVolumeMl: String
    @Flag(name: .customLong("json")) var json = false

    init() {}

    struct Result: Encodable {
        let tnRatio: Double
        let status: Status
        let checks: [Check]
        let assumptions: [Assumption]
    }

    func evaluate() throws -> CommandOutput {
        // At least 1 count (a region with no counts gives no ratio); volumes from 0.1 mL (below any
        // segmentable lesion) to 10 L.
        let positiveCounts = PlausibleRange(1, 1e12, "counts")
        let volume = PlausibleRange(0.1, 10_000, "mL")
        let ct = try ranged(tumorCounts, "--tumor-counts", positiveCounts)
        let vt = try ranged(tumorVolumeMl, "--tumor-volume-ml", volume)
        let cn = try ranged(normalCounts, "--normal-counts", positiveCounts)
        let vn = try ranged(normalVolumeMl, "--normal-volume-ml", volume)
        let r = Dosimetry.tumorToNormalRatio(tumorCounts: ct, tumorVolumeMl: vt, normalCounts: cn, normalVolumeMl: vn)
        // The ratio must be one a prescription can use: the same range as --tn-ratio.
        guard PlausibleInputs.tnRatio.contains(r) else {
            throw InputError(field: "--tumor-counts", "with the volumes gives T/N \(Format.number(r, significant: 4)), outside the plausible \(PlausibleInputs.tnRatio.text): check the counts and the volumes (mL)")
        }
        var checks: [Check] = []
        if r < 1 {
            checks.append(Check(name: "tnRatio", value: r, limit: 1, unit: "", kind: .atLeast, severity: .soft,
                                source: "T/N < 1: the tumour takes up less than the normal liver"))
        }
        let status = overallStatus(checks)
        return try CommandOutput(result: Result(tnRatio: r, status: status, checks: checks, assumptions: []),
                                 text: "T/N = \(Format.number(r, significant: 5)) (concentration ratio)", status: status)
    }
}
