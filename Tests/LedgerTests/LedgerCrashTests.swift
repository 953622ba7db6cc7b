// SPDX-License-Identifier: GPL-3.0-or-later
import DosecalcCore
import Foundation
import XCTest
@_spi(LedgerTesting) @testable import Ledger

/// A failure or a crash in the middle of `ledger add` (after the insert statement, before the
/// commit) leaves the ledger exactly as it was.
final class LedgerCrashTests: XCTestCase {
    struct InjectedFailure: Error {}

    func seeded(_ s: Scratch) throws -> (LedgerStore, String) {
        let path = s.path("ledger.sqlite")
        let store = try LedgerStore.open(path: path, create: true)
        try store.add(NewTreatment.make(plan: Fixture.record(Fixture.rePlan()), deliveredActivity: DeliveredActivity(2.7, .gbq),
                                        deliveredDoxorubicinMg: nil, date: "2025-03-10"))
        try store.add(NewTreatment.make(plan: Fixture.record(Fixture.debPlan()), deliveredActivity: nil, deliveredDoxorubicinMg: nil, date: "2025-04-14"))
        return (store, path)
    }

    /// A thrown error after the insert: rolled back; same rows, same contents, same bytes.
    func testFailureAfterInsertLeavesTheLedgerAsItWas() throws {
        let s = try Scratch()
        let (store, path) = try seeded(s)
        let rowsBefore = try snapshot(path)
        let bytesBefore = bytes(path)
        XCTAssertEqual(rowsBefore.count, 2)

        let next = try NewTreatment.make(plan: Fixture.record(Fixture.rePlan(sha: Fixture.sha(7))), deliveredActivity: nil,
                                         deliveredDoxorubicinMg: nil, date: "2025-05-20")
        var hookRan = false
        XCTAssertThrowsError(try store.add(next, now: Date(), testOnlyBeforeCommit: {
            hookRan = true
            // The row is in the open transaction at this point.
            throw InjectedFailure()
        }))
        XCTAssertTrue(hookRan)
        XCTAssertEqual(try snapshot(path), rowsBefore)
        XCTAssertEqual(try store.count(), 2)
        XCTAssertEqual(bytes(path), bytesBefore)
        XCTAssertFalse(exists(path + "-journal"))

        // The same treatment can then be recorded: nothing half-written blocks it.
        let e = try store.add(next)
        XCTAssertEqual(e.date, "2025-05-20")
        XCTAssertEqual(try store.count(), 3)
    }

    /// A crash (power loss, kill -9) at the same point: the files as they are on disk at that
    /// moment are copied; opening the copy rolls the hot journal back to the ledger as it was. The
    /// plan text is large, so that SQLite has already written pages of the new row into the file.
    func testCrashAfterInsertIsRolledBackOnNextOpen() throws {
        let s = try Scratch()
        let (store, path) = try seeded(s)
        let rowsBefore = try snapshot(path)
        let bytesBefore = try XCTUnwrap(bytes(path))

        let crashDir = try Scratch()
        let copy = crashDir.path("ledger.sqlite")
        let big = try NewTreatment.make(plan: Fixture.record(Fixture.rePlan(sha: Fixture.sha(8), padding: 6 << 20)), deliveredActivity: nil,
                                        deliveredDoxorubicinMg: nil, date: "2025-05-20")
        XCTAssertThrowsError(try store.add(big, now: Date(), testOnlyBeforeCommit: {
            // The on-disk state at the moment of the crash.
            try FileManager.default.copyItem(atPath: path, toPath: copy)
            if exists(path + "-journal") { try FileManager.default.copyItem(atPath: path + "-journal", toPath: copy + "-journal") }
            throw InjectedFailure()
        }))
        // The crash image is torn: the ledger file already holds pages of the uncommitted row, and
        // the journal that undoes them is there.
        XCTAssertTrue(exists(copy + "-journal"))
        XCTAssertNotEqual(bytes(copy), bytesBefore)

        let reopened = try LedgerStore.open(path: copy, create: false)
        XCTAssertEqual(try reopened.count(), 2)
        XCTAssertEqual(try snapshot(copy), rowsBefore)
        XCTAssertEqual(try reopened.priorTreatments(patientID: "P-001").count, 2)
        // And the original, whose transaction was rolled back in process.
        XCTAssertEqual(try snapshot(path), rowsBefore)
    }
}
