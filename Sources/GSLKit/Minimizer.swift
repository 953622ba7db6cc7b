// SPDX-License-Identifier: GPL-3.0-or-later
import CGSL

/// A minimum and how it was found.
public struct MinimumResult: Sendable, Equatable {
    public let x: [Double]
    public let value: Double
    public let iterations: Int
    public let functionEvaluations: Int
}

/// Minimisation with GSL: Brent in one dimension (`gsl_min_fminimizer_brent`) and the
/// Nelder–Mead simplex in several (`gsl_multimin_fminimizer_nmsimplex2`).
public enum Minimizer {
    /// Minimises f on [lower, upper] starting from `guess`. GSL's Brent locates a minimum only to about
    /// √ε·|x| ≈ 1e-8·|x| (the function is flat there), so tolerances below that cannot be met; the
    /// defaults ask for 1e-7. `guess` must satisfy
    /// f(guess) < f(lower) and f(guess) < f(upper) (GSL's requirement; GSL_EINVAL otherwise).
    public static func brent(
        lower: Double, upper: Double, guess: Double, absTol: Double = 1e-7, relTol: Double = 1e-7,
        maxIterations: Int = 500, _ f: @escaping (Double) throws -> Double
    ) throws -> MinimumResult {
        GSL.disableAbortOnError()
        guard lower.isFinite, upper.isFinite, guess.isFinite, lower < guess, guess < upper else {
            throw GSLKitError.invalidArgument("minimiser needs lower < guess < upper, all finite")
        }
        let box = Function1DBox(f, what: "objective function")
        guard let m = gsl_min_fminimizer_alloc(cgsl_min_fminimizer_brent()) else {
            throw GSLKitError.outOfMemory("a Brent minimiser")
        }
        defer { gsl_min_fminimizer_free(m) }
        var fn = makeGSLFunction(box)
        return try withExtendedLifetime(box) {
            try withUnsafeMutablePointer(to: &fn) { fnPtr in
                let s = gsl_min_fminimizer_set(m, fnPtr, guess, lower, upper)
                if let e = box.pendingError { throw e }
                try GSL.check(s, "Brent minimiser set-up (guess must be lower than both ends)")
                for iteration in 1...maxIterations {
                    let status = gsl_min_fminimizer_iterate(m)
                    if let e = box.pendingError { throw e }
                    try GSL.check(status, "Brent minimiser iteration \(iteration)")
                    let a = gsl_min_fminimizer_x_lower(m), b = gsl_min_fminimizer_x_upper(m)
                    if gsl_min_test_interval(a, b, absTol, relTol) == GSL_SUCCESS {
                        return MinimumResult(x: [gsl_min_fminimizer_x_minimum(m)],
                                             value: gsl_min_fminimizer_f_minimum(m),
                                             iterations: iteration, functionEvaluations: box.evaluations)
                    }
                }
                throw GSLKitError.noConvergence(what: "Brent minimiser", iterations: maxIterations)
            }
        }
    }

    /// Minimises f over ℝⁿ with the Nelder–Mead simplex (nmsimplex2) from `start` with initial
    /// step sizes `steps`, until the simplex size is below `sizeTol`.
    public static func nelderMead(
        start: [Double], steps: [Double], sizeTol: Double = 1e-8, maxIterations: Int = 5000,
        _ f: @escaping ([Double]) throws -> Double
    ) throws -> MinimumResult {
        GSL.disableAbortOnError()
        let n = start.count
        guard n > 0, steps.count == n else { throw GSLKitError.invalidArgument("start and steps must have the same non-zero length") }
        final class Box {
            let f: ([Double]) throws -> Double
            let n: Int
            var pendingError: (any Error)?
            var evaluations = 0
            init(_ f: @escaping ([Double]) throws -> Double, _ n: Int) { self.f = f; self.n = n }
        }
        let box = Box(f, n)
        guard let x = gsl_vector_alloc(n), let ss = gsl_vector_alloc(n) else { throw GSLKitError.outOfMemory("vectors") }
        defer { gsl_vector_free(x); gsl_vector_free(ss) }
        for i in 0..<n { gsl_vector_set(x, i, start[i]); gsl_vector_set(ss, i, steps[i]) }
        guard let m = gsl_multimin_fminimizer_alloc(cgsl_multimin_fminimizer_nmsimplex2(), n) else {
            throw GSLKitError.outOfMemory("a simplex minimiser")
        }
        defer { gsl_multimin_fminimizer_free(m) }
        var fn = gsl_multimin_function(
            f: { v, params in
                let box = Unmanaged<Box>.fromOpaque(params!).takeUnretainedValue()
                box.evaluations += 1
                let p = v!.pointee
                var arg = [Double](repeating: 0, count: box.n)
                for i in 0..<box.n { arg[i] = p.data[i * p.stride] }
                do {
                    let v = try box.f(arg)
                    if !v.isFinite, box.pendingError == nil {
                        box.pendingError = GSLKitError.nonFiniteFunctionValue(what: "objective function", at: arg.first ?? .nan)
                    }
                    return v
                } catch {
                    if box.pendingError == nil { box.pendingError = error }
                    return .nan
                }
            },
            n: n, params: Unmanaged.passUnretained(box).toOpaque())
        return try withExtendedLifetime(box) {
            try withUnsafeMutablePointer(to: &fn) { fnPtr in
                let s = gsl_multimin_fminimizer_set(m, fnPtr, x, ss)
                if let e = box.pendingError { throw e }
                try GSL.check(s, "simplex set-up")
                for iteration in 1...maxIterations {
                    let status = gsl_multimin_fminimizer_iterate(m)
                    if let e = box.pendingError { throw e }
                    try GSL.check(status, "simplex iteration \(iteration)")
                    let size = gsl_multimin_fminimizer_size(m)
                    if gsl_multimin_test_size(size, sizeTol) == GSL_SUCCESS {
                        let best = gsl_multimin_fminimizer_x(m)!
                        return MinimumResult(x: (0..<n).map { gsl_vector_get(best, $0) },
                                             value: gsl_multimin_fminimizer_minimum(m),
                                             iterations: iteration, functionEvaluations: box.evaluations)
                    }
                }
                throw GSLKitError.noConvergence(what: "simplex minimiser", iterations: maxIterations)
            }
        }
    }
}
