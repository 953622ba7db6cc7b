// SPDX-License-Identifier: GPL-3.0-or-later
import DosecalcCore
import Foundation

/// One expected quantity of a reference case.
///
/// `path` addresses the command's JSON output: `activityGBq`, `territories[0].activityGBq`,
/// `checks[name=lungDose].passed`, `elutedPercentByDay.28`. Give `value` with `abs` and/or `rel`
/// tolerance for numbers (pass if |got − value| ≤ max(abs, rel·|value|)); `equals` for a string or
/// Boolean; `min`/`max` for a published range.
public struct Expectation: Sendable, Codable {
    public let path: String
    public let value: Double?
    public let abs: Double?
    public let rel: Double?
    public let equals: JSONScalar?
    public let min: Double?
    public let max: Double?
    public let note: String?
}

/// A string, number or Boolean in a case file.
public enum JSONScalar: Sendable, Codable, Equatable, CustomStringConvertible {
    case string(String)
    case number(Double)
    case bool(Bool)

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let d = try? c.decode(Double.self) { self = .number(d) }
        else { self = .string(try c.decode(String.self)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .string(let s): try c.encode(s)
        case .number(let d): try c.encode(d)
        case .bool(let b): try c.encode(b)
        }
    }

    public var description: String {
        switch self {
        case .string(let s): return s
        case .number(let d): return Format.number(d)
        case .bool(let b): return b ? "true" : "false"
        }
    }
}

/// A reference case: a `dosecalc` invocation and what it must print.
public struct ReferenceCase: Sendable, Codable {
    public let id: String
    public let source: String
    /// `published`, `published-rule`, `computed` (from the formula by hand or an independent
    /// implementation), `analytic` (closed form), `safety` (an input or a limit that must be refused).
    public let kind: String
    public let args: [String]
    public let exitCode: Int32?
    public let stderrContains: String?
    public let expect: [Expectation]?
    public let note: String?
}

/// A file of reference cases.
public struct ReferenceCaseFile: Sendable, Codable {
    public let description: String
    public let cases: [ReferenceCase]
}

/// One row of the validation table.
public struct ValidationRow: Sendable, Codable {
    public let caseID: String
    public let quantity: String
    public let expected: String
    public let got: String
    public let deviation: String
    public let passed: Bool
}

/// What one invocation printed, as the runner needs it.
public struct InvocationRecord {
    public let exitCode: Int32
    public let stdout: String
    public let stderr: String

    public init(exitCode: Int32, stdout: String, stderr: String) {
        self.exitCode = exitCode
        self.stdout = stdout
        self.stderr = stderr
    }
}

public enum ValidationRunner {
    /// All case files in `reference-data/cases/`, sorted by name.
    public static func loadAll() throws -> [(file: String, cases: [ReferenceCase])] {
        let dir = try ReferenceData.directory().appendingPathComponent("cases", isDirectory: true)
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".json") }.sorted()
        return try names.map { name in
            (name, try ReferenceData.load(ReferenceCaseFile.self, from: "cases/" + name).cases)
        }
    }

    /// Runs one case through `invoke` and compares.
    ///
    /// The file paths in the case's arguments are resolved first (see `CasePaths`): input files
    /// against `referenceData` (default: `ReferenceData.directory()`), output files into a temporary
    /// folder made for this case and removed afterwards. The working directory plays no part.
    public static func run(_ c: ReferenceCase, referenceData: URL? = nil, invoke: ([String]) -> InvocationRecord) -> [ValidationRow] {
        var outputDirectory: URL?
        defer { if let d = outputDirectory { try? FileManager.default.removeItem(at: d) } }
        let args: [String]
        do {
            let paths = CasePaths(args: c.args)
            var base = referenceData
            if base == nil && paths.hasInputs { base = try ReferenceData.directory() }
            if paths.hasOutputs {
                let d = FileManager.default.temporaryDirectory
                    .appendingPathComponent("dosecalc-validate-\(UUID().uuidString)", isDirectory: true)
                try FileManager.default.createDirectory(at: d, withIntermediateDirectories: false)
                outputDirectory = d
            }
            args = paths.resolved(referenceData: base, outputDirectory: outputDirectory)
        } catch {
            return [ValidationRow(caseID: c.id, quantity: "case file paths", expected: "resolvable", got: "\(error)",
                                  deviation: "—", passed: false)]
        }
        let inv = invoke(args)
        var rows: [ValidationRow] = []
        let expectedExit = c.exitCode ?? 0
        rows.append(ValidationRow(caseID: c.id, quantity: "exit code", expected: "\(expectedExit)", got: "\(inv.exitCode)",
                                  deviation: inv.exitCode == expectedExit ? "0" : "—", passed: inv.exitCode == expectedExit))
        if let needle = c.stderrContains {
            let ok = inv.stderr.contains(needle) && inv.stdout.isEmpty && !inv.stderr.contains("\n")
            rows.append(ValidationRow(caseID: c.id, quantity: "stderr one line with", expected: needle,
                                      got: inv.stderr.isEmpty ? "(empty)" : String(inv.stderr.prefix(70)), deviation: ok ? "0" : "—", passed: ok))
        }
        guard let expect = c.expect, !expect.isEmpty else { return rows }
        guard let data = inv.stdout.data(using: .utf8),
              let json = try? JSONSerialization.jsonObject(with: data) else {
            rows.append(ValidationRow(caseID: c.id, quantity: "JSON output", expected: "an object", got: "none", deviation: "—", passed: false))
            return rows
        }
        for e in expect {
            rows.append(compare(e, in: json, caseID: c.id))
        }
        return rows
    }

    static func compare(_ e: Expectation, in json: Any, caseID: String) -> ValidationRow {
        guard let got = lookup(e.path, in: json) else {
            return ValidationRow(caseID: caseID, quantity: e.path, expected: expectedText(e), got: "missing", deviation: "—", passed: false)
        }
        if let eq = e.equals {
            let ok: Bool
            let gotText: String
            switch eq {
            case .bool(let b): ok = (got as? Bool) == b; gotText = (got as? Bool).map { $0 ? "true" : "false" } ?? "\(got)"
            case .number(let d): ok = (got as? Double) == d; gotText = "\(got)"
            case .string(let s): ok = (got as? String) == s; gotText = (got as? String) ?? "\(got)"
            }
            return ValidationRow(caseID: caseID, quantity: e.path, expected: eq.description, got: gotText, deviation: ok ? "0" : "—", passed: ok)
        }
        guard let g = (got as? Double) ?? (got as? Int).map(Double.init) else {
            return ValidationRow(caseID: caseID, quantity: e.path, expected: expectedText(e), got: "\(got)", deviation: "—", passed: false)
        }
        var ok = g.isFinite
        var deviation = "—"
        if let v = e.value {
            let tol = Swift.max(e.abs ?? 0, (e.rel ?? 0) * Swift.abs(v))
            let d = g - v
            ok = ok && Swift.abs(d) <= tol
            deviation = v != 0 ? "\(Format.number(d, significant: 3)) (\(Format.number(100 * d / v, significant: 2)) %)" : Format.number(d, significant: 3)
        }
        if let lo = e.min { ok = ok && g >= lo }
        if let hi = e.max { ok = ok && g <= hi }
        return ValidationRow(caseID: caseID, quantity: e.path, expected: expectedText(e), got: Format.number(g, significant: 7), deviation: deviation, passed: ok)
    }

    static func expectedText(_ e: Expectation) -> String {
        if let eq = e.equals { return eq.description }
        var parts: [String] = []
        if let v = e.value {
            var t = Format.number(v, significant: 7)
            if let a = e.abs { t += " ± \(Format.number(a))" }
            if let r = e.rel { t += " ± \(Format.number(r * 100)) %" }
            parts.append(t)
        }
        if e.min != nil || e.max != nil {
            parts.append("in [\(e.min.map { Format.number($0) } ?? "−∞"), \(e.max.map { Format.number($0) } ?? "∞")]")
        }
        return parts.joined(separator: " ")
    }

    /// Looks up `a.b[0].c`, `checks[name=lungDose].value` or `byDay.28` in parsed JSON.
    public static func lookup(_ path: String, in json: Any) -> Any? {
        var current: Any? = json
        for rawPart in path.split(separator: ".") {
            var part = Substring(rawPart)
            var selectors: [Substring] = []
            if let open = part.firstIndex(of: "[") {
                let rest = part[open...]
                part = part[..<open]
                for sel in rest.split(separator: "]") {
                    selectors.append(sel.drop(while: { $0 == "[" }))
                }
            }
            if !part.isEmpty {
                guard let dict = current as? [String: Any] else { return nil }
                current = dict[String(part)]
            }
            for sel in selectors {
                guard let array = current as? [Any] else { return nil }
                if let i = Int(sel) {
                    guard i >= 0 && i < array.count else { return nil }
                    current = array[i]
                } else if let eq = sel.firstIndex(of: "=") {
                    let key = String(sel[..<eq]), value = String(sel[sel.index(after: eq)...])
                    current = array.first { (($0 as? [String: Any])?[key] as? String) == value }
                } else { return nil }
            }
        }
        return current
    }
}


/// The file paths in a case's arguments and how they are resolved, so that a case gives the same
/// result from any working directory and never writes into the checkout.
///
/// A path is the value of a path flag, given as `--flag VALUE` or `--flag=VALUE`:
/// - input flags (`inputFlags`: `--input`, `--reference-data`, the voxel maps): a relative value is relative to the
///   reference-data directory, e.g. `--input patients/plan-01-resin-nl-limited.json`. An older
///   value written relative to the checkout root (`reference-data/patients/…`) has that first
///   component dropped. An absolute value is left as it is.
/// - output flags (`outputFlags`: `--report`, `--csv`, `--dose-out`, `--anatomy-out`): a relative value is put in a temporary folder
///   made for the case (`outputDirectory`); an absolute value (e.g. `/dev/null` in a safety case) is
///   left as it is.
public struct CasePaths: Sendable {
    /// Flags whose value is a file or folder the command reads.
    public static let inputFlags: Set<String> = ["--input", "--reference-data", "--counts", "--labels", "--label-table", "--territories", "--verify"]
    /// Flags whose value is a file the command writes.
    public static let outputFlags: Set<String> = ["--report", "--csv", "--dose-out", "--anatomy-out"]
    /// The first component of a path written relative to the checkout root rather than to the
    /// reference-data directory.
    static let checkoutPrefix = "reference-data/"

    public let args: [String]

    public init(args: [String]) { self.args = args }

    /// Whether any argument is the value of an input flag.
    public var hasInputs: Bool { values.contains { Self.inputFlags.contains($0.flag) } }
    /// Whether any argument is the value of an output flag.
    public var hasOutputs: Bool { values.contains { Self.outputFlags.contains($0.flag) } }

    /// The arguments with every relative input path made absolute against `referenceData` and every
    /// relative output path put in `outputDirectory`. A nil base leaves those paths as they are.
    public func resolved(referenceData: URL?, outputDirectory: URL?) -> [String] {
        var out = args
        for v in values {
            let base: URL?
            if Self.inputFlags.contains(v.flag) {
                base = referenceData
            } else if Self.outputFlags.contains(v.flag) {
                base = outputDirectory
            } else {
                continue
            }
            guard let base, !v.value.isEmpty, !v.value.hasPrefix("/") else { continue }
            var relative = v.value
            if Self.inputFlags.contains(v.flag) {
                while relative.hasPrefix("./") { relative.removeFirst(2) }
                if relative.hasPrefix(Self.checkoutPrefix) { relative.removeFirst(Self.checkoutPrefix.count) }
            }
            let path = relative.isEmpty ? base.path : base.appendingPathComponent(relative).path
            out[v.index] = v.inline ? v.flag + "=" + path : path
        }
        return out
    }

    /// The values of path flags: where they are in `args`, which flag, and whether given inline
    /// (`--flag=VALUE`). Arguments after `--` are not looked at.
    var values: [(index: Int, flag: String, value: String, inline: Bool)] {
        let flags = Self.inputFlags.union(Self.outputFlags)
        var found: [(index: Int, flag: String, value: String, inline: Bool)] = []
        var i = 0
        while i < args.count {
            let a = args[i]
            if a == "--" { break }
            if flags.contains(a) {
                if i + 1 < args.count { found.append((i + 1, a, args[i + 1], false)) }
                i += 2
                continue
            }
            if let eq = a.firstIndex(of: "="), flags.contains(String(a[..<eq])) {
                found.append((i, String(a[..<eq]), String(a[a.index(after: eq)...]), true))
            }
            i += 1
        }
        return found
    }
}
