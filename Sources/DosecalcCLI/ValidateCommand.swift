// SPDX-License-Identifier: GPL-3.0-or-later
import ArgumentParser
import Chemoembolization
import DosecalcCore
import Validation
import Foundation

/// Runs every reference case in `reference-data/cases/` through the same code path as the CLI.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Run every reference case (reference-data/cases/) and print a table; exit 1 if any fails.")

    @Option(name: .customLong("filter"), parsing: .unconditional, help: "Only cases whose id contains this text.") var filter: String?
    @Flag(name: .customLong("failures-only"), help: "Print only failing rows.") var failuresOnly = false
    @Flag(name: .customLong("json")) var json = false

    init() {}

    func run() throws {
        let files: [(file: String, cases: [ReferenceCase])]
        do { files = try ValidationRunner.loadAll() } catch {
            FileHandle.standardError.write("dosecalc: error: \(error)\n".data(using: .utf8)!)
            throw ExitCode(2)
        }
        // The DEB model against its published points, held-out ones included (a report, not a check).
        // Computed before anything is printed, so that a broken file leaves stdout empty. Shown when
        // the cases run include a DEB case (id "deb-…"); not with --failures-only.
        let selected = files.flatMap(\.cases).filter { c in filter.map { c.id.contains($0) } ?? true }
        var calibration: [CalibrationReport.Row]? = nil
        if !failuresOnly && selected.contains(where: { $0.id.hasPrefix("deb-") }) {
            do {
                calibration = try CalibrationReport.rows()
            } catch {
                FileHandle.standardError.write("dosecalc: error: the DEB model cannot be compared with its published points: \(error)\n".data(using: .utf8)!)
                throw ExitCode(2)
            }
        }
        var rows: [ValidationRow] = []
        var nCases = 0, nFailedCases = 0
        if !json {
            print("case".padding(34) + "quantity".padding(36) + "expected".padding(22) + "got".padding(16) + "deviation".padding(20) + "pass")
        }
        for (_, cases) in files {
            for c in cases where filter.map({ c.id.contains($0) }) ?? true {
                nCases += 1
                let r = ValidationRunner.run(c) { args in
                    let inv = Dosecalc.invoke(args)
                    return InvocationRecord(exitCode: inv.exitCode, stdout: inv.stdout, stderr: inv.stderr)
                }
                if r.contains(where: { !$0.passed }) { nFailedCases += 1 }
                rows += r
                if !json {
                    for row in r where !failuresOnly || !row.passed {
                        print(row.caseID.padding(34) + row.quantity.padding(36) + row.expected.padding(22) + row.got.padding(16) + row.deviation.padding(20) + (row.passed ? "pass" : "FAIL"))
                    }
                }
            }
        }
        let failedRows = rows.filter { !$0.passed }.count
        if json {
            struct Summary: Encodable {
                let cases: Int; let failedCases: Int; let rows: [ValidationRow]
                let calibrationPoints: [CalibrationReport.Row]?
            }
            let data = try CommandOutput.encoder.encode(Summary(cases: nCases, failedCases: nFailedCases, rows: rows,
                                                                calibrationPoints: calibration))
            print(String(decoding: data, as: UTF8.self))
        } else {
            print("\n\(nCases - nFailedCases) of \(nCases) reference cases passed (\(rows.count - failedRows) of \(rows.count) quantities).")
            if let calibration { print("\n" + CalibrationReport.table(calibration)) }
        }
        if nFailedCases > 0 || nCases == 0 { throw ExitCode(1) }
    }
}
