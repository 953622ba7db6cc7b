// SPDX-License-Identifier: GPL-3.0-or-later
import Foundation

/// Finds and reads the files in `reference-data/` (product catalogues, constraint sets,
/// nuclide constants, reference cases). Data, not code: every entry there carries its source.
///
/// The directory is looked up in this order:
/// 1. the environment variable `DOSECALC_REFERENCE_DATA`;
/// 2. `reference-data/` beside the running executable or any of its parent folders
///    (a binary in `.build/debug/` of a checkout finds the checkout's folder);
/// 3. the checkout this library was compiled from (`#filePath`).
public enum ReferenceData {
    public static let environmentVariable = "DOSECALC_REFERENCE_DATA"

    /// The reference-data directory, or an error that says how to point at it.
    public static func directory() throws -> URL {
        if let env = ProcessInfo.processInfo.environment[environmentVariable], !env.isEmpty {
            let url = URL(fileURLWithPath: env, isDirectory: true)
            guard isDirectory(url) else {
                throw InputError(field: environmentVariable, "is '\(env)', which is not a directory")
            }
            return url
        }
        var candidates: [URL] = []
        if let exe = executableURL() {
            var dir = exe.deletingLastPathComponent()
            for _ in 0..<6 {
                candidates.append(dir.appendingPathComponent("reference-data", isDirectory: true))
                candidates.append(dir.appendingPathComponent("share/dosecalc/reference-data", isDirectory: true))
                dir = dir.deletingLastPathComponent()
            }
        }
        // Sources/DosecalcCore/ReferenceData.swift → checkout root.
        let source = URL(fileURLWithPath: #filePath)
        candidates.append(source.deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("reference-data", isDirectory: true))
        for c in candidates where isDirectory(c) { return c }
        throw InputError(field: environmentVariable,
                         "the reference-data directory was not found; set \(environmentVariable) to the dosecalc reference-data folder")
    }

    /// The URL of a file inside the reference-data directory, e.g. `url("products/radioembolization.json")`.
    public static func url(_ relativePath: String) throws -> URL {
        let u = try directory().appendingPathComponent(relativePath)
        guard FileManager.default.fileExists(atPath: u.path) else {
            throw InputError(field: "reference-data", "file '\(relativePath)' is missing from \(try directory().path)")
        }
        return u
    }

    /// Decodes a JSON file of the reference-data directory.
    public static func load<T: Decodable>(_ type: T.Type, from relativePath: String) throws -> T {
        let u = try url(relativePath)
        let data = try Data(contentsOf: u)
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch {
            throw InputError(field: "reference-data/\(relativePath)", "could not be read: \(error)")
        }
    }

    private static func isDirectory(_ url: URL) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir) && isDir.boolValue
    }

    private static func executableURL() -> URL? {
        #if os(Linux)
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            return URL(fileURLWithPath: path)
        }
        #endif
        let arg0 = CommandLine.arguments.first ?? ""
        return arg0.isEmpty ? nil : URL(fileURLWithPath: arg0)
    }
}
