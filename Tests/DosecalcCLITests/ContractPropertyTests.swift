// SPDX-License-Identifier: GPL-3.0-or-later
// The contract of every command, stated as properties over random inputs (swift-property-based):
//
//  1. A valid input never traps, prints no non-finite number and no "-0", exits 0 or 3 with a status
//     that matches the exit code, and `ok` implies that every hard check that was evaluated holds.
//  2. A valid input with one value corrupted (not a number, a non-decimal number, a line break, a
//     repeated flag, an unknown flag) exits 2 or 64 with exactly one line on stderr and nothing on stdout.
//
// The commands run in process through `Dosecalc.invoke`, the code path of the binary; the fuzz campaign
// in Tests/Fuzz runs the same contract against the binary at a larger scale.
import Foundation
import PropertyBased
import Testing
@testable import DosecalcCLI

/// A seeded generator of whole command lines (valid ones, by construction).
struct CommandLineGenerator {
    var rng: SplitMix64

    mutating func u(_ lo: Double, _ hi: Double) -> Double { lo + (hi - lo) * rng.unit() }
    mutating func pick<T>(_ xs: [T]) -> T { xs[Int(rng.next() % UInt64(xs.count))] }
    mutating func num(_ lo: Double, _ hi: Double, digits: Int = 3) -> String {
        String(format: "%.\(digits)f", u(lo, hi))
    }

    mutating func facts() -> [String] {
        var a: [String] = []
        if rng.chance(0.5) { a += ["--bilirubin-mg-per-dl", num(0.2, 4, digits: 2)] }
        if rng.chance(0.5) { a += ["--cirrhosis", pick(["yes", "no"])] }
        if rng.chance(0.3) { a += ["--child-pugh-score", "\(Int(u(5, 15.99)))"] }
        if rng.chance(0.3) { a += ["--prior-radioembolization", pick(["yes", "no"])] }
        return a
    }

    mutating func make() -> [String] {
        switch Int(rng.next() % 8) {
        case 0:
            let d = pick(["glass", "resin"])
            return ["y90", "--device", d, "--method", "mird", "--perfused-mass-g", num(200, 3000), "--target-dose-gy", num(20, 300),
                    "--lung-shunt", num(0, 30, digits: 1), "--json"] + facts()
        case 1:
            let d = pick(["glass", "resin"])
            var a = ["y90", "--device", d, "--method", "partition", "--tumor-mass-g", num(1, 800), "--normal-liver-mass-g", num(200, 2500),
                     "--tn-ratio", num(0.5, 15, digits: 2), "--lung-shunt", num(0, 25, digits: 1), "--json"]
            a += rng.chance(0.5) ? ["--tumor-dose-gy", num(50, 500)] : ["--normal-liver-dose-gy", num(10, 100)]
            if rng.chance(0.4) { a += ["--whole-normal-liver-mass-g", num(2500, 3000)] }
            return a + facts()
        case 2:
            let method = pick(["bsa", "empiric"])
            let a = ["y90", "--device", "resin", "--method", method, "--tumor-volume-ml", num(1, 600),
                     "--liver-volume-ml", num(800, 3000), "--lung-shunt", num(0, 25, digits: 1), "--json"]
            return method == "bsa" ? a + ["--height-cm", num(150, 200), "--weight-kg", num(45, 120)] : a
        case 3:
            return ["ho166", "--method", "standard", "--liver-mass-g", num(800, 3000), "--lung-shunt", num(0, 20, digits: 1), "--json",
                    "--bilobar", pick(["yes", "no"])]
        case 4:
            return ["vial", "--device", pick(["glass", "resin", "quiremspheres"]), "--activity-gbq", num(0.1, 12),
                    "--residual-percent", num(0, 10, digits: 2), "--hours", num(-48, 300, digits: 1), "--json"]
        case 5:
            return ["decay", "--nuclide", pick(["y90", "ho166"]), "--activity-gbq", num(0.01, 20), "--hours", num(-500, 2000, digits: 1), "--json"]
        case 6:
            return ["lsf", "--lung-anterior", num(0, 1e5, digits: 0), "--lung-posterior", num(0, 1e5, digits: 0),
                    "--liver-anterior", num(1e5, 1e6, digits: 0), "--liver-posterior", num(1e5, 1e6, digits: 0), "--json"]
        default:
            return ["tn-ratio", "--tumor-counts", num(1e4, 1e6, digits: 0), "--tumor-volume-ml", num(5, 500),
                    "--normal-counts", num(1e4, 1e6, digits: 0), "--normal-volume-ml", num(500, 2000), "--json"]
        }
    }
}

/// Numbers printed as text or JSON that must never appear.
func forbiddenNumber(in text: String) -> String? {
    for token in text.split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "-" || $0 == ".") }) {
        let t = token.lowercased()
        if t == "nan" || t == "inf" || t == "-inf" || t == "infinity" { return String(token) }
        if t.hasPrefix("-0"), t.dropFirst().allSatisfy({ $0 == "0" || $0 == "." }) { return String(token) }
    }
    return nil
}

@Suite("Contract properties over random command lines")
struct ContractPropertyTests {
    @Test("valid input: exit 0 or 3, a status that matches, finite numbers, ok only when every evaluated hard check holds")
    func validInputs() async {
        await propertyCheck(count: 400, input: Gen.int(in: 0...Int.max)) { seed in
            var g = CommandLineGenerator(rng: SplitMix64(seed: UInt64(seed)))
            let args = g.make()
            let inv = Dosecalc.invoke(args)
            // Some random combinations are legitimately refused (a tumour larger than the liver); then the
            // refusal contract holds instead.
            if inv.exitCode == 2 {
                #expect(inv.stdout.isEmpty && inv.stderr.split(separator: "\n").count == 1, "\(args)")
                return
            }
            #expect(inv.exitCode == 0 || inv.exitCode == 3, "\(args): exit \(inv.exitCode) \(inv.stderr)")
            #expect(inv.stderr.isEmpty)
            #expect(forbiddenNumber(in: inv.stdout) == nil, "\(args): \(forbiddenNumber(in: inv.stdout) ?? "")")
            guard let j = inv.jsonObject, let status = j["status"] as? String else {
                Issue.record("\(args): no JSON object with a status")
                return
            }
            #expect((inv.exitCode == 0) == (status == "ok" || status == "warning"), "\(args): exit \(inv.exitCode) with \(status)")
            let checks = j["checks"] as? [[String: Any]] ?? []
            if status == "ok" {
                for c in checks where c["severity"] as? String == "hard" {
                    #expect(c["state"] as? String != "failed", "\(args): ok with a failed hard check \(c["name"] ?? "")")
                    if c["state"] as? String == "notEvaluated" { #expect(c["value"] == nil, "\(args): ok with an undecided hard check") }
                }
            }
            for c in checks where c["state"] as? String == "failed" && c["severity"] as? String == "hard" {
                #expect(status == "contraindicated" || status == "infeasible", "\(args): failed hard check with \(status)")
            }
        }
    }

    static let corruptions = ["nan", "inf", "-inf", "0x10", "1,5", "٣", "１２", "6\n7", "", "abc", "1e400", "--", "1..2", "+-1", "1e"]

    @Test("one corrupted value: exit 2 or 64, exactly one stderr line, nothing on stdout")
    func corruptedInputs() async {
        await propertyCheck(count: 400, input: Gen.int(in: 0...Int.max)) { seed in
            var g = CommandLineGenerator(rng: SplitMix64(seed: UInt64(seed)))
            var args = g.make()
            let numeric = args.indices.filter { i in i > 0 && args[i - 1].hasPrefix("--") && Double(args[i]) != nil }
            switch g.rng.next() % 3 {
            case 0 where !numeric.isEmpty:
                args[g.pick(numeric)] = g.pick(Self.corruptions)
            case 1 where !numeric.isEmpty:
                let i = g.pick(numeric)
                args += [args[i - 1], args[i]]          // the same flag twice
            default:
                args.append("--lung-shunt-fraction")    // an unknown flag
                args.append("0.05")
            }
            let inv = Dosecalc.invoke(args)
            #expect(inv.exitCode == 2 || inv.exitCode == 64, "\(args): exit \(inv.exitCode)")
            #expect(inv.stdout.isEmpty, "\(args): stdout \(inv.stdout.prefix(100))")
            let lines = inv.stderr.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.isEmpty }
            #expect(lines.count == 1, "\(args): stderr \(inv.stderr)")
        }
    }
}
