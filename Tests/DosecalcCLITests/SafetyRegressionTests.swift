// SPDX-License-Identifier: GPL-3.0-or-later
// Every unsafe or impossible result once seen with status ok, a trap or a raw error, kept as a test
// of the built binary. The planner's reproductions (resin 72 h, Ho-166 a year off, duplicate names,
// closed sets, unit slips, missing facts) are reference cases in reference-data/cases/plan.json.
import Foundation
import Testing

@Suite("Safety regressions (the built binary)")
struct SafetyRegressionTests {
    static let partition = ["y90", "--device", "resin", "--method", "partition", "--tumor-mass-g", "150", "--normal-liver-mass-g", "850",
                            "--tn-ratio", "4", "--lung-shunt", "6", "--json"]

    /// Exit 2 or 64, exactly one line on stderr naming `field`, nothing on stdout.
    func expectRefused(_ args: [String], naming field: String, exit: Int32 = 2, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let r = try DosecalcBinary.run(args)
        #expect(r.exitCode == exit, "exit \(r.exitCode) for \(args): \(r.stderr)", sourceLocation: sourceLocation)
        #expect(r.stdout.isEmpty, "stdout: \(r.stdout.prefix(200))", sourceLocation: sourceLocation)
        let lines = r.stderr.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.isEmpty }
        #expect(lines.count == 1, "stderr lines: \(lines)", sourceLocation: sourceLocation)
        #expect(r.stderr.contains(field), "stderr does not name \(field): \(r.stderr)", sourceLocation: sourceLocation)
    }

    @Test("resin partition with 80 Gy to the normal liver is contraindicated (limit 40 Gy, 30 Gy if compromised)")
    func resinNormalLiver() throws {
        let r = try DosecalcBinary.run(Self.partition + ["--normal-liver-dose-gy", "80"])
        #expect(r.exitCode == 3)
        let j = try DosecalcBinary.parseObject(r.stdout, args: [])
        #expect(j["status"] as? String == "contraindicated")
        let c = (j["checks"] as? [[String: Any]])?.first { $0["name"] as? String == "perfusedNormalLiverDose" }
        #expect(c?["state"] as? String == "failed")
    }

    @Test("35 Gy to a resin normal liver: not evaluated without the liver facts (warning), contraindicated with cirrhosis, ok without")
    func resinFactSelectsLimit() throws {
        let unknown = try DosecalcBinary.json(Self.partition + ["--normal-liver-dose-gy", "35"])
        #expect(unknown["status"] as? String == "warning")
        let c = (unknown["checks"] as? [[String: Any]])?.first { $0["name"] as? String == "perfusedNormalLiverDose" }
        #expect(c?["state"] as? String == "notEvaluated")
        #expect((c?["requires"] as? [String])?.contains("--cirrhosis") == true)
        // The reason a person reads names the flags, never an internal name.
        let reasons = ((unknown["reasons"] as? [String]) ?? []).joined(separator: " ")
        #expect(reasons.contains("--cirrhosis") && !reasons.contains("childPughClass") && !reasons.contains("priorRadioembolization"))
        let cirrhotic = try DosecalcBinary.run(Self.partition + ["--normal-liver-dose-gy", "35", "--cirrhosis", "yes"])
        #expect(cirrhotic.exitCode == 3)
        let healthy = try DosecalcBinary.run(Self.partition + ["--normal-liver-dose-gy", "35", "--cirrhosis", "no", "--child-pugh-score", "5",
                                                                "--prior-radioembolization", "no"])
        #expect(healthy.exitCode == 0)
        #expect(try DosecalcBinary.parseObject(healthy.stdout, args: [])["status"] as? String == "ok")
    }

    @Test("5 GBq of resin cannot be drawn from one 3 GBq vial: infeasible, exit 3")
    func resinActivityAboveVial() throws {
        let r = try DosecalcBinary.run(["y90", "--device", "resin", "--method", "mird", "--perfused-mass-g", "1500", "--activity-gbq", "5",
                                        "--lung-shunt", "5", "--json"])
        #expect(r.exitCode == 3)
        #expect(try DosecalcBinary.parseObject(r.stdout, args: [])["status"] as? String == "infeasible")
    }

    @Test("the glass whole normal-liver limit follows the bilirubin given on the command line")
    func glassBilirubin() throws {
        let base = ["y90", "--device", "glass", "--method", "partition", "--tumor-mass-g", "150", "--normal-liver-mass-g", "850",
                    "--whole-normal-liver-mass-g", "850", "--tn-ratio", "4", "--normal-liver-dose-gy", "70", "--lung-shunt", "6", "--json"]
        // 70 Gy: under 90 Gy (bilirubin < 1.1 mg/dL), over 50 Gy (≥ 1.1).
        #expect(try DosecalcBinary.run(base + ["--bilirubin-mg-per-dl", "0.8"]).exitCode == 0)
        #expect(try DosecalcBinary.run(base + ["--bilirubin-mg-per-dl", "1.1"]).exitCode == 3)
        #expect(try DosecalcBinary.json(base)["status"] as? String == "warning")
    }

    @Test("a flag given twice is a usage error naming it, not the last value")
    func repeatedFlag() throws {
        try expectRefused(["y90", "--device", "glass", "--method", "mird", "--perfused-mass-g", "1000", "--target-dose-gy", "120",
                           "--lung-shunt", "5", "--device", "resin"], naming: "--device", exit: 64)
        try expectRefused(["y90", "--device", "glass", "--method", "mird", "--perfused-mass-g", "1000", "--target-dose-gy", "120",
                           "--lung-shunt", "5", "--lung-shunt=6"], naming: "--lung-shunt", exit: 64)
    }

    @Test("numbers are decimal only: hex, comma decimals, other digits and newlines are refused on one line",
          arguments: ["0x10", "1,5", "٣", "１２", "6\n7", "nan", "inf", "1e400", "", " "])
    func strictNumbers(value: String) throws {
        try expectRefused(["y90", "--device", "glass", "--method", "mird", "--perfused-mass-g", "1000", "--target-dose-gy", "120",
                           "--lung-shunt", value], naming: "--lung-shunt")
    }

    @Test("-0 is 0: no '-0.00' anywhere in the output")
    func negativeZero() throws {
        let r = try DosecalcBinary.run(["y90", "--device", "glass", "--method", "mird", "--perfused-mass-g", "1000", "--target-dose-gy", "120",
                                        "--lung-shunt", "-0"])
        #expect(r.exitCode == 0)
        #expect(!r.stdout.contains("-0.0") && !r.stdout.contains(" -0 "))
    }

    @Test("impossible calendar dates and offsets are refused",
          arguments: ["2026-02-30T09:30:00Z", "2025-02-29T09:30:00Z", "2026-03-01T09:30:00+25:00", "2026-03-01T09:30:00+99:99",
                      "2026-03-01T09:30:00+14:30", "٢٠٢٦-03-01T09:30:00Z", "2026-03-01T09:30:00"])
    func strictTimes(value: String) throws {
        try expectRefused(["decay", "--nuclide", "y90", "--activity-gbq", "3", "--from", "2026-02-28T09:30:00Z", "--to", value], naming: "--to")
    }

    @Test("tiny positive values are refused by their physical lower bound, naming the flag")
    func tinyValues() throws {
        try expectRefused(["y90", "--device", "resin", "--method", "bsa", "--height-cm", "175", "--weight-kg", "80", "--tumor-volume-ml", "1e-320",
                           "--liver-volume-ml", "1500", "--lung-shunt", "12"], naming: "--tumor-volume-ml")
        try expectRefused(["y90", "--device", "glass", "--method", "mird", "--perfused-mass-g", "1000", "--activity-gbq", "1e-320",
                           "--lung-shunt", "5"], naming: "--activity-gbq")
        try expectRefused(["deb", "--in-vitro", "closed", "--product", "dc-bead", "--size", "100-300", "--loading-mg-per-ml", "37.5",
                           "--bead-volume-ml", "1", "--medium-ml", "1e-320", "--times-h", "1,2"], naming: "--medium-ml")
        try expectRefused(["tn-ratio", "--tumor-counts", "1000", "--tumor-volume-ml", "1e-320", "--normal-counts", "100",
                           "--normal-volume-ml", "1000"], naming: "--tumor-volume-ml")
        try expectRefused(["deb", "--product", "dc-bead", "--size", "100-300", "--loading-mg-per-ml", "1e-6", "--dose-mg", "150"],
                          naming: "--loading-mg-per-ml")
    }

    @Test("a T/N ratio no prescription can use is refused, not printed")
    func implausibleTN() throws {
        try expectRefused(["tn-ratio", "--tumor-counts", "1e9", "--tumor-volume-ml", "0.1", "--normal-counts", "1", "--normal-volume-ml", "10000"],
                          naming: "--tumor-counts")
    }

    @Test("a resin vial used 72 h after calibration is infeasible in the vial command too")
    func vialWindow() throws {
        let r = try DosecalcBinary.run(["vial", "--device", "resin", "--activity-gbq", "1", "--residual-percent", "3", "--hours", "72", "--json"])
        #expect(r.exitCode == 3)
        #expect(try DosecalcBinary.parseObject(r.stdout, args: [])["status"] as? String == "infeasible")
    }

    @Test("--report never replaces the input file, a directory or a symbolic link")
    func reportTargets() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dosecalc-report-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("patient.json")
        try FileManager.default.copyItem(at: DosecalcBinary.packageRoot.appendingPathComponent("reference-data/patients/plan-05-glass-target-reached.json"), to: input)
        let before = try Data(contentsOf: input)
        let link = dir.appendingPathComponent("link.html")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: dir.appendingPathComponent("elsewhere.html"))
        for target in [input.path, dir.path, link.path, "/dev/null"] {
            let r = try DosecalcBinary.run(["plan", "--input", input.path, "--report", target])
            #expect(r.exitCode == 73, "\(target): exit \(r.exitCode) \(r.stderr)")
            #expect(r.stdout.isEmpty && r.stderr.contains("--report"))
        }
        #expect(try Data(contentsOf: input) == before)
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("elsewhere.html").path))
    }

    @Test("a broken reference-data file is refused whole with exit 78, naming the file and the key")
    func brokenDataFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dosecalc-data-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: DosecalcBinary.packageRoot.appendingPathComponent("reference-data"), to: dir)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("constraints/constraint-sets.json")
        let text = try String(contentsOf: file, encoding: .utf8)
        // The lung-dose quantity misspelt: once this silently switched the hard limit off.
        try text.replacingOccurrences(of: "\"quantity\": \"lungDoseGy\"", with: "\"quantity\": \"lungDose\"")
            .write(to: file, atomically: true, encoding: .utf8)
        let r = try DosecalcBinary.run(["--reference-data", dir.path, "plan", "--input",
                                        DosecalcBinary.packageRoot.appendingPathComponent("reference-data/patients/multi-02-glass-lung-binds.json").path])
        #expect(r.exitCode == 78, "exit \(r.exitCode): \(r.stderr)")
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.contains("constraints/constraint-sets.json") && r.stderr.contains("limits[0].quantity"))
    }

    @Test("a broken DEB model or bead catalogue is broken reference data (exit 78, one line naming file and key), for deb and for the planner")
    func brokenDEBData() throws {
        let edits: [(file: String, from: String, to: String, key: String)] = [
            ("deb-model.json", "\"porosity\": {\"value\": 0.9,", "\"porosity\": {\"value\": 1.9,", "parameters.porosity"),
            ("deb-model.json", "\"clearanceFactor\"", "\"clearanceFactr\"", "parameters.clearanceFactor"),
            ("products/deb-beads.json", "\"dissociationConstantMgPerMl\": 0.1404527,", "\"dissociationConstantMgPerMl\": -0.1404527,", "products[0].dissociationConstantMgPerMl"),
            ("products/deb-beads.json", "\"maxLoadingMgPerMl\": 40,", "\"maxLoadingMgPerMl\": 45,", "products[0].maxLoadingMgPerMl"),
        ]
        for edit in edits {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dosecalc-data-\(UUID().uuidString)")
            try FileManager.default.copyItem(at: DosecalcBinary.packageRoot.appendingPathComponent("reference-data"), to: dir)
            defer { try? FileManager.default.removeItem(at: dir) }
            let file = dir.appendingPathComponent(edit.file)
            let text = try String(contentsOf: file, encoding: .utf8)
            // The first occurrence only: DC Bead is products[0], the first product of the catalogue.
            let at = try #require(text.range(of: edit.from), "\(edit.file) no longer holds \(edit.from)")
            try text.replacingCharacters(in: at, with: edit.to).write(to: file, atomically: true, encoding: .utf8)
            for args in [["deb", "--product", "dc-bead", "--size", "100-300", "--loading-mg-per-ml", "37.5", "--dose-mg", "150"],
                         ["plan", "--input", DosecalcBinary.packageRoot.appendingPathComponent("reference-data/patients/deb-03-plasma-peak-binds.json").path]] {
                let r = try DosecalcBinary.run(["--reference-data", dir.path] + args)
                #expect(r.exitCode == 78, "\(edit.key) \(args[0]): exit \(r.exitCode): \(r.stderr)")
                #expect(r.stdout.isEmpty && r.stderr.split(separator: "\n").count == 1)
                #expect(r.stderr.contains(edit.file) && r.stderr.contains(edit.key), "\(r.stderr)")
            }
        }
    }
}
