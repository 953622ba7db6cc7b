// SPDX-License-Identifier: GPL-3.0-or-later

/// The verdict of a calculation. Ordered by severity.
public enum Status: String, Sendable, Codable, Comparable, CaseIterable {
    /// Every check passed.
    case ok
    /// A soft limit or a recommendation is not met; the result may still be used with judgement.
    case warning
    /// No plan meets the target under the limits (planner only); the best plan found is shown.
    case infeasible
    /// A hard safety limit is broken: do not treat as computed. The CLI exits with code 3.
    case contraindicated

    private var rank: Int {
        switch self {
        case .ok: return 0
        case .warning: return 1
        case .infeasible: return 2
        case .contraindicated: return 3
        }
    }

    public static func < (a: Status, b: Status) -> Bool { a.rank < b.rank }

    /// Exit code of the CLI for this status: 0 for ok and warning, 3 for infeasible and contraindicated.
    public var exitCode: Int32 { self >= .infeasible ? 3 : 0 }
}

/// How a check compares its value with its limit.
public enum CheckKind: String, ClosedSet {
    /// value must be ≤ limit.
    case atMost
    /// value must be < limit.
    case below
    /// value must be ≥ limit.
    case atLeast

    /// Whether `value` holds `limit`: the one comparison rule of every check. A relative slack of
    /// `tolerance` (1e-9 by default) keeps a value that sits exactly on its limit, up to floating-point
    /// rounding of the same formula, on the passing side of ≤ and ≥; a non-finite value never holds.
    public func holds(_ value: Double, limit: Double, tolerance: Double = 1e-9) -> Bool {
        guard value.isFinite else { return false }
        let slack = tolerance * max(abs(limit), 1e-300)
        switch self {
        case .atMost: return value <= limit + slack
        case .below: return value < limit
        case .atLeast: return value >= limit - slack
        }
    }

    /// "≤", "<" or "≥", for every place that prints a check.
    public var symbol: String {
        switch self {
        case .atMost: return "≤"
        case .below: return "<"
        case .atLeast: return "≥"
        }
    }
}

/// Severity if a check fails.
public enum CheckSeverity: String, ClosedSet {
    /// A hard limit: failure makes the result `contraindicated` (safety) or `infeasible` (deliverability).
    case hard
    /// A recommendation or target: failure makes the result a `warning`.
    case soft
}

/// What a check was able to say.
public enum CheckState: String, ClosedSet {
    /// The value holds its limit.
    case passed
    /// The value breaks its limit.
    case failed
    /// The check could not be evaluated: a fact that selects the limit, or the quantity itself, was not
    /// given. `requires` names what would supply it.
    case notEvaluated
}

/// What a failed hard check means for the plan.
public enum CheckCategory: String, ClosedSet {
    /// A limit that protects the patient: failure is `contraindicated`.
    case safety
    /// Whether the order can be delivered (vials, usable time after calibration, largest order):
    /// failure is `infeasible`.
    case deliverability
    /// A dose target: failure of a soft target is a `warning` (the planner reports `infeasible`).
    case target
    /// An eligibility advisory.
    case advisory
    /// A check of the calculation itself (mass balance, discretisation).
    case numerics
}

/// One safety or target check, printed with every result.
public struct Check: Sendable, Codable, Equatable {
    public let name: String
    /// The value compared with the limit; absent when the quantity could not be computed from what was given.
    public let value: Double?
    public let limit: Double
    public let unit: String
    public let kind: CheckKind
    public let severity: CheckSeverity
    public let category: CheckCategory
    public let state: CheckState
    /// `state == .passed` (kept for readers of earlier output).
    public let passed: Bool
    /// limit − value for upper limits, value − limit for lower limits (in `unit`); negative when failed;
    /// absent when not evaluated.
    public let margin: Double?
    /// Whether this limit is the one that fixed the result (planner).
    public var binding: Bool
    public let source: String
    /// For a check that was not evaluated: the inputs that would let it be evaluated (command-line flags
    /// or input-file fields, named by the boundary that read the input).
    public var requires: [String]?
    /// Why the check was not evaluated, or how its limit was selected, in words.
    public var note: String?
    /// The check's name in plain clinical words ("lung dose in this treatment"), set by whoever owns the
    /// rule (the clinical policy's rows carry it). Absent: `title` derives words from `name`.
    public var label: String?

    /// The check's name for a person: `label`, or `CheckWording.words(for:)` of `name`. Never an
    /// identifier.
    public var title: String { label ?? CheckWording.words(for: name) }

    public init(name: String, value: Double, limit: Double, unit: String, kind: CheckKind,
                severity: CheckSeverity, source: String, binding: Bool = false, tolerance: Double = 1e-9,
                category: CheckCategory? = nil, note: String? = nil) {
        self.name = name
        self.value = value
        self.limit = limit
        self.unit = unit
        self.kind = kind
        self.severity = severity
        self.category = category ?? (severity == .hard ? .safety : .advisory)
        self.source = source
        self.binding = binding
        self.requires = nil
        self.note = note
        margin = kind == .atLeast ? value - limit : limit - value
        let holds = kind.holds(value, limit: limit, tolerance: tolerance)
        state = holds ? .passed : .failed
        passed = holds
    }

    /// A check that could not be evaluated. `value` is the computed quantity when it exists but the
    /// limit it must hold depends on a fact that was not given.
    public init(notEvaluated name: String, value: Double?, limit: Double, unit: String, kind: CheckKind,
                severity: CheckSeverity, category: CheckCategory, source: String, requires: [String], note: String) {
        self.name = name
        self.value = value
        self.limit = limit
        self.unit = unit
        self.kind = kind
        self.severity = severity
        self.category = category
        self.state = .notEvaluated
        self.passed = false
        self.margin = nil
        self.binding = false
        self.source = source
        self.requires = requires
        self.note = note
    }

    /// The status this check alone implies. A hard check that could not be evaluated although its
    /// value is known (the limit depends on a fact not given) is a `warning`: it may break a hard limit.
    public var impliedStatus: Status {
        switch state {
        case .passed: return .ok
        case .notEvaluated: return severity == .hard && value != nil ? .warning : .ok
        case .failed:
            guard severity == .hard else { return .warning }
            switch category {
            case .deliverability, .target: return .infeasible
            default: return .contraindicated
            }
        }
    }

    /// One readable line, e.g. "lungDose 6.5 Gy must be ≤ 30 Gy (source)".
    public var reason: String {
        let op = kind.symbol
        let v = value.map { "\(Format.number($0)) \(unit)" } ?? "not computed"
        if state == .notEvaluated {
            return "\(title) not evaluated (\(v); limit \(op) \(Format.number(limit)) \(unit)): \(note ?? "")\(requires.map { "; give " + $0.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }.joined(separator: ", ") } ?? "")"
        }
        return "\(title): \(v) must be \(op) \(Format.number(limit)) \(unit) (\(source))"
    }

    /// The same check with its `requires` names translated by `name` (a fact or quantity identifier to
    /// the flag or the input field that supplies it).
    public func namingRequirements(_ name: (String) -> String) -> Check {
        var c = self
        c.requires = requires?.map(name)
        if let r = c.requires, r.isEmpty { c.requires = nil }
        return c
    }
}

/// The overall status of a set of checks: the most severe implied status, at least `floor`.
public func overallStatus(_ checks: [Check], floor: Status = .ok) -> Status {
    checks.map(\.impliedStatus).reduce(floor) { max($0, $1) }
}

/// A constant or default the result depended on, with its source.
public struct Assumption: Sendable, Codable, Equatable {
    public let name: String
    public let value: Double
    public let unit: String
    public let source: String

    public init(name: String, value: Double, unit: String, source: String) {
        self.name = name
        self.value = value
        self.unit = unit
        self.source = source
    }
}
