// SPDX-License-Identifier: GPL-3.0-or-later
import ArgumentParser
import DosecalcCore

/// Numeric flags are read as text and parsed by `parseNumber`, so that "nan", "inf", "8x" or an
/// empty value are refused with the flag's name instead of becoming a number.
func number(_ text: String?, _ flag: String) throws -> Double? {
    guard let t = text else { return nil }
    return try parseNumber(t, field: flag)
}

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
        try PlausibleRange(0, 10_000, "mL", includesLower: false).check(v, field: volumeFlag)
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
