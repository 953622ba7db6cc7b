// SPDX-License-Identifier: GPL-3.0-or-later
import DosecalcCore
import Foundation
import GRDB
import XCTest
@testable import Ledger

/// Files that are not a ledger, damaged ledgers, and the schema: each refused or migrated, never
/// changed by a refusal.
final class LedgerFileTests: XCTestCase {
    func addOne(_ path: String, sha: Int = 1, date: String = "2025-03-10") throws {
        let store = try LedgerStore.open(path: path, create: true)
        try store.add(NewTreatment.make(plan: Fixture.record(Fixture.rePlan(sha: Fixture.sha(sha))), deliveredActivity: nil,
                                        deliveredDoxorubicinMg: nil, date: date))
    }

    func testMissingFileIsRefusedForReadingAndCreatedForAdding() throws {
        let s = try Scratch()
        let path = s.path("new.sqlite")
        assertInputError("--db", ["there is no treatment ledger", "does not exist"]) { _ = try LedgerStore.open(path: path, create: false) }
        assertInputError("--ledger", ["there is no treatment ledger"]) { _ = try LedgerStore.open(path: path, create: false, field: "--ledger") }
        XCTAssertFalse(exists(path))
        try addOne(path)
        XCTAssertTrue(exists(path))
        XCTAssertEqual(try LedgerStore.open(path: path, create: false).count(), 1)
        assertInputError("--db", ["folder", "does not exist"]) { _ = try LedgerStore.open(path: s.path("no-folder/x.sqlite"), create: true) }
        assertInputError("--db", ["is a folder"]) { _ = try LedgerStore.open(path: s.url.path, create: true) }
        assertInputError("--db", ["is empty"]) { _ = try LedgerStore.open(path: "", create: true) }
    }

    /// A new ledger: schema v1 through the migrator, the dosecalc marker in the header.
    func testMigrationFromAnEmptyFile() throws {
        let s = try Scratch()
        let path = try s.write("empty.sqlite", "")
        // Reading an empty file is refused; adding makes it a ledger.
        assertDataFileError(["'\(path)'", "empty"]) { _ = try LedgerStore.open(path: path, create: false) }
        XCTAssertEqual(bytes(path)?.count, 0)
        try addOne(path)
        let q = try DatabaseQueue(path: path)
        try q.read { db in
            XCTAssertEqual(try Int32.fetchOne(db, sql: "PRAGMA application_id"), 0x4443_4C47)
            XCTAssertEqual(try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations"), ["v1"])
            XCTAssertEqual(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM treatment"), 1)
        }
        try q.close()
        // Opening again changes nothing.
        let before = bytes(path)
        _ = try LedgerStore.open(path: path, create: true)
        XCTAssertEqual(bytes(path), before)
    }

    /// An empty SQLite database (a header, no tables) is migrated by add and refused by list.
    func testMigrationFromAnEmptySQLiteDatabase() throws {
        let s = try Scratch()
        let path = s.path("blank.sqlite")
        let q = try DatabaseQueue(path: path)
        try q.write { db in
            try db.execute(sql: "CREATE TABLE t(a)")
            try db.execute(sql: "DROP TABLE t")
        }
        try q.close()
        XCTAssertGreaterThan(bytes(path)?.count ?? 0, 0)
        assertDataFileError(["empty SQLite database"]) { _ = try LedgerStore.open(path: path, create: false) }
        try addOne(path)
        XCTAssertEqual(try LedgerStore.open(path: path, create: false).count(), 1)
    }

    func testGarbageFileIsRefusedAndLeftAlone() throws {
        let s = try Scratch()
        for (name, text) in [("notes.sqlite", "patient P-001 had 12 Gy\n"), ("plan.json", Fixture.debPlan()),
                             ("short.sqlite", "SQLite format 3\u{0}abc"), ("nul.sqlite", String(repeating: "\u{0}", count: 4096))] {
            let path = try s.write(name, text)
            let before = bytes(path)
            for create in [false, true] {
                assertDataFileError(["'\(path)'"]) { _ = try LedgerStore.open(path: path, create: create) }
            }
            XCTAssertEqual(bytes(path), before, name)
        }
        let path = s.path("notes.sqlite")
        assertDataFileError(["not a SQLite database"]) { _ = try LedgerStore.open(path: path, create: true) }
        assertDataFileError(["cut short inside the SQLite header"]) { _ = try LedgerStore.open(path: s.path("short.sqlite"), create: true) }
    }

    func testForeignSQLiteDatabaseIsRefusedAndLeftAlone() throws {
        let s = try Scratch()
        let path = s.path("pacs.sqlite")
        let q = try DatabaseQueue(path: path)
        try q.write { db in
            try db.execute(sql: "CREATE TABLE patients(id TEXT, name TEXT)")
            try db.execute(sql: "INSERT INTO patients VALUES ('P-001', 'x')")
        }
        try q.close()
        let before = bytes(path)
        for create in [false, true] {
            assertDataFileError(["'\(path)'", "another program", "not a dosecalc treatment ledger", "'patients'"]) {
                _ = try LedgerStore.open(path: path, create: create)
            }
        }
        XCTAssertEqual(bytes(path), before)

        // Another application's marker, no tables.
        let other = s.path("other.sqlite")
        let q2 = try DatabaseQueue(path: other)
        try q2.writeWithoutTransaction { try $0.execute(sql: "PRAGMA application_id = 1234") }
        try q2.close()
        assertDataFileError(["not a dosecalc treatment ledger"]) { _ = try LedgerStore.open(path: other, create: true) }
    }

    /// A ledger with a table it does not have, or written by a newer schema, is refused.
    func testChangedOrNewerLedgerIsRefused() throws {
        let s = try Scratch()
        let path = s.path("ledger.sqlite")
        try addOne(path)
        let q = try DatabaseQueue(path: path)
        try q.write { try $0.execute(sql: "CREATE TABLE notes(x)") }
        assertDataFileError(["tables that a treatment ledger does not have", "'notes'"]) { _ = try LedgerStore.open(path: path, create: true) }
        try q.write { db in
            try db.execute(sql: "DROP TABLE notes")
            try db.execute(sql: "INSERT INTO grdb_migrations VALUES ('v2')")
        }
        try q.close()
        assertDataFileError(["newer dosecalc", "v2"]) { _ = try LedgerStore.open(path: path, create: false) }
    }

    func testTruncatedLedgerIsRefused() throws {
        let s = try Scratch()
        let path = s.path("ledger.sqlite")
        // Enough rows (with whole plan texts) for several pages.
        let store = try LedgerStore.open(path: path, create: true)
        for i in 0..<20 {
            try store.add(NewTreatment.make(plan: Fixture.record(Fixture.rePlan(sha: Fixture.sha(100 + i), padding: 3000)), deliveredActivity: nil,
                                            deliveredDoxorubicinMg: nil, date: "2025-03-10"))
        }
        let whole = try XCTUnwrap(bytes(path))
        XCTAssertGreaterThan(whole.count, 8 * 4096)
        for keep in [whole.count / 2, whole.count - 4096, 4096, 50] {
            let cut = s.path("cut-\(keep).sqlite")
            try whole.prefix(keep).write(to: URL(fileURLWithPath: cut))
            for create in [false, true] {
                assertDataFileError(["'\(cut)'"]) {
                    let l = try LedgerStore.open(path: cut, create: create)
                    _ = try l.allTreatments()
                }
            }
            XCTAssertEqual(bytes(cut), whole.prefix(keep), "a refused file is left as it was")
        }
    }

    /// A row changed behind the ledger's back (an unknown kind) is reported as damage, not read.
    func testUnreadableRowIsReported() throws {
        let s = try Scratch()
        let path = s.path("ledger.sqlite")
        try addOne(path)
        let q = try DatabaseQueue(path: path)
        try q.write { db in
            try db.execute(sql: "PRAGMA ignore_check_constraints = ON")
            try db.execute(sql: "UPDATE treatment SET kind = 'brachytherapy'")
        }
        try q.close()
        assertDataFileError(["damaged", "CHECK constraint failed in treatment"]) {
            _ = try LedgerStore.open(path: path, create: false).priorTreatments(patientID: "P-001")
        }
    }
}
