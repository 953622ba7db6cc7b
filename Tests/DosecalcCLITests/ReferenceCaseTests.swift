// SPDX-License-Identifier: GPL-3.0-or-later
import Testing
import Foundation
@testable import DosecalcCLI
@testable import Validation

/// Every reference case in reference-data/cases/ runs through `Dosecalc.invoke`, the code path of
/// the `dosecalc` binary and of `dosecalc validate`, and must match its published or independently
/// computed expectation.
@Suite("Reference cases")
struct ReferenceCaseTests {
    static let all: [ReferenceCase] = (try? ValidationRunner.loadAll().flatMap(\.cases)) ?? []

    @Test("the case files load and are not empty")
    func casesLoad() throws {
        let files = try ValidationRunner.loadAll()
        #expect(!files.isEmpty)
        #expect(files.contains { $0.file == "radioembolization.json" })
        #expect(Self.all.count >= 50)
        let ids = Self.all.map(\.id)
        #expect(Set(ids).count == ids.count, "case ids must be unique")
    }

    @Test("reference case", arguments: ReferenceCaseTests.all.map(\.id))
    func referenceCase(id: String) throws {
        let c = try #require(Self.all.first { $0.id == id })
        let rows = ValidationRunner.run(c) { args in
            let inv = Dosecalc.invoke(args)
            return InvocationRecord(exitCode: inv.exitCode, stdout: inv.stdout, stderr: inv.stderr)
        }
        for row in rows {
            #expect(row.passed, "\(row.caseID) \(row.quantity): expected \(row.expected), got \(row.got) (\(c.source))")
        }
    }

    @Test("a case that must fail does fail (the runner can say no)")
    func runnerDetectsMismatch() throws {
        let wrong = ReferenceCase(
            id: "WRONG", source: "deliberately wrong: MIRD-01 is 2.6021 GBq, not 2.7", kind: "computed",
            args: ["y90", "--device", "glass", "--method", "mird", "--perfused-volume-ml", "1000",
                   "--target-dose-gy", "120", "--lung-shunt", "5", "--json"],
            exitCode: 0, stderrContains: nil,
            expect: [Expectation(path: "activityGBq", value: 2.7, abs: 0.001, rel: nil, equals: nil, min: nil, max: nil, note: nil)],
            note: nil)
        let rows = ValidationRunner.run(wrong) { args in
            let inv = Dosecalc.invoke(args)
            return InvocationRecord(exitCode: inv.exitCode, stdout: inv.stdout, stderr: inv.stderr)
        }
        #expect(rows.contains { !$0.passed && $0.quantity == "activityGBq" })
    }
}
