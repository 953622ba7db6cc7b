// SPDX-License-Identifier: GPL-3.0-or-later
import Foundation

/// The cases of one reference-case file (reference-data/cases/*.json) by id, for tests that take their
/// expected values from it (values written by the independent implementations of reference-data/tools/).
public struct ReferenceCases: @unchecked Sendable {   // read-only after init
    public struct Missing: Error, CustomStringConvertible {
        public let description: String
    }

    public let url: URL
    /// Each case's JSON object by its id.
    public let byID: [String: [String: Any]]

    public init(url: URL) throws {
        self.url = url
        let data = try Data(contentsOf: url)
        let cases = (try JSONSerialization.jsonObject(with: data) as? [String: Any])?["cases"] as? [[String: Any]] ?? []
        byID = Dictionary(cases.compactMap { c in (c["id"] as? String).map { ($0, c) } }, uniquingKeysWith: { a, _ in a })
    }

    /// The expected value of `path` in case `id`; throws when the case or the value is missing.
    public func value(_ id: String, _ path: String) throws -> Double {
        guard let c = byID[id] else { throw Missing(description: "\(url.lastPathComponent) has no case '\(id)'") }
        guard let v = (c["expect"] as? [[String: Any]])?.first(where: { $0["path"] as? String == path })?["value"] as? Double else {
            throw Missing(description: "\(url.lastPathComponent): case '\(id)' has no expected value at '\(path)'")
        }
        return v
    }
}
