// SPDX-License-Identifier: GPL-3.0-or-later
import DosecalcCore

/// `reference-data/constraints/constraint-sets.json`: the limits and targets the planner applies,
/// each row with its source.
public struct ConstraintSets: Codable, Sendable {
    public let radioembolization: RadioembolizationConstraints
    public let chemoembolization: ChemoembolizationConstraints

    public static let relativePath = "constraints/constraint-sets.json"

    public static func load() throws -> ConstraintSets {
        try ReferenceData.load(ConstraintSets.self, from: relativePath)
    }
}

/// When a row applies. Every condition given must hold.
public struct Condition: Codable, Sendable, Equatable {
    /// bilirubin ≥ value (mg/dL).
    public var bilirubinMgPerDlAtLeast: Double?
    /// bilirubin < value (mg/dL).
    public var bilirubinMgPerDlBelow: Double?
    public var compromisedLiver: Bool?
    public var bilobar: Bool?

    func holds(_ c: PatientContext) -> Bool {
        if let x = bilirubinMgPerDlAtLeast, !(c.bilirubinMgPerDl >= x) { return false }
        if let x = bilirubinMgPerDlBelow, !(c.bilirubinMgPerDl < x) { return false }
        if let x = compromisedLiver, x != c.compromisedLiver { return false }
        if let x = bilobar, x != c.bilobar { return false }
        return true
    }
}

/// The facts about a patient that select constraint rows.
public struct PatientContext: Sendable {
    public var bilirubinMgPerDl: Double
    public var compromisedLiver: Bool
    public var bilobar: Bool
}

public struct LimitRow: Codable, Sendable {
    public let name: String
    /// lungDose, cumulativeLungDose, wholeNormalLiverDose, territoryNormalLiverDose, lungShuntPercent.
    public let quantity: String
    public let limitGy: Double?
    public let limitPercent: Double?
    public let severity: String
    public let when: Condition?
    public let source: String

    public func applies(to c: PatientContext) -> Bool { when?.holds(c) ?? true }
}

public struct TumorTargetRow: Codable, Sendable {
    public let histology: String
    public let targetGy: Double
    public let source: String
}

public struct ModalityConstraints: Codable, Sendable {
    public let device: String
    public let limits: [LimitRow]
    public let tumorTargets: [TumorTargetRow]
    public let noTargetNote: String?
}

public struct AdvisoryRow: Codable, Sendable {
    public let name: String
    public let quantity: String
    public let limit: Double
    public let severity: String
    public let source: String
}

public struct RadioembolizationConstraints: Codable, Sendable {
    public let common: [LimitRow]
    public let modalities: [String: ModalityConstraints]
    public let advisories: [AdvisoryRow]
}

public struct SimpleLimit: Codable, Sendable {
    public let limit: Double
    public let limitAfterChestIrradiation: Double?
    public let severity: String?
    public let source: String
}

public struct ChemoembolizationConstraints: Codable, Sendable {
    public let sessionDoseMg: SimpleLimit
    public let lifetimeMgPerM2: SimpleLimit
    public let bilirubinReduction: SourceOnly
    public let plasmaPeakNgPerMl: SimpleLimit
    public let beadVolumeMl: SimpleLimit

    public struct SourceOnly: Codable, Sendable { public let source: String }
}
