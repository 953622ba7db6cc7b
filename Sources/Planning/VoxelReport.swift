// SPDX-License-Identifier: GPL-3.0-or-later
// The HTML report of `dosecalc voxel --report`: one self-contained page with the dose statistics per
// label, the cumulative dose–volume histograms as inline SVG, the verification table and its DVH
// overlay (the plan's compartment doses as steps), the checks and the constants. Same style and
// escaping as the plan report.
import DosecalcCore
import Foundation
import VoxelDosimetry

public struct VoxelReportData: Sendable {
    public struct LabelRow: Sendable {
        public let name: String
        public let stats: DoseStatistics
        /// Doses and masses of the label's voxels, for its DVH.
        public let doses: [Double]
        public let masses: [Double]
        public init(name: String, stats: DoseStatistics, doses: [Double], masses: [Double]) {
            self.name = name; self.stats = stats; self.doses = doses; self.masses = masses
        }
    }
    public var title: String
    public var subtitle: String
    public var status: Status
    public var labels: [LabelRow]
    public var lungDoseGy: Double?
    public var verification: [VerifiedCompartment]?
    public var verificationCaption: String?
    public var checks: [Check]
    public var assumptions: [Assumption]
    public init(title: String, subtitle: String, status: Status, labels: [LabelRow], lungDoseGy: Double?, verification: [VerifiedCompartment]?,
                verificationCaption: String?, checks: [Check], assumptions: [Assumption]) {
        self.title = title; self.subtitle = subtitle; self.status = status; self.labels = labels; self.lungDoseGy = lungDoseGy
        self.verification = verification; self.verificationCaption = verificationCaption; self.checks = checks; self.assumptions = assumptions
    }
}

public enum VoxelReport {
    static func e(_ s: String) -> String { ReportSVG.esc(s) }
    static let palette = ["#3b7dd8", "#6d4ab1", "#15803d", "#d97706", "#0e7490", "#be185d", "#4d7c0f", "#7c2d12"]

    public static func html(_ d: VoxelReportData) -> String {
        var b = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        b += "<title>\(e(d.title))</title>\n<style>\n\(PlanReport.css)\n</style>\n</head>\n<body class=\"status-\(d.status.rawValue)\">\n"
        b += "<table class=\"sheet\"><tbody><tr><td>\n<main>\n"
        b += "<section><h1>\(e(d.title))</h1><p>\(e(d.subtitle))</p><p><strong>Status: \(e(d.status.rawValue.uppercased()))</strong></p></section>\n"
        // Statistics.
        b += "<section><h2>Dose per label</h2>\n<table class=\"grid-table\"><thead><tr><th>Label</th><th class=\"num\">Mass (g)</th><th class=\"num\">Mean (Gy)</th>"
        b += "<th class=\"num\">D50</th><th class=\"num\">D70</th><th class=\"num\">D90</th><th class=\"num\">D95</th><th class=\"num\">V100 (%)</th><th class=\"num\">V150 (%)</th><th class=\"num\">Min–max (Gy)</th></tr></thead><tbody>\n"
        for l in d.labels {
            let s = l.stats
            b += "<tr><td class=\"name\">\(e(l.name))</td>" + [s.massG, s.meanDoseGy, s.d50Gy, s.d70Gy, s.d90Gy, s.d95Gy, s.v100Percent, s.v150Percent]
                .map { "<td class=\"num\">\(e(Format.fixed($0, 1)))</td>" }.joined()
            b += "<td class=\"num\">\(e(Format.fixed(s.minDoseGy, 1)))–\(e(Format.fixed(s.maxDoseGy, 1)))</td></tr>\n"
        }
        b += "</tbody></table>\n"
        if let l = d.lungDoseGy { b += "<p>Mean lung dose: \(e(Format.fixed(l, 2)))&nbsp;Gy.</p>\n" }
        b += "<p><small>Mass-weighted. D<sub>x</sub>: the least dose of the hottest x&nbsp;% of the mass. V<sub>d</sub>: the percentage of the mass with a dose ≥ d.</small></p>\n"
        b += "<figure class=\"chart-fig\"><figcaption>Cumulative dose–volume histograms</figcaption>\n"
        b += dvhChart(d.labels, planned: [], id: "dvh")
        b += "\n</figure></section>\n"
        // Verification.
        if let v = d.verification {
            b += "<section><h2>Planned and delivered</h2>\n<p>\(e(d.verificationCaption ?? ""))</p>\n"
            b += "<table class=\"grid-table\"><thead><tr><th>Compartment</th><th class=\"num\">Planned mean (Gy)</th><th class=\"num\">Delivered mean (Gy)</th>"
            b += "<th class=\"num\">Difference</th><th class=\"num\">D70 planned / delivered</th><th class=\"num\">V100 planned / delivered (%)</th></tr></thead><tbody>\n"
            for c in v {
                let diff = "\(Format.fixed(c.differenceGy, 1)) Gy" + (c.differencePercent.map { " (\(Format.fixed($0, 1)) %)" } ?? "")
                b += "<tr><td class=\"name\">\(e(c.name))</td><td class=\"num\">\(e(Format.fixed(c.plannedMeanDoseGy, 1)))</td><td class=\"num\">\(e(Format.fixed(c.deliveredMeanDoseGy, 1)))</td>"
                b += "<td class=\"num\">\(e(diff))</td><td class=\"num\">\(e(Format.fixed(c.plannedD70Gy, 1))) / \(e(c.deliveredD70Gy.map { Format.fixed($0, 1) } ?? "—"))</td>"
                b += "<td class=\"num\">\(e(Format.fixed(c.plannedV100Percent, 0))) / \(e(c.deliveredV100Percent.map { Format.fixed($0, 1) } ?? "—"))</td></tr>\n"
            }
            b += "</tbody></table>\n<p><small>The plan is a compartment plan: its dose is uniform in each compartment, so its DVH is a step at the planned mean (dashed).</small></p>\n"
            let planned = v.filter { $0.kind != .lung }.map { ($0.name, $0.plannedMeanDoseGy) }
            b += "<figure class=\"chart-fig\"><figcaption>Delivered DVHs (solid) and the plan's compartment doses (dashed)</figcaption>\n"
            b += dvhChart(d.labels, planned: planned, id: "dvh-verify")
            b += "\n</figure></section>\n"
        }
        // Checks and constants.
        b += "<section class=\"checks\"><h2>Checks</h2>\n<table class=\"grid-table checks-table\"><thead><tr><th>Check</th><th class=\"num\">Value</th><th class=\"num\">Limit</th><th>Result</th><th>Source</th></tr></thead><tbody>\n"
        for c in d.checks {
            let result = c.state == .passed ? "pass" : c.state == .notEvaluated ? "not evaluated" : (c.severity == .hard ? "FAIL (hard limit)" : "not met (soft)")
            b += "<tr><td class=\"name\">\(e(c.title))\(c.note.map { "<br><small>\(e(PlainWords.evidenceText($0)))</small>" } ?? "")</td>"
            b += "<td class=\"num\">\(c.value.map { e(Format.number($0, significant: 5)) + "&nbsp;" + e(c.unit) } ?? "not computed")</td>"
            b += "<td class=\"num\">\(e(c.kind.symbol))&nbsp;\(e(Format.number(c.limit)))&nbsp;\(e(c.unit))</td><td>\(e(result))</td><td class=\"src\">\(e(PlainWords.evidenceText(c.source)))</td></tr>\n"
        }
        b += "</tbody></table></section>\n"
        b += "<section class=\"assumptions\"><h2>Constants and assumptions</h2>\n<table class=\"grid-table\"><tbody>\n"
        for a in d.assumptions {
            b += "<tr><td class=\"name\">\(e(PlainWords.plain(a.name, titles: [:])))</td><td class=\"num\">\(e(Format.number(a.value)))&nbsp;\(e(a.unit))</td><td class=\"src\">\(e(PlainWords.evidenceText(a.source)))</td></tr>\n"
        }
        b += "</tbody></table></section>\n"
        b += "<footer><p><strong>dosecalc is a calculation aid; verify against IFU and local protocol.</strong></p></footer>\n"
        b += "</main>\n</td></tr></tbody></table>\n</body>\n</html>\n"
        return b
    }

    /// Cumulative DVHs (percent of the label's mass with a dose ≥ d) and, dashed, the plan's steps.
    static func dvhChart(_ labels: [VoxelReportData.LabelRow], planned: [(String, Double)], id: String) -> String {
        let top = max(labels.map { $0.stats.maxDoseGy }.max() ?? 1, planned.map(\.1).max() ?? 0, 1) * 1.05
        var series: [ReportSVG.Series] = []
        for (n, l) in labels.enumerated() {
            let h = DoseVolumeHistogram(doses: l.doses, masses: l.masses)
            let xs = (0...200).map { top * Double($0) / 200 }
            series.append(ReportSVG.Series(name: l.name, xs: xs, ys: xs.map { h.v($0) }, color: palette[n % palette.count]))
        }
        for (n, p) in planned.enumerated() {
            let color = labels.firstIndex { $0.name == p.0 }.map { palette[$0 % palette.count] } ?? palette[(labels.count + n) % palette.count]
            series.append(ReportSVG.Series(name: "\(p.0), planned", xs: [0, p.1, p.1, top], ys: [100, 100, 0, 0], color: color, dash: "6 4"))
        }
        return ReportSVG.lineChart(series: series, x: ReportSVG.linearAxis(title: "absorbed dose (Gy)", dataMax: top),
                                   y: ReportSVG.linearAxis(title: "mass with at least this dose (%)", dataMax: 100, fixedMax: 100), id: id,
                                   ariaLabel: "cumulative dose–volume histograms")
    }
}
