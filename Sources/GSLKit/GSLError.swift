// SPDX-License-Identifier: GPL-3.0-or-later
import CGSL
import Foundation

/// A failed GSL call, as a Swift error.
///
/// GSL reports failure through an `Int32` status (`gsl_errno.h`). The wrapper never lets GSL's
/// default error handler run (it prints and calls `abort()`); every non-success status becomes
/// this error, named like SUNDIALS' flags so that a log line says what went wrong.
public struct GSLError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The GSL status code (`GSL_EINVAL`, `GSL_EMAXITER`, …).
    public let code: Int32
    /// What the wrapper was doing, e.g. "ODE driver at t = 3.2 h".
    public let context: String

    public init(code: Int32, context: String) {
        self.code = code
        self.context = context
    }

    /// GSL's own text for the code (`gsl_strerror`).
    public var message: String { String(cString: gsl_strerror(code)) }

    /// The symbolic name of the code, e.g. `GSL_EMAXITER`.
    public var name: String {
        switch code {
        case -2: return "GSL_CONTINUE"
        case -1: return "GSL_FAILURE"
        case 0..<Int32(GSLError.names.count): return GSLError.names[Int(code)]
        default: return "GSL_STATUS_\(code)"
        }
    }

    /// The names of `gsl_errno.h`'s codes 0…32, in order.
    static let names = ["GSL_SUCCESS", "GSL_EDOM", "GSL_ERANGE", "GSL_EFAULT", "GSL_EINVAL", "GSL_EFAILED", "GSL_EFACTOR", "GSL_ESANITY", "GSL_ENOMEM", "GSL_EBADFUNC", "GSL_ERUNAWAY", "GSL_EMAXITER", "GSL_EZERODIV", "GSL_EBADTOL", "GSL_ETOL", "GSL_EUNDRFLW", "GSL_EOVRFLW", "GSL_ELOSS", "GSL_EROUND", "GSL_EBADLEN", "GSL_ENOTSQR", "GSL_ESING", "GSL_EDIVERGE", "GSL_EUNSUP", "GSL_EUNIMPL", "GSL_ECACHE", "GSL_ETABLE", "GSL_ENOPROG", "GSL_ENOPROGJ", "GSL_ETOLF", "GSL_ETOLX", "GSL_ETOLG", "GSL_EOF"]

    public var description: String { "\(context): \(name) (\(message))" }
}

/// Errors the wrapper raises itself, before or around a GSL call.
public enum GSLKitError: Error, CustomStringConvertible, Sendable, Equatable {
    /// A root bracket whose ends do not straddle zero.
    case bracketHasNoSignChange(lower: Double, upper: Double, fLower: Double, fUpper: Double)
    /// The iteration limit was reached before the tolerance.
    case noConvergence(what: String, iterations: Int)
    /// The callback produced NaN or infinity.
    case nonFiniteFunctionValue(what: String, at: Double)
    /// An argument to the wrapper was invalid (dimension, tolerance, interval).
    case invalidArgument(String)
    /// GSL could not allocate its workspace.
    case outOfMemory(String)

    public var description: String {
        switch self {
        case let .bracketHasNoSignChange(a, b, fa, fb):
            return "root bracket [\(a), \(b)] has no sign change (f = \(fa), \(fb))"
        case let .noConvergence(what, n): return "\(what) did not converge in \(n) iterations"
        case let .nonFiniteFunctionValue(what, x): return "\(what) returned a non-finite value at \(x)"
        case let .invalidArgument(s): return "invalid argument: \(s)"
        case let .outOfMemory(s): return "GSL could not allocate \(s)"
        }
    }
}

/// Process-wide GSL set-up.
public enum GSL {
    /// Runs `gsl_set_error_handler_off()` exactly once (Swift static initialisers run under
    /// `swift_once`, so this is thread-safe). Every public entry point of GSLKit touches it.
    private static let handlerOff: Bool = {
        gsl_set_error_handler_off()
        return true
    }()

    /// Turns GSL's aborting error handler off for this process. Idempotent.
    @inline(__always)
    public static func disableAbortOnError() { _ = handlerOff }

    /// The GSL library version string, e.g. "2.7.1".
    public static var version: String {
        disableAbortOnError()
        return String(cString: cgsl_version())
    }

    /// Throws a `GSLError` unless `status` is `GSL_SUCCESS`.
    @inline(__always)
    static func check(_ status: Int32, _ context: @autoclosure () -> String) throws {
        if status != GSL_SUCCESS { throw GSLError(code: status, context: context()) }
    }
}

/// A numerical method could not produce a trustworthy result: the one error type of GSLKit's ODE
/// solvers (and of every numerical failure the Chemoembolization model reports).
///
/// Its `description` is one plain line, e.g.
/// "the ODE solver could not continue at t = 12.5 h: the state became non-finite (component 3 is nan after the step to t = 13.1 h)".
/// A command-line tool maps it to one exit code (an internal software error, not bad input).
/// `tReached` is where the solution was last trustworthy (the end of the last accepted step);
/// the time at which the failure itself showed is part of `reason`.
public struct SolverFailure: Error, CustomStringConvertible, Sendable {
    public enum Reason: Sendable, Equatable {
        /// After an accepted step ending at `t`, state component `component` was NaN or ±∞.
        case nonFiniteState(component: Int, value: Double, t: Double)
        /// The right-hand side returned NaN or ±∞ for component `component` when evaluated at `t`.
        case nonFiniteDerivative(component: Int, value: Double, t: Double)
        /// The Jacobian returned NaN or ±∞ in entry (`row`, `column`) (column −1: ∂f/∂t) at `t`.
        case nonFiniteJacobian(row: Int, column: Int, value: Double, t: Double)
        /// The right-hand side threw when evaluated at `t`; the error is `underlying`.
        case rightHandSideFailed(t: Double)
        /// The Jacobian threw when evaluated at `t`; the error is `underlying`.
        case jacobianFailed(t: Double)
        /// GSL returned a failure status.
        case gslStatus(GSLError)
        /// `steps` accepted steps did not reach the end of the interval.
        case stepLimit(steps: Int)
        /// A quantity that cannot be negative came out below zero by more than the documented
        /// round-off allowance.
        case negativeValue(quantity: String, value: Double, allowance: Double)
        /// A quantity came out NaN or ±∞.
        case nonFiniteValue(quantity: String, value: Double)
        /// Any other failure of a numerical method (a `GSLKitError` or `GSLError` from a root finder
        /// or minimiser used inside a model), as text.
        case other(String)
    }

    /// What failed, as it starts the sentence: "the ODE solver", "the plasma peak search".
    public let solver: String
    /// Where the solution was last trustworthy (end of the last accepted step), if this is a solver in time.
    public let tReached: Double?
    /// Unit of the times in the message ("h"); empty if the solver does not know it.
    public let timeUnit: String
    public let reason: Reason
    /// The error the right-hand side, Jacobian or inner method threw, if any.
    public let underlying: (any Error)?

    public init(solver: String = "the ODE solver", tReached: Double?, timeUnit: String = "", reason: Reason,
                underlying: (any Error)? = nil) {
        self.solver = solver
        self.tReached = tReached
        self.timeUnit = timeUnit
        self.reason = reason
        self.underlying = underlying
    }

    /// Wraps any error of a numerical method as a `SolverFailure` (a `SolverFailure` is returned
    /// with `solver` and `timeUnit` kept, a `GSLError` becomes `.gslStatus`, anything else `.other`).
    public static func wrapping(_ error: any Error, solver: String, timeUnit: String = "") -> SolverFailure {
        if let s = error as? SolverFailure { return s }
        if let g = error as? GSLError { return SolverFailure(solver: solver, tReached: nil, timeUnit: timeUnit, reason: .gslStatus(g), underlying: g) }
        return SolverFailure(solver: solver, tReached: nil, timeUnit: timeUnit, reason: .other(firstLine("\(error)")), underlying: error)
    }

    /// The same failure with its times labelled in `unit` (e.g. "h").
    public func inUnit(_ unit: String) -> SolverFailure {
        SolverFailure(solver: solver, tReached: tReached, timeUnit: unit, reason: reason, underlying: underlying)
    }

    private func time(_ t: Double) -> String { "t = \(SolverFailure.number(t))\(timeUnit.isEmpty ? "" : " " + timeUnit)" }

    public var description: String {
        let head = solver + " could not continue" + (tReached.map { " at " + time($0) } ?? "")
        let n = SolverFailure.number
        let what: String
        switch reason {
        case let .nonFiniteState(i, v, t):
            what = "the state became non-finite (component \(i) is \(n(v)) after the step to \(time(t)))"
        case let .nonFiniteDerivative(i, v, t):
            what = "the right-hand side returned a non-finite derivative (component \(i) is \(n(v)) at \(time(t)))"
        case let .nonFiniteJacobian(r, c, v, t):
            what = "the Jacobian returned a non-finite entry (" + (c < 0 ? "∂f\(r)/∂t" : "row \(r), column \(c)") + " is \(n(v)) at \(time(t)))"
        case let .rightHandSideFailed(t):
            what = "the right-hand side failed at \(time(t)): " + SolverFailure.firstLine(underlying.map { "\($0)" } ?? "unknown error")
        case let .jacobianFailed(t):
            what = "the Jacobian failed at \(time(t)): " + SolverFailure.firstLine(underlying.map { "\($0)" } ?? "unknown error")
        case let .gslStatus(g):
            what = "GSL reported \(g.name) (\(g.message)) in \(g.context)"
        case let .stepLimit(s):
            what = "the end was not reached within \(s) steps"
        case let .negativeValue(q, v, a):
            what = "\(q) came out negative (\(n(v))), beyond the round-off allowance of \(n(a))"
        case let .nonFiniteValue(q, v):
            what = "\(q) came out non-finite (\(n(v)))"
        case let .other(s):
            what = s
        }
        return SolverFailure.firstLine(head + ": " + what)
    }

    /// A number in at most 6 significant digits ("12.5", "1e-300", "nan").
    static func number(_ x: Double) -> String {
        if x.isNaN { return "nan" }
        if x.isInfinite { return x < 0 ? "-inf" : "inf" }
        if x == 0 { return "0" }
        return String(format: "%.6g", x)
    }

    /// The first line of a text (descriptions must stay on one line).
    static func firstLine(_ s: String) -> String {
        s.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? s
    }
}
