// SPDX-License-Identifier: GPL-3.0-or-later
import DosecalcCore
import Foundation
@testable import Planning
import Testing

/// The HTML report of `dosecalc plan --report`: one self-contained, escaped, well-formed page fit for
/// the patient record. Set DOSECALC_REPORT_DIR to a folder to keep the rendered pages for viewing.
@Suite("PlanReport")
struct PlanReportTests {
    // MARK: - Fixtures

    static let checkout = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let fixedDate = Date(timeIntervalSince1970: 1_795_000_000)

    static func patientFiles() throws -> [URL] {
        let dir = checkout.appendingPathComponent("reference-data/patients")
        return try FileManager.default.contentsOfDirectory(at: dir, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "json" && !$0.lastPathComponent.hasPrefix("bad-") && !$0.lastPathComponent.hasPrefix("assess-") }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    static func planned(_ data: Data) throws -> (result: PlanResult, input: PlanInput) {
        let input = try PlanInput.decode(data)
        return (try Planner.plan(input), input)
    }

    static func planned(patient name: String) throws -> (result: PlanResult, input: PlanInput) {
        try planned(try Data(contentsOf: checkout.appendingPathComponent("reference-data/patients/\(name).json")))
    }

    static func render(_ r: PlanResult, _ input: PlanInput, name: String) -> String {
        let html = PlanReport.html(r, input: input, generatedAt: fixedDate)
        if let dir = ProcessInfo.processInfo.environment["DOSECALC_REPORT_DIR"], !dir.isEmpty {
            try? html.write(to: URL(fileURLWithPath: dir).appendingPathComponent("\(name).html"), atomically: true, encoding: .utf8)
        }
        return html
    }

    static func count(_ needle: String, in s: String) -> Int { s.components(separatedBy: needle).count - 1 }

    /// The text a reader sees: no style sheet, no tags, entities decoded.
    static func visibleText(_ html: String) -> String {
        var s = html
        if let a = s.range(of: "<style>"), let b = s.range(of: "</style>") { s.removeSubrange(a.lowerBound..<b.upperBound) }
        s = s.replacingOccurrences(of: #"<[^>]*>"#, with: " ", options: .regularExpression)
        for (entity, ch) in [("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&nbsp;", " "), ("&amp;", "&")] {
            s = s.replacingOccurrences(of: entity, with: ch)
        }
        return s
    }

    /// The running header, which Chromium repeats on every printed page.
    static func runningHeader(_ html: String) -> String? {
        guard let a = html.range(of: "<thead class=\"running\">"), let b = html.range(of: "</thead>", range: a.upperBound..<html.endIndex) else { return nil }
        return String(html[a.upperBound..<b.lowerBound])
    }

    static func matches(_ pattern: String, in s: String) -> [String] {
        let re = try! NSRegularExpression(pattern: pattern)
        let ns = s as NSString
        return re.matches(in: s, range: NSRange(location: 0, length: ns.length)).map { ns.substring(with: $0.range) }
    }

    /// Elements nest and close properly (void elements and `/>` excepted). Returns the first problem.
    static func structureProblem(_ html: String) -> String? {
        let void: Set<String> = ["meta", "br", "wbr", "hr", "img", "input", "link", "col", "source", "area", "base"]
        var body = html
        if let a = body.range(of: "<style>"), let b = body.range(of: "</style>") { body.replaceSubrange(a.lowerBound..<b.upperBound, with: "<style></style>") }
        let re = try! NSRegularExpression(pattern: #"<(/?)([A-Za-z][A-Za-z0-9]*)\b[^>]*?(/?)>"#)
        let ns = body as NSString
        var stack: [String] = []
        for m in re.matches(in: body, range: NSRange(location: 0, length: ns.length)) {
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

    /// The body rows of the checks table.
    static func checkRows(_ html: String) -> [String] {
        guard let start = html.range(of: "<table class=\"grid-table checks-table\">"),
              let end = html.range(of: "</table>", range: start.upperBound..<html.endIndex) else { return [] }
        let table = String(html[start.upperBound..<end.lowerBound])
        guard let body = table.range(of: "<tbody>") else { return [] }
        return Array(String(table[body.upperBound...]).components(separatedBy: "<tr").dropFirst())
    }

    /// The assertions every report must pass.
    static func expectRecordGrade(_ html: String, _ r: PlanResult, _ input: PlanInput, sourceLocation: SourceLocation = #_sourceLocation) {
        // One document, self-contained.
        #expect(html.hasPrefix("<!DOCTYPE html>"), sourceLocation: sourceLocation)
        #expect(count("<html", in: html) == 1 && count("</html>", in: html) == 1, sourceLocation: sourceLocation)
        #expect(count("<head>", in: html) == 1 && count("<body", in: html) == 1, sourceLocation: sourceLocation)
        #expect(count("<style>", in: html) == 1 && count("</style>", in: html) == 1, sourceLocation: sourceLocation)
        #expect(count("<svg", in: html) == count("</svg>", in: html), sourceLocation: sourceLocation)
        #expect(structureProblem(html) == nil, "\(structureProblem(html) ?? "")", sourceLocation: sourceLocation)
        let lower = html.lowercased()
        for banned in ["<script", "<link", "@import", "@font-face", "url(http", "url(//", " src=", "href="] {
            #expect(!lower.contains(banned), "\(banned)", sourceLocation: sourceLocation)
        }
        #expect(lower.contains("@media print") && lower.contains("size: a4"), sourceLocation: sourceLocation)

        // Traceability: version, build, both hashes, time of calculation.
        #expect(!r.dosecalcVersion.isEmpty && !r.inputSha256.isEmpty && !r.referenceDataSha256.isEmpty, sourceLocation: sourceLocation)
        #expect(html.contains(">\(r.dosecalcVersion)<"), sourceLocation: sourceLocation)
        #expect(html.contains(r.buildId), sourceLocation: sourceLocation)
        #expect(html.contains(r.inputSha256), sourceLocation: sourceLocation)
        #expect(html.contains(r.referenceDataSha256), sourceLocation: sourceLocation)
        #expect(html.contains(PlanReport.utcTime(r.calculatedAt) ?? "missing"), sourceLocation: sourceLocation)

        // Patient identification in the header repeated on every page; the status there too.
        let head = runningHeader(html)
        #expect(head?.contains(PlanReport.e(r.patientId)) == true, sourceLocation: sourceLocation)
        #expect(head?.contains("chip chip-\(r.status.rawValue)") == true, sourceLocation: sourceLocation)
        #expect(html.contains("<table class=\"sheet\">"), sourceLocation: sourceLocation)

        // Approval block with blank lines.
        #expect(html.contains("Review and approval"), sourceLocation: sourceLocation)
        for role in ["Prepared by", "Checked by", "Approved by"] { #expect(html.contains(">\(role)<"), sourceLocation: sourceLocation) }
        #expect(count("<td class=\"line\"></td>", in: html) == 9, sourceLocation: sourceLocation)
        #expect(html.contains("dosecalc is a calculation aid; verify against IFU and local protocol"), sourceLocation: sourceLocation)

        // Plain words: no evidence codes, no identifiers, no camelCase.
        let text = visibleText(html)
        #expect(matches(#"\[[VRCDA](?:\]|[ :;,])"#, in: text).isEmpty, "\(matches(#"\[[VRCDA](?:\]|[ :;,])[^\]]*\]?"#, in: text))", sourceLocation: sourceLocation)
        for c in r.checks {
            #expect(!text.contains(c.name), "identifier \(c.name) is visible", sourceLocation: sourceLocation)
        }
        let camel = matches(#"(?<![A-Za-z0-9_])[a-z]{2,}[a-z0-9]*[A-Z][A-Za-z0-9]*"#, in: text)
        #expect(camel.isEmpty, "camelCase: \(Set(camel).sorted())", sourceLocation: sourceLocation)
        for phrase in [".swift", "as the issue", "helper note", "bindingConstraint", "notAnOrder"] {
            #expect(!text.contains(phrase), "\(phrase)", sourceLocation: sourceLocation)
        }

        // Only the rules of the modality.
        let lowerText = text.lowercased()
        if r.chemoembolization != nil || r.modality == "deb" {
            #expect(!lowerText.contains("lung"), "lung text on a DEB report", sourceLocation: sourceLocation)
        } else {
            #expect(!lowerText.contains("doxorubicin"), "doxorubicin text on a radioembolization report", sourceLocation: sourceLocation)
        }

        // Every check has a row with its name in words, value, limit, unit and source.
        let rows = checkRows(html)
        #expect(rows.count == r.checks.count, sourceLocation: sourceLocation)
        for (c, row) in zip(r.checks, rows) {
            #expect(row.contains("<td class=\"name\">\(PlanReport.e(c.title))"), "row of \(c.title)", sourceLocation: sourceLocation)
            #expect(row.contains(">\(c.value.map(PlanReport.readable) ?? "not computed")<"), "value of \(c.title)", sourceLocation: sourceLocation)
            #expect(row.contains("\(PlanReport.e(PlanReport.op(c.kind)))&nbsp;\(Format.number(c.limit))<"), "limit of \(c.title)", sourceLocation: sourceLocation)
            #expect(row.contains(">\(PlanReport.e(c.unit))<"), "unit of \(c.title)", sourceLocation: sourceLocation)
            #expect(row.contains(ReportText.html(c.source, titles: PlanReport.Context(r, input: input).titles)), "source of \(c.title)", sourceLocation: sourceLocation)
            #expect(row.contains("class=\"binding") == c.binding, "binding of \(c.title)", sourceLocation: sourceLocation)
        }

        // A plan that is not an order never looks like one.
        if r.status >= .infeasible {
            #expect(html.contains("<div class=\"banner banner-\(r.status.rawValue)\" role=\"alert\">"), sourceLocation: sourceLocation)
            #expect(html.contains("<div class=\"watermark\""), sourceLocation: sourceLocation)
            #expect(html.contains("Computed values — NOT AN ORDER"), sourceLocation: sourceLocation)
            #expect(!lowerText.contains("target reached") && !html.contains("✓ reached") && !html.contains("✓ pass"), sourceLocation: sourceLocation)
            #expect(!html.contains("<table class=\"grid-table orders-table\">") && !html.contains("Order — one line"), sourceLocation: sourceLocation)
            #expect(!html.contains(": inject ") && !html.contains("% of the vial") && !html.contains("Draws per territory"), sourceLocation: sourceLocation)
            #expect(!html.contains("class=\"figures\"") && !html.contains("badge badge-"), sourceLocation: sourceLocation)
            #expect(!html.contains("Planned treatment:"), sourceLocation: sourceLocation)
        } else {
            #expect(!html.contains("class=\"watermark\"") && !html.contains("class=\"banner"), sourceLocation: sourceLocation)
            #expect(html.contains("badge badge-\(r.status.rawValue)") && html.contains(">\(r.status.rawValue.uppercased())<"), sourceLocation: sourceLocation)
        }
    }

    // MARK: - Reference patients

    @Test("every reference patient renders a record-grade report")
    func referencePatients() throws {
        let files = try Self.patientFiles()
        #expect(files.count >= 10)
        var statuses: Set<Status> = []
        for url in files {
            let (r, input) = try Self.planned(try Data(contentsOf: url))
            statuses.insert(r.status)
            let html = Self.render(r, input, name: url.deletingPathExtension().lastPathComponent)
            Self.expectRecordGrade(html, r, input)
            if let re = r.radioembolization {
                #expect(html.contains("id=\"dose-chart\""))
                #expect(html.contains(Format.fixed(re.activityGBq, 3)))
                for t in re.territories {
                    #expect(html.contains(PlanReport.e(t.name)))
                    for name in t.tumorDosesGy.keys { #expect(html.contains(PlanReport.e(name))) }
                }
                let orders = html.components(separatedBy: "<table class=\"grid-table orders-table\">").dropFirst().first?.components(separatedBy: "</table>").first
                #expect(Self.count("<tr><td class=\"num\">", in: orders ?? "") == (r.status <= .warning ? re.orders.count : 0))
            }
            if let ce = r.chemoembolization {
                if ce.doxorubicinMg > 0, ce.curves.timesH.count >= 2 { #expect(html.contains("id=\"plasma-chart\"")) }
                #expect(html.contains(PlanReport.e(ce.product)))
            }
        }
        #expect(statuses.isSuperset(of: [.ok, .infeasible, .contraindicated]))
    }

    @Test("traceability block: version, build, input and reference-data SHA-256, calculation time in UTC")
    func traceability() throws {
        let (r, input) = try Self.planned(patient: "plan-01-resin-nl-limited")
        let html = Self.render(r, input, name: "traceability")
        let trace = try #require(html.components(separatedBy: "<section class=\"trace\">").dropFirst().first?.components(separatedBy: "</section>").first)
        #expect(trace.contains(r.dosecalcVersion) && r.dosecalcVersion == BuildInfo.version)
        #expect(trace.contains(r.buildId) && r.buildId == BuildInfo.buildID)
        #expect(trace.contains(r.inputSha256) && r.inputSha256.count == 64)
        #expect(trace.contains(r.referenceDataSha256) && r.referenceDataSha256.count == 64)
        #expect(trace.contains("Calculated (UTC)") && trace.contains(r.calculatedAt))
        #expect(PlanReport.utcTime("2026-12-04T02:48:33Z") == "Fri 4 Dec 2026, 02:48:33 UTC")
        // The page margins carry the build and "page n of m".
        #expect(html.contains("@bottom-left") && html.contains("counter(pages)"))
    }

    // MARK: - Patient identification

    static let namedPatient = """
    {"patient": {"id": "GLASS-OK", "name": "Doe, Jane", "dateOfBirth": "1958-07-02", "mrn": "0099812", "heightCm": 180, "weightKg": 85,
      "cirrhosis": false, "histology": "HCC",
      "labs": {"bilirubinMgPerDl": 0.7, "albuminGPerDl": 4.1, "inr": 1.0, "ascites": "none", "encephalopathy": "none"}},
     "anatomy": {"lungShuntPercent": 6, "wholeNormalLiverMassG": 1500,
      "territories": [{"name": "right lobe", "normalLiverMassG": 1000, "tumors": [{"name": "T1", "massG": 200, "tnRatio": 3}]},
                      {"name": "left lobe", "normalLiverMassG": 500, "tumors": [{"name": "T2", "massG": 60, "tnRatio": 2}]}]},
     "treatment": {"modality": "y90-glass", "calibrationTime": "2026-11-29T12:00:00-05:00",
                   "earliestTreatmentTime": "2026-11-30T08:00:00-05:00", "latestTreatmentTime": "2026-12-04T17:00:00-05:00"}}
    """

    @Test("name, date of birth and MRN, when given, are in the header repeated on every page")
    func patientIdentification() throws {
        let (r, input) = try Self.planned(Data(Self.namedPatient.utf8))
        let html = Self.render(r, input, name: "named-glass-ok")
        Self.expectRecordGrade(html, r, input)
        let head = try #require(Self.runningHeader(html))
        for s in ["GLASS-OK", "Doe, Jane", "1958-07-02", "0099812", ">Name <", ">Date of birth <", ">MRN <"] {
            #expect(head.contains(s), "\(s)")
        }
        // Without them, the header has the id only.
        let (r2, input2) = try Self.planned(patient: "plan-01-resin-nl-limited")
        let head2 = try #require(Self.runningHeader(Self.render(r2, input2, name: "unnamed")))
        #expect(head2.contains("PLAN-01") && !head2.contains("Name") && !head2.contains("MRN") && !head2.contains("Date of birth"))
    }

    // MARK: - Orders

    @Test("an OK glass plan: one order row per vial with local administration time and draws per territory")
    func orders() throws {
        let (r, input) = try Self.planned(Data(Self.namedPatient.utf8))
        #expect(r.status == .ok)
        let re = try #require(r.radioembolization)
        #expect(re.orders.count == 2)
        let html = Self.render(r, input, name: "glass-orders")
        let table = try #require(html.components(separatedBy: "<table class=\"grid-table orders-table\">").dropFirst().first?.components(separatedBy: "</table>").first)
        #expect(Self.count("<tr><td class=\"num\">", in: table) == re.orders.count)
        for o in re.orders {
            #expect(table.contains(try #require(o.administrationTimeLocal)))
            #expect(table.contains("(UTC−05:00)"))
            for d in o.draws { #expect(table.contains("<strong>\(PlanReport.e(d.territory))</strong>: inject \(Format.fixed(d.injectedActivityGBq, 3))")) }
        }
        #expect(html.contains("✓ reached"))
        // Times for a person are local: the treatment window as given, read in its own offset.
        #expect(html.contains("Sun 29 Nov 2026, 12:00 (UTC−05:00)"))
        #expect(!Self.visibleText(html).contains("T12:00:00-05:00"))
    }

    // MARK: - Not an order

    @Test("a contraindicated plan: red banner, watermark, no order table, nothing reads as reached")
    func contraindicated() throws {
        let (r, input) = try Self.planned(patient: "contra-prior-lung-50")
        #expect(r.status == .contraindicated)
        let html = Self.render(r, input, name: "contraindicated")
        Self.expectRecordGrade(html, r, input)
        #expect(html.contains("CONTRAINDICATED — do not treat as computed"))
        #expect(html.contains("CONTRAINDICATED<br>NOT AN ORDER"))
        #expect(html.contains("CONTRAINDICATED — NOT AN ORDER"))
        #expect(!html.contains("<table class=\"grid-table orders-table\">") && !html.lowercased().contains("target reached"))
        // The banner comes before every number.
        let banner = try #require(html.range(of: "class=\"banner banner-contraindicated\""))
        let trace = try #require(html.range(of: "<h2>Traceability</h2>"))
        #expect(banner.lowerBound < trace.lowerBound)
    }

    @Test("an infeasible plan: its computed order lines, vial fraction and draw are not shown")
    func infeasible() throws {
        let (r, input) = try Self.planned(patient: "infeasible-resin-72h")
        #expect(r.status == .infeasible)
        let re = try #require(r.radioembolization)
        #expect(re.orders.isEmpty && re.notAnOrder?.isEmpty == false && re.territories.contains { $0.vialFraction != nil })
        #expect(re.territories.contains { $0.targetReached == true })
        let html = Self.render(r, input, name: "infeasible")
        Self.expectRecordGrade(html, r, input)
        #expect(html.contains("INFEASIBLE — cannot be delivered as asked; not an order"))
        #expect(html.contains("at target as computed"))
        let head = try #require(Self.runningHeader(html))
        #expect(head.contains("INFEASIBLE — NOT AN ORDER"))

        let (r2, input2) = try Self.planned(patient: "plan-02-glass-lung-limited")
        let html2 = Self.render(r2, input2, name: "plan-02")
        Self.expectRecordGrade(html2, r2, input2)
        #expect(html2.contains("INFEASIBLE — target out of reach; not an order"))
        #expect(html2.contains("179.8&nbsp;Gy") && html2.contains("(limit ≤ 50)") && html2.contains("(target ≥ 205)"))
        let binding = Self.checkRows(html2).filter { $0.contains("class=\"binding") }
        #expect(binding.count == 1 && binding[0].contains("cumulative lung dose over all treatments"))
    }

    // MARK: - Modality

    @Test("a DEB report: plasma and elution plots, doxorubicin rules, nothing about the lung")
    func deb() throws {
        let (r, input) = try Self.planned(patient: "deb-01-hcc-dc-bead")
        let html = Self.render(r, input, name: "deb-01")
        Self.expectRecordGrade(html, r, input)
        #expect(html.contains("id=\"plasma-chart\"") && html.contains("id=\"elution-chart\"") && !html.contains("id=\"dose-chart\""))
        let text = Self.visibleText(html)
        for s in ["Prior doxorubicin", "Candidates evaluated", "doxorubicin dose in this session", "plasma peak limit 160 ng/mL"] {
            #expect(text.contains(s), "\(s)")
        }
        for s in ["Anatomy", "Prior radioembolization", "Compromised liver", "lung"] { #expect(!text.contains(s), "\(s)") }
    }

    @Test("a radioembolization report: lung and normal-liver limits, no doxorubicin rule")
    func radioembolization() throws {
        let (r, input) = try Self.planned(patient: "multi-01-glass-two-territories")
        let html = Self.render(r, input, name: "multi-01")
        Self.expectRecordGrade(html, r, input)
        let text = Self.visibleText(html)
        for s in ["Lung dose, this treatment", "Lung dose, cumulative", "Whole normal-liver dose", "Per territory", "Tumour T1 · right", "Normal liver · left"] {
            #expect(text.contains(s), "\(s)")
        }
        for s in ["doxorubicin", "Doxorubicin", "chest irradiation", "Prior doxorubicin"] { #expect(!text.contains(s), "\(s)") }
    }

    // MARK: - Escaping

    @Test("user text is HTML-escaped everywhere, SVG and page margins included")
    func escaping() throws {
        let json = """
        {"patient": {"id": "<script>alert(1)</script> & \\"Co\\"", "name": "</style><b>x</b>", "mrn": "'1'", "heightCm": 172, "weightKg": 78, "histology": "HCC",
          "labs": {"bilirubinMgPerDl": 0.9, "albuminGPerDl": 3.9, "inr": 1.1, "ascites": "none", "encephalopathy": "none"},
          "priorTreatments": [{"kind": "y90-glass", "date": "2026-05-12", "lungDoseGy": 5}]},
         "anatomy": {"lungShuntPercent": 8, "wholeNormalLiverMassG": 1200,
          "territories": [{"name": "right <lobe> & 'seg'", "normalLiverMassG": 700, "tumors": [{"name": "T<1>&", "massG": 120, "tnRatio": 3}]}]},
         "treatment": {"modality": "y90-glass"}}
        """
        let (r, input) = try Self.planned(Data(json.utf8))
        let html = Self.render(r, input, name: "escaping")
        Self.expectRecordGrade(html, r, input)
        #expect(!html.contains("<script>") && !html.contains("alert(1)</script>"))
        #expect(Self.count("</style>", in: html) == 1 && !html.contains("<b>x</b>"))
        let head = try #require(Self.runningHeader(html))
        #expect(head.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Co&quot;"))
        #expect(head.contains("&lt;/style&gt;&lt;b&gt;x&lt;/b&gt;") && head.contains("&#39;1&#39;"))
        #expect(!html.contains("<lobe>") && html.contains("right &lt;lobe&gt; &amp; &#39;seg&#39;"))
        #expect(!html.contains("T<1>") && html.contains("T&lt;1&gt;&amp;"))
        let svgStart = try #require(html.range(of: "<svg"))
        #expect(html[svgStart.lowerBound...].contains("Tumour T&lt;1&gt;&amp;"))
        // No raw ampersand that does not start an entity (outside the style sheet).
        let body = html.components(separatedBy: "</style>").last ?? ""
        #expect(Self.matches(#"&(?![a-zA-Z]+;|#[0-9]+;)"#, in: body).isEmpty)
        // CSS strings (page margins) cannot be closed by text.
        let css = PlanReport.cssString("a\"b</style>\\c·d")
        #expect(!css.dropFirst().dropLast().contains("\"") && !css.contains("<") && !css.contains("</style>"))
        #expect(css == "\"a\\000022b\\00003C\\00002Fstyle\\00003E\\00005Cc\\0000B7d\"")
    }

    // MARK: - Plain words

    @Test("evidence codes of the sources are translated into words")
    func evidenceWords() {
        let t: [String: String] = [:]
        #expect(ReportText.html("Leung 1995 [R]; review [V]", titles: t)
                == "Leung 1995 <span class=\"ev ev-r\">(recalled, not verified)</span>; review <span class=\"ev\">(verified)</span>")
        #expect(ReportText.html("[V vial, R practice]", titles: t) == "<span class=\"ev\">(verified: vial; recalled, not verified: practice)</span>")
        #expect(ReportText.html("x [R, unverified]", titles: t) == "x <span class=\"ev ev-r\">(recalled, not verified)</span>")
        #expect(ReportText.html("[R for the last]", titles: t) == "<span class=\"ev ev-r\">(recalled, not verified: for the last)</span>")
        #expect(ReportText.html("[C]/[A] fit", titles: t) == "<span class=\"ev\">(computed)</span>/<span class=\"ev\">(assumption)</span> fit")
        #expect(ReportText.html("[D] from [V: Malagari 2014]", titles: t) == "<span class=\"ev\">(derived)</span> from <span class=\"ev\">(verified: Malagari 2014)</span>")
        #expect(ReportText.html("cost [MBq] & <x>", titles: t) == "cost [MBq] &amp; &lt;x&gt;")
    }

    @Test("identifiers and input fields are written in words; references to source files are dropped")
    func identifierWords() {
        let t = ["lungShunt": "lung shunt"]
        #expect(ReportText.words("plasmaPeakLimitNgPerMl", titles: t) == "plasma peak limit in ng/mL")
        #expect(ReportText.words("tissueTransferDiffusivityCm2PerS", titles: t) == "tissue transfer diffusivity in cm²/s")
        #expect(ReportText.words("peripheralVolume2L", titles: t) == "peripheral volume 2 in L")
        #expect(ReportText.words("lungShuntPercent", titles: t) == "lung shunt (%)")
        #expect(ReportText.words("usableUntilAfterCalibration", titles: t) == "latest use after the vial's calibration")
        #expect(ReportText.words("lungShunt", titles: t) == "lung shunt")
        #expect(ReportText.fieldWords("anatomy.territories[1].excluded") == "anatomy › territory 2 › excluded")
        #expect(ReportText.plain("given in the input (treatment.tumorTargetGy)", titles: t) == "given in the input (“treatment › tumour target in Gy”)")
        #expect(ReportText.plain("bound by lungShunt", titles: t) == "bound by lung shunt")
        #expect(ReportText.plain("bsaFormula (dubois)", titles: t) == "body-surface-area formula (DuBois)")
        #expect(ReportText.plain("as implemented; see the note in Chemoembolization/ModelParameters.swift", titles: t) == "as implemented")
        // Units and trial names are not identifiers.
        #expect(ReportText.plain("263 mCi, 4 mL, mALBI, SIRveNIB, mCRC, pH", titles: t) == "263 mCi, 4 mL, mALBI, SIRveNIB, mCRC, pH")
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
