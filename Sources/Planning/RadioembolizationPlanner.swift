// SPDX-License-Identifier: GPL-3.0-or-later
import ClinicalPolicy
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

    /// The dose quantities the common tumour dose D is planned against.
    static let doseQuantities: Set<LimitQuantity> = [.lungDoseGy, .cumulativeLungDoseGy, .wholeNormalLiverDoseGy, .perfusedNormalLiverDoseGy]

    public static func plan(_ input: PlanInput, assessment a: AssessmentSummary, policy: ClinicalPolicy,
                            catalogue: RadioembolizationCatalogue) throws -> (plan: RadioembolizationPlan, checks: [Check], status: Status, reasons: [String]) {
        let t = input.treatment
        let modality = t.modality
        guard let deviceID = modality.deviceID else {
            throw InputError(field: "treatment.modality", "must be y90-glass, y90-resin or ho166 for a radioembolization plan; got '\(modality.rawValue)'")
        }
        guard let anatomy = input.anatomy else { throw InputError(field: "anatomy", "is required for \(modality.rawValue)") }
        let device = try catalogue.device(deviceID)
        let nuclide = try catalogue.nuclide(device.nuclide)
        let k = device.doseFactorGyKgPerGBq

        // --- validate anatomy -------------------------------------------------------------------
        let lsfPercent = try PlausibleInputs.lungShuntPercent.check(anatomy.lungShuntPercent, field: "anatomy.lungShuntPercent")
        let lsf = lsfPercent / 100
        let lungMassG = try PlausibleInputs.lungMassG.check(anatomy.lungMassG ?? catalogue.tissue.lungMassG, field: "anatomy.lungMassG")
        let wholeNL = try PlausibleInputs.liverMassG.check(anatomy.wholeNormalLiverMassG, field: "anatomy.wholeNormalLiverMassG")
        guard !anatomy.territories.isEmpty else { throw InputError(field: "anatomy.territories", "must list at least one territory") }
        guard anatomy.territories.count <= PlanInputLimits.territories else {
            throw InputError(field: "anatomy.territories", "must list at most \(PlanInputLimits.territories) territories; got \(anatomy.territories.count)")
        }
        var names: [String] = [], nl: [Double] = [], w: [Double] = [], rmin: [Double] = [], tumors: [[(String, Double, Double)]] = []
        for (i, ter) in anatomy.territories.enumerated() {
            let p = "anatomy.territories[\(i)]"
            try checkName(ter.name, field: "\(p).name")
            guard !names.contains(ter.name) else { throw InputError(field: "\(p).name", "'\(ter.name)' is used by another territory: every territory needs its own name") }
            let m = try PlausibleInputs.liverMassG.check(ter.normalLiverMassG, field: "\(p).normalLiverMassG")
            guard !ter.tumors.isEmpty else { throw InputError(field: "\(p).tumors", "must list at least one tumour (the planner prescribes to the tumour)") }
            guard ter.tumors.count <= PlanInputLimits.tumorsPerTerritory else {
                throw InputError(field: "\(p).tumors", "must list at most \(PlanInputLimits.tumorsPerTerritory) tumours; got \(ter.tumors.count)")
            }
            var ts: [(String, Double, Double)] = []
            var weighted = m / 1000
            for (j, tu) in ter.tumors.enumerated() {
                try checkName(tu.name, field: "\(p).tumors[\(j)].name")
                guard !ts.contains(where: { $0.0 == tu.name }) else {
                    throw InputError(field: "\(p).tumors[\(j)].name", "'\(tu.name)' is used by another tumour of this territory: every tumour needs its own name")
                }
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
        let facts = a.facts(bilobar: bilobar)
        var overrides: [LimitQuantity: ClinicalPolicy.Override] = [:]
        if let o = t.wholeNormalLiverLimitGy {
            overrides[.wholeNormalLiverDoseGy] = .init(limit: try PlausibleRange(1, 500, "Gy").check(o, field: "treatment.wholeNormalLiverLimitGy"),
                                                       source: "given in the input (treatment.wholeNormalLiverLimitGy)")
        }
        if let o = t.perfusedNormalLiverLimitGy {
            overrides[.perfusedNormalLiverDoseGy] = .init(limit: try PlausibleRange(1, 500, "Gy").check(o, field: "treatment.perfusedNormalLiverLimitGy"),
                                                          source: "given in the input (treatment.perfusedNormalLiverLimitGy)")
        }
        let resolved = policy.limits(for: modality, facts: facts, overrides: overrides)
        for q in overrides.keys where !resolved.contains(where: { $0.quantity == q }) {
            let field = q == .wholeNormalLiverDoseGy ? "treatment.wholeNormalLiverLimitGy" : "treatment.perfusedNormalLiverLimitGy"
            throw InputError(field: field, "has no limit to replace for \(modality.rawValue): the clinical policy sets no such limit for this device")
        }
        let limits = resolved.filter { $0.severity == .hard && doseQuantities.contains($0.quantity) }
        var reasons: [String] = []
        var checks: [Check] = []
        for l in resolved where !l.assumedFacts.isEmpty {
            reasons.append("\(l.label): \(l.assumedFacts.map { factField($0) }.joined(separator: ", ")) not given, so the most cautious limit (\(Format.number(l.limit)) \(l.quantity.unit)) applies")
        }

        // --- target ---------------------------------------------------------------------------------
        var target: Double? = nil
        var targetSource: String? = nil
        if let tt = t.tumorTargetGy {
            target = try PlausibleInputs.doseGy.check(tt, field: "treatment.tumorTargetGy")
            targetSource = "given in the input (treatment.tumorTargetGy)"
        } else {
            guard let h = input.patient.histology else {
                throw InputError(field: "patient.histology", "is required to choose the tumour dose target: one of \(Histology.valuesText) (or give treatment.tumorTargetGy)")
            }
            let found = policy.tumorTarget(modality, histology: h)
            if let tg = found.targetGy {
                target = tg
                targetSource = found.source
            } else {
                reasons.append("no tumour dose target applies (\(h.rawValue): \(found.source)): the plan is the largest activity the limits allow")
            }
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
        func quantity(_ q: LimitQuantity, _ ds: (nl: [Double], tumors: [[Double]], lung: Double, wholeNL: Double)) -> Double {
            switch q {
            case .lungDoseGy: return ds.lung
            case .cumulativeLungDoseGy: return ds.lung + a.priorLungDoseGy
            case .wholeNormalLiverDoseGy: return ds.wholeNL
            case .perfusedNormalLiverDoseGy: return ds.nl.max() ?? 0
            default: return 0
            }
        }
        /// h(D) = max_k q_k(D)/L_k − 1: negative while every limit holds.
        func h(_ d: Double) -> (value: Double, worst: String) {
            let ds = doses(activities(d))
            var worst = -Double.infinity, name = ""
            for l in limits {
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
        let calibration = try t.calibrationTime.map { try Timestamp.parse($0, field: "treatment.calibrationTime") }
        let earliest = try t.earliestTreatmentTime.map { try Timestamp.parse($0, field: "treatment.earliestTreatmentTime") }
        let latest = try t.latestTreatmentTime.map { try Timestamp.parse($0, field: "treatment.latestTreatmentTime") }
        if let e = earliest, let l = latest, l < e {
            throw InputError(field: "treatment.latestTreatmentTime", "must not be before earliestTreatmentTime")
        }
        if latest != nil && earliest == nil {
            throw InputError(field: "treatment.earliestTreatmentTime", "is required when latestTreatmentTime is given")
        }
        if earliest != nil && calibration == nil {
            throw InputError(field: "treatment.calibrationTime", "is required when a treatment time is given: the activity at the treatment time depends on it")
        }
        if calibration != nil && earliest == nil {
            throw InputError(field: "treatment.earliestTreatmentTime", "is required when calibrationTime is given")
        }
        var window = device.usableWindow
        var windowOverride: UsableWindow? = nil
        if let w = t.usableWindowHoursAfterCalibration {
            guard w.count == 2 else {
                throw InputError(field: "treatment.usableWindowHoursAfterCalibration", "must be two numbers, [earliest, latest] hours after calibration; got \(w.count)")
            }
            try PlausibleRange(-720, 720, "h").check(w[0], field: "treatment.usableWindowHoursAfterCalibration[0]")
            try PlausibleRange(-720, 720, "h").check(w[1], field: "treatment.usableWindowHoursAfterCalibration[1]")
            guard w[0] < w[1] else {
                throw InputError(field: "treatment.usableWindowHoursAfterCalibration", "must give the earliest hour before the latest; got [\(Format.number(w[0])), \(Format.number(w[1]))]")
            }
            window = UsableWindow(earliestHoursAfterCalibration: w[0], latestHoursAfterCalibration: w[1], verified: false,
                                  source: "given in the input (treatment.usableWindowHoursAfterCalibration)")
            windowOverride = window
        }
        var deliverability: [Check] = []
        let halfLife = nuclide.halfLifeH
        func hoursFrom(_ a: Date, _ b: Date) -> Double { b.timeIntervalSince(a) / 3600 }

        switch t.modality {
        case .y90Glass:
            if let cal = calibration, let e = earliest {
                let requestedH0 = hoursFrom(cal, e)
                let requestedH1 = latest.map { hoursFrom(cal, $0) } ?? requestedH0
                // The treatment time is chosen inside both the requested window and the product's usable time.
                let h0 = max(requestedH0, window.earliestHoursAfterCalibration)
                let h1 = min(requestedH1, window.latestHoursAfterCalibration)
                let windowOpen = h0 <= h1
                if !windowOpen {
                    reasons.append("infeasible: the treatment window (\(Format.fixed(requestedH0, 1)) to \(Format.fixed(requestedH1, 1)) h after calibration) lies outside the time the product may be used (\(Format.number(window.earliestHoursAfterCalibration)) to \(Format.number(window.latestHoursAfterCalibration)) h)")
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
                if need > 0 && windowOpen {
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
                deliverability += Deliverability.windowChecks(device: device, hoursAfterCalibration: chosen?.hours ?? requestedH0, window: windowOverride)
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
        case .y90Resin:
            let vial = device.vialSizesGBq.first ?? 3
            var hh = 0.0
            if let cal = calibration, let e = earliest {
                hh = hoursFrom(cal, e)
                treatmentTime = e
                hoursAfterCal = hh
                deliverability += Deliverability.windowChecks(device: device, hoursAfterCalibration: hh, window: windowOverride)
            } else {
                reasons.append("no calibrationTime and earliestTreatmentTime: vial fractions are for the vial at calibration")
            }
            let available = vial * Decay.fraction(hours: hh, halfLifeH: halfLife)
            for i in names.indices {
                vialSizes[i] = vial
                vialFractions[i] = prescribed[i] / keep / available
            }
            let totalFraction = vialFractions.compactMap { $0 }.reduce(0, +)
            deliverability.append(Deliverability.drawCheck(drawPercent: 100 * totalFraction, vials: 1, source: device.largestOrderSource))
            if totalFraction > 1 {
                reasons.append("the prescription needs \(Format.fixed(totalFraction, 2)) vials of \(Format.number(vial)) GBq at the treatment time")
            }
        default: // ho166
            let total = prescribed.reduce(0, +)
            orderAtTreatment = total / keep
            if let cal = calibration, let e = earliest {
                hoursAfterCal = hoursFrom(cal, e)
                treatmentTime = e
                deliverability += Deliverability.windowChecks(device: device, hoursAfterCalibration: hoursAfterCal!, window: windowOverride)
                let atCalibration = orderAtTreatment! / Decay.fraction(hours: hoursAfterCal!, halfLifeH: halfLife)
                // Far outside the usable window the activity at calibration is astronomically large; it is shown as
                // it is (the plan is infeasible). Past the range of a double it is left out, and the window
                // check, which fails there, says why.
                if atCalibration.isFinite {
                    orderAtCalibration = atCalibration
                    deliverability.append(Deliverability.orderCheck(device: device, activityAtCalibrationGBq: atCalibration))
                }
            } else {
                deliverability.append(Deliverability.orderCheck(device: device, activityAtCalibrationGBq: orderAtTreatment!))
            }
        }

        // --- the plan as delivered, and its checks ---------------------------------------------------
        let ds = doses(delivered)
        let quantities: [LimitQuantity: Double] = [
            .lungDoseGy: ds.lung, .cumulativeLungDoseGy: ds.lung + a.priorLungDoseGy, .wholeNormalLiverDoseGy: ds.wholeNL,
            .perfusedNormalLiverDoseGy: ds.nl.max() ?? 0, .lungShuntPercent: lsfPercent,
            .bilirubinMgPerDl: a.bilirubinMgPerDl, .childPughScore: Double(a.childPughScore),
        ]
        for var c in policy.evaluate(modality, facts: facts, quantities: quantities, overrides: overrides, selection: .mostCautious,
                                     naming: requirementField) {
            c.binding = c.name == binding
            checks.append(c)
        }
        checks += deliverability
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
        var status = overallStatus(checks.filter { $0.name != "tumorTarget" })
        if target != nil && !deliveredReachesTarget { status = max(status, .infeasible) }
        if delivered.reduce(0, +) == 0 && dMax > 0 { status = max(status, .infeasible) }
        for (i, d) in delivered.enumerated() where d == 0 && prescribed[i] > 0 {
            status = max(status, .infeasible)
            reasons.append("infeasible: territory \(names[i]) receives no activity")
        }
        if dMax == 0 { status = .contraindicated }
        reasons += checkReasons(checks.filter { $0.name != "tumorTarget" })
        let offset = t.earliestTreatmentTime.flatMap(Timestamp.utcOffsetSeconds) ?? t.calibrationTime.flatMap(Timestamp.utcOffsetSeconds) ?? 0
        let totalDelivered = delivered.reduce(0, +)
        let plan = RadioembolizationPlan(
            modality: t.modality.rawValue, device: device.id, activityGBq: totalDelivered, activityMCi: totalDelivered * UnitConversion.mCiPerGBq,
            commonTumorDoseGy: minTumorDose.isFinite ? minTumorDose : 0, maximumCommonTumorDoseGy: dMax,
            tumorTargetGy: target, tumorTargetSource: targetSource, tumorTargetReached: deliveredReachesTarget,
            bindingConstraint: binding,
            vialSizeGBq: vialSizes.compactMap { $0 }.max(), treatmentTime: treatmentTime.map { Timestamp.format($0, offsetSeconds: offset) },
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

