// SPDX-License-Identifier: GPL-3.0-or-later
import ClinicalPolicy
import DosecalcCore
import Uncertainty
import Foundation

/// The printable HTML report of a plan (`dosecalc plan --report plan.html`), fit to be filed in the
/// patient record.
///
/// One self-contained page: CSS in a `<style>`, charts as inline SVG, no scripts, no fonts or images
/// from elsewhere, every piece of user and data text HTML-escaped. Printed (A4), every page repeats
/// the patient identification and the status (the page is one table whose `<thead>` Chromium repeats
/// on every printed page), and the page margins carry the traceability line and "page n of m". A plan
/// that is infeasible or contraindicated is never laid out as an order: a red banner, a watermark on
/// every page, no order lines, no vial fractions or draws, and its numbers only in a section marked
/// "computed values, not an order". Numbers are rounded for reading; the full-precision values are in
/// `dosecalc plan --json`.
public enum PlanReport {
    public static func html(_ result: PlanResult, input: PlanInput) -> String {
        html(result, input: input, generatedAt: Date())
    }

    /// The report, with the time it is written given (nil: omitted), so that tests are reproducible.
    static func html(_ r: PlanResult, input: PlanInput, generatedAt: Date?) -> String {
        let x = Context(r, input: input)
        var b = ""
        b += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        b += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        b += "<title>dosecalc plan — \(e(r.patientId)) — \(e(modalityLabel(r.modality)))</title>\n"
        b += "<style>\n\(css)\n\(pageCSS(x))\n</style>\n</head>\n<body class=\"status-\(r.status.rawValue)\">\n"
        if x.notAnOrder {
            // `position: fixed` boxes repeat on every printed page.
            b += "<div class=\"watermark\" aria-hidden=\"true\">\(e(r.status.rawValue.uppercased()))<br>NOT AN ORDER</div>\n"
        }
        b += "<table class=\"sheet\">\n<thead class=\"running\"><tr><td>\n\(runningHeader(x))</td></tr></thead>\n"
        b += "<tbody><tr><td>\n<main>\n"
        b += titleBlock(x)
        b += traceabilitySection(x, generatedAt: generatedAt)
        b += patientSection(x)
        b += assessmentSection(x)
        if let re = r.radioembolization { b += radioembolizationSection(re, x) }
        if let ce = r.chemoembolization { b += chemoembolizationSection(ce, x) }
        if r.radioembolization == nil && r.chemoembolization == nil {
            b += "<section><h2>Plan</h2><p class=\"none\">No plan was computed.</p></section>\n"
        }
        if let u = r.uncertainty { b += uncertaintySection(u, x) }
        b += checksSection(x)
        b += assumptionsSection(x)
        b += legendSection(x)
        b += approvalSection(x)
        b += "<footer><p><strong>dosecalc is a calculation aid; verify against IFU and local protocol.</strong></p>"
        b += "<p>Numbers are rounded for reading; the full-precision values are printed by <code>dosecalc plan --json</code>, "
        b += "and the plan is recomputed from its canonical input, identified by the input SHA-256 above.</p></footer>\n"
        b += "</main>\n</td></tr></tbody>\n</table>\n</body>\n</html>\n"
        return b
    }

    // MARK: - Context

    /// What every part of the page needs to know about the plan.
    struct Context {
        let r: PlanResult
        let input: PlanInput
        /// Infeasible or contraindicated: nothing on the page may read as an order.
        let notAnOrder: Bool
        let isDEB: Bool
        /// Check identifier → its name in words, where every check of that identifier has the same words.
        let titles: [String: String]

        init(_ r: PlanResult, input: PlanInput) {
            self.r = r
            self.input = input
            notAnOrder = r.status >= .infeasible
            isDEB = r.chemoembolization != nil || r.modality == Modality.deb.rawValue
            var t: [String: Set<String>] = [:]
            for c in r.checks { t[c.name, default: []].insert(c.title) }
            titles = t.compactMapValues { $0.count == 1 ? $0.first : nil }
        }

        /// Data text (sources, reasons, notes) for the page: identifiers in words, evidence codes
        /// translated, escaped.
        func prose(_ s: String) -> String { ReportText.html(s, titles: titles) }

        /// An identifier (binding constraint, candidate's limiting check, assumption name) in words, escaped.
        func words(_ id: String) -> String { e(ReportText.phrase(id, titles: titles)) }

        /// The name of a binding constraint in words: the title of its check when there is one.
        func bindingWords(_ id: String) -> String {
            if let c = r.checks.first(where: { $0.name == id && $0.binding }) ?? r.checks.first(where: { $0.name == id }) {
                return e(titles[id] ?? CheckWording.words(for: c.name))
            }
            return words(id)
        }
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

    static func priorKindLabel(_ k: String) -> String {
        switch k {
        case "y90-glass": return "Y-90 glass radioembolization"
        case "y90-resin": return "Y-90 resin radioembolization"
        case "ho166": return "Ho-166 radioembolization"
        case "deb-tace": return "DEB-TACE"
        case "conventional-tace": return "conventional TACE"
        default: return k.replacingOccurrences(of: "-", with: " ")
        }
    }

    /// A date and time given as ISO 8601 with its offset, as local date and time for a person
    /// ("Mon 30 Nov 2026, 12:00 (UTC+01:00)"); the text as given when it is not such a time.
    static func localTime(_ iso: String) -> String {
        guard let offset = Timestamp.utcOffsetSeconds(iso), let d = try? Timestamp.parse(iso, field: "time") else { return iso }
        return Timestamp.readable(d, offsetSeconds: offset)
    }

    /// `calculatedAt` (UTC) for a person, seconds kept: "Fri 4 Dec 2026, 02:48:33 UTC".
    static func utcTime(_ iso: String) -> String? {
        guard let d = try? Timestamp.parse(iso, field: "calculatedAt") else { return nil }
        let minute = Timestamp.readable(d, offsetSeconds: 0).replacingOccurrences(of: " (UTC)", with: "")
        let second = ((Int(d.timeIntervalSince1970.rounded(.down)) % 60) + 60) % 60
        return minute + String(format: ":%02d", second) + " UTC"
    }

    static func statusExplanation(_ s: Status, _ r: PlanResult? = nil) -> String {
        switch s {
        case .ok:
            guard let re = r?.radioembolization else { return "Every limit holds." }
            if re.tumorTargetGy == nil && re.territories.allSatisfy({ $0.targetGy == nil }) { return "Every limit holds; no tumour target applies." }
            return re.tumorTargetReached ? "Every limit holds and the dose target is reached." : "Every limit holds."
        case .warning: return "A soft limit or a recommendation is not met: use with judgement."
        case .infeasible: return "No plan meets the target and the delivery constraints under the limits. Not an order."
        case .contraindicated: return "A hard safety limit cannot be held: do not treat as computed. Not an order."
        }
    }

    /// The banner headline of a plan that is not an order.
    static func bannerHeadline(_ r: PlanResult) -> (String, String) {
        switch r.status {
        case .contraindicated:
            return ("CONTRAINDICATED — do not treat as computed", "A hard safety limit cannot be held. Nothing on this page is an order: the values are shown only as computed.")
        case .infeasible:
            let targetMissed = r.checks.contains { $0.category == .target && $0.state == .failed }
                || (r.radioembolization.map { re in re.territories.contains { $0.targetReached == false && $0.prescription != .excluded } } ?? false)
            if targetMissed {
                return ("INFEASIBLE — target out of reach; not an order", "No plan reaches the dose target under the limits. Nothing on this page is an order: the values are shown only as computed.")
            }
            return ("INFEASIBLE — cannot be delivered as asked; not an order", "The plan cannot be delivered with the products, times or amounts available. Nothing on this page is an order: the values are shown only as computed.")
        default:
            return (r.status.rawValue.uppercased(), statusExplanation(r.status, r))
        }
    }

    static func op(_ k: CheckKind) -> String { k.symbol }

    /// A key–value table.
    static func kv(_ caption: String?, _ rows: [(String, String)], cls: String = "kv") -> String {
        var s = "<table class=\"\(cls)\">"
        if let caption { s += "<caption>\(e(caption))</caption>" }
        s += "<tbody>"
        for (k, v) in rows { s += "<tr><th scope=\"row\">\(e(k))</th><td>\(v)</td></tr>" }
        s += "</tbody></table>\n"
        return s
    }

    /// The plan's date for a person: the first administration chosen, else the earliest treatment time given.
    static func planDate(_ r: PlanResult, input: PlanInput) -> String? {
        r.radioembolization?.treatmentTimeLocal ?? input.treatment.earliestTreatmentTime.map(localTime)
    }

    // MARK: - Running header (every printed page)

    static func statusChip(_ r: PlanResult) -> String {
        let word = r.status >= .infeasible ? "\(r.status.rawValue.uppercased()) — NOT AN ORDER" : r.status.rawValue.uppercased()
        return "<div class=\"chip chip-\(r.status.rawValue)\">\(e(word))</div>"
    }

    /// Patient identification (id, and name, date of birth and MRN when given), modality and status.
    static func runningHeader(_ x: Context) -> String {
        let p = x.input.patient
        var s = "<div class=\"runhead\">\n<div class=\"rh-main\">"
        s += "<div class=\"rh-title\">dosecalc treatment plan · \(e(modalityLabel(x.r.modality)))</div>"
        s += "<div class=\"rh-who\"><span>Patient ID <strong class=\"pid\">\(e(x.r.patientId))</strong></span>"
        if let n = p.name, !n.isEmpty { s += "<span>Name <strong>\(e(n))</strong></span>" }
        if let d = p.dateOfBirth, !d.isEmpty { s += "<span>Date of birth <strong>\(e(d))</strong></span>" }
        if let m = p.mrn, !m.isEmpty { s += "<span>MRN <strong>\(e(m))</strong></span>" }
        s += "</div></div>\n"
        s += statusChip(x.r)
        s += "\n</div>\n"
        return s
    }

    // MARK: - Title, status, key figures

    static func titleBlock(_ x: Context) -> String {
        let r = x.r
        let status = r.status.rawValue
        var s = "<header class=\"top status-\(status)\">\n"
        s += "<div class=\"title\"><p class=\"kicker\">Treatment plan</p>"
        s += "<h1>\(e(modalityLabel(r.modality)))</h1>"
        s += "<p class=\"meta\">"
        if x.notAnOrder {
            // No time of an infeasible or contraindicated plan is a schedule: show what was asked for.
            if let t = x.input.treatment.earliestTreatmentTime {
                s += "<span>Treatment requested from \(e(localTime(t)))\(x.input.treatment.latestTreatmentTime.map { " to " + e(localTime($0)) } ?? ""): not scheduled</span>"
            } else {
                s += "<span>Not scheduled</span>"
            }
        } else if let d = planDate(r, input: x.input) {
            s += "<span>Planned treatment: <strong>\(e(d))</strong></span>"
        } else {
            s += "<span>Planned treatment: not scheduled</span>"
        }
        s += "</p></div>\n"
        if !x.notAnOrder {
            s += "<div class=\"badge badge-\(status)\" role=\"status\"><span class=\"word\">\(e(status.uppercased()))</span>"
            s += "<span class=\"why\">\(e(statusExplanation(r.status, r)))</span></div>\n"
        }
        s += "</header>\n"
        if x.notAnOrder {
            let (head, sub) = bannerHeadline(r)
            s += "<div class=\"banner banner-\(status)\" role=\"alert\"><div class=\"banner-head\">\(e(head))</div>"
            s += "<div class=\"banner-sub\">\(e(sub))</div></div>\n"
        }
        let unmet = r.checks.filter { !$0.passed }
        if !x.notAnOrder, !unmet.isEmpty {
            // The status should already say this; if it does not, the reader must not miss it.
            let names = unmet.map { e($0.title) }.joined(separator: "; ")
            if r.status == .ok {
                s += "<div class=\"alert alert-warning\"><strong>Review:</strong> the status is OK but "
                s += "\(unmet.count == 1 ? "this check is" : "these checks are") not met: \(names).</div>\n"
            } else {
                s += "<div class=\"alert alert-warning\"><strong>Not met:</strong> \(names).</div>\n"
            }
        }
        if !r.reasons.isEmpty {
            s += "<section class=\"reasons\"><h2>Reasons</h2><ul>"
            for reason in r.reasons { s += "<li>\(x.prose(reason))</li>" }
            s += "</ul></section>\n"
        }
        if !x.notAnOrder { s += keyFigures(x) }
        return s
    }

    /// The few numbers a reader looks for first (plans that are an order only).
    static func keyFigures(_ x: Context) -> String {
        var items: [(String, String, String?)] = []
        if let re = x.r.radioembolization {
            items.append(("Total activity", "\(f(re.activityGBq, 3))&nbsp;GBq", "\(Format.fixed(re.activityMCi, 1)) mCi"))
            if re.commonTumorDoseGy != nil || re.tumorTargetGy != nil {
                let note = re.tumorTargetGy.map { "target \(Format.number($0)) Gy: " + (re.tumorTargetReached ? "reached" : "NOT reached") } ?? "no tumour target applies"
                items.append(("Common tumour dose", "\(f(re.commonTumorDoseGy ?? 0, 1))&nbsp;Gy", note))
            }
            if let v = re.vialSizeGBq { items.append(("Largest vial", "\(e(Format.number(v)))&nbsp;GBq", "at calibration")) }
            if let t = re.treatmentTimeLocal { items.append(("First administration", e(t), "local time")) }
            items.append(("Binding constraint", "<span class=\"name\">\(x.bindingWords(re.bindingConstraint))</span>", nil))
        }
        if let ce = x.r.chemoembolization {
            items.append(("Doxorubicin", "\(f(ce.doxorubicinMg, 1))&nbsp;mg", "cap \(Format.fixed(ce.doseCapMg, 1)) mg"))
            items.append(("Loading · beads", "\(f(ce.loadingMgPerMl, 1))&nbsp;mg/mL · \(f(ce.beadVolumeMl, 2))&nbsp;mL", "\(ce.product) \(ce.size) µm"))
            items.append(("Plasma peak", "\(f(ce.plasmaPeakNgPerMl, 1))&nbsp;ng/mL", "at \(Format.fixed(ce.plasmaPeakTimeH * 60, 1)) min"))
            items.append(("Binding constraint", "<span class=\"name\">\(x.bindingWords(ce.bindingConstraint))</span>", nil))
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

    // MARK: - Traceability

    static func traceabilitySection(_ x: Context, generatedAt: Date?) -> String {
        let r = x.r
        let version = r.dosecalcVersion.isEmpty ? BuildInfo.version : r.dosecalcVersion
        let build = r.buildId.isEmpty ? BuildInfo.buildID : r.buildId
        var rows: [(String, String)] = [
            ("dosecalc version", "<strong>\(e(version))</strong>"),
            ("Build identifier", "<code class=\"hash\">\(e(build))</code>"),
        ]
        if r.calculatedAt.isEmpty {
            rows.append(("Calculated", "not recorded"))
        } else {
            rows.append(("Calculated (UTC)", "<strong>\(e(utcTime(r.calculatedAt) ?? r.calculatedAt))</strong> <small>(\(e(r.calculatedAt)))</small>"))
        }
        rows.append(("Input SHA-256", r.inputSha256.isEmpty ? "not recorded" : "<code class=\"hash\">\(e(r.inputSha256))</code><br><small>of the canonical input: keys sorted, no whitespace, descriptions dropped</small>"))
        rows.append(("Reference data SHA-256", r.referenceDataSha256.isEmpty ? "not recorded" : "<code class=\"hash\">\(e(r.referenceDataSha256))</code><br><small>of the reference-data set (\(r.referenceDataFiles.count) files: products, limits, rules)</small>"))
        if let g = generatedAt {
            rows.append(("Report written (UTC)", e(utcTime(Timestamp.format(g, offsetSeconds: 0)) ?? "")))
        }
        return "<section class=\"trace\"><h2>Traceability</h2>\n" + kv(nil, rows, cls: "kv trace-table") + "</section>\n"
    }

    // MARK: - Patient and inputs

    static func patientSection(_ x: Context) -> String {
        let r = x.r, input = x.input
        let p = input.patient
        let labs = p.labs
        var s = "<section><h2>Patient and inputs</h2>\n<div class=\"grid\">\n"
        var wide = ""   // tables that need the full width, below the three columns
        var patient: [(String, String)] = [("Patient ID", "<strong class=\"pid\">\(e(p.id))</strong>")]
        if let n = p.name, !n.isEmpty { patient.append(("Name", e(n))) }
        if let d = p.dateOfBirth, !d.isEmpty { patient.append(("Date of birth", e(d))) }
        if let m = p.mrn, !m.isEmpty { patient.append(("MRN", e(m))) }
        patient += [
            ("Height", given(p.heightCm, "cm")),
            ("Weight", given(p.weightKg, "kg")),
            ("Histology", e(p.histology?.rawValue ?? "not given")),
            ("Cirrhosis", p.cirrhosis.map { $0 ? "yes" : "no" } ?? "not given (the most cautious limit applies)"),
        ]
        if x.isDEB, let c = p.priorChestIrradiation { patient.append(("Prior chest irradiation", c ? "yes" : "no")) }
        patient.append(("Body-surface-area formula", e(p.bsaFormula == "mosteller" ? "Mosteller" : p.bsaFormula.map { $0 == "dubois" ? "DuBois" : $0 } ?? "DuBois (default)")))
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

        // Anatomy: radioembolization only.
        if !x.isDEB {
            s += "<div>"
            if let a = input.anatomy {
                s += kv("Anatomy", [
                    ("Lung shunt", given(a.lungShuntPercent, "%")),
                    ("Lung mass", a.lungMassG.map { given($0, "g") } ?? (r.radioembolization.map { "\(given($0.lungMassG, "g")) <small>(default)</small>" } ?? "not given")),
                    ("Whole normal-liver mass", given(a.wholeNormalLiverMassG, "g")),
                ])
                wide += "<div><table class=\"grid-table\"><caption>Territories and tumours</caption><thead><tr><th>Territory</th><th>Intent</th><th class=\"num\">Normal liver (g)</th><th>Tumour</th><th class=\"num\">Mass (g)</th><th class=\"num\">Tumour-to-normal ratio</th></tr></thead><tbody>"
                for t in a.territories {
                    let n = max(t.tumors.count, 1)
                    var intent = e(t.intent?.rawValue ?? "lobar")
                    if t.excluded == true { intent += " <small>(excluded)</small>" }
                    if let g = t.perfusedDoseTargetGy { intent += " <small>(perfused-volume target \(given(g, "Gy")))</small>" }
                    wide += "<tr><td rowspan=\"\(n)\">\(e(t.name))</td><td rowspan=\"\(n)\">\(intent)</td><td class=\"num\" rowspan=\"\(n)\">\(e(Format.number(t.normalLiverMassG)))</td>"
                    if t.tumors.isEmpty { wide += "<td colspan=\"3\">none</td></tr>" }
                    for (j, tu) in t.tumors.enumerated() {
                        if j > 0 { wide += "<tr>" }
                        wide += "<td>\(e(tu.name))</td><td class=\"num\">\(e(Format.number(tu.massG)))</td><td class=\"num\">\(e(Format.number(tu.tnRatio)))</td></tr>"
                    }
                }
                wide += "</tbody></table></div>\n"
            } else {
                s += kv("Anatomy", [("Anatomy", "not given")])
            }
            s += "</div>\n"
        }

        // Treatment asked for; the fields of the other modality are not shown.
        let t = input.treatment
        var tr: [(String, String)] = [("Modality", e(modalityLabel(t.modality.rawValue)))]
        if !x.isDEB {
            if let v = t.tumorTargetGy { tr.append(("Tumour target", given(v, "Gy"))) } else {
                tr.append(("Tumour target", r.radioembolization?.tumorTargetGy.map { "\(given($0, "Gy")) <small>(from the constraint set)</small>" } ?? "none applies"))
            }
            if let v = t.calibrationTime { tr.append(("Vial calibration (local)", e(localTime(v)))) }
            if let v = t.earliestTreatmentTime { tr.append(("Earliest treatment (local)", e(localTime(v)))) }
            if let v = t.latestTreatmentTime { tr.append(("Latest treatment (local)", e(localTime(v)))) }
            if let v = t.treatmentHours { tr.append(("Treatment hours (local)", e(v))) }
            if let v = t.prescriptionTolerancePercent { tr.append(("Prescription tolerance", given(v, "%"))) }
            if let v = t.residualPercent { tr.append(("Residual in vial and lines", given(v, "%"))) }
            if let v = t.wholeNormalLiverLimitGy { tr.append(("Whole normal-liver limit (set in the input)", given(v, "Gy"))) }
            if let v = t.perfusedNormalLiverLimitGy { tr.append(("Perfused normal-liver limit (set in the input)", given(v, "Gy"))) }
            if let v = t.vialSizesGBq { tr.append(("Vial sizes", e(v.map { Format.number($0) }.joined(separator: ", ")) + "&nbsp;GBq")) }
            if let v = t.usableWindowHoursAfterCalibration { tr.append(("Usable after calibration", e(v.map { Format.number($0) }.joined(separator: " to ")) + "&nbsp;h")) }
        } else {
            if let v = t.product { tr.append(("Product", e(v))) }
            if let v = t.sizes { tr.append(("Sizes", e(v.joined(separator: ", ")) + "&nbsp;µm")) }
            if let v = t.targetDoxorubicinMg { tr.append(("Target doxorubicin", given(v, "mg"))) }
            if let v = t.plasmaPeakLimitNgPerMl { tr.append(("Plasma peak limit", given(v, "ng/mL"))) }
            if let v = t.maxBeadVolumeMl { tr.append(("Largest bead volume", given(v, "mL"))) }
            if let v = t.loadingsMgPerMl { tr.append(("Loadings", e(v.map { Format.number($0) }.joined(separator: ", ")) + "&nbsp;mg/mL")) }
        }

        // Prior treatments, with the dose that matters for this modality.
        if let prior = p.priorTreatments, !prior.isEmpty {
            let doseHead = x.isDEB ? "Doxorubicin (mg)" : "Lung dose (Gy)"
            wide += "<div><table class=\"grid-table\"><caption>Prior treatments</caption><thead><tr><th>Kind</th><th>Date</th><th class=\"num\">\(doseHead)</th></tr></thead><tbody>"
            for pt in prior {
                let dose = x.isDEB ? pt.doxorubicinMg : pt.lungDoseGy
                wide += "<tr><td>\(e(priorKindLabel(pt.kind.rawValue)))</td><td>\(e(pt.date ?? "—"))</td><td class=\"num\">\(dose.map { e(Format.number($0)) } ?? "—")</td></tr>"
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

    static func assessmentSection(_ x: Context) -> String {
        let a = x.r.assessment
        let order = ["bilirubin", "albumin", "inr", "ascites", "encephalopathy"]
        let points = order.compactMap { k in a.childPughPoints[k].map { "\(k == "inr" ? "INR" : k) \($0)" } }
            + a.childPughPoints.keys.sorted().filter { !order.contains($0) }.map { "\($0) \(a.childPughPoints[$0]!)" }
        var s = "<section><h2>Assessment</h2>\n<div class=\"grid\">\n"
        var liver: [(String, String)] = [
            ("ALBI score", f(a.albiScore, 3)),
            ("ALBI grade", "\(a.albiGrade) <small>(modified ALBI grade \(e(a.mAlbiGrade)))</small>"),
            ("Child–Pugh", "\(a.childPughScore) points, class <strong>\(e(a.childPughClass))</strong>"),
            ("Child–Pugh points", e(points.joined(separator: ", "))),
            ("Cirrhosis", a.cirrhosis.map { $0 ? "yes" : "no" } ?? "not given"),
        ]
        if !x.isDEB {
            liver.append(("Compromised liver", a.compromisedLiver.map { $0 ? "yes <small>(cirrhosis, Child–Pugh B/C or prior radioembolization)</small>" : "no" } ?? "unknown <small>(cirrhosis not given: the most cautious limit applies)</small>"))
        }
        s += "<div>" + kv("Liver reserve", liver) + "</div>\n"
        s += "<div>" + kv("Body and labs used", [
            ("Body-surface area", "\(f(a.bsaM2, 3))&nbsp;m² <small>(\(e(a.bsaFormula == "dubois" ? "DuBois" : a.bsaFormula == "mosteller" ? "Mosteller" : a.bsaFormula)))</small>"),
            ("Bilirubin", q(a.bilirubinMgPerDl, "mg/dL")),
            ("Albumin", q(a.albuminGPerDl, "g/dL")),
        ]) + "</div>\n"
        if x.isDEB {
            s += "<div>" + kv("Prior doxorubicin", [
                ("Prior doxorubicin", "\(q(a.priorDoxorubicinMg, "mg")) <small>(\(q(a.priorDoxorubicinMgPerM2, "mg/m²")))</small>"),
                ("Prior chest irradiation", a.priorChestIrradiation.map { $0 ? "yes" : "no" } ?? "not given"),
            ]) + "</div>\n"
        } else {
            s += "<div>" + kv("Prior radioembolization", [
                ("Prior lung dose", q(a.priorLungDoseGy, "Gy")),
                ("Prior radioembolization", a.priorRadioembolization ? "yes" : "no"),
            ]) + "</div>\n"
        }
        s += "</div>\n</section>\n"
        return s
    }

    // MARK: - Radioembolization plan

    static func prescriptionWords(_ p: TerritoryPrescription) -> String {
        switch p {
        case .tumorDose: return "tumour dose (partition model)"
        case .perfusedDose: return "perfused-volume dose"
        case .largestAllowed: return "largest activity the limits allow (no target applies)"
        case .excluded: return "excluded: not treated in this session"
        }
    }

    static func radioembolizationSection(_ re: RadioembolizationPlan, _ x: Context) -> String {
        var s = ""
        if x.notAnOrder {
            s += "<section class=\"not-order\"><h2 class=\"not-order-head\">Computed values — NOT AN ORDER</h2>\n"
            s += "<p class=\"not-order-note\">This plan is \(e(x.r.status.rawValue)). The numbers below are what the calculation gave; they are not an order: "
            s += "no vial, draw or administration time is given. Do not order, draw or administer from them.</p>\n"
        } else {
            s += "<section><h2>Plan — radioembolization</h2>\n"
            s += ordersTable(re, x)
        }
        s += territoryTable(re, x)
        s += doseLimitTable(re, x)
        s += "<figure class=\"chart-fig\"><figcaption>Absorbed dose per compartment against its limit and target\(x.notAnOrder ? " (computed, not an order)" : "")</figcaption>\n"
        s += ReportSVG.doseBarChart(doseBars(re, checks: x.r.checks, input: x.input), unit: "Gy", axisTitle: "absorbed dose (Gy)", id: "dose-chart")
        s += "\n</figure>\n"
        s += imageDoseVolumeFigure(re, x)
        s += prescriptionDetails(re, x)
        s += "</section>\n"
        return s
    }

    /// With an image-derived anatomy (`dosecalc voxel --anatomy-out`): each compartment's DVH from the
    /// image at the planned dose (D_k = r_k · planned dose; ImageDoseShape), with D50, D70 and D90.
    static func imageDoseVolumeFigure(_ re: RadioembolizationPlan, _ x: Context) -> String {
        guard let anatomy = x.input.anatomy else { return "" }
        var curves: [(name: String, planned: Double, doses: [Double])] = []
        for t in re.territories where t.prescription != .excluded {
            guard let ter = anatomy.territories.first(where: { $0.name == t.name }) else { continue }
            let multi = re.territories.count > 1
            if let r = ter.normalLiverDoseRatioAtMassPercent {
                curves.append((multi ? "\(t.name): normal liver" : "normal liver", t.normalLiverDoseGy, ImageDoseShape.doses(r, plannedDoseGy: t.normalLiverDoseGy)))
            }
            for name in tumourOrder(t, input: x.input) {
                guard let r = ter.tumors.first(where: { $0.name == name })?.doseRatioAtMassPercent, let d = t.tumorDosesGy[name] else { continue }
                curves.append((multi ? "\(t.name): \(name)" : name, d, ImageDoseShape.doses(r, plannedDoseGy: d)))
            }
        }
        guard !curves.isEmpty else { return "" }
        let top = max(curves.map { $0.doses[0] }.max() ?? 1, 1) * 1.05
        let percents = (0...100).map(Double.init)
        var series: [ReportSVG.Series] = []
        for (n, c) in curves.enumerated() {
            // The cumulative DVH through (D_k, k %), closed by a vertical drop at the maximum and a flat line to 0 Gy.
            series.append(ReportSVG.Series(name: c.name, xs: [0] + c.doses.reversed() + [c.doses[0], top], ys: [100] + percents.reversed() + [0, 0],
                                           color: VoxelReport.palette[n % VoxelReport.palette.count]))
        }
        var s = "<figure class=\"chart-fig\"><figcaption>Dose–volume histograms from the images at the planned doses\(x.notAnOrder ? " (computed, not an order)" : "")</figcaption>\n"
        s += ReportSVG.lineChart(series: series, x: ReportSVG.linearAxis(title: "absorbed dose (Gy)", dataMax: top),
                                 y: ReportSVG.linearAxis(title: "mass with at least this dose (%)", dataMax: 100, fixedMax: 100), id: "image-dvh",
                                 ariaLabel: "cumulative dose–volume histograms from the images")
        s += "\n</figure>\n"
        s += "<table class=\"grid-table image-dvh-table\"><caption>From the images at the planned doses</caption><thead><tr><th>Compartment</th>"
        s += "<th class=\"num\">Planned mean (Gy)</th><th class=\"num\">D50 (Gy)</th><th class=\"num\">D70 (Gy)</th><th class=\"num\">D90 (Gy)</th><th class=\"num\">Minimum–maximum (Gy)</th></tr></thead><tbody>"
        for c in curves {
            s += "<tr><td>\(e(c.name))</td><td class=\"num\">\(f(c.planned, 1))</td><td class=\"num\">\(f(c.doses[50], 1))</td><td class=\"num\">\(f(c.doses[70], 1))</td>"
            s += "<td class=\"num\">\(f(c.doses[90], 1))</td><td class=\"num\">\(f(c.doses[100], 1))–\(f(c.doses[0], 1))</td></tr>"
        }
        s += "</tbody></table>\n<p><small>The image's dose in each compartment is proportional to its counts per gram, and the plan's compartment dose is the image's mean "
        s += "by local deposition, so each curve is the image's dose distribution scaled to the planned dose"
        s += anatomy.imageSource.map { " (images: \(e($0)))" } ?? ""
        s += ". From a dose-kernel map, a small compartment's curve can lie below its planned mean: the kernel carries part of its energy "
        s += "into its neighbours, which the compartment model does not. D<sub>x</sub>: the least dose of the hottest x&nbsp;% of the mass.</small></p>\n"
        return s
    }

    /// One row per vial or order (plans that are an order only).
    static func ordersTable(_ re: RadioembolizationPlan, _ x: Context) -> String {
        guard !re.orders.isEmpty else {
            return "<div class=\"no-orders\"><strong>No order lines.</strong> No vial or order was computed for this plan "
                + "(no calibration time and treatment time were given, or none applies); the activities below are the prescription.</div>\n"
        }
        var s = "<table class=\"grid-table orders-table\"><caption>Order — one line per vial or order</caption><thead><tr>"
        s += "<th class=\"num\">Line</th><th>Product</th><th class=\"num\">Vial activity at calibration (GBq)</th><th>Calibration (local)</th>"
        s += "<th>Administration (local)</th><th class=\"num\">Vial activity at administration (GBq)</th><th class=\"draws\">Draws per territory</th></tr></thead><tbody>"
        for o in re.orders {
            s += "<tr><td class=\"num\">\(o.line)</td><td>\(e(o.product))</td><td class=\"num\"><strong>\(e(Format.number(o.vialActivityAtCalibrationGBq, significant: 4)))</strong></td>"
            s += "<td>\(o.calibrationTime.map { e(localTime($0)) } ?? "—")</td>"
            s += "<td><strong>\(e(o.administrationTimeLocal ?? o.administrationTime.map(localTime) ?? "—"))</strong>"
            if let h = o.hoursAfterCalibration { s += "<br><small>\(f(h, 1)) h after calibration</small>" }
            s += "</td><td class=\"num\">\(o.vialActivityAtAdministrationGBq.map { f($0, 3) } ?? "—")</td><td class=\"draws\">"
            s += o.draws.map { d in
                var t = "<strong>\(e(d.territory))</strong>: inject \(f(d.injectedActivityGBq, 3))&nbsp;GBq"
                t += "<br><small>draw \(f(d.drawnActivityGBq, 3))&nbsp;GBq with the residual"
                if let p = d.drawPercentOfVial { t += "; \(f(p, 1))&nbsp;% of the vial" }
                return t + "</small>"
            }.joined(separator: "<br>")
            s += "</td></tr>"
        }
        s += "</tbody></table>\n"
        return s
    }

    static func territoryTable(_ re: RadioembolizationPlan, _ x: Context) -> String {
        let showTime = !x.notAnOrder && re.territories.contains { $0.treatmentTimeLocal != nil }
        var s = "<table class=\"grid-table territory-table\"><caption>Per territory\(x.notAnOrder ? " (computed, not an order)" : "")</caption><thead><tr>"
        s += "<th>Territory</th><th>Intent</th><th>Prescription</th><th class=\"num\">Target (Gy)</th><th class=\"num\">Achieved (Gy)</th>"
        s += "<th class=\"num\">Activity (GBq)</th><th>Tumour doses (Gy)</th><th class=\"num\">Normal liver (Gy)</th><th class=\"num\">Perfused volume (Gy)</th>"
        if showTime { s += "<th>Time (local)</th>" }
        s += "</tr></thead><tbody>"
        let columns = showTime ? 10 : 9
        for t in re.territories {
            var achieved = t.achievedGy.map { f($0, 1) } ?? "—"
            if let reached = t.targetReached {
                if x.notAnOrder {
                    achieved += "<br><small>\(reached ? "at target as computed" : "below target")</small>"
                } else {
                    achieved += "<br>" + (reached ? "<span class=\"ok\">✓ reached</span>" : "<span class=\"bad\">✗ NOT reached</span>")
                }
            }
            let tumours = tumourOrder(t, input: x.input).map { "\(e($0)) \(f(t.tumorDosesGy[$0] ?? .nan, 1))" }.joined(separator: "<br>")
            s += "<tr class=\"territory\"><td><strong>\(e(t.name))</strong></td><td>\(e(t.intent.rawValue))</td><td>\(e(prescriptionWords(t.prescription)))</td>"
            s += "<td class=\"num\">\(t.targetGy.map { e(Format.number($0)) } ?? "none")</td><td class=\"num\">\(achieved)</td>"
            s += "<td class=\"num\"><strong>\(f(t.activityGBq, 3))</strong>"
            if abs(t.prescribedActivityGBq - t.activityGBq) > 5e-4 { s += "<br><small>prescribed \(f(t.prescribedActivityGBq, 3))</small>" }
            s += "</td><td>\(tumours.isEmpty ? "none" : tumours)</td><td class=\"num\">\(f(t.normalLiverDoseGy, 1))</td>"
            s += "<td class=\"num\">\(f(t.perfusedDoseGy, 1))<br><small>over \(e(Format.number(t.perfusedMassG))) g</small></td>"
            if showTime { s += "<td>\(e(t.treatmentTimeLocal ?? "—"))</td>" }
            s += "</tr>"
            var notes: [String] = []
            if let n = t.note { notes.append(x.prose(n)) }
            if let src = t.targetSource { notes.append("target: " + x.prose(src)) }
            if !notes.isEmpty {
                s += "<tr class=\"territory-note\"><td colspan=\"\(columns)\"><small>\(e(t.name)): \(notes.joined(separator: " · "))</small></td></tr>"
            }
        }
        s += "</tbody></table>\n"
        return s
    }

    /// Lung, whole normal-liver and perfused normal-liver doses against their limits, from the checks.
    static func doseLimitTable(_ re: RadioembolizationPlan, _ x: Context) -> String {
        var rows: [(String, String, String, String, String)] = []   // quantity, dose, limit, margin, result
        func add(_ label: String, _ value: Double, names: [String], unit: String = "Gy", detail: String? = nil) {
            let cs = x.r.checks.filter { names.contains($0.name) }
            let shown = label + (detail.map { " <small>(\($0))</small>" } ?? "")
            if cs.isEmpty {
                rows.append((shown, q(value, unit), "no limit in this plan", "—", "—"))
            }
            for c in cs {
                let name = (cs.count > 1 ? e(c.title) : shown) + (c.binding ? " <span class=\"tag\">binding</span>" : "")
                rows.append((name, c.value.map { q($0, c.unit) } ?? "not computed", "\(e(op(c.kind)))&nbsp;\(given(c.limit, c.unit))",
                             c.margin.map { q($0, c.unit) } ?? "—", resultCell(c, x)))
            }
        }
        add("Lung dose, this treatment", re.lungDoseGy, names: ["lungDose"], detail: "lung shunt \(Format.number(re.lungShuntPercent)) %, lung mass \(Format.number(re.lungMassG)) g")
        add("Lung dose, cumulative", re.cumulativeLungDoseGy, names: ["cumulativeLungDose"], detail: "prior \(readable(x.r.assessment.priorLungDoseGy)) Gy")
        add("Whole normal-liver dose", re.wholeNormalLiverDoseGy, names: ["wholeNormalLiverDose"])
        let perfused = x.r.checks.filter { $0.name == "perfusedNormalLiverDose" }
        if !perfused.isEmpty {
            add("Perfused normal-liver dose", re.territories.map(\.normalLiverDoseGy).max() ?? 0, names: ["perfusedNormalLiverDose"], detail: "highest territory")
        }
        if let h = re.hepaticReservePercent {
            add("Hepatic reserve", h, names: ["hepaticReserve"], unit: "%")
        }
        var s = "<table class=\"grid-table limits-table\"><caption>Lung and normal-liver doses against their limits\(x.notAnOrder ? " (computed, not an order)" : "")</caption>"
        s += "<thead><tr><th>Quantity</th><th class=\"num\">Dose</th><th class=\"num\">Limit</th><th class=\"num\">Margin</th><th>Result</th></tr></thead><tbody>"
        for (k, v, l, m, res) in rows {
            s += "<tr><td>\(k)</td><td class=\"num\">\(v)</td><td class=\"num\">\(l)</td><td class=\"num\">\(m)</td><td class=\"res\">\(res)</td></tr>"
        }
        s += "</tbody></table>\n"
        return s
    }

    static func prescriptionDetails(_ re: RadioembolizationPlan, _ x: Context) -> String {
        var rows: [(String, String)] = [
            ("Device", e(re.device)),
            ("Total activity", "<strong>\(f(re.activityGBq, 3))&nbsp;GBq</strong> (\(f(re.activityMCi, 1))&nbsp;mCi)\(x.notAnOrder ? " <small>computed, not an order</small>" : "")"),
        ]
        if !x.notAnOrder {
            if let v = re.vialSizeGBq { rows.append(("Largest vial (at calibration)", "\(e(Format.number(v)))&nbsp;GBq")) }
            if let t = re.treatmentTimeLocal {
                rows.append(("First administration (local)", "<strong>\(e(t))</strong>" + (re.hoursAfterCalibration.map { " <small>(\(f($0, 1)) h after calibration)</small>" } ?? "")))
            }
            if let o = re.orderActivityAtTreatmentGBq { rows.append(("Order (at treatment time)", "\(f(o, 3))&nbsp;GBq")) }
            if let o = re.orderActivityAtCalibrationGBq { rows.append(("Order (at calibration)", "\(f(o, 3))&nbsp;GBq")) }
            if let h = re.treatmentHours { rows.append(("Treatment hours (local)", e(h))) }
        }
        rows.append(("Residual in vial and lines", q(re.residualPercent, "%")))
        var doses: [(String, String)] = []
        if re.commonTumorDoseGy != nil || re.tumorTargetGy != nil {
            doses.append(("Common tumour dose", "<strong>\(f(re.commonTumorDoseGy ?? 0, 1))&nbsp;Gy</strong>"))
            doses.append(("Largest common tumour dose allowed", "\(f(re.maximumCommonTumorDoseGy ?? 0, 1))&nbsp;Gy"))
        }
        if let t = re.tumorTargetGy {
            let state: String
            if x.notAnOrder {
                state = re.tumorTargetReached ? "at target as computed" : "below target"
            } else {
                state = re.tumorTargetReached ? "<span class=\"ok\">reached</span>" : "<span class=\"bad\">NOT reached</span>"
            }
            doses.append(("Tumour target", "\(e(Format.number(t)))&nbsp;Gy — \(state)" + (re.tumorTargetSource.map { "<br><small>\(x.prose($0))</small>" } ?? "")))
        } else if re.territories.allSatisfy({ $0.targetGy == nil }) {
            doses.append(("Tumour target", "none applies: the largest activity the limits allow"))
        }
        doses += [
            ("Prescription tolerance", q(re.prescriptionTolerancePercent, "%")),
            ("Binding constraint", "<span class=\"binding-name\">\(x.bindingWords(re.bindingConstraint))</span>"),
            ("Dose factor", q(re.doseFactorGyKgPerGBq, "Gy·kg/GBq")),
        ]
        return "<div class=\"grid grid2\">\n<div>" + kv("Prescription", rows) + "</div>\n<div>" + kv("Doses", doses) + "</div>\n</div>\n"
    }

    /// Tumour names of a territory in input order (the plan stores them in a dictionary).
    static func tumourOrder(_ t: TerritoryPlan, input: PlanInput) -> [String] {
        let fromInput = input.anatomy?.territories.first { $0.name == t.name }?.tumors.map(\.name) ?? []
        let known = fromInput.filter { t.tumorDosesGy[$0] != nil }
        return known + t.tumorDosesGy.keys.sorted().filter { !known.contains($0) }
    }

    /// The bars of the dose chart: each tumour, each territory's normal liver (and perfused volume
    /// where that is prescribed), the whole normal liver, the lung and the cumulative lung, with the
    /// limit or target that applies (read from the checks).
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
        let targetBinding = checks.contains { $0.kind == .atLeast && $0.binding && $0.category == .target }
        let many = re.territories.count > 1
        var bars: [ReportSVG.DoseBar] = []
        for t in re.territories where t.prescription != .excluded {
            let target = t.prescription == .tumorDose ? (t.targetGy ?? re.tumorTargetGy) : nil
            for name in tumourOrder(t, input: input) {
                let d = t.tumorDosesGy[name] ?? .nan
                bars.append(.init(label: many ? "Tumour \(name) · \(t.name)" : "Tumour \(name)", group: .tumor, value: d,
                                  target: target, binding: targetBinding && target.map { abs(d - $0) <= 1e-6 * $0 } == true))
            }
            if t.prescription == .perfusedDose, let g = t.targetGy {
                bars.append(.init(label: "Perfused volume · \(t.name)", group: .tumor, value: t.perfusedDoseGy, target: g,
                                  binding: targetBinding && abs(t.perfusedDoseGy - g) <= 1e-6 * g))
            }
        }
        let treated = re.territories.filter { $0.prescription != .excluded }
        let maxNL = treated.map(\.normalLiverDoseGy).max() ?? 0
        for t in treated {
            let applies = t.intent != .ablative
            bars.append(.init(label: "Normal liver · \(t.name)", group: .normalTissue, value: t.normalLiverDoseGy, limit: applies ? perfused.0 : nil,
                              binding: applies && perfused.1 && t.normalLiverDoseGy == maxNL))
        }
        bars.append(.init(label: "Whole normal liver", group: .normalTissue, value: re.wholeNormalLiverDoseGy, limit: whole.0, binding: whole.1))
        bars.append(.init(label: "Lung", group: .normalTissue, value: re.lungDoseGy, limit: lung.0, binding: lung.1))
        bars.append(.init(label: "Lung, cumulative", group: .normalTissue, value: re.cumulativeLungDoseGy, limit: cumulative.0, binding: cumulative.1))
        return bars
    }

    // MARK: - DEB plan

    static func chemoembolizationSection(_ c: ChemoembolizationPlan, _ x: Context) -> String {
        var s: String
        if x.notAnOrder {
            s = "<section class=\"not-order\"><h2 class=\"not-order-head\">Computed values — NOT AN ORDER</h2>\n"
            s += "<p class=\"not-order-note\">This plan is \(e(x.r.status.rawValue)). The numbers below are what the calculation gave; they are not an order. "
            s += "Do not load or administer beads from them.</p>\n"
        } else {
            s = "<section><h2>Plan — DEB-TACE</h2>\n"
        }
        s += "<div class=\"grid grid2\">\n"
        s += "<div>" + kv(x.notAnOrder ? "Computed prescription (not an order)" : "Prescription", [
            ("Product", e(c.product)),
            ("Bead size", "\(e(c.size))&nbsp;µm"),
            ("Doxorubicin dose", "<strong>\(f(c.doxorubicinMg, 1))&nbsp;mg</strong>"),
            ("Loading", "\(f(c.loadingMgPerMl, 1))&nbsp;mg/mL"),
            ("Bead volume", "<strong>\(f(c.beadVolumeMl, 2))&nbsp;mL</strong>"),
            ("Session dose cap", "\(f(c.doseCapMg, 1))&nbsp;mg <small>(\(x.prose(c.doseCapRule)))</small>"),
            ("Binding constraint", "<span class=\"binding-name\">\(x.bindingWords(c.bindingConstraint))</span>"),
        ]) + "</div>\n"
        let days = c.elutedPercentByDay.keys.sorted { (Double($0) ?? .infinity, $0) < (Double($1) ?? .infinity, $1) }
        var pk: [(String, String)] = [
            ("Plasma peak", "<strong>\(f(c.plasmaPeakNgPerMl, 1))&nbsp;ng/mL</strong> <small>at \(f(c.plasmaPeakTimeH * 60, 1)) min</small>"
                + (c.plasmaPeakUpper95NgPerMl.map { " <small>(95&nbsp;% upper bound \(f($0, 1))&nbsp;ng/mL; the limit applies to it)</small>" } ?? "")),
            ("Tissue peak", "\(f(c.tissuePeakUM, 2))&nbsp;µM"),
            ("Tissue AUC (28 d)", "\(f(c.tissueAucUgHPerMl, 0))&nbsp;µg·h/mL"),
        ]
        if !days.isEmpty {
            pk.append(("Eluted", days.map { "day \(e($0)): \(f(c.elutedPercentByDay[$0]!, 1))&nbsp;%" }.joined(separator: "; ")))
        }
        s += "<div>" + kv("Exposure (model)", pk) + "</div>\n</div>\n"

        if !c.candidates.isEmpty {
            let shown = c.candidates.prefix(25)
            s += "<table class=\"grid-table candidates-table\"><caption>Candidates evaluated (best first)</caption><thead><tr><th>Size (µm)</th><th class=\"num\">Loading (mg/mL)</th><th class=\"num\">Dose (mg)</th><th class=\"num\">Beads (mL)</th><th class=\"num\">Plasma peak (ng/mL)</th><th class=\"num\">Tissue AUC (µg·h/mL)</th><th>Limited by</th></tr></thead><tbody>"
            for (i, k) in shown.enumerated() {
                let chosen = i == 0 && !x.notAnOrder
                s += "<tr\(chosen ? " class=\"chosen\"" : "")><td>\(e(k.size))\(chosen ? " <small>(chosen)</small>" : "")</td><td class=\"num\">\(f(k.loadingMgPerMl, 1))</td><td class=\"num\">\(f(k.doxorubicinMg, 1))</td><td class=\"num\">\(f(k.beadVolumeMl, 2))</td><td class=\"num\">\(f(k.plasmaPeakNgPerMl, 1))</td><td class=\"num\">\(f(k.tissueAucUgHPerMl, 0))</td><td>\(x.words(k.limitedBy))</td></tr>"
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
            let plasmaLimit = x.r.checks.first { $0.unit == "ng/mL" && $0.kind != .atLeast }?.limit
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

    // MARK: - Checks, assumptions, legend, approval

    /// The result of one check in words. Under a red banner nothing is green.
    static func resultCell(_ c: Check, _ x: Context) -> String {
        if c.passed { return x.notAnOrder ? "<span class=\"held\">✓ holds</span>" : "<span class=\"ok\">✓ pass</span>" }
        if c.state == .notEvaluated { return "<span class=\"warn\">not evaluated</span>" }
        if c.severity == .hard { return "<span class=\"bad\">✗ FAIL</span>" }
        return "<span class=\"warn\">✗ not met</span>"
    }

    static func categoryWords(_ c: Check) -> String {
        let kind = c.kind == .atLeast ? "target" : (c.severity == .hard ? "hard limit" : "soft limit")
        switch c.category {
        case .safety: return "\(kind), safety"
        case .deliverability: return "\(kind), delivery"
        case .target: return kind == "target" ? "dose target" : "\(kind), target"
        case .advisory: return "\(kind), advisory"
        case .numerics: return "\(kind), calculation"
        }
    }

    static func checksSection(_ x: Context) -> String {
        let checks = x.r.checks
        var s = "<section class=\"checks\"><h2>Checks</h2>\n"
        guard !checks.isEmpty else { return s + "<p class=\"none\">No checks.</p></section>\n" }
        s += "<table class=\"grid-table checks-table\"><thead><tr><th>Check</th><th class=\"num\">Value</th><th class=\"num\">Limit</th><th>Unit</th><th class=\"num\">Margin</th><th>Result</th><th>Source</th></tr></thead><tbody>\n"
        for c in checks {
            var cls: [String] = []
            if c.binding { cls.append("binding") }
            if !c.passed { cls.append(c.severity == .hard && c.state == .failed ? "fail-hard" : "fail-soft") }
            s += "<tr\(cls.isEmpty ? "" : " class=\"\(cls.joined(separator: " "))\"")>"
            s += "<td class=\"name\">\(e(c.title))\(c.binding ? " <span class=\"tag\">binding</span>" : "")"
            if let note = c.note { s += "<br><small>\(x.prose(note))</small>" }
            if let req = c.requires, !req.isEmpty { s += "<br><small>to evaluate it, give: \(req.map { x.prose($0) }.joined(separator: ", "))</small>" }
            s += "</td>"
            s += "<td class=\"num\">\(e(c.value.map(readable) ?? "not computed"))</td>"
            s += "<td class=\"num\">\(e(op(c.kind)))&nbsp;\(e(Format.number(c.limit)))</td>"
            s += "<td>\(e(c.unit))</td>"
            s += "<td class=\"num\">\(e(c.margin.map(readable) ?? "—"))</td>"
            s += "<td class=\"res\">\(resultCell(c, x))<br><small>\(e(categoryWords(c)))</small></td>"
            s += "<td class=\"src\">\(x.prose(c.source))</td></tr>\n"
        }
        s += "</tbody></table>\n</section>\n"
        return s
    }

    /// Intervals, exceedance probabilities, the chance constraint and tornado charts.
    static func uncertaintySection(_ u: UncertaintyResult, _ x: Context) -> String {
        let ters = x.input.anatomy?.territories ?? []
        let tNames = ters.map(\.name), tumors = ters.map { $0.tumors.map(\.name) }
        var s = "<section class=\"uncertainty\"><h2>Uncertainty</h2>\n"
        s += "<p>\(e(String(u.samples))) Monte Carlo samples (seed \(e(String(u.seed)))) of the uncertain inputs, through the same dose model and limits as the plan. "
        s += "The distributions are listed under Constants and assumptions.</p>\n"
        if let c = u.chanceConstraint {
            s += kv("Chance constraint", [
                ("largest allowed probability of exceeding any hard limit", "\(e(Format.number(100 * c.maxExceedanceProbability)))&nbsp;%"),
                ("activity of this plan", q(c.activityGBq, "GBq")),
                ("activity of the nominal plan (measured values only)", q(c.nominalActivityGBq, "GBq")),
                ("probability of exceeding a hard limit at the nominal activity", "\(e(Format.number(100 * c.nominalExceedanceProbability, significant: 3)))&nbsp;%"),
                ("limit that binds", c.bindingLimit.map { x.words($0) } ?? "none: the nominal plan already meets it"),
            ])
        }
        s += "<table class=\"grid-table\"><caption>Doses and activity over the samples</caption><thead><tr><th>Result</th><th class=\"num\">mean</th><th class=\"num\">2.5th percentile</th><th class=\"num\">median</th><th class=\"num\">97.5th percentile</th></tr></thead><tbody>\n"
        let keys = u.intervals.keys.sorted { rank($0) < rank($1) || (rank($0) == rank($1) && $0 < $1) }
        for k in keys {
            guard let i = u.intervals[k] else { continue }
            let (w, unit) = UncertaintyWording.result(k, territories: tNames)
            s += "<tr><td class=\"name\">\(e(w))</td>" + [i.mean, i.p2_5, i.p50, i.p97_5].map { "<td class=\"num\">\(q($0, unit))</td>" }.joined() + "</tr>\n"
        }
        s += "</tbody></table>\n"
        if !u.exceedanceProbability.isEmpty {
            s += "<table class=\"grid-table\"><caption>Probability that each hard limit is exceeded by the plan as given</caption><thead><tr><th>Limit</th><th class=\"num\">probability</th></tr></thead><tbody>\n"
            var shown = Set<String>()
            for c in x.r.checks where c.severity == .hard && !shown.contains(c.name) {
                guard let p = u.exceedanceProbability[c.name] else { continue }
                shown.insert(c.name)
                s += "<tr><td class=\"name\">\(e(c.title)) \(e(c.kind.symbol)) \(e(Format.number(c.limit)))&nbsp;\(e(c.unit))</td><td class=\"num\">\(p == 0 ? "0&nbsp;% of the samples" : e(Format.number(100 * p, significant: 3)) + "&nbsp;%")</td></tr>\n"
            }
            s += "</tbody></table>\n"
        }
        // Tornado charts for the results a limit is set on, then the tumour doses (at most four).
        let limitChecks = u.limitChecks ?? [:]
        let limitOf: [String: Double] = limitChecks.compactMapValues { name in x.r.checks.first { $0.severity == .hard && $0.name == name }?.limit }
        var charted: [String] = []
        if let b = u.chanceConstraint?.bindingLimit, let k = limitChecks.first(where: { $0.value == b })?.key { charted.append(k) }
        charted += ["lungDoseGy", "wholeNormalLiverDoseGy"] + keys.filter { $0.contains("tumorDosesGy") }
        var seen = Set<String>()
        charted = charted.filter { seen.insert($0).inserted && (u.swings[$0]?.values.contains { $0.highTenthMean != $0.lowTenthMean } ?? false) }
        for (n, k) in charted.prefix(4).enumerated() {
            guard let sw = u.swings[k], let i = u.intervals[k] else { continue }
            let (w, unit) = UncertaintyWording.result(k, territories: tNames)
            // The eight inputs that move the result most; the rest are in the JSON (uncertainty.swings).
            var all: [ReportSVG.TornadoBar] = []
            for (input, swing) in sw {
                let share: Double = u.sensitivity[k]?[input] ?? 0
                all.append(ReportSVG.TornadoBar(label: UncertaintyWording.input(input, territories: tNames, tumors: tumors),
                                                low: swing.lowTenthMean, high: swing.highTenthMean, share: share))
            }
            func spread(_ b: ReportSVG.TornadoBar) -> Double { abs(b.high - b.low) }
            all.sort { (a: ReportSVG.TornadoBar, b: ReportSVG.TornadoBar) -> Bool in spread(a) > spread(b) || (spread(a) == spread(b) && a.label < b.label) }
            let rows = all.prefix(8)
            s += "<figure class=\"chart-fig\"><figcaption>What moves the \(e(w)): the mean result when each input lies in its lowest or highest tenth, around the median \(q(i.p50, unit)); on the right each input's share of the variance</figcaption>\n"
            s += ReportSVG.tornadoChart(Array(rows), median: i.p50, limit: limitOf[k], unit: unit, title: w, id: "tornado-\(n + 1)")
            s += "\n</figure>\n"
        }
        s += "</section>\n"
        return s
    }

    /// Reading order of the result keys: activity, territories, whole liver, lung.
    static func rank(_ k: String) -> Int {
        k == "activityGBq" ? 0 : k.hasPrefix("territories") ? 1 : k == "wholeNormalLiverDoseGy" ? 2 : 3
    }

    static func assumptionsSection(_ x: Context) -> String {
        let a = x.r.assumptions
        var s = "<section class=\"assumptions\"><h2>Constants and assumptions</h2>\n"
        guard !a.isEmpty else { return s + "<p class=\"none\">None.</p></section>\n" }
        s += "<table class=\"grid-table assumptions-table\"><thead><tr><th>Constant</th><th class=\"num\">Value</th><th>Unit</th><th>Source</th></tr></thead><tbody>\n"
        for v in a {
            s += "<tr><td class=\"name\">\(x.words(v.name))</td><td class=\"num\">\(e(Format.number(v.value)))</td><td>\(e(v.unit))</td><td class=\"src\">\(x.prose(v.source))</td></tr>\n"
        }
        s += "</tbody></table>\n</section>\n"
        return s
    }

    static func legendSection(_ x: Context) -> String {
        var s = "<section class=\"legend\"><h2>How to read this report</h2>\n<div class=\"grid grid2\">\n<div>"
        s += "<table class=\"kv legend-table\"><caption>Evidence notes in the sources</caption><tbody>"
        for (word, meaning) in ReportText.evidenceLegend {
            s += "<tr><th scope=\"row\"><span class=\"ev\">(\(e(word)))</span></th><td>\(e(meaning))</td></tr>"
        }
        s += "</tbody></table></div>\n<div>"
        var terms: [(String, String)] = [
            ("OK", "every limit holds"),
            ("WARNING", "a soft limit or a recommendation is not met: use with judgement"),
            ("INFEASIBLE", "the plan cannot reach its target or cannot be delivered under the limits: not an order"),
            ("CONTRAINDICATED", "a hard safety limit cannot be held: not an order"),
            ("hard / soft limit", "a hard limit must hold; a soft limit or recommendation may be overridden with judgement"),
            ("binding", "the limit or target that fixed the plan"),
            ("margin", "limit minus value for an upper limit, value minus target for a target; negative when not met"),
        ]
        if !x.isDEB { terms.append(("local time", "times are shown in the local time of the times given in the input, with their offset from UTC")) }
        s += kv("Terms", terms.map { ($0.0, e($0.1)) }, cls: "kv legend-table")
        s += "</div>\n</div>\n</section>\n"
        return s
    }

    static func approvalSection(_ x: Context) -> String {
        var s = "<section class=\"approval\"><h2>Review and approval</h2>\n"
        if x.notAnOrder {
            s += "<p class=\"note\">This plan is \(e(x.r.status.rawValue)) and is not an order; signatures record review only.</p>\n"
        }
        s += "<table class=\"sign-table\"><thead><tr><th>Role</th><th>Name</th><th>Signature</th><th>Date and time</th></tr></thead><tbody>"
        for role in ["Prepared by", "Checked by", "Approved by"] {
            s += "<tr><th scope=\"row\">\(role)</th><td class=\"line\"></td><td class=\"line\"></td><td class=\"line\"></td></tr>"
        }
        s += "</tbody></table>\n</section>\n"
        return s
    }

    // MARK: - Style

    /// The page's margin boxes: traceability at the bottom left, "not an order" in the middle when it
    /// is not, patient and page number at the bottom right. Defining the top boxes empty also keeps
    /// the browser's own header (date, title) off the page.
    static func pageCSS(_ x: Context) -> String {
        let r = x.r
        let version = r.dosecalcVersion.isEmpty ? BuildInfo.version : r.dosecalcVersion
        let build = String((r.buildId.isEmpty ? BuildInfo.buildID : r.buildId).prefix(12))
        let left = "dosecalc \(version) · build \(build)"
        let center = x.notAnOrder ? "\(r.status.rawValue.uppercased()) — NOT AN ORDER" : ""
        let right = (r.inputSha256.isEmpty ? "" : "input \(r.inputSha256.prefix(12)) · ") + "page "
        let small = "font-family: \"DejaVu Sans\", Helvetica, Arial, sans-serif; font-size: 7pt; color: #52525b;"
        var s = "@page {\n  size: A4;\n  margin: 11mm 11mm 13mm;\n"
        s += "  @top-left { content: \"\"; }\n  @top-center { content: \"\"; }\n  @top-right { content: \"\"; }\n"
        s += "  @bottom-left { content: \(cssString(left)); \(small) }\n"
        s += "  @bottom-center { content: \(cssString(center)); font-family: \"DejaVu Sans\", Helvetica, Arial, sans-serif; font-size: 8pt; font-weight: bold; color: #b91c1c; }\n"
        s += "  @bottom-right { content: \(cssString(right)) counter(page) \" of \" counter(pages); \(small) }\n}"
        return s
    }

    /// A CSS string literal: everything but plain letters, digits and a few safe marks as a hex escape,
    /// so that no text can close the string or the style element.
    static func cssString(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            let safe = (u.value < 128 && (CharacterSet.alphanumerics.contains(u) || " .,:;-_()#+".unicodeScalars.contains(u)))
                || (u.value >= 128 && u.properties.isAlphabetic)
            out += safe ? String(u) : String(format: "\\%06X", u.value)
        }
        return out + "\""
    }

    public static let css = """
    :root { --ok: #166534; --ok-bg: #dcfce7; --warn: #92400e; --warn-bg: #fef3c7; --bad: #991b1b; --bad-bg: #fee2e2;
            --line: #d4d4d8; --muted: #52525b; --head: #f4f4f5; --bind: #d97706; --bind-bg: #fff7e6; }
    * { box-sizing: border-box; }
    html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
    body { margin: 0; font-family: "DejaVu Sans", "Helvetica Neue", Helvetica, Arial, sans-serif; font-size: 13px;
           line-height: 1.4; color: #18181b; background: #fff; }
    table.sheet { width: 100%; max-width: 1000px; margin: 0 auto; border-collapse: collapse; }
    table.sheet > thead > tr > td, table.sheet > tbody > tr > td { padding: 0; border: none; vertical-align: top; }
    main { padding: 0 0 32px; }
    .runhead { display: flex; gap: 12px; align-items: center; justify-content: space-between; border-bottom: 2px solid #27272a;
               padding: 8px 0 5px; margin-bottom: 10px; }
    .rh-title { font-size: 11px; text-transform: uppercase; letter-spacing: .06em; color: var(--muted); }
    .rh-who { display: flex; flex-wrap: wrap; gap: 2px 16px; font-size: 13px; }
    .rh-who span { white-space: nowrap; }
    .pid { font-family: "DejaVu Sans Mono", monospace; word-break: break-all; white-space: normal; }
    .chip { font-weight: 800; letter-spacing: .03em; padding: 3px 10px; border-radius: 5px; border: 2px solid; white-space: nowrap; font-size: 13px; }
    .chip-ok { color: var(--ok); background: var(--ok-bg); border-color: var(--ok); }
    .chip-warning { color: var(--warn); background: var(--warn-bg); border-color: #d97706; }
    .chip-infeasible, .chip-contraindicated { color: #fff; background: #b91c1c; border-color: #7f1d1d; }
    .watermark { position: fixed; top: 38%; left: 0; right: 0; text-align: center; transform: rotate(-32deg);
                 font-size: 60px; line-height: 1.15; font-weight: 800; letter-spacing: .05em; color: rgba(185, 28, 28, 0.12);
                 z-index: 1000; pointer-events: none; white-space: nowrap; }
    h1 { font-size: 22px; margin: 2px 0 6px; }
    h2 { font-size: 16px; margin: 22px 0 8px; padding-bottom: 3px; border-bottom: 2px solid #27272a; }
    small { color: var(--muted); font-size: 11px; }
    code { font-family: "DejaVu Sans Mono", monospace; font-size: 12px; }
    code.hash { word-break: break-all; }
    .top { display: flex; gap: 18px; align-items: stretch; justify-content: space-between; padding-bottom: 8px; }
    .kicker { margin: 0; text-transform: uppercase; letter-spacing: .08em; font-size: 11px; color: var(--muted); }
    .meta { margin: 0; display: flex; flex-wrap: wrap; gap: 4px 16px; color: #3f3f46; }
    .badge { min-width: 220px; max-width: 330px; padding: 8px 14px; border-radius: 8px; border: 3px solid; display: flex; flex-direction: column; justify-content: center; text-align: center; }
    .badge .word { font-size: 26px; font-weight: 800; letter-spacing: .04em; }
    .badge .why { font-size: 12px; }
    .badge-ok { color: var(--ok); background: var(--ok-bg); border-color: var(--ok); }
    .badge-warning { color: var(--warn); background: var(--warn-bg); border-color: #d97706; }
    .banner { margin: 4px 0 10px; padding: 12px 16px; border: 4px solid #7f1d1d; border-radius: 6px; background: #b91c1c; color: #fff; }
    .banner-head { font-size: 22px; font-weight: 800; letter-spacing: .02em; }
    .banner-sub { font-size: 13px; margin-top: 3px; }
    .alert { margin: 12px 0 0; padding: 10px 14px; border-radius: 6px; font-size: 15px; border: 2px solid; }
    .alert.alert-warning { border-color: #b45309; background: var(--warn-bg); color: var(--warn); }
    .reasons h2 { margin-top: 14px; }
    .reasons ul { margin: 4px 0; padding-left: 20px; }
    .reasons li { margin: 2px 0; }
    .figures { display: grid; grid-template-columns: repeat(auto-fit, minmax(180px, 1fr)); gap: 8px; margin-top: 14px; }
    .fig { border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px; background: #fafafa; }
    .fig .k { font-size: 11px; text-transform: uppercase; letter-spacing: .05em; color: var(--muted); }
    .fig .v { font-size: 17px; font-weight: 700; overflow-wrap: anywhere; }
    .fig .v .name { font-size: 14px; overflow-wrap: break-word; }
    .fig .sub { font-size: 11px; color: var(--muted); }
    .grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(290px, 1fr)); gap: 6px 18px; align-items: start; }
    .grid2 { grid-template-columns: repeat(auto-fit, minmax(380px, 1fr)); }
    table { border-collapse: collapse; width: 100%; margin: 6px 0 10px; }
    caption { text-align: left; font-weight: 700; padding: 2px 0 4px; }
    th, td { border-bottom: 1px solid var(--line); padding: 3px 6px; vertical-align: top; text-align: left; }
    .kv th { width: 44%; font-weight: 600; color: #3f3f46; }
    .trace-table th { width: 24%; }
    .grid-table thead th { background: var(--head); border-bottom: 2px solid #a1a1aa; font-size: 12px; }
    .grid-table td { font-size: 12.5px; }
    .num { text-align: right; font-variant-numeric: tabular-nums; }
    td.num { white-space: nowrap; }
    .ok { color: var(--ok); font-weight: 700; }
    .warn { color: var(--warn); font-weight: 700; }
    .bad { color: var(--bad); font-weight: 700; }
    .held { color: #3f3f46; font-weight: 600; }
    .binding-name { font-weight: 700; color: #7c2d12; background: var(--bind-bg); border: 1px solid var(--bind); border-radius: 4px; padding: 0 5px; }
    tr.binding td { background: var(--bind-bg); }
    tr.binding td:first-child { box-shadow: inset 4px 0 0 var(--bind); }
    tr.fail-hard td { background: var(--bad-bg); }
    tr.fail-soft td { background: var(--warn-bg); }
    tr.chosen td { background: #eef6ff; font-weight: 600; }
    tr.territory-note td { border-bottom: 1px solid var(--line); padding-top: 0; }
    tr.territory td { border-bottom: none; }
    .tag { display: inline-block; font-size: 10px; font-weight: 700; text-transform: uppercase; color: #fff; background: var(--bind); border-radius: 3px; padding: 0 4px; }
    .checks-table .name { font-weight: 600; overflow-wrap: break-word; min-width: 150px; }
    .checks-table .name small { font-weight: 400; }
    .res { white-space: nowrap; }
    .src { font-size: 11px; color: #3f3f46; }
    .ev { font-style: italic; color: #3f3f46; white-space: nowrap; }
    .ev-r { color: #92400e; }
    .note, .none { color: var(--muted); font-size: 12px; }
    .draws { width: 28%; }
    .no-orders { margin: 8px 0; padding: 8px 12px; border: 1px dashed #a1a1aa; border-radius: 6px; background: #fafafa; }
    section.not-order { margin-top: 18px; border: 3px dashed #b91c1c; border-radius: 6px; padding: 0 10px 8px;
                        background: repeating-linear-gradient(-45deg, #fff, #fff 14px, #fef2f2 14px, #fef2f2 28px); }
    h2.not-order-head { color: #fff; background: #b91c1c; margin: 0 -10px 6px; padding: 6px 10px; border-bottom: none; }
    .not-order-note { font-weight: 700; color: var(--bad); margin: 4px 0 8px; }
    figure.chart-fig { margin: 14px 0; border: 1px solid var(--line); border-radius: 6px; padding: 8px; background: #fff; }
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
    .legend-table th { width: 30%; }
    .sign-table th, .sign-table td { border: 1px solid #71717a; padding: 6px 8px; }
    .sign-table thead th { background: var(--head); font-size: 12px; }
    .sign-table tbody th { width: 16%; }
    .sign-table td.line { height: 42px; }
    .sign-table thead th:nth-child(2) { width: 30%; }
    .sign-table thead th:nth-child(3) { width: 30%; }
    footer { margin-top: 20px; padding-top: 8px; border-top: 2px solid #27272a; font-size: 12px; }
    footer p { margin: 3px 0; }
    @media print {
      body { font-size: 8.5pt; }
      table.sheet { max-width: none; }
      main { padding: 0; }
      .runhead { padding-top: 0; margin-bottom: 6pt; }
      .rh-who { font-size: 9pt; }
      .rh-title { font-size: 7pt; }
      .chip { font-size: 8.5pt; }
      .watermark { font-size: 46pt; }
      .grid { grid-template-columns: repeat(3, 1fr); gap: 4px 12px; }
      .grid2 { grid-template-columns: repeat(2, 1fr); }
      .figures { grid-template-columns: repeat(5, 1fr); }
      .fig .v { font-size: 11pt; }
      .fig .v .name { font-size: 9pt; }
      .kv th { font-size: 8.5pt; }
      .checks-table .name { min-width: 0; width: 22%; }
      h1 { font-size: 15pt; }
      h2 { font-size: 11.5pt; margin-top: 11pt; break-after: avoid; page-break-after: avoid; }
      .badge .word { font-size: 18pt; }
      .banner-head { font-size: 15pt; }
      .banner-sub { font-size: 9pt; }
      .alert { font-size: 10pt; }
      .grid-table td, .grid-table thead th { font-size: 8pt; }
      small { font-size: 7pt; }
      code { font-size: 7.5pt; }
      .src { font-size: 7pt; }
      thead { display: table-header-group; }
      tr, figure.chart-fig, .kv, .fig, .badge, .banner, .alert, .no-orders, .orders-table, .territory-table, .limits-table,
      .trace, .legend, .approval, .sign-table, .reasons, header.top, .figures { break-inside: avoid; page-break-inside: avoid; }
      tr.territory { break-after: avoid; }
      .grid-table:not(.checks-table):not(.assumptions-table):not(.candidates-table) { break-inside: avoid; page-break-inside: avoid; }
      caption { break-after: avoid; }
      figure.chart-fig { border: none; padding: 0; }
      footer { break-inside: avoid; }
    }
    """
}

/// Data text for the page: the words of `PlainWords` (DosecalcCore), escaped, evidence codes in words.
typealias ReportText = PlainWords

extension PlainWords {
    /// Data text for the page: `plain`, escaped, evidence codes in words.
    static func html(_ text: String, titles: [String: String]) -> String {
        let escaped = ReportSVG.esc(plain(text, titles: titles))
        return PlainWords.replaceEvidenceMarkers(escaped) { evidenceHTML($0) }
    }

    /// "[V]" → "(verified)" in a span; recalled values are marked for the eye.
    static func evidenceHTML(_ marker: String) -> String {
        let (text, firstCode) = evidenceWords(marker)
        let cls = firstCode == "R" ? "ev ev-r" : "ev"
        return "<span class=\"\(cls)\">(\(text))</span>"
    }
}
