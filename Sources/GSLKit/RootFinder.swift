// SPDX-License-Identifier: GPL-3.0-or-later
import CGSL

/// A root and how it was found.
public struct RootResult: Sendable, Equatable {
    public let root: Double
    /// Final bracket [lower, upper] around the root.
    public let lower: Double
    public let upper: Double
    public let iterations: Int
    public let functionEvaluations: Int
}

/// Bracketing root finding with GSL (`gsl_root_fsolver_brent`).
public enum RootFinder {
    /// Finds x in [lower, upper] with f(x) = 0 by Brent's method. The ends must straddle zero
    /// (an end where f is exactly 0 is returned at once). Stops when
    /// `gsl_root_test_interval(lower, upper, absTol, relTol)` succeeds.
    public static func brent(
        lower: Double, upper: Double, absTol: Double = 0, relTol: Double = 1e-12,
        maxIterations: Int = 200, _ f: @escaping (Double) throws -> Double
    ) throws -> RootResult {
        GSL.disableAbortOnError()
        guard lower.isFinite, upper.isFinite, lower < upper else {
            throw GSLKitError.invalidArgument("root bracket [\(lower), \(upper)] must be finite with lower < upper")
        }
        let box = Function1DBox(f, what: "root function")
        let fl = try f(lower), fu = try f(upper)
        guard fl.isFinite else { throw GSLKitError.nonFiniteFunctionValue(what: "root function", at: lower) }
        guard fu.isFinite else { throw GSLKitError.nonFiniteFunctionValue(what: "root function", at: upper) }
        if fl == 0 { return RootResult(root: lower, lower: lower, upper: lower, iterations: 0, functionEvaluations: 2) }
        if fu == 0 { return RootResult(root: upper, lower: upper, upper: upper, iterations: 0, functionEvaluations: 2) }
        guard (fl < 0) != (fu < 0) else {
            throw GSLKitError.bracketHasNoSignChange(lower: lower, upper: upper, fLower: fl, fUpper: fu)
        }
        guard let solver = gsl_root_fsolver_alloc(cgsl_root_fsolver_brent()) else {
            throw GSLKitError.outOfMemory("a Brent root solver")
        }
        defer { gsl_root_fsolver_free(solver) }
        var fn = makeGSLFunction(box)
        return try withExtendedLifetime(box) {
            try withUnsafeMutablePointer(to: &fn) { fnPtr in
                try GSL.check(gsl_root_fsolver_set(solver, fnPtr, lower, upper), "Brent root solver set-up")
                for iteration in 1...maxIterations {
                    let status = gsl_root_fsolver_iterate(solver)
                    if let e = box.pendingError { throw e }
                    try GSL.check(status, "Brent root iteration \(iteration)")
                    let a = gsl_root_fsolver_x_lower(solver), b = gsl_root_fsolver_x_upper(solver)
                    if gsl_root_test_interval(a, b, absTol, relTol) == GSL_SUCCESS {
                        return RootResult(root: gsl_root_fsolver_root(solver), lower: a, upper: b,
                                          iterations: iteration, functionEvaluations: box.evaluations + 2)
                    }
                }
                throw GSLKitError.noConvergence(what: "Brent root finder", iterations: maxIterations)
            }
        }
    }
}
