// SPDX-License-Identifier: GPL-3.0-or-later

/// A reference-data file that cannot be trusted: unreadable, not strict JSON, an unknown or missing
/// key, an unknown value of a closed set, a duplicated row. The whole file is refused (exit 78); no
/// part of it is used and nothing is defaulted.
public struct DataFileError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The file, relative to the reference-data folder.
    public let file: String
    /// The key path inside the file, e.g. `limits[3].quantity`.
    public let key: String
    public let message: String
    /// What the file is, for the message: "reference data file" (default) or "treatment ledger".
    public let kind: String

    public init(file: String, key: String, message: String, kind: String = "reference data file") {
        self.file = file
        self.key = key
        self.message = message
        self.kind = kind
    }

    /// The errors of one reference-data file, as a function of the key and the message: validation code
    /// writes `let fail = DataFileError.in(file)` and then `throw fail("limits[3].quantity", "…")`.
    public static func `in`(_ file: String) -> @Sendable (_ key: String, _ message: String) -> DataFileError {
        { key, message in DataFileError(file: file, key: key, message: message) }
    }

    public var description: String {
        if kind != "reference data file" {
            return "\(kind) \(file) cannot be used\(key.isEmpty ? "" : " (at \(key))"): \(message); nothing was read from it or written to it"
        }
        return "reference data file \(file) is broken at \(key.isEmpty ? "the top level" : key): \(message); no part of it was used"
    }
}
