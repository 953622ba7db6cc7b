// SPDX-License-Identifier: GPL-3.0-or-later
// Strict JSON: the value tree, every refusal with its path and position, and round trips.
import Foundation
import Testing
import TestSupport
@testable import DosecalcCore

/// 1e-320 as its bit pattern (2024 × 2^-1074, from Python struct.pack("<d", 1e-320)); a literal would warn.
private let oneE320 = Double(bitPattern: 2024)

private func parse(_ text: String) throws(JSONSyntaxError) -> JSONValue { try JSONValue.parse(Data(text.utf8)) }

private func refusal(_ text: String) -> JSONSyntaxError? {
    do { _ = try parse(text); return nil } catch { return error }
}

private func refusal(bytes: [UInt8]) -> JSONSyntaxError? {
    do { _ = try JSONValue.parse(Data(bytes)); return nil } catch { return error }
}

@Test func parsesAValueTreeWithOrderedKeys() throws {
    let v = try parse(#" { "b": [1, -2.5e3, true, false, null], "a": {"x": "y\n\u00e9\ud83d\ude00"}, "": 0 } "#)
    #expect(v == .object([
        JSONMember(key: "b", value: .array([.number(1), .number(-2500), .bool(true), .bool(false), .null])),
        JSONMember(key: "a", value: .object([JSONMember(key: "x", value: .string("y\né😀"))])),
        JSONMember(key: "", value: .number(0)),
    ]))
    #expect(v["a"]?["x"] == .string("y\né😀"))
    #expect(v["missing"] == nil)
    #expect(v["b"]?["x"] == nil)
    #expect(v.serialized() == Data(#"{"b":[1.0,-2500.0,true,false,null],"a":{"x":"y\né😀"},"":0.0}"#.utf8))
}

@Test(arguments: ["0", "-0", "\"\"", "true", "null", "[]", "{}", " [ ] ", "\u{FEFF}{}", "1E+2", "1e-2", "-0.0e0", "[[[]]]", "\"\\u0000\""])
func acceptsEveryRFCForm(text: String) throws {
    _ = try parse(text)
}

@Test func negativeZeroIsReadAsPositiveZero() throws {
    guard case .number(let x) = try parse("-0.0") else { Issue.record("not a number"); return }
    #expect(x == 0 && x.sign == .plus)
    #expect(JSONValue.number(-0.0).serialized() == Data("0.0".utf8))
}

@Test func subnormalNumbersKeepTheirValue() throws {
    #expect(try parse("1e-320") == .number(oneE320))
    #expect(refusal("1e-400") != nil)
}

@Test func duplicateKeysNameTheirPath() throws {
    let text = """
    {"anatomy": {"territories": [
      {"tumors": []},
      {"tumors": [{"massG": 12, "massG": 13}]}
    ]}}
    """
    let e = try #require(refusal(text))
    #expect(e.path == "anatomy.territories[1].tumors[0].massG")
    #expect(e.line == 3 && e.column == 29)  // the second "massG" starts at column 29 of line 3
    #expect(e.description == "invalid JSON at anatomy.territories[1].tumors[0].massG (line 3, column 29): duplicate key 'massG'")
    #expect(try #require(refusal(#"{"a":1,"b":2,"a":3}"#)).path == "a")
    #expect(try #require(refusal(#"{"x":{"odd key":1,"odd key":2}}"#)).path == #"x["odd key"]"#)
}

/// Every kind of document the contract refuses, one at a time.
@Test(arguments: [
    ("", "empty"), ("   ", "empty"), ("[1,2,]", "trailing comma"), (#"{"a":1,}"#, "trailing comma"),
    ("[1,,2]", "missing"), ("[,]", "missing"), ("[1 2]", "expected ','"), (#"{"a" 1}"#, "expected ':'"),
    ("// c\n1", "comments"), ("[1 /* c */]", "expected ','"), ("/* c */ 1", "comments"),
    ("'a'", "single quotes"), ("{'a':1}", "single quotes"), ("01", "leading zeros"), ("-01", "leading zeros"),
    ("00", "leading zeros"), ("NaN", "NaN"), ("nan", "NaN"), ("Infinity", "Infinity"), ("-Infinity", "Infinity"),
    ("+1", "leading +"), (".5", "value"), ("1.", "decimal point"), ("1e", "exponent"), ("1e+", "exponent"),
    ("-", "minus"), ("0x10", "after the end"), ("1e400", "too large"), ("-1e400", "too large"),
    ("1e-400", "too close to zero"), ("\"a\nb\"", "control character"), ("\"a\tb\"", "control character"),
    ("\"\\x41\"", "invalid escape"), ("\"\\'\"", "invalid escape"), ("\"\\u12\"", "four hexadecimal"),
    ("\"\\uD800\"", "unpaired high"), ("\"\\uD800\\u0041\"", "unpaired high"), ("\"\\uDC00\"", "unpaired low"),
    ("\"abc", "not closed"), ("[1", "ends inside an array"), (#"{"a":1"#, "ends inside an object"),
    ("{} {}", "after the end"), ("1 x", "after the end"), ("True", "unexpected character"),
    ("nul", "lower case"), ("[true false]", "expected ','"), ("{1:2}", "expected a key"),
    ("\u{00A0}1", "byte 0xC2"), ("\u{000C}1", "unexpected character '\\u{C}'"),
])
func refusesWithAReason(text: String, reason: String) throws {
    let e = try #require(refusal(text), "accepted \(text.debugDescription)")
    #expect(e.message.contains(reason), "\(e)")
    #expect(!e.description.contains("\n") && !e.description.contains("\t"))
}

@Test(arguments: [
    [0x22, 0xC3, 0x28, 0x22],               // bad continuation byte
    [0x22, 0xC0, 0xAF, 0x22],               // overlong "/"
    [0x22, 0xE0, 0x80, 0xAF, 0x22],         // overlong, three bytes
    [0x22, 0xED, 0xA0, 0x80, 0x22],         // UTF-8 encoded surrogate U+D800
    [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22],   // beyond U+10FFFF
    [0x22, 0xFF, 0x22],                     // never valid
    [0x22, 0xE2, 0x82, 0x22],               // truncated sequence
    [0x22, 0x80, 0x22],                     // lone continuation byte
] as [[UInt8]])
func refusesInvalidUTF8(bytes: [UInt8]) throws {
    let e = try #require(refusal(bytes: bytes))
    #expect(e.message == "the text is not valid UTF-8")
    #expect(e.column == 2)
}

@Test func nestingIsLimitedTo64() throws {
    let ok = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
    _ = try parse(ok)
    let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
    #expect(try #require(refusal(deep)).message.contains("nested more than 64"))
    let deepObjects = String(repeating: #"{"a":"#, count: 65) + "1" + String(repeating: "}", count: 65)
    #expect(try #require(refusal(deepObjects)).message.contains("nested more than 64"))
    // Very deep input is refused without exhausting the stack.
    #expect(refusal(String(repeating: "[", count: 1_000_000)) != nil)
}

@Test func errorsGiveLineAndColumnInCharacters() throws {
    let e = try #require(refusal("{\n  \"é\": [1,\n   2,]\n}"))
    #expect(e.path == #"["é"][2]"#)  // keys other than ASCII letters, digits and _ are bracketed
    #expect(e.line == 3 && e.column == 6)
    #expect(e.description == "invalid JSON at [\"é\"][2] (line 3, column 6): a trailing comma before ] is not allowed")
}

@Test func keyPathsListEveryMember() throws {
    let v = try parse(#"{"a":{"b":[{"c":1},{"d":[{"e":2}]}]},"f g":null}"#)
    #expect(v.keyPaths() == ["a", "a.b", "a.b[0].c", "a.b[1].d", "a.b[1].d[0].e", #"["f g"]"#])
    #expect(v.keyPaths(arrayIndices: false) == ["a", "a.b", "a.b[].c", "a.b[].d", "a.b[].d[].e", #"["f g"]"#])
}

@Test func serializationEscapesStrings() throws {
    let s = JSONValue.string("q\"b\\s/\n\r\t\u{1}\u{1F}\u{7F}é")
    #expect(String(decoding: s.serialized(), as: UTF8.self) == #""q\"b\\s/\n\r\t\u0001\u001f\#u{7F}é""#)
    #expect(try JSONValue.parse(s.serialized()) == s)
    #expect(JSONValue.array([.number(.nan), .number(.infinity)]).serialized() == Data("[null,null]".utf8))
}

@Test func serializedDocumentsFeedJSONDecoder() throws {
    struct Tumor: Decodable, Equatable { let massG: Double; let name: String }
    let v = try parse(#"{"massG": 1e-320, "name": "seg \u0038"}"#)
    let t = try JSONDecoder().decode(Tumor.self, from: v.serialized())
    #expect(t == Tumor(massG: oneE320, name: "seg 8"))
}

@Test func largeDocumentsParseInLinearTime() throws {
    // ~1.5 MB: 20,000 objects with escaped strings and numbers.
    var text = "["
    for i in 0..<20_000 {
        text += (i > 0 ? "," : "") + #"{"id":\#(i),"name":"item \"\#(i)\" é","v":[1.5e-3,true,null]}"#
    }
    text += "]"
    let start = ContinuousClock.now
    let v = try parse(text)
    let elapsed = ContinuousClock.now - start
    guard case .array(let items) = v else { Issue.record("not an array"); return }
    #expect(items.count == 20_000)
    #expect(items[19_999]["name"] == .string("item \"19999\" é"))
    #expect(elapsed < .seconds(10), "\(elapsed)")  // generous for debug builds; quadratic would take minutes
}

// MARK: Property: random trees survive serialized() → parse

private func randomString(_ rng: inout SeededGenerator) -> String {
    let pool: [Unicode.Scalar] = ["a", "Z", "0", " ", "\"", "\\", "/", "\n", "\r", "\t", "\u{0}", "\u{1F}", "\u{7F}",
                                  "é", "\u{2028}", "\u{FEFF}", "中", "😀", "\u{10FFFF}", "\u{E000}"]
    var s = String.UnicodeScalarView()
    for _ in 0..<Int.random(in: 0...8, using: &rng) { s.append(pool.randomElement(using: &rng)!) }
    return String(s)
}

private func randomNumber(_ rng: inout SeededGenerator) -> Double {
    switch Int.random(in: 0..<3, using: &rng) {
    case 0: return Double(Int.random(in: -1000...1000, using: &rng))
    case 1: return Double.random(in: -1e3...1e3, using: &rng)
    default:
        while true {
            let x = Double(bitPattern: rng.next())
            if x.isFinite { return x == 0 ? 0 : x }
        }
    }
}

private func randomTree(_ rng: inout SeededGenerator, depth: Int) -> JSONValue {
    let kind = Int.random(in: 0..<(depth >= 6 ? 4 : 6), using: &rng)
    switch kind {
    case 0: return .null
    case 1: return .bool(Bool.random(using: &rng))
    case 2: return .number(randomNumber(&rng))
    case 3: return .string(randomString(&rng))
    case 4: return .array((0..<Int.random(in: 0...4, using: &rng)).map { _ in randomTree(&rng, depth: depth + 1) })
    default:
        var keys = Set<String>()
        var members: [JSONMember] = []
        for _ in 0..<Int.random(in: 0...4, using: &rng) {
            let key = randomString(&rng)
            if keys.insert(key).inserted { members.append(JSONMember(key: key, value: randomTree(&rng, depth: depth + 1))) }
        }
        return .object(members)
    }
}

@Test func randomTreesRoundTrip() throws {
    var rng = SeededGenerator(seed: 8259)
    for _ in 0..<2_000 {
        let tree = randomTree(&rng, depth: 0)
        let data = tree.serialized()
        let back = try JSONValue.parse(data)
        #expect(back == tree, "\(String(decoding: data, as: UTF8.self))")
        #expect(back.serialized() == data)
    }
}
