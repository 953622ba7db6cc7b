// SPDX-License-Identifier: GPL-3.0-or-later
// The uncertainty flags end to end: the same seed prints the same bytes; another seed other numbers;
// the nominal result is untouched by the uncertainty; a plan without an uncertainty object has none.
import Foundation
import Testing
import TestSupport
@testable import DosecalcCLI

@Suite("Uncertainty on the command line")
struct UncertaintyCLITests {
    let base = ["y90", "--device", "glass", "--method", "partition", "--tumor-mass-g", "150", "--normal-liver-mass-g", "850",
                "--tn-ratio", "4", "--tumor-dose-gy", "205", "--lung-shunt", "6"]
    let spread = ["--lung-shunt-sd", "2", "--mass-cv-percent", "10", "--tn-ratio-cv-percent", "20", "--activity-cv-percent", "5", "--samples", "3000"]

    @Test("the same seed gives byte-identical output, text and JSON; another seed changes the intervals")
    func reproducible() throws {
        for json in [true, false] {
            let args = base + spread + ["--seed", "11"] + (json ? ["--json"] : [])
            let a = Dosecalc.invoke(args), b = Dosecalc.invoke(args)
            #expect(a.exitCode == 0 && a.stderr.isEmpty)
            #expect(a.stdout == b.stdout)
        }
        let s11 = try #require(Dosecalc.invoke(base + spread + ["--seed", "11", "--json"]).jsonObject)
        let s12 = try #require(Dosecalc.invoke(base + spread + ["--seed", "12", "--json"]).jsonObject)
        let u11 = try #require(s11["uncertainty"] as? [String: Any]), u12 = try #require(s12["uncertainty"] as? [String: Any])
        #expect(u11["seed"] as? Int == 11 && u11["samples"] as? Int == 3000)
        #expect(NSDictionary(dictionary: u11["intervals"] as! [String: Any]) != NSDictionary(dictionary: u12["intervals"] as! [String: Any]))
    }

    @Test("the nominal numbers are the same with and without uncertainty flags; only the uncertainty object and its assumptions are added")
    func nominalUntouched() throws {
        var plain = try #require(Dosecalc.invoke(base + ["--json"]).jsonObject)
        var withU = try #require(Dosecalc.invoke(base + spread + ["--json"]).jsonObject)
        #expect(withU.removeValue(forKey: "uncertainty") != nil)
        let extra = (withU["assumptions"] as! [[String: Any]]).filter { $0["name"] as? String == "uncertainty" }
        #expect(!extra.isEmpty)
        withU["assumptions"] = (withU["assumptions"] as! [[String: Any]]).filter { $0["name"] as? String != "uncertainty" }
        plain["assumptions"] = plain["assumptions"] as! [[String: Any]]
        #expect(NSDictionary(dictionary: plain) == NSDictionary(dictionary: withU))
    }

    @Test("a spread that draws impossible inputs is refused in the words of the command line")
    func impossibleDrawsWords() {
        let r = Dosecalc.invoke(["y90", "--device", "glass", "--method", "partition", "--tumor-mass-g", "0.15", "--normal-liver-mass-g", "800",
                                 "--tn-ratio", "4", "--tumor-dose-gy", "150", "--lung-shunt", "5", "--mass-cv-percent", "60", "--samples", "1000"])
        #expect(r.exitCode == 2 && r.stdout.isEmpty)
        #expect(r.stderr.hasPrefix("dosecalc: error: --mass-cv-percent:") && r.stderr.contains("--tumor-mass-g") && !r.stderr.contains("tumorMass"))
    }

    @Test("the default seed is printed, so that a run can be repeated")
    func defaultSeedPrinted() throws {
        let r = Dosecalc.invoke(base + ["--lung-shunt-sd", "2", "--samples", "1000"])
        #expect(r.exitCode == 0)
        #expect(r.stdout.contains("seed 20261204"))
        #expect(r.stdout.contains("Probability that a hard limit is exceeded"))
    }

    @Test("property: random spreads inside their ranges never trap, never print a non-finite number, keep 2.5 % ≤ median ≤ 97.5 %")
    func randomSpreads() throws {
        var g = SeededGenerator(seed: 14)
        for _ in 0..<12 {
            let sd = Double.random(in: 0...4, using: &g), cv = Double.random(in: 0...30, using: &g)
            let tn = Double.random(in: 0...40, using: &g), act = Double.random(in: 0...10, using: &g)
            let args = base + ["--lung-shunt-sd", "\(sd)", "--mass-cv-percent", "\(cv)", "--tn-ratio-cv-percent", "\(tn)",
                               "--activity-cv-percent", "\(act)", "--samples", "1000", "--seed", "\(Int.random(in: 0...1_000_000, using: &g))", "--json"]
            let r = Dosecalc.invoke(args)
            #expect(r.exitCode == 0 || r.exitCode == 3, "\(args) \(r.stderr)")
            guard let u = r.jsonObject?["uncertainty"] as? [String: Any], let intervals = u["intervals"] as? [String: [String: Double]] else {
                Issue.record("no uncertainty object for \(args)"); continue
            }
            for (name, i) in intervals {
                #expect(i["p2_5"]! <= i["p50"]! && i["p50"]! <= i["p97_5"]!, "\(name)")
                #expect(i.values.allSatisfy { $0.isFinite })
            }
            for (_, p) in u["exceedanceProbability"] as! [String: Double] { #expect(p >= 0 && p <= 1) }
        }
    }
}
