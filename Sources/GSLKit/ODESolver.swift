// SPDX-License-Identifier: GPL-3.0-or-later
import CGSL

/// The right-hand side dy/dt = f(t, y), written into `dydt`.
public typealias ODERightHandSide = (
    _ t: Double, _ y: UnsafeBufferPointer<Double>, _ dydt: UnsafeMutableBufferPointer<Double>
) throws -> Void

/// The Jacobian, row-major: `dfdy[i * n + j] = ∂f_i/∂y_j`, and `dfdt[i] = ∂f_i/∂t`.
public typealias ODEJacobian = (
    _ t: Double, _ y: UnsafeBufferPointer<Double>,
    _ dfdy: UnsafeMutableBufferPointer<Double>, _ dfdt: UnsafeMutableBufferPointer<Double>
) throws -> Void

/// GSL `odeiv2` stepping methods.
public enum ODEMethod: String, Sendable, CaseIterable {
    /// Explicit embedded Runge–Kutta Prince–Dormand (8, 9): non-stiff problems.
    case rk8pd
    /// Explicit embedded Runge–Kutta–Fehlberg (4, 5).
    case rkf45
    /// Explicit embedded Runge–Kutta Cash–Karp (4, 5).
    case rkck
    /// Variable-coefficient linear multistep Adams: non-stiff.
    case msadams
    /// Variable-coefficient linear multistep backward differentiation: stiff. Needs a Jacobian.
    case msbdf
    /// Implicit Bulirsch–Stoer (Bader–Deuflhard): stiff. Needs a Jacobian.
    case bsimp
    /// Implicit Gaussian 4th order Runge–Kutta: stiff. Needs a Jacobian.
    case rk4imp

    /// Whether GSL needs the Jacobian for this method.
    public var needsJacobian: Bool {
        switch self {
        case .msbdf, .bsimp, .rk4imp: return true
        default: return false
        }
    }

    var stepType: UnsafePointer<gsl_odeiv2_step_type> {
        switch self {
        case .rk8pd: return cgsl_odeiv2_step_rk8pd()
        case .rkf45: return cgsl_odeiv2_step_rkf45()
        case .rkck: return cgsl_odeiv2_step_rkck()
        case .msadams: return cgsl_odeiv2_step_msadams()
        case .msbdf: return cgsl_odeiv2_step_msbdf()
        case .bsimp: return cgsl_odeiv2_step_bsimp()
        case .rk4imp: return cgsl_odeiv2_step_rk4imp()
        }
    }
}

/// Counters for one solver, in the spirit of SUNDIALS' solver statistics.
public struct ODEStatistics: Sendable, Equatable {
    /// Right-hand-side evaluations.
    public var rhsEvaluations = 0
    /// Jacobian evaluations.
    public var jacobianEvaluations = 0
    /// Steps taken since the solver was created or reset (GSL's evolve counter; the driver's own
    /// `n` restarts at every `apply`).
    public var steps = 0
}

/// The former name of `SolverFailure` (`tReached` and `underlying` are kept).
@available(*, deprecated, renamed: "SolverFailure")
public typealias ODEIntegrationError = SolverFailure

/// The dense result of `ODESolver.solve`, like SciPy's `solve_ivp` result: the requested times,
/// the state at each time (`states[k][i]` is component `i` at `times[k]`) and the statistics.
public struct ODESolution: Sendable {
    public let times: [Double]
    public let states: [[Double]]
    public let statistics: ODEStatistics

    public init(times: [Double], states: [[Double]], statistics: ODEStatistics) {
        self.times = times
        self.states = states
        self.statistics = statistics
    }
}

/// A GSL `odeiv2` driver with its system, owned by Swift.
///
/// The driver adapts the step to keep the local error below `absTol·s_i + relTol·|y_i|` per
/// component, with s_i = 1 (GSL's `gsl_odeiv2_control_standard_new` with a_y = 1, a_dydt = 0) or
/// the given `absTolScale` (GSL's scaled control).
///
/// Steps are taken one at a time (`gsl_odeiv2_evolve_apply`, exactly the loop of
/// `gsl_odeiv2_driver_apply`), and after every accepted step every component of the state is
/// checked: NaN or ±∞ stops the integration with `SolverFailure.Reason.nonFiniteState`. A
/// right-hand side or Jacobian that throws, or returns NaN or ±∞, stops it as well (see
/// `ODEDriverHandle`). Every failure is a `SolverFailure` carrying the time reached; `y` then holds
/// the state at that time (the last accepted step) and the solver can be used again.
///
/// The object is not `Sendable`: a GSL workspace serves one thread. Create one per task.
public final class ODESolver {
    public let dimension: Int
    public let method: ODEMethod
    public let absTol: Double
    public let relTol: Double
    public let initialStep: Double
    /// Accepted steps allowed per `integrate` call (0: no limit).
    public let maxSteps: Int
    /// Unit of time used in error messages ("h"), or empty.
    public let timeUnit: String

    private let handle: ODEDriverHandle
    private var context: ODEContext { handle.context }
    private var driver: UnsafeMutablePointer<gsl_odeiv2_driver> { handle.driver }

    /// - Parameters:
    ///   - dimension: number of state components (> 0).
    ///   - method: stepping method; implicit methods need `jacobian`.
    ///   - absTol, relTol: error tolerances (≥ 0, not both 0).
    ///   - absTolScale: per-component scale of the absolute tolerance (all finite and > 0); nil = 1.
    ///   - initialStep: first trial step (> 0); GSL adapts it.
    ///   - maxSteps: step limit per `integrate` call (0 = none); exceeding it throws
    ///     `SolverFailure` with reason `.stepLimit`.
    ///   - timeUnit: unit of t for error messages, e.g. "h".
    public init(
        dimension: Int, method: ODEMethod = .rk8pd,
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
        self.maxSteps = maxSteps
        self.timeUnit = timeUnit
    }

    /// Statistics accumulated since the solver was created or last `reset()`.
    public var statistics: ODEStatistics {
        ODEStatistics(rhsEvaluations: context.rhsEvaluations,
                      jacobianEvaluations: context.jacobianEvaluations,
                      steps: Int(driver.pointee.e.pointee.count))
    }

    /// Resets the stepper state and the step size to `initialStep`, so the next integration
    /// starts exactly like a fresh solver (`gsl_odeiv2_driver_reset_hstart`), and zeroes the counters.
    public func reset() throws {
        context.resetCounters()
        try GSL.check(gsl_odeiv2_driver_reset_hstart(driver, initialStep), "ODE driver reset")
    }

    /// Advances `y` from `t0` to `t1` (`t1 ≥ t0`), checking the state after every accepted step.
    /// On failure throws `SolverFailure` with the time reached, leaves the last accepted state in
    /// `y` and resets the driver. An error thrown by the right-hand side or the Jacobian is kept as
    /// the failure's `underlying` error.
    public func integrate(_ y: inout [Double], from t0: Double, to t1: Double) throws {
        guard y.count == dimension else {
            throw GSLKitError.invalidArgument("state has \(y.count) components, solver expects \(dimension)")
        }
        guard t0.isFinite, t1.isFinite, t1 >= t0 else {
            throw GSLKitError.invalidArgument("integration interval [\(t0), \(t1)] must be finite and forward")
        }
        let n = dimension
        if let (i, v) = y.withUnsafeBufferPointer({ firstNonFinite($0.baseAddress!, n) }) {
            throw GSLKitError.invalidArgument("initial state component \(i) is \(v) at t = \(t0)")
        }
        if t1 == t0 { return }
        let d = driver
        let evolve = d.pointee.e!, control = d.pointee.c!, step = d.pointee.s!
        let system = handle.system
        var t = t0
        var last = y
        var steps = 0
        // The loop of gsl_odeiv2_driver_apply (GSL 2.7, ode-initval2/driver.c), with the checks.
        while t < t1 {
            let tBefore = t
            last.withUnsafeMutableBufferPointer { l in y.withUnsafeBufferPointer { l.baseAddress!.update(from: $0.baseAddress!, count: n) } }
            let status = y.withUnsafeMutableBufferPointer { buf in
                gsl_odeiv2_evolve_apply(evolve, control, step, system, &t, t1, &d.pointee.h, buf.baseAddress!)
            }
            // A callback failure always comes back as a non-success status (GSL_EBADFUNC stops GSL at
            // once); one recorded during a successful step is treated as a failure all the same.
            if status != GSL_SUCCESS || context.hasPendingFailure {
                y = last
                throw handle.failure(status: status == GSL_SUCCESS ? Int32(GSL_EBADFUNC) : status, tReached: tBefore,
                                     method: method, timeUnit: timeUnit, initialStep: initialStep)
            }
            if let (i, v) = y.withUnsafeBufferPointer({ firstNonFinite($0.baseAddress!, n) }) {
                let tBad = t
                y = last
                _ = context.takeFailure()
                _ = gsl_odeiv2_driver_reset_hstart(d, initialStep)
                throw SolverFailure(tReached: tBefore, timeUnit: timeUnit, reason: .nonFiniteState(component: i, value: v, t: tBad))
            }
            steps += 1
            if Swift.abs(d.pointee.h) > d.pointee.hmax { d.pointee.h = d.pointee.hmax }
            if Swift.abs(d.pointee.h) < d.pointee.hmin {
                throw handle.failure(status: Int32(GSL_ENOPROG), tReached: t, method: method, timeUnit: timeUnit, initialStep: initialStep)
            }
            if maxSteps > 0 && steps >= maxSteps && t < t1 {
                _ = gsl_odeiv2_driver_reset_hstart(d, initialStep)
                throw SolverFailure(tReached: t, timeUnit: timeUnit, reason: .stepLimit(steps: maxSteps))
            }
        }
    }

    /// Integrates from `t0` with state `y0` and records the state at each of `times`
    /// (ascending, all ≥ t0). Like `solve_ivp(..., t_eval=times)`.
    public func solve(from t0: Double, y0: [Double], times: [Double]) throws -> ODESolution {
        try reset()
        var y = y0
        var t = t0
        var states: [[Double]] = []
        states.reserveCapacity(times.count)
        for tk in times {
            guard tk >= t else { throw GSLKitError.invalidArgument("output times must be ascending and ≥ t0") }
            try integrate(&y, from: t, to: tk)
            t = tk
            states.append(y)
        }
        return ODESolution(times: times, states: states, statistics: statistics)
    }
}
