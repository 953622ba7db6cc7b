// SPDX-License-Identifier: GPL-3.0-or-later
import DosecalcCore
import Foundation
@testable import Planning
import Testing

/// The HTML report of `dosecalc plan --report`: one self-contained, escaped, well-formed page that
/// carries every check. Set DOSECALC_REPORT_DIR to a folder to keep the rendered pages for viewing.
@Suite("PlanReport")
struct PlanReportTests {
    // MARK: - Fixtures

    static let checkout = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let fixedDate = Date(timeIntervalSince1970: 1_795_000_000)

    static func patientFiles() throws -> [URL] {
        let dir = checkout.appendingPathComponent("reference-data/patients")
        return try FileManager.default.contentsOfDirectory(at: dir, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "json" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    static func planned(_ data: Data) throws -> (result: PlanResult, input: PlanInput) {
        let input = try PlanInput.decode(data)
        return (try Planner.plan(input), input)
    }

    static func render(_ r: PlanResult, _ input: PlanInput, name: String) -> String {
        let html = PlanReport.html(r, input: input, generatedAt: fixedDate)
        if let dir = ProcessInfo.processInfo.environment["DOSECALC_REPORT_DIR"], !dir.isEmpty {
            try? html.write(to: URL(fileURLWithPath: dir).appendingPathComponent("\(name).html"), atomically: true, encoding: .utf8)
        }
        return html
    }

    /// The text a reader sees: `<wbr>` (an invisible line-break opportunity) removed.
    static func visible(_ html: String) -> String { html.replacingOccurrences(of: "<wbr>", with: "") }

    static func count(_ needle: String, in s: String) -> Int { s.components(separatedBy: needle).count - 1 }

    /// Elements nest and close properly (void elements and `/>` excepted). Returns the first problem.
    static func structureProblem(_ html: String) -> String? {
        let void: Set<String> = ["meta", "br", "wbr", "hr", "img", "input", "link", "col", "source", "area", "base"]
        let re = try! NSRegularExpression(pattern: #"<(/?)([A-Za-z][A-Za-z0-9]*)\b[^>]*?(/?)>"#)
        let ns = html as NSString
        var stack: [String] = []
        for m in re.matches(in: html, range: NSRange(location: 0, length: ns.length)) {
            let closing = ns.substring(with: m.range(at: 1)) == "/"
            let name = ns.substring(with: m.range(at: 2)).lowercased()
            let selfClosing = ns.substring(with: m.range(at: 3)) == "/"
            if void.contains(name) || selfClosing { continue }
            if closing {
                guard let top = stack.popLast() else { return "</\(name)> closes nothing" }
                if top != name { return "</\(name)> closes <\(top)>" }
            } else {
                stack.append(name)
            }
        }
        return stack.isEmpty ? nil : "unclosed: \(stack.joined(separator: ", "))"
    }

    /// The assertions every report must pass.
    static func expectWellFormed(_ html: String, _ r: PlanResult, sourceLocation: SourceLocation = #_sourceLocation) {
        // One document.
        #expect(html.hasPrefix("<!DOCTYPE html>"), sourceLocation: sourceLocation)
        #expect(count("<html", in: html) == 1, sourceLocation: sourceLocation)
        #expect(count("</html>", in: html) == 1, sourceLocation: sourceLocation)
        #expect(count("<head>", in: html) == 1 && count("<body>", in: html) == 1, sourceLocation: sourceLocation)
        // A DEB plan that gives no drug (contraindicated) has no curves to plot; every other plan has charts.
        let nothingToPlot = (r.chemoembolization?.doxorubicinMg ?? 1) == 0
        #expect(nothingToPlot || count("<svg", in: html) >= 1, "inline SVG", sourceLocation: sourceLocation)
        #expect(count("<svg", in: html) == count("</svg>", in: html), sourceLocation: sourceLocation)
        #expect(structureProblem(html) == nil, "\(structureProblem(html) ?? "")", sourceLocation: sourceLocation)
        // Self-contained: no scripts, nothing fetched from elsewhere.
        let lower = html.lowercased()
        #expect(!lower.contains("<script"), sourceLocation: sourceLocation)
        #expect(!lower.contains("<link"), sourceLocation: sourceLocation)
        #expect(!lower.contains("@import"), sourceLocation: sourceLocation)
        #expect(!lower.contains("@font-face"), sourceLocation: sourceLocation)
        #expect(!lower.contains("url(http") && !lower.contains("url(//"), sourceLocation: sourceLocation)
        let external = try! NSRegularExpression(pattern: #"(src|href)\s*=\s*["']?\s*(https?:|//)"#, options: [.caseInsensitive])
        #expect(external.numberOfMatches(in: html, range: NSRange(location: 0, length: (html as NSString).length)) == 0, sourceLocation: sourceLocation)
        #expect(!lower.contains(" src="), sourceLocation: sourceLocation)
        #expect(lower.contains("<style>") && lower.contains("@media print") && lower.contains("size: a4"), sourceLocation: sourceLocation)
        // Status word and badge.
        #expect(html.contains("badge badge-\(r.status.rawValue)"), sourceLocation: sourceLocation)
        #expect(html.contains(">\(r.status.rawValue.uppercased())<"), sourceLocation: sourceLocation)
        // Every check: its row carries its name, rounded value, limit and source.
        let text = visible(html)
        let rows = checkRows(text)
        #expect(rows.count == r.checks.count, sourceLocation: sourceLocation)
        for c in r.checks {
            let row = rows.first { $0.contains("<td class=\"name\">\(PlanReport.e(c.name))") }
            #expect(row != nil, "check \(c.name) has no row", sourceLocation: sourceLocation)
            guard let row else { continue }
            #expect(row.contains(">\(c.value.map(PlanReport.readable) ?? "not computed")<"), "value of \(c.name)", sourceLocation: sourceLocation)
            #expect(row.contains("\(PlanReport.op(c.kind))&nbsp;\(Format.number(c.limit))<"), "limit of \(c.name)", sourceLocation: sourceLocation)
            #expect(row.contains(">\(PlanReport.e(c.unit))<"), "unit of \(c.name)", sourceLocation: sourceLocation)
            #expect(row.contains(PlanReport.e(c.source)), "source of \(c.name)", sourceLocation: sourceLocation)
            #expect(row.contains("class=\"binding") == c.binding, "binding of \(c.name)", sourceLocation: sourceLocation)
        }
        for a in r.assumptions {
            #expect(text.contains(PlanReport.e(a.name)) && text.contains(PlanReport.e(a.source)), sourceLocation: sourceLocation)
        }
        for reason in r.reasons { #expect(text.contains(PlanReport.e(reason)), sourceLocation: sourceLocation) }
        #expect(text.contains("dosecalc is a calculation aid; verify against IFU and local protocol"), sourceLocation: sourceLocation)
    }

    /// The body rows of the checks table.
    static func checkRows(_ html: String) -> [String] {
        guard let start = html.range(of: "<table class=\"grid-table checks-table\">"),
              let end = html.range(of: "</table>", range: start.upperBound..<html.endIndex) else { return [] }
        let table = String(html[start.upperBound..<end.lowerBound])
        guard let body = table.range(of: "<tbody>") else { return [] }
        let parts: [String] = String(table[body.upperBound...]).components(separatedBy: "<tr")
        return Array(parts.dropFirst())
    }

    // MARK: - Reference patients

    @Test("every reference patient renders a well-formed, self-contained report")
    func referencePatients() throws {
        let files = try Self.patientFiles()
        #expect(!files.isEmpty)
        var rendered = 0
        for url in files where !url.lastPathComponent.hasPrefix("bad-") {
            let data = try Data(contentsOf: url)
            let input = try PlanInput.decode(data)
            let result: PlanResult
            result = try Planner.plan(input)
            let html = Self.render(result, input, name: url.deletingPathExtension().lastPathComponent)
            Self.expectWellFormed(html, result)
            #expect(html.contains(PlanReport.e(result.patientId)))
            if let re = result.radioembolization {
                #expect(html.contains("id=\"dose-chart\""))
                #expect(html.contains(Format.fixed(re.activityGBq, 3)))
                #expect(html.contains(Format.fixed(re.activityMCi, 1)))
                #expect(Self.visible(html).contains("<span class=\"binding-name\">\(PlanReport.e(re.bindingConstraint))</span>"))
                for t in re.territories {
                    #expect(html.contains(PlanReport.e(t.name)))
                    for name in t.tumorDosesGy.keys { #expect(html.contains(PlanReport.e(name))) }
                }
            }
            if let ce = result.chemoembolization {
                #expect(html.contains("id=\"plasma-chart\"") == (ce.curves.timesH.count >= 2))
                #expect(html.contains(PlanReport.e(ce.product)))
            }
            rendered += 1
        }
        #expect(rendered >= 1)
    }

    @Test("PLAN-02 (infeasible, cumulative lung dose binds): status, binding row and chart")
    func plan02() throws {
        let url = Self.checkout.appendingPathComponent("reference-data/patients/plan-02-glass-lung-limited.json")
        let (r, input) = try Self.planned(try Data(contentsOf: url))
        let html = Self.render(r, input, name: "plan-02-test")
        Self.expectWellFormed(html, r)
        #expect(r.status == .infeasible)
        #expect(html.contains("<div class=\"alert alert-infeasible\">"))
        let binding = Self.checkRows(Self.visible(html)).filter { $0.contains("class=\"binding") }
        #expect(binding.count == 1 && binding[0].contains("cumulativeLungDose"))
        // Rounded for reading: 179.8245… Gy → 179.8.
        #expect(html.contains("179.8&nbsp;Gy"))
        #expect(html.contains(">Lung, cumulative<"))
        #expect(html.contains("(limit ≤ 50)"))
        #expect(html.contains("(target ≥ 205)"))
        // Inputs: labs with units, anatomy, prior treatment.
        for s in ["0.9&nbsp;mg/dL", "3.9&nbsp;g/dL", "18&nbsp;%", "ALBI score", "Child–Pugh", "BSA", "2026-05-12", "Prior lung dose"] {
            #expect(html.contains(s), "\(s)")
        }
    }

    // MARK: - Escaping

    @Test("user text is HTML-escaped everywhere, SVG included")
    func escaping() throws {
        let json = """
        {"patient": {"id": "<script>alert(1)</script> & \\"Co\\"", "heightCm": 172, "weightKg": 78, "histology": "HCC",
          "labs": {"bilirubinMgPerDl": 0.9, "albuminGPerDl": 3.9, "inr": 1.1, "ascites": "none", "encephalopathy": "none"},
          "priorTreatments": [{"kind": "y90-glass", "date": "2026-05-12", "lungDoseGy": 5}]},
         "anatomy": {"lungShuntPercent": 8, "wholeNormalLiverMassG": 1200,
          "territories": [{"name": "right <lobe> & 'seg'", "normalLiverMassG": 700, "tumors": [{"name": "T<1>&", "massG": 120, "tnRatio": 3}]}]},
         "treatment": {"modality": "y90-glass"}}
        """
        let (r, input) = try Self.planned(Data(json.utf8))
        let html = Self.render(r, input, name: "escaping")
        Self.expectWellFormed(html, r)
        #expect(!html.contains("<script>"))
        #expect(!html.contains("alert(1)</script>"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Co&quot;"))
        #expect(!html.contains("<lobe>") && html.contains("right &lt;lobe&gt; &amp; &#39;seg&#39;"))
        #expect(!html.contains("T<1>") && html.contains("T&lt;1&gt;&amp;"))
        // Inside the chart too.
        let svgStart = try #require(html.range(of: "<svg"))
        let svg = html[svgStart.lowerBound...]
        #expect(svg.contains("Tumour T&lt;1&gt;&amp;"))
        // No raw ampersand that does not start an entity.
        let bareAmp = try NSRegularExpression(pattern: #"&(?![a-zA-Z]+;|#[0-9]+;)"#)
        #expect(bareAmp.numberOfMatches(in: html, range: NSRange(location: 0, length: (html as NSString).length)) == 0)
    }

    // MARK: - Status shown prominently

    @Test("a contraindicated plan shows its status in the header, in red, before anything else")
    func contraindicated() throws {
        let json = """
        {"patient": {"id": "RESIN-LSF25", "heightCm": 165, "weightKg": 70, "cirrhosis": true, "histology": "HCC",
          "labs": {"bilirubinUmolPerL": 22, "albuminGPerL": 34, "inr": 1.2, "ascites": "none", "encephalopathy": "none"}},
         "anatomy": {"lungShuntPercent": 25, "wholeNormalLiverMassG": 1400,
          "territories": [{"name": "right lobe", "normalLiverMassG": 900, "tumors": [{"name": "T1", "massG": 150, "tnRatio": 2.5}]}]},
         "treatment": {"modality": "y90-resin", "calibrationTime": "2026-12-01T18:00:00-05:00", "earliestTreatmentTime": "2026-12-02T10:00:00-05:00"}}
        """
        let (r, input) = try Self.planned(Data(json.utf8))
        #expect(r.status == .contraindicated)
        let html = Self.render(r, input, name: "contraindicated")
        Self.expectWellFormed(html, r)
        let badge = try #require(html.range(of: "<div class=\"badge badge-contraindicated\""))
        let alert = try #require(html.range(of: "<div class=\"alert alert-contraindicated\">"))
        let firstSection = try #require(html.range(of: "<h2>Patient and inputs</h2>"))
        let headerEnd = try #require(html.range(of: "</header>"))
        #expect(badge.lowerBound < headerEnd.lowerBound)
        #expect(alert.lowerBound < firstSection.lowerBound)
        #expect(html.contains("do not treat as computed"))
        #expect(html.contains(".badge-infeasible, .badge-contraindicated { color: #fff; background: #b91c1c"))
        // The failed hard check is marked in its row.
        let row = try #require(Self.checkRows(Self.visible(html)).first { $0.contains(">lungShunt") })
        #expect(row.contains("class=\"fail-hard\"") && row.contains("✗ FAIL"))
        // Lab values given in SI units are shown as given, with the conversion.
        #expect(html.contains("22&nbsp;µmol/L") && html.contains("34&nbsp;g/L"))
    }

    @Test("an OK plan: green badge, no red alert; vial and time shown")
    func okPlan() throws {
        let json = """
        {"patient": {"id": "GLASS-OK", "heightCm": 180, "weightKg": 85, "cirrhosis": false, "histology": "HCC",
          "labs": {"bilirubinMgPerDl": 0.7, "albuminGPerDl": 4.1, "inr": 1.0, "ascites": "none", "encephalopathy": "none"}},
         "anatomy": {"lungShuntPercent": 6, "wholeNormalLiverMassG": 1500,
          "territories": [{"name": "right lobe", "normalLiverMassG": 600, "tumors": [{"name": "T1", "massG": 100, "tnRatio": 3}]}]},
         "treatment": {"modality": "y90-glass", "calibrationTime": "2026-11-29T12:00:00-05:00",
                       "earliestTreatmentTime": "2026-11-30T08:00:00-05:00", "latestTreatmentTime": "2026-12-04T17:00:00-05:00"}}
        """
        let (r, input) = try Self.planned(Data(json.utf8))
        let html = Self.render(r, input, name: "glass-ok")
        Self.expectWellFormed(html, r)
        #expect(r.status == .ok)
        #expect(html.contains("badge badge-ok") && html.contains(">OK<"))
        #expect(!html.contains("class=\"alert"))
        let re = try #require(r.radioembolization)
        let time = try #require(re.treatmentTime)
        #expect(html.contains(time))
        #expect(html.contains("Vial (at calibration)"))
        #expect(html.contains("Plan date (treatment): <strong>\(time)</strong>"))
    }

    @Test("a two-territory Ho-166 plan: one bar per tumour and per territory's normal liver")
    func twoTerritories() throws {
        let json = """
        {"patient": {"id": "HO-BILOBAR", "heightCm": 160, "weightKg": 60, "cirrhosis": true, "histology": "HCC",
          "labs": {"bilirubinMgPerDl": 1.4, "albuminGPerDl": 3.3, "inr": 1.3, "ascites": "mild", "encephalopathy": "none"},
          "priorTreatments": [{"kind": "deb-tace", "date": "2025-03-01", "doxorubicinMg": 75}]},
         "anatomy": {"lungShuntPercent": 4, "wholeNormalLiverMassG": 1200,
          "territories": [{"name": "right lobe", "normalLiverMassG": 800, "tumors": [{"name": "R1", "massG": 100, "tnRatio": 3}, {"name": "R2", "massG": 10, "tnRatio": 5}]},
                          {"name": "left lobe", "normalLiverMassG": 400, "tumors": [{"name": "L1", "massG": 40, "tnRatio": 2}]}]},
         "treatment": {"modality": "ho166", "calibrationTime": "2026-12-01T08:00:00+01:00", "earliestTreatmentTime": "2026-12-01T14:00:00+01:00"}}
        """
        let (r, input) = try Self.planned(Data(json.utf8))
        let html = Self.render(r, input, name: "ho166-two-territories")
        Self.expectWellFormed(html, r)
        for label in ["Tumour R1 · right lobe", "Tumour R2 · right lobe", "Tumour L1 · left lobe",
                      "Normal liver · right lobe", "Normal liver · left lobe", "Whole normal liver", ">Lung<", "Lung, cumulative"] {
            #expect(html.contains(label), "\(label)")
        }
        // Tumours in input order in the territory table.
        #expect(html.contains("R1 ") && html.range(of: "R1 ")!.lowerBound < html.range(of: "R2 ")!.lowerBound)
        #expect(html.contains("Order (at calibration)"))
        #expect(html.contains("(\(PlanReport.q(r.assessment.priorDoxorubicinMgPerM2, "mg/m²")))"))
        #expect(PlanReport.q(r.assessment.priorDoxorubicinMgPerM2, "mg/m²") == "46.24&nbsp;mg/m²")
        #expect(html.contains("no tumour target applies") || html.contains("none applies"))
    }

    // MARK: - DEB (hand-built until the DEB planner fills `chemoembolization`)

    static func debPlan() throws -> (PlanResult, PlanInput) {
        let json = """
        {"patient": {"id": "DEB-1", "heightCm": 170, "weightKg": 72, "cirrhosis": true, "histology": "HCC",
          "labs": {"bilirubinMgPerDl": 1.0, "albuminGPerDl": 3.6, "inr": 1.1, "ascites": "none", "encephalopathy": "none"},
          "priorTreatments": [{"kind": "deb-tace", "date": "2026-06-01", "doxorubicinMg": 75}]},
         "treatment": {"modality": "deb", "product": "dcbead", "sizes": ["100-300", "300-500"], "targetDoxorubicinMg": 150}}
        """
        let input = try PlanInput.decode(Data(json.utf8))
        let a = try Assessment.assess(input)
        // Smooth stand-in curves with the shapes of the model's output: burst then slow release,
        // plasma peak within minutes, tissue peak within hours.
        var times: [Double] = [0]
        var t = 1.0 / 120
        while t < 672 { times.append(t); t *= 1.08 }
        times.append(672)
        let plasma = times.map { 64 * (exp(-$0 / 0.9) - exp(-$0 / 0.04)) / 0.955 + 1.5 * (1 - exp(-$0 / 0.2)) * exp(-$0 / 200) }
        let eluted = times.map { 9 * (1 - exp(-$0 / 0.05)) + 55 * (1 - exp(-$0 / 160)) }
        let tissue = times.map { 38 * (1 - exp(-$0 / 1.5)) * exp(-$0 / 250) }
        let checks = [
            Check(name: "sessionDoxorubicin", value: 150, limit: 150, unit: "mg", kind: .atMost, severity: .hard,
                  source: "DEB-TACE doxorubicin at most 150 mg per session: Poon et al. 2007 [V]", binding: true),
            Check(name: "lifetimeDoxorubicin", value: 225 / a.bsaM2, limit: 550, unit: "mg/m²", kind: .atMost, severity: .hard,
                  source: "doxorubicin lifetime cumulative dose 550 mg/m² (GLOWM monograph [V])"),
            Check(name: "plasmaPeak", value: 61.8, limit: 160, unit: "ng/mL", kind: .atMost, severity: .hard,
                  source: "upper end of the published DEB-TACE plasma Cmax range: Varela et al. 2007 [V]"),
            Check(name: "beadVolume", value: 4, limit: 4, unit: "mL", kind: .atMost, severity: .hard,
                  source: "two 2 mL DC Bead vials per session [V vial, R practice] & <IFU>"),
        ]
        let plan = ChemoembolizationPlan(
            product: "DC Bead", size: "100-300", doxorubicinMg: 150, loadingMgPerMl: 37.5, beadVolumeMl: 4,
            plasmaPeakNgPerMl: 61.8, plasmaPeakTimeH: 0.13, tissuePeakUM: 35.2, tissueAucUgHPerMl: 5210,
            elutedPercentByDay: ["1": 13.5, "7": 44.1, "14": 59.8, "28": 62.3, "2": 20.6, "3": 26.1],
            doseCapMg: 150, doseCapRule: "session limit 150 mg (bilirubin < 1.2 mg/dL: 100 %)",
            bindingConstraint: "sessionDoxorubicin",
            candidates: [
                .init(size: "100-300", loadingMgPerMl: 37.5, doxorubicinMg: 150, beadVolumeMl: 4, plasmaPeakNgPerMl: 61.8, tissueAucUgHPerMl: 5210, limitedBy: "sessionDoxorubicin"),
                .init(size: "300-500", loadingMgPerMl: 37.5, doxorubicinMg: 150, beadVolumeMl: 4, plasmaPeakNgPerMl: 48.0, tissueAucUgHPerMl: 4630, limitedBy: "sessionDoxorubicin"),
                .init(size: "100-300", loadingMgPerMl: 25, doxorubicinMg: 100, beadVolumeMl: 4, plasmaPeakNgPerMl: 40.3, tissueAucUgHPerMl: 3390, limitedBy: "beadVolume"),
            ],
            curves: .init(timesH: times, plasmaNgPerMl: plasma, tissueUM: tissue, elutedPercent: eluted))
        let result = PlanResult(patientId: input.patient.id, modality: "deb", status: .ok, reasons: [], assessment: a, checks: checks,
                                radioembolization: nil, chemoembolization: plan,
                                assumptions: [Assumption(name: "bsaFormula (dubois)", value: a.bsaM2, unit: "m²", source: "DuBois & DuBois 1916 (default)")])
        return (result, input)
    }

    @Test("a DEB plan: product, dose, loading, candidates, plasma chart on a log time axis, elution and tissue chart")
    func debReport() throws {
        let (r, input) = try Self.debPlan()
        let html = Self.render(r, input, name: "deb-hand-built")
        Self.expectWellFormed(html, r)
        #expect(Self.count("<svg", in: html) == 2)
        #expect(html.contains("id=\"plasma-chart\"") && html.contains("id=\"elution-chart\""))
        #expect(!html.contains("id=\"dose-chart\""))
        for s in ["DC Bead", "100-300&nbsp;µm", "150.0&nbsp;mg", "37.5&nbsp;mg/mL", "4.00&nbsp;mL", "61.8&nbsp;ng/mL", "35.20&nbsp;µM",
                  "Candidates evaluated", "300-500", ">1 min<", ">28 d<", "plasma peak limit 160 ng/mL", "tissue (µM)", "eluted (% of dose)",
                  "day 1: 13.5&nbsp;%", "dcbead", "Target doxorubicin"] {
            #expect(html.contains(s), "\(s)")
        }
        // Days in numeric order.
        let d2 = try #require(html.range(of: "day 2:")), d14 = try #require(html.range(of: "day 14:"))
        #expect(d2.lowerBound < d14.lowerBound)
        #expect(html.contains("two 2 mL DC Bead vials per session [V vial, R practice] &amp; &lt;IFU&gt;"))
    }

    // MARK: - Helpers

    @Test("numbers are rounded for reading")
    func readable() {
        #expect(PlanReport.readable(179.8245614) == "179.8")
        #expect(PlanReport.readable(59.94152) == "59.94")
        #expect(PlanReport.readable(2.777777) == "2.778")
        #expect(PlanReport.readable(50) == "50")
        #expect(PlanReport.readable(-25.175438) == "-25.18")
        #expect(PlanReport.readable(1e-14) == "0")
        #expect(PlanReport.readable(-1e-14) == "0")
        #expect(PlanReport.readable(1234.56) == "1235")
        #expect(PlanReport.readable(.nan) == "—")
    }

    @Test("log time axis: ticks named in min, h and d, from 1 min to the end")
    func logAxis() {
        let axis = ReportSVG.logTimeAxis(title: "t", fromH: 1.0 / 60, toH: 672)
        #expect(axis.log)
        #expect(axis.ticks.first?.label == "1 min")
        #expect(axis.ticks.last?.label == "28 d")
        #expect(axis.ticks.contains { $0.label == "1 h" } && axis.ticks.contains { $0.label == "1 d" } && axis.ticks.contains { $0.label == "7 d" })
        let month = ReportSVG.logTimeAxis(title: "t", fromH: 1.0 / 60, toH: 720)
        #expect(month.ticks.last?.label == "30 d" && !month.ticks.contains { $0.label == "28 d" })
        #expect(zip(axis.ticks, axis.ticks.dropFirst()).allSatisfy { $0.value < $1.value })
    }

    @Test("bar chart: a dose over its limit is drawn red and labelled; the binding bar is outlined")
    func barChart() {
        let svg = ReportSVG.doseBarChart([
            .init(label: "Lung", group: .normalTissue, value: 35, limit: 30),
            .init(label: "Tumour <A>", group: .tumor, value: 120, target: 150, binding: true),
        ], unit: "Gy", axisTitle: "dose (Gy)", id: "t")
        #expect(svg.contains("fill=\"\(ReportSVG.overColor)\""))
        #expect(svg.contains("class=\"an over\""))
        #expect(svg.contains("stroke=\"\(ReportSVG.bindingColor)\" stroke-width=\"2.5\"/>"))
        #expect(svg.contains("Tumour &lt;A&gt;") && !svg.contains("<A>"))
        #expect(svg.hasPrefix("<svg") && svg.hasSuffix("</svg>"))
        #expect(Self.structureProblem(svg) == nil)
    }

    @Test("line series are thinned per pixel column but keep the peak")
    func decimation() {
        let xs = (0..<20_000).map { Double($0) / 20_000 }
        let ys = xs.map { $0 == 0.5 ? 10.0 : 1.0 }
        let pts = ReportSVG.decimate(xs, ys, minX: 0, maxX: 1, sx: { $0 * 600 }, sy: { 100 - $0 })
        #expect(pts.count < 3000)
        #expect(pts.contains { $0.1 == 90 })
    }
}
