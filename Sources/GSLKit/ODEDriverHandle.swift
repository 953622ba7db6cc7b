// SPDX-License-Identifier: GPL-3.0-or-later
import CGSL

/// Holds the Swift closures the C callbacks reach through `params`, the counters, and the first
/// failure a callback reported.
final class ODEContext {
    let dimension: Int
    let rhs: ODERightHandSide
    let jacobian: ODEJacobian?
    /// The first failure reported by a callback since the last `takeFailure()`: the reason and the
    /// error the closure threw, if it threw.
    private(set) var pending: (reason: SolverFailure.Reason, underlying: (any Error)?)?
    var rhsEvaluations = 0
    var jacobianEvaluations = 0

    init(dimension: Int, rhs: @escaping ODERightHandSide, jacobian: ODEJacobian?) {
        self.dimension = dimension
        self.rhs = rhs
        self.jacobian = jacobian
    }

    func resetCounters() {
        rhsEvaluations = 0
        jacobianEvaluations = 0
        pending = nil
    }

    func record(_ reason: SolverFailure.Reason, _ underlying: (any Error)? = nil) {
        if pending == nil { pending = (reason, underlying) }
    }

    var hasPendingFailure: Bool { pending != nil }

    func takeFailure() -> (reason: SolverFailure.Reason, underlying: (any Error)?)? {
        defer { pending = nil }
        return pending
    }

    /// Calls the right-hand side and checks every component of the result. Returns the GSL status:
    /// `GSL_EBADFUNC` (which makes GSL stop at once) if the closure threw or returned NaN/±∞,
    /// with the reason recorded.
    func evaluateRHS(_ t: Double, _ y: UnsafePointer<Double>, _ dydt: UnsafeMutablePointer<Double>) -> Int32 {
        rhsEvaluations += 1
        let n = dimension
        let out = UnsafeMutableBufferPointer(start: dydt, count: n)
        do {
            try rhs(t, UnsafeBufferPointer(start: y, count: n), out)
        } catch {
            record(.rightHandSideFailed(t: t), error)
            return Int32(GSL_EBADFUNC)
        }
        for i in 0..<n where !out[i].isFinite {
            record(.nonFiniteDerivative(component: i, value: out[i], t: t))
            return Int32(GSL_EBADFUNC)
        }
        return Int32(GSL_SUCCESS)
    }

    /// Calls the Jacobian and checks every entry, like `evaluateRHS`.
    func evaluateJacobian(_ t: Double, _ y: UnsafePointer<Double>, _ dfdy: UnsafeMutablePointer<Double>,
                          _ dfdt: UnsafeMutablePointer<Double>) -> Int32 {
        guard let jac = jacobian else {
            record(.other("the method needs a Jacobian and none was given"))
            return Int32(GSL_EBADFUNC)
        }
        jacobianEvaluations += 1
        let n = dimension
        let j = UnsafeMutableBufferPointer(start: dfdy, count: n * n)
        let jt = UnsafeMutableBufferPointer(start: dfdt, count: n)
        do {
            try jac(t, UnsafeBufferPointer(start: y, count: n), j, jt)
        } catch {
            record(.jacobianFailed(t: t), error)
            return Int32(GSL_EBADFUNC)
        }
        for k in 0..<(n * n) where !j[k].isFinite {
            record(.nonFiniteJacobian(row: k / n, column: k % n, value: j[k], t: t))
            return Int32(GSL_EBADFUNC)
        }
        for i in 0..<n where !jt[i].isFinite {
            record(.nonFiniteJacobian(row: i, column: -1, value: jt[i], t: t))
            return Int32(GSL_EBADFUNC)
        }
        return Int32(GSL_SUCCESS)
    }
}

/// One GSL `odeiv2` system and driver, owned by Swift: shared by `ODESolver` (stops at requested
/// times) and `DenseODESolver` (free steps with dense output).
///
/// The `gsl_odeiv2_system` lives on the heap because the driver keeps its pointer; the context is
/// passed unretained through `params` and kept alive by this object.
///
/// Failure reporting of the callbacks (explicit, not left to GSL): a right-hand side or Jacobian
/// that throws, or returns NaN or ±∞ in any component, makes its C callback record the reason
/// (with the time of the evaluation and the thrown error) in the context and return
/// `GSL_EBADFUNC`, on which GSL's evolve stops at once; the solver then throws a `SolverFailure`
/// carrying that reason, the original error and the time reached. (GSL itself would accept a step
/// whose error estimate is NaN, since NaN never compares greater than the tolerance.)
final class ODEDriverHandle {
    let context: ODEContext
    let system: UnsafeMutablePointer<gsl_odeiv2_system>
    let driver: UnsafeMutablePointer<gsl_odeiv2_driver>
    /// Per-component absolute-tolerance scale handed to GSL's scaled control (nil: standard control).
    private let scale: UnsafeMutablePointer<Double>?

    init(dimension: Int, method: ODEMethod, absTol: Double, relTol: Double, initialStep: Double,
         absTolScale: [Double]? = nil, rhs: @escaping ODERightHandSide, jacobian: ODEJacobian?) throws {
        GSL.disableAbortOnError()
        guard dimension > 0 else { throw GSLKitError.invalidArgument("ODE dimension must be > 0") }
        guard absTol >= 0, relTol >= 0, absTol + relTol > 0, absTol.isFinite, relTol.isFinite else {
            throw GSLKitError.invalidArgument("ODE tolerances must be finite, ≥ 0 and not both 0")
        }
        guard initialStep > 0, initialStep.isFinite else {
            throw GSLKitError.invalidArgument("ODE initial step must be finite and > 0")
        }
        if method.needsJacobian && jacobian == nil {
            throw GSLKitError.invalidArgument("method \(method.rawValue) needs a Jacobian")
        }
        if let s = absTolScale {
            guard s.count == dimension else {
                throw GSLKitError.invalidArgument("absolute-tolerance scale has \(s.count) components, the system \(dimension)")
            }
            for (i, v) in s.enumerated() {
                guard v.isFinite, v > 0 else {
                    throw GSLKitError.invalidArgument("absolute-tolerance scale of component \(i) must be finite and > 0; got \(v)")
                }
                // absTol·s_i must stay a normal number, or GSL's error level underflows to 0 (GSL_ESANITY).
                guard absTol == 0 || absTol * v >= Double.leastNormalMagnitude, absTol * v <= Double.greatestFiniteMagnitude else {
                    throw GSLKitError.invalidArgument("absolute tolerance of component \(i) (\(absTol) × \(v)) is outside the normal double range")
                }
            }
        }
        context = ODEContext(dimension: dimension, rhs: rhs, jacobian: jacobian)
        system = UnsafeMutablePointer<gsl_odeiv2_system>.allocate(capacity: 1)
        system.initialize(to: gsl_odeiv2_system(
            // The handle keeps the context alive for as long as GSL can call back, so the callbacks
            // borrow it without retaining it (`_withUnsafeGuaranteedRef`).
            function: { t, y, dydt, params in
                Unmanaged<ODEContext>.fromOpaque(params!)._withUnsafeGuaranteedRef { $0.evaluateRHS(t, y!, dydt!) }
            },
            jacobian: { t, y, dfdy, dfdt, params in
                Unmanaged<ODEContext>.fromOpaque(params!)._withUnsafeGuaranteedRef { $0.evaluateJacobian(t, y!, dfdy!, dfdt!) }
            },
            dimension: dimension,
            params: Unmanaged.passUnretained(context).toOpaque()))
        var d: UnsafeMutablePointer<gsl_odeiv2_driver>?
        if let s = absTolScale {
            let buffer = UnsafeMutablePointer<Double>.allocate(capacity: dimension)
            buffer.initialize(from: s, count: dimension)
            scale = buffer
            // D_i = absTol·s_i + relTol·|y_i| (a_y = 1, a_dydt = 0).
            d = gsl_odeiv2_driver_alloc_scaled_new(system, method.stepType, initialStep, absTol, relTol, 1, 0, buffer)
        } else {
            scale = nil
            d = gsl_odeiv2_driver_alloc_y_new(system, method.stepType, initialStep, absTol, relTol)
        }
        guard let d else {
            system.deinitialize(count: 1)
            system.deallocate()
            scale?.deallocate()
            throw GSLKitError.outOfMemory("an odeiv2 driver of dimension \(dimension)")
        }
        driver = d
    }

    /// The failure after a non-success `status` of GSL at `tReached`: what a callback recorded, or
    /// the GSL status itself. Resets the driver (step size `initialStep`) so that it can be used again.
    func failure(status: Int32, tReached: Double, method: ODEMethod, timeUnit: String, initialStep: Double) -> SolverFailure {
        let recorded = context.takeFailure()
        _ = gsl_odeiv2_driver_reset_hstart(driver, initialStep)
        if let r = recorded {
            return SolverFailure(tReached: tReached, timeUnit: timeUnit, reason: r.reason, underlying: r.underlying)
        }
        let g = GSLError(code: status, context: "an ODE step (\(method.rawValue))")
        return SolverFailure(tReached: tReached, timeUnit: timeUnit, reason: .gslStatus(g), underlying: g)
    }

    deinit {
        gsl_odeiv2_driver_free(driver)
        system.deinitialize(count: 1)
        system.deallocate()
        scale?.deallocate()
    }
}

/// The index and value of the first component of `y[0..<n]` that is NaN or ±∞, if any.
@inline(__always)
func firstNonFinite(_ y: UnsafePointer<Double>, _ n: Int) -> (Int, Double)? {
    for i in 0..<n where !y[i].isFinite { return (i, y[i]) }
    return nil
}
