// SPDX-License-Identifier: GPL-3.0-or-later
import DosecalcCore
import Foundation
import XCTest
@testable import Ledger

/// Several writers at once, each with its own connection (as two processes would have): no write is
/// lost, none fails for the lock, and the same plan is still recorded once.
final class LedgerConcurrencyTests: XCTestCase {
    final class Outcomes: @unchecked Sendable {
        let lock = NSLock()
        var errors: [String] = []
        var successes = 0
        func add(_ error: (any Error)?) {
            lock.lock(); defer { lock.unlock() }
            if let error { errors.append("\(error)") } else { successes += 1 }
        }
    }

    func testTwoQueuesAddingAtOnceLoseNothing() throws {
        let s = try Scratch()
        let path = s.path("ledger.sqlite")
        let perWriter = 25
        let outcomes = Outcomes()
        // Both writers also race to create the new ledger.
        DispatchQueue.concurrentPerform(iterations: 2) { writer in
            do {
                let store = try LedgerStore.open(path: path, create: true)
                for i in 0..<perWriter {
                    let plan = try Fixture.record(Fixture.rePlan(patient: "P-\(writer)", activity: 2.0, lung: Double(i + 1), sha: Fixture.sha(writer * 1000 + i)))
                    do {
                        try store.add(NewTreatment.make(plan: plan, deliveredActivity: DeliveredActivity(1.0, .gbq), deliveredDoxorubicinMg: nil, date: "2025-03-10"))
                        outcomes.add(nil)
                    } catch { outcomes.add(error) }
                }
            } catch { outcomes.add(error) }
        }
        XCTAssertEqual(outcomes.errors, [])
        XCTAssertEqual(outcomes.successes, 2 * perWriter)
        let store = try LedgerStore.open(path: path, create: false)
        XCTAssertEqual(try store.count(), 2 * perWriter)
        for writer in 0..<2 {
            let t = try store.treatments(patientID: "P-\(writer)")
            XCTAssertEqual(t.count, perWriter)
            // Σ (i + 1) × 1.0 / 2.0 for i in 0..<25 = 325 / 2 = 162.5 Gy.
            assertClose(LedgerTotals.of(t).first?.cumulativeLungDoseGy, 162.5)
        }
    }

    func testTheSamePlanAddedTwiceAtOnceIsRecordedOnce() throws {
        let s = try Scratch()
        let path = s.path("ledger.sqlite")
        _ = try LedgerStore.open(path: path, create: true)
        for round in 0..<10 {
            let outcomes = Outcomes()
            let plan = try Fixture.record(Fixture.debPlan(sha: Fixture.sha(round)))
            DispatchQueue.concurrentPerform(iterations: 2) { _ in
                do {
                    let store = try LedgerStore.open(path: path, create: false)
                    try store.add(NewTreatment.make(plan: plan, deliveredActivity: nil, deliveredDoxorubicinMg: nil, date: "2025-03-10"))
                    outcomes.add(nil)
                } catch { outcomes.add(error) }
            }
            XCTAssertEqual(outcomes.successes, 1)
            XCTAssertEqual(outcomes.errors.count, 1)
            XCTAssertTrue(outcomes.errors.first?.contains("already recorded") ?? false, "\(outcomes.errors)")
        }
        XCTAssertEqual(try LedgerStore.open(path: path, create: false).count(), 10)
    }

    /// Separate processes: the built `dosecalc` runs `ledger add` several times at once on a new
    /// ledger (skipped when the binary is not beside the test executable).
    func testProcessesAddingAtOnceLoseNothing() throws {
        let exe = try Binary.dosecalc()
        let s = try Scratch()
        let db = s.path("ledger.sqlite")
        let n = 6
        let plans = try (0..<n).map { i in try s.write("plan-\(i).json", Fixture.rePlan(patient: "P-X", activity: 2.0, lung: 4.0, sha: Fixture.sha(500 + i))) }
        let results = Binary.runConcurrently(exe, plans.map { ["ledger", "add", "--db", db, "--from", $0, "--delivered-activity-gbq", "1", "--date", "2025-03-10"] }, in: s)
        for r in results { XCTAssertEqual(r.exitCode, 0, r.stderr) }
        let store = try LedgerStore.open(path: db, create: false)
        XCTAssertEqual(try store.count(), n)
        assertClose(LedgerTotals.of(try store.treatments(patientID: "P-X")).first?.cumulativeLungDoseGy, 12.0)   // 6 × 4 × 1 / 2
    }
}

/// The built `dosecalc` executable, run as a separate process.
enum Binary {
    struct Output { let exitCode: Int32; let stdout: String; let stderr: String }

    static func dosecalc() throws -> URL {
        let me = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        let candidate = me.deletingLastPathComponent().appendingPathComponent("dosecalc")
        guard FileManager.default.isExecutableFile(atPath: candidate.path) else {
            throw XCTSkip("the dosecalc executable is not beside the test executable (\(candidate.path))")
        }
        return candidate
    }

    /// Starts every argument list at once and waits for all. Output goes to files, not pipes.
    static func runConcurrently(_ exe: URL, _ argLists: [[String]], in scratch: Scratch) -> [Output] {
        var running: [(Process, String, String)] = []
        for (i, args) in argLists.enumerated() {
            let out = scratch.path("out-\(i)"), err = scratch.path("err-\(i)")
            _ = FileManager.default.createFile(atPath: out, contents: nil)
            _ = FileManager.default.createFile(atPath: err, contents: nil)
            let p = Process()
            p.executableURL = exe
            p.arguments = args
            p.currentDirectoryURL = FileManager.default.temporaryDirectory   // not the test process's, which a test may change
            p.standardOutput = FileHandle(forWritingAtPath: out)
            p.standardError = FileHandle(forWritingAtPath: err)
            p.standardInput = FileHandle.nullDevice
            do { try p.run() } catch { return [Output(exitCode: -1, stdout: "", stderr: "cannot start: \(error)")] }
            running.append((p, out, err))
        }
        return running.map { p, out, err in
            p.waitUntilExit()
            return Output(exitCode: p.terminationStatus, stdout: String(decoding: bytes(out) ?? Data(), as: UTF8.self),
                          stderr: String(decoding: bytes(err) ?? Data(), as: UTF8.self))
        }
    }
}
