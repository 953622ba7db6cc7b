// SPDX-License-Identifier: GPL-3.0-or-later
// parseNumber / parsePercent: only plain ASCII decimals become numbers; every refusal is one line.
import Testing
import TestSupport
@testable import DosecalcCore

/// 1e-320 as its bit pattern (2024 × 2^-1074, from Python struct.pack("<d", 1e-320)); a literal would warn.
private let oneE320 = Double(bitPattern: 2024)

@Test(arguments: [
    ("8", 8.0), ("8.0", 8.0), ("-2.5", -2.5), ("+2.5", 2.5), ("1e-3", 0.001), ("6.02E+23", 6.02e23),
    (".5", 0.5), ("5.", 5.0), ("  7\t", 7.0), ("0.000", 0.0), ("1E5", 100_000.0),
    ("1.7976931348623157e308", Double.greatestFiniteMagnitude),
])
func numberAccepted(text: String, expected: Double) throws {
    #expect(try parseNumber(text, field: "x") == expected)
}

@Test(arguments: [
    "", "   ", ".", "0x10", "0X1A", "1,5", "1,000.5", "\u{0663}", "\u{FF13}", "3\u{0663}", "1\n", "\n1", "1\r\n",
    "1\u{0}", "\u{7F}1", "nan", "NaN", "-nan", "inf", "+inf", "-inf", "Infinity", "infinity", "+-1", "-+1",
    "--1", "1e", "1e+", "e5", "1_000", "1e400", "-1e400", "1e-400", "8x", "1.2.3", "1 2", "\u{00A0}1",
    "1\u{2028}", "１", "0b1", "%", "8%",
])
func numberRefused(text: String) {
    #expect(throws: InputError.self) { try parseNumber(text, field: "dose") }
}

@Test(arguments: ["-0", "-0.0", "-0e5", "+0", "-.0", "0"])
func negativeZeroBecomesPositiveZero(text: String) throws {
    let v = try parseNumber(text, field: "x")
    #expect(v == 0)
    #expect(v.sign == .plus)
    #expect(Format.number(v) == "0")
}

@Test func subnormalKeepsItsValue() throws {
    let v = try parseNumber("1e-320", field: "x")
    #expect(v != 0)
    #expect(v.isSubnormal)
    #expect(v == oneE320)
    // The smallest subnormal: 4.9e-324 rounds to it (2^-1074), not to zero.
    #expect(try parseNumber("4.9e-324", field: "x") == Double.leastNonzeroMagnitude)
}

@Test func underflowToZeroIsRefusedButZeroIsNot() throws {
    #expect(throws: InputError.self) { try parseNumber("2e-324", field: "x") }
    #expect(try parseNumber("0e-999", field: "x") == 0)
}

@Test(arguments: ["1\n2", "bad\r\nvalue", "\u{202E}1", String(repeating: "9x\n", count: 100), "a\tb\u{0}c"])
func messagesAreOneLine(text: String) {
    for parse in [parseNumber, parsePercent] {
        do {
            _ = try parse(text, "--lung-shunt")
            Issue.record("accepted \(text.debugDescription)")
        } catch {
            let d = String(describing: error)
            #expect(!d.contains("\n") && !d.contains("\r") && !d.contains("\u{0}") && !d.contains("\u{202E}"))
            #expect(d.hasPrefix("--lung-shunt: "))
            #expect(d.count < 200)
        }
    }
}

@Test func messagesEscapeAndTruncate() {
    #expect(quotedForMessage("1\n2") == "'1\\n2'")
    #expect(quotedForMessage("a\u{202E}b") == "'a\\u{202E}b'")
    #expect(quotedForMessage(String(repeating: "7", count: 41)) == "'" + String(repeating: "7", count: 40) + "…'")
    #expect(quotedForMessage(String(repeating: "7", count: 40)) == "'" + String(repeating: "7", count: 40) + "'")
}

@Test func messagesUsePlainWords() throws {
    func message(_ text: String) -> String {
        do { _ = try parseNumber(text, field: "--activity"); return "" } catch { return String(describing: error) }
    }
    #expect(message("1,5") == "--activity: must use a point for decimals (2.5, not 2,5) and no thousands separators; got '1,5'")
    #expect(message("nan") == "--activity: must be a finite number, not NaN or infinity; got 'nan'")
    #expect(message("0x10") == "--activity: must be a number such as 8, 2.5 or 1e-3, written with the digits 0-9; got '0x10'")
    #expect(message("1e400") == "--activity: is too large to be represented; got '1e400'")
    #expect(message("") == "--activity: is empty; expected a number such as 8, 2.5 or 1e-3")
}

@Test(arguments: [("8", 8.0), ("8%", 8.0), (" 8 % ", 8.0), ("0.5%", 0.5), ("100", 100.0), ("-0%", 0.0)])
func percentAccepted(text: String, expected: Double) throws {
    let v = try parsePercent(text, field: "--lung-shunt")
    #expect(v == expected)
    #expect(v.sign == .plus || v != 0)
}

@Test(arguments: ["", "%", "8%%", "%8", "0.08x", "nan%", "8 %\n", "8,5%", "0x8%", "\u{0668}%"])
func percentRefused(text: String) {
    #expect(throws: InputError.self) { try parsePercent(text, field: "--lung-shunt") }
}

/// Property: the shortest round-trip description of any finite double parses back to exactly it
/// (negative zero to +0). Random bit patterns cover normals, subnormals and both signs.
@Test func descriptionsOfRandomDoublesRoundTrip() throws {
    var rng = SeededGenerator(seed: 0xD05E_CA1C)
    var checked = 0
    while checked < 20_000 {
        let x = Double(bitPattern: rng.next())
        guard x.isFinite else { continue }
        checked += 1
        let parsed = try parseNumber(String(x), field: "x")
        #expect(parsed == x, "\(x)")
        if x == 0 { #expect(parsed.sign == .plus) }
        else { #expect(parsed.bitPattern == x.bitPattern, "\(x)") }
    }
    // Ordinary magnitudes too, in fixed and exponent notation.
    for _ in 0..<5_000 {
        let x = Double.random(in: -1e6...1e6, using: &rng)
        #expect(try parseNumber(String(x), field: "x") == x)
        #expect(try parsePercent(String(x) + "%", field: "x") == x)
    }
}
