// SPDX-License-Identifier: GPL-3.0-or-later
// The typed form of reference-data/constraints/constraint-sets.json.
//
// Contract: every closed set in the file (modality, quantity, comparison, severity, category,
// histology, condition) is a Swift enum or a struct with fixed keys. A file with an unknown value, an
// unknown or missing key, a duplicated row, two rows of one check that can apply at once, or a limit
// that is not a positive finite number is refused as a whole (`DataFileError`, exit 78): a typo can
// never switch a hard limit off, make it soft, or make it infinite.
import DosecalcCore
import Foundation

/// The treatment a limit belongs to.
public enum Modality: String, ClosedSet {
    case y90Glass = "y90-glass"
    case y90Resin = "y90-resin"
    case ho166
    case deb

    public var isRadioembolization: Bool { self != .deb }

    /// The product in `products/radioembolization.json` for a radioembolization modality.
    public var deviceID: String? {
        switch self {
        case .y90Glass: return "glass"
        case .y90Resin: return "resin"
        case .ho166: return "quiremspheres"
        case .deb: return nil
        }
    }
}

/// A quantity a limit applies to. The unit is part of the name.
public enum LimitQuantity: String, ClosedSet {
    case lungDoseGy
    case cumulativeLungDoseGy
    case wholeNormalLiverDoseGy
    /// The highest normal-liver dose of any treated territory (perfused normal liver).
    case perfusedNormalLiverDoseGy
    case lungShuntPercent
    case bilirubinMgPerDl
    case childPughScore
    case doxorubicinSessionMg
    case doxorubicinLifetimeMgPerM2
    case plasmaPeakNgPerMl
    case beadVolumeMl
    /// Normal liver outside the territories treated with ablative intent, percent of the whole normal liver.
    case hepaticReservePercent

    public var unit: String {
        switch self {
        case .lungDoseGy, .cumulativeLungDoseGy, .wholeNormalLiverDoseGy, .perfusedNormalLiverDoseGy: return "Gy"
        case .lungShuntPercent, .hepaticReservePercent: return "%"
        case .bilirubinMgPerDl: return "mg/dL"
        case .childPughScore: return "points"
        case .doxorubicinSessionMg: return "mg"
        case .doxorubicinLifetimeMgPerM2: return "mg/m²"
        case .plasmaPeakNgPerMl: return "ng/mL"
        case .beadVolumeMl: return "mL"
        }
    }
}

/// A tumour histology with a dose target. Closed: anything else is refused at the boundary.
public enum Histology: String, ClosedSet {
    case hcc = "HCC"
    case icc = "ICC"
    case mcrc = "mCRC"
    /// Another histology: no published target applies; a target must be given or the plan is the
    /// largest activity the limits allow, and says so.
    case other
}

/// What a patient was treated with before. Closed: a kind written any other way is refused.
public enum PriorTreatmentKind: String, ClosedSet {
    case y90Glass = "y90-glass"
    case y90Resin = "y90-resin"
    case ho166
    case debTace = "deb-tace"
    case conventionalTace = "conventional-tace"
    case systemicDoxorubicin = "systemic-doxorubicin"
    case externalBeamRadiotherapy = "external-beam-radiotherapy"
    case resection
    case ablation
    case systemicTherapy = "systemic-therapy"
    case other

    /// Any radioembolization: the liver counts as pretreated (EANM 2022 Table 3).
    public var isRadioembolization: Bool { self == .y90Glass || self == .y90Resin || self == .ho166 }
}

/// The facts that select a limit row. Every condition given must hold.
public struct LimitCondition: Sendable, Codable, Equatable {
    public var bilirubinMgPerDlBelow: Double?
    public var bilirubinMgPerDlAtMost: Double?
    public var bilirubinMgPerDlAbove: Double?
    public var bilirubinMgPerDlAtLeast: Double?
    public var compromisedLiver: Bool?
    public var bilobar: Bool?
    public var priorChestIrradiation: Bool?
    /// At least one territory is treated with ablative intent (radiation segmentectomy or lobectomy).
    public var ablative: Bool?

    /// The facts this condition reads.
    var facts: [PatientFact] {
        var f: [PatientFact] = []
        if bilirubinMgPerDlBelow != nil || bilirubinMgPerDlAtMost != nil || bilirubinMgPerDlAbove != nil || bilirubinMgPerDlAtLeast != nil {
            f.append(.bilirubin)
        }
        if compromisedLiver != nil { f.append(.compromisedLiver) }
        if bilobar != nil { f.append(.bilobar) }
        if priorChestIrradiation != nil { f.append(.priorChestIrradiation) }
        if ablative != nil { f.append(.ablative) }
        return f
    }
}

public struct LimitRow: Sendable, Codable, Equatable {
    /// The check's name (one check may have several rows, selected by `when`).
    public let name: String
    /// The check in words, for people.
    public let label: String
    public let modalities: [Modality]
    public let quantity: LimitQuantity
    public let comparison: CheckKind
    public let limit: Double
    public let severity: CheckSeverity
    public let category: CheckCategory
    public let when: LimitCondition?
    public let source: String
}

public struct TumorTargetRow: Sendable, Codable, Equatable {
    public let modality: Modality
    public let histology: Histology
    public let targetGy: Double
    public let source: String
}

public struct NoTumorTargetRow: Sendable, Codable, Equatable {
    public let modality: Modality
    public let histology: Histology
    public let note: String
}

/// What a radioembolization territory's treatment intends.
public enum TreatmentIntent: String, ClosedSet {
    /// Lobar or bilobar treatment: tumour dose by the partition model, normal-liver limits of the lobe.
    case lobar
    /// A segment or two, treated selectively without intending to ablate the perfused liver.
    case segmental
    /// Radiation segmentectomy or lobectomy: the whole perfused volume is meant to be destroyed.
    case ablative
}

/// What an intent allows and which limits it lifts, per modality, with its source.
public struct IntentRow: Sendable, Codable, Equatable {
    public let intent: TreatmentIntent
    public let modalities: [Modality]
    /// Whether a territory of this intent may be prescribed by its mean perfused-volume dose (MIRD).
    public let perfusedDosePrescription: Bool
    /// The perfused-volume dose a territory of this intent is prescribed when none is given (Gy).
    public let defaultPerfusedDoseTargetGy: Double?
    /// Limits that do not apply to a territory of this intent (only the perfused normal-liver dose may
    /// be lifted: the lungs and the whole normal liver are shared by every territory).
    public let exemptFrom: [LimitQuantity]
    public let source: String
}

/// The whole policy file.
public struct PolicyData: Sendable, Codable, Equatable {
    public let description: String
    public let limits: [LimitRow]
    public let tumorTargets: [TumorTargetRow]
    public let noTumorTarget: [NoTumorTargetRow]
    public let intents: [IntentRow]

    public static let relativePath = "constraints/constraint-sets.json"

    /// Reads and checks the policy file; a malformed file is refused whole.
    public static func load() throws -> PolicyData {
        try ReferenceData.cached(PolicyData.self, from: relativePath) { try decode($0) }
    }

    /// Decodes and checks the policy file's contents; a malformed file is refused whole.
    public static func decode(_ bytes: Data, file: String = relativePath) throws -> PolicyData {
        let data = try ReferenceData.decodeStrict(PolicyData.self, from: bytes, file: file)
        try data.validate(file: file)
        return data
    }

    /// Checks what a type cannot: finite positive limits, no duplicated rows, no two rows of one check
    /// that can hold at once, at most one target per modality and histology.
    public func validate(file: String) throws {
        func refuse(_ key: String, _ message: String) -> DataFileError {
            DataFileError(file: file, key: key, message: message)
        }
        for (i, r) in limits.enumerated() {
            let key = "limits[\(i)]"
            guard r.limit.isFinite, r.limit > 0 else { throw refuse("\(key).limit", "must be a positive finite number; got \(r.limit)") }
            guard !r.modalities.isEmpty else { throw refuse("\(key).modalities", "must list at least one modality") }
            guard Set(r.modalities).count == r.modalities.count else { throw refuse("\(key).modalities", "lists a modality twice") }
            guard !r.name.isEmpty, !r.label.isEmpty, !r.source.isEmpty else { throw refuse(key, "needs a name, a label and a source") }
            if let w = r.when {
                for v in [w.bilirubinMgPerDlBelow, w.bilirubinMgPerDlAtMost, w.bilirubinMgPerDlAbove, w.bilirubinMgPerDlAtLeast].compactMap({ $0 })
                where !(v.isFinite && v >= 0) {
                    throw refuse("\(key).when", "bilirubin bounds must be finite and not negative")
                }
                if w.facts.isEmpty { throw refuse("\(key).when", "is empty; leave it out for a row that always applies") }
            }
            for (j, other) in limits.enumerated() where j < i {
                guard other.name == r.name, !Set(other.modalities).isDisjoint(with: r.modalities) else { continue }
                if other == r { throw refuse(key, "duplicates limits[\(j)]") }
                guard other.quantity == r.quantity, other.comparison == r.comparison, other.severity == r.severity, other.category == r.category else {
                    throw refuse(key, "is check '\(r.name)' like limits[\(j)] but with another quantity, comparison, severity or category")
                }
                if Self.canHoldTogether(other.when, r.when) {
                    throw refuse(key, "and limits[\(j)] can both apply to one patient (check '\(r.name)'): their conditions must exclude each other")
                }
            }
        }
        for (i, t) in tumorTargets.enumerated() {
            guard t.targetGy.isFinite, t.targetGy > 0 else { throw refuse("tumorTargets[\(i)].targetGy", "must be a positive finite number") }
            if let j = tumorTargets.indices.first(where: { $0 < i && tumorTargets[$0].modality == t.modality && tumorTargets[$0].histology == t.histology }) {
                throw refuse("tumorTargets[\(i)]", "duplicates tumorTargets[\(j)] (\(t.modality.rawValue) \(t.histology.rawValue))")
            }
            if t.histology == .other { throw refuse("tumorTargets[\(i)].histology", "'other' has no published target") }
        }
        for (i, r) in intents.enumerated() {
            let key = "intents[\(i)]"
            guard !r.modalities.isEmpty, !r.modalities.contains(.deb) else { throw refuse("\(key).modalities", "must list radioembolization modalities only") }
            guard !r.source.isEmpty else { throw refuse(key, "needs a source") }
            if let d = r.defaultPerfusedDoseTargetGy {
                guard d.isFinite, d > 0, d <= 2000 else { throw refuse("\(key).defaultPerfusedDoseTargetGy", "must be in (0, 2000] Gy") }
                guard r.perfusedDosePrescription else { throw refuse("\(key).defaultPerfusedDoseTargetGy", "is given for an intent that may not be prescribed by perfused dose") }
            }
            for q in r.exemptFrom where q != .perfusedNormalLiverDoseGy {
                throw refuse("\(key).exemptFrom", "may lift only perfusedNormalLiverDoseGy: the lung and whole normal-liver limits hold for every territory; got \(q.rawValue)")
            }
            for (j, o) in intents.enumerated() where j < i && o.intent == r.intent && !Set(o.modalities).isDisjoint(with: r.modalities) {
                throw refuse(key, "and intents[\(j)] both define \(r.intent.rawValue) for one modality")
            }
        }
        for m in Modality.allCases where m != .deb {
            for intent in TreatmentIntent.allCases where !intents.contains(where: { $0.intent == intent && $0.modalities.contains(m) }) {
                throw refuse("intents", "defines no \(intent.rawValue) intent for \(m.rawValue)")
            }
        }
    }

    /// Whether two conditions can hold for one patient (used to refuse overlapping rows).
    static func canHoldTogether(_ a: LimitCondition?, _ b: LimitCondition?) -> Bool {
        guard let a, let b else { return true }
        func clash<T: Equatable>(_ x: T?, _ y: T?) -> Bool { x != nil && y != nil && x != y }
        if clash(a.compromisedLiver, b.compromisedLiver) || clash(a.bilobar, b.bilobar) || clash(a.priorChestIrradiation, b.priorChestIrradiation)
            || clash(a.ablative, b.ablative) {
            return false
        }
        // Bilirubin: intersect the two intervals.
        var lo = -Double.infinity, loOpen = false, hi = Double.infinity, hiOpen = false
        for c in [a, b] {
            if let v = c.bilirubinMgPerDlAtLeast, v > lo || (v == lo && !loOpen) { lo = v; loOpen = false }
            if let v = c.bilirubinMgPerDlAbove, v >= lo { lo = v; loOpen = true }
            if let v = c.bilirubinMgPerDlAtMost, v < hi || (v == hi && !hiOpen) { hi = v; hiOpen = false }
            if let v = c.bilirubinMgPerDlBelow, v <= hi { hi = v; hiOpen = true }
        }
        if lo > hi { return false }
        if lo == hi && (loOpen || hiOpen) { return false }
        return true
    }
}
