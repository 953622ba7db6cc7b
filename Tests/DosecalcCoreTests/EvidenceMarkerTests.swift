// SPDX-License-Identifier: GPL-3.0-or-later
// The hand scan of evidence markers ("[V]", "[R: recalled value]") must find exactly what the
// regular expression of the marker finds; the expression is the independent oracle here.
import Foundation
import Testing
import TestSupport
@testable import DosecalcCore

@Suite("Evidence markers")
struct EvidenceMarkerTests {
    func byExpression(_ s: String) -> String {
        PlainWords.replace(s, pattern: PlainWords.evidenceMarkerPattern) { "<" + $0 + ">" }
    }
    func byScan(_ s: String) -> String {
        PlainWords.replaceEvidenceMarkers(s) { "<" + $0 + ">" }
    }

    @Test("hand-written cases", arguments: [
        ("[V]", "<[V]>"), ("x [R] y", "x <[R]> y"), ("[V vial, R practice]", "<[V vial, R practice]>"),
        ("[X]", "[X]"), ("[V", "[V"), ("[Vx]", "[Vx]"), ("[[V]]", "[<[V]>]"), ("[V: a [R] b]", "[V: a <[R]> b]"),
        ("[]", "[]"), ("", ""), ("[A;]", "<[A;]>"), ("µ [C: 5 µm] ×", "µ <[C: 5 µm]> ×"), ("[D,][V]", "<[D,]><[V]>"),
    ])
    func cases(_ input: String, _ expected: String) {
        #expect(byScan(input) == expected)
        #expect(byExpression(input) == expected)
    }

    @Test("property: on random text the scan and the expression agree")
    func agree() {
        var g = SeededGenerator(seed: 20261204)
        let alphabet: [String] = ["[", "]", "V", "R", "C", "D", "A", "X", " ", ":", ";", ",", "a", "µ", "×", "1", "\n", "[V]", "[R "]
        for _ in 0..<5000 {
            let n = Int.random(in: 0..<24, using: &g)
            let s = (0..<n).map { _ in alphabet.randomElement(using: &g)! }.joined()
            #expect(byScan(s) == byExpression(s), "\(s.debugDescription)")
        }
    }
}

@Suite("Identifier scans against their regular expressions")
struct IdentifierScanTests {
    @Test("input paths, camelCase identifiers and field tokens: the scans find exactly what the expressions find", arguments: [0, 1, 2])
    func agree(_ which: Int) {
        var g = SeededGenerator(seed: 4242 + UInt64(which))
        let alphabet: [String] = ["treatment", "anatomy", "patient", ".", "[", "]", "0", "12", "a", "b", "Gy", "tumor", "Target", "x", "_", "/", "-",
                                  " ", "é", "µ", "(", ")", ";", "territories", "lung", "Shunt", "A", "z9"]
        for _ in 0..<4000 {
            let s = (0..<Int.random(in: 0..<14, using: &g)).map { _ in alphabet.randomElement(using: &g)! }.joined()
            switch which {
            case 0:
                #expect(PlainWords.replaceInputPaths(s) { "<" + $0 + ">" } == PlainWords.replace(s, pattern: PlainWords.inputPathPattern) { "<" + $0 + ">" }, "\(s.debugDescription)")
            case 1:
                #expect(PlainWords.replaceCamelCase(s) { "<" + $0 + ">" } == PlainWords.replace(s, pattern: PlainWords.camelCasePattern) { "<" + $0 + ">" }, "\(s.debugDescription)")
            default:
                let scanned = PlainWords.fieldTokens(s).map { t -> String in
                    switch t { case .identifier(let x): return "i:" + x; case .index(let x): return "n:" + x }
                }
                let re = try! NSRegularExpression(pattern: PlainWords.fieldTokenPattern)
                let ns = s as NSString
                let expected = re.matches(in: s, range: NSRange(location: 0, length: ns.length)).map { m in
                    m.range(at: 1).location != NSNotFound ? "i:" + ns.substring(with: m.range(at: 1)) : "n:" + ns.substring(with: m.range(at: 2))
                }
                #expect(scanned == expected, "\(s.debugDescription)")
            }
        }
    }

    @Test("hand cases", arguments: [
        ("see treatment.tumorTargetGy now", "see <treatment.tumorTargetGy> now"), ("anatomy.territories[0].normalLiverMassG", "<anatomy.territories[0].normalLiverMassG>"),
        ("patients.x", "patients.x"), ("xtreatment.a", "xtreatment.a"), ("treatment", "treatment"), ("treatment.", "treatment."),
    ])
    func paths(_ input: String, _ expected: String) {
        #expect(PlainWords.replaceInputPaths(input) { "<" + $0 + ">" } == expected)
    }
}
