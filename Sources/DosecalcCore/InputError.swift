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

    /// The same error in the words of the boundary that read the input: the field and every `{name}`
    /// in the message are replaced by `name(field)` (a command-line flag, an input-file path).
    public func renamed(_ name: (String) -> String?) -> InputError {
        var text = message
        while let open = text.firstIndex(of: "{"), let close = text[open...].firstIndex(of: "}") {
            let key = String(text[text.index(after: open)..<close])
            text.replaceSubrange(open...close, with: name(key) ?? key)
        }
        return InputError(field: name(field) ?? field, text)
    }
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

    /// Whether `value` is finite and inside the range.
    public func contains(_ value: Double) -> Bool {
        guard value.isFinite else { return false }
        return (includesLower ? value >= lower : value > lower) && (includesUpper ? value <= upper : value < upper)
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

// MARK: - Strict number parsing
//
// Contract: `parseNumber` and `parsePercent` turn text typed by a person into a finite Double or
// throw an `InputError` whose description is one line. Accepted, after trimming ASCII spaces and
// tabs (nothing else) from both ends:
//     [+|-] digits [. [digits]] [(e|E) [+|-] digits]      e.g. 8, -2.5, 5., 1e-3, 6.02E+23
//     [+|-] . digits [(e|E) [+|-] digits]                 e.g. .5
// ASCII digits only; no hex, no digit separators (`_`, `,`), no "nan"/"inf", no control characters.
// A value that overflows to infinity, or a non-zero value that underflows to zero, is refused;
// subnormal values are kept as parsed (range checks refuse them where they make no sense).
// Negative zero is returned as +0.0, so "-0" is never printed back.

/// Parses a number typed by a person. Accepts "8", "8.0", "1e-3", ".5", "5."; refuses "", "nan",
/// "inf", "0x10", "1,5", "8x", "1e400" and non-ASCII digits. Never returns -0.0.
public func parseNumber(_ text: String, field: String) throws -> Double {
    switch StrictDecimal.parse(Substring(text).trimmingSpacesAndTabs()) {
    case .success(let v):
        return v
    case .failure(let problem):
        throw InputError(field: field, problem.message(expected: "a number such as 8, 2.5 or 1e-3", got: text))
    }
}

/// Parses a percentage: "8" and "8%" both mean 8 percent (never a fraction of 8). Spaces and tabs
/// around the number and before the "%" are allowed; otherwise exactly as strict as `parseNumber`.
public func parsePercent(_ text: String, field: String) throws -> Double {
    var t = Substring(text).trimmingSpacesAndTabs()
    if t.last == "%" { t = t.dropLast().trimmingSpacesAndTabs() }
    switch StrictDecimal.parse(t) {
    case .success(let v):
        return v
    case .failure(let problem):
        throw InputError(field: field, problem.message(expected: "a percentage such as 8 or 8%", got: text))
    }
}

/// Text made safe for a one-line message: control, format and line-separator characters are escaped
/// ("\n", "\t", "\u{202E}") and anything longer than `limit` Unicode scalars is cut to `limit`
/// followed by "…". The one escaping rule of every error line dosecalc prints.
public func oneLineText(_ text: String, limit: Int = .max) -> String {
    var out = ""
    var count = 0
    for scalar in text.unicodeScalars {
        if count == limit { out += "…"; break }
        count += 1
        switch scalar {
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            switch scalar.properties.generalCategory {
            case .control, .format, .lineSeparator, .paragraphSeparator, .surrogate, .unassigned, .privateUse:
                out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            default:
                out.unicodeScalars.append(scalar)
            }
        }
    }
    return out
}

/// Shows text a person typed inside a one-line message, escaped and cut to `limit` scalars
/// (`oneLineText`), in single quotes.
public func quotedForMessage(_ text: String, limit: Int = 40) -> String {
    "'" + oneLineText(text, limit: limit) + "'"
}

/// Why a text is not a strict decimal number.
enum NumberProblem: Error, Equatable {
    case empty, notFinite, decimalComma, syntax, overflow, underflow

    func message(expected: String, got text: String) -> String {
        let got = quotedForMessage(text)
        switch self {
        case .empty: return "is empty; expected \(expected)"
        case .notFinite: return "must be a finite number, not NaN or infinity; got \(got)"
        case .decimalComma: return "must use a point for decimals (2.5, not 2,5) and no thousands separators; got \(got)"
        case .syntax: return "must be \(expected), written with the digits 0-9; got \(got)"
        case .overflow: return "is too large to be represented; got \(got)"
        case .underflow: return "is too close to zero to be represented; got \(got)"
        }
    }
}

/// The strict decimal grammar shared by the number and percent parsers.
enum StrictDecimal {
    static func parse(_ text: Substring) -> Result<Double, NumberProblem> {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty else { return .failure(.empty) }
        guard let nonZeroMantissa = scan(bytes) else {
            let unsigned = text.first == "+" || text.first == "-" ? text.dropFirst() : text
            if ["nan", "inf", "infinity"].contains(unsigned.lowercased()) { return .failure(.notFinite) }
            if bytes.contains(UInt8(ascii: ",")) && bytes.allSatisfy({ isDigit($0) || $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "+") }) {
                return .failure(.decimalComma)
            }
            return .failure(.syntax)
        }
        // The grammar is checked above, so the standard library only converts (correctly rounded).
        guard let v = Double(String(decoding: bytes, as: UTF8.self)) else { return .failure(.syntax) }
        guard v.isFinite else { return .failure(.overflow) }
        if v == 0 { return nonZeroMantissa ? .failure(.underflow) : .success(0) }  // -0 → +0
        return .success(v)
    }

    /// Checks the grammar; returns whether any mantissa digit is non-zero, or nil if it does not match.
    private static func scan(_ b: [UInt8]) -> Bool? {
        var i = 0
        if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") { i += 1 }
        var digits = 0, nonZero = false
        while i < b.count, isDigit(b[i]) { nonZero = nonZero || b[i] != UInt8(ascii: "0"); digits += 1; i += 1 }
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            while i < b.count, isDigit(b[i]) { nonZero = nonZero || b[i] != UInt8(ascii: "0"); digits += 1; i += 1 }
        }
        guard digits > 0 else { return nil }
        if i < b.count, b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") {
            i += 1
            if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") { i += 1 }
            let start = i
            while i < b.count, isDigit(b[i]) { i += 1 }
            guard i > start else { return nil }
        }
        return i == b.count ? nonZero : nil
    }

    private static func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }
}

extension Substring {
    /// Drops ASCII spaces and tabs (only) from both ends.
    func trimmingSpacesAndTabs() -> Substring {
        var s = self
        while let c = s.first, c == " " || c == "\t" { s.removeFirst() }
        while let c = s.last, c == " " || c == "\t" { s.removeLast() }
        return s
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var s = Substring(self)
        while let c = s.first, c.isWhitespace { s.removeFirst() }
        while let c = s.last, c.isWhitespace { s.removeLast() }
        return String(s)
    }
}
