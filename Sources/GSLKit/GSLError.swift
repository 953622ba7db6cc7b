// SPDX-License-Identifier: GPL-3.0-or-later
import CGSL

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
