// SPDX-License-Identifier: GPL-3.0-or-later
import ArgumentParser
import DosecalcCore
import Radioembolization

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
