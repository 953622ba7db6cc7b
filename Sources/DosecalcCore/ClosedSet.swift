// SPDX-License-Identifier: GPL-3.0-or-later

/// A closed set of words read from input or data (modality, histology, treatment kind, …). Decoding
/// accepts exactly the listed values and otherwise fails with a message that lists them; nothing is
/// matched by substring, case or spelling variant.
public protocol ClosedSet: RawRepresentable, CaseIterable, Codable, Sendable where RawValue == String {}

extension ClosedSet {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        let s = try c.decode(String.self)
        guard let v = Self(rawValue: s) else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "must be one of \(Self.valuesText); got '\(s.prefix(40))'")
        }
        self = v
    }

    /// "a, b or c".
    public static var valuesText: String {
        let all = allCases.map(\.rawValue)
        guard all.count > 1 else { return all.first ?? "" }
        return all.dropLast().joined(separator: ", ") + " or " + all.last!
    }

    /// Parses a value given as text, or throws an `InputError` naming the field and the values.
    public static func parse(_ text: String, field: String) throws -> Self {
        guard let v = Self(rawValue: text) else {
            throw InputError(field: field, "must be one of \(valuesText); got '\(text.prefix(40))'")
        }
        return v
    }
}
