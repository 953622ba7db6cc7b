// SPDX-License-Identifier: GPL-3.0-or-later
// The hand scan of evidence markers ("[V]", "[R: recalled value]") must find exactly what the
// regular expression of the marker finds; the expression is the independent oracle here.
import Foundation
import Testing
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
