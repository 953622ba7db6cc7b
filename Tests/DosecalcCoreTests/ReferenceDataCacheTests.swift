// SPDX-License-Identifier: GPL-3.0-or-later
// The per-process cache of decoded reference-data files (ReferenceData.cached): a file edited,
// replaced or broken while the process runs must be read again, never answered from memory.
import Foundation
import Testing
@testable import DosecalcCore

@Suite("Reference-data cache")
struct ReferenceDataCacheTests {
    struct Limits: Codable, Equatable { let lungGy: Double }

    /// A fresh folder with one file; returns the file's URL.
    func file(_ contents: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dosecalc-cache-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let u = dir.appendingPathComponent("limits.json")
        try Data(contents.utf8).write(to: u)
        return u
    }

    func setModified(_ u: URL, secondsAgo: Double) throws {
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -secondsAgo)], ofItemAtPath: u.path)
    }

    /// Counts the decodes, so that a test can tell a cached answer from a fresh one.
    final class Counter: @unchecked Sendable { var n = 0 }

    func load(_ u: URL, _ counter: Counter) throws -> Limits {
        try ReferenceData.cached(Limits.self, at: u, file: "limits.json") { data in
            counter.n += 1
            return try ReferenceData.decodeStrict(Limits.self, from: data, file: "limits.json")
        }
    }

    @Test("an old file is decoded once; an edit of the same size is read again")
    func editSameSize() throws {
        let u = try file(#"{"lungGy": 30}"#)
        try setModified(u, secondsAgo: 3600)
        let c = Counter()
        #expect(try load(u, c) == Limits(lungGy: 30))
        #expect(try load(u, c) == Limits(lungGy: 30))
        #expect(c.n == 1)
        // Same size, new contents, a different (still old) modification time.
        try Data(#"{"lungGy": 50}"#.utf8).write(to: u)
        try setModified(u, secondsAgo: 1800)
        #expect(try load(u, c) == Limits(lungGy: 50))
        #expect(c.n == 2)
    }

    @Test("a file modified within the last seconds is never kept, so a write in the same clock tick is seen")
    func recentFileNotKept() throws {
        // Two writes of the same size with the very same modification time (what one clock tick gives):
        // only the "recent files are never kept" rule can tell them apart.
        let u = try file(#"{"lungGy": 30}"#)
        let tick = Date(timeIntervalSinceNow: -0.5)
        try FileManager.default.setAttributes([.modificationDate: tick], ofItemAtPath: u.path)
        let c = Counter()
        #expect(try load(u, c) == Limits(lungGy: 30))
        try Data(#"{"lungGy": 50}"#.utf8).write(to: u)
        try FileManager.default.setAttributes([.modificationDate: tick], ofItemAtPath: u.path)
        #expect(try load(u, c) == Limits(lungGy: 50))
        #expect(c.n == 2)
    }

    @Test("a file broken after a good read is refused on every call, not answered from memory")
    func brokenAfterGood() throws {
        let u = try file(#"{"lungGy": 30}"#)
        try setModified(u, secondsAgo: 3600)
        let c = Counter()
        #expect(try load(u, c) == Limits(lungGy: 30))
        try Data(#"{"lungGy": "30 Gy"}"#.utf8).write(to: u)
        try setModified(u, secondsAgo: 1800)
        for _ in 0..<2 { #expect(throws: DataFileError.self) { try load(u, c) } }
        // A file replaced by another (new inode) with the old contents and old time is read again.
        try FileManager.default.removeItem(at: u)
        try Data(#"{"lungGy": 40}"#.utf8).write(to: u)
        try setModified(u, secondsAgo: 3600)
        #expect(try load(u, c) == Limits(lungGy: 40))
    }

    @Test("a file removed after a good read is an error, not the remembered value")
    func removed() throws {
        let u = try file(#"{"lungGy": 30}"#)
        try setModified(u, secondsAgo: 3600)
        let c = Counter()
        _ = try load(u, c)
        try FileManager.default.removeItem(at: u)
        #expect(throws: DataFileError.self) { try load(u, c) }
    }

    @Test("concurrent readers of one file all get its value")
    func concurrent() async throws {
        let u = try file(#"{"lungGy": 30}"#)
        try setModified(u, secondsAgo: 3600)
        let values = try await withThrowingTaskGroup(of: Limits.self) { group in
            for _ in 0..<64 { group.addTask { try load(u, Counter()) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(values.count == 64 && values.allSatisfy { $0 == Limits(lungGy: 30) })
    }
}
