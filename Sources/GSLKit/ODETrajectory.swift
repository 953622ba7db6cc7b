// SPDX-License-Identifier: GPL-3.0-or-later
import CGSL

/// Every accepted step of one integration, with dense output.
///
/// `ODESolver.solve(times:)` makes GSL's driver stop exactly at each output time, which shortens
/// steps, changes the step size (so msbdf rebuilds and re-factorises its iteration matrix) and
/// costs far more than the steps themselves when there are many output times. This records the
/// free-running steps instead: the state y_k and its derivative f_k = f(t_k, y_k) at every step
/// end (GSL's `evolve->dydt_out`, which msbdf computes anyway), and interpolates between them with
/// the cubic Hermite polynomial through (t_k, y_k, f_k) and (t_{k+1}, y_{k+1}, f_{k+1}):
///
///     s = (t − t_k)/h,  h = t_{k+1} − t_k
///     y(t) = (2s³ − 3s² + 1) y_k + (s³ − 2s² + s) h f_k + (−2s³ + 3s²) y_{k+1} + (s³ − s²) h f_{k+1}
///
/// exact at the step ends, C¹ across them, with error O(h⁴ y⁗); linear invariants (e.g. a mass
/// balance wᵀy = const with wᵀf = 0) are preserved exactly.
public struct ODETrajectory: Sendable {
    public let dimension: Int
    /// Step ends t_0 < t_1 < … (t_0 is the start).
    public private(set) var times: [Double] = []
    /// States, row k = y(t_k), flattened.
    public private(set) var states: [Double] = []
    /// Derivatives, row k = f(t_k, y(t_k)), flattened.
    public private(set) var derivatives: [Double] = []
    public var statistics: ODEStatistics

    init(dimension: Int, capacity: Int) {
        self.dimension = dimension
        times.reserveCapacity(capacity)
        states.reserveCapacity(capacity * dimension)
        derivatives.reserveCapacity(capacity * dimension)
        statistics = ODEStatistics()
    }

    mutating func append(_ t: Double, _ y: UnsafePointer<Double>, _ f: UnsafePointer<Double>) {
        times.append(t)
        states.append(contentsOf: UnsafeBufferPointer(start: y, count: dimension))
        derivatives.append(contentsOf: UnsafeBufferPointer(start: f, count: dimension))
    }

    public var count: Int { times.count }

    /// The state at step end k.
    public func state(atStep k: Int) -> [Double] { Array(states[(k * dimension)..<((k + 1) * dimension)]) }
    /// Component i at step end k.
    @inlinable public func value(_ i: Int, atStep k: Int) -> Double { states[k * dimension + i] }
    /// dy_i/dt at step end k (exact f, not interpolated).
    @inlinable public func derivative(_ i: Int, atStep k: Int) -> Double { derivatives[k * dimension + i] }

    /// Index k of the step [t_k, t_{k+1}] that contains t (binary search; clamped to the ends).
    public func interval(containing t: Double) -> Int {
        var lo = 0, hi = times.count - 1
        if t <= times[0] { return 0 }
        if t >= times[hi] { return max(0, hi - 1) }
        while hi - lo > 1 {
            let mid = (lo + hi) / 2
            if times[mid] <= t { lo = mid } else { hi = mid }
        }
        return lo
    }

    @inline(__always)
    private func hermite(_ i: Int, _ k: Int, _ t: Double) -> (value: Double, slope: Double) {
        let n = dimension
        let t0 = times[k], t1 = times[k + 1]
        let h = t1 - t0
        let s = (t - t0) / h
        let s2 = s * s, s3 = s2 * s
        let y0 = states[k * n + i], y1 = states[(k + 1) * n + i]
        let f0 = derivatives[k * n + i], f1 = derivatives[(k + 1) * n + i]
        let v = (2 * s3 - 3 * s2 + 1) * y0 + (s3 - 2 * s2 + s) * h * f0 + (-2 * s3 + 3 * s2) * y1 + (s3 - s2) * h * f1
        let d = ((6 * s2 - 6 * s) * y0 + (-6 * s2 + 6 * s) * y1) / h + (3 * s2 - 4 * s + 1) * f0 + (3 * s2 - 2 * s) * f1
        return (v, d)
    }

    /// Component i at time t (t inside [t_0, t_last]), by cubic Hermite interpolation.
    public func value(_ i: Int, at t: Double) -> Double {
        precondition(times.count >= 2 && t >= times[0] && t <= times[times.count - 1], "t outside the trajectory")
        if t == times[times.count - 1] { return states[(times.count - 1) * dimension + i] }
        return hermite(i, interval(containing: t), t).value
    }

    /// `value(_:at:)` with the step k = `interval(containing: t)` already found, so that several
    /// components at one time share one search. t must lie in [t_k, t_{k+1}].
    public func value(_ i: Int, at t: Double, interval k: Int) -> Double {
        hermite(i, k, t).value
    }

    /// dy_i/dt at time t, the derivative of the interpolant (exact f at step ends).
    public func slope(_ i: Int, at t: Double) -> Double {
        precondition(times.count >= 2 && t >= times[0] && t <= times[times.count - 1], "t outside the trajectory")
        if t == times[times.count - 1] { return derivatives[(times.count - 1) * dimension + i] }
        return hermite(i, interval(containing: t), t).slope
    }

    /// Component i at time t (t inside [t_0, t_last]) by the *monotone* cubic Hermite interpolant of
    /// Fritsch & Carlson (SIAM J. Numer. Anal. 17 (1980) 238): the step-end slopes f_k, f_{k+1} are
    /// limited so that the cubic stays between y_k and y_{k+1} — set to 0 where a slope's sign
    /// disagrees with the secant Δ = (y_{k+1} − y_k)/h (or Δ = 0), and scaled by 3/√(α² + β²) where
    /// α = f_k/Δ, β = f_{k+1}/Δ have α² + β² > 9.
    ///
    /// Where the slopes are consistent with the secant (|α|, |β| small, as for every component the
    /// error control resolves) this is the ordinary cubic Hermite value. It differs for a stiff
    /// component over a long step: there f_k = f(t_k, y_k) amplifies the state's round-off by the
    /// stiffness (a centre shell of a 300-shell bead: slopes of ±1e-7 where the solution changes by
    /// −4e-9 per hour), and the ordinary cubic swings far outside the step-end values, even below 0.
    /// Use it for components known to be monotone in time.
    public func monotoneValue(_ i: Int, at t: Double) -> Double {
        precondition(times.count >= 2 && t >= times[0] && t <= times[times.count - 1], "t outside the trajectory")
        if t == times[times.count - 1] { return states[(times.count - 1) * dimension + i] }
        return monotoneValue(i, at: t, interval: interval(containing: t))
    }

    /// `monotoneValue(_:at:)` with the step k = `interval(containing: t)` already found, so that
    /// several components at one time share one search. t must lie in [t_k, t_{k+1}].
    public func monotoneValue(_ i: Int, at t: Double, interval k: Int) -> Double {
        let n = dimension
        let t0 = times[k], t1 = times[k + 1]
        let h = t1 - t0
        let y0 = states[k * n + i], y1 = states[(k + 1) * n + i]
        var m0 = derivatives[k * n + i], m1 = derivatives[(k + 1) * n + i]
        let delta = (y1 - y0) / h
        if delta == 0 {
            m0 = 0; m1 = 0
        } else {
            if m0 * delta < 0 { m0 = 0 }
            if m1 * delta < 0 { m1 = 0 }
            let a = m0 / delta, b = m1 / delta
            let r = a * a + b * b
            if r > 9 {
                let tau = 3 / r.squareRoot()
                m0 = tau * a * delta
                m1 = tau * b * delta
            }
        }
        let s = (t - t0) / h
        let s2 = s * s, s3 = s2 * s
        return (2 * s3 - 3 * s2 + 1) * y0 + (s3 - 2 * s2 + s) * h * m0 + (-2 * s3 + 3 * s2) * y1 + (s3 - s2) * h * m1
    }

    /// The whole state at time t, by cubic Hermite interpolation.
    public func state(at t: Double) -> [Double] {
        precondition(times.count >= 2 && t >= times[0] && t <= times[times.count - 1], "t outside the trajectory")
        let last = times.count - 1
        if t == times[last] { return state(atStep: last) }
        let k = interval(containing: t)
        return (0..<dimension).map { hermite($0, k, t).value }
    }
}

/// A GSL `odeiv2` integrator that steps freely from t0 to t1 (`gsl_odeiv2_evolve_apply` with the
/// driver's step, control and evolve objects, so msbdf finds its control through the driver as it
/// requires) and records every accepted step in an `ODETrajectory` for dense output.
///
/// Same error control and the same checks as `ODESolver`: local error ≤ absTol·s_i + relTol·|y_i|
/// per component (s_i = 1 or `absTolScale`); after every accepted step every component of the
/// state and of its derivative must be finite, and a right-hand side or Jacobian that throws or
/// returns NaN or ±∞ stops the integration; every failure is a `SolverFailure` with the time
/// reached. Not `Sendable`: one per task.
public final class DenseODESolver {
    public let dimension: Int
    public let method: ODEMethod
    public let absTol: Double
    public let relTol: Double
    public let initialStep: Double
    public let maxSteps: Int
    /// Unit of time used in error messages ("h"), or empty.
    public let timeUnit: String

    private let handle: ODEDriverHandle
    private var context: ODEContext { handle.context }
    private var system: UnsafeMutablePointer<gsl_odeiv2_system> { handle.system }
    private var driver: UnsafeMutablePointer<gsl_odeiv2_driver> { handle.driver }

    /// - Parameters as `ODESolver`; `maxSteps` bounds the steps of one `integrate` (0 = 10⁶).
    public init(
        dimension: Int, method: ODEMethod = .msbdf,
        absTol: Double = 1e-10, relTol: Double = 1e-10, absTolScale: [Double]? = nil, initialStep: Double = 1e-6,
        maxSteps: Int = 0, timeUnit: String = "",
        rhs: @escaping ODERightHandSide, jacobian: ODEJacobian? = nil
    ) throws {
        guard maxSteps >= 0 else { throw GSLKitError.invalidArgument("maxSteps must be ≥ 0") }
        handle = try ODEDriverHandle(dimension: dimension, method: method, absTol: absTol, relTol: relTol,
                                     initialStep: initialStep, absTolScale: absTolScale, rhs: rhs, jacobian: jacobian)
        self.dimension = dimension
        self.method = method
        self.absTol = absTol
        self.relTol = relTol
        self.initialStep = initialStep
        self.maxSteps = maxSteps > 0 ? maxSteps : 1_000_000
        self.timeUnit = timeUnit
    }

    /// Integrates from (t0, y0) to t1 > t0 in free steps and returns every step end with its
    /// derivative. Starts like a fresh solver (`gsl_odeiv2_driver_reset_hstart`). Throws
    /// `SolverFailure` (with the time reached) on a GSL failure, a non-finite state or derivative,
    /// or an error of the callbacks.
    public func integrate(from t0: Double, y0: [Double], to t1: Double, expectedSteps: Int = 1024) throws -> ODETrajectory {
        guard y0.count == dimension else {
            throw GSLKitError.invalidArgument("state has \(y0.count) components, solver expects \(dimension)")
        }
        guard t0.isFinite, t1.isFinite, t1 > t0 else {
            throw GSLKitError.invalidArgument("integration interval [\(t0), \(t1)] must be finite and forward")
        }
        let n = dimension
        if let (i, v) = y0.withUnsafeBufferPointer({ firstNonFinite($0.baseAddress!, n) }) {
            throw GSLKitError.invalidArgument("initial state component \(i) is \(v) at t = \(t0)")
        }
        context.resetCounters()
        try GSL.check(gsl_odeiv2_driver_reset_hstart(driver, initialStep), "ODE driver reset")
        var traj = ODETrajectory(dimension: dimension, capacity: expectedSteps)
        var y = y0
        var f = [Double](repeating: 0, count: dimension)
        let status0 = y.withUnsafeBufferPointer { yb in
            f.withUnsafeMutableBufferPointer { fb in context.evaluateRHS(t0, yb.baseAddress!, fb.baseAddress!) }
        }
        if status0 != GSL_SUCCESS {
            throw handle.failure(status: status0, tReached: t0, method: method, timeUnit: timeUnit, initialStep: initialStep)
        }
        traj.append(t0, y, f)
        var t = t0
        var h = initialStep
        let evolve = driver.pointee.e!, control = driver.pointee.c!, step = driver.pointee.s!
        var steps = 0
        while t < t1 {
            let tBefore = t
            let status = y.withUnsafeMutableBufferPointer { buf in
                gsl_odeiv2_evolve_apply(evolve, control, step, system, &t, t1, &h, buf.baseAddress!)
            }
            if status != GSL_SUCCESS || context.hasPendingFailure {
                throw handle.failure(status: status == GSL_SUCCESS ? Int32(GSL_EBADFUNC) : status, tReached: tBefore,
                                     method: method, timeUnit: timeUnit, initialStep: initialStep)
            }
            let dydt = UnsafePointer(evolve.pointee.dydt_out!)
            if let (i, v) = y.withUnsafeBufferPointer({ firstNonFinite($0.baseAddress!, n) }) {
                _ = context.takeFailure()
                _ = gsl_odeiv2_driver_reset_hstart(driver, initialStep)
                throw SolverFailure(tReached: tBefore, timeUnit: timeUnit, reason: .nonFiniteState(component: i, value: v, t: t))
            }
            if let (i, v) = firstNonFinite(dydt, n) {
                _ = context.takeFailure()
                _ = gsl_odeiv2_driver_reset_hstart(driver, initialStep)
                throw SolverFailure(tReached: tBefore, timeUnit: timeUnit, reason: .nonFiniteDerivative(component: i, value: v, t: t))
            }
            traj.append(t, y, dydt)
            steps += 1
            if steps >= maxSteps && t < t1 {
                _ = gsl_odeiv2_driver_reset_hstart(driver, initialStep)
                throw SolverFailure(tReached: t, timeUnit: timeUnit, reason: .stepLimit(steps: maxSteps))
            }
        }
        traj.statistics = ODEStatistics(rhsEvaluations: context.rhsEvaluations,
                                        jacobianEvaluations: context.jacobianEvaluations, steps: steps)
        return traj
    }
}
