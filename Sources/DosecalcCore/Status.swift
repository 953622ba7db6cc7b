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
public enum CheckKind: String, Sendable, Codable {
    /// value must be ≤ limit.
    case atMost
    /// value must be < limit.
    case below
    /// value must be ≥ limit.
    case atLeast
}

/// Severity if a check fails.
public enum CheckSeverity: String, Sendable, Codable {
    /// A hard safety limit: failure makes the result `contraindicated`.
    case hard
    /// A recommendation or target: failure makes the result a `warning`.
    case soft
}

/// One safety or target check, printed with every result.
public struct Check: Sendable, Codable, Equatable {
    public let name: String
    public let value: Double
    public let limit: Double
    public let unit: String
    public let kind: CheckKind
    public let severity: CheckSeverity
    public let passed: Bool
    /// limit − value for upper limits, value − limit for lower limits (in `unit`); negative when failed.
    public let margin: Double
    /// Whether this limit is the one that fixed the result (planner).
    public var binding: Bool
    public let source: String

    public init(name: String, value: Double, limit: Double, unit: String, kind: CheckKind,
                severity: CheckSeverity, source: String, binding: Bool = false, tolerance: Double = 1e-9) {
        self.name = name
        self.value = value
        self.limit = limit
        self.unit = unit
        self.kind = kind
        self.severity = severity
        self.source = source
        self.binding = binding
        // A relative slack of 1e-9 keeps a value that sits exactly on its limit, up to
        // floating-point rounding of the same formula, on the passing side.
        let slack = tolerance * max(abs(limit), 1e-300)
        switch kind {
        case .atMost:
            margin = limit - value
            passed = value <= limit + slack
        case .below:
            margin = limit - value
            passed = value < limit
        case .atLeast:
            margin = value - limit
            passed = value >= limit - slack
        }
    }

    /// The status this check alone implies.
    public var impliedStatus: Status {
        passed ? .ok : (severity == .hard ? .contraindicated : .warning)
    }

    /// One readable line, e.g. "lung dose 6.5 Gy ≤ 30 Gy: passed".
    public var reason: String {
        let op: String
        switch kind {
        case .atMost: op = "≤"
        case .below: op = "<"
        case .atLeast: op = "≥"
        }
        return "\(name) \(Format.number(value)) \(unit) must be \(op) \(Format.number(limit)) \(unit) (\(source))"
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
