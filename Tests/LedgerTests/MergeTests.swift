// SPDX-License-Identifier: GPL-3.0-or-later
import ClinicalPolicy
import DosecalcCore
import Foundation
import Planning
import XCTest
@testable import Ledger

/// The rule that joins an input's prior treatments with the ledger's.
final class MergeTests: XCTestCase {
    /// A minimal planner input for patient P-001, with `priors` as its `priorTreatments` JSON.
    static func inputJSON(priors: String?) -> String {
        """
        {"patient": {"id": "P-001", "heightCm": 170, "weightKg": 70,
                     "labs": {"bilirubinMgPerDl": 0.8, "albuminGPerDl": 4.0, "inr": 1.0, "ascites": "none", "encephalopathy": "none"}
                     \(priors.map { ", \"priorTreatments\": \($0)" } ?? "")},
         "treatment": {"modality": "y90-glass"}}
        """
    }

    func input(_ priors: String?) throws -> PlanInput { try PlanInput.decode(Data(Self.inputJSON(priors: priors).utf8)) }

    let ledger: [PlanInput.PriorTreatment] = {
        [try! PriorTreatments.make(kind: .y90Glass, date: "2025-03-10", lungDoseGy: 10.8, doxorubicinMg: nil),
         try! PriorTreatments.make(kind: .debTace, date: "2025-04-14", lungDoseGy: nil, doxorubicinMg: 75)]
    }()

    func key(_ t: PlanInput.PriorTreatment) -> String { "\(t.kind.rawValue) \(t.date ?? "-") \(t.lungDoseGy.map { "\($0)" } ?? "-") \(t.doxorubicinMg.map { "\($0)" } ?? "-")" }

    func testInputWithoutPriorsTakesTheLedgers() throws {
        for priors in [nil, "[]"] {
            let merged = try LedgerStore.merge(input: try input(priors), ledger: ledger)
            XCTAssertEqual(merged.patient.priorTreatments?.map(key), ["y90-glass 2025-03-10 10.8 -", "deb-tace 2025-04-14 - 75.0"])
        }
        // An empty ledger and no priors: nothing changes.
        XCTAssertNil(try LedgerStore.merge(input: try input(nil), ledger: []).patient.priorTreatments)
    }

    func testSameTreatmentsInAnotherOrderWithinToleranceAreAccepted() throws {
        let priors = """
        [{"kind": "deb-tace", "date": "2025-04-14", "doxorubicinMg": 75.00000000001},
         {"kind": "y90-glass", "date": "2025-03-10", "lungDoseGy": 10.800000000001, "doxorubicinMg": 0}]
        """
        let merged = try LedgerStore.merge(input: try input(priors), ledger: ledger)
        // The ledger's values are used.
        XCTAssertEqual(merged.patient.priorTreatments?.map(key), ["y90-glass 2025-03-10 10.8 -", "deb-tace 2025-04-14 - 75.0"])
    }

    func testDifferentLungDoseIsRefusedNamingIt() throws {
        let priors = """
        [{"kind": "y90-glass", "date": "2025-03-10", "lungDoseGy": 12}, {"kind": "deb-tace", "date": "2025-04-14", "doxorubicinMg": 75}]
        """
        assertInputError("patient.priorTreatments", ["differs from the treatment ledger", "'P-001'",
                                                     "the input lists a Y-90 glass microsphere treatment on 2025-03-10 with lung dose 12 Gy",
                                                     "priorTreatments[0]", "the ledger has on that date: a Y-90 glass microsphere treatment on 2025-03-10 with lung dose 10.8 Gy"]) {
            _ = try LedgerStore.merge(input: try input(priors), ledger: ledger)
        }
        // 1e-8 relative is outside the 1e-9 tolerance.
        let close = """
        [{"kind": "y90-glass", "date": "2025-03-10", "lungDoseGy": 10.8000001}, {"kind": "deb-tace", "date": "2025-04-14", "doxorubicinMg": 75}]
        """
        assertInputError("patient.priorTreatments", ["lung dose 10.8000001 Gy"]) { _ = try LedgerStore.merge(input: try input(close), ledger: ledger) }
    }

    func testOtherDifferencesAreRefused() throws {
        // Another date.
        assertInputError("patient.priorTreatments", ["on 2025-03-11", "the ledger has no treatment on that date"]) {
            _ = try LedgerStore.merge(input: try input("""
                [{"kind": "y90-glass", "date": "2025-03-11", "lungDoseGy": 10.8}, {"kind": "deb-tace", "date": "2025-04-14", "doxorubicinMg": 75}]
                """), ledger: ledger)
        }
        // Another kind.
        assertInputError("patient.priorTreatments", ["a Y-90 resin microsphere treatment"]) {
            _ = try LedgerStore.merge(input: try input("""
                [{"kind": "y90-resin", "date": "2025-03-10", "lungDoseGy": 10.8}, {"kind": "deb-tace", "date": "2025-04-14", "doxorubicinMg": 75}]
                """), ledger: ledger)
        }
        // The input lists fewer: the ledger's extra treatment is named.
        assertInputError("patient.priorTreatments", ["the ledger records a DEB-TACE treatment on 2025-04-14 with doxorubicin 75 mg that the input does not list"]) {
            _ = try LedgerStore.merge(input: try input("""
                [{"kind": "y90-glass", "date": "2025-03-10", "lungDoseGy": 10.8}]
                """), ledger: ledger)
        }
        // The same treatment twice in the input is not the ledger's single one (multisets).
        assertInputError("patient.priorTreatments", ["priorTreatments[2]"]) {
            _ = try LedgerStore.merge(input: try input("""
                [{"kind": "y90-glass", "date": "2025-03-10", "lungDoseGy": 10.8}, {"kind": "deb-tace", "date": "2025-04-14", "doxorubicinMg": 75},
                 {"kind": "y90-glass", "date": "2025-03-10", "lungDoseGy": 10.8}]
                """), ledger: ledger)
        }
        // A patient the ledger does not know keeps the input's own list (the plan names where it came from).
        let own = try LedgerStore.merge(input: try input("""
            [{"kind": "conventional-tace", "date": "2019-01-01", "doxorubicinMg": 50}]
            """), ledger: [])
        XCTAssertEqual(own.patient.priorTreatments?.count, 1)
        XCTAssertEqual(own.patient.priorTreatments?.first?.doxorubicinMg, 50)
    }

    /// Prior treatments reach the planner exactly as stored.
    func testPriorTreatmentRoundTripIsExact() throws {
        for x in [10.8, 0.1 + 0.2, 1.0 / 3.0, 12 * (2.7 / 3.0), Double.leastNonzeroMagnitude, 199.99999999999997] {
            let t = try PriorTreatments.make(kind: .y90Resin, date: "2025-01-01", lungDoseGy: x, doxorubicinMg: nil)
            XCTAssertEqual(t.lungDoseGy, x)
            XCTAssertNil(t.doxorubicinMg)
        }
    }
}
