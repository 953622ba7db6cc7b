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
    static let quantityWords: [String: (String, String)] = [
        "activityGBq": ("delivered activity", "GBq"), "tumorDoseGy": ("tumour dose", "Gy"),
        "normalLiverDoseGy": ("normal-liver dose", "Gy"), "wholeNormalLiverDoseGy": ("whole normal-liver dose", "Gy"),
        "perfusedLiverDoseGy": ("perfused-liver mean dose", "Gy"), "lungDoseGy": ("lung dose", "Gy"),
        "cumulativeLungDoseGy": ("cumulative lung dose", "Gy"),
    ]
    static let inputWords: [String: String] = [
        "lungShuntPercent": "lung shunt", "perfusedMassG": "perfused-liver mass", "tumorMassG": "tumour mass",
        "normalLiverMassG": "normal-liver mass", "wholeNormalLiverMassG": "whole normal-liver mass", "lungMassG": "lung mass",
        "tnRatio": "T/N ratio", "activityGBq": "delivered activity",
    ]
    static let order = ["activityGBq", "tumorDoseGy", "normalLiverDoseGy", "wholeNormalLiverDoseGy", "perfusedLiverDoseGy", "lungDoseGy", "cumulativeLungDoseGy"]

    static func render(_ u: UncertaintyResult, checks: [Check]) -> String {
        var out = ["Uncertainty (\(u.samples) Monte Carlo samples, seed \(u.seed)):",
                   "  " + "".padding(32) + "mean".padding(10) + "2.5 %".padding(10) + "median".padding(10) + "97.5 %"]
        for name in order {
            guard let i = u.intervals[name], let (words, unit) = quantityWords[name] else { continue }
            let cells = [i.mean, i.p2_5, i.p50, i.p97_5].map { Format.number($0, significant: 4).padding(10) }.joined()
                .trimmingCharacters(in: .whitespaces)
            out.append("  " + "\(words) (\(unit))".padding(32) + cells)
        }
        if !u.exceedanceProbability.isEmpty {
            out.append("Probability that a hard limit is exceeded:")
            for c in checks where c.severity == .hard {
                guard let p = u.exceedanceProbability[c.name] else { continue }
                out.append("  \(c.title) \(c.kind.symbol) \(Format.number(c.limit)) \(c.unit): \(percent(p))")
            }
        }
        if !u.sensitivity.isEmpty {
            out.append("Share of each result's variance explained by each input:")
            for name in order {
                guard let shares = u.sensitivity[name], let (words, _) = quantityWords[name] else { continue }
                let parts = shares.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }
                    .map { "\(inputWords[$0.key] ?? $0.key) \(Format.number(100 * $0.value, significant: 3)) %" }
                out.append("  \(words): " + parts.joined(separator: ", "))
            }
        }
        out.append("Distributions and estimates:")
        for c in u.conventions { out.append("  - " + c) }
        return out.joined(separator: "\n")
    }

    /// A probability in percent; 0 of N samples is shown as an upper bound, not as zero risk.
    static func percent(_ p: Double) -> String {
        p == 0 ? "0 % of the samples" : "\(Format.number(100 * p, significant: 3)) %"
    }
}
