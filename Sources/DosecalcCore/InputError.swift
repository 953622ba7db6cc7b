// SPDX-License-Identifier: GPL-3.0-or-later

/// Input that cannot become a number: missing, non-finite, negative, implausible or
/// contradictory. Its description is one line naming the field and the valid range.
public struct InputError: Error, CustomStringConvertible, Sendable, Equatable {
    public let field: String
    public let message: String

    public init(field: String, _ message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { "\(field): \(message)" }
}

/// A closed plausibility range with its unit, used to validate one input.
public struct PlausibleRange: Sendable, Equatable {
    public let lower: Double
    public let upper: Double
    public let unit: String
    /// Whether the lower end itself is allowed (false: the value must be strictly greater).
    public let includesLower: Bool
    /// Whether the upper end itself is allowed (false: the value must be strictly smaller).
    public let includesUpper: Bool

    public init(_ lower: Double, _ upper: Double, _ unit: String, includesLower: Bool = true, includesUpper: Bool = true) {
        self.lower = lower
        self.upper = upper
        self.unit = unit
        self.includesLower = includesLower
        self.includesUpper = includesUpper
    }

    /// "[0, 100) %", "(0, 2000] Gy".
    public var text: String {
        "\(includesLower ? "[" : "(")\(Format.number(lower)), \(Format.number(upper))\(includesUpper ? "]" : ")")\(unit.isEmpty ? "" : " " + unit)"
    }

    /// Returns `value` unchanged if it is finite and inside the range; throws otherwise. Never clips.
    @discardableResult
    public func check(_ value: Double, field: String) throws -> Double {
        guard value.isFinite else {
            throw InputError(field: field, "must be a finite number in \(text); got \(value)")
        }
        let aboveLower = includesLower ? value >= lower : value > lower
        let belowUpper = includesUpper ? value <= upper : value < upper
        guard aboveLower, belowUpper else {
            throw InputError(field: field, "must be in \(text); got \(Format.number(value))")
        }
        return value
    }
}

/// Parses a number typed by a person. Accepts "8", "8.0", "1e-3"; rejects "", "nan", "inf", "8x".
public func parseNumber(_ text: String, field: String) throws -> Double {
    let trimmed = text.trimmingWhitespace()
    guard !trimmed.isEmpty, let v = Double(trimmed) else {
        throw InputError(field: field, "must be a number; got '\(text)'")
    }
    guard v.isFinite else { throw InputError(field: field, "must be a finite number; got '\(text)'") }
    return v
}

/// Parses a percentage: "8" and "8%" both mean 8 percent (never a fraction of 8).
public func parsePercent(_ text: String, field: String) throws -> Double {
    var t = text.trimmingWhitespace()
    if t.hasSuffix("%") { t.removeLast(); t = t.trimmingWhitespace() }
    return try parseNumber(t, field: field)
}

extension String {
    func trimmingWhitespace() -> String {
        var s = Substring(self)
        while let c = s.first, c.isWhitespace { s.removeFirst() }
        while let c = s.last, c.isWhitespace { s.removeLast() }
        return String(s)
    }
}
