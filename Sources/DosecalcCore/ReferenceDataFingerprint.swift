// SPDX-License-Identifier: GPL-3.0-or-later
import Foundation

/// The fingerprint of the reference-data set a result was computed with.
///
/// The set is every `.json` file of the reference-data directory that the engine reads: everything
/// except the validation cases (`cases/`) and their phantom images (`phantoms/`), the example patients (`patients/`) and the generator
/// scripts (`tools/`). Each file is hashed with SHA-256; the set's fingerprint is the SHA-256 of the
/// lines "relative/path <file sha256>\n" in byte order of the paths. A change to any constant, limit
/// or source text of the set changes the fingerprint, and `files` says which file changed.
public struct ReferenceDataFingerprint: Sendable, Codable, Equatable {
    public let sha256: String
    /// Relative path → SHA-256 of the file's bytes.
    public let files: [String: String]

    /// Folders of the reference-data directory that hold no data the engine computes with.
    public static let excludedFolders: Set<String> = ["cases", "patients", "phantoms", "tools"]

    /// The fingerprint of the reference-data directory in use (computed once per process).
    public static func current() throws -> ReferenceDataFingerprint {
        let dir = try ReferenceData.directory()
        if let cached = cache.value, cached.directory == dir.path { return cached.fingerprint }
        let f = try compute(directory: dir)
        cache.value = (dir.path, f)
        return f
    }

    /// The fingerprint of a directory laid out as the reference data.
    public static func compute(directory: URL) throws -> ReferenceDataFingerprint {
        let root = directory.standardizedFileURL.resolvingSymlinksInPath()
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey]) else {
            throw DataFileError(file: root.path, key: "", message: "cannot be listed")
        }
        var files: [String: String] = [:]
        for case let url as URL in walker {
            let full = url.standardizedFileURL.resolvingSymlinksInPath().path
            guard full.hasPrefix(root.path + "/") else { continue }
            let relative = String(full.dropFirst(root.path.count + 1))
            if let top = relative.split(separator: "/").first, excludedFolders.contains(String(top)), relative.contains("/") { continue }
            guard relative.hasSuffix(".json") else { continue }
            guard let data = FileManager.default.contents(atPath: full) else {
                throw DataFileError(file: relative, key: "", message: "cannot be read")
            }
            files[relative] = SHA256.hex(data)
        }
        let manifest = files.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
            .map { "\($0) \(files[$0]!)\n" }.joined()
        return ReferenceDataFingerprint(sha256: SHA256.hex(manifest), files: files)
    }

    private final class Cache: @unchecked Sendable {
        private let lock = NSLock()
        private var stored: (directory: String, fingerprint: ReferenceDataFingerprint)?
        var value: (directory: String, fingerprint: ReferenceDataFingerprint)? {
            get { lock.lock(); defer { lock.unlock() }; return stored }
            set { lock.lock(); stored = newValue; lock.unlock() }
        }
    }
    private static let cache = Cache()
}
