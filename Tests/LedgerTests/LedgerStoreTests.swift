// SPDX-License-Identifier: GPL-3.0-or-later
import ClinicalPolicy
import DosecalcCore
import Foundation
import GRDB
import Planning
import XCTest
@testable import Ledger

/// Recording treatments and reading them back, against hand-calculated values.
final class LedgerStoreTests: XCTestCase {
    /// A glass plan of 3.0 GBq with a 12 Gy lung dose, delivered 2.7 GBq: 12 × 2.7 / 3.0 = 10.8 Gy.
    /// A DEB plan of 75 mg. The prior treatments are the two, and their sums 10.8 Gy and 75 mg.
    func testTwoTreatmentsGiveTheirSumAsPriorTreatments() throws {
        let s = try Scratch()
        let store = try LedgerStore.open(path: s.path("ledger.sqlite"), create: true)
        let glass = try NewTreatment.make(plan: Fixture.record(Fixture.rePlan()), deliveredActivity: DeliveredActivity(2.7, .gbq),
                                          deliveredDoxorubicinMg: nil, date: "2025-03-10")
        let e1 = try store.add(glass)
        assertClose(e1.lungDoseGy, 10.8)
        XCTAssertEqual(e1.deliveredActivityGBq, 2.7)
        XCTAssertNil(e1.doxorubicinMg)
        XCTAssertEqual(e1.kind, .y90Glass)
        XCTAssertEqual(e1.plannedActivityGBq, 3.0)
        XCTAssertEqual(e1.plannedLungDoseGy, 12.0)
        XCTAssertEqual(e1.planInputSha256, Fixture.sha(1))
        XCTAssertEqual(e1.dosecalcVersion, "0.2.0")

        let deb = try NewTreatment.make(plan: Fixture.record(Fixture.debPlan()), deliveredActivity: nil, deliveredDoxorubicinMg: nil, date: "2025-04-14")
        let e2 = try store.add(deb)
        XCTAssertEqual(e2.doxorubicinMg, 75)
        XCTAssertNil(e2.lungDoseGy)
        XCTAssertEqual(e2.kind, .debTace)

        let priors = try store.priorTreatments(patientID: "P-001")
        XCTAssertEqual(priors.count, 2)
        XCTAssertEqual(priors.map(\.kind), [.y90Glass, .debTace])
        XCTAssertEqual(priors.map(\.date), ["2025-03-10", "2025-04-14"])
        assertClose(priors.compactMap(\.lungDoseGy).reduce(0, +), 10.8)
        XCTAssertEqual(priors.compactMap(\.doxorubicinMg).reduce(0, +), 75)
        // Exactly the stored values: nothing is rounded on the way to the planner.
        XCTAssertEqual(priors[0].lungDoseGy, e1.lungDoseGy)
        XCTAssertNil(priors[0].doxorubicinMg)
        XCTAssertNil(priors[1].lungDoseGy)

        let totals = LedgerTotals.of(try store.treatments(patientID: "P-001"))
        XCTAssertEqual(totals.count, 1)
        assertClose(totals[0].cumulativeLungDoseGy, 10.8)
        XCTAssertEqual(totals[0].cumulativeDoxorubicinMg, 75)
        XCTAssertEqual(try store.priorTreatments(patientID: "someone else").count, 0)
    }

    /// The ledger's treatments reach the planner's assessment as its prior lung dose and doxorubicin.
    func testMergedInputIsAssessedWithTheLedgerSums() throws {
        let s = try Scratch()
        let store = try LedgerStore.open(path: s.path("ledger.sqlite"), create: true)
        try store.add(NewTreatment.make(plan: Fixture.record(Fixture.rePlan(activity: 2.0, lung: 8.0)), deliveredActivity: DeliveredActivity(2500, .mbq),
                                        deliveredDoxorubicinMg: nil, date: "2025-01-05"))   // 8 × 2.5 / 2.0 = 10 Gy
        try store.add(NewTreatment.make(plan: Fixture.record(Fixture.debPlan()), deliveredActivity: nil, deliveredDoxorubicinMg: 60, date: "2025-02-05"))
        let input = try PlanInput.decode(Data(MergeTests.inputJSON(priors: nil).utf8))
        let merged = try LedgerStore.merge(input: input, ledger: try store.priorTreatments(patientID: "P-001"))
        let a = try Assessment.assess(merged)
        assertClose(a.priorLungDoseGy, 10.0)
        assertClose(a.priorDoxorubicinMg, 60.0)
        XCTAssertTrue(a.priorRadioembolization)
    }

    /// Lung dose is linear in activity: delivered / planned scales it; no delivered activity keeps it.
    func testLungDoseScaling() throws {
        let plan = try Fixture.record(Fixture.rePlan(activity: 4.0, lung: 10.0))
        func lung(_ a: DeliveredActivity?) throws -> Double? {
            try NewTreatment.make(plan: plan, deliveredActivity: a, deliveredDoxorubicinMg: nil, date: "2025-01-01").lungDoseGy
        }
        XCTAssertEqual(try lung(nil), 10.0)
        assertClose(try lung(DeliveredActivity(4.0, .gbq)), 10.0)
        assertClose(try lung(DeliveredActivity(2.0, .gbq)), 5.0)
        assertClose(try lung(DeliveredActivity(5.0, .gbq)), 12.5)
        assertClose(try lung(DeliveredActivity(100, .mCi)), 9.25)    // 3.7 GBq: 10 × 3.7 / 4
        assertClose(try lung(DeliveredActivity(3000, .mbq)), 7.5)    // 3 GBq: 10 × 3 / 4
        XCTAssertNil(try NewTreatment.make(plan: plan, deliveredActivity: nil, deliveredDoxorubicinMg: nil, date: "2025-01-01").deliveredActivityGBq)
    }

    /// 1 mCi = 0.037 GBq exactly; 1 GBq = 1000 MBq. Plausible: (0, 50] GBq in any unit.
    func testUnitConversions() throws {
        XCTAssertEqual(try DeliveredActivity(100, .mCi).gbq, 3.7)
        XCTAssertEqual(try DeliveredActivity(50, .mCi).gbq, 1.85)
        XCTAssertEqual(try DeliveredActivity(1, .mCi).gbq, 0.037)
        XCTAssertEqual(try DeliveredActivity(27, .mCi).gbq, 0.999)
        XCTAssertEqual(try DeliveredActivity(2500, .mbq).gbq, 2.5)
        XCTAssertEqual(try DeliveredActivity(1, .mbq).gbq, 0.001)
        XCTAssertEqual(try DeliveredActivity(50000, .mbq).gbq, 50)
        XCTAssertEqual(try DeliveredActivity(50, .gbq).gbq, 50)
        XCTAssertEqual(try DeliveredActivity(2.7, .gbq).gbq, 2.7)
        // 1351 mCi = 49.987 GBq is allowed; 1352 mCi = 50.024 GBq is not.
        assertClose(try DeliveredActivity(1351, .mCi).gbq, 49.987)
        assertInputError("--delivered-activity-mci", ["(0, 1351.35] mCi", "50 GBq", "got 1352"]) { _ = try DeliveredActivity(1352, .mCi) }
        assertInputError("--delivered-activity-mbq", ["(0, 50000] MBq", "got 50001"]) { _ = try DeliveredActivity(50001, .mbq) }
        assertInputError("--delivered-activity-gbq", ["(0, 50] GBq"]) { _ = try DeliveredActivity(50.001, .gbq) }
        assertInputError("--delivered-activity-gbq", ["(0, 50] GBq"]) { _ = try DeliveredActivity(0, .gbq) }
        assertInputError("--delivered-activity-gbq") { _ = try DeliveredActivity(-1, .gbq) }
        assertInputError("--delivered-activity-mci") { _ = try DeliveredActivity(.nan, .mCi) }
        assertInputError("--delivered-activity-mbq") { _ = try DeliveredActivity(.infinity, .mbq) }
    }

    func testDoxorubicinRangeAndWrongFlags() throws {
        let deb = try Fixture.record(Fixture.debPlan())
        let glass = try Fixture.record(Fixture.rePlan())
        XCTAssertEqual(try NewTreatment.make(plan: deb, deliveredActivity: nil, deliveredDoxorubicinMg: 300, date: "2025-01-01").doxorubicinMg, 300)
        XCTAssertEqual(try NewTreatment.make(plan: deb, deliveredActivity: nil, deliveredDoxorubicinMg: 50, date: "2025-01-01").doxorubicinMg, 50)
        assertInputError("--delivered-doxorubicin-mg", ["(0, 300] mg"]) {
            _ = try NewTreatment.make(plan: deb, deliveredActivity: nil, deliveredDoxorubicinMg: 300.5, date: "2025-01-01")
        }
        assertInputError("--delivered-doxorubicin-mg", ["(0, 300] mg"]) {
            _ = try NewTreatment.make(plan: deb, deliveredActivity: nil, deliveredDoxorubicinMg: 0, date: "2025-01-01")
        }
        assertInputError("--delivered-activity-mci", ["DEB-TACE plan"]) {
            _ = try NewTreatment.make(plan: deb, deliveredActivity: DeliveredActivity(10, .mCi), deliveredDoxorubicinMg: nil, date: "2025-01-01")
        }
        assertInputError("--delivered-doxorubicin-mg", ["Y-90 glass"]) {
            _ = try NewTreatment.make(plan: glass, deliveredActivity: nil, deliveredDoxorubicinMg: 50, date: "2025-01-01")
        }
    }

    /// A plan that was not deliverable as computed is recorded only with a delivered amount, and then
    /// with a note.
    func testUndeliverablePlans() throws {
        for status in ["contraindicated", "infeasible"] {
            let re = try Fixture.record(Fixture.rePlan(status: status))
            assertInputError("--from", ["the plan is \(status)", "not deliverable as computed and is not recorded"]) {
                _ = try NewTreatment.make(plan: re, deliveredActivity: nil, deliveredDoxorubicinMg: nil, date: "2025-01-01")
            }
            let t = try NewTreatment.make(plan: re, deliveredActivity: DeliveredActivity(1.5, .gbq), deliveredDoxorubicinMg: nil, date: "2025-01-01")
            assertClose(t.lungDoseGy, 6.0)   // 12 × 1.5 / 3
            XCTAssertEqual(t.note, "the plan was \(status) as computed; recorded as delivered")

            let deb = try Fixture.record(Fixture.debPlan(status: status))
            assertInputError("--from", ["not deliverable"]) {
                _ = try NewTreatment.make(plan: deb, deliveredActivity: nil, deliveredDoxorubicinMg: nil, date: "2025-01-01")
            }
            XCTAssertEqual(try NewTreatment.make(plan: deb, deliveredActivity: nil, deliveredDoxorubicinMg: 40, date: "2025-01-01").doxorubicinMg, 40)
        }
        XCTAssertNil(try NewTreatment.make(plan: Fixture.record(Fixture.rePlan(status: "warning")), deliveredActivity: nil,
                                           deliveredDoxorubicinMg: nil, date: "2025-01-01").note)
    }

    /// --date wins; else the plan's treatment time, as the local date at its offset; else refused.
    func testDates() throws {
        let timed = try Fixture.record(Fixture.rePlan(treatmentTime: "2025-06-30T23:30:00-05:00"))   // 2025-07-01 in UTC
        XCTAssertEqual(try NewTreatment.make(plan: timed, deliveredActivity: nil, deliveredDoxorubicinMg: nil, date: nil).date, "2025-06-30")
        XCTAssertEqual(try NewTreatment.make(plan: timed, deliveredActivity: nil, deliveredDoxorubicinMg: nil, date: "2025-06-29").date, "2025-06-29")
        XCTAssertEqual(try NewTreatment.make(plan: timed, deliveredActivity: nil, deliveredDoxorubicinMg: nil, date: "2025-06-29T00:30:00+09:00").date, "2025-06-29")
        XCTAssertEqual(try NewTreatment.make(plan: timed, deliveredActivity: nil, deliveredDoxorubicinMg: nil, date: " 2024-02-29 ").date, "2024-02-29")
        let untimed = try Fixture.record(Fixture.rePlan())
        assertInputError("--date", ["is required", "no treatment time"]) {
            _ = try NewTreatment.make(plan: untimed, deliveredActivity: nil, deliveredDoxorubicinMg: nil, date: nil)
        }
        assertInputError("--date", ["day 29 does not exist in February 2025"]) {
            _ = try NewTreatment.make(plan: untimed, deliveredActivity: nil, deliveredDoxorubicinMg: nil, date: "2025-02-29")
        }
        assertInputError("--date", ["2026-11-30"]) {
            _ = try NewTreatment.make(plan: untimed, deliveredActivity: nil, deliveredDoxorubicinMg: nil, date: "30/11/2025")
        }
        assertInputError("--date", ["UTC offset"]) {
            _ = try NewTreatment.make(plan: untimed, deliveredActivity: nil, deliveredDoxorubicinMg: nil, date: "2025-06-29T10:00:00")
        }
        let now = try Timestamp.parse("2025-07-01T12:00:00Z", field: "now")
        assertInputError("--date", ["in the future"]) {
            _ = try NewTreatment.make(plan: untimed, deliveredActivity: nil, deliveredDoxorubicinMg: nil, date: "2025-07-03", now: now)
        }
        assertInputError("--date", ["before 1990-01-01"]) {
            _ = try NewTreatment.make(plan: untimed, deliveredActivity: nil, deliveredDoxorubicinMg: nil, date: "1989-12-31", now: now)
        }
        let future = try Fixture.record(Fixture.rePlan(treatmentTime: "2025-07-10T09:00:00+02:00"))
        assertInputError("--from", ["in the future"]) {
            _ = try NewTreatment.make(plan: future, deliveredActivity: nil, deliveredDoxorubicinMg: nil, date: nil, now: now)
        }
        XCTAssertEqual(try NewTreatment.make(plan: future, deliveredActivity: nil, deliveredDoxorubicinMg: nil, date: "2025-07-01", now: now).date, "2025-07-01")
    }

    /// The same plan (same input SHA-256, patient and date) is refused the second time.
    func testDuplicateIsRefused() throws {
        let s = try Scratch()
        let path = s.path("ledger.sqlite")
        let store = try LedgerStore.open(path: path, create: true)
        let plan = try Fixture.record(Fixture.rePlan(), file: "plan-a.json")
        try store.add(NewTreatment.make(plan: plan, deliveredActivity: DeliveredActivity(2.7, .gbq), deliveredDoxorubicinMg: nil, date: "2025-03-10"))
        let before = try snapshot(path)
        assertInputError("--from", ["already recorded", "'P-001'", "2025-03-10", "ledger entry 1", "not recorded twice"]) {
            // Even with another delivered activity: the plan is the same.
            try store.add(NewTreatment.make(plan: plan, deliveredActivity: DeliveredActivity(2.0, .gbq), deliveredDoxorubicinMg: nil, date: "2025-03-10"))
        }
        XCTAssertEqual(try snapshot(path), before)
        // The same plan text re-run (another calculatedAt) still has the same input digest.
        let rerun = try Fixture.record(Fixture.rePlan(calculatedAt: "2025-03-02T08:00:00Z"))
        assertInputError("--from", ["already recorded"]) {
            try store.add(NewTreatment.make(plan: rerun, deliveredActivity: nil, deliveredDoxorubicinMg: nil, date: "2025-03-10"))
        }
        // Another date, or another plan, is a new treatment.
        try store.add(NewTreatment.make(plan: plan, deliveredActivity: nil, deliveredDoxorubicinMg: nil, date: "2025-05-10"))
        try store.add(NewTreatment.make(plan: Fixture.record(Fixture.rePlan(sha: Fixture.sha(9))), deliveredActivity: nil, deliveredDoxorubicinMg: nil, date: "2025-03-10"))
        XCTAssertEqual(try store.count(), 3)

        // Without an input digest, the same plan text is the same plan.
        let old = try Fixture.record(Fixture.debPlan(sha: nil, version: nil))
        XCTAssertNil(old.inputSha256)
        XCTAssertNil(old.dosecalcVersion)
        let e = try store.add(NewTreatment.make(plan: old, deliveredActivity: nil, deliveredDoxorubicinMg: nil, date: "2025-03-10"))
        XCTAssertNil(e.planInputSha256)
        XCTAssertNil(e.dosecalcVersion)
        assertInputError("--from", ["already recorded"]) {
            try store.add(NewTreatment.make(plan: old, deliveredActivity: nil, deliveredDoxorubicinMg: nil, date: "2025-03-10"))
        }
        XCTAssertEqual(try store.count(), 4)
    }

    /// What is stored: the whole plan text, provenance, and the time of recording.
    func testStoredColumns() throws {
        let s = try Scratch()
        let store = try LedgerStore.open(path: s.path("ledger.sqlite"), create: true)
        let text = Fixture.rePlan(patient: "P-9", modality: "ho166", activity: 5.0, lung: 4.0, sha: Fixture.sha(0xBEEF).uppercased())
        let now = try Timestamp.parse("2025-03-11T07:15:30+01:00", field: "now")
        let e = try store.add(NewTreatment.make(plan: Fixture.record(text), deliveredActivity: DeliveredActivity(135, .mCi),
                                                deliveredDoxorubicinMg: nil, date: "2025-03-10", now: now), now: now)
        XCTAssertEqual(e.kind, .ho166)
        XCTAssertEqual(e.planJSON, text)
        XCTAssertEqual(e.planInputSha256, Fixture.sha(0xBEEF))      // stored in lower case
        XCTAssertEqual(e.planCalculatedAt, "2025-03-01T08:00:00Z")
        XCTAssertEqual(e.recordedAt, "2025-03-11T06:15:30Z")
        XCTAssertEqual(e.deliveredActivityGBq, 4.995)               // 135 × 0.037
        assertClose(e.lungDoseGy, 3.996)                            // 4 × 4.995 / 5
        XCTAssertEqual(e.bsaM2, 1.9)
        XCTAssertEqual(e.planStatus, .ok)
        XCTAssertEqual(try store.treatments(patientID: "P-9"), [e])
    }

    /// Plan files of another shape are refused naming the file and the JSON path.
    func testPlanShapes() throws {
        func refused(_ text: String, _ fragments: [String], line: UInt = #line) {
            assertInputError("--from", ["'plan.json'"] + fragments, line: line) { _ = try Fixture.record(text) }
        }
        refused("[1, 2]", ["top level must be a JSON object"])
        refused("{\"patientId\": 1}", ["at patientId", "must be a string"])
        refused("{\"modality\": \"deb\"}", ["at patientId", "is missing"])
        refused("{\"patientId\": \"P\", \"modality\": \"tace\", \"status\": \"ok\"}", ["at modality", "y90-glass"])
        refused("{\"patientId\": \"P\", \"modality\": \"deb\", \"status\": \"fine\"}", ["at status"])
        refused("{\"patientId\": \"\", \"modality\": \"deb\", \"status\": \"ok\"}", ["must not be empty"])
        refused("{\"patientId\": \"P\", \"modality\": \"deb\", \"status\": \"ok\"}", ["at chemoembolization", "is missing"])
        refused("{\"patientId\": \"P\", \"modality\": \"deb\", \"status\": \"ok\", \"chemoembolization\": {\"doxorubicinMg\": \"75\"}}",
                ["at chemoembolization.doxorubicinMg", "must be a number"])
        refused("{\"patientId\": \"P\", \"modality\": \"y90-resin\", \"status\": \"ok\", \"radioembolization\": null}", ["at radioembolization", "null"])
        refused("{\"patientId\": \"P\", \"modality\": \"y90-resin\", \"status\": \"ok\", \"radioembolization\": {\"activityGBq\": 2}}",
                ["at radioembolization.lungDoseGy", "is missing"])
        refused("{\"patientId\": \"P\", \"modality\": \"y90-resin\", \"status\": \"ok\", \"radioembolization\": {\"activityGBq\": -2, \"lungDoseGy\": 1}}",
                ["at radioembolization.activityGBq", "must be in"])
        refused(Fixture.rePlan(treatmentTime: "2025-01-01 10:00"), ["at radioembolization.treatmentTime"])
        refused(Fixture.rePlan(sha: "xyz"), ["at inputSha256", "64 hexadecimal digits"])
        refused(Fixture.rePlan(calculatedAt: "yesterday"), ["at calculatedAt"])
        refused("{\"patientId\": \"P\", \"patientId\": \"Q\"}", ["not strict JSON", "duplicate key"])
        refused("{\"patientId\": \"P\",}", ["not strict JSON"])
        // Absent provenance is stored as null; unknown keys are ignored.
        let r = try Fixture.record(Fixture.rePlan(sha: nil, version: nil, calculatedAt: nil))
        XCTAssertNil(r.inputSha256)
        XCTAssertNil(r.dosecalcVersion)
        XCTAssertNil(r.calculatedAt)
        let nulls = try Fixture.record("{\"patientId\": \"P\", \"modality\": \"deb\", \"status\": \"ok\", \"chemoembolization\": {\"doxorubicinMg\": 5}, \"inputSha256\": null, \"future\": [1]}")
        XCTAssertNil(nulls.inputSha256)
        XCTAssertEqual(nulls.plannedDoxorubicinMg, 5)
    }

    func testPlanFileRead() throws {
        let s = try Scratch()
        assertInputError("--from", ["does not exist"]) { _ = try PlanRecord.read(path: s.path("missing.json")) }
        assertInputError("--from", ["is a folder"]) { _ = try PlanRecord.read(path: s.url.path) }
        assertInputError("--from", ["not a regular file"]) { _ = try PlanRecord.read(path: "/dev/zero") }
        let p = try s.write("plan.json", Fixture.debPlan())
        XCTAssertEqual(try PlanRecord.read(path: p).plannedDoxorubicinMg, 75)
    }

    /// A delivered activity far above the plan that would give an implausible lung dose is refused.
    func testImplausibleScaledLungDoseIsRefused() throws {
        let plan = try Fixture.record(Fixture.rePlan(activity: 1.0, lung: 30.0))
        assertClose(try NewTreatment.make(plan: plan, deliveredActivity: DeliveredActivity(6.0, .gbq), deliveredDoxorubicinMg: nil, date: "2025-01-01").lungDoseGy, 180)
        assertInputError("--delivered-activity-gbq", ["would be 210 Gy", "outside [0, 200] Gy"]) {
            _ = try NewTreatment.make(plan: plan, deliveredActivity: DeliveredActivity(7.0, .gbq), deliveredDoxorubicinMg: nil, date: "2025-01-01")
        }
    }
}
