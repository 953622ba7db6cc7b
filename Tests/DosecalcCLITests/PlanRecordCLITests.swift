// SPDX-License-Identifier: GPL-3.0-or-later
// A plan for the record, through the built binary: every modality's --json replays to identical values;
// a changed value is listed and exits 4; the input can come from standard input; an infeasible or
// contraindicated plan is never printed as an order.
import Foundation
import Testing

@Suite("Plan record and replay (the built binary)")
struct PlanRecordCLITests {
    static let patients = DosecalcBinary.packageRoot.appendingPathComponent("reference-data/patients")

    func temporary() throws -> URL {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("plan-record-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        return d
    }

    @Test("glass, resin, Ho-166 and DEB plans replay to identical values (exit 0)",
          arguments: ["multi-03-glass-two-vials", "vial-resin-01-fraction", "ho166-01-no-target", "deb-01-hcc-dc-bead", "abl-01-glass-segmentectomy"])
    func replayIdentical(patient: String) throws {
        let dir = try temporary()
        defer { try? FileManager.default.removeItem(at: dir) }
        let plan = try DosecalcBinary.run(["plan", "--input", Self.patients.appendingPathComponent("\(patient).json").path, "--json"])
        #expect(plan.exitCode == 0 || plan.exitCode == 3, "\(plan.stderr)")
        let j = try DosecalcBinary.parseObject(plan.stdout, args: [])
        for key in ["dosecalcVersion", "buildId", "calculatedAt", "referenceDataSha256", "referenceDataFiles", "inputSha256", "input"] {
            #expect(j[key] != nil, "\(key) missing")
        }
        #expect((j["inputSha256"] as? String)?.count == 64)
        let file = dir.appendingPathComponent("plan.json")
        try Data(plan.stdout.utf8).write(to: file)
        let replay = try DosecalcBinary.run(["plan", "--replay", file.path, "--json"])
        #expect(replay.exitCode == 0, "\(replay.stdout.prefix(600)) \(replay.stderr)")
        let r = try DosecalcBinary.parseObject(replay.stdout, args: [])
        let outcome = try #require(r["replay"] as? [String: Any])
        #expect(outcome["identical"] as? Bool == true)
        #expect((outcome["valuesCompared"] as? Int ?? 0) > 30)
    }

    @Test("a changed value in the recorded plan is listed with its path, and replay exits 4")
    func replayChanged() throws {
        let dir = try temporary()
        defer { try? FileManager.default.removeItem(at: dir) }
        let plan = try DosecalcBinary.run(["plan", "--input", Self.patients.appendingPathComponent("plan-01-resin-nl-limited.json").path, "--json"])
        var j = try DosecalcBinary.parseObject(plan.stdout, args: [])
        var re = try #require(j["radioembolization"] as? [String: Any])
        re["lungDoseGy"] = 99.5
        j["radioembolization"] = re
        j["dosecalcVersion"] = "0.1.0"
        let file = dir.appendingPathComponent("plan.json")
        try JSONSerialization.data(withJSONObject: j).write(to: file)
        let replay = try DosecalcBinary.run(["plan", "--replay", file.path])
        #expect(replay.exitCode == 4)
        #expect(replay.stdout.contains("radioembolization.lungDoseGy: 99.5 →"))
        #expect(replay.stdout.contains("version 0.1.0"))
        // Not a plan output, or --input and --replay together: refused with one line.
        let notPlan = try DosecalcBinary.run(["plan", "--replay", Self.patients.appendingPathComponent("plan-01-resin-nl-limited.json").path])
        #expect(notPlan.exitCode == 2 && notPlan.stdout.isEmpty && notPlan.stderr.contains("--replay"))
        let both = try DosecalcBinary.run(["plan", "--replay", file.path, "--input", file.path])
        #expect(both.exitCode == 2 && both.stdout.isEmpty)
    }

    @Test("--input - reads standard input and gives the same plan as the file")
    func standardInput() throws {
        let path = Self.patients.appendingPathComponent("plan-01-resin-nl-limited.json").path
        let viaFile = try DosecalcBinary.json(["plan", "--input", path, "--json"])
        let sh = try DosecalcBinary.execute(URL(fileURLWithPath: "/bin/sh"),
                                            ["-c", "exec \"$0\" plan --input - --json < \"$1\"", DosecalcBinary.url.path, path], timeoutSeconds: 120)
        #expect(sh.exitCode == 0, "\(sh.stderr)")
        let viaStdin = try DosecalcBinary.parseObject(sh.stdout, args: [])
        #expect(viaStdin["inputSha256"] as? String == viaFile["inputSha256"] as? String)
        #expect((viaStdin["radioembolization"] as? [String: Any])?["activityGBq"] as? Double
                == (viaFile["radioembolization"] as? [String: Any])?["activityGBq"] as? Double)
        let empty = try DosecalcBinary.run(["plan", "--input", "-"])   // the runner's standard input is /dev/null
        #expect(empty.exitCode == 2 && empty.stdout.isEmpty && empty.stderr.contains("--input"))
    }

    @Test("an infeasible or contraindicated plan prints no order, in the text and in the JSON",
          arguments: ["vial-glass-03-night-only", "contra-prior-lung-50", "infeasible-resin-72h", "abl-03-glass-lobectomy-reserve"])
    func noOrder(patient: String) throws {
        let path = Self.patients.appendingPathComponent("\(patient).json").path
        let text = try DosecalcBinary.run(["plan", "--input", path])
        #expect(text.exitCode == 3)
        #expect(text.stdout.contains("This is not an order"))
        #expect(!text.stdout.contains("Order (one line per vial)"))
        #expect(!text.stdout.contains("administer "))
        let j = try DosecalcBinary.json(["plan", "--input", path, "--json"])
        let re = try #require(j["radioembolization"] as? [String: Any])
        #expect((re["orders"] as? [Any])?.isEmpty == true)
        let brief = try DosecalcBinary.run(["plan", "--input", path, "--brief"])
        #expect(brief.exitCode == 3 && brief.stdout.contains("not an order") && !brief.stdout.contains("source:"))
    }

    @Test("glass: every order line is inside the treatment hours and the usable window, one per territory")
    func glassOrders() throws {
        let j = try DosecalcBinary.json(["plan", "--input", Self.patients.appendingPathComponent("multi-03-glass-two-vials.json").path, "--json"])
        let re = try #require(j["radioembolization"] as? [String: Any])
        let orders = try #require(re["orders"] as? [[String: Any]])
        #expect(orders.count == 2)
        for o in orders {
            let local = try #require(o["administrationTimeLocal"] as? String)
            // "Mon 30 Nov 2026, 13:05 (UTC−05:00)": the clock time between 07:30 and 17:00.
            let clock = local.split(separator: ",")[1].trimmingCharacters(in: .whitespaces).prefix(5)
            let minutes = Int(clock.prefix(2))! * 60 + Int(clock.suffix(2))!
            #expect(minutes >= 7 * 60 + 30 && minutes <= 17 * 60, "\(local)")
            #expect(minutes % 5 == 0)
            let h = try #require(o["hoursAfterCalibration"] as? Double)
            #expect(h >= 0 && h <= 288)
        }
        let territories = try #require(re["territories"] as? [[String: Any]])
        #expect(territories.allSatisfy { ($0["activityGBq"] as? Double ?? 0) > 0 })
    }
}
