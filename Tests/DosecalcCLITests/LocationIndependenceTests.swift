// SPDX-License-Identifier: GPL-3.0-or-later
import Testing
import Foundation
@testable import DosecalcCLI
@testable import DosecalcCore
@testable import Validation

/// Changes the process's working directory for the length of `body` and restores it. The working
/// directory is one per process and tests run in parallel, so every test that changes it goes
/// through this lock (tests that do not change it must not depend on it: every process a test
/// starts names its working directory, since Foundation's Process otherwise takes this one when it
/// is created, which may be a temporary folder removed before the process starts).
enum WorkingDirectory {
    private static let lock = NSLock()

    static func with<T>(_ directory: URL, _ body: () throws -> T) throws -> T {
        try lock.withLock {
            let fm = FileManager.default
            let saved = fm.currentDirectoryPath
            guard fm.changeCurrentDirectoryPath(directory.path) else {
                throw DosecalcBinary.Failure(description: "cannot change the working directory to \(directory.path)")
            }
            defer { _ = fm.changeCurrentDirectoryPath(saved) }
            return try body()
        }
    }
}

/// `dosecalc` gives the same answers from any working directory: the reference data is found from
/// the executable (or the flag / the environment), and the file paths inside reference cases are
/// resolved against the reference-data directory, not the working directory.
@Suite("Location independence", .serialized)
struct LocationIndependenceTests {
    func withScratch(_ body: (URL) throws -> Void) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dosecalc-location-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(at: dir) }
        try body(dir.resolvingSymlinksInPath())
    }

    // MARK: - Validation cases from another working directory

    @Test("every reference case passes with the working directory in an empty temporary folder")
    func casesPassFromTemporaryDirectory() throws {
        try withScratch { dir in
            let failures: [String] = try WorkingDirectory.with(dir) {
                #expect(FileManager.default.currentDirectoryPath == dir.path)
                let files = try ValidationRunner.loadAll()
                let cases = files.flatMap(\.cases)
                #expect(cases.count >= 50)
                #expect(cases.contains { $0.args.contains("--input") }, "the planner cases read patient files")
                var failures: [String] = []
                for c in cases {
                    let rows = ValidationRunner.run(c) { args in
                        let inv = Dosecalc.invoke(args)
                        return InvocationRecord(exitCode: inv.exitCode, stdout: inv.stdout, stderr: inv.stderr)
                    }
                    for row in rows where !row.passed {
                        failures.append("\(row.caseID) \(row.quantity): expected \(row.expected), got \(row.got)")
                    }
                }
                return failures
            }
            // A path resolved against the working directory shows up as "--input: cannot read '…'".
            #expect(!failures.contains { $0.contains("cannot read") }, "a case file path was not found from another working directory")
            let failingRows = failures.count
            #expect(failingRows == 0, "first: \(failures.prefix(5).joined(separator: " | "))")
            #expect((try FileManager.default.contentsOfDirectory(atPath: dir.path)).isEmpty, "validation wrote into the working directory")
        }
    }

    @Test("`dosecalc validate` (the binary) passes from a temporary folder and from /")
    func binaryValidateFromElsewhere() throws {
        let exe = try DosecalcBinary.prepared.get()
        try withScratch { dir in
            let r = try DosecalcBinary.execute(exe, ["validate", "--failures-only"], timeoutSeconds: 600, directory: dir)
            #expect(r.exitCode == 0, "\(r.stdout.suffix(2000))\(r.stderr)")
            #expect(r.stdout.contains("reference cases passed"))
            #expect(!r.stdout.contains("FAIL"))
            #expect((try FileManager.default.contentsOfDirectory(atPath: dir.path)).isEmpty)
        }
        let y90 = try DosecalcBinary.execute(exe, ["y90", "--device", "glass", "--method", "partition", "--tumor-mass-g", "150",
                                                   "--normal-liver-mass-g", "850", "--tn-ratio", "4", "--tumor-dose-gy", "205",
                                                   "--lung-shunt", "6", "--json"],
                                             timeoutSeconds: 120, directory: URL(fileURLWithPath: "/"))
        #expect(y90.exitCode == 0, "\(y90.stderr)")
        #expect(y90.json["activityGBq"] != nil, "\(y90.stdout.prefix(300))")
    }

    // MARK: - Case paths

    @Test("input paths in a case resolve against the reference-data directory; output paths go to a temporary folder")
    func casePathResolution() throws {
        let base = URL(fileURLWithPath: "/data/rd", isDirectory: true)
        let out = URL(fileURLWithPath: "/tmp/case-out", isDirectory: true)
        let args = ["plan", "--input", "patients/p.json", "--report", "r.html", "--csv=s.csv", "--json"]
        let p = CasePaths(args: args)
        #expect(p.hasInputs && p.hasOutputs)
        #expect(p.resolved(referenceData: base, outputDirectory: out) ==
                ["plan", "--input", "/data/rd/patients/p.json", "--report", "/tmp/case-out/r.html", "--csv=/tmp/case-out/s.csv", "--json"])
        // The older convention relative to the checkout root, "./", "=" form, absolute paths, "--".
        #expect(CasePaths(args: ["plan", "--input", "reference-data/patients/p.json"]).resolved(referenceData: base, outputDirectory: nil)
                == ["plan", "--input", "/data/rd/patients/p.json"])
        #expect(CasePaths(args: ["plan", "--input=./patients/p.json"]).resolved(referenceData: base, outputDirectory: nil)
                == ["plan", "--input=/data/rd/patients/p.json"])
        #expect(CasePaths(args: ["plan", "--input", "/abs/p.json", "--report", "/dev/null"]).resolved(referenceData: base, outputDirectory: out)
                == ["plan", "--input", "/abs/p.json", "--report", "/dev/null"])
        #expect(CasePaths(args: ["x", "--", "--input", "a"]).resolved(referenceData: base, outputDirectory: out) == ["x", "--", "--input", "a"])
        #expect(!CasePaths(args: ["y90", "--device", "glass"]).hasInputs)
        // No base: paths stay as written.
        #expect(CasePaths(args: args).resolved(referenceData: nil, outputDirectory: nil) == args)
    }

    @Test("a case's output file goes to a temporary folder that is removed afterwards, never to the working directory")
    func caseOutputFilesStayOutOfTheCheckout() throws {
        let c = ReferenceCase(id: "REPORT-TMP", source: "test", kind: "computed",
                              args: ["plan", "--input", "patients/plan-01-resin-nl-limited.json", "--report", "report.html", "--json"],
                              exitCode: 0, stderrContains: nil,
                              expect: [Expectation(path: "status", value: nil, abs: nil, rel: nil, equals: .string("ok"), min: nil, max: nil, note: nil)],
                              note: nil)
        try withScratch { dir in
            var seen: [String] = []
            var written = false
            let rows = try WorkingDirectory.with(dir) {
                ValidationRunner.run(c) { args in
                    seen = args
                    let inv = Dosecalc.invoke(args, writeFiles: true)
                    if let i = args.firstIndex(of: "--report") { written = FileManager.default.fileExists(atPath: args[i + 1]) }
                    return InvocationRecord(exitCode: inv.exitCode, stdout: inv.stdout, stderr: inv.stderr)
                }
            }
            #expect(rows.allSatisfy { $0.passed }, "\(rows.filter { !$0.passed })")
            let report = try #require(seen.firstIndex(of: "--report").map { seen[$0 + 1] })
            let input = try #require(seen.firstIndex(of: "--input").map { seen[$0 + 1] })
            #expect(report.hasPrefix(FileManager.default.temporaryDirectory.path))
            #expect(input == (try ReferenceData.directory()).appendingPathComponent("patients/plan-01-resin-nl-limited.json").path)
            #expect(written, "the report was written to the case's temporary folder")
            #expect(!FileManager.default.fileExists(atPath: (report as NSString).deletingLastPathComponent), "the temporary folder is removed")
            #expect((try FileManager.default.contentsOfDirectory(atPath: dir.path)).isEmpty)
        }
    }

    // MARK: - --reference-data

    @Test("extractOverride takes --reference-data DIR and --reference-data=DIR out of the arguments")
    func extractOverride() throws {
        var r = try ReferenceData.extractOverride(from: ["--reference-data", "/opt/rd", "validate", "--json"])
        #expect(r.arguments == ["validate", "--json"])
        #expect(r.directory == "/opt/rd")
        r = try ReferenceData.extractOverride(from: ["plan", "--input", "p.json", "--reference-data=rel/rd", "--json"])
        #expect(r.arguments == ["plan", "--input", "p.json", "--json"])
        #expect(r.directory == "rel/rd")
        r = try ReferenceData.extractOverride(from: ["y90", "--device", "glass"])
        #expect(r.arguments == ["y90", "--device", "glass"])
        #expect(r.directory == nil)
        r = try ReferenceData.extractOverride(from: [])
        #expect(r.arguments.isEmpty && r.directory == nil)
        // After "--" nothing is an option.
        r = try ReferenceData.extractOverride(from: ["x", "--", "--reference-data", "d"])
        #expect(r.arguments == ["x", "--", "--reference-data", "d"])
        #expect(r.directory == nil)
    }

    @Test("extractOverride refuses the flag twice, without a value, or empty")
    func extractOverrideErrors() {
        let cases: [([String], String)] = [
            (["--reference-data", "a", "validate", "--reference-data", "b"], "is given twice; give it once"),
            (["--reference-data=a", "--reference-data", "a"], "is given twice; give it once"),
            (["--reference-data=a", "--reference-data=b"], "is given twice; give it once"),
            (["validate", "--reference-data"], "needs a directory"),
            (["--reference-data", "--json"], "needs a directory"),
            (["--reference-data="], "is empty"),
            (["--reference-data", ""], "is empty"),
        ]
        for (args, message) in cases {
            do {
                _ = try ReferenceData.extractOverride(from: args)
                Issue.record("\(args) was accepted")
            } catch let e as InputError {
                #expect(e.field == "--reference-data", "\(args)")
                #expect(e.message.contains(message), "\(args): \(e.message)")
                #expect(!e.description.contains("\n"))
            } catch {
                Issue.record("\(args): unexpected \(error)")
            }
        }
    }

    @Test("setOverride refuses what is not a directory and changes nothing; nil removes the override")
    func setOverride() throws {
        // Only ever set to the directory the other tests use anyway, so that tests running in
        // parallel see no difference.
        let real = try ReferenceData.directory()
        defer { try? ReferenceData.setOverride(nil) }
        try withScratch { dir in
            let file = dir.appendingPathComponent("file.json")
            try Data("{}".utf8).write(to: file)
            for bad in [file.path, dir.appendingPathComponent("missing").path, ""] {
                #expect(throws: InputError.self) { try ReferenceData.setOverride(bad) }
                do { try ReferenceData.setOverride(bad) } catch let e as InputError { #expect(e.field == "--reference-data") }
                #expect(ReferenceData.overrideDirectory == nil)
            }
        }
        try ReferenceData.setOverride(real.path)
        #expect(ReferenceData.overrideDirectory == real.standardizedFileURL)
        #expect(try ReferenceData.directory() == real.standardizedFileURL)
        #expect(throws: InputError.self) { try ReferenceData.setOverride("/dev/null") }
        #expect(ReferenceData.overrideDirectory == real.standardizedFileURL, "a refused value leaves the override as it was")
        try ReferenceData.setOverride(nil)
        #expect(ReferenceData.overrideDirectory == nil)
    }

    @Test("lookup order: flag, environment, PREFIX/share/dosecalc/reference-data, beside the executable or a parent, the checkout")
    func lookupOrder() throws {
        try withScratch { root in
            let fm = FileManager.default
            func mkdir(_ p: String) throws -> URL {
                let u = root.appendingPathComponent(p, isDirectory: true)
                try fm.createDirectory(at: u, withIntermediateDirectories: true)
                return u
            }
            // An installed layout PREFIX/bin/dosecalc + PREFIX/share/dosecalc/reference-data, with a
            // reference-data folder beside the binary and one in PREFIX too.
            let bin = try mkdir("prefix/bin")
            let exe = bin.appendingPathComponent("dosecalc")
            try Data().write(to: exe)
            let share = try mkdir("prefix/share/dosecalc/reference-data")
            let beside = try mkdir("prefix/bin/reference-data")
            let parent = try mkdir("prefix/reference-data")
            let checkout = try mkdir("checkout/reference-data")
            let flag = try mkdir("flag-data")
            let env = try mkdir("env-data")
            let environment = [ReferenceData.environmentVariable: env.path]

            func find(_ override: URL?, _ environment: [String: String], _ executable: URL?, _ checkout: URL?) throws -> String {
                try ReferenceData.lookup(override: override, environment: environment, executable: executable, checkout: checkout).standardizedFileURL.path
            }
            #expect(try find(flag, environment, exe, checkout) == flag.path)
            #expect(try find(nil, environment, exe, checkout) == env.path)
            #expect(try find(nil, [:], exe, checkout) == share.path, "the installed layout comes before reference-data beside the binary")
            #expect(try find(nil, [ReferenceData.environmentVariable: ""], exe, checkout) == share.path, "an empty variable is not set")
            try fm.removeItem(at: share)
            #expect(try find(nil, [:], exe, checkout) == beside.path)
            try fm.removeItem(at: beside)
            #expect(try find(nil, [:], exe, checkout) == parent.path)
            try fm.removeItem(at: parent)
            #expect(try find(nil, [:], exe, checkout) == checkout.path)

            // The environment variable, when set, must be a directory: no silent fall-through.
            do {
                _ = try find(nil, [ReferenceData.environmentVariable: root.appendingPathComponent("nope").path], exe, checkout)
                Issue.record("a DOSECALC_REFERENCE_DATA that is not a directory was accepted")
            } catch let e as InputError {
                #expect(e.field == ReferenceData.environmentVariable)
            }
            // Nothing anywhere (unless some parent of the temporary folder has a reference-data folder).
            let parents = sequence(first: bin, next: { $0.path == "/" ? nil : $0.deletingLastPathComponent() })
            if !parents.contains(where: { fm.fileExists(atPath: $0.appendingPathComponent("reference-data").path) }) {
                do {
                    _ = try find(nil, [:], exe, nil)
                    Issue.record("a lookup with no reference-data anywhere succeeded")
                } catch let e as InputError {
                    #expect(e.message.contains("--reference-data"))
                    #expect(e.message.contains(ReferenceData.environmentVariable))
                }
            }
        }
    }
}
