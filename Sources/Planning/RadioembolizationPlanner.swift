// SPDX-License-Identifier: GPL-3.0-or-later
import ClinicalPolicy
import DosecalcCore
import GSLKit
import Radioembolization
import Uncertainty
import Foundation

/// How a territory is prescribed.
public enum TerritoryPrescription: String, Codable, Sendable {
    /// Its least-enhancing tumour gets the tumour dose target (partition model).
    case tumorDose
    /// The mean dose to its whole perfused volume, tumours and normal liver (MIRD single compartment).
    case perfusedDose
    /// No target applies: the largest activity the limits allow.
    case largestAllowed
    /// Not treated in this session (`excluded` in the input).
    case excluded
}

/// One injection's plan.
public struct TerritoryPlan: Codable, Sendable {
    public var name: String
    public var intent: TreatmentIntent
    public var prescription: TerritoryPrescription
    /// The dose the territory is prescribed (Gy): tumour dose or perfused-volume dose; absent when none applies.
    public var targetGy: Double?
    public var targetSource: String?
    /// The dose the prescription is measured by, as delivered (Gy): the least tumour dose, or the
    /// perfused-volume dose.
    public var achievedGy: Double?
    public var targetReached: Bool?
    /// Activity injected into this territory (GBq), after vial discretisation.
    public var activityGBq: Double
    /// Activity the dose optimum asked for, before vial discretisation (GBq).
    public var prescribedActivityGBq: Double
    public var tumorDosesGy: [String: Double]
    public var normalLiverDoseGy: Double
    public var normalLiverMassG: Double
    /// Tumours and normal liver of the territory (g), and their mean dose (Gy).
    public var perfusedMassG: Double
    public var perfusedDoseGy: Double
    public var vialSizeGBq: Double?
    /// Resin: fraction of the (decayed) 3 GBq vial to draw.
    public var vialFraction: Double?
    /// When this territory's activity is administered (ISO 8601 in the input's UTC offset), and the
    /// same for a person.
    public var treatmentTime: String?
    public var treatmentTimeLocal: String?
    public var hoursAfterCalibration: Double?
    /// Why the territory receives what it receives, when that is not the plain prescription.
    public var note: String?
}

/// One vial or order: what to order, when to administer it, and what is drawn for which territory.
public struct OrderLine: Codable, Sendable {
    public struct Draw: Codable, Sendable {
        public var territory: String
        /// Activity that reaches the patient (GBq).
        public var injectedActivityGBq: Double
        /// Activity taken from the vial, the residual left in vial and lines included (GBq).
        public var drawnActivityGBq: Double
        /// Resin: the drawn activity as a share of the vial's activity at administration (percent).
        public var drawPercentOfVial: Double?
    }
    public var line: Int
    public var product: String
    /// Activity of the vial or order at its calibration time (GBq).
    public var vialActivityAtCalibrationGBq: Double
    public var calibrationTime: String?
    public var administrationTime: String?
    public var administrationTimeLocal: String?
    public var hoursAfterCalibration: Double?
    public var vialActivityAtAdministrationGBq: Double?
    public var draws: [Draw]
}

public struct RadioembolizationPlan: Codable, Sendable {
    public var modality: String
    public var device: String
    /// Total activity injected (GBq).
    public var activityGBq: Double
    /// The same in MBq and mCi (1 GBq = 1000 MBq; 1 mCi = 37 MBq exactly).
    public var activityMBq: Double
    public var activityMCi: Double
    /// The least tumour dose over the territories prescribed by tumour dose (Gy).
    public var commonTumorDoseGy: Double?
    /// The largest such dose the limits allow (Gy).
    public var maximumCommonTumorDoseGy: Double?
    /// Territories with targets: the largest share of every target the limits allow together (1 = all reached).
    public var fractionOfTargetAllowed: Double?
    public var tumorTargetGy: Double?
    public var tumorTargetSource: String?
    /// Every treated territory reached its target within the prescription tolerance.
    public var tumorTargetReached: Bool
    public var prescriptionTolerancePercent: Double
    public var bindingConstraint: String
    /// The largest vial of the plan (GBq).
    public var vialSizeGBq: Double?
    /// The first administration (ISO 8601 in the input's offset; local for a person), hours after calibration.
    public var treatmentTime: String?
    public var treatmentTimeLocal: String?
    public var hoursAfterCalibration: Double?
    /// The working hours the times were chosen in ("07:30-17:00", local time of the input's offset).
    public var treatmentHours: String?
    public var residualPercent: Double
    /// Ho-166: activity to order, at the treatment time and at calibration (GBq).
    public var orderActivityAtTreatmentGBq: Double?
    public var orderActivityAtCalibrationGBq: Double?
    /// One line per vial or order, only when the plan is ok or a warning.
    public var orders: [OrderLine]
    /// For an infeasible or contraindicated plan: the lines as computed, which are not an order.
    public var notAnOrder: [OrderLine]?
    public var territories: [TerritoryPlan]
    public var lungDoseGy: Double
    public var cumulativeLungDoseGy: Double
    public var wholeNormalLiverDoseGy: Double
    /// Normal liver outside the territories treated with ablative intent (percent of the whole); only with one.
    public var hepaticReservePercent: Double?
    public var lungShuntPercent: Double
    public var lungMassG: Double
    public var doseFactorGyKgPerGBq: Double
}

/// Working hours on every calendar day, in the local time of the treatment times' UTC offset.
public struct TreatmentHours: Sendable, Equatable {
    public let startMinute: Int
    public let endMinute: Int
    public var text: String { "\(Self.clock(startMinute))-\(Self.clock(endMinute))" }

    /// dosecalc's default, a common radiology working day; a department sets its own with
    /// `treatment.treatmentHours`. No guideline sets working hours.
    public static let standard = TreatmentHours(startMinute: 7 * 60 + 30, endMinute: 17 * 60)

    init(startMinute: Int, endMinute: Int) { self.startMinute = startMinute; self.endMinute = endMinute }

    static func clock(_ m: Int) -> String { String(format: "%02d:%02d", m / 60, m % 60) }

    /// "HH:MM-HH:MM", 24-hour clock, start before end on the same day.
    public static func parse(_ text: String, field: String) throws -> TreatmentHours {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        func minute(_ s: Substring) -> Int? {
            let hm = s.split(separator: ":", omittingEmptySubsequences: false)
            guard hm.count == 2, hm[0].count == 2, hm[1].count == 2, hm.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
                  let h = Int(hm[0]), let m = Int(hm[1]), (0...24).contains(h), (0...59).contains(m), h * 60 + m <= 24 * 60 else { return nil }
            return h * 60 + m
        }
        guard parts.count == 2, let a = minute(parts[0]), let b = minute(parts[1]) else {
            throw InputError(field: field, "must be working hours as HH:MM-HH:MM on the 24-hour clock, e.g. 07:30-17:00; got '\(text.prefix(40))'")
        }
        guard a < b else { throw InputError(field: field, "must start before it ends on the same day; got '\(text)'") }
        return TreatmentHours(startMinute: a, endMinute: b)
    }

    /// Minutes by which an instant lies outside the hours (0 inside).
    public func minutesOutside(_ date: Date, offsetSeconds: Int) -> Double {
        let m = Timestamp.localDayAndMinute(date, offsetSeconds: offsetSeconds).minuteOfDay
        if m < Double(startMinute) { return Double(startMinute) - m }
        if m > Double(endMinute) { return m - Double(endMinute) }
        return 0
    }
}

/// The instants a treatment may take place: the requested window, the product's usable time after
/// calibration and the working hours, intersected. Times are chosen on a 5-minute grid.
struct AllowedTimes {
    let intervals: [(start: Date, end: Date)]
    static let gridSeconds = 300.0

    init(from lo: Date, to hi: Date, hours: TreatmentHours, offsetSeconds: Int) {
        var out: [(Date, Date)] = []
        if lo <= hi {
            let first = Timestamp.localDayAndMinute(lo, offsetSeconds: offsetSeconds).day
            let last = Timestamp.localDayAndMinute(hi, offsetSeconds: offsetSeconds).day
            for day in first...max(first, last) {
                let s = max(lo, Timestamp.instant(day: day, minuteOfDay: Double(hours.startMinute), offsetSeconds: offsetSeconds))
                let e = min(hi, Timestamp.instant(day: day, minuteOfDay: Double(hours.endMinute), offsetSeconds: offsetSeconds))
                if s <= e { out.append((s, e)) }
            }
        }
        intervals = out
    }

    var isEmpty: Bool { intervals.isEmpty }

    /// The last allowed instant at or before `t`, rounded down to the 5-minute grid inside its interval
    /// (the interval's start when the grid point would precede it). Nil when none is before `t`.
    func lastSlot(atOrBefore t: Date) -> Date? {
        for iv in intervals.reversed() where t >= iv.start {
            let x = min(t, iv.end).timeIntervalSince1970
            let g = (x / Self.gridSeconds).rounded(.down) * Self.gridSeconds
            return max(Date(timeIntervalSince1970: g), iv.start)
        }
        return nil
    }

    /// The first allowed instant at or after `t`, rounded up to the 5-minute grid inside its interval
    /// (an interval's end when the grid point would pass it). Nil when none is left.
    func firstSlot(atOrAfter t: Date) -> Date? {
        for iv in intervals where t <= iv.end {
            let x = max(t, iv.start).timeIntervalSince1970
            let g = (x / Self.gridSeconds).rounded(.up) * Self.gridSeconds
            return min(Date(timeIntervalSince1970: g), iv.end)
        }
        return nil
    }
}

/// The planner for radioembolization over one or more territories sharing the lungs and the whole
/// normal liver.
///
/// Every treated territory i has a reference activity a_i: the activity that gives its target, either
/// the tumour dose T of its least-enhancing tumour (partition model,
/// a_i = T · (Σ_j R_ij·M_ij + M_NL,i) / (K · (1 − LSF) · min_j R_ij)) or, for segmental and ablative
/// intents, the mean dose P to its whole perfused mass (MIRD, a_i = P · M_perf,i / (K · (1 − LSF))).
/// All territories are scaled together, A_i = s · a_i, so every dose is linear in s. The largest s the
/// limits allow is where the tightest one is reached: GSL's Brent root finder on
/// h(s) = max_k(q_k(s)/L_k) − 1, checked against the closed form in the tests. With targets the plan
/// takes s* = min(1, s_max); a territory reaches its target when its dose is within the prescription
/// tolerance of it. With no target at all (no published one for the histology) a_i is the activity for
/// 1 Gy of tumour dose and s* = s_max: the largest common tumour dose the limits allow.
///
/// The perfused normal-liver limit applies to every territory whose intent does not lift it (the
/// policy's `intents`); the lung and whole normal-liver limits to all of them together.
///
/// Then each territory gets its own vial and time (glass: the smallest catalogue vial whose whole
/// activity, at an allowed time on the 5-minute grid, is within the prescription tolerance of the
/// territory's activity, and never more than the limits allow), or its own draw (resin) or order
/// (Ho-166) at the first allowed time.
/// The doses of a multi-territory radioembolization plan (partition model per territory, one lung, the
/// whole normal liver), linear in the activities. The planner and its Monte Carlo samples both use it.
struct DoseModel {
    /// The treated territories, in plan order.
    var territories: [RadioembolizationPlanner.Territory]
    var lungShuntFraction: Double
    var doseFactor: Double
    var lungMassKg: Double
    var wholeNormalLiverMassKg: Double
    var priorLungDoseGy: Double

    func doses(_ acts: [Double]) -> Doses {
        var d = Doses(nl: [], tumors: [], perfused: [], lung: 0, wholeNL: 0, perfusedLimitApplies: territories.map(\.perfusedLimitApplies),
                      priorLungDoseGy: priorLungDoseGy)
        var energyNL = 0.0
        let k = doseFactor, lsf = lungShuntFraction
        for (n, ter) in territories.enumerated() {
            let comps = ter.tumors.map { Compartment(name: $0.name, massKg: $0.massKg, relativeConcentration: $0.tn) }
                + [Compartment(name: "normalLiver", massKg: ter.normalMassKg, relativeConcentration: 1)]
            let ds = Dosimetry.partitionDosesGy(activityGBq: acts[n], lungShuntFraction: lsf, compartments: comps, doseFactor: k)
            d.tumors.append(Array(ds.dropLast()))
            d.nl.append(ds.last!)
            d.perfused.append(k * acts[n] * (1 - lsf) / ter.perfusedMassKg)
            energyNL += ds.last! * ter.normalMassKg
        }
        d.lung = Dosimetry.lungDoseGy(activityGBq: acts.reduce(0, +), lungShuntFraction: lsf, lungMassKg: lungMassKg, doseFactor: k)
        d.wholeNL = energyNL / wholeNormalLiverMassKg
        return d
    }
}

/// The doses of one plan: per treated territory (normal liver, tumours, perfused volume), the lung and
/// the whole normal liver (Gy).
struct Doses {
    var nl: [Double]
    var tumors: [[Double]]
    var perfused: [Double]
    var lung: Double
    var wholeNL: Double
    var perfusedLimitApplies: [Bool]
    var priorLungDoseGy: Double

    /// The highest normal-liver dose of the territories the perfused normal-liver limit applies to.
    var perfusedNormalLiverLimited: Double? {
        nl.indices.filter { perfusedLimitApplies[$0] }.map { nl[$0] }.max()
    }

    /// The value of a planned dose quantity.
    func quantity(_ q: LimitQuantity) -> Double {
        switch q {
        case .lungDoseGy: return lung
        case .cumulativeLungDoseGy: return lung + priorLungDoseGy
        case .wholeNormalLiverDoseGy: return wholeNL
        case .perfusedNormalLiverDoseGy: return perfusedNormalLiverLimited ?? 0
        default: return 0
        }
    }
}

public enum RadioembolizationPlanner {
    /// The dose quantities the scale s is planned against.
    static let doseQuantities: Set<LimitQuantity> = [.lungDoseGy, .cumulativeLungDoseGy, .wholeNormalLiverDoseGy, .perfusedNormalLiverDoseGy]

    /// The prescription tolerance when the input gives none (percent): a dosecalc default, not a
    /// guideline value (the US NRC counts a 20 % deviation as a medical event, 10 CFR 35.3045).
    public static let defaultTolerancePercent = 2.0

    struct Territory {
        let name: String
        let intent: TreatmentIntent
        let normalMassKg: Double
        let tumors: [(name: String, massKg: Double, tn: Double)]
        var perfusedMassKg: Double { normalMassKg + tumors.reduce(0) { $0 + $1.massKg } }
        var weightedMassKg: Double { normalMassKg + tumors.reduce(0) { $0 + $1.tn * $1.massKg } }
        var rMin: Double { tumors.map(\.tn).min() ?? 1 }
        var prescription: TerritoryPrescription = .largestAllowed
        var targetGy: Double? = nil
        var targetSource: String? = nil
        var perfusedLimitApplies = true
    }

    public static func plan(_ input: PlanInput, assessment a: AssessmentSummary, policy: ClinicalPolicy,
                            catalogue: RadioembolizationCatalogue) throws -> (plan: RadioembolizationPlan, checks: [Check], status: Status, reasons: [String], uncertainty: UncertaintyResult?) {
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
        if let source = anatomy.imageSource { try checkName(source, field: "anatomy.imageSource", maxCharacters: 512) }
        guard !anatomy.territories.isEmpty else { throw InputError(field: "anatomy.territories", "must list at least one territory") }
        guard anatomy.territories.count <= PlanInputLimits.territories else {
            throw InputError(field: "anatomy.territories", "must list at most \(PlanInputLimits.territories) territories; got \(anatomy.territories.count)")
        }
        let tolerancePercent = try PlausibleRange(0, 10, "%").check(t.prescriptionTolerancePercent ?? defaultTolerancePercent,
                                                                   field: "treatment.prescriptionTolerancePercent")
        let tol = tolerancePercent / 100
        var all: [Territory] = []          // every listed territory, input order
        var treatedIndex: [Int] = []       // indices into `all` of the treated ones
        var allNames: Set<String> = []
        for (i, ter) in anatomy.territories.enumerated() {
            let p = "anatomy.territories[\(i)]"
            try checkName(ter.name, field: "\(p).name")
            guard allNames.insert(ter.name).inserted else { throw InputError(field: "\(p).name", "'\(ter.name)' is used by another territory: every territory needs its own name") }
            let m = try PlausibleInputs.liverMassG.check(ter.normalLiverMassG, field: "\(p).normalLiverMassG")
            if let shape = ter.normalLiverDoseRatioAtMassPercent { _ = try ImageDoseShape.check(shape, field: "\(p).normalLiverDoseRatioAtMassPercent") }
            guard !ter.tumors.isEmpty else { throw InputError(field: "\(p).tumors", "must list at least one tumour (the planner prescribes to the tumour)") }
            guard ter.tumors.count <= PlanInputLimits.tumorsPerTerritory else {
                throw InputError(field: "\(p).tumors", "must list at most \(PlanInputLimits.tumorsPerTerritory) tumours; got \(ter.tumors.count)")
            }
            var ts: [(name: String, massKg: Double, tn: Double)] = []
            for (j, tu) in ter.tumors.enumerated() {
                try checkName(tu.name, field: "\(p).tumors[\(j)].name")
                guard !ts.contains(where: { $0.name == tu.name }) else {
                    throw InputError(field: "\(p).tumors[\(j)].name", "'\(tu.name)' is used by another tumour of this territory: every tumour needs its own name")
                }
                let mt = try PlausibleInputs.tumorMassG.check(tu.massG, field: "\(p).tumors[\(j)].massG")
                let r = try PlausibleInputs.tnRatio.check(tu.tnRatio, field: "\(p).tumors[\(j)].tnRatio")
                if let shape = tu.doseRatioAtMassPercent { _ = try ImageDoseShape.check(shape, field: "\(p).tumors[\(j)].doseRatioAtMassPercent") }
                ts.append((tu.name, mt / 1000, r))
            }
            let intent = ter.intent ?? .lobar
            var terr = Territory(name: ter.name, intent: intent, normalMassKg: m / 1000, tumors: ts)
            guard let row = policy.intent(intent, modality) else {
                throw InputError(field: "\(p).intent", "\(intent.rawValue) has no rule for \(modality.rawValue) in the clinical policy")
            }
            terr.perfusedLimitApplies = !row.exemptFrom.contains(.perfusedNormalLiverDoseGy)
            if let pd = ter.perfusedDoseTargetGy {
                guard row.perfusedDosePrescription else {
                    throw InputError(field: "\(p).perfusedDoseTargetGy", "is allowed for segmental and ablative intents only; this territory's intent is \(intent.rawValue) (\(row.source))")
                }
                terr.targetGy = try PlausibleInputs.doseGy.check(pd, field: "\(p).perfusedDoseTargetGy")
                terr.targetSource = "given in the input (\(p).perfusedDoseTargetGy)"
                terr.prescription = .perfusedDose
            } else if let d = row.defaultPerfusedDoseTargetGy {
                terr.targetGy = d
                terr.targetSource = row.source
                terr.prescription = .perfusedDose
            } else if intent == .ablative && ter.excluded != true {
                throw InputError(field: "\(p).perfusedDoseTargetGy", "is required for an ablative \(modality.rawValue) territory: \(row.source)")
            }
            if ter.excluded == true {
                terr.prescription = .excluded
                terr.targetGy = nil
                terr.targetSource = nil
            } else {
                treatedIndex.append(all.count)
            }
            all.append(terr)
        }
        guard !treatedIndex.isEmpty else {
            throw InputError(field: "anatomy.territories", "excludes every territory: at least one must be treated")
        }
        let sumNL = all.reduce(0) { $0 + $1.normalMassKg }
        guard sumNL <= wholeNL / 1000 * (1 + 1e-9) else {
            throw InputError(field: "anatomy.wholeNormalLiverMassG", "must be at least the sum of the territories' normal-liver masses (\(Format.number(sumNL * 1000)) g); got \(Format.number(wholeNL)) g")
        }
        let treatedNL = treatedIndex.reduce(0) { $0 + all[$1].normalMassKg }
        let bilobar = treatedIndex.count > 1 || abs(treatedNL - wholeNL / 1000) <= 1e-9 * wholeNL
        let ablativeNL = treatedIndex.filter { all[$0].intent == .ablative }.reduce(0) { $0 + all[$1].normalMassKg }
        let anyAblative = treatedIndex.contains { all[$0].intent == .ablative }
        var facts = a.facts(bilobar: bilobar)
        facts.ablative = anyAblative
        let hepaticReserve: Double? = anyAblative ? 100 * (wholeNL / 1000 - ablativeNL) / (wholeNL / 1000) : nil

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
        let perfusedLimited = treatedIndex.filter { all[$0].perfusedLimitApplies }
        var limits = resolved.filter { $0.severity == .hard && doseQuantities.contains($0.quantity) }
        if perfusedLimited.isEmpty { limits.removeAll { $0.quantity == .perfusedNormalLiverDoseGy } }
        var reasons: [String] = []
        var checks: [Check] = []
        for l in resolved where !l.assumedFacts.isEmpty {
            reasons.append("\(l.label): \(l.assumedFacts.map { factField($0) }.joined(separator: ", ")) not given, so the most cautious limit (\(Format.number(l.limit)) \(l.quantity.unit)) applies")
        }
        for i in treatedIndex where !all[i].perfusedLimitApplies && resolved.contains(where: { $0.quantity == .perfusedNormalLiverDoseGy }) {
            reasons.append("territory \(all[i].name) (\(all[i].intent.rawValue)): the perfused normal-liver limit does not apply to an ablative territory; the lung and whole normal-liver limits do (\(policy.intent(all[i].intent, modality)?.source ?? ""))")
        }

        // --- targets --------------------------------------------------------------------------------
        var tumorTarget: Double? = nil
        var tumorTargetSource: String? = nil
        let needsTumorTarget = treatedIndex.contains { all[$0].prescription == .largestAllowed }
        if needsTumorTarget {
            if let tt = t.tumorTargetGy {
                tumorTarget = try PlausibleInputs.doseGy.check(tt, field: "treatment.tumorTargetGy")
                tumorTargetSource = "given in the input (treatment.tumorTargetGy)"
            } else {
                guard let h = input.patient.histology else {
                    throw InputError(field: "patient.histology", "is required to choose the tumour dose target: one of \(Histology.valuesText) (or give treatment.tumorTargetGy)")
                }
                let found = policy.tumorTarget(modality, histology: h)
                if let tg = found.targetGy {
                    tumorTarget = tg
                    tumorTargetSource = found.source
                } else {
                    reasons.append("no tumour dose target applies (\(h.rawValue): \(found.source)): the plan is the largest activity the limits allow")
                }
            }
            for i in treatedIndex where all[i].prescription == .largestAllowed {
                if let tg = tumorTarget {
                    all[i].prescription = .tumorDose
                    all[i].targetGy = tg
                    all[i].targetSource = tumorTargetSource
                }
            }
        } else if let tt = t.tumorTargetGy {
            _ = try PlausibleInputs.doseGy.check(tt, field: "treatment.tumorTargetGy")
            reasons.append("treatment.tumorTargetGy is not used: every treated territory is prescribed by its perfused-volume dose")
        }
        let maximising = treatedIndex.contains { all[$0].prescription == .largestAllowed }
        if maximising, let i = treatedIndex.first(where: { all[$0].prescription != .largestAllowed }) {
            throw InputError(field: "treatment.tumorTargetGy", "is needed: territory \(all[i].name) has a dose target and the others have none, so their share cannot be planned; give the tumour dose target")
        }

        // --- the dose model, linear in the scale s -----------------------------------------------------
        let lungKg = lungMassG / 1000
        /// Activity of treated territory number n (position in treatedIndex) at s = 1.
        let reference: [Double] = treatedIndex.map { i in
            let ter = all[i]
            switch ter.prescription {
            case .perfusedDose: return ter.targetGy! * ter.perfusedMassKg / (k * (1 - lsf))
            case .tumorDose: return ter.targetGy! * ter.weightedMassKg / (k * (1 - lsf) * ter.rMin)
            default: return 1 * ter.weightedMassKg / (k * (1 - lsf) * ter.rMin)
            }
        }
        func activities(_ s: Double) -> [Double] { reference.map { s * $0 } }
        func doses(_ acts: [Double]) -> Doses {
            DoseModel(territories: treatedIndex.map { all[$0] }, lungShuntFraction: lsf, doseFactor: k, lungMassKg: lungKg,
                      wholeNormalLiverMassKg: wholeNL / 1000, priorLungDoseGy: a.priorLungDoseGy).doses(acts)
        }
        func perfusedNLDose(_ d: Doses) -> Double? { d.perfusedNormalLiverLimited }
        func quantity(_ q: LimitQuantity, _ d: Doses) -> Double { d.quantity(q) }
        /// h(s) = max_k q_k(s)/L_k − 1: negative while every limit holds.
        func h(_ s: Double) -> (value: Double, worst: String) {
            let d = doses(activities(s))
            var worst = -Double.infinity, name = ""
            for l in limits {
                let ratio = quantity(l.quantity, d) / l.limit
                if ratio > worst { worst = ratio; name = l.name }
            }
            return (worst - 1, name)
        }

        // --- the largest scale the limits allow (GSL Brent) --------------------------------------------
        var sMax: Double
        var binding: String
        let h0 = h(0)
        if h0.value >= 0 {
            sMax = 0
            binding = h0.worst
            reasons.append("no activity is allowed: the \(CheckWording.words(for: h0.worst)) is already at its limit before treatment")
        } else {
            var hi = maximising ? 1.0 : 1.0 / 1024
            while h(hi).value < 0 && hi < 1e7 { hi *= 2 }
            guard h(hi).value >= 0 else { throw InputError(field: "anatomy", "no limit bounds the activity") }
            let root = try RootFinder.brent(lower: h(hi / 2).value < 0 ? hi / 2 : 0, upper: hi, absTol: 0, relTol: 1e-13) { h($0).value }
            sMax = root.lower   // the feasible side of the final bracket
            binding = h(root.upper).worst
        }
        let allTumorPrescribed = treatedIndex.allSatisfy { all[$0].prescription == .tumorDose }
        let targetName = allTumorPrescribed ? "tumorTarget" : "doseTarget"
        var sStar = sMax
        if !maximising {
            if sMax >= 1 - 1e-12 {
                sStar = 1
                if sMax > 1 + 1e-9 { binding = targetName }
            } else if sMax < 1 - tol && sMax > 0 {
                reasons.append("infeasible: the limits allow \(Format.fixed(100 * sMax, 1)) % of the dose target\(treatedIndex.count > 1 ? "s" : ""); the \(CheckWording.words(for: binding)) binds")
            }
        }
        // --- uncertainty: Monte Carlo over the same dose model; the chance constraint --------------------------
        var sampler: PlanSampler? = nil
        var chance: UncertaintyResult.ChanceConstraint? = nil
        if let spec = try uncertainty(input) {
            let treatedTerritories = treatedIndex.map { all[$0] }
            let s = PlanSampler(specification: spec, territories: treatedTerritories, inputIndex: treatedIndex, lungShuntPercent: lsfPercent,
                                lungMassG: lungMassG, lungMassMeasured: anatomy.lungMassG != nil, wholeNormalLiverMassG: wholeNL,
                                doseFactor: k, priorLungDoseGy: a.priorLungDoseGy,
                                limits: limits.map { ($0.name, $0.quantity, $0.comparison, $0.limit) })
            sampler = s
            if let alpha = spec.maxExceedanceProbability {
                let nominalScale = sStar
                let cc: (scale: Double, binding: String?, probabilityAtUpper: Double)
                do { cc = try s.chanceConstrainedScale(reference: reference, alpha: alpha, upperScale: nominalScale) } catch let e as InputError {
                    throw InputError(field: "uncertainty." + e.field, e.message)
                }
                if cc.scale < nominalScale {
                    sStar = cc.scale
                    sMax = min(sMax, cc.scale)
                    if let b = cc.binding { binding = b }
                    reasons.append("chance constraint: the activity is lowered from \(Format.number(activities(nominalScale).reduce(0, +), significant: 4)) GBq to \(Format.number(activities(sStar).reduce(0, +), significant: 4)) GBq so that the probability of exceeding any hard limit is at most \(Format.number(100 * alpha)) % (at the nominal activity it is \(Format.number(100 * cc.probabilityAtUpper, significant: 3)) %); the \(CheckWording.words(for: binding)) is the limit most often exceeded")
                    if !maximising && sStar < 1 - tol {
                        reasons.append("infeasible: with at most \(Format.number(100 * alpha)) % probability of exceeding a hard limit, the limits allow \(Format.fixed(100 * sStar, 1)) % of the dose target\(treatedIndex.count > 1 ? "s" : "")")
                    }
                }
                chance = .init(maxExceedanceProbability: alpha, activityGBq: activities(sStar).reduce(0, +),
                               nominalActivityGBq: activities(nominalScale).reduce(0, +), nominalExceedanceProbability: cc.probabilityAtUpper,
                               bindingLimit: cc.scale < nominalScale ? cc.binding : nil)
            }
        }
        let prescribed = activities(sStar)

        // --- times, vials and orders ------------------------------------------------------------------
        let residual = try PlausibleInputs.residualPercent.check(t.residualPercent ?? device.typicalResidualPercent, field: "treatment.residualPercent")
        let keep = 1 - residual / 100
        let nT = treatedIndex.count
        var delivered = prescribed
        var vialSizes: [Double?] = Array(repeating: nil, count: nT)
        var vialFractions: [Double?] = Array(repeating: nil, count: nT)
        var times: [Date?] = Array(repeating: nil, count: nT)
        var notes: [String?] = Array(repeating: nil, count: nT)
        var orders: [OrderLine] = []
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
        let hours = try t.treatmentHours.map { try TreatmentHours.parse($0, field: "treatment.treatmentHours") } ?? .standard
        if let e = earliest, let l = latest, l.timeIntervalSince(e) > 60 * 86_400 {
            throw InputError(field: "treatment.latestTreatmentTime", "must be at most 60 days after earliestTreatmentTime")
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
        let offset = t.earliestTreatmentTime.flatMap(Timestamp.utcOffsetSeconds) ?? t.calibrationTime.flatMap(Timestamp.utcOffsetSeconds) ?? 0
        var deliverability: [Check] = []
        let halfLife = nuclide.halfLifeH
        func hoursFrom(_ x: Date, _ y: Date) -> Double { y.timeIntervalSince(x) / 3600 }
        func names(_ n: Int) -> String { all[treatedIndex[n]].name }

        if let cal = calibration, let e = earliest {
            let l = latest ?? e
            let lo = max(e, cal.addingTimeInterval(window.earliestHoursAfterCalibration * 3600))
            let hi = min(l, cal.addingTimeInterval(window.latestHoursAfterCalibration * 3600))
            let allowed = AllowedTimes(from: lo, to: hi, hours: hours, offsetSeconds: offset)
            if lo > hi {
                reasons.append("infeasible: the treatment window (\(Format.fixed(hoursFrom(cal, e), 1)) to \(Format.fixed(hoursFrom(cal, l), 1)) h after calibration) lies outside the time the product may be used (\(Format.number(window.earliestHoursAfterCalibration)) to \(Format.number(window.latestHoursAfterCalibration)) h)")
            } else if allowed.isEmpty {
                reasons.append("infeasible: no time of the treatment window (\(Timestamp.readable(e, offsetSeconds: offset)) to \(Timestamp.readable(l, offsetSeconds: offset))) falls inside the treatment hours \(hours.text)")
            }
            switch modality {
            case .y90Glass:
                var sizes = device.vialSizesGBq.sorted()
                if let given = t.vialSizesGBq {
                    guard !given.isEmpty else { throw InputError(field: "treatment.vialSizesGBq", "must list at least one vial size") }
                    guard given.count <= PlanInputLimits.vialSizes else {
                        throw InputError(field: "treatment.vialSizesGBq", "must list at most \(PlanInputLimits.vialSizes) sizes; got \(given.count)")
                    }
                    sizes = try given.enumerated().map {
                        try PlausibleRange(0, 30, "GBq", includesLower: false).check($0.element, field: "treatment.vialSizesGBq[\($0.offset)]")
                    }.sorted()
                }
                func deliveredGBq(_ v: Double, _ at: Date) -> Double { v * Decay.fraction(hours: hoursFrom(cal, at), halfLifeH: halfLife) * keep }
                // A vial may deliver within the prescription tolerance of the need on either side, but never
                // more than the limits allow (the scale s_max) nor more than the tolerance above the need.
                let upper = min(1 + tol, sStar > 0 ? max(1, sMax / sStar) : 1)
                for n in 0..<nT where prescribed[n] > 0 {
                    let need = prescribed[n]
                    var best: (vial: Double, time: Date, delivered: Double)? = nil
                    var withinTolerance = false
                    for v in sizes {
                        // The instant at which the whole vial holds exactly the need, and the allowed slots
                        // just after and just before it.
                        let tStar = cal.addingTimeInterval(halfLife * log2(v * keep / need) * 3600)
                        let slots = [allowed.firstSlot(atOrAfter: tStar), allowed.lastSlot(atOrBefore: tStar)].compactMap { $0 }
                        let candidates = slots.map { (time: $0, delivered: deliveredGBq(v, $0)) }
                            .filter { $0.delivered <= need * upper * (1 + 1e-12) }
                        guard let c = candidates.min(by: { abs($0.delivered - need) < abs($1.delivered - need) }) else { continue }
                        if c.delivered >= need * (1 - tol) * (1 - 1e-12) { best = (v, c.time, c.delivered); withinTolerance = true; break }
                        if best == nil || c.delivered > best!.delivered { best = (v, c.time, c.delivered) }
                    }
                    if let b = best {
                        vialSizes[n] = b.vial
                        times[n] = b.time
                        delivered[n] = b.delivered
                        if !withinTolerance {
                            notes[n] = "no vial decays to within \(Format.number(tolerancePercent)) % of the prescription at an allowed time; the \(Format.number(b.vial)) GBq vial delivers \(Format.fixed(b.delivered, 3)) of \(Format.fixed(need, 3)) GBq"
                            reasons.append("territory \(names(n)): " + notes[n]!)
                        }
                        orders.append(OrderLine(line: orders.count + 1, product: device.name, vialActivityAtCalibrationGBq: b.vial,
                                                calibrationTime: Timestamp.format(cal, offsetSeconds: offset),
                                                administrationTime: Timestamp.format(b.time, offsetSeconds: offset),
                                                administrationTimeLocal: Timestamp.readable(b.time, offsetSeconds: offset),
                                                hoursAfterCalibration: hoursFrom(cal, b.time),
                                                vialActivityAtAdministrationGBq: b.vial * Decay.fraction(hours: hoursFrom(cal, b.time), halfLifeH: halfLife),
                                                draws: [.init(territory: names(n), injectedActivityGBq: b.delivered, drawnActivityGBq: b.delivered / keep, drawPercentOfVial: nil)]))
                    } else {
                        delivered[n] = 0
                        notes[n] = "every glass vial still holds more than the prescription at the latest allowed time; widen the window or give other vial sizes"
                        if !allowed.isEmpty { reasons.append("infeasible: territory \(names(n)): " + notes[n]!) }
                    }
                }
            case .y90Resin, .ho166:
                // No allowed time: the order is computed at the earliest requested time and shown as it is;
                // the window and hours checks below fail there and make the plan infeasible.
                do {
                    let slot = allowed.firstSlot(atOrAfter: e) ?? e
                    for n in 0..<nT { times[n] = slot }
                    let hh = hoursFrom(cal, slot)
                    let decay = Decay.fraction(hours: hh, halfLifeH: halfLife)
                    if modality == .y90Resin {
                        let vial = device.vialSizesGBq.first ?? 3
                        let available = vial * decay
                        var draws: [OrderLine.Draw] = []
                        for n in 0..<nT {
                            vialSizes[n] = vial
                            vialFractions[n] = prescribed[n] / keep / available
                            draws.append(.init(territory: names(n), injectedActivityGBq: prescribed[n], drawnActivityGBq: prescribed[n] / keep,
                                               drawPercentOfVial: 100 * vialFractions[n]!))
                        }
                        let totalFraction = vialFractions.compactMap { $0 }.reduce(0, +)
                        deliverability.append(Deliverability.drawCheck(drawPercent: 100 * totalFraction, vials: 1, source: device.largestOrderSource))
                        if totalFraction > 1 {
                            reasons.append("the prescription needs \(Format.fixed(totalFraction, 2)) vials of \(Format.number(vial)) GBq at the treatment time")
                        }
                        orders.append(OrderLine(line: 1, product: device.name, vialActivityAtCalibrationGBq: vial,
                                                calibrationTime: Timestamp.format(cal, offsetSeconds: offset),
                                                administrationTime: Timestamp.format(slot, offsetSeconds: offset),
                                                administrationTimeLocal: Timestamp.readable(slot, offsetSeconds: offset),
                                                hoursAfterCalibration: hh, vialActivityAtAdministrationGBq: available, draws: draws))
                    } else {
                        let total = prescribed.reduce(0, +)
                        orderAtTreatment = total / keep
                        let atCalibration = orderAtTreatment! / decay
                        // Far outside the usable window the activity at calibration is astronomically large; it is
                        // shown as it is (the plan is infeasible). Past the range of a double it is left out, and
                        // the window check, which fails there, says why.
                        if atCalibration.isFinite {
                            orderAtCalibration = atCalibration
                            deliverability.append(Deliverability.orderCheck(device: device, activityAtCalibrationGBq: atCalibration))
                        }
                        for n in 0..<nT where prescribed[n] > 0 {
                            let drawn = prescribed[n] / keep
                            orders.append(OrderLine(line: orders.count + 1, product: device.name, vialActivityAtCalibrationGBq: drawn / decay,
                                                    calibrationTime: Timestamp.format(cal, offsetSeconds: offset),
                                                    administrationTime: Timestamp.format(slot, offsetSeconds: offset),
                                                    administrationTimeLocal: Timestamp.readable(slot, offsetSeconds: offset),
                                                    hoursAfterCalibration: hh, vialActivityAtAdministrationGBq: drawn,
                                                    draws: [.init(territory: names(n), injectedActivityGBq: prescribed[n], drawnActivityGBq: drawn, drawPercentOfVial: nil)]))
                        }
                    }
                }
            default:
                break
            }
            // The times against the product's usable window and the working hours: at the chosen times, or at
            // the earliest requested time when none could be chosen.
            let chosen = times.compactMap { $0 }
            let first = chosen.min() ?? e, last = chosen.max() ?? e
            let w = Deliverability.windowChecks(device: device, hoursAfterCalibration: hoursFrom(cal, first), window: windowOverride)
            let wl = Deliverability.windowChecks(device: device, hoursAfterCalibration: hoursFrom(cal, last), window: windowOverride)
            deliverability += [w[0], wl[1]]
            let outside = (chosen.isEmpty ? [e] : chosen).map { hours.minutesOutside($0, offsetSeconds: offset) }.max() ?? 0
            var hc = Check(name: "treatmentHours", value: outside, limit: 0, unit: "min outside", kind: .atMost, severity: .hard,
                           source: t.treatmentHours != nil ? "given in the input (treatment.treatmentHours \(hours.text))" : "dosecalc default treatment hours \(hours.text), local time of the input (set treatment.treatmentHours)",
                           category: .deliverability, note: "minutes by which the treatment time lies outside the treatment hours")
            hc.label = "treatment time inside the treatment hours"
            deliverability.append(hc)
        } else {
            reasons.append("no vial calibration time and earliest treatment time given (treatment.calibrationTime, treatment.earliestTreatmentTime): no vial or time is chosen; the activities are the prescription")
            switch modality {
            case .y90Resin:
                let vial = device.vialSizesGBq.first ?? 3
                for n in 0..<nT { vialSizes[n] = vial; vialFractions[n] = prescribed[n] / keep / vial }
                let totalFraction = vialFractions.compactMap { $0 }.reduce(0, +)
                deliverability.append(Deliverability.drawCheck(drawPercent: 100 * totalFraction, vials: 1, source: device.largestOrderSource))
                if totalFraction > 1 {
                    reasons.append("the prescription needs \(Format.fixed(totalFraction, 2)) vials of \(Format.number(vial)) GBq at calibration")
                }
            case .ho166:
                orderAtTreatment = prescribed.reduce(0, +) / keep
                deliverability.append(Deliverability.orderCheck(device: device, activityAtCalibrationGBq: orderAtTreatment!))
            default: break
            }
        }

        // --- the plan as delivered, and its checks ---------------------------------------------------
        let ds = doses(delivered)
        var quantities: [LimitQuantity: Double] = [
            .lungDoseGy: ds.lung, .cumulativeLungDoseGy: ds.lung + a.priorLungDoseGy, .wholeNormalLiverDoseGy: ds.wholeNL,
            .lungShuntPercent: lsfPercent, .bilirubinMgPerDl: a.bilirubinMgPerDl, .childPughScore: Double(a.childPughScore),
        ]
        if let p = perfusedNLDose(ds) { quantities[.perfusedNormalLiverDoseGy] = p }
        if let hr = hepaticReserve { quantities[.hepaticReservePercent] = hr }
        for var c in policy.evaluate(modality, facts: facts, quantities: quantities, overrides: overrides, selection: .mostCautious,
                                     naming: requirementField) {
            // Every treated territory is ablative: no perfused normal-liver limit applies.
            if c.name == resolved.first(where: { $0.quantity == .perfusedNormalLiverDoseGy })?.name, perfusedLimited.isEmpty { continue }
            c.binding = c.name == binding
            checks.append(c)
        }
        checks += deliverability
        // No activity allowed at all: the limit already used up before this treatment is a failed check of its
        // own, so that the checks, and not only the reasons, say why the plan is contraindicated.
        if h0.value >= 0, let l = limits.first(where: { $0.name == h0.worst }) {
            var c = Check(name: "limitUsedBeforeTreatment", value: 100 * (h0.value + 1), limit: 100, unit: "% of the limit", kind: .below,
                          severity: .hard, source: l.source, category: .safety,
                          note: "share of the \(Format.number(l.limit)) \(l.quantity.unit) limit already reached before any activity is given")
            c.label = "\(l.label) already used before this treatment"
            c.binding = true
            checks.append(c)
        }
        // The targets, one check per treated territory with a target; met within the tolerance.
        var achieved: [Double?] = Array(repeating: nil, count: nT)
        var reached: [Bool?] = Array(repeating: nil, count: nT)
        var targetChecks: [Check] = []
        for (n, i) in treatedIndex.enumerated() {
            let ter = all[i]
            switch ter.prescription {
            case .tumorDose: achieved[n] = ds.tumors[n].min() ?? 0
            case .perfusedDose: achieved[n] = ds.perfused[n]
            default: continue
            }
            guard let tg = ter.targetGy else { continue }
            var c = Check(name: ter.prescription == .perfusedDose ? "perfusedDoseTarget" : "tumorTarget", value: achieved[n]!, limit: tg, unit: "Gy",
                          kind: .atLeast, severity: .soft, source: ter.targetSource ?? "", binding: false, tolerance: tol, category: .target,
                          note: tolerancePercent > 0 ? "counts as reached from \(Format.number(100 - tolerancePercent)) % of the target (prescription tolerance \(Format.number(tolerancePercent)) %)" : nil)
            c.label = (ter.prescription == .perfusedDose ? "perfused-volume dose target" : "tumour dose target") + (nT > 1 || all.count > 1 ? ", territory \(ter.name)" : "")
            c.binding = binding == targetName && c.state == .passed
            reached[n] = c.state == .passed
            targetChecks.append(c)
        }
        checks += targetChecks
        let everyTargetReached = !targetChecks.isEmpty && reached.allSatisfy { $0 != false }
        if !maximising && sStar == 1 && !everyTargetReached && sMax >= 1 - tol {
            binding = "vialAvailability"
            reasons.append("infeasible: the limits allow the dose target\(nT > 1 ? "s" : ""), but the vials available at the allowed times deliver less")
        }
        var status = overallStatus(checks.filter { $0.category != .target })
        if !targetChecks.isEmpty && !everyTargetReached { status = max(status, .infeasible) }
        if delivered.reduce(0, +) == 0 && sMax > 0 { status = max(status, .infeasible) }
        for n in 0..<nT where delivered[n] == 0 && prescribed[n] > 0 {
            status = max(status, .infeasible)
            reasons.append("infeasible: territory \(names(n)) receives no activity")
        }
        if sMax == 0 { status = .contraindicated }
        reasons += checkReasons(checks.filter { $0.category != .target })
        for c in targetChecks where c.state == .failed && sMax > 0 {
            reasons.append("infeasible: " + c.reason)
        }

        // --- output -----------------------------------------------------------------------------------
        let totalDelivered = delivered.reduce(0, +)
        let tumorTerritories = treatedIndex.indices.filter { all[treatedIndex[$0]].prescription == .tumorDose || all[treatedIndex[$0]].prescription == .largestAllowed }
        let minTumorDose = tumorTerritories.map { ds.tumors[$0].min() ?? 0 }.min()
        let firstTime = times.compactMap { $0 }.min()
        var territoryPlans: [TerritoryPlan] = []
        for (i, ter) in all.enumerated() {
            let tumorNames = ter.tumors.map(\.name)
            guard let n = treatedIndex.firstIndex(of: i) else {
                territoryPlans.append(TerritoryPlan(name: ter.name, intent: ter.intent, prescription: .excluded, targetGy: nil, targetSource: nil,
                                                    achievedGy: nil, targetReached: nil, activityGBq: 0, prescribedActivityGBq: 0,
                                                    tumorDosesGy: Dictionary(uniqueKeysWithValues: tumorNames.map { ($0, 0.0) }),
                                                    normalLiverDoseGy: 0, normalLiverMassG: ter.normalMassKg * 1000, perfusedMassG: ter.perfusedMassKg * 1000,
                                                    perfusedDoseGy: 0, vialSizeGBq: nil, vialFraction: nil, treatmentTime: nil, treatmentTimeLocal: nil,
                                                    hoursAfterCalibration: nil, note: "excluded from this treatment on purpose (anatomy.territories[\(i)].excluded): no activity"))
                continue
            }
            territoryPlans.append(TerritoryPlan(
                name: ter.name, intent: ter.intent, prescription: ter.prescription, targetGy: ter.targetGy, targetSource: ter.targetSource,
                achievedGy: achieved[n], targetReached: reached[n], activityGBq: delivered[n], prescribedActivityGBq: prescribed[n],
                tumorDosesGy: Dictionary(uniqueKeysWithValues: zip(tumorNames, ds.tumors[n])),
                normalLiverDoseGy: ds.nl[n], normalLiverMassG: ter.normalMassKg * 1000, perfusedMassG: ter.perfusedMassKg * 1000,
                perfusedDoseGy: ds.perfused[n], vialSizeGBq: vialSizes[n], vialFraction: vialFractions[n],
                treatmentTime: times[n].map { Timestamp.format($0, offsetSeconds: offset) },
                treatmentTimeLocal: times[n].map { Timestamp.readable($0, offsetSeconds: offset) },
                hoursAfterCalibration: times[n].flatMap { tm in calibration.map { hoursFrom($0, tm) } }, note: notes[n]))
        }
        let isOrder = status <= .warning
        let plan = RadioembolizationPlan(
            modality: t.modality.rawValue, device: device.id, activityGBq: totalDelivered, activityMBq: totalDelivered * UnitConversion.mbqPerGBq,
            activityMCi: totalDelivered * UnitConversion.mCiPerGBq,
            commonTumorDoseGy: minTumorDose, maximumCommonTumorDoseGy: tumorTerritories.isEmpty ? nil : (maximising ? sMax : sMax * (tumorTarget ?? 0)),
            fractionOfTargetAllowed: maximising ? nil : sMax,
            tumorTargetGy: tumorTarget, tumorTargetSource: tumorTargetSource, tumorTargetReached: everyTargetReached,
            prescriptionTolerancePercent: tolerancePercent, bindingConstraint: binding,
            vialSizeGBq: vialSizes.compactMap { $0 }.max(),
            treatmentTime: firstTime.map { Timestamp.format($0, offsetSeconds: offset) },
            treatmentTimeLocal: firstTime.map { Timestamp.readable($0, offsetSeconds: offset) },
            hoursAfterCalibration: firstTime.flatMap { tm in calibration.map { hoursFrom($0, tm) } },
            treatmentHours: earliest != nil ? hours.text : nil, residualPercent: residual,
            orderActivityAtTreatmentGBq: orderAtTreatment, orderActivityAtCalibrationGBq: orderAtCalibration,
            orders: isOrder ? orders : [], notAnOrder: isOrder || orders.isEmpty ? nil : orders,
            territories: territoryPlans,
            lungDoseGy: ds.lung, cumulativeLungDoseGy: ds.lung + a.priorLungDoseGy, wholeNormalLiverDoseGy: ds.wholeNL,
            hepaticReservePercent: hepaticReserve,
            lungShuntPercent: lsfPercent, lungMassG: lungMassG, doseFactorGyKgPerGBq: k)
        var uncertaintyResult: UncertaintyResult? = nil
        if let sampler {
            do { uncertaintyResult = try sampler.summary(delivered: delivered, chanceConstraint: chance) } catch let e as InputError {
                throw InputError(field: "uncertainty." + e.field, e.message)
            }
        }
        return (plan, checks, status, reasons, uncertaintyResult)
    }

    /// The input's uncertainty object as a specification (nil without one); errors name the input path.
    static func uncertainty(_ input: PlanInput) throws -> UncertaintySpecification? {
        guard let u = input.uncertainty else { return nil }
        var s = UncertaintySpecification()
        s.lungShuntPercentSd = u.lungShuntPercentSd ?? 0
        s.massCvPercent = u.massCvPercent ?? 0
        s.tnRatioCvPercent = u.tnRatioCvPercent ?? 0
        s.activityCvPercent = u.activityCvPercent ?? 0
        s.samples = u.samples ?? UncertaintySpecification.defaultSamples
        s.seed = u.seed ?? UncertaintySpecification.defaultSeed
        s.maxExceedanceProbability = u.maxExceedanceProbability
        do { try s.validate() } catch let e as InputError { throw InputError(field: "uncertainty." + e.field, e.message) }
        guard u.lungShuntPercentSd != nil || u.massCvPercent != nil || u.tnRatioCvPercent != nil || u.activityCvPercent != nil else {
            throw InputError(field: "uncertainty", "needs at least one uncertain input: lungShuntPercentSd, massCvPercent, tnRatioCvPercent or activityCvPercent")
        }
        return s
    }
}
