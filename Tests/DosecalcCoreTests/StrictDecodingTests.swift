// SPDX-License-Identifier: GPL-3.0-or-later
// Strict decoding of reference-data files: every error names the key path, and a key the type does not
// read is refused at any depth. The expected messages are written out by hand.
import Foundation
import Testing
@testable import DosecalcCore

@Suite("Strict decoding")
struct StrictDecodingTests {
    enum Kind: String, ClosedSet { case glass, resin }
    struct Row: Codable, Equatable { let name: String; let limitGy: Double; let count: Int; let kind: Kind; let note: String?; let extra: Double? }
    struct File: Codable, Equatable { let description: String; let rows: [Row]; let byName: [String: Double] }

    func decode(_ json: String) throws -> File { try ReferenceData.decodeStrict(File.self, from: Data(json.utf8), file: "x.json") }
    func error(_ json: String) -> (key: String, message: String)? {
        do { _ = try decode(json); return nil } catch let e as DataFileError { return (e.key, e.message) } catch { return ("?", "\(error)") }
    }

    let good = #"{"description": "d", "rows": [{"name": "a", "limitGy": 30, "count": 2, "kind": "glass", "note": "prose", "extra": null}], "byName": {"x": 1.5}}"#

    @Test("a well-formed file decodes; prose keys and null optionals are allowed")
    func wellFormed() throws {
        let f = try decode(good)
        #expect(f == File(description: "d", rows: [Row(name: "a", limitGy: 30, count: 2, kind: .glass, note: "prose", extra: nil)], byName: ["x": 1.5]))
    }

    @Test("each violation names its key path", arguments: [
        (#""limitGy": 30"#, #""limitGy": "30""#, "rows[0].limitGy", "must be of type Double"),
        (#""limitGy": 30, "#, "", "rows[0].limitGy", "is required and missing"),
        (#""count": 2"#, #""count": 2.5"#, "rows[0].count", "Parsed JSON number <2.5> does not fit in Int."),
        (#""count": 2"#, #""count": null"#, "rows[0].count", "must be a Int, not null"),
        (#""kind": "glass""#, #""kind": "Glass""#, "rows[0].kind", ""),
        (#""note": "prose", "#, #""note": "prose", "limitGY": 1, "#, "rows[0].limitGY", "is not a known key here; remove it or correct its spelling"),
        (#""byName": {"x": 1.5}"#, #""byName": {"x": 1.5}, "rowz": []"#, "rowz", "is not a known key here; remove it or correct its spelling"),
        (#""byName": {"x": 1.5}"#, #""byName": {"x": "1.5"}"#, "byName.x", "must be of type Double"),
        (#""rows": [{"#, #""rows": [[], {"#, "rows[0]", "must be of type"),
    ])
    func violations(_ find: String, _ replace: String, _ key: String, _ message: String) {
        #expect(good.contains(find))
        let e = error(good.replacingOccurrences(of: find, with: replace))
        #expect(e?.key == key, "\(String(describing: e))")
        #expect(e?.message.hasPrefix(message) == true, "\(String(describing: e))")
    }

    @Test("not strict JSON: duplicate keys and trailing commas are refused before decoding")
    func syntax() {
        #expect(error(good.replacingOccurrences(of: #""count": 2"#, with: #""count": 2, "count": 3"#))?.message.contains("strict JSON") == true)
        #expect(error(good.replacingOccurrences(of: #""x": 1.5}"#, with: #""x": 1.5,}"#))?.message.contains("strict JSON") == true)
    }
}
