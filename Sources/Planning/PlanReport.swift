// SPDX-License-Identifier: GPL-3.0-or-later
import DosecalcCore
import Foundation

/// The printable HTML report of a plan (`dosecalc plan --report plan.html`).
///
/// One self-contained page: CSS in a `<style>`, charts as inline SVG, no scripts, no fonts or
/// images from elsewhere, every piece of user text HTML-escaped. Numbers are rounded for reading;
/// the full-precision values are in `dosecalc plan --json`. `@media print` lays it out on A4.
public enum PlanReport {
    public static func html(_ result: PlanResult, input: PlanInput) -> String {
        html(result, input: input, generatedAt: Date())
    }

    /// The report, with the generation time given (nil: omitted), so that tests are reproducible.
    static func html(_ r: PlanResult, input: PlanInput, generatedAt: Date?) -> String {
        var b = ""
        b += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        b += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        b += "<title>dosecalc plan — \(e(r.patientId)) — \(e(modalityLabel(r.modality)))</title>\n"
        b += "<style>\n\(css)\n</style>\n</head>\n<body>\n<main>\n"
        b += header(r, input: input, generatedAt: generatedAt)
        b += inputsSection(r, input: input)
        b += assessmentSection(r.assessment)
        if let re = r.radioembolization {
            b += radioembolizationSection(re, result: r, input: input)
        }
        if let ce = r.chemoembolization {
            b += chemoembolizationSection(ce, result: r)
        }
        if r.radioembolization == nil && r.chemoembolization == nil {
            b += "<section><h2>Plan</h2><p class=\"none\">No plan was computed.</p></section>\n"
        }
        b += checksSection(r.checks)
        b += assumptionsSection(r.assumptions)
        b += "<footer><p><strong>dosecalc is a calculation aid; verify against IFU and local protocol.</strong></p>"
        b += "<p>Numbers are rounded for reading; the full-precision values are printed by <code>dosecalc plan --json</code>. "
        b += "Sources marked [V] were verified against the cited source, [R] are recalled and not verified.</p></footer>\n"
        b += "</main>\n</body>\n</html>\n"
        return b
    }

    // MARK: - Formatting

    /// HTML-escapes user and data text.
    static func e(_ s: String) -> String { ReportSVG.esc(s) }

    /// A number rounded for reading: about four significant digits, at most three decimals,
    /// integers without decimals. 179.8245 → "179.8", 59.9415 → "59.94", 2.77778 → "2.778", 50 → "50".
    static func readable(_ x: Double) -> String {
        guard x.isFinite else { return x.isNaN ? "—" : (x > 0 ? "∞" : "−∞") }
        if x == x.rounded(), abs(x) < 1e9 { return String(Int64(x)) }
        let a = abs(x)
        let decimals = a == 0 ? 0 : max(0, min(3, 3 - Int(floor(log10(a)))))
        let s = String(format: "%.\(decimals)f", x)
        return Double(s) == 0 ? "0" : s
    }

    /// A quantity with its unit, escaped.
    static func q(_ x: Double, _ unit: String) -> String {
        unit.isEmpty ? e(readable(x)) : "\(e(readable(x)))&nbsp;\(e(unit))"
    }

    /// A fixed number of decimals.
    static func f(_ x: Double, _ decimals: Int) -> String { e(Format.fixed(x, decimals)) }

    /// An input value exactly as given (up to six significant digits).
    static func given(_ x: Double, _ unit: String) -> String { "\(e(Format.number(x)))&nbsp;\(e(unit))" }

    static func modalityLabel(_ m: String) -> String {
        switch m {
        case "y90-glass": return "Y-90 glass microspheres (radioembolization)"
        case "y90-resin": return "Y-90 resin microspheres (radioembolization)"
        case "ho166": return "Ho-166 microspheres (radioembolization)"
        case "deb": return "Doxorubicin drug-eluting beads (DEB-TACE)"
        default: return m
        }
    }

    /// An identifier such as "wholeNormalLiverDose (bilobar)", escaped, with invisible line-break
    /// opportunities (`<wbr>`) between its camel-case words so that narrow columns break it there.
    static func breakable(_ name: String) -> String {
        var out = ""
        var previous: Character? = nil
        for ch in name {
            if let p = previous, ch.isUppercase, p.isLowercase { out += "<wbr>" }
            out += e(String(ch))
            previous = ch
        }
        return out
    }

    static func statusExplanation(_ s: Status, _ r: PlanResult? = nil) -> String {
        switch s {
        case .ok:
            guard let re = r?.radioembolization else { return "Every limit holds." }
            if re.tumorTargetGy == nil { return "Every limit holds; no tumour target applies." }
            return re.tumorTargetReached ? "Every limit holds and the tumour target is reached." : "Every limit holds."
        case .warning: return "A soft limit or a recommendation is not met: use with judgement."
        case .infeasible: return "No plan reaches the target under the limits: the best plan the limits allow is shown."
        case .contraindicated: return "A hard safety limit cannot be held: do not treat as computed."
        }
    }

    static func op(_ k: CheckKind) -> String {
        switch k {
        case .atMost: return "≤"
        case .below: return "<"
        case .atLeast: return "≥"
        }
    }

    /// A key–value table.
    static func kv(_ caption: String?, _ rows: [(String, String)], cls: String = "kv") -> String {
        var s = "<table class=\"\(cls)\">"
        if let caption { s += "<caption>\(e(caption))</caption>" }
        s += "<tbody>"
        for (k, v) in rows { s += "<tr><th scope=\"row\">\(e(k))</th><td>\(v)</td></tr>" }
        s += "</tbody></table>\n"
        return s
    }

    /// The plan's date: the treatment time chosen, else the earliest treatment time given.
    static func planDate(_ r: PlanResult, input: PlanInput) -> String? {
        r.radioembolization?.treatmentTime ?? input.treatment.earliestTreatmentTime
    }

    // MARK: - Header

    static func header(_ r: PlanResult, input: PlanInput, generatedAt: Date?) -> String {
        let status = r.status.rawValue
        var s = "<header class=\"top status-\(status)\">\n"
        s += "<div class=\"title\"><p class=\"kicker\">dosecalc — treatment plan</p>"
        s += "<h1>Patient <span class=\"pid\">\(e(r.patientId))</span></h1>"
        s += "<p class=\"meta\"><span>\(e(modalityLabel(r.modality)))</span>"
        if let d = planDate(r, input: input) {
            s += "<span>Plan date (treatment): <strong>\(e(d))</strong></span>"
        } else {
            s += "<span>Plan date (treatment): not scheduled</span>"
        }
        if let g = generatedAt {
            let iso = ISO8601DateFormatter()
            iso.formatOptions = [.withInternetDateTime]
            s += "<span>Report generated \(e(iso.string(from: g)))</span>"
        }
        s += "</p></div>\n"
        s += "<div class=\"badge badge-\(status)\" role=\"status\"><span class=\"word\">\(e(status.uppercased()))</span>"
        s += "<span class=\"why\">\(e(statusExplanation(r.status, r)))</span></div>\n"
        s += "</header>\n"
        if r.status >= .infeasible {
            s += "<div class=\"alert alert-\(status)\"><strong>\(e(status.uppercased())):</strong> \(e(statusExplanation(r.status, r)))</div>\n"
        }
        let unmet = r.checks.filter { !$0.passed }
        if r.status <= .warning, !unmet.isEmpty {
            // The status should already say this; if it does not, the reader must not miss it.
            let names = unmet.map { breakable($0.name) }.joined(separator: ", ")
            if r.status == .ok {
                s += "<div class=\"alert alert-warning\"><strong>Review:</strong> the status is OK but "
                s += "\(unmet.count == 1 ? "this check is" : "these checks are") not met: \(names).</div>\n"
            } else {
                s += "<div class=\"alert alert-warning\"><strong>Not met:</strong> \(names).</div>\n"
            }
        }
        if !r.reasons.isEmpty {
            s += "<section class=\"reasons\"><h2>Reasons</h2><ul>"
            for reason in r.reasons { s += "<li>\(e(reason))</li>" }
            s += "</ul></section>\n"
        }
        s += keyFigures(r)
        return s
    }

    /// The few numbers a reader looks for first.
    static func keyFigures(_ r: PlanResult) -> String {
        var items: [(String, String, String?)] = []
        if let re = r.radioembolization {
            items.append(("Total activity", "\(f(re.activityGBq, 3))&nbsp;GBq", "\(f(re.activityMCi, 1)) mCi"))
            let targetNote = re.tumorTargetGy.map { "target \(Format.number($0)) Gy: " + (re.tumorTargetReached ? "reached" : "NOT reached") } ?? "no tumour target applies"
            items.append(("Common tumour dose", "\(f(re.commonTumorDoseGy, 1))&nbsp;Gy", targetNote))
            if let v = re.vialSizeGBq { items.append(("Vial", "\(e(Format.number(v)))&nbsp;GBq", re.treatmentTime.map { "at \($0)" })) }
            items.append(("Binding constraint", "<span class=\"name\">\(breakable(re.bindingConstraint))</span>", nil))
        }
        if let ce = r.chemoembolization {
            items.append(("Doxorubicin", "\(f(ce.doxorubicinMg, 1))&nbsp;mg", "cap \(Format.fixed(ce.doseCapMg, 1)) mg"))
            items.append(("Loading · beads", "\(f(ce.loadingMgPerMl, 1))&nbsp;mg/mL · \(f(ce.beadVolumeMl, 2))&nbsp;mL", "\(ce.product) \(ce.size) µm"))
            items.append(("Plasma peak", "\(f(ce.plasmaPeakNgPerMl, 1))&nbsp;ng/mL", "at \(Format.fixed(ce.plasmaPeakTimeH * 60, 1)) min"))
            items.append(("Binding constraint", "<span class=\"name\">\(breakable(ce.bindingConstraint))</span>", nil))
        }
        guard !items.isEmpty else { return "" }
        var s = "<section class=\"figures\">"
        for (k, v, sub) in items {
            s += "<div class=\"fig\"><div class=\"k\">\(e(k))</div><div class=\"v\">\(v)</div>"
            if let sub { s += "<div class=\"sub\">\(e(sub))</div>" }
            s += "</div>"
        }
        s += "</section>\n"
        return s
    }

    // MARK: - Inputs

    static func inputsSection(_ r: PlanResult, input: PlanInput) -> String {
        let p = input.patient
        let labs = p.labs
        var s = "<section><h2>Patient and inputs</h2>\n<div class=\"grid\">\n"
        var wide = ""   // tables that need the full width, below the three columns
        var patient: [(String, String)] = [
            ("Patient id", e(p.id)),
            ("Height", given(p.heightCm, "cm")),
            ("Weight", given(p.weightKg, "kg")),
            ("Histology", e(p.histology?.rawValue ?? "not given")),
            ("Cirrhosis", p.cirrhosis.map { $0 ? "yes" : "no" } ?? "not given (the most cautious limit applies)"),
        ]
        if let c = p.priorChestIrradiation { patient.append(("Prior chest irradiation", c ? "yes" : "no")) }
        patient.append(("BSA formula", e(p.bsaFormula ?? "dubois (default)")))
        s += "<div>" + kv("Patient", patient)
        var labRows: [(String, String)] = []
        if let v = labs.bilirubinMgPerDl { labRows.append(("Bilirubin", given(v, "mg/dL"))) }
        if let v = labs.bilirubinUmolPerL { labRows.append(("Bilirubin", "\(given(v, "µmol/L")) <small>(= \(q(r.assessment.bilirubinMgPerDl, "mg/dL")))</small>")) }
        if let v = labs.albuminGPerDl { labRows.append(("Albumin", given(v, "g/dL"))) }
        if let v = labs.albuminGPerL { labRows.append(("Albumin", "\(given(v, "g/L")) <small>(= \(q(r.assessment.albuminGPerDl, "g/dL")))</small>")) }
        labRows.append(("INR", e(Format.number(labs.inr))))
        labRows.append(("Ascites", e(labs.ascites)))
        labRows.append(("Encephalopathy", e(labs.encephalopathy)))
        s += kv("Laboratory values", labRows) + "</div>\n"

        // Anatomy.
        s += "<div>"
        if let a = input.anatomy {
            s += kv("Anatomy", [
                ("Lung shunt", given(a.lungShuntPercent, "%")),
                ("Lung mass", a.lungMassG.map { given($0, "g") } ?? (r.radioembolization.map { "\(given($0.lungMassG, "g")) <small>(default)</small>" } ?? "not given")),
                ("Whole normal-liver mass", given(a.wholeNormalLiverMassG, "g")),
            ])
            wide += "<div><table class=\"grid-table\"><caption>Territories and tumours</caption><thead><tr><th>Territory</th><th class=\"num\">Normal liver (g)</th><th>Tumour</th><th class=\"num\">Mass (g)</th><th class=\"num\">T/N</th></tr></thead><tbody>"
            for t in a.territories {
                let n = max(t.tumors.count, 1)
                wide += "<tr><td rowspan=\"\(n)\">\(e(t.name))</td><td class=\"num\" rowspan=\"\(n)\">\(e(Format.number(t.normalLiverMassG)))</td>"
                if t.tumors.isEmpty { wide += "<td colspan=\"3\">none</td></tr>" }
                for (j, tu) in t.tumors.enumerated() {
                    if j > 0 { wide += "<tr>" }
                    wide += "<td>\(e(tu.name))</td><td class=\"num\">\(e(Format.number(tu.massG)))</td><td class=\"num\">\(e(Format.number(tu.tnRatio)))</td></tr>"
                }
            }
            wide += "</tbody></table></div>\n"
        } else {
            s += kv("Anatomy", [("Anatomy", input.treatment.modality == .deb ? "not given (not used by the DEB plan)" : "not given")])
        }
        s += "</div>\n"

        // Treatment.
        let t = input.treatment
        var tr: [(String, String)] = [("Modality", e(t.modality.rawValue))]
        if t.modality != .deb {
            if let v = t.tumorTargetGy { tr.append(("Tumour target", given(v, "Gy"))) } else {
                tr.append(("Tumour target", r.radioembolization?.tumorTargetGy.map { "\(given($0, "Gy")) <small>(from the constraint set)</small>" } ?? "none applies"))
            }
        }
        if let v = t.calibrationTime { tr.append(("Calibration time", e(v))) }
        if let v = t.earliestTreatmentTime { tr.append(("Earliest treatment time", e(v))) }
        if let v = t.latestTreatmentTime { tr.append(("Latest treatment time", e(v))) }
        if let v = t.residualPercent { tr.append(("Residual in vial and lines", given(v, "%"))) }
        if let v = t.wholeNormalLiverLimitGy { tr.append(("Whole normal-liver limit (override)", given(v, "Gy"))) }
        if let v = t.perfusedNormalLiverLimitGy { tr.append(("Perfused normal-liver limit (override)", given(v, "Gy"))) }
        if let v = t.product { tr.append(("Product", e(v))) }
        if let v = t.sizes { tr.append(("Sizes", e(v.joined(separator: ", ")) + "&nbsp;µm")) }
        if let v = t.targetDoxorubicinMg { tr.append(("Target doxorubicin", given(v, "mg"))) }
        if let v = t.plasmaPeakLimitNgPerMl { tr.append(("Plasma peak limit", given(v, "ng/mL"))) }
        if let v = t.maxBeadVolumeMl { tr.append(("Largest bead volume", given(v, "mL"))) }
        if let v = t.loadingsMgPerMl { tr.append(("Loadings", e(v.map { Format.number($0) }.joined(separator: ", ")) + "&nbsp;mg/mL")) }

        // Prior treatments.
        if let prior = p.priorTreatments, !prior.isEmpty {
            wide += "<div><table class=\"grid-table\"><caption>Prior treatments</caption><thead><tr><th>Kind</th><th>Date</th><th class=\"num\">Lung dose (Gy)</th><th class=\"num\">Doxorubicin (mg)</th></tr></thead><tbody>"
            for pt in prior {
                wide += "<tr><td>\(e(pt.kind.rawValue))</td><td>\(e(pt.date ?? "—"))</td><td class=\"num\">\(pt.lungDoseGy.map { e(Format.number($0)) } ?? "—")</td><td class=\"num\">\(pt.doxorubicinMg.map { e(Format.number($0)) } ?? "—")</td></tr>"
            }
            wide += "</tbody></table></div>\n"
        } else {
            tr.append(("Prior treatments", "none given"))
        }
        s += "<div>" + kv("Treatment asked for", tr)
        s += "</div>\n</div>\n"
        if !wide.isEmpty { s += "<div class=\"grid grid2\">\n\(wide)</div>\n" }
        s += "</section>\n"
        return s
    }

    // MARK: - Assessment

    static func assessmentSection(_ a: AssessmentSummary) -> String {
        let points = ["bilirubin", "albumin", "inr", "ascites", "encephalopathy"].compactMap { k in
            a.childPughPoints[k].map { "\(k == "inr" ? "INR" : k) \($0)" }
        } + a.childPughPoints.keys.sorted().filter { !["bilirubin", "albumin", "inr", "ascites", "encephalopathy"].contains($0) }
            .map { "\($0) \(a.childPughPoints[$0]!)" }
        var s = "<section><h2>Assessment</h2>\n<div class=\"grid\">\n"
        s += "<div>" + kv("Liver reserve", [
            ("ALBI score", f(a.albiScore, 3)),
            ("ALBI grade", "\(a.albiGrade) <small>(mALBI \(e(a.mAlbiGrade)))</small>"),
            ("Child–Pugh", "\(a.childPughScore) points, class <strong>\(e(a.childPughClass))</strong>"),
            ("Child–Pugh points", e(points.joined(separator: ", "))),
            ("Cirrhosis", a.cirrhosis.map { $0 ? "yes" : "no" } ?? "not given"),
            ("Compromised liver", a.compromisedLiver.map { $0 ? "yes <small>(cirrhosis, Child–Pugh B/C or prior radioembolization)</small>" : "no" } ?? "unknown <small>(cirrhosis not given: the most cautious limit applies)</small>"),
        ]) + "</div>\n"
        s += "<div>" + kv("Body and labs used", [
            ("BSA", "\(f(a.bsaM2, 3))&nbsp;m² <small>(\(e(a.bsaFormula == "dubois" ? "DuBois" : a.bsaFormula == "mosteller" ? "Mosteller" : a.bsaFormula)))</small>"),
            ("Bilirubin", q(a.bilirubinMgPerDl, "mg/dL")),
            ("Albumin", q(a.albuminGPerDl, "g/dL")),
        ]) + "</div>\n"
        s += "<div>" + kv("Prior treatments and doxorubicin", [
            ("Prior lung dose", q(a.priorLungDoseGy, "Gy")),
            ("Prior doxorubicin", "\(q(a.priorDoxorubicinMg, "mg")) <small>(\(q(a.priorDoxorubicinMgPerM2, "mg/m²")))</small>"),
        ]) + "</div>\n"
        s += "</div>\n</section>\n"
        return s
    }

    // MARK: - Radioembolization plan

    static func radioembolizationSection(_ re: RadioembolizationPlan, result r: PlanResult, input: PlanInput) -> String {
        var s = "<section><h2>Plan — radioembolization</h2>\n<div class=\"grid grid2\">\n"
        var rows: [(String, String)] = [
            ("Device", e(re.device)),
            ("Total activity", "<strong>\(f(re.activityGBq, 3))&nbsp;GBq</strong> (\(f(re.activityMCi, 1))&nbsp;mCi)"),
        ]
        if let v = re.vialSizeGBq { rows.append(("Vial (at calibration)", "\(e(Format.number(v)))&nbsp;GBq")) }
        if let t = re.treatmentTime {
            rows.append(("Treatment time", "<strong>\(e(t))</strong>" + (re.hoursAfterCalibration.map { " <small>(\(f($0, 1)) h after calibration)</small>" } ?? "")))
        } else {
            rows.append(("Treatment time", "not chosen"))
        }
        if let o = re.orderActivityAtTreatmentGBq { rows.append(("Order (at treatment time)", "\(f(o, 3))&nbsp;GBq")) }
        if let o = re.orderActivityAtCalibrationGBq { rows.append(("Order (at calibration)", "\(f(o, 3))&nbsp;GBq")) }
        rows.append(("Residual in vial and lines", q(re.residualPercent, "%")))
        s += "<div>" + kv("Prescription", rows) + "</div>\n"

        var doses: [(String, String)] = [
            ("Common tumour dose", "<strong>\(f(re.commonTumorDoseGy, 1))&nbsp;Gy</strong>"),
            ("Largest common tumour dose allowed", "\(f(re.maximumCommonTumorDoseGy, 1))&nbsp;Gy"),
        ]
        if let t = re.tumorTargetGy {
            doses.append(("Tumour target", "\(e(Format.number(t)))&nbsp;Gy — " + (re.tumorTargetReached ? "<span class=\"ok\">reached</span>" : "<span class=\"bad\">NOT reached</span>")
                          + (re.tumorTargetSource.map { "<br><small>\(e($0))</small>" } ?? "")))
        } else {
            doses.append(("Tumour target", "none applies: the largest activity the limits allow"))
        }
        doses += [
            ("Binding constraint", "<span class=\"binding-name\">\(breakable(re.bindingConstraint))</span>"),
            ("Whole normal-liver dose", "\(f(re.wholeNormalLiverDoseGy, 1))&nbsp;Gy"),
            ("Lung dose", "\(f(re.lungDoseGy, 2))&nbsp;Gy"),
            ("Cumulative lung dose", "\(f(re.cumulativeLungDoseGy, 2))&nbsp;Gy <small>(prior \(q(r.assessment.priorLungDoseGy, "Gy")))</small>"),
            ("Lung shunt · lung mass", "\(q(re.lungShuntPercent, "%")) · \(q(re.lungMassG, "g"))"),
            ("Dose factor", q(re.doseFactorGyKgPerGBq, "Gy·kg/GBq")),
        ]
        s += "<div>" + kv("Doses", doses) + "</div>\n</div>\n"

        // Territories.
        let showVial = re.territories.contains { $0.vialSizeGBq != nil }
        let showFraction = re.territories.contains { $0.vialFraction != nil }
        s += "<table class=\"grid-table\"><caption>Per territory</caption><thead><tr><th>Territory</th><th class=\"num\">Normal liver (g)</th><th class=\"num\">Prescribed (GBq)</th><th class=\"num\">Activity (GBq)</th>"
        if showVial { s += "<th class=\"num\">Vial (GBq)</th>" }
        if showFraction { s += "<th class=\"num\">Draw of vial</th>" }
        s += "<th class=\"num\">Normal-liver dose (Gy)</th><th>Tumour doses (Gy)</th></tr></thead><tbody>"
        for t in re.territories {
            s += "<tr><td>\(e(t.name))</td><td class=\"num\">\(e(Format.number(t.normalLiverMassG)))</td><td class=\"num\">\(f(t.prescribedActivityGBq, 3))</td><td class=\"num\"><strong>\(f(t.activityGBq, 3))</strong></td>"
            if showVial { s += "<td class=\"num\">\(t.vialSizeGBq.map { e(Format.number($0)) } ?? "—")</td>" }
            if showFraction { s += "<td class=\"num\">\(t.vialFraction.map { "\(f(100 * $0, 1))&nbsp;%" } ?? "—")</td>" }
            let tumours = tumourOrder(t, input: input).map { "\(e($0)) \(f(t.tumorDosesGy[$0] ?? .nan, 1))" }.joined(separator: "; ")
            s += "<td class=\"num\">\(f(t.normalLiverDoseGy, 1))</td><td>\(tumours)</td></tr>"
        }
        s += "</tbody></table>\n"

        s += "<figure class=\"chart-fig\"><figcaption>Absorbed dose per compartment against its limit and target</figcaption>\n"
        s += ReportSVG.doseBarChart(doseBars(re, checks: r.checks, input: input), unit: "Gy", axisTitle: "absorbed dose (Gy)", id: "dose-chart")
        s += "\n</figure>\n</section>\n"
        return s
    }

    /// Tumour names of a territory in input order (the plan stores them in a dictionary).
    static func tumourOrder(_ t: TerritoryPlan, input: PlanInput) -> [String] {
        let fromInput = input.anatomy?.territories.first { $0.name == t.name }?.tumors.map(\.name) ?? []
        let known = fromInput.filter { t.tumorDosesGy[$0] != nil }
        return known + t.tumorDosesGy.keys.sorted().filter { !known.contains($0) }
    }

    /// The bars of the dose chart: each tumour, each territory's normal liver, the whole normal liver,
    /// the lung and the cumulative lung, with the limit or target that applies (read from the checks).
    static func doseBars(_ re: RadioembolizationPlan, checks: [Check], input: PlanInput) -> [ReportSVG.DoseBar] {
        func matching(_ pred: (String) -> Bool) -> [Check] {
            checks.filter { pred($0.name.lowercased().replacingOccurrences(of: " ", with: "")) && $0.unit == "Gy" }
        }
        func limit(_ cs: [Check]) -> (Double?, Bool) {
            let upper = cs.filter { $0.kind != .atLeast }
            return (upper.map(\.limit).min(), upper.contains { $0.binding })
        }
        let perfused = limit(matching { $0.contains("perfusednormalliver") || $0.contains("territorynormalliver") })
        let whole = limit(matching { $0.contains("wholenormalliver") })
        let lung = limit(matching { $0.hasPrefix("lungdose") })
        let cumulative = limit(matching { $0.hasPrefix("cumulativelung") })
        let targetCheck = checks.first { $0.kind == .atLeast && $0.name.lowercased().contains("tumortarget") }
        let target = re.tumorTargetGy ?? targetCheck?.limit
        let targetBinding = targetCheck?.binding ?? (re.bindingConstraint == "tumorTarget")
        let many = re.territories.count > 1
        var bars: [ReportSVG.DoseBar] = []
        for t in re.territories {
            for name in tumourOrder(t, input: input) {
                let d = t.tumorDosesGy[name] ?? .nan
                bars.append(.init(label: many ? "Tumour \(name) · \(t.name)" : "Tumour \(name)", group: .tumor, value: d,
                                  target: target, binding: targetBinding && target.map { abs(d - $0) <= 1e-6 * $0 } == true))
            }
        }
        let maxNL = re.territories.map(\.normalLiverDoseGy).max() ?? 0
        for t in re.territories {
            bars.append(.init(label: "Normal liver · \(t.name)", group: .normalTissue, value: t.normalLiverDoseGy, limit: perfused.0,
                              binding: perfused.1 && t.normalLiverDoseGy == maxNL))
        }
        bars.append(.init(label: "Whole normal liver", group: .normalTissue, value: re.wholeNormalLiverDoseGy, limit: whole.0, binding: whole.1))
        bars.append(.init(label: "Lung", group: .normalTissue, value: re.lungDoseGy, limit: lung.0, binding: lung.1))
        bars.append(.init(label: "Lung, cumulative", group: .normalTissue, value: re.cumulativeLungDoseGy, limit: cumulative.0, binding: cumulative.1))
        return bars
    }

    // MARK: - DEB plan

    static func chemoembolizationSection(_ c: ChemoembolizationPlan, result r: PlanResult) -> String {
        var s = "<section><h2>Plan — DEB-TACE</h2>\n<div class=\"grid grid2\">\n"
        s += "<div>" + kv("Prescription", [
            ("Product", e(c.product)),
            ("Bead size", "\(e(c.size))&nbsp;µm"),
            ("Doxorubicin dose", "<strong>\(f(c.doxorubicinMg, 1))&nbsp;mg</strong>"),
            ("Loading", "\(f(c.loadingMgPerMl, 1))&nbsp;mg/mL"),
            ("Bead volume", "<strong>\(f(c.beadVolumeMl, 2))&nbsp;mL</strong>"),
            ("Session dose cap", "\(f(c.doseCapMg, 1))&nbsp;mg <small>(\(e(c.doseCapRule)))</small>"),
            ("Binding constraint", "<span class=\"binding-name\">\(breakable(c.bindingConstraint))</span>"),
        ]) + "</div>\n"
        let days = c.elutedPercentByDay.keys.sorted { (Double($0) ?? .infinity, $0) < (Double($1) ?? .infinity, $1) }
        var pk: [(String, String)] = [
            ("Plasma peak", "<strong>\(f(c.plasmaPeakNgPerMl, 1))&nbsp;ng/mL</strong> <small>at \(f(c.plasmaPeakTimeH * 60, 1)) min</small>"),
            ("Tissue peak", "\(f(c.tissuePeakUM, 2))&nbsp;µM"),
            ("Tissue AUC (28 d)", "\(f(c.tissueAucUgHPerMl, 0))&nbsp;µg·h/mL"),
        ]
        if !days.isEmpty {
            pk.append(("Eluted", days.map { "day \(e($0)): \(f(c.elutedPercentByDay[$0]!, 1))&nbsp;%" }.joined(separator: "; ")))
        }
        s += "<div>" + kv("Exposure (model)", pk) + "</div>\n</div>\n"

        if !c.candidates.isEmpty {
            let shown = c.candidates.prefix(25)
            s += "<table class=\"grid-table\"><caption>Candidates evaluated (best first)</caption><thead><tr><th>Size (µm)</th><th class=\"num\">Loading (mg/mL)</th><th class=\"num\">Dose (mg)</th><th class=\"num\">Beads (mL)</th><th class=\"num\">Plasma peak (ng/mL)</th><th class=\"num\">Tissue AUC (µg·h/mL)</th><th>Limited by</th></tr></thead><tbody>"
            for (i, k) in shown.enumerated() {
                s += "<tr\(i == 0 ? " class=\"chosen\"" : "")><td>\(e(k.size))\(i == 0 ? " <small>(chosen)</small>" : "")</td><td class=\"num\">\(f(k.loadingMgPerMl, 1))</td><td class=\"num\">\(f(k.doxorubicinMg, 1))</td><td class=\"num\">\(f(k.beadVolumeMl, 2))</td><td class=\"num\">\(f(k.plasmaPeakNgPerMl, 1))</td><td class=\"num\">\(f(k.tissueAucUgHPerMl, 0))</td><td>\(breakable(k.limitedBy))</td></tr>"
            }
            s += "</tbody></table>\n"
            if c.candidates.count > shown.count {
                s += "<p class=\"note\">\(c.candidates.count - shown.count) more candidates in <code>dosecalc plan --json</code>.</p>\n"
            }
        }

        let cv = c.curves
        let n = min(cv.timesH.count, cv.plasmaNgPerMl.count, cv.tissueUM.count, cv.elutedPercent.count)
        let end = cv.timesH.prefix(n).filter(\.isFinite).max() ?? 0
        if n >= 2, end > 1.0 / 60 {
            let plasmaLimit = r.checks.first { $0.unit == "ng/mL" && $0.kind != .atLeast }?.limit
            let xAxis = ReportSVG.logTimeAxis(title: "time after injection (h, log scale; ticks in min, h, d)", fromH: 1.0 / 60, toH: end)
            let pMax = max(cv.plasmaNgPerMl.prefix(n).filter(\.isFinite).max() ?? 0, plasmaLimit ?? 0, c.plasmaPeakNgPerMl)
            s += "<figure class=\"chart-fig\"><figcaption>Plasma doxorubicin concentration</figcaption>\n"
            s += ReportSVG.lineChart(
                series: [.init(name: "plasma doxorubicin", xs: Array(cv.timesH.prefix(n)), ys: Array(cv.plasmaNgPerMl.prefix(n)), color: "#b91c1c")],
                x: xAxis, y: ReportSVG.linearAxis(title: "plasma (ng/mL)", dataMax: pMax),
                hLines: plasmaLimit.map { [.init(y: $0, label: "plasma peak limit \(Format.number($0)) ng/mL", color: "#7f1d1d")] } ?? [],
                id: "plasma-chart", ariaLabel: "plasma doxorubicin concentration against time")
            s += "\n</figure>\n"
            let tMax = max(cv.tissueUM.prefix(n).filter(\.isFinite).max() ?? 0, c.tissuePeakUM)
            s += "<figure class=\"chart-fig\"><figcaption>Drug eluted from the beads and tissue concentration</figcaption>\n"
            s += ReportSVG.lineChart(
                series: [
                    .init(name: "eluted (% of dose)", xs: Array(cv.timesH.prefix(n)), ys: Array(cv.elutedPercent.prefix(n)), color: "#1d4ed8"),
                    .init(name: "tissue (µM)", xs: Array(cv.timesH.prefix(n)), ys: Array(cv.tissueUM.prefix(n)), color: "#047857", dash: "6 3", rightAxis: true),
                ],
                x: xAxis, y: ReportSVG.linearAxis(title: "eluted (% of dose)", dataMax: 100, fixedMax: 100),
                y2: ReportSVG.linearAxis(title: "tissue (µM)", dataMax: tMax),
                id: "elution-chart", ariaLabel: "percent eluted and tissue concentration against time")
            s += "\n</figure>\n"
        } else {
            s += "<p class=\"note\">No time curves in this plan.</p>\n"
        }
        s += "</section>\n"
        return s
    }

    // MARK: - Checks and assumptions

    static func checksSection(_ checks: [Check]) -> String {
        var s = "<section class=\"checks\"><h2>Checks</h2>\n"
        guard !checks.isEmpty else { return s + "<p class=\"none\">No checks.</p></section>\n" }
        s += "<table class=\"grid-table checks-table\"><thead><tr><th>Check</th><th class=\"num\">Value</th><th class=\"num\">Limit</th><th>Unit</th><th class=\"num\">Margin</th><th>Result</th><th>Source</th></tr></thead><tbody>\n"
        for c in checks {
            var cls: [String] = []
            if c.binding { cls.append("binding") }
            if !c.passed { cls.append(c.severity == .hard ? "fail-hard" : "fail-soft") }
            let result: String
            if c.passed { result = "<span class=\"ok\">✓ pass</span>" } else if c.state == .notEvaluated {
                result = "<span class=\"warn\">not evaluated</span>"
            } else if c.severity == .hard {
                result = "<span class=\"bad\">✗ FAIL</span>"
            } else { result = "<span class=\"warn\">✗ not met</span>" }
            let kind = c.kind == .atLeast ? "target" : (c.severity == .hard ? "hard limit" : "soft limit")
            s += "<tr\(cls.isEmpty ? "" : " class=\"\(cls.joined(separator: " "))\"")>"
            s += "<td class=\"name\">\(breakable(c.name))\(c.binding ? " <span class=\"tag\">binding</span>" : "")</td>"
            s += "<td class=\"num\">\(e(c.value.map(readable) ?? "not computed"))</td>"
            s += "<td class=\"num\">\(e(op(c.kind)))&nbsp;\(e(Format.number(c.limit)))</td>"
            s += "<td>\(e(c.unit))</td>"
            s += "<td class=\"num\">\(e(c.margin.map(readable) ?? "—"))</td>"
            s += "<td class=\"res\">\(result)<br><small>\(kind)</small></td>"
            s += "<td class=\"src\">\(e(c.source))</td></tr>\n"
        }
        s += "</tbody></table>\n<p class=\"note\">Margin: limit − value for upper limits, value − target for targets; negative when not met. "
        s += "The binding check is the limit (or target) that fixed the plan.</p>\n</section>\n"
        return s
    }

    static func assumptionsSection(_ a: [Assumption]) -> String {
        var s = "<section class=\"assumptions\"><h2>Constants and assumptions</h2>\n"
        guard !a.isEmpty else { return s + "<p class=\"none\">None.</p></section>\n" }
        s += "<table class=\"grid-table\"><thead><tr><th>Name</th><th class=\"num\">Value</th><th>Unit</th><th>Source</th></tr></thead><tbody>\n"
        for x in a {
            s += "<tr><td class=\"name\">\(breakable(x.name))</td><td class=\"num\">\(e(Format.number(x.value)))</td><td>\(e(x.unit))</td><td class=\"src\">\(e(x.source))</td></tr>\n"
        }
        s += "</tbody></table>\n</section>\n"
        return s
    }

    // MARK: - Style

    static let css = """
    :root { --ok: #166534; --ok-bg: #dcfce7; --warn: #92400e; --warn-bg: #fef3c7; --bad: #991b1b; --bad-bg: #fee2e2;
            --line: #d4d4d8; --muted: #52525b; --head: #f4f4f5; --bind: #d97706; --bind-bg: #fff7e6; }
    * { box-sizing: border-box; }
    html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
    body { margin: 0; font-family: "DejaVu Sans", "Helvetica Neue", Helvetica, Arial, sans-serif; font-size: 13px;
           line-height: 1.4; color: #18181b; background: #fff; }
    main { max-width: 1000px; margin: 0 auto; padding: 20px 24px 32px; }
    h1 { font-size: 24px; margin: 2px 0 6px; }
    h2 { font-size: 16px; margin: 22px 0 8px; padding-bottom: 3px; border-bottom: 2px solid #27272a; }
    small { color: var(--muted); font-size: 11px; }
    code { font-family: "DejaVu Sans Mono", monospace; font-size: 12px; }
    .top { display: flex; gap: 18px; align-items: stretch; justify-content: space-between; border-bottom: 3px solid #27272a; padding-bottom: 12px; }
    .kicker { margin: 0; text-transform: uppercase; letter-spacing: .08em; font-size: 11px; color: var(--muted); }
    .pid { font-family: "DejaVu Sans Mono", monospace; word-break: break-all; }
    .meta { margin: 0; display: flex; flex-wrap: wrap; gap: 4px 16px; color: #3f3f46; }
    .badge { min-width: 240px; max-width: 330px; padding: 10px 14px; border-radius: 8px; border: 3px solid; display: flex; flex-direction: column; justify-content: center; text-align: center; }
    .badge .word { font-size: 28px; font-weight: 800; letter-spacing: .04em; }
    .badge .why { font-size: 12px; }
    .badge-contraindicated .word { font-size: 22px; letter-spacing: .01em; }
    .alert.alert-warning { border-color: #b45309; background: var(--warn-bg); color: var(--warn); }
    .badge-ok { color: var(--ok); background: var(--ok-bg); border-color: var(--ok); }
    .badge-warning { color: var(--warn); background: var(--warn-bg); border-color: #d97706; }
    .badge-infeasible, .badge-contraindicated { color: #fff; background: #b91c1c; border-color: #7f1d1d; }
    .alert { margin: 12px 0 0; padding: 10px 14px; border-radius: 6px; font-size: 15px; border: 2px solid #7f1d1d; background: var(--bad-bg); color: var(--bad); }
    .reasons h2 { margin-top: 14px; }
    .reasons ul { margin: 4px 0; padding-left: 20px; }
    .reasons li { margin: 2px 0; }
    .figures { display: grid; grid-template-columns: repeat(auto-fit, minmax(200px, 1fr)); gap: 8px; margin-top: 14px; }
    .fig { border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px; background: #fafafa; }
    .fig .k { font-size: 11px; text-transform: uppercase; letter-spacing: .05em; color: var(--muted); }
    .fig .v { font-size: 18px; font-weight: 700; overflow-wrap: anywhere; }
    .fig .v .name { font-size: 15px; overflow-wrap: break-word; }
    .fig .sub { font-size: 11px; color: var(--muted); }
    .grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(290px, 1fr)); gap: 6px 18px; align-items: start; }
    .grid2 { grid-template-columns: repeat(auto-fit, minmax(380px, 1fr)); }
    table { border-collapse: collapse; width: 100%; margin: 6px 0 10px; }
    caption { text-align: left; font-weight: 700; padding: 2px 0 4px; }
    th, td { border-bottom: 1px solid var(--line); padding: 3px 6px; vertical-align: top; text-align: left; }
    .kv th { width: 44%; font-weight: 600; color: #3f3f46; }
    .grid-table thead th { background: var(--head); border-bottom: 2px solid #a1a1aa; font-size: 12px; }
    .grid-table td { font-size: 12.5px; }
    .num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
    .ok { color: var(--ok); font-weight: 700; }
    .warn { color: var(--warn); font-weight: 700; }
    .bad { color: var(--bad); font-weight: 700; }
    .binding-name { font-weight: 700; color: #7c2d12; background: var(--bind-bg); border: 1px solid var(--bind); border-radius: 4px; padding: 0 5px; }
    tr.binding td { background: var(--bind-bg); }
    tr.binding td:first-child { box-shadow: inset 4px 0 0 var(--bind); }
    tr.fail-hard td { background: var(--bad-bg); }
    tr.fail-soft td { background: var(--warn-bg); }
    tr.chosen td { background: #eef6ff; font-weight: 600; }
    .tag { display: inline-block; font-size: 10px; font-weight: 700; text-transform: uppercase; color: #fff; background: var(--bind); border-radius: 3px; padding: 0 4px; }
    .checks-table .name { font-weight: 600; overflow-wrap: break-word; min-width: 150px; }
    .checks-table .res { white-space: nowrap; }
    .src { font-size: 11px; color: #3f3f46; }
    .note, .none { color: var(--muted); font-size: 12px; }
    figure.chart-fig { margin: 14px 0; border: 1px solid var(--line); border-radius: 6px; padding: 8px; }
    figcaption { font-weight: 700; margin-bottom: 4px; }
    svg.chart { width: 100%; height: auto; display: block; font-family: "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; }
    svg .grid { stroke: #e4e4e7; stroke-width: 1; }
    svg .axis { stroke: #3f3f46; stroke-width: 1.2; }
    svg .frame { fill: none; stroke: #3f3f46; stroke-width: 1.2; }
    svg .stripe { fill: #f4f4f5; }
    svg .tk { font-size: 11px; fill: #3f3f46; }
    svg .at { font-size: 12px; fill: #18181b; font-weight: 600; }
    svg .lg { font-size: 11px; fill: #18181b; }
    svg .lb { font-size: 12px; fill: #18181b; }
    svg .an { font-size: 11px; fill: #3f3f46; }
    svg .an.over { fill: #b91c1c; font-weight: 700; }
    svg .bd { font-weight: 700; fill: #b45309; }
    svg .rl { font-size: 11px; font-weight: 600; }
    footer { margin-top: 26px; padding-top: 8px; border-top: 2px solid #27272a; font-size: 12px; }
    footer p { margin: 3px 0; }
    @page { size: A4; margin: 12mm 11mm 14mm; }
    @media print {
      body { font-size: 8.5pt; }
      .grid { grid-template-columns: repeat(3, 1fr); gap: 4px 12px; }
      .grid2 { grid-template-columns: repeat(2, 1fr); }
      .figures { grid-template-columns: repeat(4, 1fr); }
      .fig .v { font-size: 13pt; }
      .fig .v .name { font-size: 10pt; }
      .kv th { font-size: 8.5pt; }
      .checks-table .name { min-width: 0; width: 20%; }
      main { max-width: none; padding: 0; }
      h1 { font-size: 18pt; }
      h2 { font-size: 12pt; margin-top: 12pt; break-after: avoid; page-break-after: avoid; }
      .badge .word { font-size: 20pt; }
      .badge-contraindicated .word { font-size: 15pt; }
      .grid-table td, .grid-table thead th { font-size: 8.5pt; }
      .src { font-size: 7.5pt; }
      thead { display: table-header-group; }
      tr, figure.chart-fig, .kv, .fig, .badge, .alert { break-inside: avoid; page-break-inside: avoid; }
      caption { break-after: avoid; }
      figure.chart-fig { border: none; padding: 0; }
      footer { break-inside: avoid; }
    }
    """
}
