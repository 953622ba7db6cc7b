// SPDX-License-Identifier: GPL-3.0-or-later
import Foundation

/// Finds and reads the files in `reference-data/` (product catalogues, constraint sets,
/// nuclide constants, reference cases). Data, not code: every entry there carries its source.
///
/// The directory is looked up in this order; the first that exists wins:
/// 1. the `--reference-data DIR` flag (set once by the entry point through `setOverride`; the flag is
///    taken off the argument list by `extractOverride(from:)`);
/// 2. the environment variable `DOSECALC_REFERENCE_DATA`;
/// 3. `../share/dosecalc/reference-data` relative to the executable's folder: the installed layout
///    `PREFIX/bin/dosecalc` + `PREFIX/share/dosecalc/reference-data`;
/// 4. `reference-data/` beside the executable or in one of its parent folders
///    (a binary in `.build/debug/` of a checkout finds the checkout's folder);
/// 5. the checkout this library was compiled from (`#filePath`).
///
/// Steps 1 and 2 are explicit: a value that is not a directory is an error, never a fall-through.
/// The working directory plays no part, so `dosecalc` gives the same answer from any folder.
public enum ReferenceData {
    public static let environmentVariable = "DOSECALC_REFERENCE_DATA"
    /// The global command-line flag that names the reference-data directory.
    public static let flag = "--reference-data"

    /// The reference-data directory, or an error that says how to point at it.
    public static func directory() throws -> URL {
        let override = overrideStorage.value
        let env = getenv(environmentVariable).map { String(cString: $0) }
        // The lookup's answer is kept while the override and the variable are unchanged and the
        // directory still exists (`dosecalc batch` asks for it several times per request).
        if let hit = directoryCache.value, hit.override == override, hit.environment == env, isDirectory(hit.url) {
            return hit.url
        }
        let url = try lookup(override: override,
                             environment: env.map { [environmentVariable: $0] } ?? [:],
                             executable: runningExecutable,
                             checkout: compiledCheckout)
        directoryCache.value = (override, env, url)
        return url
    }

    private final class DirectoryCache: @unchecked Sendable {
        private let lock = NSLock()
        private var entry: (override: URL?, environment: String?, url: URL)?
        var value: (override: URL?, environment: String?, url: URL)? {
            get { lock.lock(); defer { lock.unlock() }; return entry }
            set { lock.lock(); entry = newValue; lock.unlock() }
        }
    }

    private static let directoryCache = DirectoryCache()

    // MARK: - The --reference-data override

    /// Makes `directory` (relative paths are taken against the working directory now, once) the
    /// reference-data directory for the rest of the process, ahead of `DOSECALC_REFERENCE_DATA`.
    /// `nil` removes the override (for tests). Throws, and changes nothing, when the path is not a
    /// directory.
    ///
    /// Meant to be called once by the entry point before any work starts; a lock makes it safe to
    /// call from anywhere anyway.
    public static func setOverride(_ directory: String?) throws {
        guard let directory else {
            overrideStorage.value = nil
            return
        }
        guard !directory.isEmpty else {
            throw InputError(field: flag, "is empty; give the reference-data directory")
        }
        let url = URL(fileURLWithPath: directory, isDirectory: true).standardizedFileURL
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir) else {
            throw InputError(field: flag, "'\(directory)' does not exist; give the dosecalc reference-data directory")
        }
        guard isDir.boolValue else {
            throw InputError(field: flag, "'\(directory)' is not a directory; give the dosecalc reference-data directory")
        }
        overrideStorage.value = url
    }

    /// The override set by `setOverride`, if any.
    public static var overrideDirectory: URL? { overrideStorage.value }

    /// Takes the global `--reference-data DIR` or `--reference-data=DIR` out of `arguments` (the
    /// arguments without the program name) wherever it stands before a `--` terminator, and returns
    /// the remaining arguments in their order and the directory given (nil when the flag is absent).
    /// Does not check the directory: pass it to `setOverride`.
    ///
    /// Throws when the flag is given twice, has no value, or its value is empty.
    public static func extractOverride(from arguments: [String]) throws -> (arguments: [String], directory: String?) {
        var rest: [String] = []
        rest.reserveCapacity(arguments.count)
        var found: String?
        var i = 0
        while i < arguments.count {
            let a = arguments[i]
            if a == "--" {
                rest += arguments[i...]
                break
            }
            var value: String?
            if a == flag {
                guard i + 1 < arguments.count, !arguments[i + 1].hasPrefix("--") else {
                    throw InputError(field: flag, "needs a directory: \(flag) DIR")
                }
                value = arguments[i + 1]
                i += 2
            } else if a.hasPrefix(flag + "=") {
                value = String(a.dropFirst(flag.count + 1))
                i += 1
            } else {
                rest.append(a)
                i += 1
                continue
            }
            guard let v = value, !v.isEmpty else {
                throw InputError(field: flag, "is empty; give the reference-data directory")
            }
            if found != nil {
                throw InputError(field: flag, "is given twice; give it once")
            }
            found = v
        }
        return (rest, found)
    }

    // MARK: - Files

    /// The URL of a file inside the reference-data directory, e.g. `url("products/radioembolization.json")`.
    public static func url(_ relativePath: String) throws -> URL {
        let dir = try directory()
        let u = dir.appendingPathComponent(relativePath)
        guard FileManager.default.fileExists(atPath: u.path) else {
            throw DataFileError(file: relativePath, key: "", message: "is missing from \(dir.path)")
        }
        return u
    }

    /// Decodes a JSON file of the reference-data directory strictly (see ReferenceDataDecoding.swift):
    /// a broken file is refused whole with a `DataFileError`.
    public static func load<T: Codable>(_ type: T.Type, from relativePath: String) throws -> T {
        try cached(T.self, from: relativePath) { try decodeStrict(T.self, from: $0, file: relativePath) }
    }

    /// Reads `relativePath` and turns its bytes into a `T` with `decode`, once per process and file
    /// version: the decoded value is kept with the file's device, inode, size and modification time,
    /// and reused while a `stat` of the file still gives the same four, so a file replaced or edited
    /// while the process runs is read again. Errors are never kept: a broken file is refused on every
    /// call. `dosecalc batch` answers thousands of requests in one process; without this each would
    /// decode the catalogue and the constraint sets again.
    public static func cached<T>(_ type: T.Type, from relativePath: String, decode: (Data) throws -> T) throws -> T {
        try cached(T.self, at: try url(relativePath), file: relativePath, decode: decode)
    }

    /// `cached(_:from:decode:)` for a file given by its URL; `file` names it in errors.
    ///
    /// A modification time is only as fine as the kernel's clock tick (a few milliseconds), so two
    /// writes of the same size within one tick look alike. As Git does for its index, a value is
    /// therefore kept only when the file was last modified more than two seconds before it was read:
    /// a file written since then always has a later modification time than the one kept.
    static func cached<T>(_ type: T.Type, at u: URL, file: String, decode: (Data) throws -> T) throws -> T {
        let key = DecodedCache.Key(path: u.path, type: ObjectIdentifier(T.self))
        let before = FileVersion(path: u.path)
        if let before, let hit = decodedCache.value(for: key, version: before) as? T { return hit }
        let data: Data
        do { data = try Data(contentsOf: u) } catch {
            throw DataFileError(file: file, key: "", message: "cannot be read")
        }
        let value = try decode(data)
        if let before, FileVersion(path: u.path) == before, before.modifiedSecondsAgo > 2 {
            decodedCache.store(value, for: key, version: before)
        }
        return value
    }

    /// What identifies one version of a file without reading it.
    struct FileVersion: Equatable {
        let device: UInt64, inode: UInt64, size: Int64, modifiedSeconds: Int, modifiedNanoseconds: Int
        init?(path: String) {
            var st = stat()
            guard stat(path, &st) == 0 else { return nil }
            device = UInt64(st.st_dev); inode = UInt64(st.st_ino); size = Int64(st.st_size)
            #if os(Linux)
            modifiedSeconds = Int(st.st_mtim.tv_sec); modifiedNanoseconds = Int(st.st_mtim.tv_nsec)
            #else
            modifiedSeconds = Int(st.st_mtimespec.tv_sec); modifiedNanoseconds = Int(st.st_mtimespec.tv_nsec)
            #endif
        }
        /// Seconds from the last modification to now (negative for a time in the future).
        var modifiedSecondsAgo: Double {
            Date().timeIntervalSince1970 - (Double(modifiedSeconds) + Double(modifiedNanoseconds) * 1e-9)
        }
    }

    /// Decoded reference-data files, behind a lock (batch workers read them from several threads).
    final class DecodedCache: @unchecked Sendable {
        struct Key: Hashable { let path: String; let type: ObjectIdentifier }
        private let lock = NSLock()
        private var entries: [Key: (version: FileVersion, value: Any)] = [:]
        func value(for key: Key, version: FileVersion) -> Any? {
            lock.lock(); defer { lock.unlock() }
            guard let e = entries[key], e.version == version else { return nil }
            return e.value
        }
        func store(_ value: Any, for key: Key, version: FileVersion) {
            lock.lock(); entries[key] = (version, value); lock.unlock()
        }
    }

    static let decodedCache = DecodedCache()

    // MARK: - Lookup

    /// The lookup of `directory()` with every input given, so that the order can be tested without
    /// moving an executable: `override` (step 1), `environment` (step 2), `executable` (steps 3 and 4),
    /// `checkout` (step 5, the reference-data folder of the compiled checkout).
    static func lookup(override: URL?, environment: [String: String], executable: URL?, checkout: URL?) throws -> URL {
        if let given = override {
            guard isDirectory(given) else {
                throw InputError(field: flag, "'\(given.path)' is no longer a directory")
            }
            return given
        }
        if let env = environment[environmentVariable], !env.isEmpty {
            let url = URL(fileURLWithPath: env, isDirectory: true).standardizedFileURL
            guard isDirectory(url) else {
                throw InputError(field: environmentVariable, "is '\(env)', which is not a directory")
            }
            return url
        }
        for c in candidates(executable: executable, checkout: checkout) where isDirectory(c) {
            return c.standardizedFileURL
        }
        throw InputError(field: environmentVariable,
                         "the reference-data directory was not found; give \(flag) DIR or set \(environmentVariable) to the dosecalc reference-data folder")
    }

    /// Steps 3 to 5 of the lookup, in order.
    static func candidates(executable: URL?, checkout: URL?) -> [URL] {
        var candidates: [URL] = []
        if let executable {
            let bin = executable.deletingLastPathComponent()
            // 3. PREFIX/bin/dosecalc → PREFIX/share/dosecalc/reference-data.
            candidates.append(bin.deletingLastPathComponent()
                .appendingPathComponent("share", isDirectory: true)
                .appendingPathComponent("dosecalc", isDirectory: true)
                .appendingPathComponent("reference-data", isDirectory: true))
            // 4. reference-data beside the executable or in one of its parent folders.
            var dir = bin
            for _ in 0..<6 {
                candidates.append(dir.appendingPathComponent("reference-data", isDirectory: true))
                if dir.path == "/" { break }
                dir = dir.deletingLastPathComponent()
            }
        }
        // 5. The compiled checkout.
        if let checkout { candidates.append(checkout) }
        return candidates
    }

    /// Sources/DosecalcCore/ReferenceData.swift → <checkout>/reference-data.
    static let compiledCheckout: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("reference-data", isDirectory: true)

    private static func isDirectory(_ url: URL) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir) && isDir.boolValue
    }

    /// The running executable, found once per process.
    private static let runningExecutable: URL? = executableURL()

    private static func executableURL() -> URL? {
        #if os(Linux)
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            return URL(fileURLWithPath: path)
        }
        #endif
        if let url = Bundle.main.executableURL { return url.resolvingSymlinksInPath() }
        let arg0 = CommandLine.arguments.first ?? ""
        return arg0.isEmpty ? nil : URL(fileURLWithPath: arg0).resolvingSymlinksInPath()
    }

    /// The override, behind a lock. It is set once by the entry point before any work, but tests and
    /// parallel code may read it from several threads.
    private final class OverrideStorage: @unchecked Sendable {
        private let lock = NSLock()
        private var url: URL?
        var value: URL? {
            get { lock.lock(); defer { lock.unlock() }; return url }
            set { lock.lock(); url = newValue; lock.unlock() }
        }
    }

    private static let overrideStorage = OverrideStorage()
}
