// SPDX-License-Identifier: GPL-3.0-or-later
import CGSL

/// The residual function: writes f_i(x), i = 0..<n, into `f` for the parameters `x` (count p).
/// Every entry of `f` starts as NaN, so an entry left unwritten is reported as non-finite.
public typealias NonlinearResiduals = (
    _ x: UnsafeBufferPointer<Double>, _ f: UnsafeMutableBufferPointer<Double>
) throws -> Void

/// The Jacobian of the (unweighted) residuals, row-major n×p: `J[i * p + j] = ∂f_i/∂x_j`.
/// Every entry starts as NaN, so an entry left unwritten is reported as non-finite.
public typealias NonlinearJacobian = (
    _ x: UnsafeBufferPointer<Double>, _ J: UnsafeMutableBufferPointer<Double>
) throws -> Void

/// Weighted nonlinear least squares with GSL's trust-region solver (`gsl_multifit_nlinear`).
///
/// **What is minimised.** For n residuals f_i(x) of p parameters x and weights w_i > 0
/// (w_i = 1/σ_i² for measurement standard deviations σ_i; all 1 when no weights are given),
///
///     Φ(x) = ½ Σ_i w_i f_i(x)² = ½ ‖r(x)‖²,   r_i = √w_i · f_i   (the weighted residuals).
///
/// Weights go to GSL through `gsl_multifit_nlinear_winit`; GSL multiplies the residuals and the
/// Jacobian rows by √w_i. Without a `jacobian` closure GSL's forward differences are used
/// (`df = NULL`; column j from the step h·|x_j|, or h when x_j = 0; `Options.finiteDifferenceStep`).
///
/// **Result.** χ² = Σ r_i² = 2Φ at the solution; `jacobian` is the weighted Jacobian
/// J̃ = √W·J (n×p) at the solution; `covariance` = (JᵀWJ)⁻¹ = (J̃ᵀJ̃)⁻¹ from
/// `gsl_multifit_nlinear_covar` with epsrel = 0 (no column of J̃ is dropped — a Jacobian of
/// deficient rank is an error, see below), **not** multiplied by χ²/dof. It is the parameter
/// covariance when the σ_i are the true, absolute standard deviations of the data. When the
/// weights are relative only (or absent), the scatter of the data estimates the scale, and the
/// covariance to report is `covariance · χ²/(n − p)` (as in GSL's manual example and NIST StRD's
/// certified standard deviations); this needs n > p.
///
/// **Convergence tests** (`gsl_multifit_nlinear_test`, GSL 2.7, after every iteration, with δx the
/// last step, g = J̃ᵀr the gradient of Φ):
/// 1. small step: |δx_i| < xtol·(|x_i| + xtol) for every i → `.smallStep`;
/// 2. small gradient: max_i |g_i · max(x_i, 1)| ≤ gtol · max(Φ, 1) → `.smallGradient`
///    (this test is also applied once at the initial parameters, before any iteration, because GSL's
///    trust region cannot find a step that lowers Φ from a point that already minimises it);
/// 3. `ftol` (a small change of ‖r‖) is passed to GSL, but GSL 2.7 does not use it (that test is
///    compiled out there); `.smallResidualChange` is reported only by a GSL that does.
///
/// The iteration is GSL's `gsl_multifit_nlinear_driver` loop, written out so that every status is
/// looked at: an iteration that finds no acceptable step in 16 trials (`GSL_ENOPROG`) is an error
/// in the first iteration and is passed over later (as GSL's driver does, since the trust region
/// is reset); no convergence in `maxIterations` iterations is `GSLKitError.noConvergence`; any
/// other non-success status of GSL is a `GSLError`.
///
/// **Failures, never numbers.** A residual or Jacobian closure that throws stops the fit at once
/// (its C callback returns `GSL_EBADFUNC`, which GSL passes straight up) and the same error reaches
/// the caller. A NaN or ±∞ in the residuals or the Jacobian, wherever GSL evaluates them (trial
/// steps and finite-difference points included), stops it with
/// `NonlinearLeastSquaresError.nonFiniteResidual` / `.nonFiniteJacobian`, naming the entry and the
/// parameters. A Jacobian of rank < p at the solution (a parameter the data do not determine) is
/// `.rankDeficientJacobian`. Invalid arguments are `GSLKitError.invalidArgument`.
///
/// The workspace is freed on every path; there is no shared state (one context per call), so
/// concurrent fits on different threads are safe. GSL's aborting error handler is off.
public enum NonlinearLeastSquares {
    /// The trust-region subproblem method.
    public enum Method: String, Sendable, CaseIterable {
        /// Levenberg–Marquardt (`gsl_multifit_nlinear_trs_lm`), GSL's default.
        case levenbergMarquardt
        /// Levenberg–Marquardt with geodesic acceleration (`gsl_multifit_nlinear_trs_lmaccel`); the
        /// second directional derivative is taken by GSL's finite differences (step h_fvv = 0.02
        /// along the velocity), which evaluate the residuals at further points.
        case levenbergMarquardtAccelerated
        /// Powell's dogleg (`gsl_multifit_nlinear_trs_dogleg`).
        case dogleg

        var trs: UnsafePointer<gsl_multifit_nlinear_trs> {
            switch self {
            case .levenbergMarquardt: return cgsl_multifit_nlinear_trs_lm()
            case .levenbergMarquardtAccelerated: return cgsl_multifit_nlinear_trs_lmaccel()
            case .dogleg: return cgsl_multifit_nlinear_trs_dogleg()
            }
        }
    }

    /// The diagonal scaling matrix D of the trust region (GSL's `scale`).
    public enum Scale: String, Sendable, CaseIterable {
        /// Moré: D_jj = max over the iterations of ‖J_j‖ (GSL's default; invariant to parameter scale).
        case more
        /// Levenberg: D = I (not scale invariant).
        case levenberg
        /// Marquardt: D_jj = ‖J_j‖ at the current iterate.
        case marquardt

        var scale: UnsafePointer<gsl_multifit_nlinear_scale> {
            switch self {
            case .more: return cgsl_multifit_nlinear_scale_more()
            case .levenberg: return cgsl_multifit_nlinear_scale_levenberg()
            case .marquardt: return cgsl_multifit_nlinear_scale_marquardt()
            }
        }
    }

    public struct Options: Sendable, Equatable {
        public var method: Method
        public var scale: Scale
        /// Iterations allowed (≥ 1).
        public var maxIterations: Int
        /// Step tolerance (finite, ≥ 0): converged when |δx_i| < xtol·(|x_i| + xtol) for every i.
        public var xtol: Double
        /// Gradient tolerance (finite, ≥ 0): converged when max_i |g_i·max(x_i, 1)| ≤ gtol·max(Φ, 1).
        public var gtol: Double
        /// Residual-change tolerance (finite, ≥ 0); unused by GSL 2.7.
        public var ftol: Double
        /// Relative step h of the forward-difference Jacobian (GSL's `h_df`, finite, > 0); used only
        /// without a `jacobian` closure. Default GSL's √ε = 2⁻²⁶ ≈ 1.49e-8.
        public var finiteDifferenceStep: Double

        public init(method: Method = .levenbergMarquardt, scale: Scale = .more, maxIterations: Int = 200,
                    xtol: Double = 1e-10, gtol: Double = 1e-10, ftol: Double = 0,
                    finiteDifferenceStep: Double = Double.ulpOfOne.squareRoot()) {
            self.method = method
            self.scale = scale
            self.maxIterations = maxIterations
            self.xtol = xtol
            self.gtol = gtol
            self.ftol = ftol
            self.finiteDifferenceStep = finiteDifferenceStep
        }
    }

    /// Which convergence test stopped the iteration.
    public enum Convergence: Sendable, Equatable {
        /// GSL info 1 (or `GSL_ETOLX`): the step became small.
        case smallStep
        /// GSL info 2 (or `GSL_ETOLG`): the scaled gradient became small.
        case smallGradient
        /// GSL info 3 (or `GSL_ETOLF`): the residual vector stopped changing. Not produced by GSL 2.7.
        case smallResidualChange
    }

    public struct Result: Sendable, Equatable {
        /// The fitted parameters x̂ (count p).
        public let parameters: [Double]
        /// Weighted residuals at x̂: r_i = √w_i · f_i(x̂) (count n).
        public let residuals: [Double]
        /// χ² = Σ r_i² (twice the minimised Φ).
        public let chiSquared: Double
        /// n − p.
        public let degreesOfFreedom: Int
        /// (JᵀWJ)⁻¹ at x̂, p×p, not scaled by χ²/dof (see the type's documentation).
        public let covariance: [[Double]]
        /// Weighted Jacobian √W·J at x̂, n×p (`jacobian[i][j] = √w_i ∂f_i/∂x_j`).
        public let jacobian: [[Double]]
        /// Trust-region iterations (GSL's `niter`; 0 if the initial parameters already passed the
        /// gradient test).
        public let iterations: Int
        /// Calls of the residual closure, finite-difference and trial points included.
        public let functionEvaluations: Int
        /// Calls of the Jacobian closure (0 with finite differences).
        public let jacobianEvaluations: Int
        public let convergence: Convergence
        /// 1/rcond, with rcond GSL's reciprocal 1-norm condition estimate of R in the QR factorisation
        /// J̃P = QR (`gsl_multifit_nlinear_rcond`); +∞ if rcond = 0. GSL factorises J̃ at the start of
        /// each iteration, so this is J̃ at the start of the last iteration (one accepted step before
        /// x̂, where the two hardly differ). nil when no iteration was taken (`iterations == 0`).
        public let conditionNumber: Double?
    }

    /// Fits x to minimise ½ Σ w_i f_i(x)² from `initial` (see the type's documentation).
    ///
    /// - Parameters:
    ///   - initial: starting parameters, all finite; p = `initial.count` ≥ 1.
    ///   - residualCount: n ≥ p.
    ///   - weights: n finite weights > 0 (w_i = 1/σ_i²), or nil for all 1.
    ///   - residuals: writes the n unweighted residuals f_i(x) (e.g. model − data).
    ///   - jacobian: writes ∂f_i/∂x_j row-major n×p (unweighted); nil: GSL's finite differences.
    public static func fit(
        initial: [Double], residualCount n: Int, weights: [Double]? = nil, options: Options = Options(),
        residuals: NonlinearResiduals, jacobian: NonlinearJacobian? = nil
    ) throws -> Result {
        GSL.disableAbortOnError()
        let p = initial.count
        guard p >= 1 else { throw GSLKitError.invalidArgument("nonlinear least squares needs at least one parameter") }
        guard n >= p else {
            throw GSLKitError.invalidArgument("nonlinear least squares needs at least as many residuals as parameters (n = \(n), p = \(p))")
        }
        for (j, v) in initial.enumerated() where !v.isFinite {
            throw GSLKitError.invalidArgument("initial parameter \(j) is \(v); it must be finite")
        }
        if let w = weights {
            guard w.count == n else { throw GSLKitError.invalidArgument("\(w.count) weights for \(n) residuals") }
            for (i, v) in w.enumerated() where !(v.isFinite && v > 0) {
                throw GSLKitError.invalidArgument("weight \(i) is \(v); weights must be finite and > 0")
            }
        }
        guard options.maxIterations >= 1 else { throw GSLKitError.invalidArgument("maxIterations must be ≥ 1") }
        for (name, v) in [("xtol", options.xtol), ("gtol", options.gtol), ("ftol", options.ftol)] where !(v.isFinite && v >= 0) {
            throw GSLKitError.invalidArgument("\(name) is \(v); it must be finite and ≥ 0")
        }
        guard options.finiteDifferenceStep.isFinite, options.finiteDifferenceStep > 0 else {
            throw GSLKitError.invalidArgument("finite-difference step is \(options.finiteDifferenceStep); it must be finite and > 0")
        }
        return try withoutActuallyEscaping(residuals) { residuals in
            let context = NonlinearLeastSquaresContext(n: n, p: p, residuals: residuals, jacobian: jacobian)
            return try withExtendedLifetime(context) {
                try run(context, initial: initial, weights: weights, options: options)
            }
        }
    }

    private static func run(_ context: NonlinearLeastSquaresContext, initial: [Double], weights: [Double]?,
                            options: Options) throws -> Result {
        let n = context.n, p = context.p
        var parameters = gsl_multifit_nlinear_default_parameters()   // QR solver, forward differences
        parameters.trs = options.method.trs
        parameters.scale = options.scale.scale
        parameters.h_df = options.finiteDifferenceStep
        guard let w = gsl_multifit_nlinear_alloc(cgsl_multifit_nlinear_trust(), &parameters, n, p) else {
            throw GSLKitError.outOfMemory("a nonlinear least-squares workspace (n = \(n), p = \(p))")
        }
        defer { gsl_multifit_nlinear_free(w) }
        guard let x0 = gsl_vector_alloc(p) else { throw GSLKitError.outOfMemory("a vector of \(p)") }
        defer { gsl_vector_free(x0) }
        for j in 0..<p { gsl_vector_set(x0, j, initial[j]) }
        var wts: UnsafeMutablePointer<gsl_vector>?
        if let weights {
            guard let v = gsl_vector_alloc(n) else { throw GSLKitError.outOfMemory("a vector of \(n)") }
            for i in 0..<n { gsl_vector_set(v, i, weights[i]) }
            wts = v
        }
        defer { if let wts { gsl_vector_free(wts) } }
        guard let covar = gsl_matrix_alloc(p, p) else { throw GSLKitError.outOfMemory("a \(p)×\(p) matrix") }
        defer { gsl_matrix_free(covar) }

        var fdf = gsl_multifit_nlinear_fdf(
            f: { x, params, f in
                Unmanaged<NonlinearLeastSquaresContext>.fromOpaque(params!).takeUnretainedValue().evaluateResiduals(x!, f!)
            },
            df: context.jacobian == nil ? nil : { x, params, J in
                Unmanaged<NonlinearLeastSquaresContext>.fromOpaque(params!).takeUnretainedValue().evaluateJacobian(x!, J!)
            },
            fvv: nil, n: n, p: p, params: Unmanaged.passUnretained(context).toOpaque(),
            nevalf: 0, nevaldf: 0, nevalfvv: 0)
        let what = "nonlinear least-squares fit (\(options.method.rawValue))"

        // GSL keeps the fdf pointer in the workspace: it must stay put until the last GSL call.
        return try withUnsafeMutablePointer(to: &fdf) { fdfPtr in
            let s = gsl_multifit_nlinear_winit(x0, wts, fdfPtr, w)
            if let e = context.failure { throw e }
            try GSL.check(s, "\(what): initialisation")

            var convergence: Convergence? = initialGradientIsSmall(w, gtol: options.gtol) ? .smallGradient : nil
            var iteration = 0
            while convergence == nil {
                guard iteration < options.maxIterations else {
                    throw GSLKitError.noConvergence(what: what, iterations: options.maxIterations)
                }
                iteration += 1
                let status = gsl_multifit_nlinear_iterate(w)
                if let e = context.failure { throw e }
                if status == GSL_ENOPROG {
                    if iteration == 1 {
                        throw GSLError(code: Int32(GSL_ENOPROG),
                                       context: "\(what): no step from the initial parameters lowered the weighted sum of squares")
                    }
                } else {
                    try GSL.check(status, "\(what): iteration \(iteration)")
                }
                var info: Int32 = 0
                let test = gsl_multifit_nlinear_test(options.xtol, options.gtol, options.ftol, &info, w)
                switch test {
                case Int32(GSL_SUCCESS):
                    switch info {
                    case 1: convergence = .smallStep
                    case 2: convergence = .smallGradient
                    case 3: convergence = .smallResidualChange
                    default: throw GSLError(code: Int32(GSL_ESANITY), context: "\(what): convergence test returned info \(info)")
                    }
                case Int32(GSL_ETOLX): convergence = .smallStep
                case Int32(GSL_ETOLG): convergence = .smallGradient
                case Int32(GSL_ETOLF): convergence = .smallResidualChange
                case Int32(GSL_CONTINUE): continue
                default: throw GSLError(code: test, context: "\(what): convergence test after iteration \(iteration)")
                }
            }

            let xv = gsl_multifit_nlinear_position(w)!, fv = gsl_multifit_nlinear_residual(w)!
            let J = gsl_multifit_nlinear_jac(w)!
            let x = (0..<p).map { gsl_vector_get(xv, $0) }
            let r = (0..<n).map { gsl_vector_get(fv, $0) }
            let jac = (0..<n).map { i in (0..<p).map { j in gsl_matrix_get(J, i, j) } }
            let chi2 = r.reduce(0) { $0 + $1 * $1 }
            guard chi2.isFinite else { throw NonlinearLeastSquaresError.nonFiniteResult(quantity: "χ²", value: chi2, parameters: x) }
            for i in 0..<n { for j in 0..<p where !jac[i][j].isFinite {
                throw NonlinearLeastSquaresError.nonFiniteResult(quantity: "weighted Jacobian entry (\(i), \(j))", value: jac[i][j], parameters: x)
            } }

            try GSL.check(gsl_multifit_nlinear_covar(J, 0, covar), "\(what): covariance")
            let cov = (0..<p).map { i in (0..<p).map { j in gsl_matrix_get(covar, i, j) } }
            // With epsrel = 0, GSL drops (zeroes the row and column of) only a parameter whose R_kk is
            // exactly 0; every determined parameter has a variance > 0.
            let rank = (0..<p).filter { cov[$0][$0] > 0 }.count
            guard rank == p else { throw NonlinearLeastSquaresError.rankDeficientJacobian(rank: rank, parameterCount: p, parameters: x) }
            for i in 0..<p { for j in 0..<p where !cov[i][j].isFinite {
                throw NonlinearLeastSquaresError.nonFiniteResult(quantity: "covariance entry (\(i), \(j))", value: cov[i][j], parameters: x)
            } }

            var conditionNumber: Double?
            if gsl_multifit_nlinear_niter(w) > 0 {
                var rcond = 0.0
                try GSL.check(gsl_multifit_nlinear_rcond(&rcond, w), "\(what): condition number")
                guard rcond.isFinite, rcond >= 0 else {
                    throw NonlinearLeastSquaresError.nonFiniteResult(quantity: "reciprocal condition number", value: rcond, parameters: x)
                }
                conditionNumber = rcond > 0 ? 1 / rcond : .infinity
            }
            return Result(parameters: x, residuals: r, chiSquared: chi2, degreesOfFreedom: n - p, covariance: cov,
                          jacobian: jac, iterations: Int(gsl_multifit_nlinear_niter(w)),
                          functionEvaluations: context.residualEvaluations, jacobianEvaluations: context.jacobianEvaluations,
                          convergence: convergence!, conditionNumber: conditionNumber)
        }
    }

    /// GSL's gradient test (`gsl_multifit_nlinear_test`, test 2) at the initial parameters:
    /// max_i |g_i · max(x_i, 1)| ≤ gtol · max(½‖r‖², 1). (GSL's own test would look at the step δx
    /// first, which is still the zero vector before the first iteration.)
    private static func initialGradientIsSmall(_ w: UnsafeMutablePointer<gsl_multifit_nlinear_workspace>, gtol: Double) -> Bool {
        let x = w.pointee.x!, g = w.pointee.g!, f = w.pointee.f!
        var gnorm = 0.0
        for i in 0..<x.pointee.size {
            gnorm = Swift.max(gnorm, Swift.abs(Swift.max(gsl_vector_get(x, i), 1) * gsl_vector_get(g, i)))
        }
        var ss = 0.0
        for i in 0..<f.pointee.size { let v = gsl_vector_get(f, i); ss += v * v }
        return gnorm <= gtol * Swift.max(0.5 * ss, 1)
    }
}

/// Errors of `NonlinearLeastSquares.fit` beyond `GSLKitError` and `GSLError`.
public enum NonlinearLeastSquaresError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The residual closure returned NaN or ±∞ for residual `index` at `parameters`.
    case nonFiniteResidual(index: Int, value: Double, parameters: [Double])
    /// The Jacobian closure returned NaN or ±∞ for entry (`row`, `column`) at `parameters`.
    case nonFiniteJacobian(row: Int, column: Int, value: Double, parameters: [Double])
    /// The weighted Jacobian at the solution has rank < p: some parameter is not determined by the data.
    case rankDeficientJacobian(rank: Int, parameterCount: Int, parameters: [Double])
    /// A quantity computed at the solution (χ², a Jacobian or covariance entry) overflowed.
    case nonFiniteResult(quantity: String, value: Double, parameters: [Double])

    public var description: String {
        let list = { (x: [Double]) in "[" + x.map { SolverFailure.number($0) }.joined(separator: ", ") + "]" }
        let n = SolverFailure.number
        switch self {
        case let .nonFiniteResidual(i, v, x):
            return "the residual function returned a non-finite value: residual \(i) is \(n(v)) at parameters \(list(x))"
        case let .nonFiniteJacobian(r, c, v, x):
            return "the Jacobian returned a non-finite value: entry (\(r), \(c)) is \(n(v)) at parameters \(list(x))"
        case let .rankDeficientJacobian(rank, p, x):
            return "the Jacobian at the solution \(list(x)) has rank \(rank) < \(p): not every parameter is determined by the data"
        case let .nonFiniteResult(q, v, x):
            return "the \(q) at the solution \(list(x)) is \(n(v))"
        }
    }
}

/// The closures, scratch buffers, counters and first failure of one fit, reached by the C callbacks
/// through `params` (passed unretained; the fit keeps it alive).
final class NonlinearLeastSquaresContext {
    let n: Int
    let p: Int
    let residuals: NonlinearResiduals
    let jacobian: NonlinearJacobian?
    /// The first failure of a callback; every later callback returns `GSL_EBADFUNC` at once.
    private(set) var failure: (any Error)?
    private(set) var residualEvaluations = 0
    private(set) var jacobianEvaluations = 0
    private let x: UnsafeMutableBufferPointer<Double>
    private let f: UnsafeMutableBufferPointer<Double>
    private let J: UnsafeMutableBufferPointer<Double>

    init(n: Int, p: Int, residuals: @escaping NonlinearResiduals, jacobian: NonlinearJacobian?) {
        self.n = n
        self.p = p
        self.residuals = residuals
        self.jacobian = jacobian
        x = .allocate(capacity: p)
        f = .allocate(capacity: n)
        J = .allocate(capacity: jacobian == nil ? 0 : n * p)
        x.initialize(repeating: 0)
        f.initialize(repeating: 0)
        J.initialize(repeating: 0)
    }

    deinit {
        x.deallocate()
        f.deallocate()
        J.deallocate()
    }

    private func load(_ v: UnsafePointer<gsl_vector>) {
        let s = v.pointee
        for j in 0..<p { x[j] = s.data[j * s.stride] }
    }

    /// Calls the residual closure and checks every entry; `GSL_EBADFUNC` (GSL stops at once) if it
    /// threw or returned NaN/±∞, with the failure recorded.
    func evaluateResiduals(_ xv: UnsafePointer<gsl_vector>, _ fv: UnsafeMutablePointer<gsl_vector>) -> Int32 {
        if failure != nil { return Int32(GSL_EBADFUNC) }
        residualEvaluations += 1
        load(xv)
        f.update(repeating: .nan)
        do {
            try residuals(UnsafeBufferPointer(x), f)
        } catch {
            failure = error
            return Int32(GSL_EBADFUNC)
        }
        for i in 0..<n where !f[i].isFinite {
            failure = NonlinearLeastSquaresError.nonFiniteResidual(index: i, value: f[i], parameters: Array(x))
            return Int32(GSL_EBADFUNC)
        }
        let out = fv.pointee
        for i in 0..<n { out.data[i * out.stride] = f[i] }
        return Int32(GSL_SUCCESS)
    }

    /// Calls the Jacobian closure and checks every entry, like `evaluateResiduals`.
    func evaluateJacobian(_ xv: UnsafePointer<gsl_vector>, _ Jm: UnsafeMutablePointer<gsl_matrix>) -> Int32 {
        if failure != nil { return Int32(GSL_EBADFUNC) }
        guard let jacobian else { return Int32(GSL_EBADFUNC) }
        jacobianEvaluations += 1
        load(xv)
        J.update(repeating: .nan)
        do {
            try jacobian(UnsafeBufferPointer(x), J)
        } catch {
            failure = error
            return Int32(GSL_EBADFUNC)
        }
        for k in 0..<(n * p) where !J[k].isFinite {
            failure = NonlinearLeastSquaresError.nonFiniteJacobian(row: k / p, column: k % p, value: J[k], parameters: Array(x))
            return Int32(GSL_EBADFUNC)
        }
        let m = Jm.pointee
        for i in 0..<n { for j in 0..<p { m.data[i * m.tda + j] = J[i * p + j] } }
        return Int32(GSL_SUCCESS)
    }
}
