// SPDX-License-Identifier: GPL-3.0-or-later
// `dosecalc plan --replay previous.json`: recompute a plan from the canonical input stored in its own
// JSON output and compare every value with what was recorded.
//
// Contract:
// - The previous output must be the JSON of `dosecalc plan --json` (it carries `input`,
//   `dosecalcVersion`, `buildId`, `referenceDataSha256`, `referenceDataFiles`, `inputSha256`).
// - Every number, string and truth value of the two results is compared by its path, except the
//   fields that say who computed the plan and when (`calculatedAt`, `buildId`, `dosecalcVersion`,
//   `referenceDataSha256`, `referenceDataFiles`) and the input itself, which is the same by
//   construction. Numbers are identical when they agree to 1e-12 relative (the last digits of a
//   double may differ between two builds of the same code); anything else is listed with its old and
//   new value.
// - The differences are explained by what changed between the two runs: the version, the build, or
//   named files of the reference data. When none of these changed and a value differs, the outcome
//   says so: that is a defect to report.
import DosecalcCore
import Foundation

public enum PlanReplay {
    public struct Difference: Codable, Sendable, Equatable {
        public let path: String
        public let previous: String
        public let current: String
        /// (current − previous) / |previous| for numbers.
        public let relativeChange: Double?
    }

    public struct Outcome: Codable, Sendable {
        public let identical: Bool
        public let valuesCompared: Int
        public let differences: [Difference]
        public let previousVersion: String
        public let currentVersion: String
        public let previousBuildId: String
        public let currentBuildId: String
        /// Reference-data files added, removed or changed since the previous run.
        public let referenceDataFilesChanged: [String]
        public let inputChanged: Bool
        /// Why the numbers may differ, in words.
        public let explanation: String
    }

    /// Fields that describe the run rather than the plan.
    static let runFields: Set<String> = ["calculatedAt", "buildId", "dosecalcVersion", "referenceDataSha256", "referenceDataFiles", "input", "inputSha256"]

    /// The relative agreement below which two numbers are the same value.
    public static let identicalRelative = 1e-12

    /// The previous output, parsed, and the input it carries. `field` names the flag for errors.
    public static func previous(_ data: Data, field: String) throws -> (output: JSONValue, input: PlanInput) {
        let tree: JSONValue
        do { tree = try JSONValue.parse(data) } catch {
            throw InputError(field: field, "is not strict JSON: \(error.description)")
        }
        for key in ["input", "dosecalcVersion", "buildId", "referenceDataSha256", "referenceDataFiles", "inputSha256"] where tree[key] == nil {
            throw InputError(field: field, "is not the JSON output of dosecalc plan (--json): it has no '\(key)' field")
        }
        let input: PlanInput
        do { input = try PlanInput.decode(tree["input"]!.serialized()) } catch let e as InputError {
            throw InputError(field: field, "holds an input this version cannot read: \(e.description)")
        }
        return (tree, input)
    }

    /// Compares a previous output with the current one (both as JSON trees).
    public static func compare(previous: JSONValue, current: JSONValue) -> Outcome {
        var diffs: [Difference] = []
        var compared = 0
        func text(_ v: JSONValue?) -> String {
            guard let v else { return "absent" }
            switch v {
            case .null: return "null"
            case .bool(let b): return b ? "true" : "false"
            case .number(let x): return Format.number(x, significant: 15)
            case .string(let s): return s
            case .array, .object: return String(decoding: v.serialized(), as: UTF8.self)
            }
        }
        func walk(_ a: JSONValue?, _ b: JSONValue?, _ path: String) {
            switch (a, b) {
            case let (.object(ma)?, .object(mb)?):
                let keys = (ma.map(\.key) + mb.map(\.key).filter { k in !ma.contains { $0.key == k } })
                for k in keys where !(path.isEmpty && runFields.contains(k)) {
                    walk(a?[k], b?[k], path.isEmpty ? k : "\(path).\(k)")
                }
            case let (.array(xa)?, .array(xb)?):
                // Elements with a name unique in the array are named in the path ("checks[name=lungDose]"),
                // the others numbered.
                func name(_ v: JSONValue) -> String? { if case .string(let n)? = v["name"] { return n } else { return nil } }
                let names = xa.compactMap(name)
                let unique = names.count == xa.count && Set(names).count == names.count
                for i in 0..<max(xa.count, xb.count) {
                    let label = unique && i < xa.count ? "name=\(names[i])" : "\(i)"
                    walk(i < xa.count ? xa[i] : nil, i < xb.count ? xb[i] : nil, "\(path)[\(label)]")
                }
            case let (.number(x)?, .number(y)?):
                compared += 1
                if abs(x - y) > identicalRelative * max(abs(x), abs(y)) {
                    diffs.append(Difference(path: path, previous: text(a), current: text(b), relativeChange: x != 0 ? (y - x) / abs(x) : nil))
                }
            default:
                compared += 1
                if a != b { diffs.append(Difference(path: path, previous: text(a), current: text(b), relativeChange: nil)) }
            }
        }
        walk(previous, current, "")
        func s(_ v: JSONValue?) -> String { if case .string(let x)? = v { return x } else { return "" } }
        func files(_ v: JSONValue?) -> [String: String] {
            guard case .object(let m)? = v else { return [:] }
            return Dictionary(m.map { ($0.key, { if case .string(let x) = $0 { return x } else { return "" } }($0.value)) }, uniquingKeysWith: { a, _ in a })
        }
        let fa = files(previous["referenceDataFiles"]), fb = files(current["referenceDataFiles"])
        let changedFiles = Set(fa.keys).union(fb.keys).filter { fa[$0] != fb[$0] }.sorted()
        let pv = s(previous["dosecalcVersion"]), cv = s(current["dosecalcVersion"])
        let pb = s(previous["buildId"]), cb = s(current["buildId"])
        let inputChanged = s(previous["inputSha256"]) != s(current["inputSha256"])
        var why: [String] = []
        if pv != cv { why.append("dosecalc changed from version \(pv) to \(cv)") } else if pb != cb { why.append("the dosecalc build changed (same version \(cv))") }
        if !changedFiles.isEmpty { why.append("reference data changed: \(changedFiles.joined(separator: ", "))") }
        if inputChanged { why.append("this version reads the stored input differently (its fingerprint changed)") }
        let explanation: String
        if diffs.isEmpty {
            explanation = why.isEmpty ? "same version, build and reference data" : "although " + why.joined(separator: "; ")
        } else if why.isEmpty {
            explanation = "values changed with the same version, build, reference data and input: this is a defect, please report it"
        } else {
            explanation = "values changed because " + why.joined(separator: "; ")
        }
        return Outcome(identical: diffs.isEmpty, valuesCompared: compared, differences: diffs, previousVersion: pv, currentVersion: cv,
                       previousBuildId: pb, currentBuildId: cb, referenceDataFilesChanged: changedFiles, inputChanged: inputChanged,
                       explanation: explanation)
    }
}
