// SPDX-License-Identifier: GPL-3.0-or-later
// What each value of a label map means. The default: 0 background, 1 normal liver, 2–99 tumours,
// 100 lung. A label table (JSON) can rename or renumber: {"labels": [{"value": 1, "name": "normal liver",
// "kind": "normalLiver"}, {"value": 7, "name": "segment 8 tumour", "kind": "tumor"}, …]}; a value not in
// the table (and not 0) is refused, never ignored.
import DosecalcCore
import Foundation

public enum LabelKind: String, ClosedSet {
    case normalLiver, tumor, lung, background
}

public struct LabelEntry: Sendable, Codable, Equatable {
    public let value: Int
    public let name: String
    public let kind: LabelKind
    public init(value: Int, name: String, kind: LabelKind) { self.value = value; self.name = name; self.kind = kind }
}

public struct LabelTable: Sendable, Equatable {
    public let entries: [LabelEntry]

    /// 0 background, 1 normal liver, 2–99 tumours ("tumour 2" …), 100 lung.
    public static let standard = LabelTable(entries:
        [LabelEntry(value: 0, name: "background", kind: .background), LabelEntry(value: 1, name: "normal liver", kind: .normalLiver)]
        + (2...99).map { LabelEntry(value: $0, name: "tumour \($0)", kind: .tumor) }
        + [LabelEntry(value: 100, name: "lung", kind: .lung)])

    public init(entries: [LabelEntry]) { self.entries = entries }

    public func entry(_ value: Int) -> LabelEntry? { entries.first { $0.value == value } }

    /// The kind of every label value 0…32767 (nil: not in the table), for per-voxel lookups by index.
    public var kindsByValue: [LabelKind?] {
        var k = [LabelKind?](repeating: nil, count: 32768)
        for e in entries where e.value >= 0 && e.value < 32768 { k[e.value] = e.kind }
        return k
    }

    /// Reads a label table; unknown keys, duplicate values or names, values outside 0…32767 and unknown
    /// kinds are refused with the field named (`field` is the flag that named the file).
    public static func decode(_ data: Data, field: String) throws -> LabelTable {
        let tree: JSONValue
        do { tree = try JSONValue.parse(data) } catch {
            throw InputError(field: field, "is not valid JSON: \(error.message)")
        }
        guard case .object(let top) = tree, top.count == 1, top[0].key == "labels", case .array(let items) = top[0].value, !items.isEmpty else {
            throw InputError(field: field, "must be {\"labels\": [{\"value\": N, \"name\": \"…\", \"kind\": \"normalLiver|tumor|lung|background\"}, …]}")
        }
        var entries: [LabelEntry] = []
        for (i, item) in items.enumerated() {
            guard case .object(let m) = item, Set(m.map(\.key)) == ["value", "name", "kind"], m.count == 3 else {
                throw InputError(field: "\(field) labels[\(i)]", "must have exactly the keys value, name and kind")
            }
            guard case .number(let v)? = item["value"], v == v.rounded(), v >= 0, v <= 32767 else {
                throw InputError(field: "\(field) labels[\(i)].value", "must be a whole number from 0 to 32767")
            }
            guard case .string(let name)? = item["name"], !name.trimmingCharacters(in: .whitespaces).isEmpty, name.count <= 64 else {
                throw InputError(field: "\(field) labels[\(i)].name", "must be a name of 1 to 64 characters")
            }
            guard case .string(let k)? = item["kind"], let kind = LabelKind(rawValue: k) else {
                throw InputError(field: "\(field) labels[\(i)].kind", "must be one of \(LabelKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard !entries.contains(where: { $0.value == Int(v) }) else { throw InputError(field: "\(field) labels[\(i)].value", "\(Int(v)) is listed twice") }
            guard !entries.contains(where: { $0.name == name }) else { throw InputError(field: "\(field) labels[\(i)].name", "'\(name)' is used twice") }
            entries.append(LabelEntry(value: Int(v), name: name, kind: kind))
        }
        guard entries.contains(where: { $0.kind == .normalLiver }) else {
            throw InputError(field: field, "must list at least one normalLiver label")
        }
        return LabelTable(entries: entries)
    }
}
