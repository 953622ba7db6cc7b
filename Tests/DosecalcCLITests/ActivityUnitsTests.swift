// SPDX-License-Identifier: GPL-3.0-or-later
// Activities in GBq, MBq or mCi; `--brief`; local times in `vial`. Expected values are computed by
// hand from the definitions (1 GBq = 1000 MBq, 1 mCi = 37 MBq) and the TheraSphere constants
// (K = 50 Gy·kg/GBq, T½ = 64.1 h, vials 3/5/7/10/15/20 GBq), never from the engine's code.
import Foundation
import Testing
import DosecalcCore
@testable import DosecalcCLI

@Suite("Activity units, --brief, local vial times (the built binary)")
struct ActivityUnitsTests {
    static let mird = ["y90", "--device", "glass", "--method", "mird", "--perfused-mass-g", "1000", "--lung-shunt", "5"]
    static let partition = ["y90", "--device", "resin", "--method", "partition", "--tumor-mass-g", "150", "--normal-liver-mass-g", "850",
                            "--tn-ratio", "4", "--lung-shunt", "6"]
    static let doseKeys = ["activityGBq", "activityMCi", "perfusedLiverDoseGy", "tumorDoseGy", "normalLiverDoseGy", "lungDoseGy", "cumulativeLungDoseGy"]

    /// Exit `exit`, exactly one line on stderr containing every string of `naming`, nothing on stdout.
    func expectRefused(_ args: [String], naming: [String], exit: Int32 = 2, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let r = try DosecalcBinary.run(args)
        #expect(r.exitCode == exit, "exit \(r.exitCode) for \(args): \(r.stderr)", sourceLocation: sourceLocation)
        #expect(r.stdout.isEmpty, "stdout: \(r.stdout.prefix(200))", sourceLocation: sourceLocation)
        let lines = r.stderr.split(separator: "\n").filter { !$0.isEmpty }
        #expect(lines.count == 1, "stderr lines: \(lines)", sourceLocation: sourceLocation)
        for n in naming { #expect(r.stderr.contains(n), "stderr does not contain '\(n)': \(r.stderr)", sourceLocation: sourceLocation) }
    }

    func number(_ j: [String: Any], _ key: String) -> Double? { (j[key] as? NSNumber)?.doubleValue }

    // MARK: Conversion, by definition

    @Test("the constants: 1 mCi = 37 MBq, 1 GBq = 1000 MBq; mCiPerGBq is 1000/37 correctly rounded")
    func constants() {
        #expect(UnitConversion.mbqPerMCi == 37)
        #expect(UnitConversion.mbqPerGBq == 1000)
        #expect(UnitConversion.mCiPerGBq == 1000.0 / 37.0)   // 27.027027027027028
        #expect(UnitConversion.mCiPerGBq == 1 / 0.037)
        #expect(ActivityUnit.mci.toGBq(100) == 3.7)          // exactly, where 100 × 0.037 = 3.6999999999999997
        #expect(ActivityUnit.mci.toGBq(37) == 1.369)
        #expect(ActivityUnit.mbq.toGBq(2500) == 2.5)
        #expect(ActivityUnit.mbq.toGBq(1) == 0.001)
        #expect(ActivityUnit.gbq.toGBq(2) == 2)
        #expect(ActivityUnit.mbq.fromGBq(30) == 30_000)
    }

    @Test("ranges shown in the unit given, rounded inward: [0.001, 30] GBq is [1, 30000] MBq and [0.0270271, 810.81] mCi")
    func shownRanges() {
        let r = PlausibleRange(0.001, 30, "GBq")
        #expect(ActivityOption.shownRange(r, in: .mbq).text == "[1, 30000] MBq")
        #expect(ActivityOption.shownRange(r, in: .mci).text == "[0.0270271, 810.81] mCi")
        #expect(ActivityOption.shownRange(r, in: .gbq).text == "[0.001, 30] GBq")
        // The lead's example: (0, 50] GBq → (0, 1351.35] mCi (50 / 0.037 = 1351.351…).
        #expect(ActivityOption.shownRange(PlausibleRange(0, 50, "GBq", includesLower: false), in: .mci).text == "(0, 1351.35] mCi")
    }

    // MARK: Same doses whatever the unit

    @Test("glass MIRD: 54.054054… mCi and 2000 MBq give the doses of 2 GBq to 1e-12")
    func sameDosesMIRD() throws {
        let gbq = try DosecalcBinary.json(Self.mird + ["--activity-gbq", "2", "--json"])
        let mci = try DosecalcBinary.json(Self.mird + ["--activity-mci", "54.054054054054054", "--json"])
        let mbq = try DosecalcBinary.json(Self.mird + ["--activity-mbq", "2000", "--json"])
        // Hand truth: D = K·A·(1 − LSF)/M = 50 × 2 × 0.95 / 1 = 95 Gy; lung 50 × 2 × 0.05 / 1 = 5 Gy.
        #expect(abs(number(gbq, "perfusedLiverDoseGy")! - 95) < 1e-9)
        #expect(abs(number(gbq, "lungDoseGy")! - 5) < 1e-9)
        var compared = 0
        for key in Self.doseKeys {
            guard let reference = number(gbq, key) else { #expect(number(mci, key) == nil && number(mbq, key) == nil, "\(key)"); continue }
            for (label, other) in [("mCi", mci), ("MBq", mbq)] {
                let v = try #require(number(other, key), "\(label) run lacks \(key)")
                #expect(abs(v - reference) <= 1e-12 * abs(reference), "\(label) \(key): \(v) vs \(reference)")
            }
            compared += 1
        }
        #expect(compared >= 5)
    }

    @Test("resin partition: the same doses from --activity-gbq 1.5, --activity-mbq 1500, --activity-mci 1500/37")
    func sameDosesPartition() throws {
        let gbq = try DosecalcBinary.json(Self.partition + ["--activity-gbq", "1.5", "--json"])
        let mbq = try DosecalcBinary.json(Self.partition + ["--activity-mbq", "1500", "--json"])
        let mci = try DosecalcBinary.json(Self.partition + ["--activity-mci", String(1500.0 / 37.0), "--json"])
        for key in Self.doseKeys {
            guard let reference = number(gbq, key) else { continue }
            #expect(abs(number(mbq, key)! - reference) <= 1e-12 * abs(reference), "MBq \(key)")
            #expect(abs(number(mci, key)! - reference) <= 1e-12 * abs(reference), "mCi \(key)")
        }
        #expect(number(gbq, "tumorDoseGy") != nil && number(gbq, "normalLiverDoseGy") != nil)
    }

    @Test("100 mCi is 3.7 GBq exactly: glass MIRD 1000 g, LSF 5 % gives 175.75 Gy, lung 9.25 Gy; echoed in JSON and text")
    func hundredMilliCurie() throws {
        let j = try DosecalcBinary.json(Self.mird + ["--activity-mci", "100", "--json"])
        #expect(number(j, "activityGBq") == 3.7)
        #expect(abs(number(j, "perfusedLiverDoseGy")! - 175.75) < 1e-9)   // 50 × 3.7 × 0.95 / 1
        #expect(abs(number(j, "lungDoseGy")! - 9.25) < 1e-9)              // 50 × 3.7 × 0.05 / 1
        let given = try #require(j["activityGiven"] as? [String: Any])
        #expect(number(given, "value") == 100)
        #expect(given["unit"] as? String == "mCi")
        #expect(given["flag"] as? String == "--activity-mci")
        let text = try DosecalcBinary.run(Self.mird + ["--activity-mci", "100"])
        #expect(text.exitCode == 0)
        #expect(text.stdout.contains("3.700 GBq (100.0 mCi; given as 100 mCi)"), "\(text.stdout)")
    }

    @Test("2500 MBq: activityGiven in JSON and 'given as 2500 MBq' in text; GBq echoed without 'given as'")
    func echoes() throws {
        let j = try DosecalcBinary.json(Self.mird + ["--activity-mbq", "2500", "--json"])
        #expect(number(j, "activityGBq") == 2.5)
        let given = try #require(j["activityGiven"] as? [String: Any])
        #expect(number(given, "value") == 2500 && given["unit"] as? String == "MBq" && given["flag"] as? String == "--activity-mbq")
        let t = try DosecalcBinary.run(Self.mird + ["--activity-mbq", "2500"])
        #expect(t.stdout.contains("2.500 GBq (67.6 mCi; given as 2500 MBq)"), "\(t.stdout)")
        let g = try DosecalcBinary.json(Self.mird + ["--activity-gbq", "2.5", "--json"])
        let gg = try #require(g["activityGiven"] as? [String: Any])
        #expect(gg["unit"] as? String == "GBq" && gg["flag"] as? String == "--activity-gbq")
        #expect(!(try DosecalcBinary.run(Self.mird + ["--activity-gbq", "2.5"]).stdout.contains("given as")))
        // A dose prescription has no activity given.
        #expect(try DosecalcBinary.json(Self.mird + ["--target-dose-gy", "120", "--json"])["activityGiven"] == nil)
    }

    @Test("ho166 standard, vial and decay take MBq and mCi too")
    func otherCommands() throws {
        let ho = try DosecalcBinary.json(["ho166", "--method", "standard", "--liver-mass-g", "1500", "--lung-shunt", "3", "--activity-mbq", "3000", "--json"])
        #expect(number(ho, "activityGBq") == 3)
        // Ho-166 standard: D = 15.87 × 3 × (1 − 0.03) / 1.5 = 30.7878 Gy.
        #expect(abs(number(ho, "perfusedLiverDoseGy")! - 15.87 * 3 * 0.97 / 1.5) < 1e-9)
        let vial = try DosecalcBinary.json(["vial", "--device", "glass", "--activity-mci", "100", "--residual-percent", "0", "--hours", "0", "--json"])
        #expect(number(vial, "activityGBq") == 3.7)
        #expect((vial["activityGiven"] as? [String: Any])?["flag"] as? String == "--activity-mci")
        // 3.7 GBq over one half-life (64.1 h) → 1.85 GBq.
        let decay = try DosecalcBinary.json(["decay", "--nuclide", "y90", "--activity-mbq", "3700", "--hours", "64.1", "--json"])
        #expect(number(decay, "initialActivityGBq") == 3.7)
        #expect(abs(number(decay, "activityGBq")! - 1.85) < 1e-12)
        #expect((decay["activityGiven"] as? [String: Any])?["unit"] as? String == "MBq")
        let text = try DosecalcBinary.run(["decay", "--nuclide", "y90", "--activity-mbq", "3700", "--hours", "64.1"])
        #expect(text.stdout.contains("3.7000 GBq (given as 3700 MBq) → 1.8500 GBq"), "\(text.stdout)")
    }

    // MARK: Refusals

    @Test("two of the three activity flags: usage error (exit 64) naming both")
    func twoUnits() throws {
        try expectRefused(Self.mird + ["--activity-gbq", "2", "--activity-mci", "54"], naming: ["--activity-gbq", "--activity-mci"], exit: 64)
        try expectRefused(Self.mird + ["--activity-mbq", "2000", "--activity-mci", "54", "--json"], naming: ["--activity-mbq", "--activity-mci"], exit: 64)
        try expectRefused(["ho166", "--method", "standard", "--liver-mass-g", "1500", "--lung-shunt", "3", "--activity-gbq", "3", "--activity-mbq", "3000"],
                          naming: ["--activity-gbq", "--activity-mbq"], exit: 64)
        try expectRefused(["vial", "--device", "glass", "--activity-gbq", "2", "--activity-mbq", "2000", "--residual-percent", "0", "--hours", "0"],
                          naming: ["--activity-gbq", "--activity-mbq"], exit: 64)
        try expectRefused(["decay", "--nuclide", "y90", "--activity-mci", "2", "--activity-mbq", "2000", "--hours", "1"],
                          naming: ["--activity-mbq", "--activity-mci"], exit: 64)
    }

    @Test("an activity together with a dose is still a contradiction (exit 2), naming the activity flag given")
    func activityAndDose() throws {
        try expectRefused(Self.mird + ["--target-dose-gy", "120", "--activity-mci", "54"], naming: ["--activity-mci", "--target-dose-gy"])
    }

    @Test("no activity where one is required: 'is required', listing the three flags")
    func missing() throws {
        try expectRefused(["vial", "--device", "glass", "--residual-percent", "0", "--hours", "0"],
                          naming: ["is required", "--activity-gbq", "--activity-mbq", "--activity-mci"])
        try expectRefused(["decay", "--nuclide", "y90", "--hours", "1"], naming: ["is required", "--activity-gbq", "--activity-mbq", "--activity-mci"])
    }

    @Test("out of range in mCi or MBq: exit 2 with the range in the unit given")
    func outOfRange() throws {
        try expectRefused(Self.mird + ["--activity-mci", "1000"], naming: ["--activity-mci: must be in [0.0270271, 810.81] mCi", "[0.001, 30] GBq", "got 1000"])
        try expectRefused(Self.mird + ["--activity-mci", "0.027027"], naming: ["--activity-mci: must be in [0.0270271, 810.81] mCi"])
        try expectRefused(Self.mird + ["--activity-mbq", "30001"], naming: ["--activity-mbq: must be in [1, 30000] MBq"])
        try expectRefused(Self.mird + ["--activity-mbq", "0.5"], naming: ["--activity-mbq: must be in [1, 30000] MBq"])
        try expectRefused(["vial", "--device", "glass", "--activity-mci", "900", "--residual-percent", "0", "--hours", "0"],
                          naming: ["--activity-mci: must be in [0.0270271, 810.81] mCi"])
        // decay's own range, (0.001 to 1000 GBq): 27027.027… mCi shown as 27027.
        try expectRefused(["decay", "--nuclide", "y90", "--activity-mci", "30000", "--hours", "1"], naming: ["--activity-mci: must be in [0.0270271, 27027] mCi"])
        // The bounds shown are accepted.
        for (flag, value) in [("--activity-mci", "810.81"), ("--activity-mci", "0.0270271"), ("--activity-mbq", "30000"), ("--activity-mbq", "1")] {
            let r = try DosecalcBinary.run(Self.mird + [flag, value, "--json"])
            #expect(r.exitCode == 0 || r.exitCode == 3, "\(flag) \(value): \(r.stderr)")
        }
    }

    @Test("not a number is refused on one line naming the flag and its range",
          arguments: ["abc", "2 GBq", "2GBq", "-1", "nan", "inf", "1e400", "", "0x10", "1,5", "6\n7"])
    func notNumbers(value: String) throws {
        for flag in ["--activity-gbq", "--activity-mbq", "--activity-mci"] {
            let unit = flag == "--activity-gbq" ? "GBq" : flag == "--activity-mbq" ? "MBq" : "mCi"
            try expectRefused(Self.mird + [flag, value], naming: [flag, unit])
            try expectRefused(["vial", "--device", "glass", flag, value, "--residual-percent", "0", "--hours", "0"], naming: [flag, unit])
        }
    }

    // MARK: --brief

    @Test("--brief: activity, doses, status and one line per check; no source, constants or notes")
    func brief() throws {
        for args in [Self.mird + ["--target-dose-gy", "120", "--residual-percent", "3"],
                     Self.partition + ["--normal-liver-dose-gy", "35"],
                     ["ho166", "--method", "standard", "--liver-mass-g", "1500", "--lung-shunt", "3", "--activity-mci", "100"]] {
            let full = try DosecalcBinary.run(args + ["--json"])
            let j = try DosecalcBinary.parseObject(full.stdout, args: args)
            let checks = try JSONDecoder().decode([Check].self, from: JSONSerialization.data(withJSONObject: j["checks"] as Any))
            let b = try DosecalcBinary.run(args + ["--brief"])
            #expect(b.exitCode == full.exitCode, "\(args)")
            #expect(!b.stdout.contains("source:"), "\(b.stdout)")
            #expect(!b.stdout.contains("Constants used"))
            #expect(!b.stdout.contains("note:"))
            let status = (j["status"] as? String ?? "").uppercased()
            #expect(b.stdout.contains("Status: \(status)"), "\(b.stdout)")
            #expect(b.stdout.contains("activity to inject"))
            #expect(b.stdout.contains("lung dose"))
            let lines = b.stdout.split(separator: "\n").map(String.init)
            #expect(!checks.isEmpty)
            for c in checks {
                let verdict = c.state == .passed ? "pass" : c.state == .notEvaluated ? "not evaluated" : "FAIL"
                #expect(lines.contains { $0.hasPrefix("  " + verdict) && $0.contains(c.title + ":") }, "no line for \(c.title) in \(b.stdout)")
            }
            // One line per check after the status line.
            let afterStatus = lines.drop(while: { !$0.hasPrefix("Status:") }).dropFirst()
            #expect(afterStatus.count == checks.count, "\(b.stdout)")
        }
        let withVial = try DosecalcBinary.run(Self.mird + ["--target-dose-gy", "120", "--residual-percent", "3", "--brief"])
        #expect(withVial.stdout.contains("vial activity at treatment"))
    }

    @Test("--brief with --json is a usage error (exit 64)")
    func briefJSON() throws {
        try expectRefused(Self.mird + ["--target-dose-gy", "120", "--brief", "--json"], naming: ["--brief", "--json"], exit: 64)
    }

    @Test("a flag repeated after --brief is still a usage error")
    func repeatedAfterBrief() throws {
        let args = ["y90", "--device", "glass", "--method", "mird", "--perfused-mass-g", "1000", "--target-dose-gy", "120",
                    "--brief", "--lung-shunt", "5", "--lung-shunt", "30"]
        try expectRefused(args, naming: ["--lung-shunt"], exit: 64)
    }

    // MARK: vial local times

    @Test("vial with times prints local dates and times in the treatment time's offset")
    func vialTimes() throws {
        // 0.75 GBq, no residual, 24 h after calibration: 0.75 × 2^(24/64.1) = 0.973 GBq at calibration → the
        // 3 GBq vial, which matches the need at 64.1 × log2(3 / 0.75) = 128.2 h = 128 h 12 min after calibration.
        // Calibration 11:00:30Z is 12:00 at +01:00; + 128 h 12 min → Sat 5 Dec 2026, 20:12 (+01:00).
        let r = try DosecalcBinary.run(["vial", "--device", "glass", "--activity-gbq", "0.75", "--residual-percent", "0",
                                        "--calibration-time", "2026-11-30T11:00:30Z", "--treatment-time", "2026-12-01T12:00:30+01:00"])
        #expect(r.exitCode == 0, "\(r.stderr)")
        #expect(r.stdout.contains("calibration                 Mon 30 Nov 2026, 12:00 (UTC+01:00)"), "\(r.stdout)")
        #expect(r.stdout.contains("treatment                   Tue 1 Dec 2026, 12:00 (UTC+01:00), 24.0 h after calibration"), "\(r.stdout)")
        #expect(r.stdout.contains("whole vial matches need at  Sat 5 Dec 2026, 20:12 (UTC+01:00), 128.2 h after calibration"), "\(r.stdout)")
        // The treatment time written in UTC: every time is shown in UTC, whatever the calibration offset.
        let w = try DosecalcBinary.run(["vial", "--device", "glass", "--activity-gbq", "0.75", "--residual-percent", "0",
                                        "--calibration-time", "2026-11-30T07:00:30-05:00", "--treatment-time", "2026-12-01T12:00:30Z"])
        #expect(w.stdout.contains("Sat 5 Dec 2026, 20:12 (UTC), 128.2 h after calibration"), "\(w.stdout)")
        // --hours: hours only, as before.
        let h = try DosecalcBinary.run(["vial", "--device", "glass", "--activity-gbq", "0.75", "--residual-percent", "0", "--hours", "24"])
        #expect(h.stdout.contains("whole vial matches need at  128.20 h after calibration"), "\(h.stdout)")
        #expect(!h.stdout.contains("UTC"))
    }
}
