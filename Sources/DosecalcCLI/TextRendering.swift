// SPDX-License-Identifier: GPL-3.0-or-later
import DosecalcCore
import Foundation
import Radioembolization
import Uncertainty

/// Readable summaries for a person. JSON keeps full precision; these round for reading.
enum TextTable {
    static func line(_ label: String, _ value: String) -> String {
        let pad = max(0, 28 - label.count)
        return "  " + label + String(repeating: " ", count: pad) + value
    }

    static func checks(_ checks: [Check]) -> [String] {
        guard !checks.isEmpty else { return [] }
        var out = ["Checks:"]
        for c in checks {
            let op = c.kind.symbol
            let verdict: String
            switch c.state {
            case .passed: verdict = "pass"
            case .notEvaluated: verdict = "not evaluated"
            case .failed: verdict = c.severity == .hard ? "FAIL (hard limit)" : "not met (soft)"
            }
            let value = c.value.map { "\(Format.number($0, significant: 5)) \(c.unit)" } ?? "not computed"
            out.append("  \(verdict.padding(18)) \(c.title): \(value) \(op) \(Format.number(c.limit)) \(c.unit)\(c.binding ? "  [binding]" : "")")
            if let note = c.note { out.append("                     note: \(PlainWords.evidenceText(note))") }
            if let r = c.requires { out.append("                     to evaluate, give: \(r.joined(separator: ", "))") }
            out.append("                     source: \(PlainWords.evidenceText(c.source))")
        }
        return out
    }

    static func assumptions(_ a: [Assumption]) -> [String] {
        guard !a.isEmpty else { return [] }
        var out = ["Constants used:"]
        for x in a {
            out.append("  \(PlainWords.plain(x.name, titles: [:])) = \(Format.number(x.value)) \(x.unit)")
            out.append("      source: \(PlainWords.evidenceText(x.source))")
        }
        return out
    }

    static func status(_ s: Status, reasons: [String]) -> [String] {
        var out = ["Status: \(s.rawValue.uppercased())"]
        for r in reasons { out.append("  - \(PlainWords.evidenceText(r))") }
        return out
    }
}

extension String {
    func padding(_ n: Int) -> String { count >= n ? self : self + String(repeating: " ", count: n - count) }
}

enum PrescriptionText {
    /// "2.500 GBq (67.6 mCi)", and what was typed when it was not GBq: "2.500 GBq (67.6 mCi; given as 2500 MBq)".
    static func activity(_ r: PrescriptionResult, given: ActivityGiven?) -> String {
        "\(Format.fixed(r.activityGBq, 3)) GBq (\(Format.fixed(r.activityMCi, 1)) mCi\(ActivityOption.givenAs(given).map { "; " + $0 } ?? ""))"
    }

    /// The doses a prescription computed, one line each (full and brief output alike).
    static func doseLines(_ r: PrescriptionResult) -> [String] {
        var out: [String] = []
        if let d = r.tumorDoseGy { out.append(TextTable.line("tumour dose", "\(Format.fixed(d, 1)) Gy")) }
        if let d = r.normalLiverDoseGy { out.append(TextTable.line("normal-liver dose", "\(Format.fixed(d, 1)) Gy")) }
        if let d = r.wholeNormalLiverDoseGy { out.append(TextTable.line("whole normal-liver dose", "\(Format.fixed(d, 1)) Gy")) }
        if let d = r.perfusedLiverDoseGy { out.append(TextTable.line("perfused-liver mean dose", "\(Format.fixed(d, 1)) Gy")) }
        return out
    }

    static func render(_ r: PrescriptionResult, device: Device, activityGiven: ActivityGiven? = nil) -> String {
        var out: [String] = ["\(device.name) — method \(r.method)"]
        out += TextTable.status(r.status, reasons: r.reasons)
        out.append("Result:")
        out.append(TextTable.line("activity to inject", activity(r, given: activityGiven)))
        if let u = r.unreducedActivityGBq { out.append(TextTable.line("activity before LSF reduction", "\(Format.fixed(u, 3)) GBq")) }
        if let red = r.lungShuntReductionPercent { out.append(TextTable.line("lung-shunt reduction", "\(Format.number(red)) %")) }
        if let b = r.bsaM2 { out.append(TextTable.line("BSA (DuBois)", "\(Format.fixed(b, 4)) m²")) }
        if let t = r.tumorInvolvementPercent { out.append(TextTable.line("tumour involvement", "\(Format.fixed(t, 1)) %")) }
        if let v = r.vialActivityAtTreatmentGBq { out.append(TextTable.line("vial activity at treatment", "\(Format.fixed(v, 3)) GBq")) }
        out += doseLines(r)
        out.append(TextTable.line("lung shunt", "\(Format.number(r.lungShuntPercent)) %"))
        out.append(TextTable.line("lung dose", "\(Format.fixed(r.lungDoseGy, 2)) Gy"))
        out.append(TextTable.line("cumulative lung dose", "\(Format.fixed(r.cumulativeLungDoseGy, 2)) Gy"))
        out += TextTable.checks(r.checks)
        out += TextTable.assumptions(r.assumptions)
        return out.joined(separator: "\n")
    }
}

/// `--brief`: the prescription, the doses, the status and one line per check; no sources, constants,
/// notes or reasons (the checks say why). `--json` is always complete.
extension PrescriptionText {
    static func brief(_ r: PrescriptionResult, device: Device, activityGiven: ActivityGiven? = nil) -> String {
        var out: [String] = ["\(device.name) — method \(r.method)"]
        out.append(TextTable.line("activity to inject", activity(r, given: activityGiven)))
        if let v = r.vialActivityAtTreatmentGBq { out.append(TextTable.line("vial activity at treatment", "\(Format.fixed(v, 3)) GBq")) }
        out += doseLines(r)
        out.append(TextTable.line("lung dose", "\(Format.fixed(r.lungDoseGy, 2)) Gy"))
        out.append(TextTable.line("cumulative lung dose", "\(Format.fixed(r.cumulativeLungDoseGy, 2)) Gy"))
        out.append("Status: \(r.status.rawValue.uppercased())")
        out += TextTable.briefChecks(r.checks)
        return out.joined(separator: "\n")
    }
}

extension TextTable {
    /// One line per check: verdict, title, value against the limit.
    static func briefChecks(_ checks: [Check]) -> [String] {
        checks.map { c in
            let op = c.kind.symbol
            let verdict: String
            switch c.state {
            case .passed: verdict = "pass"
            case .notEvaluated: verdict = "not evaluated"
            case .failed: verdict = c.severity == .hard ? "FAIL" : "FAIL (soft)"
            }
            let withUnit = { (x: String) in c.unit.isEmpty ? x : x + " " + c.unit }
            let value = c.value.map { withUnit(Format.number($0, significant: 5)) } ?? "not computed"
            return "  \(verdict.padding(14)) \(c.title): \(value) \(op) \(withUnit(Format.number(c.limit)))"
        }
    }
}

/// The Monte Carlo intervals, exceedance probabilities and sensitivity, for a person.
enum UncertaintyText {
    static let first = ["activityGBq", "tumorDoseGy", "normalLiverDoseGy", "wholeNormalLiverDoseGy", "perfusedLiverDoseGy"]
    static let last = ["lungDoseGy", "cumulativeLungDoseGy"]

    /// The result keys in reading order: activity, liver and tumour doses, then the lung.
    static func order(_ keys: some Sequence<String>) -> [String] {
        let all = Set(keys)
        let middle = all.subtracting(first).subtracting(last).sorted()
        return first.filter(all.contains) + middle + last.filter(all.contains)
    }

    static func render(_ u: UncertaintyResult, checks: [Check], territories: [String] = [], tumors: [[String]] = []) -> String {
        let rows = order(u.intervals.keys).compactMap { name in
            u.intervals[name].map { i in
                let (words, unit) = UncertaintyWording.result(name, territories: territories)
                return ("\(words) (\(unit))", i)
            }
        }
        let width = max(28, (rows.map(\.0.count).max() ?? 0) + 2)
        var out = ["Uncertainty (\(u.samples) Monte Carlo samples, seed \(u.seed)):",
                   "  " + "".padding(width) + "mean".padding(10) + "2.5 %".padding(10) + "median".padding(10) + "97.5 %"]
        for (label, i) in rows {
            let cells = [i.mean, i.p2_5, i.p50, i.p97_5].map { Format.number($0, significant: 4).padding(10) }.joined()
                .trimmingCharacters(in: .whitespaces)
            out.append("  " + label.padding(width) + cells)
        }
        if let c = u.chanceConstraint {
            out.append("Chance constraint: at most \(Format.number(100 * c.maxExceedanceProbability)) % probability of exceeding any hard limit")
            out.append(TextTable.line("activity", "\(Format.fixed(c.activityGBq, 3)) GBq (nominal plan \(Format.fixed(c.nominalActivityGBq, 3)) GBq, exceeded with probability \(percent(c.nominalExceedanceProbability)))"))
            out.append(TextTable.line("limit that binds", c.bindingLimit.map { CheckWording.words(for: $0) } ?? "none: the nominal plan already meets it"))
        }
        if !u.exceedanceProbability.isEmpty {
            out.append("Probability that a hard limit is exceeded:")
            var shown = Set<String>()
            for c in checks where c.severity == .hard && !shown.contains(c.name) {
                guard let p = u.exceedanceProbability[c.name] else { continue }
                shown.insert(c.name)
                out.append("  \(c.title) \(c.kind.symbol) \(Format.number(c.limit)) \(c.unit): \(percent(p))")
            }
        }
        if !u.sensitivity.isEmpty {
            out.append("Share of each result's variance explained by each input:")
            for name in order(u.sensitivity.keys) {
                guard let shares = u.sensitivity[name] else { continue }
                let sorted = shares.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }
                let shown = sorted.filter { $0.value >= 0.01 }.prefix(5)
                var parts = shown.map { "\(UncertaintyWording.input($0.key, territories: territories, tumors: tumors)) \(Format.number(100 * $0.value, significant: 2)) %" }
                if sorted.count > shown.count { parts.append(shown.isEmpty ? "no input explains 1 % or more" : "others below \(Format.number(100 * (shown.last?.value ?? 0.01), significant: 2)) %") }
                out.append("  \(UncertaintyWording.result(name, territories: territories).words): " + parts.joined(separator: ", "))
            }
        }
        out.append("  (the distributions and how these figures are estimated are listed with the constants)")
        return out.joined(separator: "\n")
    }

    /// A probability in percent; 0 of N samples is said as such, not as zero risk.
    static func percent(_ p: Double) -> String {
        p == 0 ? "0 % of the samples" : "\(Format.number(100 * p, significant: 3)) %"
    }
}
