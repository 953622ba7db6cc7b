// SPDX-License-Identifier: GPL-3.0-or-later
// Strict decoding of a reference-data file into typed values.
//
// Contract: the file must be strict JSON (no duplicate keys, no trailing commas, no comments); every
// key must be one the type knows (a key the type does not read is refused, so a misspelt optional key
// cannot silently vanish); every closed set is an enum; every required key must be present. Any
// violation refuses the whole file with a `DataFileError` naming the file and the key (exit 78).
// The file is parsed once (StrictJSON) and decoded from that tree in one pass, recording every key the
// type reads (TreeDecoder); a key it did not read is unknown.
import Foundation

extension ReferenceData {
    /// Decodes `data` (the contents of `file`, relative to the reference-data folder) strictly.
    public static func decodeStrict<T: Codable>(_ type: T.Type, from data: Data, file: String) throws -> T {
        let tree: JSONValue
        do { tree = try JSONValue.parse(data) } catch {
            let e = error
            throw DataFileError(file: file, key: e.path, message: "is not strict JSON: \(e.message)\(e.line.map { " (line \($0))" } ?? "")")
        }
        // One pass over the parsed tree, recording every key the type reads (TreeDecoder.swift).
        let readKeys = ReadKeys()
        let value: T
        do {
            value = try decodeTreeValue(T.self, tree, path: [], readKeys: readKeys)
        } catch let DecodingError.keyNotFound(key, ctx) {
            throw DataFileError(file: file, key: path(ctx.codingPath + [key]), message: "is required and missing")
        } catch let DecodingError.typeMismatch(t, ctx) {
            throw DataFileError(file: file, key: path(ctx.codingPath), message: "must be of type \(t)")
        } catch let DecodingError.valueNotFound(t, ctx) {
            throw DataFileError(file: file, key: path(ctx.codingPath), message: "must be a \(t), not null")
        } catch let DecodingError.dataCorrupted(ctx) {
            throw DataFileError(file: file, key: path(ctx.codingPath), message: ctx.debugDescription)
        } catch let e as DataFileError {
            throw e
        } catch {
            throw DataFileError(file: file, key: "", message: "could not be read (\(error))")
        }
        // Every key of the file must be read by the type.
        if let unknown = firstUnreadKey(tree, path: "", read: readKeys.paths) {
            throw DataFileError(file: file, key: unknown, message: "is not a known key here; remove it or correct its spelling")
        }
        return value
    }

    /// The first key path present (and not null) in `given` that the type did not read.
    static func firstUnreadKey(_ given: JSONValue, path: String, read: Set<String>) -> String? {
        switch given {
        case .object(let members):
            for m in members {
                if case .null = m.value { continue }
                // Prose for the reader of the file, never read by the program.
                if documentationKeys.contains(m.key), case .string = m.value { continue }
                let p = path.isEmpty ? m.key : path + "." + m.key
                guard read.contains(p) else { return p }
                if let u = firstUnreadKey(m.value, path: p, read: read) { return u }
            }
            return nil
        case .array(let items):
            for (i, v) in items.enumerated() {
                if let u = firstUnreadKey(v, path: "\(path)[\(i)]", read: read) { return u }
            }
            return nil
        default:
            return nil
        }
    }

    /// Keys that hold prose for people (a string), allowed at any level.
    static let documentationKeys: Set<String> = ["description", "note", "notes", "comment"]

    static func path(_ keys: [any CodingKey]) -> String {
        var s = ""
        for k in keys {
            if let i = k.intValue { s += "[\(i)]" } else { s += (s.isEmpty ? "" : ".") + k.stringValue }
        }
        return s
    }
}
