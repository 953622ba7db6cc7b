// SPDX-License-Identifier: GPL-3.0-or-later
// Decoding from the strict parser's tree in one pass, recording every object key the type reads, so
// that a key the type does not read is found without encoding the value again (ReferenceDataDecoding).
//
// Contract: the same errors as Foundation's JSONDecoder for what reference data can hold (a missing key
// is `keyNotFound`, a wrong JSON type `typeMismatch`, null where a value is needed `valueNotFound`, a
// number that does not fit the integer type `dataCorrupted`), with the same coding paths.

final class ReadKeys {
    var paths: Set<String> = []
}

struct TreeDecoder: Decoder {
    let value: JSONValue
    let codingPath: [any CodingKey]
    let readKeys: ReadKeys
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let members) = value else {
            throw DecodingError.typeMismatch([String: Any].self, .init(codingPath: codingPath, debugDescription: "Expected to decode an object but found \(value.kindWords) instead."))
        }
        var byKey: [String: JSONValue] = [:]
        for m in members { byKey[m.key] = m.value }
        return KeyedDecodingContainer(TreeKeyed<Key>(members: byKey, order: members.map(\.key), codingPath: codingPath, readKeys: readKeys))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let items) = value else {
            throw DecodingError.typeMismatch([Any].self, .init(codingPath: codingPath, debugDescription: "Expected to decode an array but found \(value.kindWords) instead."))
        }
        return TreeUnkeyed(items: items, codingPath: codingPath, readKeys: readKeys)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { TreeSingle(value: value, codingPath: codingPath, readKeys: readKeys) }
}

/// An array index as a coding key.
struct IndexKey: CodingKey {
    let intValue: Int?
    var stringValue: String { "Index \(intValue ?? 0)" }
    init(_ i: Int) { intValue = i }
    init?(stringValue: String) { return nil }
    init?(intValue: Int) { self.intValue = intValue }
}

extension JSONValue {
    var kindWords: String {
        switch self {
        case .null: return "null"
        case .bool: return "a Boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}

/// Decodes a single JSON value as `T` (primitives directly, everything else through its own `init(from:)`).
func decodeTreeValue<T: Decodable>(_ type: T.Type, _ v: JSONValue, path: [any CodingKey], readKeys: ReadKeys) throws -> T {
    func mismatch() -> DecodingError {
        .typeMismatch(T.self, .init(codingPath: path, debugDescription: "Expected to decode \(T.self) but found \(v.kindWords) instead."))
    }
    if case .null = v, !(T.self is ExpressibleByNilLiteral.Type) {
        throw DecodingError.valueNotFound(T.self, .init(codingPath: path, debugDescription: "Expected \(T.self) value but found null instead."))
    }
    switch T.self {
    case is String.Type:
        guard case .string(let s) = v else { throw mismatch() }
        return s as! T
    case is Bool.Type:
        guard case .bool(let b) = v else { throw mismatch() }
        return b as! T
    case is Double.Type:
        guard case .number(let x) = v else { throw mismatch() }
        return x as! T
    case is Float.Type:
        guard case .number(let x) = v else { throw mismatch() }
        return Float(x) as! T
    case is Int.Type, is Int8.Type, is Int16.Type, is Int32.Type, is Int64.Type, is UInt.Type, is UInt8.Type, is UInt16.Type, is UInt32.Type, is UInt64.Type:
        guard case .number(let x) = v else { throw mismatch() }
        func fit<I: FixedWidthInteger>(_: I.Type) throws -> I {
            guard x == x.rounded(), let i = I(exactly: x) else {
                throw DecodingError.dataCorrupted(.init(codingPath: path, debugDescription: "Parsed JSON number <\(x)> does not fit in \(I.self)."))
            }
            return i
        }
        switch T.self {
        case is Int.Type: return try fit(Int.self) as! T
        case is Int8.Type: return try fit(Int8.self) as! T
        case is Int16.Type: return try fit(Int16.self) as! T
        case is Int32.Type: return try fit(Int32.self) as! T
        case is Int64.Type: return try fit(Int64.self) as! T
        case is UInt.Type: return try fit(UInt.self) as! T
        case is UInt8.Type: return try fit(UInt8.self) as! T
        case is UInt16.Type: return try fit(UInt16.self) as! T
        case is UInt32.Type: return try fit(UInt32.self) as! T
        default: return try fit(UInt64.self) as! T
        }
    default:
        return try T(from: TreeDecoder(value: v, codingPath: path, readKeys: readKeys))
    }
}

struct TreeKeyed<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let members: [String: JSONValue]
    let order: [String]
    let codingPath: [any CodingKey]
    let readKeys: ReadKeys

    var allKeys: [Key] { order.compactMap { Key(stringValue: $0) } }
    func contains(_ key: Key) -> Bool { members[key.stringValue] != nil }

    private func mark(_ key: Key) { readKeys.paths.insert(ReferenceData.path(codingPath + [key])) }

    private func value(_ key: Key) throws -> JSONValue {
        mark(key)
        guard let v = members[key.stringValue] else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "No value associated with key \(key.stringValue)."))
        }
        return v
    }

    func decodeNil(forKey key: Key) throws -> Bool {
        mark(key)
        if case .null? = members[key.stringValue] { return true }
        return members[key.stringValue] == nil
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try decodeTreeValue(T.self, try value(key), path: codingPath + [key], readKeys: readKeys)
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try TreeDecoder(value: try value(key), codingPath: codingPath + [key], readKeys: readKeys).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try TreeDecoder(value: try value(key), codingPath: codingPath + [key], readKeys: readKeys).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder { TreeDecoder(value: .object(order.map { JSONMember(key: $0, value: members[$0]!) }), codingPath: codingPath, readKeys: readKeys) }
    func superDecoder(forKey key: Key) throws -> any Decoder { TreeDecoder(value: try value(key), codingPath: codingPath + [key], readKeys: readKeys) }
}

struct TreeUnkeyed: UnkeyedDecodingContainer {
    let items: [JSONValue]
    let codingPath: [any CodingKey]
    let readKeys: ReadKeys
    var currentIndex = 0
    var count: Int? { items.count }
    var isAtEnd: Bool { currentIndex >= items.count }

    init(items: [JSONValue], codingPath: [any CodingKey], readKeys: ReadKeys) {
        self.items = items; self.codingPath = codingPath; self.readKeys = readKeys
    }

    private mutating func next<T>(_ type: T.Type) throws -> (JSONValue, [any CodingKey]) {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(T.self, .init(codingPath: codingPath + [IndexKey(currentIndex)], debugDescription: "Unkeyed container is at end."))
        }
        defer { currentIndex += 1 }
        return (items[currentIndex], codingPath + [IndexKey(currentIndex)])
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd else { return false }
        if case .null = items[currentIndex] { currentIndex += 1; return true }
        return false
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let (v, p) = try next(T.self)
        return try decodeTreeValue(T.self, v, path: p, readKeys: readKeys)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        let (v, p) = try next([String: Any].self)
        return try TreeDecoder(value: v, codingPath: p, readKeys: readKeys).container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let (v, p) = try next([Any].self)
        return try TreeDecoder(value: v, codingPath: p, readKeys: readKeys).unkeyedContainer()
    }

    mutating func superDecoder() throws -> any Decoder {
        let (v, p) = try next(Any.self)
        return TreeDecoder(value: v, codingPath: p, readKeys: readKeys)
    }
}

struct TreeSingle: SingleValueDecodingContainer {
    let value: JSONValue
    let codingPath: [any CodingKey]
    let readKeys: ReadKeys
    func decodeNil() -> Bool { if case .null = value { return true }; return false }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try decodeTreeValue(T.self, value, path: codingPath, readKeys: readKeys) }
}
