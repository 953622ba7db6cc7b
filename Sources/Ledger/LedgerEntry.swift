// SPDX-License-Identifier: GPL-3.0-or-later
import ClinicalPolicy
import DosecalcCore
import Radioembolization
import Foundation
import Planning

/// One recorded treatment, as stored in the ledger.
public struct LedgerEntry: Sendable, Equatable {
    /// The row number in the ledger (increasing in the order of recording).
    public var id: Int64
    public var patientID: String
    /// y90-glass, y90-resin, ho166 or deb-tace.
    public var kind: PriorTreatmentKind
    /// The day the treatment was given, "YYYY-MM-DD".
    public var date: String
    /// Radioembolization: the lung dose of this treatment (the plan's, scaled to the delivered activity).
    public var lungDoseGy: Double?
    /// DEB-TACE: the doxorubicin of this treatment (delivered, or the plan's).
    public var doxorubicinMg: Double?
    /// The delivered activity (GBq) when one was given; nil when the plan's activity was recorded as planned.
    public var deliveredActivityGBq: Double?
    public var plannedActivityGBq: Double?
    public var plannedLungDoseGy: Double?
    public var plannedDoxorubicinMg: Double?
    /// The plan's status as computed: ok, warning, infeasible or contraindicated.
    public var planStatus: Status
    /// Why the entry differs from a plain "given as planned", in plain words; nil otherwise.
    public var note: String?
    public var planInputSha256: String?
    public var dosecalcVersion: String?
    public var planCalculatedAt: String?
    public var bsaM2: Double?
    /// The whole plan file, as given to `ledger add`.
    public var planJSON: String
    /// When the entry was recorded, ISO 8601 in UTC.
    public var recordedAt: String

    /// The entry as a prior treatment of `PlanInput` (kind, date, lung dose, doxorubicin).
    public func priorTreatment() throws -> PlanInput.PriorTreatment {
        try PriorTreatments.make(kind: kind, date: date, lungDoseGy: lungDoseGy, doxorubicinMg: doxorubicinMg)
    }
}

/// A treatment ready to be recorded: the plan's facts with the delivered amounts and the date applied.
public struct NewTreatment: Sendable, Equatable {
    public var patientID: String
    public var kind: PriorTreatmentKind
    public var date: String
    public var lungDoseGy: Double?
    public var doxorubicinMg: Double?
    public var deliveredActivityGBq: Double?
    public var plan: PlanRecord
    public var note: String?

    /// Applies the ledger's rules to a plan:
    ///
    /// - radioembolization: the lung dose is the plan's, scaled by delivered / planned activity when a
    ///   delivered activity is given (the lung dose is linear in the activity);
    /// - DEB-TACE: the doxorubicin is the delivered dose when given, else the plan's;
    /// - an activity for a DEB plan, or a doxorubicin dose for a radioembolization plan, is refused;
    /// - a plan that was infeasible or contraindicated as computed is refused unless a delivered amount
    ///   is given (then it is recorded as delivered, with a note);
    /// - the date is `date` (YYYY-MM-DD or ISO 8601 with offset) when given, else the plan's treatment
    ///   time; without either it is refused. It may not lie in the future.
    public static func make(plan: PlanRecord, deliveredActivity: DeliveredActivity?, deliveredDoxorubicinMg: Double?,
                            date dateText: String?, now: Date = Date()) throws -> NewTreatment {
        let file = PlanRecord.quoted(plan.file)
        let modalityWords = LedgerWords.kind(plan.kind)
        if plan.modality.isRadioembolization, deliveredDoxorubicinMg != nil {
            throw InputError(field: DeliveredDoxorubicin.flag, "does not apply: \(file) is a \(modalityWords) plan; give the delivered activity with --delivered-activity-gbq, -mbq or -mci")
        }
        if !plan.modality.isRadioembolization, let a = deliveredActivity {
            throw InputError(field: a.unit.flag, "does not apply: \(file) is a DEB-TACE plan; give the delivered doxorubicin with \(DeliveredDoxorubicin.flag)")
        }
        let dox = try deliveredDoxorubicinMg.map { try DeliveredDoxorubicin.check($0) }
        let deliveredGiven = deliveredActivity != nil || dox != nil

        var note: String?
        if !plan.isDeliverable {
            guard deliveredGiven else {
                let flags = plan.modality.isRadioembolization ? "--delivered-activity-gbq (or -mbq, -mci)" : DeliveredDoxorubicin.flag
                throw InputError(field: PlanRecord.flag, "\(file): the plan is \(plan.status.rawValue): it was not deliverable as computed and is not recorded; if a treatment was given nevertheless, record what was given with \(flags)")
            }
            note = "the plan was \(plan.status.rawValue) as computed; recorded as delivered"
        }

        let day: String
        if let text = dateText {
            day = try LedgerDate.parse(text, field: "--date")
            try LedgerDate.checkPlausible(day, now: now, field: "--date", source: "the date")
        } else if let t = plan.treatmentTime {
            day = try LedgerDate.fromTimestamp(t, field: PlanRecord.flag, what: "\(file) at radioembolization.treatmentTime")
            try LedgerDate.checkPlausible(day, now: now, field: PlanRecord.flag, source: "\(file): the plan's treatment date")
        } else {
            throw InputError(field: "--date", "is required: \(file) has no treatment time; give the day the treatment was given, e.g. --date 2026-11-30")
        }

        var t = NewTreatment(patientID: plan.patientID, kind: plan.kind, date: day, lungDoseGy: nil, doxorubicinMg: nil,
                             deliveredActivityGBq: nil, plan: plan, note: note)
        if plan.modality.isRadioembolization {
            guard let planned = plan.plannedActivityGBq, let lung = plan.plannedLungDoseGy else {
                throw InputError(field: PlanRecord.flag, "\(file) at radioembolization: the planned activity and lung dose are missing")
            }
            if let a = deliveredActivity {
                guard planned > 0 else {
                    throw InputError(field: PlanRecord.flag, "\(file) at radioembolization.activityGBq: the planned activity is 0 GBq, so the lung dose cannot be scaled to the delivered activity")
                }
                t.deliveredActivityGBq = a.gbq
                t.lungDoseGy = lung * (a.gbq / planned)
            } else {
                guard planned > 0 else {
                    throw InputError(field: PlanRecord.flag, "\(file) at radioembolization.activityGBq: the planned activity is 0 GBq: nothing would be recorded; give the delivered activity")
                }
                t.lungDoseGy = lung
            }
            // The ledger's lung doses are the planner's prior lung doses: the same plausible range.
            if let l = t.lungDoseGy, !PlausibleInputs.priorLungDoseGy.contains(l) {
                throw InputError(field: deliveredActivity?.unit.flag ?? PlanRecord.flag,
                                 "the lung dose to record would be \(Format.number(l)) Gy, outside \(PlausibleInputs.priorLungDoseGy.text) (the range of a prior lung dose); check the delivered activity and the plan")
            }
        } else {
            guard let planned = plan.plannedDoxorubicinMg else {
                throw InputError(field: PlanRecord.flag, "\(file) at chemoembolization.doxorubicinMg: the planned doxorubicin is missing")
            }
            if let d = dox {
                t.doxorubicinMg = d
            } else {
                guard planned > 0 else {
                    throw InputError(field: PlanRecord.flag, "\(file) at chemoembolization.doxorubicinMg: the planned doxorubicin is 0 mg: nothing would be recorded; give \(DeliveredDoxorubicin.flag)")
                }
                t.doxorubicinMg = planned
            }
        }
        return t
    }
}

/// Cumulative amounts for one patient.
public struct LedgerTotals: Sendable, Equatable {
    public var patientID: String
    public var treatmentCount: Int
    public var cumulativeLungDoseGy: Double
    public var cumulativeDoxorubicinMg: Double

    public init(patientID: String, treatmentCount: Int, cumulativeLungDoseGy: Double, cumulativeDoxorubicinMg: Double) {
        self.patientID = patientID
        self.treatmentCount = treatmentCount
        self.cumulativeLungDoseGy = cumulativeLungDoseGy
        self.cumulativeDoxorubicinMg = cumulativeDoxorubicinMg
    }

    /// Totals per patient, in the order patients first appear in `entries`.
    public static func of(_ entries: [LedgerEntry]) -> [LedgerTotals] {
        var order: [String] = []
        var totals: [String: LedgerTotals] = [:]
        for e in entries {
            if totals[e.patientID] == nil {
                order.append(e.patientID)
                totals[e.patientID] = LedgerTotals(patientID: e.patientID, treatmentCount: 0, cumulativeLungDoseGy: 0, cumulativeDoxorubicinMg: 0)
            }
            totals[e.patientID]!.treatmentCount += 1
            totals[e.patientID]!.cumulativeLungDoseGy += e.lungDoseGy ?? 0
            totals[e.patientID]!.cumulativeDoxorubicinMg += e.doxorubicinMg ?? 0
        }
        return order.map { totals[$0]! }
    }
}

/// Treatments in plain clinical words.
public enum LedgerWords {
    public static func kind(_ k: PriorTreatmentKind) -> String {
        switch k {
        case .y90Glass: return "Y-90 glass microsphere"
        case .y90Resin: return "Y-90 resin microsphere"
        case .ho166: return "Ho-166 microsphere"
        case .debTace: return "DEB-TACE"
        case .conventionalTace: return "conventional TACE"
        case .systemicDoxorubicin: return "systemic doxorubicin"
        case .externalBeamRadiotherapy: return "external-beam radiotherapy"
        case .resection: return "resection"
        case .ablation: return "ablation"
        case .systemicTherapy: return "systemic therapy"
        case .other: return "other"
        }
    }
}
