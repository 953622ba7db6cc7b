// SPDX-License-Identifier: GPL-3.0-or-later
// The one clinical policy of dosecalc: every hard and soft limit is defined in
// reference-data/constraints/constraint-sets.json, selected here by the patient's facts, and evaluated
// here for every command (y90, ho166, vial, deb, plan). No other module holds a clinical limit.
//
// Selection. Rows with the same name form one check; the facts choose the row. When a fact is unknown:
// - `.reportUnknown` (single calculations): the check is evaluated against every candidate row. It
//   passes when it holds the strictest, fails when it breaks the most lenient, and is otherwise
//   `notEvaluated`, naming the facts that would decide it (a hard check in that state is a warning);
// - `.mostCautious` (the planner, which needs one limit to plan against): the strictest candidate row
//   applies, and the check's note says which fact was missing.
// A quantity the calculation could not compute is `notEvaluated`, naming the quantity.
import DosecalcCore

public struct ClinicalPolicy: Sendable {
    public let data: PolicyData

    /// The checks of each modality, grouped once (see `families`).
    private let familiesByModality: [Modality: [(name: String, rows: [LimitRow])]]

    public init(data: PolicyData) {
        self.data = data
        var byModality: [Modality: [(name: String, rows: [LimitRow])]] = [:]
        for m in Modality.allCases { byModality[m] = Self.group(data.limits, for: m) }
        familiesByModality = byModality
    }

    /// The policy of the reference-data directory, decoded and grouped once per version of its file.
    public static func load() throws -> ClinicalPolicy {
        try ReferenceData.cached(ClinicalPolicy.self, from: PolicyData.relativePath) { ClinicalPolicy(data: try PolicyData.decode($0)) }
    }

    public enum Selection: Sendable { case reportUnknown, mostCautious }

    /// A limit set in the input instead of the policy's (reported as given).
    public struct Override: Sendable {
        public let limit: Double
        public let source: String
        public init(limit: Double, source: String) { self.limit = limit; self.source = source }
    }

    /// One check's limit as it applies to this patient.
    public struct ResolvedLimit: Sendable {
        public let name: String
        public let label: String
        public let quantity: LimitQuantity
        public let comparison: CheckKind
        public let limit: Double
        public let severity: CheckSeverity
        public let category: CheckCategory
        public let source: String
        /// Facts that were unknown, so that the most cautious row was taken.
        public let assumedFacts: [PatientFact]
    }

    /// The checks of a modality, in file order, each with its rows.
    func families(_ modality: Modality) -> [(name: String, rows: [LimitRow])] {
        familiesByModality[modality] ?? Self.group(data.limits, for: modality)
    }

    private static func group(_ limits: [LimitRow], for modality: Modality) -> [(name: String, rows: [LimitRow])] {
        var order: [String] = []
        var rows: [String: [LimitRow]] = [:]
        for r in limits where r.modalities.contains(modality) {
            if rows[r.name] == nil { order.append(r.name) }
            rows[r.name, default: []].append(r)
        }
        return order.map { ($0, rows[$0]!) }
    }

    /// Stricter first: the smaller upper limit, the larger lower limit.
    static func stricter(_ a: LimitRow, _ b: LimitRow) -> Bool {
        a.comparison == .atLeast ? a.limit > b.limit : a.limit < b.limit
    }

    /// The limits that apply, one per check, with unknown facts taken at their most cautious.
    public func limits(for modality: Modality, facts: PatientFacts, overrides: [LimitQuantity: Override] = [:]) -> [ResolvedLimit] {
        families(modality).compactMap { name, rows in
            let definite = rows.filter { facts.holds($0.when) == true }
            let possible = rows.filter { facts.holds($0.when) == nil }
            let row: LimitRow
            var assumed: [PatientFact] = []
            if let d = definite.first { row = d } else if let p = possible.sorted(by: Self.stricter).first {
                row = p
                assumed = Array(Set(possible.flatMap { facts.missing(for: $0.when) })).sorted { $0.rawValue < $1.rawValue }
            } else { return nil }
            if let o = overrides[row.quantity] {
                return ResolvedLimit(name: name, label: row.label, quantity: row.quantity, comparison: row.comparison, limit: o.limit,
                                     severity: row.severity, category: row.category, source: o.source + " instead of: " + row.source, assumedFacts: [])
            }
            return ResolvedLimit(name: name, label: row.label, quantity: row.quantity, comparison: row.comparison, limit: row.limit,
                                 severity: row.severity, category: row.category, source: row.source, assumedFacts: assumed)
        }
    }

    /// Evaluates every check of `modality` on the computed quantities. `naming` turns the facts and
    /// quantities a check `requires` into the words of the boundary that read the input (a flag, an
    /// input-file field), so that no internal name reaches a person.
    public func evaluate(_ modality: Modality, facts: PatientFacts, quantities: [LimitQuantity: Double],
                         overrides: [LimitQuantity: Override] = [:], selection: Selection,
                         naming: (String) -> String = { $0 }) -> [Check] {
        var checks: [Check] = []
        for (name, rows) in families(modality) {
            let quantity = rows[0].quantity
            let definite = rows.filter { facts.holds($0.when) == true }
            let possible = rows.filter { facts.holds($0.when) == nil }
            let candidates = (definite.isEmpty ? possible : [definite[0]]).sorted(by: Self.stricter)
            guard let strictest = candidates.first, let lenient = candidates.last else { continue }   // no row applies
            let missing = definite.isEmpty ? Array(Set(possible.flatMap { facts.missing(for: $0.when) })).map(\.rawValue).sorted() : []
            func check(_ row: LimitRow, _ value: Double, note: String?) -> Check {
                var c: Check
                if let o = overrides[quantity] {
                    c = Check(name: name, value: value, limit: o.limit, unit: quantity.unit, kind: row.comparison, severity: row.severity,
                              source: o.source + " instead of: " + row.source, category: row.category, note: note)
                } else {
                    c = Check(name: name, value: value, limit: row.limit, unit: quantity.unit, kind: row.comparison, severity: row.severity,
                              source: row.source, category: row.category, note: note)
                }
                c.label = row.label
                return c
            }
            guard let value = quantities[quantity] else {
                checks.append(Check(notEvaluated: name, value: nil, limit: overrides[quantity]?.limit ?? strictest.limit, unit: quantity.unit,
                                    kind: strictest.comparison, severity: strictest.severity, category: strictest.category,
                                    source: strictest.source, requires: [quantity.rawValue] + missing,
                                    note: quantity == .bilirubinMgPerDl || quantity == .childPughScore
                                        ? "the patient's value was not given" : "the \(rows[0].label) was not computed from what was given"))
                continue
            }
            if missing.isEmpty || overrides[quantity] != nil {
                checks.append(check(strictest, value, note: nil))
                continue
            }
            let unknown = missing.joined(separator: ", ")
            switch selection {
            case .mostCautious:
                checks.append(check(strictest, value, note: "not given: \(unknown); the most cautious limit applies"))
            case .reportUnknown:
                let atStrictest = check(strictest, value, note: nil)
                let atLenient = check(lenient, value, note: nil)
                if atStrictest.state == .passed {
                    checks.append(check(strictest, value, note: "holds for every value of the facts not given (\(unknown))"))
                } else if atLenient.state == .failed {
                    checks.append(check(lenient, value, note: "fails for every value of the facts not given (\(unknown))"))
                } else {
                    checks.append(Check(notEvaluated: name, value: value, limit: strictest.limit, unit: quantity.unit, kind: strictest.comparison,
                                        severity: strictest.severity, category: strictest.category, source: strictest.source,
                                        requires: missing,
                                        note: "\(Format.number(value)) \(quantity.unit) breaks the \(Format.number(strictest.limit)) \(quantity.unit) limit but holds the \(Format.number(lenient.limit)) \(quantity.unit) limit; which applies depends on facts not given"))
                }
            }
        }
        let labels = Dictionary(families(modality).map { ($0.name, $0.rows[0].label) }, uniquingKeysWith: { a, _ in a })
        return checks.map { c in
            var c = c.namingRequirements(naming)
            if c.label == nil { c.label = labels[c.name] }
            return c
        }
    }

    /// What an intent allows for a modality (the policy file defines every pair).
    public func intent(_ intent: TreatmentIntent, _ modality: Modality) -> IntentRow? {
        data.intents.first { $0.intent == intent && $0.modalities.contains(modality) }
    }

    /// The published tumour dose target for a modality and histology, or the note that none exists.
    public func tumorTarget(_ modality: Modality, histology: Histology) -> (targetGy: Double?, source: String) {
        if let t = data.tumorTargets.first(where: { $0.modality == modality && $0.histology == histology }) {
            return (t.targetGy, t.source)
        }
        if let n = data.noTumorTarget.first(where: { $0.modality == modality && $0.histology == histology }) {
            return (nil, n.note)
        }
        return (nil, histology == .other ? "no published tumour dose target for this histology" : "no tumour dose target in the policy for \(histology.rawValue) with \(modality.rawValue)")
    }
}

/// The reasons a person reads for the checks that did not pass.
public func checkReasons(_ checks: [Check]) -> [String] {
    checks.compactMap { c in
        switch c.state {
        case .passed: return nil
        case .notEvaluated:
            return c.severity == .hard && c.value != nil ? "warning: " + c.reason : nil
        case .failed:
            switch c.impliedStatus {
            case .contraindicated: return "contraindicated: " + c.reason
            case .infeasible: return "infeasible: " + c.reason
            default: return "warning: " + c.reason
            }
        }
    }
}
