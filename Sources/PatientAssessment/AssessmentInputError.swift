// SPDX-License-Identifier: GPL-3.0-or-later

/// Input to a `PatientAssessment` function that cannot become a number: non-finite,
/// negative, zero where zero is impossible, or outside the plausible range for a person.
///
/// Its ``description`` is exactly one line that names the field and the valid range, e.g.
/// `heightCm must be a finite number in [50, 250] cm; got 400`.
///
/// Every public function of this module validates all of its numeric inputs and throws this
/// error rather than returning a number computed from bad input. Values are never clipped.
public struct AssessmentInputError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The parameter name as it appears in the API, with its unit (`bilirubinMgPerDl`).
    public let field: String
    /// What was wrong: the valid range and the value received.
    public let message: String

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }

    /// One line: `"<field> <message>"`. Line breaks in either part are replaced by spaces.
    public var description: String {
        "\(field) \(message)"
            .split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
            .joined(separator: " ")
    }
}

/// A plausible range for one numeric input, with its unit.
///
/// The upper end is always included. The lower end is included unless `includesLower` is false
/// (used where zero or less is impossible but any small positive value is acceptable).
public struct AssessmentRange: Sendable, Equatable {
    public let lower: Double
    public let upper: Double
    /// Unit written after the range in error messages; empty for dimensionless quantities (INR).
    public let unit: String
    public let includesLower: Bool

    /// Internal: the ranges are fixed in ``AssessmentRanges``; a malformed range is a programming error.
    init(_ lower: Double, _ upper: Double, unit: String, includesLower: Bool = true) {
        precondition(lower.isFinite && upper.isFinite && lower < upper, "invalid AssessmentRange")
        self.lower = lower
        self.upper = upper
        self.unit = unit
        self.includesLower = includesLower
    }

    /// `[50, 250] cm`, `(0, 500] mg`, `[0.5, 15]`.
    public var text: String {
        let r = "\(includesLower ? "[" : "(")\(formatNumber(lower)), \(formatNumber(upper))]"
        return unit.isEmpty ? r : "\(r) \(unit)"
    }

    /// True if `value` is finite and inside the range.
    public func contains(_ value: Double) -> Bool {
        guard value.isFinite else { return false }
        let aboveLower = includesLower ? value >= lower : value > lower
        return aboveLower && value <= upper
    }

    /// Returns `value` unchanged if it is finite and in range; throws ``AssessmentInputError`` otherwise.
    @discardableResult
    public func check(_ value: Double, field: String) throws -> Double {
        guard contains(value) else {
            throw AssessmentInputError(
                field: field,
                message: "must be a finite number in \(text); got \(formatNumber(value))")
        }
        return value
    }
}

/// Shortest text that round-trips the value, without a trailing ".0": 400 → "400",
/// 250.00000000000003 → "250.00000000000003" (so a rejected value never prints as an accepted one).
func formatNumber(_ x: Double) -> String {
    guard x.isFinite else { return x.isNaN ? "nan" : (x < 0 ? "-inf" : "inf") }
    if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
    return "\(x)"
}
