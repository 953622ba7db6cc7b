// SPDX-License-Identifier: GPL-3.0-or-later
// The last guard before text is printed: a word "nan" or "inf" (any case) is refused.
import Foundation
import Testing
import TestSupport
@testable import DosecalcCLI

@Suite("Non-finite numbers never reach the text")
struct NonFiniteTextTests {
    @Test("the words nan and inf are refused in any case, alone or between symbols", arguments: [
        "nan", "NaN", "dose = nan Gy", "inf", "-inf Gy", "Infinity? no: inf", "A = INF", "x=nan;", "(nan)", "1e3·inf",
        "Gy\ninf", "nan\u{00D7}2", "\u{00B5}M nan", "dose -nan Gy",
    ])
    func refused(_ text: String) {
        #expect(throws: NonFiniteOutput.self) { try CommandOutput.checkFinite(text) }
    }

    @Test("words that merely contain the letters pass", arguments: [
        "", "infusion", "Infinity of care", "nanogram", "financial", "banana", "in f", "na n", "activity 3 GBq",
        "infeasible", "info", "snan1", "tumour 120 Gy; normal liver 40 Gy",
    ])
    func allowed(_ text: String) throws {
        try CommandOutput.checkFinite(text)
    }

    @Test("property: a random text with the word spliced in at a word boundary is refused")
    func spliced() {
        var rng = SeededGenerator(seed: 13)
        let alphabet = Array("abcdefghij Gy=·,.()\n0123456789µ×")
        for _ in 0..<500 {
            let n = Int.random(in: 0..<40, using: &rng)
            var s = String((0..<n).map { _ in alphabet.randomElement(using: &rng)! })
            let word = ["nan", "inf", "NaN", "Inf"].randomElement(using: &rng)!
            let at = s.index(s.startIndex, offsetBy: Int.random(in: 0...s.count, using: &rng))
            s.insert(contentsOf: " " + word + " ", at: at)
            #expect(throws: NonFiniteOutput.self, "\(s)") { try CommandOutput.checkFinite(s) }
        }
    }
}
