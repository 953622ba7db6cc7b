// SPDX-License-Identifier: GPL-3.0-or-later
// Strict decoding of a reference-data file into typed values.
//
// Contract: the file must be strict JSON (no duplicate keys, no trailing commas, no comments); every
// key must be one the type knows (a key the type does not read is refused, so a misspelt optional key
// cannot silently vanish); every closed set is an enum; every required key must be present. Any
// violation refuses the whole file with a `DataFileError` naming the file and the key (exit 78).
import Foundation

extension ReferenceData {
    /// Decodes `data` (the contents of `file`, relative to the reference-data folder) strictly.
    public static func decodeStrict<T: Codable>(_ type: T.Type, from data: Data, file: String) throws -> T {
        let tree: JSONValue
        do { tree = try JSONValue.parse(data) } catch {
            let e = error
            throw DataFileError(file: file, key: e.path, message: "is not strict JSON: \(e.message)\(e.line.map { " (line \($0))" } ?? "")")
        }
        let value: T
        do {
            value = try JSONDecoder().decode(T.self, from: data)
        } catch let DecodingError.keyNotFound(key, ctx) {
            throw DataFileError(file: file, key: path(ctx.codingPath + [key]), message: "is required and missing")
        } catch let DecodingError.typeMismatch(t, ctx) {
            throw DataFileError(file: file, key: path(ctx.codingPath), message: "must be of type \(t)")
        } catch let DecodingError.valueNotFound(t, ctx) {
            throw DataFileError(file: file, key: path(ctx.codingPath), message: "must be a \(t), not null")
        } catch let DecodingError.dataCorrupted(ctx) {
            throw DataFileError(file: file, key: path(ctx.codingPath), message: ctx.debugDescription)
        } catch {
            throw DataFileError(file: file, key: "", message: "could not be read (\(error))")
        }
        // Every key of the file must be read by the type: re-encode what was decoded and compare.
        let known: JSONValue
        do { known = try JSONValue.parse(try JSONEncoder().encode(value)) } catch {
            throw DataFileError(file: file, key: "", message: "could not be checked for unknown keys (\(error))")
        }
        if let unknown = firstUnknownKey(tree, known, path: "") {
            throw DataFileError(file: file, key: unknown, message: "is not a known key here; remove it or correct its spelling")
        }
        return value
    }

    /// Keys that hold prose for people (a string), allowed at any level.
    static let documentationKeys: Set<String> = ["description", "note", "notes", "comment"]

    /// The first key path present (and not null) in `given` but absent from `known`.
    static func firstUnknownKey(_ given: JSONValue, _ known: JSONValue, path: String) -> String? {
        switch (given, known) {
        case let (.object(g), .object(k)):
            for m in g {
                if case .null = m.value { continue }
                // Prose for the reader of the file, never read by the program.
                if documentationKeys.contains(m.key), case .string = m.value { continue }
                let p = path.isEmpty ? m.key : path + "." + m.key
                guard let kv = k.first(where: { $0.key == m.key })?.value else { return p }
                if let u = firstUnknownKey(m.value, kv, path: p) { return u }
            }
            return nil
        case let (.array(g), .array(k)):
            for (i, (gv, kv)) in zip(g, k).enumerated() {
                if let u = firstUnknownKey(gv, kv, path: "\(path)[\(i)]") { return u }
            }
            return nil
        default:
            return nil
        }
    }

    static func path(_ keys: [any CodingKey]) -> String {
        var s = ""
        for k in keys {
            if let i = k.intValue { s += "[\(i)]" } else { s += (s.isEmpty ? "" : ".") + k.stringValue }
        }
        return s
    }
}
