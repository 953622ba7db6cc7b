// SPDX-License-Identifier: GPL-3.0-or-later
import ArgumentParser
import DosecalcCore
import Uncertainty
import Radioembolization
import Foundation

/// Numeric flags are read as text and parsed by `parseNumber`, so that "nan", "inf", "8x" or an
/// empty value are refused with the flag's name instead of becoming a number.
func number(_ text: String?, _ flag: String) throws -> Double? {
    guard let t = text else { return nil }
    do {
        return try parseNumber(t, field: flag)
    } catch let e as InputError {
        if let range = flagRanges[flag] { throw InputError(field: flag, "must be a finite number in \(range.text); got '\(t)'") }
        throw e
    }
}

/// The valid range of every numeric flag, so that a value that is not a number is refused
/// with the range it should have been in.
let flagRanges: [String: PlausibleRange] = [
    "--lung-shunt": PlausibleInputs.lungShuntPercent,
    "--perfused-mass-g": PlausibleInputs.liverMassG,
    "--perfused-volume-ml": PlausibleInputs.liverVolumeMl,
    "--liver-mass-g": PlausibleInputs.liverMassG,
    "--liver-volume-ml": PlausibleInputs.liverVolumeMl,
    "--treated-volume-ml": PlausibleInputs.liverVolumeMl,
    "--tumor-mass-g": PlausibleInputs.tumorMassG,
    "--tumor-volume-ml": PlausibleInputs.tumorVolumeMl,
    "--normal-liver-mass-g": PlausibleInputs.liverMassG,
    "--normal-liver-volume-ml": PlausibleInputs.liverVolumeMl,
    "--whole-normal-liver-mass-g": PlausibleInputs.liverMassG,
    "--tn-ratio": PlausibleInputs.tnRatio,
    "--target-dose-gy": PlausibleInputs.doseGy,
    "--normal-liver-dose-gy": PlausibleInputs.doseGy,
    "--tumor-dose-gy": PlausibleInputs.doseGy,
    "--activity-gbq": PlausibleInputs.activityGBq,
    "--density-g-per-ml": PlausibleInputs.densityGPerMl,
    "--lung-mass-g": PlausibleInputs.lungMassG,
    "--prior-lung-dose-gy": PlausibleInputs.priorLungDoseGy,
    "--dose-factor-gy-kg-per-gbq": PlausibleInputs.doseFactor,
    "--residual-percent": PlausibleInputs.residualPercent,
    "--hours": elapsedHoursRange,
    "--height-cm": PlausibleRange(50, 250, "cm"),
    "--weight-kg": PlausibleRange(10, 400, "kg"),
]

/// Exactly one of several givens (mass or volume of one compartment; one prescription target).
func exactlyOne<T>(_ options: [(flag: String, value: T?)], required: Bool, what: String) throws -> (flag: String, value: T)? {
    let given = options.compactMap { o in o.value.map { (o.flag, $0) } }
    if given.count > 1 {
        throw InputError(field: given[1].0, "contradicts \(given[0].0): give only one of \(options.map(\.flag).joined(separator: ", ")) for \(what)")
    }
    if given.isEmpty && required {
        throw InputError(field: options[0].flag, "is required: give one of \(options.map(\.flag).joined(separator: ", ")) for \(what)")
    }
    return given.first
}

/// Mass in g from either a mass flag or a volume flag × density; both at once is an error.
func massG(massFlag: String, mass: String?, volumeFlag: String, volume: String?, densityGPerMl: Double) throws -> Double? {
    let m = try number(mass, massFlag)
    let v = try number(volume, volumeFlag)
    if m != nil && v != nil {
        throw InputError(field: volumeFlag, "contradicts \(massFlag): give the mass or the volume of this compartment, not both")
    }
    if let v {
        try (flagRanges[volumeFlag] ?? PlausibleRange(0, 10_000, "mL", includesLower: false)).check(v, field: volumeFlag)
        return v * densityGPerMl
    }
    return m
}

/// Refuses flags that do not apply to the chosen method, so that nothing given is silently ignored.
func refuse(_ flags: [(String, Bool)], method: String) throws {
    if let f = flags.first(where: { $0.1 }) {
        throw InputError(field: f.0, "does not apply to the \(method) method")
    }
}

/// Parses a required numeric flag and checks it against its range; a value that is not a number is
/// refused with the range too.
func ranged(_ text: String, _ flag: String, _ range: PlausibleRange, percent: Bool = false) throws -> Double {
    let v: Double
    do { v = percent ? try parsePercent(text, field: flag) : try parseNumber(text, field: flag) } catch {
        throw InputError(field: flag, "must be a finite number in \(range.text); got '\(text)'")
    }
    return try range.check(v, field: flag)
}

/// A yes/no fact on the command line. Closed: anything else is refused with the two values.
enum YesNo: String, ExpressibleByArgument, CaseIterable {
    case yes, no
    var value: Bool { self == .yes }
}

/// Runs `body` and renames the fields of an `InputError` it throws to command-line flags.
func renaming<T>(_ flags: [String: String], _ body: () throws -> T) throws -> T {
    do { return try body() } catch let e as InputError { throw e.renamed { flags[$0] } }
}

// MARK: - Activity in GBq, MBq or mCi

extension ActivityUnit {
    /// "--activity-gbq", "--activity-mbq", "--activity-mci".
    var flag: String { "--activity-" + rawValue.lowercased() }
}

/// What was typed for an activity: the number, its unit and the flag. Printed in `--json` as
/// "activityGiven", next to "activityGBq".
struct ActivityGiven: Encodable, Equatable, Sendable {
    let value: Double
    let unit: String
    let flag: String
}

/// An activity read from one of --activity-gbq, --activity-mbq, --activity-mci: the one place that
/// converts the units and enforces that at most one of the three is given.
struct ActivityOption {
    let texts: [(unit: ActivityUnit, text: String?)]

    init(gbq: String?, mbq: String?, mci: String?) {
        texts = [(.gbq, gbq), (.mbq, mbq), (.mci, mci)]
    }

    static let flagList = ActivityUnit.allCases.map(\.flag).joined(separator: ", ")

    /// The flags given, in the order gbq, mbq, mci.
    var given: [(unit: ActivityUnit, text: String)] { texts.compactMap { t in t.text.map { (t.unit, $0) } } }

    /// The message when two or more of the three flags are given; nil otherwise.
    var conflict: String? {
        let g = given
        guard g.count > 1 else { return nil }
        return "\(g[0].unit.flag) and \(g[1].unit.flag) are both given; give the activity once, with one of \(Self.flagList)"
    }

    /// Two of the three flags are a usage error (exit 64). Call from the command's `validate()`, which
    /// ArgumentParser runs while parsing, so that the error is reported as a usage error.
    func validateAtMostOne() throws {
        if let c = conflict { throw ValidationError(c) }
    }

    /// The activity in GBq and what was typed, checked against `range` (in GBq). Nil when no activity
    /// flag was given and `required` is false. A value that is not a number, or whose GBq value is outside
    /// `range`, is refused naming the flag given, with the range in that flag's unit.
    func resolve(range: PlausibleRange, required: Bool, what: String) throws -> (gbq: Double, given: ActivityGiven)? {
        if let c = conflict { throw InputError(field: given[1].unit.flag, c) }   // normally refused at parse time (exit 64)
        guard let (unit, text) = given.first else {
            if required { throw InputError(field: ActivityUnit.gbq.flag, "is required: give one of \(Self.flagList) for \(what)") }
            return nil
        }
        let shown = Self.shownRange(range, in: unit)
        let inGBq = unit == .gbq ? "" : " (\(range.text))"
        let value: Double
        do { value = try parseNumber(text, field: unit.flag) } catch {
            throw InputError(field: unit.flag, "must be a finite number in \(shown.text)\(inGBq); got \(quotedForMessage(text))")
        }
        let gbq = unit.toGBq(value)
        guard range.contains(gbq) else {
            throw InputError(field: unit.flag, "must be in \(shown.text)\(inGBq); got \(Format.number(value))")
        }
        return (gbq, ActivityGiven(value: value, unit: unit.rawValue, flag: unit.flag))
    }

    /// `range` (GBq) in `unit`, for messages: each bound rounded to six significant digits, and moved
    /// one step inward when rounding took it outside, so that every value the message allows is
    /// accepted. ([0.001, 30] GBq reads [1, 30000] MBq and [0.0270271, 810.81] mCi.)
    static func shownRange(_ range: PlausibleRange, in unit: ActivityUnit) -> PlausibleRange {
        guard unit != .gbq else { return range }
        func shown(_ boundGBq: Double, isLower: Bool) -> Double {
            let inside: (Double) -> Bool = { isLower ? unit.toGBq($0) >= boundGBq : unit.toGBq($0) <= boundGBq }
            let exact = unit.fromGBq(boundGBq)
            guard exact != 0, exact.isFinite, var d = Double(Format.number(exact)) else { return exact }
            var steps = 0
            while !inside(d), steps < 10 {
                let step = pow(10, (log10(abs(d))).rounded(.down) - 5)
                d = Double(Format.number(isLower ? d + step : d - step)) ?? d
                steps += 1
            }
            return d
        }
        return PlausibleRange(shown(range.lower, isLower: true), shown(range.upper, isLower: false), unit.rawValue,
                              includesLower: range.includesLower, includesUpper: range.includesUpper)
    }

    /// "2.500 GBq" as computed, with what was typed when it was not GBq: "2.500 GBq (given as 2500 MBq)".
    static func givenAs(_ given: ActivityGiven?) -> String? {
        guard let g = given, g.unit != ActivityUnit.gbq.rawValue else { return nil }
        return "given as \(Format.number(g.value)) \(g.unit)"
    }
}

/// A command's result with "activityGiven" added next to the result's own keys in the JSON.
struct WithActivityGiven<Base: Encodable>: Encodable {
    let base: Base
    let activityGiven: ActivityGiven?
    /// The Monte Carlo intervals, when an uncertain input was given.
    var uncertainty: UncertaintyResult? = nil

    private enum Keys: String, CodingKey { case activityGiven, uncertainty }

    func encode(to encoder: any Encoder) throws {
        try base.encode(to: encoder)
        var c = encoder.container(keyedBy: Keys.self)
        if let g = activityGiven { try c.encode(g, forKey: .activityGiven) }
        if let u = uncertainty { try c.encode(u, forKey: .uncertainty) }
    }
}
