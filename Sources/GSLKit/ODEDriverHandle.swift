// SPDX-License-Identifier: GPL-3.0-or-later
import CGSL

/// Holds the Swift closures the C callbacks reach through `params`, and the counters.
final class ODEContext {
    let dimension: Int
    let rhs: ODERightHandSide
    let jacobian: ODEJacobian?
    var pendingError: (any Error)?
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
        pendingError = nil
    }
}

/// One GSL `odeiv2` system and driver, owned by Swift: shared by `ODESolver` (stops at requested
/// times) and `DenseODESolver` (free steps with dense output).
///
/// The `gsl_odeiv2_system` lives on the heap because the driver keeps its pointer; the context is
/// passed unretained through `params` and kept alive by this object. Errors thrown by the Swift
/// callbacks are stored in the context and the callback returns `GSL_EBADFUNC`, so GSL stops and
/// the caller rethrows the original error.
final class ODEDriverHandle {
    let context: ODEContext
    let system: UnsafeMutablePointer<gsl_odeiv2_system>
    let driver: UnsafeMutablePointer<gsl_odeiv2_driver>

    init(dimension: Int, method: ODEMethod, absTol: Double, relTol: Double, initialStep: Double,
         rhs: @escaping ODERightHandSide, jacobian: ODEJacobian?) throws {
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
        context = ODEContext(dimension: dimension, rhs: rhs, jacobian: jacobian)
        system = UnsafeMutablePointer<gsl_odeiv2_system>.allocate(capacity: 1)
        system.initialize(to: gsl_odeiv2_system(
            function: { t, y, dydt, params in
                let box = Unmanaged<ODEContext>.fromOpaque(params!).takeUnretainedValue()
                box.rhsEvaluations += 1
                do {
                    try box.rhs(t, UnsafeBufferPointer(start: y, count: box.dimension),
                                UnsafeMutableBufferPointer(start: dydt, count: box.dimension))
                    return Int32(GSL_SUCCESS)
                } catch {
                    box.pendingError = error
                    return Int32(GSL_EBADFUNC)
                }
            },
            jacobian: { t, y, dfdy, dfdt, params in
                let box = Unmanaged<ODEContext>.fromOpaque(params!).takeUnretainedValue()
                guard let jac = box.jacobian else { return Int32(GSL_EBADFUNC) }
                box.jacobianEvaluations += 1
                let n = box.dimension
                do {
                    try jac(t, UnsafeBufferPointer(start: y, count: n),
                            UnsafeMutableBufferPointer(start: dfdy, count: n * n),
                            UnsafeMutableBufferPointer(start: dfdt, count: n))
                    return Int32(GSL_SUCCESS)
                } catch {
                    box.pendingError = error
                    return Int32(GSL_EBADFUNC)
                }
            },
            dimension: dimension,
            params: Unmanaged.passUnretained(context).toOpaque()))
        guard let d = gsl_odeiv2_driver_alloc_y_new(system, method.stepType, initialStep, absTol, relTol) else {
            system.deinitialize(count: 1)
            system.deallocate()
            throw GSLKitError.outOfMemory("an odeiv2 driver of dimension \(dimension)")
        }
        driver = d
    }

    deinit {
        gsl_odeiv2_driver_free(driver)
        system.deinitialize(count: 1)
        system.deallocate()
    }
}
