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

/// An ODE failure, with the time reached.
public struct ODEIntegrationError: Error, CustomStringConvertible {
    /// Time the solution had reached when the failure happened.
    public let tReached: Double
    /// The GSL error, or the error the right-hand side threw.
    public let underlying: any Error

    public var description: String { "ODE integration failed at t = \(tReached): \(underlying)" }
}

/// The dense result of `ODESolver.solve`, like SciPy's `solve_ivp` result: the requested times,
/// the state at each time (`states[k][i]` is component `i` at `times[k]`) and the statistics.
public struct ODESolution: Sendable {
    public let times: [Double]
    public let states: [[Double]]
    public let statistics: ODEStatistics
}

/// A GSL `odeiv2` driver with its system, owned by Swift.
///
/// The driver adapts the step to keep the local error below `absTol + relTol·|y|` per
/// component (GSL's `gsl_odeiv2_control_standard_new` with a_y = 1, a_dydt = 0).
/// The object is not `Sendable`: a GSL workspace serves one thread. Create one per task.
public final class ODESolver {
    public let dimension: Int
    public let method: ODEMethod
    public let absTol: Double
    public let relTol: Double
    public let initialStep: Double

    private let handle: ODEDriverHandle
    private var context: ODEContext { handle.context }
    private var driver: UnsafeMutablePointer<gsl_odeiv2_driver> { handle.driver }

    /// - Parameters:
    ///   - dimension: number of state components (> 0).
    ///   - method: stepping method; implicit methods need `jacobian`.
    ///   - absTol, relTol: error tolerances (≥ 0, not both 0).
    ///   - initialStep: first trial step (> 0); GSL adapts it.
    ///   - maxSteps: step limit per `integrate` call (0 = none); exceeding it throws `GSL_EMAXITER`.
    public init(
        dimension: Int, method: ODEMethod = .rk8pd,
        absTol: Double = 1e-10, relTol: Double = 1e-10, initialStep: Double = 1e-6,
        maxSteps: Int = 0,
        rhs: @escaping ODERightHandSide, jacobian: ODEJacobian? = nil
    ) throws {
        handle = try ODEDriverHandle(dimension: dimension, method: method, absTol: absTol, relTol: relTol,
                                     initialStep: initialStep, rhs: rhs, jacobian: jacobian)
        self.dimension = dimension
        self.method = method
        self.absTol = absTol
        self.relTol = relTol
        self.initialStep = initialStep
        if maxSteps > 0 { gsl_odeiv2_driver_set_nmax(handle.driver, UInt(maxSteps)) }
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

    /// Advances `y` from `t0` to `t1` (`t1 > t0`). On failure the driver is reset and the
    /// error names the time reached; an error thrown by the right-hand side is rethrown as is,
    /// wrapped in `ODEIntegrationError`.
    public func integrate(_ y: inout [Double], from t0: Double, to t1: Double) throws {
        guard y.count == dimension else {
            throw GSLKitError.invalidArgument("state has \(y.count) components, solver expects \(dimension)")
        }
        guard t0.isFinite, t1.isFinite, t1 >= t0 else {
            throw GSLKitError.invalidArgument("integration interval [\(t0), \(t1)] must be finite and forward")
        }
        if t1 == t0 { return }
        var t = t0
        let status = y.withUnsafeMutableBufferPointer { buf in
            gsl_odeiv2_driver_apply(driver, &t, t1, buf.baseAddress)
        }
        if status != GSL_SUCCESS {
            let pending = context.pendingError
            context.pendingError = nil
            _ = gsl_odeiv2_driver_reset_hstart(driver, initialStep)
            throw ODEIntegrationError(
                tReached: t,
                underlying: pending ?? GSLError(code: status, context: "ODE driver (\(method.rawValue))"))
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
