// SPDX-License-Identifier: GPL-3.0-or-later
import DosecalcCore
import GSLKit
import Radioembolization
import Foundation

/// One injection's plan.
public struct TerritoryPlan: Codable, Sendable {
    public var name: String
    /// Activity injected into this territory (GBq), after vial discretisation.
    public var activityGBq: Double
    /// Activity the dose optimum asked for, before vial discretisation (GBq).
    public var prescribedActivityGBq: Double
    public var tumorDosesGy: [String: Double]
    public var normalLiverDoseGy: Double
    public var normalLiverMassG: Double
    public var vialSizeGBq: Double?
    /// Resin: fraction of the (decayed) 3 GBq vial to draw.
    public var vialFraction: Double?
}

public struct RadioembolizationPlan: Codable, Sendable {
    public var modality: String
    public var device: String
    /// Total activity injected (GBq).
    public var activityGBq: Double
    public var activityMCi: Double
    /// The common tumour dose: every territory's least-enhancing tumour gets it (Gy).
    public var commonTumorDoseGy: Double
    /// The largest common tumour dose the limits allow (Gy).
    public var maximumCommonTumorDoseGy: Double
    public var tumorTargetGy: Double?
    public var tumorTargetSource: String?
    public var tumorTargetReached: Bool
    public var bindingConstraint: String
    public var vialSizeGBq: Double?
    public var treatmentTime: String?
    public var hoursAfterCalibration: Double?
    public var residualPercent: Double
    /// Ho-166: activity to order, at the treatment time and at calibration (GBq).
    public var orderActivityAtTreatmentGBq: Double?
    public var orderActivityAtCalibrationGBq: Double?
    public var territories: [TerritoryPlan]
    public var lungDoseGy: Double
    public var cumulativeLungDoseGy: Double
    public var wholeNormalLiverDoseGy: Double
    public var lungShuntPercent: Double
    public var lungMassG: Double
    public var doseFactorGyKgPerGBq: Double
}

/// The planner for radioembolization over one or more territories sharing the lungs and the whole
/// normal liver.
///
/// Every territory i is prescribed so that its least-enhancing tumour receives the common dose D:
/// A_i(D) = D · Σ_j(R_ij·M_ij + M_NL,i) / (K · (1 − LSF) · min_j R_ij). Every dose is then
/// linear in D, and the largest D the limits allow is where the tightest limit is reached. It is found
/// with GSL's Brent root finder on h(D) = max_k(q_k(D)/L_k) − 1, which holds for any monotone
/// constraint, and is checked against the closed form in the tests. The plan takes
/// D* = min(target, D_max). The vials and the time are then chosen so that the delivered activity never
/// exceeds the prescription.
public enum RadioembolizationPlanner {
    struct Geometry {
        let names: [String]
        let normalMassKg: [Double]
        let weightedMassKg: [Double]   // Σ R·M + M_NL per territory
        let rMin: [Double]
        let tumors: [[(name: String, massKg: Double, tn: Double)]]
    }

    struct Limit {
        let name: String
        let quantity: String
        let limit: Double
        let unit: String
        let source: String
        let severity: CheckSeverity
    }

    public static func plan(_ input: PlanInput, assessment a: AssessmentSummary, constraints: ConstraintSets,
                            catalogue: RadioembolizationCatalogue) throws -> (plan: RadioembolizationPlan, checks: [Check], status: Status, reasons: [String]) {
        let t = input.treatment
        guard let modality = constraints.radioembolization.modalities[t.modality] else {
            throw InputError(field: "treatment.modality", "must be one of y90-glass, y90-resin, ho166, deb; got '\(t.modality)'")
        }
        guard let anatomy = input.anatomy else { throw InputError(field: "anatomy", "is required for \(t.modality)") }
        let device = try catalogue.device(modality.device)
        let nuclide = try catalogue.nuclide(device.nuclide)
        let k = device.doseFactorGyKgPerGBq

        // --- validate anatomy -------------------------------------------------------------------
        let lsfPercent = try PlausibleInputs.lungShuntPercent.check(anatomy.lungShuntPercent, field: "anatomy.lungShuntPercent")
        let lsf = lsfPercent / 100
        let lungMassG = try PlausibleInputs.lungMassG.check(anatomy.lungMassG ?? catalogue.tissue.lungMassG, field: "anatomy.lungMassG")
        let wholeNL = try PlausibleInputs.liverMassG.check(anatomy.wholeNormalLiverMassG, field: "anatomy.wholeNormalLiverMassG")
        guard !anatomy.territories.isEmpty else { throw InputError(field: "anatomy.territories", "must list at least one territory") }
        guard anatomy.territories.count <= 10 else { throw InputError(field: "anatomy.territories", "must list at most 10 territories") }
        var names: [String] = [], nl: [Double] = [], w: [Double] = [], rmin: [Double] = [], tumors: [[(String, Double, Double)]] = []
        for (i, ter) in anatomy.territories.enumerated() {
            let p = "anatomy.territories[\(i)]"
            guard !names.contains(ter.name) else { throw InputError(field: "\(p).name", "'\(ter.name)' is used twice") }
            let m = try PlausibleInputs.liverMassG.check(ter.normalLiverMassG, field: "\(p).normalLiverMassG")
            guard !ter.tumors.isEmpty else { throw InputError(field: "\(p).tumors", "must list at least one tumour (the planner prescribes to the tumour)") }
            var ts: [(String, Double, Double)] = []
            var weighted = m / 1000
            for (j, tu) in ter.tumors.enumerated() {
                let mt = try PlausibleInputs.tumorMassG.check(tu.massG, field: "\(p).tumors[\(j)].massG")
                let r = try PlausibleInputs.tnRatio.check(tu.tnRatio, field: "\(p).tumors[\(j)].tnRatio")
                ts.append((tu.name, mt / 1000, r))
                weighted += r * mt / 1000
            }
            names.append(ter.name); nl.append(m / 1000); w.append(weighted)
            rmin.append(ts.map(\.2).min()!); tumors.append(ts)
        }
        let sumNL = nl.reduce(0, +)
        guard sumNL <= wholeNL / 1000 * (1 + 1e-9) else {
            throw InputError(field: "anatomy.wholeNormalLiverMassG", "must be at least the sum of the territories' normal-liver masses (\(Format.number(sumNL * 1000)) g); got \(Format.number(wholeNL)) g")
        }
        let geo = Geometry(names: names, normalMassKg: nl, weightedMassKg: w, rMin: rmin,
                           tumors: tumors.map { $0.map { (name: $0.0, massKg: $0.1, tn: $0.2) } })
        let bilobar = names.count > 1 || abs(sumNL - wholeNL / 1000) <= 1e-9 * wholeNL
        let ctx = PatientContext(bilirubinMgPerDl: a.bilirubinMgPerDl, compromisedLiver: a.compromisedLiver, bilobar: bilobar)

        // --- limits that apply --------------------------------------------------------------------
        var limits: [Limit] = []
        var reasons: [String] = []
        var checks: [Check] = []
        for row in constraints.radioembolization.common + modality.limits where row.applies(to: ctx) {
            if row.quantity == "lungShuntPercent" {
                checks.append(Check(name: row.name, value: lsfPercent, limit: row.limitPercent ?? 20, unit: "%", kind: .atMost,
                                    severity: row.severity == "hard" ? .hard : .soft, source: row.source))
                continue
            }
            var value = row.limitGy ?? .infinity
            var source = row.source
            if row.quantity == "wholeNormalLiverDose", let o = t.wholeNormalLiverLimitGy {
                value = try PlausibleRange(1, 500, "Gy").check(o, field: "treatment.wholeNormalLiverLimitGy")
                source = "given in the input (treatment.wholeNormalLiverLimitGy) instead of: \(row.source)"
            }
            if row.quantity == "territoryNormalLiverDose", let o = t.perfusedNormalLiverLimitGy {
                value = try PlausibleRange(1, 500, "Gy").check(o, field: "treatment.perfusedNormalLiverLimitGy")
                source = "given in the input (treatment.perfusedNormalLiverLimitGy) instead of: \(row.source)"
            }
            limits.append(Limit(name: row.name, quantity: row.quantity, limit: value, unit: "Gy", source: source,
                                severity: row.severity == "hard" ? .hard : .soft))
        }
        if t.wholeNormalLiverLimitGy != nil && !limits.contains(where: { $0.quantity == "wholeNormalLiverDose" }) {
            limits.append(Limit(name: "wholeNormalLiverDose", quantity: "wholeNormalLiverDose",
                                limit: try PlausibleRange(1, 500, "Gy").check(t.wholeNormalLiverLimitGy!, field: "treatment.wholeNormalLiverLimitGy"),
                                unit: "Gy", source: "given in the input (treatment.wholeNormalLiverLimitGy)", severity: .hard))
        }
        if t.perfusedNormalLiverLimitGy != nil && !limits.contains(where: { $0.quantity == "territoryNormalLiverDose" }) {
            limits.append(Limit(name: "perfusedNormalLiverDose", quantity: "territoryNormalLiverDose",
                                limit: try PlausibleRange(1, 500, "Gy").check(t.perfusedNormalLiverLimitGy!, field: "treatment.perfusedNormalLiverLimitGy"),
                                unit: "Gy", source: "given in the input (treatment.perfusedNormalLiverLimitGy)", severity: .hard))
        }

        // --- target ---------------------------------------------------------------------------------
        var target: Double? = nil
        var targetSource: String? = nil
        if let tt = t.tumorTargetGy {
            target = try PlausibleInputs.doseGy.check(tt, field: "treatment.tumorTargetGy")
            targetSource = "given in the input (treatment.tumorTargetGy)"
        } else if let h = input.patient.histology, let row = modality.tumorTargets.first(where: { $0.histology.lowercased() == h.lowercased() }) {
            target = row.targetGy
            targetSource = row.source
        } else {
            reasons.append("no tumour dose target applies (\(input.patient.histology ?? "histology not given")\(modality.noTargetNote.map { "; " + $0 } ?? "")): the plan is the largest activity the limits allow")
        }

        // --- the dose model, linear in the common tumour dose D -----------------------------------------
        let lungKg = lungMassG / 1000
        func activities(_ d: Double) -> [Double] {
            (0..<names.count).map { d * geo.weightedMassKg[$0] / (k * (1 - lsf) * geo.rMin[$0]) }
        }
        func doses(_ acts: [Double]) -> (nl: [Double], tumors: [[Double]], lung: Double, wholeNL: Double) {
            var nlDoses: [Double] = [], tDoses: [[Double]] = []
            var energyNL = 0.0
            for i in 0..<acts.count {
                let comps = geo.tumors[i].map { Compartment(name: $0.name, massKg: $0.massKg, relativeConcentration: $0.tn) }
                    + [Compartment(name: "normalLiver", massKg: geo.normalMassKg[i], relativeConcentration: 1)]
                let ds = Dosimetry.partitionDosesGy(activityGBq: acts[i], lungShuntFraction: lsf, compartments: comps, doseFactor: k)
                tDoses.append(Array(ds.dropLast()))
                nlDoses.append(ds.last!)
                energyNL += ds.last! * geo.normalMassKg[i]
            }
            let total = acts.reduce(0, +)
            return (nlDoses, tDoses, Dosimetry.lungDoseGy(activityGBq: total, lungShuntFraction: lsf, lungMassKg: lungKg, doseFactor: k),
                    energyNL / (wholeNL / 1000))
        }
        func quantity(_ q: String, _ ds: (nl: [Double], tumors: [[Double]], lung: Double, wholeNL: Double)) -> Double {
            switch q {
            case "lungDose": return ds.lung
            case "cumulativeLungDose": return ds.lung + a.priorLungDoseGy
            case "wholeNormalLiverDose": return ds.wholeNL
            case "territoryNormalLiverDose": return ds.nl.max() ?? 0
            default: return 0
            }
        }
        /// h(D) = max_k q_k(D)/L_k − 1: negative while every limit holds.
        func h(_ d: Double) -> (value: Double, worst: String) {
            let ds = doses(activities(d))
            var worst = -Double.infinity, name = ""
            for l in limits where l.severity == .hard {
                let ratio = quantity(l.quantity, ds) / l.limit
                if ratio > worst { worst = ratio; name = l.name }
            }
            return (worst - 1, name)
        }

        // --- the largest common tumour dose the limits allow (GSL Brent) -------------------------------
        var dMax: Double
        var binding: String
        let h0 = h(0)
        if h0.value >= 0 {
            dMax = 0
            binding = h0.worst
            reasons.append("no activity is allowed: \(h0.worst) is already at its limit before treatment")
        } else {
            var hi = 1.0
            while h(hi).value < 0 && hi < 1e7 { hi *= 2 }
            guard h(hi).value >= 0 else { throw InputError(field: "anatomy", "no limit bounds the activity") }
            let root = try RootFinder.brent(lower: hi / 2 > 0 && h(hi / 2).value < 0 ? hi / 2 : 0, upper: hi, absTol: 0, relTol: 1e-13) { h($0).value }
            dMax = root.lower   // the feasible side of the final bracket
            binding = h(root.upper).worst
        }

        var dStar = dMax
        var targetReached = false
        if let tg = target {
            if dMax >= tg * (1 - 1e-9) {
                dStar = tg
                targetReached = true
                if dMax > tg * (1 + 1e-9) { binding = "tumorTarget" }
            } else {
                reasons.append("infeasible: the tumour target \(Format.number(tg)) Gy is out of reach; the largest common tumour dose the limits allow is \(Format.fixed(dMax, 1)) Gy, bound by \(binding)")
            }
        }
        let prescribed = activities(dStar)

        // --- vials and time -----------------------------------------------------------------------
        let residual = try PlausibleInputs.residualPercent.check(t.residualPercent ?? device.typicalResidualPercent, field: "treatment.residualPercent")
        let keep = 1 - residual / 100
        var delivered = prescribed
        var vialSizes: [Double?] = Array(repeating: nil, count: names.count)
        var vialFractions: [Double?] = Array(repeating: nil, count: names.count)
        var treatmentTime: Date? = nil
        var hoursAfterCal: Double? = nil
        var orderAtTreatment: Double? = nil, orderAtCalibration: Double? = nil
        let calibration = try t.calibrationTime.map { try parsePlanTime($0, field: "treatment.calibrationTime") }
        let earliest = try t.earliestTreatmentTime.map { try parsePlanTime($0, field: "treatment.earliestTreatmentTime") }
        let latest = try t.latestTreatmentTime.map { try parsePlanTime($0, field: "treatment.latestTreatmentTime") }
        if let e = earliest, let l = latest, l < e {
            throw InputError(field: "treatment.latestTreatmentTime", "must not be before earliestTreatmentTime")
        }
        if latest != nil && earliest == nil {
            throw InputError(field: "treatment.earliestTreatmentTime", "is required when latestTreatmentTime is given")
        }
        let halfLife = nuclide.halfLifeH
        func hoursFrom(_ a: Date, _ b: Date) -> Double { b.timeIntervalSince(a) / 3600 }

        switch t.modality {
        case "y90-glass":
            if let cal = calibration, let e = earliest {
                let h0 = hoursFrom(cal, e)
                let h1 = latest.map { hoursFrom(cal, $0) } ?? h0
                guard h0 >= -24 * 30, h1 <= 24 * 30 else {
                    throw InputError(field: "treatment.earliestTreatmentTime", "must be within 30 days of calibrationTime")
                }
                var sizes = device.vialSizesGBq.sorted()
                if let given = t.vialSizesGBq {
                    guard !given.isEmpty else { throw InputError(field: "treatment.vialSizesGBq", "must list at least one vial size") }
                    sizes = try given.enumerated().map {
                        try PlausibleRange(0, 30, "GBq", includesLower: false).check($0.element, field: "treatment.vialSizesGBq[\($0.offset)]")
                    }.sorted()
                }
                func deliveredGBq(_ v: Double, _ hh: Double) -> Double { v * Decay.fraction(hours: hh, halfLifeH: halfLife) * keep }
                // Territory with the largest prescription sets the time.
                let lead = prescribed.indices.max { prescribed[$0] < prescribed[$1] }!
                let need = prescribed[lead]
                var chosen: (vial: Double, hours: Double)? = nil
                if need > 0 {
                    for v in sizes where deliveredGBq(v, h1) <= need * (1 + 1e-12) && deliveredGBq(v, h0) >= need * (1 - 1e-12) {
                        let f0 = deliveredGBq(v, h0) - need, f1 = deliveredGBq(v, h1) - need
                        if h1 > h0 && f0 > 0 && f1 < 0 {
                            let r = try RootFinder.brent(lower: h0, upper: h1, absTol: 1e-9, relTol: 0) { deliveredGBq(v, $0) - need }
                            // The later end of the bracket delivers no more than the need.
                            chosen = (v, r.upper)
                        } else {
                            // The need sits on an end of the window (to 1e-12): that end, which never delivers more.
                            chosen = (v, f0 <= 0 ? h0 : h1)
                        }
                        break
                    }
                    if chosen == nil {
                        // No vial decays to the need inside the window: the largest delivery that does not exceed it.
                        if let best = sizes.filter({ deliveredGBq($0, h0) <= need * (1 + 1e-12) }).max() {
                            chosen = (best, h0)
                            reasons.append("no glass vial decays to the prescription inside the treatment window; \(Format.number(best)) GBq at the earliest time delivers less than prescribed")
                        } else {
                            reasons.append("infeasible: every glass vial still holds more than the prescription at the latest treatment time; widen the window or order a custom activity")
                        }
                    }
                }
                if let c = chosen {
                    hoursAfterCal = c.hours
                    treatmentTime = cal.addingTimeInterval(c.hours * 3600)
                    for i in names.indices {
                        if i == lead {
                            vialSizes[i] = c.vial
                            delivered[i] = min(deliveredGBq(c.vial, c.hours), prescribed[i])
                        } else if let v = sizes.filter({ deliveredGBq($0, c.hours) <= prescribed[i] * (1 + 1e-12) }).max() {
                            vialSizes[i] = v
                            delivered[i] = min(deliveredGBq(v, c.hours), prescribed[i])
                            if delivered[i] < prescribed[i] * 0.999 {
                                reasons.append("territory \(names[i]): the \(Format.number(v)) GBq vial at the treatment time delivers \(Format.fixed(delivered[i], 3)) GBq of the \(Format.fixed(prescribed[i], 3)) GBq prescribed")
                            }
                        } else {
                            vialSizes[i] = nil
                            delivered[i] = 0
                            reasons.append("infeasible: territory \(names[i]) needs \(Format.fixed(prescribed[i], 3)) GBq but the smallest vial holds more at the treatment time")
                        }
                    }
                } else if need > 0 {
                    delivered = Array(repeating: 0, count: names.count)
                }
            } else {
                reasons.append("no calibrationTime and earliestTreatmentTime: vial and time not chosen; the activities are the prescription")
            }
        case "y90-resin":
            let vial = device.vialSizesGBq.first ?? 3
            var hh = 0.0
            if let cal = calibration, let e = earliest {
                hh = hoursFrom(cal, e)
                treatmentTime = e
                hoursAfterCal = hh
            } else {
                reasons.append("no calibrationTime and earliestTreatmentTime: vial fractions are for the vial at calibration")
            }
            let available = vial * Decay.fraction(hours: hh, halfLifeH: halfLife)
            for i in names.indices {
                vialSizes[i] = vial
                vialFractions[i] = prescribed[i] / keep / available
            }
            let totalFraction = vialFractions.compactMap { $0 }.reduce(0, +)
            if totalFraction > 1 {
                reasons.append("the prescription needs \(Format.fixed(totalFraction, 2)) vials of \(Format.number(vial)) GBq at the treatment time")
            }
        default: // ho166
            let total = prescribed.reduce(0, +)
            orderAtTreatment = total / keep
            if let cal = calibration, let e = earliest {
                hoursAfterCal = hoursFrom(cal, e)
                treatmentTime = e
                orderAtCalibration = orderAtTreatment! / Decay.fraction(hours: hoursAfterCal!, halfLifeH: halfLife)
            } else if let e = earliest {
                treatmentTime = e
            }
        }

        // --- the plan as delivered, and its checks ---------------------------------------------------
        let ds = doses(delivered)
        for l in limits {
            let v = quantity(l.quantity, ds)
            checks.append(Check(name: l.name, value: v, limit: l.limit, unit: l.unit, kind: .atMost, severity: l.severity,
                                source: l.source, binding: !targetReached || binding != "tumorTarget" ? l.name == binding : false))
        }
        var minTumorDose = Double.infinity
        for i in names.indices { minTumorDose = min(minTumorDose, (ds.tumors[i].min() ?? 0)) }
        let deliveredReachesTarget = target.map { minTumorDose >= $0 * (1 - 1e-6) } ?? false
        if let tg = target {
            checks.append(Check(name: "tumorTarget", value: minTumorDose, limit: tg, unit: "Gy", kind: .atLeast, severity: .soft,
                                source: targetSource ?? "", binding: binding == "tumorTarget" && deliveredReachesTarget))
            if targetReached && !deliveredReachesTarget {
                binding = "vialAvailability"
                reasons.append("infeasible: the limits allow the \(Format.number(tg)) Gy target, but the vials available deliver \(Format.fixed(minTumorDose, 1)) Gy to the least-dosed tumour")
            }
        }
        for adv in constraints.radioembolization.advisories {
            let v: Double
            switch adv.quantity {
            case "bilirubinMgPerDl": v = a.bilirubinMgPerDl
            case "childPughScore": v = Double(a.childPughScore)
            default: continue
            }
            checks.append(Check(name: adv.name, value: v, limit: adv.limit, unit: adv.quantity == "bilirubinMgPerDl" ? "mg/dL" : "points",
                                kind: .atMost, severity: .soft, source: adv.source))
        }
        var status = overallStatus(checks.filter { $0.name != "tumorTarget" })
        if target != nil && !deliveredReachesTarget { status = max(status, .infeasible) }
        if delivered.reduce(0, +) == 0 && dMax > 0 { status = max(status, .infeasible) }
        if dMax == 0 { status = .contraindicated }
        for c in checks where !c.passed && c.severity == .hard {
            reasons.append("contraindicated: " + c.reason)
        }

        let iso = ISO8601DateFormatter()
        iso.formatOptions = [.withInternetDateTime]
        if let tz = t.earliestTreatmentTime.flatMap(utcOffset) ?? t.calibrationTime.flatMap(utcOffset) { iso.timeZone = tz }
        let totalDelivered = delivered.reduce(0, +)
        let plan = RadioembolizationPlan(
            modality: t.modality, device: device.id, activityGBq: totalDelivered, activityMCi: totalDelivered * UnitConversion.mCiPerGBq,
            commonTumorDoseGy: minTumorDose.isFinite ? minTumorDose : 0, maximumCommonTumorDoseGy: dMax,
            tumorTargetGy: target, tumorTargetSource: targetSource, tumorTargetReached: deliveredReachesTarget,
            bindingConstraint: binding,
            vialSizeGBq: vialSizes.compactMap { $0 }.max(), treatmentTime: treatmentTime.map { iso.string(from: $0) },
            hoursAfterCalibration: hoursAfterCal, residualPercent: residual,
            orderActivityAtTreatmentGBq: orderAtTreatment, orderActivityAtCalibrationGBq: orderAtCalibration,
            territories: names.indices.map { i in
                TerritoryPlan(name: names[i], activityGBq: delivered[i], prescribedActivityGBq: prescribed[i],
                              tumorDosesGy: Dictionary(uniqueKeysWithValues: zip(geo.tumors[i].map(\.name), ds.tumors[i])),
                              normalLiverDoseGy: ds.nl[i], normalLiverMassG: geo.normalMassKg[i] * 1000,
                              vialSizeGBq: vialSizes[i], vialFraction: vialFractions[i])
            },
            lungDoseGy: ds.lung, cumulativeLungDoseGy: ds.lung + a.priorLungDoseGy, wholeNormalLiverDoseGy: ds.wholeNL,
            lungShuntPercent: lsfPercent, lungMassG: lungMassG, doseFactorGyKgPerGBq: k)
        return (plan, checks, status, reasons)
    }
}

/// ISO 8601 with a UTC offset; anything else is refused with the field's name.
func parsePlanTime(_ text: String, field: String) throws -> Date {
    let t = text.trimmingCharacters(in: .whitespaces)
    let hasOffset = t.hasSuffix("Z") || t.range(of: #"[+-]\d{2}:?\d{2}$"#, options: .regularExpression) != nil
    let f = ISO8601DateFormatter()
    f.formatOptions = [.withInternetDateTime]
    if t.contains("T"), hasOffset, let d = f.date(from: t) { return d }
    f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    if t.contains("T"), hasOffset, let d = f.date(from: t) { return d }
    throw InputError(field: field, "must be an ISO 8601 date-time with a UTC offset, e.g. 2026-11-26T09:30:00+01:00; got '\(text)'")
}

/// The UTC offset written in an ISO 8601 time, to print the treatment time in the same offset.
func utcOffset(_ text: String) -> TimeZone? {
    if text.hasSuffix("Z") { return TimeZone(secondsFromGMT: 0) }
    guard let r = text.range(of: #"([+-])(\d{2}):?(\d{2})$"#, options: .regularExpression) else { return nil }
    let s = text[r]
    let sign: Int = s.first == "-" ? -1 : 1
    let digits = s.dropFirst().replacingOccurrences(of: ":", with: "")
    guard digits.count == 4, let hh = Int(digits.prefix(2)), let mm = Int(digits.suffix(2)) else { return nil }
    return TimeZone(secondsFromGMT: sign * (hh * 3600 + mm * 60))
}
