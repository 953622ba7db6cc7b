// SPDX-License-Identifier: GPL-3.0-or-later
// SHA-256 against the FIPS 180-4 example vectors and the system's sha256sum; the build identifier
// against readelf; the reference-data fingerprint against a manifest hashed by sha256sum.
import Foundation
import Testing
@testable import DosecalcCore

@Suite("Fingerprints: SHA-256, build identifier, reference data")
struct FingerprintTests {
    @Test("FIPS 180-4 example vectors")
    func fipsVectors() {
        // NIST, FIPS 180-4 examples (SHA256.pdf): "abc", the 448-bit message, one million 'a'.
        #expect(SHA256.hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(SHA256.hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex([UInt8](repeating: 0x61, count: 1_000_000))
                == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// Runs a program and returns its standard output.
    func run(_ path: String, _ args: [String], stdin: Data? = nil) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = args
        p.currentDirectoryURL = FileManager.default.temporaryDirectory   // not the test process's, which a test may change
        let out = Pipe()
        p.standardOutput = out
        let input = Pipe()
        if stdin != nil { p.standardInput = input }
        try p.run()
        if let stdin { input.fileHandleForWriting.write(stdin); try input.fileHandleForWriting.close() }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    @Test("every message length around the block boundaries agrees with sha256sum")
    func blockBoundaries() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/sha256sum") else { return }
        var rng = SystemRandomNumberGenerator()
        for n in [1, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129, 1000] {
            let bytes = (0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let reference = try run("/usr/bin/sha256sum", [], stdin: Data(bytes)).prefix(64)
            #expect(SHA256.hex(bytes) == String(reference), "length \(n)")
        }
    }

    @Test("the build identifier is the executable's GNU build-id note, as readelf prints it")
    func buildID() throws {
        #if os(Linux)
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/readelf") else { return }
        let exe = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        let notes = try run("/usr/bin/readelf", ["-n", exe])
        let line = notes.split(separator: "\n").first { $0.contains("Build ID:") }
        let expected = line.map { String($0.split(separator: ":").last!.trimmingCharacters(in: .whitespaces)) }
        #expect(expected != nil)
        #expect(BuildInfo.buildID == expected)
        #expect(BuildInfo.readGNUBuildID(path: "/etc/hostname") == nil)
        #endif
    }

    @Test("the reference-data fingerprint is the SHA-256 of the sorted manifest; cases, patients and tools are left out")
    func referenceData() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fp-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let files = ["b.json": "{\"x\": 1}\n", "a/z.json": "[]", "products/p.json": "{}", "cases/c.json": "{\"ignored\": true}",
                     "patients/p.json": "{}", "tools/t.json": "{}", "notes.txt": "not data"]
        for (path, text) in files {
            let u = dir.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: u.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: u)
        }
        let f = try ReferenceDataFingerprint.compute(directory: dir)
        #expect(Set(f.files.keys) == ["a/z.json", "b.json", "products/p.json"])
        // The manifest by hand, each file hashed by the tests' own FIPS-checked hasher.
        let manifest = ["a/z.json", "b.json", "products/p.json"].map { "\($0) \(SHA256.hex(files[$0]!))\n" }.joined()
        #expect(f.sha256 == SHA256.hex(manifest))
        // One byte changed in one data file changes the fingerprint and names the file; a case file does not.
        try Data("{\"x\": 2}\n".utf8).write(to: dir.appendingPathComponent("b.json"))
        let g = try ReferenceDataFingerprint.compute(directory: dir)
        #expect(g.sha256 != f.sha256)
        #expect(g.files.filter { f.files[$0.key] != $0.value }.map(\.key) == ["b.json"])
        try Data("{}".utf8).write(to: dir.appendingPathComponent("cases/c.json"))
        #expect(try ReferenceDataFingerprint.compute(directory: dir).sha256 == g.sha256)
    }
}
