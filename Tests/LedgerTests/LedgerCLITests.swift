// SPDX-License-Identifier: GPL-3.0-or-later
import DosecalcCLI
import Foundation
import XCTest

/// `dosecalc ledger add | list | show` end to end, through `Dosecalc.invoke` (the code path of `main`).
final class LedgerCLITests: XCTestCase {
    func run(_ args: [String]) -> Invocation { Dosecalc.invoke(args) }

    /// An error: one line on stderr naming what is wrong, nothing on stdout.
    func assertRefused(_ inv: Invocation, _ code: Int32, _ fragments: [String], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(inv.exitCode, code, inv.stderr, file: file, line: line)
        XCTAssertEqual(inv.stdout, "", file: file, line: line)
        XCTAssertFalse(inv.stderr.contains("\n"), inv.stderr, file: file, line: line)
        for f in fragments { XCTAssertTrue(inv.stderr.contains(f), "'\(f)' not in: \(inv.stderr)", file: file, line: line) }
    }

    func testAddListShow() throws {
        let s = try Scratch()
        let db = s.path("patients.sqlite")
        let glass = try s.write("glass.json", Fixture.rePlan(activity: 3.0, lung: 12.0))
        let deb = try s.write("deb.json", Fixture.debPlan(doxorubicin: 75))

        // 72.972… mCi would be awkward; 2700 MBq = 2.7 GBq → 12 × 0.9 = 10.8 Gy.
        let add1 = run(["ledger", "add", "--db", db, "--from", glass, "--delivered-activity-mbq", "2700", "--date", "2025-03-10", "--json"])
        XCTAssertEqual(add1.exitCode, 0, add1.stderr)
        let j1 = try XCTUnwrap(add1.jsonObject)
        let rec = try XCTUnwrap(j1["recorded"] as? [String: Any])
        XCTAssertEqual(rec["deliveredActivityGBq"] as? Double, 2.7)
        assertClose(rec["lungDoseGy"] as? Double, 10.8)
        XCTAssertTrue(rec["doxorubicinMg"] is NSNull)
        XCTAssertEqual(rec["kind"] as? String, "y90-glass")

        let add2 = run(["ledger", "add", "--db", db, "--from", deb, "--date", "2025-04-14T09:00:00+02:00"])
        XCTAssertEqual(add2.exitCode, 0, add2.stderr)
        XCTAssertTrue(add2.stdout.contains("DEB-TACE"), add2.stdout)
        XCTAssertTrue(add2.stdout.contains("75.0 mg"), add2.stdout)
        XCTAssertTrue(add2.stdout.contains("cumulative lung dose        10.80 Gy"), add2.stdout)

        let show = run(["ledger", "show", "--db", db, "--patient", "P-001", "--json"])
        XCTAssertEqual(show.exitCode, 0, show.stderr)
        let j = try XCTUnwrap(show.jsonObject)
        assertClose(j["cumulativeLungDoseGy"] as? Double, 10.8)
        XCTAssertEqual(j["cumulativeDoxorubicinMg"] as? Double, 75)
        let treatments = try XCTUnwrap(j["treatments"] as? [[String: Any]])
        XCTAssertEqual(treatments.map { $0["date"] as? String }, ["2025-03-10", "2025-04-14"])
        XCTAssertEqual(treatments.map { $0["kind"] as? String }, ["y90-glass", "deb-tace"])
        XCTAssertEqual(treatments[1]["doxorubicinMg"] as? Double, 75)
        XCTAssertTrue(treatments[1]["lungDoseGy"] is NSNull)
        XCTAssertTrue(treatments[1]["deliveredActivityGBq"] is NSNull)
        XCTAssertNil(treatments[0]["planJSON"], "the plan text stays in the ledger")

        let showText = run(["ledger", "show", "--db", db, "--patient", "P-001"])
        XCTAssertEqual(showText.exitCode, 0)
        for f in ["Y-90 glass microsphere radioembolization", "10.80 Gy", "2.700 GBq; planned 3.000 GBq", "cumulative doxorubicin      75.0 mg"] {
            XCTAssertTrue(showText.stdout.contains(f), "'\(f)' not in:\n\(showText.stdout)")
        }
        XCTAssertNil(showText.stdout.range(of: "[a-z][A-Z]", options: .regularExpression), "no camelCase in prose:\n\(showText.stdout)")

        try s.write("other.json", Fixture.debPlan(patient: "P-002", doxorubicin: 50, sha: Fixture.sha(3)))
        XCTAssertEqual(run(["ledger", "add", "--db", db, "--from", s.path("other.json"), "--delivered-doxorubicin-mg", "40", "--date", "2025-01-02"]).exitCode, 0)
        let list = run(["ledger", "list", "--db", db, "--json"])
        XCTAssertEqual(list.exitCode, 0, list.stderr)
        let lj = try XCTUnwrap(list.jsonObject)
        XCTAssertEqual((lj["treatments"] as? [Any])?.count, 3)
        let totals = try XCTUnwrap(lj["totals"] as? [[String: Any]])
        XCTAssertEqual(totals.map { $0["patientId"] as? String }, ["P-001", "P-002"])
        XCTAssertEqual(totals[1]["cumulativeDoxorubicinMg"] as? Double, 40)
        XCTAssertEqual(totals[1]["cumulativeLungDoseGy"] as? Double, 0)
        let one = try XCTUnwrap(run(["ledger", "list", "--db", db, "--patient", "P-002", "--json"]).jsonObject)
        XCTAssertEqual((one["treatments"] as? [Any])?.count, 1)
        let listText = run(["ledger", "list", "--db", db])
        XCTAssertTrue(listText.stdout.contains("3 treatments for 2 patients"), listText.stdout)
        XCTAssertNil(listText.stdout.range(of: "[a-z][A-Z]", options: .regularExpression), listText.stdout)
        let none = run(["ledger", "list", "--db", db, "--patient", "P-404"])
        XCTAssertEqual(none.exitCode, 0)
        XCTAssertTrue(none.stdout.contains("records no treatment for patient 'P-404'"), none.stdout)
    }

    func testRefusals() throws {
        let s = try Scratch()
        let db = s.path("patients.sqlite")
        let glass = try s.write("glass.json", Fixture.rePlan())
        let deb = try s.write("deb.json", Fixture.debPlan())
        let contra = try s.write("contra.json", Fixture.rePlan(status: "contraindicated", sha: Fixture.sha(4)))

        // Nothing is created by a refused add.
        assertRefused(run(["ledger", "add", "--db", db, "--from", glass]), 2, ["--date: is required"])
        assertRefused(run(["ledger", "add", "--db", db, "--from", glass, "--date", "2025-03-10", "--delivered-activity-gbq", "60"]), 2,
                      ["--delivered-activity-gbq: must be in (0, 50] GBq; got 60"])
        assertRefused(run(["ledger", "add", "--db", db, "--from", glass, "--date", "2025-03-10", "--delivered-activity-mci", "2,5"]), 2,
                      ["--delivered-activity-mci: must be a finite number in (0, 1351.35] mCi"])
        assertRefused(run(["ledger", "add", "--db", db, "--from", glass, "--date", "2025-03-10", "--delivered-activity-gbq", "2", "--delivered-activity-mbq", "2000"]), 2,
                      ["--delivered-activity-mbq: contradicts --delivered-activity-gbq"])
        assertRefused(run(["ledger", "add", "--db", db, "--from", glass, "--date", "2025-03-10", "--delivered-doxorubicin-mg", "50"]), 2,
                      ["--delivered-doxorubicin-mg: does not apply"])
        assertRefused(run(["ledger", "add", "--db", db, "--from", deb, "--date", "2025-03-10", "--delivered-activity-gbq", "2"]), 2,
                      ["--delivered-activity-gbq: does not apply", "DEB-TACE plan"])
        assertRefused(run(["ledger", "add", "--db", db, "--from", contra, "--date", "2025-03-10"]), 2,
                      ["contraindicated", "not deliverable as computed and is not recorded"])
        assertRefused(run(["ledger", "add", "--db", db, "--from", s.path("nope.json"), "--date", "2025-03-10"]), 2, ["--from", "does not exist"])
        XCTAssertFalse(exists(db))

        // The contraindicated plan with what was delivered is recorded, with a note.
        let c = run(["ledger", "add", "--db", db, "--from", contra, "--date", "2025-03-10", "--delivered-activity-gbq", "1.5"])
        XCTAssertEqual(c.exitCode, 0, c.stderr)
        XCTAssertTrue(c.stdout.contains("the plan was contraindicated as computed; recorded as delivered"), c.stdout)
        XCTAssertTrue(c.stdout.contains("6.00 Gy"), c.stdout)   // 12 × 1.5 / 3

        // Duplicate.
        XCTAssertEqual(run(["ledger", "add", "--db", db, "--from", glass, "--date", "2025-03-10"]).exitCode, 0)
        let before = bytes(db)
        assertRefused(run(["ledger", "add", "--db", db, "--from", glass, "--date", "2025-03-10"]), 2, ["already recorded", "not recorded twice"])
        XCTAssertEqual(bytes(db), before)

        // list/show on a missing file: refused, not created.
        let missing = s.path("missing.sqlite")
        assertRefused(run(["ledger", "list", "--db", missing]), 2, ["--db", "there is no treatment ledger"])
        assertRefused(run(["ledger", "show", "--db", missing, "--patient", "P-001"]), 2, ["there is no treatment ledger"])
        XCTAssertFalse(exists(missing))
        assertRefused(run(["ledger", "show", "--db", db, "--patient", "P-404"]), 2, ["--patient", "no treatment is recorded for patient 'P-404'"])
        assertRefused(run(["ledger", "show", "--db", db, "--patient", "a\nb"]), 2, ["--patient"])
        assertRefused(run(["ledger", "show", "--db", db]), 64, ["--patient"])
        assertRefused(run(["ledger", "list", "--db", db, "--db", db]), 64, ["given twice"])

        // Not a ledger: exit 78, one line naming the file, nothing on stdout, nothing changed.
        let garbage = try s.write("garbage.sqlite", "not a database at all")
        let cut = s.path("cut.sqlite")
        try XCTUnwrap(before).prefix(4096 + 100).write(to: URL(fileURLWithPath: cut))
        for bad in [garbage, glass, cut] {
            let was = bytes(bad)
            for args in [["ledger", "list", "--db", bad], ["ledger", "show", "--db", bad, "--patient", "P-001"],
                         ["ledger", "add", "--db", bad, "--from", deb, "--date", "2025-03-10"]] {
                assertRefused(run(args), 78, ["'\(bad)'"])
            }
            XCTAssertEqual(bytes(bad), was)
        }
    }
}
