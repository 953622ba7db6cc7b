// SPDX-License-Identifier: GPL-3.0-or-later
import Foundation

// Strict JSON (RFC 8259) into a value tree, so that a document is checked before any of it is used.
//
// Contract: `JSONValue.parse` accepts exactly one RFC 8259 value (any type at the top level) in
// UTF-8, surrounded by optional JSON whitespace (space, tab, LF, CR); a leading UTF-8 byte order
// mark is ignored, as RFC 8259 §8.1 permits. It refuses, with a `JSONSyntaxError` naming the path,
// line and column: duplicate keys in one object, trailing commas, comments, single quotes, leading
// zeros, NaN/Infinity, numbers that overflow to infinity or underflow from non-zero to zero,
// unescaped control characters in strings, invalid escapes, lone surrogates, invalid UTF-8,
// anything after the value, and nesting deeper than `JSONValue.maximumDepth`. Negative zero is
// read as +0. Object members keep their order.
//
// `serialized()` writes compact JSON (keys in order, numbers as Swift's shortest round-trip
// description) that re-parses equal and can be fed to JSONDecoder.

/// One member of a JSON object.
public struct JSONMember: Sendable, Equatable {
    public let key: String
    public let value: JSONValue

    public init(key: String, value: JSONValue) {
        self.key = key
        self.value = value
    }
}

/// A JSON value. Equality is structural and includes the order of object members.
public indirect enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([JSONMember])

    /// Arrays and objects nested deeper than this are refused.
    public static let maximumDepth = 64

    /// Parses one strict RFC 8259 document; see the contract at the top of this file.
    public static func parse(_ data: Data) throws(JSONSyntaxError) -> JSONValue {
        let result: Result<JSONValue, JSONSyntaxError> = data.withUnsafeBytes { raw in
            var parser = JSONParser(raw.bindMemory(to: UInt8.self))
            return Result { () throws(JSONSyntaxError) in try parser.parseDocument() }
        }
        return try result.get()
    }

    /// The value of `key` if this is an object that has it.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }

    /// Every object member's path, e.g. "anatomy.territories[1].tumors[0].massG". With
    /// `arrayIndices: false` indices are written "[]" ("anatomy.territories[].tumors[].massG"),
    /// which suits checking keys against a list of known ones.
    public func keyPaths(arrayIndices: Bool = true) -> Set<String> {
        var paths = Set<String>()
        func walk(_ value: JSONValue, _ path: String) {
            switch value {
            case .array(let items):
                for (i, item) in items.enumerated() { walk(item, path + (arrayIndices ? "[\(i)]" : "[]")) }
            case .object(let members):
                for m in members {
                    let p = JSONPath.appending(key: m.key, to: path)
                    paths.insert(p)
                    walk(m.value, p)
                }
            default:
                break
            }
        }
        walk(self, "")
        return paths
    }

    /// Compact JSON in UTF-8. Non-finite numbers (which `parse` never produces, but code could
    /// construct) are written as `null`, so they can never come back as numbers.
    public func serialized() -> Data {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(to: &out)
        return Data(out)
    }

    private func write(to out: inout [UInt8]) {
        switch self {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .number(let x):
            if !x.isFinite { out.append(contentsOf: "null".utf8) }
            else if x == 0 { out.append(contentsOf: "0.0".utf8) }  // never "-0.0"
            else { out.append(contentsOf: x.description.utf8) }
        case .string(let s): JSONValue.writeString(s, to: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                item.write(to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            for (i, m) in members.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                JSONValue.writeString(m.key, to: &out)
                out.append(UInt8(ascii: ":"))
                m.value.write(to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    private static func writeString(_ s: String, to out: inout [UInt8]) {
        let hex = Array("0123456789abcdef".utf8)
        out.append(UInt8(ascii: "\""))
        for c in s.utf8 {
            switch c {
            case UInt8(ascii: "\""): out += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
            case UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case UInt8(ascii: "\n"): out += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case UInt8(ascii: "\r"): out += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case UInt8(ascii: "\t"): out += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
            case 0..<0x20: out += [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(c >> 4)], hex[Int(c & 15)]]
            default: out.append(c)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}

/// Why a JSON document was refused. Its description is one line.
public struct JSONSyntaxError: Error, CustomStringConvertible, Sendable, Equatable {
    /// Where in the document, e.g. "anatomy.territories[1].tumors[0].massG"; "" for the top level.
    public let path: String
    public let message: String
    /// 1-based line and column (in Unicode scalars) of the offending text, when there is one.
    public let line: Int?
    public let column: Int?

    public init(path: String, message: String, line: Int? = nil, column: Int? = nil) {
        self.path = path
        self.message = message
        self.line = line
        self.column = column
    }

    public var description: String {
        let place = path.isEmpty ? "" : " at \(path)"
        let position = line.map { " (line \($0), column \(column ?? 1))" } ?? ""
        return "invalid JSON\(place)\(position): \(message)"
    }
}

/// Paths written as in JavaScript: `.key` for plain keys, `["key"]` for any other key, `[i]` for indices.
enum JSONPath {
    static func appending(key: String, to path: String) -> String {
        let plain = key.utf8.first.map { !isDigit($0) } ?? false
            && key.utf8.allSatisfy { isDigit($0) || ($0 | 0x20 >= UInt8(ascii: "a") && $0 | 0x20 <= UInt8(ascii: "z")) || $0 == UInt8(ascii: "_") }
        if plain { return path.isEmpty ? key : path + "." + key }
        var quoted: [UInt8] = []
        JSONValue.string(key).serialized().withUnsafeBytes { quoted = Array($0) }
        return path + "[" + String(decoding: quoted, as: UTF8.self) + "]"
    }

    private static func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }
}

/// A recursive-descent parser over the document's bytes. Linear time: every byte is looked at a
/// bounded number of times; line and column are worked out only when an error is thrown.
private struct JSONParser {
    private enum Step { case key(String), index(Int) }

    private let bytes: UnsafeBufferPointer<UInt8>
    private var i = 0
    private var path: [Step] = []
    private var scratch: [UInt8] = []

    init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    mutating func parseDocument() throws(JSONSyntaxError) -> JSONValue {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3 }
        skipWhitespace()
        guard i < bytes.count else { throw error("the document is empty") }
        let value = try parseValue(depth: 0)
        skipWhitespace()
        guard i == bytes.count else { throw error("unexpected \(describeByte()) after the end of the document") }
        return value
    }

    // MARK: Values

    private mutating func parseValue(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        guard i < bytes.count else { throw error("the document ends where a value was expected") }
        switch bytes[i] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"):
            if bytes.count - i > 1, bytes[i + 1] == UInt8(ascii: "a") { throw error("NaN is not a JSON number") }
            try literal("null"); return .null
        case UInt8(ascii: "N"), UInt8(ascii: "I"), UInt8(ascii: "+"):
            throw error("NaN, Infinity and a leading + are not JSON numbers")
        case UInt8(ascii: "'"): throw error("strings must be in double quotes, not single quotes")
        case UInt8(ascii: "/"): throw error("comments are not allowed in JSON")
        case UInt8(ascii: "]"), UInt8(ascii: "}"), UInt8(ascii: ","):
            throw error("a value is missing (is there a trailing or doubled comma?)")
        default: throw error("unexpected \(describeByte()) where a value was expected")
        }
    }

    private mutating func parseObject(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        guard depth <= JSONValue.maximumDepth else { throw error("arrays and objects are nested more than \(JSONValue.maximumDepth) deep") }
        i += 1
        var members: [JSONMember] = []
        var seen = Set<String>()
        skipWhitespace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return .object([]) }
        while true {
            skipWhitespace()
            guard i < bytes.count else { throw error("the document ends inside an object") }
            switch bytes[i] {
            case UInt8(ascii: "\""): break
            case UInt8(ascii: "}"): throw error("a trailing comma before } is not allowed")
            case UInt8(ascii: "'"): throw error("keys must be in double quotes, not single quotes")
            case UInt8(ascii: "/"): throw error("comments are not allowed in JSON")
            default: throw error("expected a key in double quotes but found \(describeByte())")
            }
            let keyStart = i
            let key = try parseString()
            path.append(.key(key))
            guard seen.insert(key).inserted else { i = keyStart; throw error("duplicate key \(quotedForMessage(key))") }
            skipWhitespace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw error("expected ':' after the key") }
            i += 1
            skipWhitespace()
            members.append(JSONMember(key: key, value: try parseValue(depth: depth)))
            path.removeLast()
            skipWhitespace()
            guard i < bytes.count else { throw error("the document ends inside an object") }
            switch bytes[i] {
            case UInt8(ascii: ","): i += 1
            case UInt8(ascii: "}"): i += 1; return .object(members)
            default: throw error("expected ',' or '}' but found \(describeByte())")
            }
        }
    }

    private mutating func parseArray(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        guard depth <= JSONValue.maximumDepth else { throw error("arrays and objects are nested more than \(JSONValue.maximumDepth) deep") }
        i += 1
        var items: [JSONValue] = []
        skipWhitespace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return .array([]) }
        while true {
            path.append(.index(items.count))
            skipWhitespace()
            if i < bytes.count, bytes[i] == UInt8(ascii: "]") { throw error("a trailing comma before ] is not allowed") }
            items.append(try parseValue(depth: depth))
            path.removeLast()
            skipWhitespace()
            guard i < bytes.count else { throw error("the document ends inside an array") }
            switch bytes[i] {
            case UInt8(ascii: ","): i += 1
            case UInt8(ascii: "]"): i += 1; return .array(items)
            default: throw error("expected ',' or ']' but found \(describeByte())")
            }
        }
    }

    private mutating func literal(_ word: StaticString) throws(JSONSyntaxError) {
        let w = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        guard bytes.count - i >= w.count, UnsafeBufferPointer(rebasing: bytes[i..<i + w.count]).elementsEqual(w) else {
            throw error("unexpected \(describeByte()) where a value was expected (true, false and null are lower case)")
        }
        i += w.count
    }

    // MARK: Numbers

    /// -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?
    private mutating func parseNumber() throws(JSONSyntaxError) -> Double {
        let start = i
        var nonZero = false
        if bytes[i] == UInt8(ascii: "-") { i += 1 }
        guard i < bytes.count, isDigit(bytes[i]) else {
            if i < bytes.count, bytes[i] == UInt8(ascii: "I") { throw error("NaN and Infinity are not JSON numbers") }
            throw error("a minus sign must be followed by digits")
        }
        if bytes[i] == UInt8(ascii: "0") {
            i += 1
            if i < bytes.count, isDigit(bytes[i]) { i = start; throw error("numbers must not have leading zeros") }
        } else {
            while i < bytes.count, isDigit(bytes[i]) { nonZero = true; i += 1 }
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
            i += 1
            guard i < bytes.count, isDigit(bytes[i]) else { throw error("a decimal point must be followed by digits") }
            while i < bytes.count, isDigit(bytes[i]) { nonZero = nonZero || bytes[i] != UInt8(ascii: "0"); i += 1 }
        }
        if i < bytes.count, bytes[i] | 0x20 == UInt8(ascii: "e") {
            i += 1
            if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
            guard i < bytes.count, isDigit(bytes[i]) else { throw error("an exponent must have digits") }
            while i < bytes.count, isDigit(bytes[i]) { i += 1 }
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
        guard let v = Double(text), v.isFinite else { i = start; throw error("the number \(text.prefix(40)) is too large to be represented") }
        if v == 0 {
            guard !nonZero else { i = start; throw error("the number \(text.prefix(40)) is too close to zero to be represented") }
            return 0  // -0 → +0
        }
        return v
    }

    // MARK: Strings

    private mutating func parseString() throws(JSONSyntaxError) -> String {
        i += 1  // opening quote
        let start = i
        // Fast path: no escapes, so the bytes (checked as UTF-8) are the string.
        while i < bytes.count {
            let c = bytes[i]
            if c == UInt8(ascii: "\"") {
                let s = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
                i += 1
                return s
            }
            if c == UInt8(ascii: "\\") { break }
            try checkedCharacter()
        }
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<i]))
        while i < bytes.count {
            let c = bytes[i]
            if c == UInt8(ascii: "\"") {
                i += 1
                return String(decoding: scratch, as: UTF8.self)
            }
            if c == UInt8(ascii: "\\") {
                try parseEscape()
            } else {
                let from = i
                try checkedCharacter()
                scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[from..<i]))
            }
        }
        throw error("a string is not closed (missing \")")
    }

    /// Steps over one unescaped character, refusing control characters and invalid UTF-8.
    private mutating func checkedCharacter() throws(JSONSyntaxError) {
        let c = bytes[i]
        if c < 0x20 { throw error("a control character (\(quotedForMessage(String(UnicodeScalar(c))))) inside a string must be escaped") }
        if c < 0x80 { i += 1; return }
        // UTF-8 well-formed byte sequences, Unicode Table 3-7: no overlongs, no surrogates, ≤ U+10FFFF.
        let (count, low, high): (Int, UInt8, UInt8) = switch c {
        case 0xC2...0xDF: (2, 0x80, 0xBF)
        case 0xE0: (3, 0xA0, 0xBF)
        case 0xE1...0xEC, 0xEE...0xEF: (3, 0x80, 0xBF)
        case 0xED: (3, 0x80, 0x9F)
        case 0xF0: (4, 0x90, 0xBF)
        case 0xF1...0xF3: (4, 0x80, 0xBF)
        case 0xF4: (4, 0x80, 0x8F)
        default: (0, 0, 0)
        }
        guard count > 0, i + count <= bytes.count, (low...high).contains(bytes[i + 1]),
              (2..<count).allSatisfy({ (0x80...0xBF).contains(bytes[i + $0]) }) else {
            throw error("the text is not valid UTF-8")
        }
        i += count
    }

    private mutating func parseEscape() throws(JSONSyntaxError) {
        let escapeStart = i
        i += 1
        guard i < bytes.count else { throw error("a string is not closed (missing \")") }
        let c = bytes[i]
        i += 1
        switch c {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scratch.append(c)
        case UInt8(ascii: "b"): scratch.append(0x08)
        case UInt8(ascii: "f"): scratch.append(0x0C)
        case UInt8(ascii: "n"): scratch.append(0x0A)
        case UInt8(ascii: "r"): scratch.append(0x0D)
        case UInt8(ascii: "t"): scratch.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try hex4()
            if (0xDC00...0xDFFF).contains(scalar) {
                i = escapeStart; throw error("a \\u escape is an unpaired low surrogate")
            }
            if (0xD800...0xDBFF).contains(scalar) {
                guard bytes.count - i >= 6, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") else {
                    i = escapeStart; throw error("a \\u escape is an unpaired high surrogate")
                }
                i += 2
                let low = try hex4()
                guard (0xDC00...0xDFFF).contains(low) else { i = escapeStart; throw error("a \\u escape is an unpaired high surrogate") }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            }
            UTF8.encode(UnicodeScalar(scalar)!) { scratch.append($0) }
        default:
            i = escapeStart
            throw error("invalid escape \(quotedForMessage(String(decoding: [UInt8(ascii: "\\"), c], as: UTF8.self))) (valid: \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)")
        }
    }

    private mutating func hex4() throws(JSONSyntaxError) -> UInt32 {
        guard bytes.count - i >= 4 else { throw error("a \\u escape needs four hexadecimal digits") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[i]
            let d: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = c - UInt8(ascii: "A") + 10
            default: throw error("a \\u escape needs four hexadecimal digits")
            }
            v = v << 4 | UInt32(d)
            i += 1
        }
        return v
    }

    // MARK: Helpers

    private mutating func skipWhitespace() {
        while i < bytes.count {
            switch bytes[i] {
            case 0x20, 0x09, 0x0A, 0x0D: i += 1
            default: return
            }
        }
    }

    private func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }

    /// The byte at the current position, for a message.
    private func describeByte() -> String {
        guard i < bytes.count else { return "end of document" }
        let c = bytes[i]
        if c < 0x80 { return "character \(quotedForMessage(String(UnicodeScalar(c))))" }
        return "byte 0x" + String(c, radix: 16, uppercase: true)
    }

    /// An error at the current position and path. Line and column are counted here, once.
    private func error(_ message: String) -> JSONSyntaxError {
        var line = 1, column = 1
        for b in bytes[..<min(i, bytes.count)] {
            if b == 0x0A { line += 1; column = 1 } else if b & 0xC0 != 0x80 { column += 1 }
        }
        var text = ""
        for step in path {
            switch step {
            case .key(let k): text = JSONPath.appending(key: k, to: text)
            case .index(let n): text += "[\(n)]"
            }
        }
        return JSONSyntaxError(path: text, message: message, line: line, column: column)
    }
}
