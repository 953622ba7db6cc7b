// SPDX-License-Identifier: GPL-3.0-or-later
import Foundation
import XCTest
import DosecalcCore
import GRDB
@testable import Ledger

/// Minimal plan files, written by hand in the shape of `dosecalc plan --json` (only the fields the
/// ledger reads, plus the provenance keys), and small helpers for files and folders.
enum Fixture {
    /// A 64-digit hexadecimal digest that differs for every `n`.
    static func sha(_ n: Int) -> String {
        let hex = String(n, radix: 16)
        return String(repeating: "a", count: 64 - hex.count) + hex
    }

    static func optional(_ key: String, _ value: String?) -> String {
        value.map { ", \"\(key)\": \"\($0)\"" } ?? ""
    }

    /// A radioembolization plan: `activity` GBq planned, `lung` Gy lung dose.
    static func rePlan(patient: String = "P-001", modality: String = "y90-glass", status: String = "ok",
                       activity: Double = 3.0, lung: Double = 12.0, treatmentTime: String? = nil,
                       sha: String? = Fixture.sha(1), version: String? = "0.2.0", calculatedAt: String? = "2025-03-01T08:00:00Z",
                       padding: Int = 0) -> String {
        """
        {"patientId": "\(patient)", "modality": "\(modality)", "status": "\(status)", "reasons": [],
         "assessment": {"bsaM2": 1.9, "albiScore": -2.8},
         "radioembolization": {"activityGBq": \(activity), "activityMCi": \(activity / 0.037), "lungDoseGy": \(lung), "cumulativeLungDoseGy": \(lung)\(optional("treatmentTime", treatmentTime))},
         "checks": [], "assumptions": []\(optional("inputSha256", sha))\(optional("dosecalcVersion", version))\(optional("calculatedAt", calculatedAt))\(padding > 0 ? ", \"padding\": \"\(String(repeating: "x", count: padding))\"" : "")}
        """
    }

    /// A DEB-TACE plan of `doxorubicin` mg.
    static func debPlan(patient: String = "P-001", status: String = "ok", doxorubicin: Double = 75,
                        sha: String? = Fixture.sha(2), version: String? = "0.2.0") -> String {
        """
        {"patientId": "\(patient)", "modality": "deb", "status": "\(status)", "reasons": [],
         "assessment": {"bsaM2": 1.9},
         "chemoembolization": {"product": "dc-bead", "size": "100-300", "doxorubicinMg": \(doxorubicin), "loadingMgPerMl": 25},
         "checks": [], "assumptions": []\(optional("inputSha256", sha))\(optional("dosecalcVersion", version))}
        """
    }

    static func record(_ text: String, file: String = "plan.json") throws -> PlanRecord {
        try PlanRecord.parse(Data(text.utf8), file: file)
    }
}

/// A new empty folder for one test, removed afterwards.
final class Scratch {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("dosecalc-ledger-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: false)
    }
    deinit { try? FileManager.default.removeItem(at: url) }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        try Data(text.utf8).write(to: url.appendingPathComponent(name))
        return path(name)
    }
}

func bytes(_ path: String) -> Data? { try? Data(contentsOf: URL(fileURLWithPath: path)) }

func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

/// Every row of the treatment table, every column, as text: to compare a ledger before and after.
func snapshot(_ path: String) throws -> [[String]] {
    let q = try DatabaseQueue(path: path)
    defer { try? q.close() }
    return try q.read { db in
        try Row.fetchAll(db, sql: "SELECT * FROM treatment ORDER BY id").map { row in
            row.columnNames.map { "\($0)=\(row[$0] as DatabaseValue)" }
        }
    }
}

/// Asserts that `body` throws an `InputError` on `field` whose message contains every fragment.
func assertInputError(_ field: String, _ fragments: [String] = [], file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> Void) {
    do {
        try body()
        XCTFail("expected an InputError on \(field)", file: file, line: line)
    } catch let e as InputError {
        XCTAssertEqual(e.field, field, e.description, file: file, line: line)
        for f in fragments { XCTAssertTrue(e.message.contains(f), "'\(f)' not in: \(e.message)", file: file, line: line) }
    } catch {
        XCTFail("expected an InputError on \(field), got \(error)", file: file, line: line)
    }
}

/// Asserts that `body` throws a `DataFileError` whose description contains every fragment.
func assertDataFileError(_ fragments: [String], file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> Void) {
    do {
        try body()
        XCTFail("expected a DataFileError", file: file, line: line)
    } catch let e as DataFileError {
        for f in fragments { XCTAssertTrue(e.description.contains(f), "'\(f)' not in: \(e.description)", file: file, line: line) }
    } catch {
        XCTFail("expected a DataFileError, got \(error)", file: file, line: line)
    }
}

/// Relative closeness for hand-calculated values.
func assertClose(_ a: Double?, _ b: Double, relative: Double = 1e-12, file: StaticString = #filePath, line: UInt = #line) {
    guard let a else { return XCTFail("nil, expected \(b)", file: file, line: line) }
    XCTAssertLessThanOrEqual(abs(a - b), relative * max(abs(a), abs(b)), "\(a) vs \(b)", file: file, line: line)
}
