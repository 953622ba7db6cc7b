// SPDX-License-Identifier: GPL-3.0-or-later
// The policy file is refused whole when any row is corrupted: every row of the limits is mutated in
// every way a typo can take, and each mutation must be refused with the file and the key named.
import Foundation
import Testing
@testable import ClinicalPolicy
import DosecalcCore

@Suite("Clinical policy data")
struct PolicyDataTests {
    static let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("reference-data/constraints/constraint-sets.json")

    static func original() throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
    }

    static func bytes(_ object: [String: Any]) throws -> Data {
        try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    }

    @Test("the shipped policy decodes and every row has a source")
    func shippedPolicy() throws {
        let p = try PolicyData.decode(Data(contentsOf: Self.url))
        #expect(p.limits.count >= 20)
        for r in p.limits { #expect(!r.source.isEmpty && !r.label.isEmpty) }
        // The published values, read from EANM 2022 Tables 2–4 and the doxorubicin label by hand.
        func limits(_ name: String, _ m: Modality) -> [Double] { p.limits.filter { $0.name == name && $0.modalities.contains(m) }.map(\.limit).sorted() }
        #expect(limits("lungDose", .y90Glass) == [30])
        #expect(limits("cumulativeLungDose", .ho166) == [50])
        #expect(limits("wholeNormalLiverDose", .y90Glass) == [50, 90])
        #expect(limits("perfusedNormalLiverDose", .y90Glass) == [120])
        #expect(limits("perfusedNormalLiverDose", .y90Resin) == [30, 40])
        #expect(limits("wholeNormalLiverDose", .ho166) == [40, 60])
        #expect(limits("lungShunt", .y90Resin) == [20])
        #expect(limits("sessionDose", .deb) == [37.5, 75, 150])
        #expect(limits("lifetimeDose", .deb) == [450, 550])
        #expect(limits("plasmaPeak", .deb) == [160])
        #expect(limits("beadVolume", .deb) == [4])
        #expect(p.tumorTargets.first { $0.modality == .y90Glass && $0.histology == .hcc }?.targetGy == 205)
        #expect(p.tumorTargets.first { $0.modality == .y90Resin && $0.histology == .mcrc }?.targetGy == 100)
    }

    /// One corruption of one row.
    struct Mutation: Sendable, CustomTestStringConvertible {
        let name: String
        let apply: @Sendable (inout [String: Any]) -> Void
        var testDescription: String { name }
    }

    static let mutations: [Mutation] = [
        .init(name: "quantity misspelt") { $0["quantity"] = ($0["quantity"] as! String).replacingOccurrences(of: "Gy", with: "") + "X" },
        .init(name: "quantity unknown") { $0["quantity"] = "lungDose" },
        .init(name: "severity capitalised") { $0["severity"] = "Hard" },
        .init(name: "severity unknown") { $0["severity"] = "strict" },
        .init(name: "category unknown") { $0["category"] = "safty" },
        .init(name: "comparison unknown") { $0["comparison"] = "atmost" },
        .init(name: "modality unknown") { $0["modalities"] = ["y90glass"] },
        .init(name: "modalities empty") { $0["modalities"] = [String]() },
        .init(name: "limit missing") { $0.removeValue(forKey: "limit") },
        .init(name: "limit zero") { $0["limit"] = 0 },
        .init(name: "limit negative") { $0["limit"] = -30 },
        .init(name: "limit as text") { $0["limit"] = "30" },
        .init(name: "limit null") { $0["limit"] = NSNull() },
        .init(name: "source missing") { $0.removeValue(forKey: "source") },
        .init(name: "name missing") { $0.removeValue(forKey: "name") },
        .init(name: "unknown key") { $0["limitGy"] = 30 },
        .init(name: "condition with an unknown key") { $0["when"] = ["bilirubinBelow": 1.1] },
        .init(name: "condition empty") { $0["when"] = [String: Any]() },
        .init(name: "condition with a wrong type") { $0["when"] = ["bilobar": "yes"] },
    ]

    @Test("every mutation of every limit row is refused, naming the file", arguments: mutations)
    func mutatedRowsAreRefused(mutation: Mutation) throws {
        let original = try Self.original()
        let rows = original["limits"] as! [[String: Any]]
        for i in rows.indices {
            var o = original
            var rs = rows
            mutation.apply(&rs[i])
            o["limits"] = rs
            do {
                _ = try PolicyData.decode(try Self.bytes(o))
                Issue.record("row \(i) (\(rows[i]["name"]!)) with '\(mutation.name)' was accepted")
            } catch let e as DataFileError {
                #expect(e.file == PolicyData.relativePath)
                #expect(!e.description.contains("\n"))
            }
        }
    }

    @Test("a duplicated row is refused, and so are two rows of one check that can both apply")
    func duplicatesAreRefused() throws {
        let original = try Self.original()
        let rows = original["limits"] as! [[String: Any]]
        for i in rows.indices {
            var o = original
            o["limits"] = rows + [rows[i]]
            #expect(throws: DataFileError.self, "row \(i) duplicated") { try PolicyData.decode(try Self.bytes(o)) }
        }
        // glass whole normal liver: the ≥ 1.1 mg/dL row widened to ≥ 1.0 overlaps the < 1.1 row.
        var o = original
        var rs = rows
        let j = rs.firstIndex { ($0["when"] as? [String: Any])?["bilirubinMgPerDlAtLeast"] as? Double == 1.1 }!
        rs[j]["when"] = ["bilirubinMgPerDlAtLeast": 1.0]
        o["limits"] = rs
        #expect(throws: DataFileError.self) { try PolicyData.decode(try Self.bytes(o)) }
    }

    @Test("duplicate keys, trailing commas and truncation are refused")
    func brokenJSON() throws {
        let text = try String(contentsOf: Self.url, encoding: .utf8)
        let duplicateKey = text.replacingOccurrences(of: "\"limit\": 30,", with: "\"limit\": 30, \"limit\": 300,")
        #expect(duplicateKey != text)
        let trailingComma = text.replacingOccurrences(of: "\"limit\": 30,", with: "\"limit\": 30,,")
        let truncated = String(text.prefix(text.count / 2))
        for bad in [duplicateKey, trailingComma, truncated, "", "[]", "{}"] {
            #expect(throws: DataFileError.self) { try PolicyData.decode(Data(bad.utf8)) }
        }
    }
}
