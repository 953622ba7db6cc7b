// SPDX-License-Identifier: GPL-3.0-or-later
// Tests of `dosecalc batch`, run through the BUILT BINARY (see Support/DosecalcBinary.swift).
//
// Contract under test (Sources/DosecalcCLI/BatchCommand.swift): one JSON Lines output line per
// non-empty input line, in input order, {"id", "exitCode", "result"} or {"id", "exitCode", "error":
// {"message"}}; `result` is the single command's --json object and `message` the single command's
// one stderr line; the batch exits 0 whatever the requests' statuses and prints one summary line on
// stderr. Every expectation here comes from running the single command as its own process (the
// independent path), never from the batch alone.
import Testing
import Foundation

// MARK: - Helpers

/// One request: the id and args as JSON text, and the argument list of the same request for the
/// single command (without --json, which the test adds).
private struct Request {
    let id: String
    let command: String
    let args: String
    /// nil: there is no single-command equivalent (`plan` uses `planFile`).
    let argv: [String]?
    var planFile: URL? = nil

    var line: String { #"{"id": \#(id), "command": "\#(command)", "args": \#(args)}"# }
    var singleArgs: [String] {
        if let planFile { return ["plan", "--input", planFile.path, "--json"] }
        return argv! + ["--json"]
    }
}

/// The output lines of a batch run, as text.
private func outputLines(_ stdout: String) -> [String] {
    stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
}

private func parse(_ line: String) throws -> [String: Any] {
    guard let o = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
        throw DosecalcBinary.Failure(description: "not a JSON object: \(line.prefix(200))")
    }
    return o
}

/// Whether two parsed JSON values are equal (objects by key, arrays in order, numbers by value).
private func sameJSON(_ a: Any?, _ b: Any?) -> Bool {
    switch (a, b) {
    case let (x as [String: Any], y as [String: Any]):
        return Set(x.keys) == Set(y.keys) && x.keys.allSatisfy { sameJSON(x[$0], y[$0]) }
    case let (x as [Any], y as [Any]):
        return x.count == y.count && zip(x, y).allSatisfy { sameJSON($0, $1) }
    case let (x as String, y as String):
        return x == y
    case (is NSNull, is NSNull):
        return true
    case let (x as NSNumber, y as NSNumber):
        return x == y
    default:
        return false
    }
}

/// JSON text without the whitespace between tokens (strings kept as written): the one-line form of
/// the single command's pretty-printed --json output.
private func withoutInsignificantWhitespace(_ text: String) -> String {
    var out = ""
    var inString = false, escaped = false
    for c in text.unicodeScalars {
        if inString {
            out.unicodeScalars.append(c)
            if escaped { escaped = false } else if c == "\\" { escaped = true } else if c == "\"" { inString = false }
        } else if !(c == " " || c == "\n" || c == "\t" || c == "\r") {
            out.unicodeScalars.append(c)
            if c == "\"" { inString = true }
        }
    }
    return out
}

/// Runs `dosecalc batch --input <file with lines>` plus `extra`.
private func runBatch(_ lines: [String], _ extra: [String] = []) throws -> DosecalcBinary.Output {
    let file = try DosecalcBinary.temporaryFile(lines.joined(separator: "\n") + "\n")
    defer { try? FileManager.default.removeItem(at: file) }
    return try DosecalcBinary.run(["batch", "--input", file.path] + extra)
}

private func patientFile(_ name: String) -> URL {
    DosecalcBinary.packageRoot.appendingPathComponent("reference-data/patients/\(name).json")
}

/// A plan request whose args are the patient file's JSON on one line (JSON allows a line break only
/// between tokens, so the file's line breaks become spaces).
private func planRequest(id: String, patient: String) throws -> Request {
    let url = patientFile(patient)
    let text = try String(contentsOf: url, encoding: .utf8).replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "\r", with: " ")
    return Request(id: id, command: "plan", args: text, argv: nil, planFile: url)
}

/// The summary line expected from the single commands' outputs: results by status, failures invalid.
private func expectedSummary(_ singles: [DosecalcBinary.Output]) -> String {
    var n = ["ok": 0, "warning": 0, "contraindicated": 0, "infeasible": 0, "invalid": 0]
    for s in singles {
        if s.exitCode == 0 || s.exitCode == 3, let status = s.json["status"] as? String { n[status, default: 0] += 1 } else { n["invalid"]! += 1 }
    }
    return "\(n["ok"]!) ok, \(n["warning"]!) warning, \(n["contraindicated"]!) contraindicated, \(n["infeasible"]!) infeasible, \(n["invalid"]!) invalid"
}

/// The single command's stderr line, without the trailing newline.
private func errorLine(_ o: DosecalcBinary.Output) -> String {
    o.stderr.split(separator: "\n").first.map(String.init) ?? ""
}

/// Checks one batch output line against the single command run as a process.
private func expectSame(batchLine: String, request r: Request, single s: DosecalcBinary.Output) throws {
    let o = try parse(batchLine)
    let context = Comment(rawValue: "request \(r.line.prefix(160))")
    #expect(cliNumber(o["exitCode"]).map { Int32($0) } == s.exitCode, context)
    if s.exitCode == 0 || s.exitCode == 3 {
        #expect(o["error"] == nil, context)
        var batchResult = try #require(o["result"] as? [String: Any], context)
        var singleResult = try DosecalcBinary.parseObject(s.stdout, args: r.singleArgs)
        if r.command == "plan" {
            // The plan carries the time it was computed; everything else must be equal.
            #expect(batchResult.removeValue(forKey: "calculatedAt") != nil, context)
            #expect(singleResult.removeValue(forKey: "calculatedAt") != nil, context)
        } else {
            // Byte for byte: the single command's output without its line breaks and indentation.
            let prefix = #"{"id":\#(r.id),"exitCode":\#(s.exitCode),"result":"#
            #expect(batchLine.hasPrefix(prefix), context)
            #expect(String(batchLine.dropFirst(prefix.count).dropLast()) == withoutInsignificantWhitespace(s.stdout), context)
        }
        #expect(sameJSON(batchResult, singleResult), context)
    } else {
        #expect(o["result"] == nil, context)
        let message = (o["error"] as? [String: Any])?["message"] as? String
        #expect(message == errorLine(s), context)
        #expect(s.stdout.isEmpty, context)
    }
}

// MARK: - Tests

@Suite("dosecalc batch")
struct BatchCommandTests {
    /// Every command kind (and the statuses ok, warning, contraindicated, infeasible), each compared
    /// with the single command run as its own process: same exit code, same JSON (bytes, apart from
    /// whitespace; for plan, equal values without calculatedAt), and the summary line.
    @Test func everyCommandMatchesTheSingleProcess() throws {
        var requests: [Request] = [
            Request(id: "1", command: "y90",
                    args: #"{"device": "glass", "method": "partition", "lung-shunt": 6, "tumor-mass-g": 200, "normal-liver-mass-g": 800, "tn-ratio": 3, "tumor-dose-gy": 200}"#,
                    argv: ["y90", "--device", "glass", "--method", "partition", "--lung-shunt", "6", "--tumor-mass-g", "200", "--normal-liver-mass-g", "800", "--tn-ratio", "3", "--tumor-dose-gy", "200"]),
            Request(id: "2", command: "y90",
                    args: #"{"device": "resin", "method": "mird", "lung-shunt": "25%", "perfused-volume-ml": 1000, "target-dose-gy": 40.0, "cirrhosis": "yes"}"#,
                    argv: ["y90", "--device", "resin", "--method", "mird", "--lung-shunt", "25%", "--perfused-volume-ml", "1000", "--target-dose-gy", "40.0", "--cirrhosis", "yes"]),
            Request(id: "3", command: "ho166",
                    args: #"{"method": "standard", "liver-mass-g": 1500, "lung-shunt": 5}"#,
                    argv: ["ho166", "--method", "standard", "--liver-mass-g", "1500", "--lung-shunt", "5"]),
            Request(id: "4", command: "lsf",
                    args: #"{"lung-anterior": 100, "lung-posterior": 120, "liver-anterior": 2000, "liver-posterior": 1800}"#,
                    argv: ["lsf", "--lung-anterior", "100", "--lung-posterior", "120", "--liver-anterior", "2000", "--liver-posterior", "1800"]),
            Request(id: "5", command: "tn-ratio",
                    args: #"{"tumor-counts": 100, "tumor-volume-ml": 10, "normal-counts": 400, "normal-volume-ml": 20}"#,
                    argv: ["tn-ratio", "--tumor-counts", "100", "--tumor-volume-ml", "10", "--normal-counts", "400", "--normal-volume-ml", "20"]),
            Request(id: "6", command: "decay",
                    args: #"{"nuclide": "ho166", "activity-mbq": 2500, "from": "2026-03-01T08:00:00+01:00", "to": "2026-03-02T10:30:00+01:00"}"#,
                    argv: ["decay", "--nuclide", "ho166", "--activity-mbq", "2500", "--from", "2026-03-01T08:00:00+01:00", "--to", "2026-03-02T10:30:00+01:00"]),
            Request(id: "7", command: "vial",
                    args: #"{"device": "glass", "activity-gbq": 3, "residual-percent": 3, "hours": 48}"#,
                    argv: ["vial", "--device", "glass", "--activity-gbq", "3", "--residual-percent", "3", "--hours", "48"]),
            // A list flag as a JSON array and as the comma text the flag takes.
            Request(id: "8", command: "deb",
                    args: #"{"product": "dc-bead", "size": ["300-500", "500-700"], "loading-mg-per-ml": 37.5, "dose-split-mg": [50, 25], "days": 7}"#,
                    argv: ["deb", "--product", "dc-bead", "--size", "300-500,500-700", "--loading-mg-per-ml", "37.5", "--dose-split-mg", "50,25", "--days", "7"]),
            Request(id: "9", command: "deb",
                    args: #"{"iv-bolus-mg": 50, "times-h": "0.5,1,2,4"}"#,
                    argv: ["deb", "--iv-bolus-mg", "50", "--times-h", "0.5,1,2,4"]),
        ]
        requests.append(try planRequest(id: "10", patient: "plan-01-resin-nl-limited"))
        requests.append(try planRequest(id: "11", patient: "infeasible-resin-72h"))
        requests.append(try planRequest(id: "12", patient: "deb-01-hcc-dc-bead"))

        let batch = try runBatch(requests.map(\.line))
        let singles = try DosecalcBinary.runMany(requests.map(\.singleArgs))
        #expect(batch.exitCode == 0, "stderr: \(batch.stderr)")
        let lines = outputLines(batch.stdout)
        try #require(lines.count == requests.count, "stdout: \(batch.stdout.prefix(500))")
        for (i, r) in requests.enumerated() { try expectSame(batchLine: lines[i], request: r, single: singles[i]) }
        // The summary counts the statuses the single commands report; the statuses cover all four.
        #expect(batch.stderr == expectedSummary(singles) + "\n")
        let statuses = Set(singles.compactMap { $0.json["status"] as? String })
        #expect(statuses == ["ok", "warning", "contraindicated", "infeasible"], "statuses covered: \(statuses)")
    }

    /// Bad lines each give one error line, with the exit code and message the single command (or the
    /// project's strict JSON reader, through `plan --input`) gives for the same input; the batch goes
    /// on to the next line and exits 0.
    @Test func badLinesGiveTheSingleCommandsErrorAndTheBatchGoesOn() throws {
        let mird = ["y90", "--device", "glass", "--method", "mird", "--lung-shunt", "5", "--perfused-mass-g", "1000", "--target-dose-gy", "120"]
        let mirdArgs = #""device": "glass", "method": "mird", "lung-shunt": 5, "perfused-mass-g": 1000, "target-dose-gy": 120"#
        let unknownFlag = Request(id: "3", command: "y90", args: "{\(mirdArgs), \"bogus-flag\": 1}", argv: mird + ["--bogus-flag", "1"])
        let nanText = Request(id: "5", command: "y90",
                              args: #"{"device": "glass", "method": "mird", "lung-shunt": "nan", "perfused-mass-g": 1000, "target-dose-gy": 120}"#,
                              argv: ["y90", "--device", "glass", "--method", "mird", "--lung-shunt", "nan", "--perfused-mass-g", "1000", "--target-dose-gy", "120"])
        let wordForNumber = Request(id: "6", command: "y90",
                                    args: #"{"device": "glass", "method": "mird", "lung-shunt": 5, "perfused-mass-g": "heavy", "target-dose-gy": 120}"#,
                                    argv: ["y90", "--device", "glass", "--method", "mird", "--lung-shunt", "5", "--perfused-mass-g", "heavy", "--target-dose-gy", "120"])
        let missingValue = Request(id: "7", command: "decay", args: #"{"nuclide": "y90", "hours": 24}"#, argv: ["decay", "--nuclide", "y90", "--hours", "24"])
        let good = Request(id: "12", command: "y90", args: "{\(mirdArgs)}", argv: mird)

        let notJSON = "this is not JSON"
        let duplicateKey = #"{"id": 2, "id": 2, "command": "decay", "args": {}}"#
        let bareNaN = #"{"id": 4, "command": "y90", "args": {"lung-shunt": NaN}}"#
        let lines = [
            notJSON,                                                                  // 0
            duplicateKey,                                                             // 1
            unknownFlag.line,                                                         // 2
            bareNaN,                                                                  // 3
            nanText.line,                                                             // 4
            wordForNumber.line,                                                       // 5
            missingValue.line,                                                        // 6
            #"{"id": 8, "command": "y91", "args": {}}"#,                              // 7 unknown command
            #"{"id": 9, "command": "decay", "args": ["nuclide", "y90"]}"#,            // 8 args not an object
            #"{"id": 10, "command": "decay", "args": {}, "verbose": true}"#,          // 9 unknown top-level key
            #"{"id": 11, "args": {}}"#,                                               // 10 no command
            good.line,                                                                // 11
        ]
        let batch = try runBatch(lines)
        #expect(batch.exitCode == 0)
        let out = outputLines(batch.stdout)
        try #require(out.count == lines.count, "stdout: \(batch.stdout)")

        // The same flags through the single command.
        let singles = try DosecalcBinary.runMany([unknownFlag, nanText, wordForNumber, missingValue, good].map(\.singleArgs))
        try expectSame(batchLine: out[2], request: unknownFlag, single: singles[0])
        #expect(singles[0].exitCode == 64)
        try expectSame(batchLine: out[4], request: nanText, single: singles[1])
        try expectSame(batchLine: out[5], request: wordForNumber, single: singles[2])
        try expectSame(batchLine: out[6], request: missingValue, single: singles[3])
        try expectSame(batchLine: out[11], request: good, single: singles[4])

        // Lines the strict JSON reader refuses: the same verdict as `plan --input` on the same bytes.
        for (index, text) in [(0, notJSON), (1, duplicateKey), (3, bareNaN)] {
            let file = try DosecalcBinary.temporaryFile(text, suffix: ".json")
            defer { try? FileManager.default.removeItem(at: file) }
            let reader = try DosecalcBinary.run(["plan", "--input", file.path, "--json"])
            #expect(reader.exitCode == 2)
            // "…: is not strict JSON: <what> (line 1, column c)": the reader's own words.
            let what = try #require(errorLine(reader).components(separatedBy: "is not strict JSON: ").last?.components(separatedBy: " (line").first)
            let o = try parse(out[index])
            #expect(o["id"] is NSNull, "the id of a line that is not JSON cannot be read")
            #expect(cliNumber(o["exitCode"]) == 2)
            let message = try #require((o["error"] as? [String: Any])?["message"] as? String)
            #expect(message.hasPrefix("dosecalc: error: line \(index + 1)"), "\(message)")
            #expect(message.contains("is not strict JSON") && message.contains(what), "\(message) should hold '\(what)'")
        }
        #expect(out[1].contains("duplicate key"))
        #expect(out[3].contains("NaN"))

        // Requests the batch refuses before any command runs: exit 2, one line naming what is wrong.
        for (index, words) in [(7, "command: must be one of y90, ho166, lsf, tn-ratio, decay, vial, deb, plan"),
                               (8, "args: must be an object"), (9, "'verbose' is not a request key"), (10, "command: is required")] {
            let o = try parse(out[index])
            #expect(cliNumber(o["exitCode"]) == 2, "\(out[index])")
            #expect(cliNumber(o["id"]) == Double(index + 1), "\(out[index])")
            let message = (o["error"] as? [String: Any])?["message"] as? String ?? ""
            #expect(message.hasPrefix("dosecalc: error: line \(index + 1): ") && message.contains(words), "\(message)")
            #expect(!message.contains("\n"))
        }
        let expected = expectedSummary([singles[4]]).replacingOccurrences(of: "0 invalid", with: "11 invalid")
        #expect(batch.stderr == expected + "\n")
    }

    /// Flags that make no sense in a batch are that request's usage error (64), said plainly; no file
    /// is written.
    @Test func flagsThatWriteFilesOrPrintTextAreRefused() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dosecalc-batch-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let report = dir.appendingPathComponent("report.html").path
        let csv = dir.appendingPathComponent("series.csv").path
        let patient = try String(contentsOf: patientFile("plan-01-resin-nl-limited"), encoding: .utf8).replacingOccurrences(of: "\n", with: " ")
        let mird = #""device": "glass", "method": "mird", "lung-shunt": 5, "perfused-mass-g": 1000, "target-dose-gy": 120"#
        let cases: [(line: String, flag: String)] = [
            (#"{"id": 1, "command": "y90", "args": {\#(mird), "brief": true}}"#, "--brief"),
            (#"{"id": 2, "command": "y90", "args": {\#(mird), "json": false}}"#, "--json"),
            (#"{"id": 3, "command": "deb", "args": {"product": "dc-bead", "size": "100-300", "loading-mg-per-ml": 37.5, "dose-mg": 75, "csv": "\#(csv)"}}"#, "--csv"),
            (#"{"id": 4, "command": "y90", "args": {\#(mird), "report": "\#(report)"}}"#, "--report"),
            (#"{"id": 5, "command": "y90", "args": {\#(mird), "replay": "x.json"}}"#, "--replay"),
            (#"{"id": 6, "command": "y90", "args": {\#(mird), "ledger": "x.sqlite"}}"#, "--ledger"),
            (#"{"id": 7, "command": "y90", "args": {\#(mird), "help": true}}"#, "--help"),
            (#"{"id": 8, "command": "y90", "args": {\#(mird), "reference-data": "/tmp"}}"#, "--reference-data"),
            (#"{"id": 9, "command": "y90", "args": {"--device": "glass"}}"#, "'--device' is not a flag name"),
        ]
        let batch = try runBatch(cases.map(\.line) + [#"{"id": 10, "command": "plan", "args": {"input": "x.json"}}"#,
                                                       #"{"id": 11, "command": "plan", "args": \#(patient)}"#])
        #expect(batch.exitCode == 0)
        let out = outputLines(batch.stdout)
        try #require(out.count == cases.count + 2)
        for (i, c) in cases.enumerated() {
            let o = try parse(out[i])
            #expect(cliNumber(o["exitCode"]) == 64, "\(out[i])")
            let message = (o["error"] as? [String: Any])?["message"] as? String ?? ""
            #expect(message.hasPrefix("dosecalc: error: line \(i + 1): ") && message.contains(c.flag), "\(message)")
        }
        #expect(!FileManager.default.fileExists(atPath: report))
        #expect(!FileManager.default.fileExists(atPath: csv))
        // For plan, args is the planner input itself: a flag name there is an unknown field of the input,
        // refused by the planner's own reader exactly as `plan --input` refuses it.
        let inputFile = try DosecalcBinary.temporaryFile(#"{"input": "x.json"}"#, suffix: ".json")
        defer { try? FileManager.default.removeItem(at: inputFile) }
        let single = try DosecalcBinary.run(["plan", "--input", inputFile.path, "--json"])
        let plan = try parse(out[cases.count])
        #expect(cliNumber(plan["exitCode"]).map { Int32($0) } == single.exitCode)
        #expect(((plan["error"] as? [String: Any])?["message"] as? String) == errorLine(single))
        #expect(cliNumber(try parse(out[cases.count + 1])["exitCode"]) == 0, "a plan after refused lines still runs")
    }

    /// The output follows the input order even when the first request is the slowest, and the exit
    /// code is 0 although requests fail.
    @Test func orderIsPreservedWhateverFinishesFirst() throws {
        var lines = [#"{"id": 0, "command": "deb", "args": {"product": "dc-bead", "size": "100-300", "loading-mg-per-ml": 37.5, "dose-mg": 75}}"#]
        for i in 1...60 {
            lines.append(i % 7 == 0
                ? #"{"id": \#(i), "command": "decay", "args": {"nuclide": "y90", "activity-gbq": -1, "hours": 1}}"#
                : #"{"id": \#(i), "command": "decay", "args": {"nuclide": "y90", "activity-gbq": \#(i), "hours": \#(i)}}"#)
        }
        let batch = try runBatch(lines, ["--jobs", "4"])
        #expect(batch.exitCode == 0)
        let out = outputLines(batch.stdout)
        try #require(out.count == lines.count)
        for (i, line) in out.enumerated() {
            let o = try parse(line)
            #expect(cliNumber(o["id"]) == Double(i))
            #expect(cliNumber(o["exitCode"]) == (i > 0 && i % 7 == 0 ? 2 : 0))
        }
        // Spot checks against the single command.
        let picks = [0, 7, 30]
        let singles = try DosecalcBinary.runMany(picks.map { i in
            i == 0 ? ["deb", "--product", "dc-bead", "--size", "100-300", "--loading-mg-per-ml", "37.5", "--dose-mg", "75", "--json"]
                   : ["decay", "--nuclide", "y90", "--activity-gbq", i % 7 == 0 ? "-1" : "\(i)", "--hours", i % 7 == 0 ? "1" : "\(i)", "--json"]
        })
        for (k, i) in picks.enumerated() {
            let o = try parse(out[i])
            #expect(cliNumber(o["exitCode"]).map { Int32($0) } == singles[k].exitCode)
            if singles[k].exitCode == 0 {
                #expect(sameJSON(o["result"], singles[k].json))
            } else {
                #expect(((o["error"] as? [String: Any])?["message"] as? String) == errorLine(singles[k]))
            }
        }
    }

    /// 200 mixed lines (every command, errors, empty lines) give the same bytes with one worker and
    /// with many (plan's calculatedAt, the time of computation, blanked in both).
    @Test func oneWorkerAndManyWorkersWriteTheSameBytes() throws {
        var rng = SplitMix(seed: 20_260_301)
        let patient = try String(contentsOf: patientFile("plan-05-glass-target-reached"), encoding: .utf8).replacingOccurrences(of: "\n", with: " ")
        var lines: [String] = []
        for i in 0..<200 {
            let v = { (lo: Double, hi: Double) in String(format: "%.3f", lo + (hi - lo) * rng.unit()) }
            switch i % 12 {
            case 0: lines.append(#"{"id": \#(i), "command": "y90", "args": {"device": "glass", "method": "partition", "lung-shunt": \#(v(0, 30)), "tumor-mass-g": \#(v(20, 600)), "normal-liver-mass-g": \#(v(300, 1500)), "tn-ratio": \#(v(0.5, 8)), "normal-liver-dose-gy": \#(v(20, 150))}}"#)
            case 1: lines.append(#"{"id": \#(i), "command": "y90", "args": {"device": "resin", "method": "bsa", "lung-shunt": \#(v(0, 25)), "height-cm": \#(v(150, 195)), "weight-kg": \#(v(45, 120)), "tumor-volume-ml": \#(v(10, 500)), "liver-volume-ml": \#(v(1000, 2500))}}"#)
            case 2: lines.append(#"{"id": \#(i), "command": "ho166", "args": {"method": "standard", "liver-volume-ml": \#(v(900, 2200)), "lung-shunt": \#(v(0, 20))}}"#)
            case 3: lines.append(#"{"id": \#(i), "command": "lsf", "args": {"lung-anterior": \#(v(10, 900)), "lung-posterior": \#(v(10, 900)), "liver-anterior": \#(v(1000, 9000)), "liver-posterior": \#(v(1000, 9000))}}"#)
            case 4: lines.append(#"{"id": \#(i), "command": "tn-ratio", "args": {"tumor-counts": \#(v(100, 9000)), "tumor-volume-ml": \#(v(5, 300)), "normal-counts": \#(v(100, 9000)), "normal-volume-ml": \#(v(300, 1500))}}"#)
            case 5: lines.append(#"{"id": \#(i), "command": "decay", "args": {"nuclide": "y90", "activity-gbq": \#(v(0.5, 20)), "hours": \#(v(-100, 500))}}"#)
            case 6: lines.append(#"{"id": \#(i), "command": "vial", "args": {"device": "glass", "activity-gbq": \#(v(0.5, 12)), "residual-percent": \#(v(0, 10)), "hours": \#(v(0, 200))}}"#)
            case 7: lines.append(i % 48 == 7 ? #"{"id": \#(i), "command": "plan", "args": \#(patient)}"#
                                              : #"{"id": \#(i), "command": "deb", "args": {"iv-bolus-mg": \#(v(10, 150)), "times-h": [0.25, 1, 6, 24]}}"#)
            case 8: lines.append(#"{"id": \#(i), "command": "y90", "args": {"device": "glass", "method": "mird", "lung-shunt": \#(v(0, 40)), "perfused-mass-g": \#(v(-10, 2000)), "target-dose-gy": \#(v(50, 250))}}"#)
            case 9: lines.append(["not json", #"{"id": \#(i), "command": "nope", "args": {}}"#, #"{"id": \#(i), "command": "y90", "args": {"x": 1}}"#, ""][i % 4])
            case 10: lines.append(i % 20 == 10 ? #"{"id": \#(i), "command": "deb", "args": {"product": "dc-bead", "size": "100-300", "loading-mg-per-ml": \#(v(20, 45)), "dose-mg": \#(v(25, 150)), "days": 3}}"#
                                               : #"{"id": \#(i), "command": "decay", "args": {"nuclide": "ho166", "activity-mci": \#(v(5, 300)), "hours": \#(v(0, 100))}}"#)
            default: lines.append(#"{"id": "\#(i)", "command": "ho166", "args": {"method": "partition", "lung-shunt": \#(v(0, 20)), "tumor-mass-g": \#(v(20, 400)), "normal-liver-mass-g": \#(v(400, 1400)), "tn-ratio": \#(v(1, 6)), "activity-gbq": \#(v(1, 8))}}"#)
            }
        }
        #expect(lines.count == 200)
        let file = try DosecalcBinary.temporaryFile(lines.joined(separator: "\n") + "\n")
        defer { try? FileManager.default.removeItem(at: file) }
        let one = try DosecalcBinary.run(["batch", "--input", file.path, "--jobs", "1"])
        let many = try DosecalcBinary.run(["batch", "--input", file.path, "--jobs", "16"])
        let cores = try DosecalcBinary.run(["batch", "--input", file.path])
        for r in [one, many, cores] { #expect(r.exitCode == 0, "\(r.stderr)") }
        let blank = { (s: String) in s.replacingOccurrences(of: #""calculatedAt":"[^"]*""#, with: #""calculatedAt":"""#, options: .regularExpression) }
        #expect(blank(one.stdout).utf8.elementsEqual(blank(many.stdout).utf8))
        #expect(blank(one.stdout).utf8.elementsEqual(blank(cores.stdout).utf8))
        #expect(one.stderr == many.stderr && one.stderr == cores.stderr)
        let nonEmpty = lines.filter { !$0.isEmpty }.count
        #expect(outputLines(one.stdout).count == nonEmpty, "empty lines are skipped, every other line answered")
        // Ids in input order.
        let ids = try outputLines(one.stdout).map { line -> String in
            let o = try parse(line)
            if let n = cliNumber(o["id"]) { return String(Int(n)) }
            return (o["id"] as? String) ?? "null"
        }
        let expectedIDs = lines.enumerated().compactMap { i, l -> String? in l.isEmpty ? nil : (l == "not json" ? "null" : String(i)) }
        #expect(ids == expectedIDs)
    }

    /// Standard input is the default input, and `--input -` names it; both give what the file gives.
    /// Empty and blank lines are skipped and not counted; ids come back as written.
    @Test func standardInputEmptyLinesAndIDs() throws {
        let text = "\n" + [
            #"{"id": 2.50, "command": "decay", "args": {"nuclide": "y90", "activity-gbq": 3, "hours": 24}}"#,
            "   \t",
            #"{"id": {"patient": "A-1", "n": [1, 2]}, "command": "decay", "args": {"nuclide": "y90", "activity-gbq": 3, "hours": 24}}"#,
            #"{"id": null, "command": "decay", "args": {"nuclide": "y90", "activity-gbq": 3, "hours": 24}}"#,
            "",
            #"{"id": "caf\u00e9 1", "command": "decay", "args": {"nuclide": "y90", "activity-gbq": 3, "hours": 24}}"# + "\r",
            #"{"id": 1e3, "command": "decay", "args": {"nuclide": "y90", "activity-gbq": 3, "hours": 24}}"#,
        ].joined(separator: "\n")   // the last line has no line break
        let file = try DosecalcBinary.temporaryFile(text)
        defer { try? FileManager.default.removeItem(at: file) }
        let fromFile = try DosecalcBinary.run(["batch", "--input", file.path])
        let fromDefault = try DosecalcBinary.run(["batch"], standardInput: file)
        let fromDash = try DosecalcBinary.run(["batch", "--input", "-"], standardInput: file)
        #expect(fromFile.exitCode == 0)
        #expect(fromDefault.stdout == fromFile.stdout && fromDash.stdout == fromFile.stdout)
        #expect(fromDefault.exitCode == 0 && fromDash.exitCode == 0)
        let out = outputLines(fromFile.stdout)
        try #require(out.count == 5)
        let ids = [#"2.50"#, #"{"patient":"A-1","n":[1,2]}"#, "null", #""caf\u00e9 1""#, "1e3"]
        let single = try DosecalcBinary.run(["decay", "--nuclide", "y90", "--activity-gbq", "3", "--hours", "24", "--json"])
        for (line, id) in zip(out, ids) {
            #expect(line == #"{"id":\#(id),"exitCode":0,"result":\#(withoutInsignificantWhitespace(single.stdout))}"#)
        }
        #expect(fromFile.stderr == "5 ok, 0 warning, 0 contraindicated, 0 infeasible, 0 invalid\n")
    }

    /// An input that cannot be read: exit 2, one line on stderr naming --input, nothing on stdout.
    @Test func unreadableInputIsOneErrorLine() throws {
        let missing = FileManager.default.temporaryDirectory.appendingPathComponent("dosecalc-no-such-\(UUID().uuidString).jsonl").path
        let folder = FileManager.default.temporaryDirectory.path
        for path in [missing, folder] {
            let r = try DosecalcBinary.run(["batch", "--input", path])
            #expect(r.exitCode == 2)
            #expect(r.stdout.isEmpty)
            #expect(r.stderr.hasPrefix("dosecalc: error: --input: cannot read '"), "\(r.stderr)")
            #expect(r.stderr.contains(path == missing ? "No such file or directory" : "it is a folder"), "\(r.stderr)")
            #expect(r.stderr.filter { $0 == "\n" }.count == 1)
        }
    }

    /// --jobs outside 1…256, or not a whole number: exit 2, one line with the range.
    @Test func jobsOutsideItsRangeIsRefused() throws {
        let file = try DosecalcBinary.temporaryFile("")
        defer { try? FileManager.default.removeItem(at: file) }
        for jobs in ["0", "257", "1.5", "many"] {
            let r = try DosecalcBinary.run(["batch", "--input", file.path, "--jobs", jobs])
            #expect(r.exitCode == 2)
            #expect(r.stdout.isEmpty)
            #expect(r.stderr == "dosecalc: error: --jobs: must be a whole number in [1, 256]; got '\(jobs)'\n")
        }
        let empty = try DosecalcBinary.run(["batch", "--input", file.path, "--jobs", "256"])
        #expect(empty.exitCode == 0 && empty.stdout.isEmpty)
        #expect(empty.stderr == "0 ok, 0 warning, 0 contraindicated, 0 infeasible, 0 invalid\n")
    }
}

/// A small deterministic generator (SplitMix64), so that the mixed file is the same on every run.
private struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
