// SPDX-License-Identifier: GPL-3.0-or-later
// The patient facts that select a limit. Each may be unknown: a single calculation is often run with
// no labs, and an unknown fact must never read as the lenient answer ("no cirrhosis").

/// A fact that selects a limit row, named so that the boundary (command line, input file) can say
/// which flag or field supplies it.
public enum PatientFact: String, Sendable, CaseIterable {
    case bilirubin
    /// Cirrhosis, Child–Pugh class B or C, or a prior radioembolization (any one true makes it true).
    case compromisedLiver
    case cirrhosis
    case childPughClass
    case priorRadioembolization
    case bilobar
    case priorChestIrradiation
    case ablative
}

import DosecalcCore

public enum ChildPughClass: String, ClosedSet {
    case a = "A", b = "B", c = "C"
}

public struct PatientFacts: Sendable, Equatable {
    public var bilirubinMgPerDl: Double?
    public var cirrhosis: Bool?
    public var childPughClass: ChildPughClass?
    public var childPughScore: Int?
    public var priorRadioembolization: Bool?
    /// More than one territory treated, or one territory holding the whole normal liver.
    public var bilobar: Bool?
    public var priorChestIrradiation: Bool?
    /// A territory is treated with ablative intent. False for single calculations, which have no intent.
    public var ablative: Bool?

    public init(bilirubinMgPerDl: Double? = nil, cirrhosis: Bool? = nil, childPughClass: ChildPughClass? = nil,
                childPughScore: Int? = nil, priorRadioembolization: Bool? = nil, bilobar: Bool? = nil,
                priorChestIrradiation: Bool? = nil, ablative: Bool? = false) {
        self.ablative = ablative
        self.bilirubinMgPerDl = bilirubinMgPerDl
        self.cirrhosis = cirrhosis
        self.childPughClass = childPughClass
        self.childPughScore = childPughScore
        self.priorRadioembolization = priorRadioembolization
        self.bilobar = bilobar
        self.priorChestIrradiation = priorChestIrradiation
    }

    /// Three-valued: true as soon as one component is true, false only when all are known false.
    public var compromisedLiver: Bool? {
        let parts: [Bool?] = [cirrhosis, childPughClass.map { $0 != .a }, priorRadioembolization]
        if parts.contains(where: { $0 == true }) { return true }
        if parts.allSatisfy({ $0 == false }) { return false }
        return nil
    }

    /// The facts whose absence leaves `compromisedLiver` unknown.
    var missingForCompromisedLiver: [PatientFact] {
        guard compromisedLiver == nil else { return [] }
        var m: [PatientFact] = []
        if cirrhosis == nil { m.append(.cirrhosis) }
        if childPughClass == nil { m.append(.childPughClass) }
        if priorRadioembolization == nil { m.append(.priorRadioembolization) }
        return m
    }

    /// Whether `c` holds: true, false, or nil when a fact it reads is unknown and matters.
    func holds(_ c: LimitCondition?) -> Bool? {
        guard let c else { return true }
        var unknown = false
        func test(_ x: Bool?) -> Bool { if let x { return x } else { unknown = true; return true } }
        if c.bilirubinMgPerDlBelow != nil || c.bilirubinMgPerDlAtMost != nil || c.bilirubinMgPerDlAbove != nil || c.bilirubinMgPerDlAtLeast != nil {
            if let b = bilirubinMgPerDl {
                if let x = c.bilirubinMgPerDlBelow, !(b < x) { return false }
                if let x = c.bilirubinMgPerDlAtMost, !(b <= x) { return false }
                if let x = c.bilirubinMgPerDlAbove, !(b > x) { return false }
                if let x = c.bilirubinMgPerDlAtLeast, !(b >= x) { return false }
            } else { unknown = true }
        }
        if let want = c.compromisedLiver, !test(compromisedLiver.map { $0 == want }) { return false }
        if let want = c.bilobar, !test(bilobar.map { $0 == want }) { return false }
        if let want = c.priorChestIrradiation, !test(priorChestIrradiation.map { $0 == want }) { return false }
        if let want = c.ablative, !test(ablative.map { $0 == want }) { return false }
        return unknown ? nil : true
    }

    /// The unknown facts a condition reads, expanded to what a person can supply.
    func missing(for c: LimitCondition?) -> [PatientFact] {
        guard let c else { return [] }
        var m: [PatientFact] = []
        for f in c.facts {
            switch f {
            case .bilirubin: if bilirubinMgPerDl == nil { m.append(.bilirubin) }
            case .compromisedLiver: m += missingForCompromisedLiver
            case .bilobar: if bilobar == nil { m.append(.bilobar) }
            case .priorChestIrradiation: if priorChestIrradiation == nil { m.append(.priorChestIrradiation) }
            case .ablative: if ablative == nil { m.append(.ablative) }
            default: break
            }
        }
        return m
    }
}
