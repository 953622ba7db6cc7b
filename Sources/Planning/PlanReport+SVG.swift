// SPDX-License-Identifier: GPL-3.0-or-later
import DosecalcCore
import Foundation

/// Small inline-SVG charts for the plan report. Each chart is one self-contained `<svg>` element
/// sized by its viewBox (it scales with the page and prints sharp); no scripts, no external
/// resources, every text escaped. Text widths are estimated (no font metrics on a server), so the
/// layouts leave generous room.
enum ReportSVG {
    // MARK: - Text and numbers

    /// Escapes text for HTML and SVG content and attribute values.
    static func esc(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.count)
        for ch in s {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(ch)
            }
        }
        return out
    }

    /// A coordinate, one decimal.
    static func c(_ x: Double) -> String {
        guard x.isFinite else { return "0" }
        let s = String(format: "%.1f", x)
        return s == "-0.0" ? "0.0" : s
    }

    /// Estimated width of `s` at font size `size` (sans-serif average advance ≈ 0.56 em).
    static func textWidth(_ s: String, size: Double) -> Double { Double(s.count) * size * 0.56 }

    /// Shortens `s` to at most `max` characters with an ellipsis.
    static func truncate(_ s: String, _ max: Int) -> String {
        s.count <= max ? s : String(s.prefix(max - 1)) + "…"
    }

    /// Tick label for a linear axis whose ticks are `step` apart.
    static func tickLabel(_ v: Double, step: Double) -> String {
        if abs(v) < step * 1e-6 { return "0" }
        let decimals = max(0, Int(-floor(log10(step) + 1e-9)) + (step / pow(10, floor(log10(step))) == 2.5 ? 1 : 0))
        return String(format: "%.\(decimals)f", v)
    }

    /// 0, step, 2·step … up to the first tick at or above `maximum` (about `count` intervals).
    static func niceTicks(maximum: Double, count: Int = 5) -> [Double] {
        guard maximum.isFinite, maximum > 0 else { return [0, 1] }
        let raw = maximum / Double(count)
        let mag = pow(10, floor(log10(raw)))
        let f = raw / mag
        let step = (f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10) * mag
        let n = Int(ceil(maximum / step - 1e-9))
        return (0...max(n, 1)).map { Double($0) * step }
    }

    // MARK: - Horizontal bar chart: dose per compartment against its limit and target

    enum BarGroup { case tumor, normalTissue }

    struct DoseBar {
        var label: String
        var group: BarGroup
        var value: Double
        /// Upper limit (drawn as a red line across the row).
        var limit: Double?
        /// Lower target (drawn as a green diamond).
        var target: Double?
        /// The limit or target that fixed the plan.
        var binding: Bool = false
    }

    static let tumorColor = "#6d4ab1"
    static let normalColor = "#3b7dd8"
    static let overColor = "#c62828"
    static let limitColor = "#c62828"
    static let targetColor = "#15803d"
    static let bindingColor = "#d97706"

    /// One row per compartment: a bar for the planned dose, the limit as a vertical red line, the
    /// target as a green diamond, and on the right the value with its limit or target in words.
    static func doseBarChart(_ bars: [DoseBar], unit: String, axisTitle: String, id: String) -> String {
        let width = 760.0
        let labelW = 200.0
        let annotW = 210.0
        let x0 = labelW + 12, x1 = width - annotW - 10
        let top = 40.0, rowH = 28.0, barH = 14.0
        let height = top + Double(max(bars.count, 1)) * rowH + 44
        let finite = bars.flatMap { [$0.value, $0.limit ?? 0, $0.target ?? 0] }.filter { $0.isFinite }
        let ticks = niceTicks(maximum: max(finite.max() ?? 1, 1e-9) * 1.04)
        let xMax = ticks.last ?? 1
        let step = ticks.count > 1 ? ticks[1] - ticks[0] : xMax
        func sx(_ v: Double) -> Double { x0 + (x1 - x0) * min(max(v, 0), xMax) / xMax }

        var s = "<svg class=\"chart\" id=\"\(esc(id))\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(c(width)) \(c(height))\" role=\"img\" aria-label=\"\(esc(axisTitle)) per compartment\">\n"
        // Legend.
        var lx = x0
        func legendSwatch(_ shape: String, _ text: String) {
            s += shape.replacingOccurrences(of: "{x}", with: c(lx))
            s += "<text x=\"\(c(lx + 18))\" y=\"18\" class=\"lg\">\(esc(text))</text>\n"
            lx += 24 + textWidth(text, size: 11)
        }
        legendSwatch("<rect x=\"{x}\" y=\"9\" width=\"14\" height=\"11\" fill=\"\(tumorColor)\"/>", "tumour dose")
        legendSwatch("<rect x=\"{x}\" y=\"9\" width=\"14\" height=\"11\" fill=\"\(normalColor)\"/>", "normal tissue dose")
        legendSwatch("<rect x=\"{x}\" y=\"8\" width=\"3\" height=\"14\" fill=\"\(limitColor)\"/>", "limit")
        lx -= 8
        legendSwatch("<path d=\"M {x} 15 m 7 -6 l 6 6 l -6 6 l -6 -6 z\" fill=\"\(targetColor)\"/>", "target")
        legendSwatch("<rect x=\"{x}\" y=\"9\" width=\"14\" height=\"11\" fill=\"none\" stroke=\"\(bindingColor)\" stroke-width=\"2.5\"/>", "binding")
        legendSwatch("<rect x=\"{x}\" y=\"9\" width=\"14\" height=\"11\" fill=\"\(overColor)\"/>", "over its limit")

        let plotTop = top - 4, plotBottom = top + Double(bars.count) * rowH + 4
        // Grid and axis.
        for t in ticks {
            let x = sx(t)
            s += "<line x1=\"\(c(x))\" y1=\"\(c(plotTop))\" x2=\"\(c(x))\" y2=\"\(c(plotBottom))\" class=\"grid\"/>\n"
            s += "<text x=\"\(c(x))\" y=\"\(c(plotBottom + 15))\" class=\"tk\" text-anchor=\"middle\">\(esc(tickLabel(t, step: step)))</text>\n"
        }
        s += "<line x1=\"\(c(x0))\" y1=\"\(c(plotBottom))\" x2=\"\(c(x1))\" y2=\"\(c(plotBottom))\" class=\"axis\"/>\n"
        s += "<line x1=\"\(c(x0))\" y1=\"\(c(plotTop))\" x2=\"\(c(x0))\" y2=\"\(c(plotBottom))\" class=\"axis\"/>\n"
        s += "<text x=\"\(c((x0 + x1) / 2))\" y=\"\(c(plotBottom + 34))\" class=\"at\" text-anchor=\"middle\">\(esc(axisTitle))</text>\n"

        for (i, b) in bars.enumerated() {
            let yc = top + (Double(i) + 0.5) * rowH
            if i % 2 == 1 {
                s += "<rect x=\"0\" y=\"\(c(yc - rowH / 2))\" width=\"\(c(width))\" height=\"\(c(rowH))\" class=\"stripe\"/>\n"
            }
            let label = truncate(b.label, 32)
            s += "<text x=\"\(c(labelW))\" y=\"\(c(yc + 4))\" class=\"lb\" text-anchor=\"end\"><title>\(esc(b.label))</title>\(esc(label))</text>\n"
            let over = b.limit.map { b.value > $0 * (1 + 1e-9) } ?? false
            let fill = over ? overColor : (b.group == .tumor ? tumorColor : normalColor)
            if b.value.isFinite, b.value > 0 {
                let w = max(sx(b.value) - x0, 0.8)
                let stroke = b.binding ? " stroke=\"\(bindingColor)\" stroke-width=\"2.5\"" : ""
                s += "<rect x=\"\(c(x0))\" y=\"\(c(yc - barH / 2))\" width=\"\(c(w))\" height=\"\(c(barH))\" fill=\"\(fill)\"\(stroke)/>\n"
            }
            if let l = b.limit, l.isFinite {
                let x = sx(l)
                s += "<line x1=\"\(c(x))\" y1=\"\(c(yc - rowH / 2 + 3))\" x2=\"\(c(x))\" y2=\"\(c(yc + rowH / 2 - 3))\" stroke=\"\(limitColor)\" stroke-width=\"3\"/>\n"
            }
            if let t = b.target, t.isFinite {
                let x = sx(t)
                s += "<path d=\"M \(c(x)) \(c(yc - 7)) l 7 7 l -7 7 l -7 -7 z\" fill=\"\(targetColor)\" stroke=\"#fff\" stroke-width=\"1\"/>\n"
            }
            // As in the plan tables: one decimal from 10 up, two below.
            var note = "\(b.value.isFinite ? Format.fixed(b.value, abs(b.value) >= 10 ? 1 : 2) : "—") \(unit)"
            if let l = b.limit { note += "  (limit ≤ \(Format.number(l)))" }
            if let t = b.target { note += "  (target ≥ \(Format.number(t)))" }
            let noteClass = over ? "an over" : "an"
            s += "<text x=\"\(c(x1 + 10))\" y=\"\(c(yc + 4))\" class=\"\(noteClass)\">\(esc(note))"
            if b.binding { s += "<tspan class=\"bd\" dx=\"6\">binding</tspan>" }
            s += "</text>\n"
        }
        s += "</svg>"
        return s
    }

    // MARK: - Tornado chart: how far each uncertain input moves one result

    struct TornadoBar {
        var label: String
        /// The result's mean over the samples with the input in its lowest and highest tenth.
        var low: Double
        var high: Double
        /// The input's first-order share of the result's variance (0–1).
        var share: Double
    }

    static let lowColor = "#3b7dd8"
    static let highColor = "#d97706"

    /// One row per input, widest swing first: a bar from the result at the input's lowest tenth to its
    /// highest tenth, split at the median result; the limit, when the result has one, as a red line.
    static func tornadoChart(_ rows: [TornadoBar], median: Double, limit: Double?, unit: String, title: String, id: String) -> String {
        let width = 760.0, labelW = 250.0, annotW = 110.0
        let x0 = labelW + 12, x1 = width - annotW - 10
        let top = 34.0, rowH = 26.0, barH = 14.0
        let bars = rows.sorted { abs($0.high - $0.low) > abs($1.high - $1.low) || (abs($0.high - $0.low) == abs($1.high - $1.low) && $0.label < $1.label) }
        let height = top + Double(max(bars.count, 1)) * rowH + 44
        var lo = bars.flatMap { [$0.low, $0.high] }.filter(\.isFinite).min() ?? median
        var hi = bars.flatMap { [$0.low, $0.high] }.filter(\.isFinite).max() ?? median
        lo = min(lo, median); hi = max(hi, median)
        if let l = limit, l.isFinite, l < hi + (hi - lo) * 0.5 + 1e-9 { hi = max(hi, l) }
        let pad = max((hi - lo) * 0.08, abs(median) * 1e-6, 1e-9)
        lo -= pad; hi += pad
        func sx(_ v: Double) -> Double { x0 + (x1 - x0) * (v - lo) / (hi - lo) }
        var s = "<svg class=\"chart\" id=\"\(esc(id))\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(c(width)) \(c(height))\" role=\"img\" aria-label=\"\(esc(title))\">\n"
        s += "<rect x=\"\(c(x0))\" y=\"9\" width=\"14\" height=\"11\" fill=\"\(lowColor)\"/><text x=\"\(c(x0 + 18))\" y=\"18\" class=\"lg\">input in its lowest tenth</text>\n"
        s += "<rect x=\"\(c(x0 + 190))\" y=\"9\" width=\"14\" height=\"11\" fill=\"\(highColor)\"/><text x=\"\(c(x0 + 208))\" y=\"18\" class=\"lg\">input in its highest tenth</text>\n"
        s += "<text x=\"\(c(width - 10))\" y=\"18\" class=\"lg\" text-anchor=\"end\">share of variance</text>\n"
        let plotTop = top - 4, plotBottom = top + Double(bars.count) * rowH + 4
        let span = hi - lo
        let raw = span / 5, mag = pow(10, floor(log10(raw))), f = raw / mag
        let step = (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag
        var t = ceil(lo / step) * step
        while t <= hi + 1e-12 * abs(hi) {
            s += "<line x1=\"\(c(sx(t)))\" y1=\"\(c(plotTop))\" x2=\"\(c(sx(t)))\" y2=\"\(c(plotBottom))\" class=\"grid\"/>\n"
            s += "<text x=\"\(c(sx(t)))\" y=\"\(c(plotBottom + 15))\" class=\"tk\" text-anchor=\"middle\">\(esc(tickLabel(t, step: step)))</text>\n"
            t += step
        }
        s += "<line x1=\"\(c(x0))\" y1=\"\(c(plotBottom))\" x2=\"\(c(x1))\" y2=\"\(c(plotBottom))\" class=\"axis\"/>\n"
        s += "<text x=\"\(c((x0 + x1) / 2))\" y=\"\(c(plotBottom + 34))\" class=\"at\" text-anchor=\"middle\">\(esc(title)) (\(esc(unit)))</text>\n"
        for (i, b) in bars.enumerated() {
            let yc = top + (Double(i) + 0.5) * rowH
            if i % 2 == 1 { s += "<rect x=\"0\" y=\"\(c(yc - rowH / 2))\" width=\"\(c(width))\" height=\"\(c(rowH))\" class=\"stripe\"/>\n" }
            s += "<text x=\"\(c(labelW))\" y=\"\(c(yc + 4))\" class=\"lb\" text-anchor=\"end\"><title>\(esc(b.label))</title>\(esc(truncate(b.label, 40)))</text>\n"
            for (v, color) in [(b.low, lowColor), (b.high, highColor)] where v.isFinite {
                let a = sx(min(v, median)), z = sx(max(v, median))
                s += "<rect x=\"\(c(a))\" y=\"\(c(yc - barH / 2))\" width=\"\(c(max(z - a, 0.8)))\" height=\"\(c(barH))\" fill=\"\(color)\"/>\n"
            }
            s += "<text x=\"\(c(width - 10))\" y=\"\(c(yc + 4))\" class=\"an\" text-anchor=\"end\">\(esc(Format.number(100 * b.share, significant: 2))) %</text>\n"
        }
        s += "<line x1=\"\(c(sx(median)))\" y1=\"\(c(plotTop))\" x2=\"\(c(sx(median)))\" y2=\"\(c(plotBottom))\" stroke=\"#111\" stroke-width=\"1.5\"/>\n"
        if let l = limit, l >= lo, l <= hi {
            s += "<line x1=\"\(c(sx(l)))\" y1=\"\(c(plotTop))\" x2=\"\(c(sx(l)))\" y2=\"\(c(plotBottom))\" stroke=\"\(limitColor)\" stroke-width=\"3\"/>\n"
            s += "<text x=\"\(c(sx(l) + 4))\" y=\"\(c(plotTop + 10))\" class=\"an over\">limit \(esc(Format.number(l)))</text>\n"
        }
        s += "</svg>"
        return s
    }

    // MARK: - Line chart

    struct Axis {
        var title: String
        var log: Bool
        var min: Double
        var max: Double
        var ticks: [(value: Double, label: String)]
    }

    struct Series {
        var name: String
        var xs: [Double]
        var ys: [Double]
        var color: String
        var dash: String? = nil
        var rightAxis = false
    }

    struct HLine {
        var y: Double
        var label: String
        var color: String
        var rightAxis = false
    }

    /// A linear axis from 0 to a nice value at or above `dataMax`.
    static func linearAxis(title: String, dataMax: Double, fixedMax: Double? = nil) -> Axis {
        let top = fixedMax ?? Swift.max(dataMax, 1e-12) * 1.05
        let ticks = fixedMax.map { m in (0...5).map { Double($0) * m / 5 } } ?? niceTicks(maximum: top)
        let step = ticks.count > 1 ? ticks[1] - ticks[0] : 1
        return Axis(title: title, log: false, min: 0, max: ticks.last ?? top,
                    ticks: ticks.map { ($0, tickLabel($0, step: step)) })
    }

    /// A log time axis in hours, ticks at times a reader names (1 min, 1 h, 1 d, 7 d …): the main ones
    /// first, then others where there is room.
    static func logTimeAxis(title: String, fromH: Double, toH: Double) -> Axis {
        let main: [(Double, String)] = [
            (1.0 / 60, "1 min"), (10.0 / 60, "10 min"), (1, "1 h"), (6, "6 h"), (24, "1 d"), (168, "7 d"),
            (672, "28 d"), (2160, "90 d"), (8760, "1 y"),
        ]
        let more: [(Double, String)] = [
            (5.0 / 60, "5 min"), (0.5, "30 min"), (2, "2 h"), (12, "12 h"), (48, "2 d"), (72, "3 d"), (336, "14 d"),
            (504, "21 d"), (720, "30 d"), (1440, "60 d"), (4320, "180 d"),
        ]
        let lo = Swift.max(fromH, 1e-6)
        let hi = Swift.max(toH, lo * 10)
        let span = log10(hi) - log10(lo)
        func inside(_ t: (Double, String)) -> Bool { t.0 >= lo * (1 - 1e-9) && t.0 <= hi * (1 + 1e-9) }
        func roomFor(_ t: (Double, String), in ticks: [(Double, String)]) -> Bool {
            ticks.allSatisfy { abs(log10(t.0) - log10($0.0)) / span >= 0.085 }
        }
        var ticks: [(Double, String)] = []
        for t in main where inside(t) && roomFor(t, in: ticks) { ticks.append(t) }
        // The end of the axis, when it is a named time (e.g. 30 d), replaces a main tick too close to it.
        if let end = (main + more).first(where: { abs($0.0 - hi) <= 1e-9 * hi }), !ticks.contains(where: { $0.0 == end.0 }) {
            ticks.removeAll { abs(log10(end.0) - log10($0.0)) / span < 0.085 }
            ticks.append(end)
        }
        for t in more where inside(t) && roomFor(t, in: ticks) { ticks.append(t) }
        ticks.sort { $0.0 < $1.0 }
        return Axis(title: title, log: true, min: lo, max: hi, ticks: ticks.map { ($0.0, $0.1) })
    }

    /// A line chart with a linear or log x axis, a left y axis, an optional right y axis, horizontal
    /// reference lines (limits) and a legend above the plot.
    static func lineChart(series: [Series], x: Axis, y: Axis, y2: Axis? = nil, hLines: [HLine] = [],
                          id: String, ariaLabel: String) -> String {
        let width = 760.0, height = 320.0
        let left = 72.0, right = y2 == nil ? 24.0 : 72.0, top = 44.0, bottom = 52.0
        let px0 = left, px1 = width - right, py0 = top, py1 = height - bottom
        func sx(_ v: Double) -> Double {
            if x.log {
                let lv = log10(Swift.max(v, x.min * 1e-3))
                return px0 + (px1 - px0) * (lv - log10(x.min)) / (log10(x.max) - log10(x.min))
            }
            return px0 + (px1 - px0) * (v - x.min) / Swift.max(x.max - x.min, 1e-300)
        }
        func sy(_ v: Double, _ axis: Axis) -> Double {
            py1 - (py1 - py0) * (v - axis.min) / Swift.max(axis.max - axis.min, 1e-300)
        }
        let clip = "\(id)-clip"
        var s = "<svg class=\"chart\" id=\"\(esc(id))\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(c(width)) \(c(height))\" role=\"img\" aria-label=\"\(esc(ariaLabel))\">\n"
        s += "<defs><clipPath id=\"\(esc(clip))\"><rect x=\"\(c(px0))\" y=\"\(c(py0 - 2))\" width=\"\(c(px1 - px0))\" height=\"\(c(py1 - py0 + 4))\"/></clipPath></defs>\n"
        // Grid and ticks.
        for t in x.ticks {
            let xx = sx(t.value)
            s += "<line x1=\"\(c(xx))\" y1=\"\(c(py0))\" x2=\"\(c(xx))\" y2=\"\(c(py1))\" class=\"grid\"/>\n"
            s += "<line x1=\"\(c(xx))\" y1=\"\(c(py1))\" x2=\"\(c(xx))\" y2=\"\(c(py1 + 5))\" class=\"axis\"/>\n"
            s += "<text x=\"\(c(xx))\" y=\"\(c(py1 + 18))\" class=\"tk\" text-anchor=\"middle\">\(esc(t.label))</text>\n"
        }
        for t in y.ticks {
            let yy = sy(t.value, y)
            s += "<line x1=\"\(c(px0))\" y1=\"\(c(yy))\" x2=\"\(c(px1))\" y2=\"\(c(yy))\" class=\"grid\"/>\n"
            s += "<line x1=\"\(c(px0 - 5))\" y1=\"\(c(yy))\" x2=\"\(c(px0))\" y2=\"\(c(yy))\" class=\"axis\"/>\n"
            s += "<text x=\"\(c(px0 - 8))\" y=\"\(c(yy + 4))\" class=\"tk\" text-anchor=\"end\">\(esc(t.label))</text>\n"
        }
        if let y2 {
            for t in y2.ticks {
                let yy = sy(t.value, y2)
                s += "<line x1=\"\(c(px1))\" y1=\"\(c(yy))\" x2=\"\(c(px1 + 5))\" y2=\"\(c(yy))\" class=\"axis\"/>\n"
                s += "<text x=\"\(c(px1 + 8))\" y=\"\(c(yy + 4))\" class=\"tk\">\(esc(t.label))</text>\n"
            }
        }
        s += "<rect x=\"\(c(px0))\" y=\"\(c(py0))\" width=\"\(c(px1 - px0))\" height=\"\(c(py1 - py0))\" class=\"frame\"/>\n"
        // Axis titles.
        s += "<text x=\"\(c((px0 + px1) / 2))\" y=\"\(c(height - 10))\" class=\"at\" text-anchor=\"middle\">\(esc(x.title))</text>\n"
        s += "<text transform=\"translate(16 \(c((py0 + py1) / 2))) rotate(-90)\" class=\"at\" text-anchor=\"middle\">\(esc(y.title))</text>\n"
        if let y2 {
            s += "<text transform=\"translate(\(c(width - 14)) \(c((py0 + py1) / 2))) rotate(90)\" class=\"at\" text-anchor=\"middle\">\(esc(y2.title))</text>\n"
        }
        // Reference lines.
        for h in hLines {
            let axis = h.rightAxis ? (y2 ?? y) : y
            guard h.y.isFinite, h.y >= axis.min, h.y <= axis.max else { continue }
            let yy = sy(h.y, axis)
            s += "<line x1=\"\(c(px0))\" y1=\"\(c(yy))\" x2=\"\(c(px1))\" y2=\"\(c(yy))\" stroke=\"\(h.color)\" stroke-width=\"2\" stroke-dasharray=\"7 4\"/>\n"
            let below = yy - py0 < 16
            s += "<text x=\"\(c(px1 - 6))\" y=\"\(c(below ? yy + 14 : yy - 5))\" class=\"rl\" fill=\"\(h.color)\" text-anchor=\"end\">\(esc(h.label))</text>\n"
        }
        // Series.
        for sr in series {
            let axis = sr.rightAxis ? (y2 ?? y) : y
            let pts = decimate(sr.xs, sr.ys, minX: x.log ? x.min : -Double.infinity, maxX: x.max, sx: sx, sy: { sy($0, axis) })
            guard pts.count >= 2 else { continue }
            let dash = sr.dash.map { " stroke-dasharray=\"\($0)\"" } ?? ""
            s += "<polyline clip-path=\"url(#\(esc(clip)))\" fill=\"none\" stroke=\"\(sr.color)\" stroke-width=\"2.2\" stroke-linejoin=\"round\"\(dash) points=\""
            s += pts.map { "\(c($0.0)),\(c($0.1))" }.joined(separator: " ")
            s += "\"/>\n"
        }
        // Legend above the plot.
        var lx = px0
        for sr in series {
            let dash = sr.dash.map { " stroke-dasharray=\"\($0)\"" } ?? ""
            s += "<line x1=\"\(c(lx))\" y1=\"20\" x2=\"\(c(lx + 22))\" y2=\"20\" stroke=\"\(sr.color)\" stroke-width=\"2.5\"\(dash)/>\n"
            let text = sr.name + (y2 != nil ? (sr.rightAxis ? " (right axis)" : " (left axis)") : "")
            s += "<text x=\"\(c(lx + 28))\" y=\"24\" class=\"lg\">\(esc(text))</text>\n"
            lx += 44 + textWidth(text, size: 11)
        }
        for h in hLines {
            s += "<line x1=\"\(c(lx))\" y1=\"20\" x2=\"\(c(lx + 22))\" y2=\"20\" stroke=\"\(h.color)\" stroke-width=\"2\" stroke-dasharray=\"7 4\"/>\n"
            s += "<text x=\"\(c(lx + 28))\" y=\"24\" class=\"lg\">\(esc(h.label))</text>\n"
            lx += 44 + textWidth(h.label, size: 11)
        }
        s += "</svg>"
        return s
    }

    /// Pixel coordinates of a series, thinned to the first, lowest, highest and last point of each
    /// pixel column so that peaks survive and long series stay small.
    static func decimate(_ xs: [Double], _ ys: [Double], minX: Double, maxX: Double,
                         sx: (Double) -> Double, sy: (Double) -> Double) -> [(Double, Double)] {
        var out: [(Double, Double)] = []
        var column: [(Double, Double)] = []
        var columnKey = Int.min
        func flush() {
            guard !column.isEmpty else { return }
            if column.count <= 4 { out += column } else {
                let lo = column.min { $0.1 < $1.1 }!, hi = column.max { $0.1 < $1.1 }!
                var keep = [column.first!, lo, hi, column.last!]
                keep.sort { $0.0 < $1.0 }
                var last: (Double, Double)? = nil
                for p in keep where last == nil || last! != p { out.append(p); last = p }
            }
            column = []
        }
        var before: (Double, Double)? = nil
        for i in 0..<Swift.min(xs.count, ys.count) {
            let xv = xs[i], yv = ys[i]
            guard xv.isFinite, yv.isFinite else { continue }
            if xv < minX * (1 - 1e-12) { before = (xv, yv); continue }
            guard xv <= maxX * (1 + 1e-12) else { continue }
            if let b = before, out.isEmpty, column.isEmpty, xv > minX {
                // Start the line at the left edge of a log axis, interpolated linearly in time.
                let yEdge = b.1 + (yv - b.1) * (minX - b.0) / (xv - b.0)
                column.append((sx(minX), sy(yEdge)))
                columnKey = Int(floor(sx(minX)))
                before = nil
            }
            let p = (sx(xv), sy(yv))
            let key = Int(floor(p.0))
            if key != columnKey { flush(); columnKey = key }
            column.append(p)
        }
        flush()
        return out
    }
}
