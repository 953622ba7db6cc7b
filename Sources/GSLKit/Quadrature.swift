// SPDX-License-Identifier: GPL-3.0-or-later
import CGSL

/// An integral with GSL's error estimate.
public struct QuadratureResult: Sendable, Equatable {
    public let value: Double
    public let estimatedAbsError: Double
    public let functionEvaluations: Int
}

/// Adaptive quadrature with GSL (`gsl_integration_qags`, 21-point Gauss–Kronrod with
/// Wynn-epsilon extrapolation; handles integrable end-point singularities).
public enum Quadrature {
    public static func qags(
        lower: Double, upper: Double, absTol: Double = 0, relTol: Double = 1e-10, limit: Int = 1000,
        _ f: @escaping (Double) throws -> Double
    ) throws -> QuadratureResult {
        GSL.disableAbortOnError()
        guard lower.isFinite, upper.isFinite else { throw GSLKitError.invalidArgument("integration limits must be finite") }
        guard let ws = gsl_integration_workspace_alloc(limit) else { throw GSLKitError.outOfMemory("a quadrature workspace") }
        defer { gsl_integration_workspace_free(ws) }
        let box = Function1DBox(f, what: "integrand")
        var fn = makeGSLFunction(box)
        var value = 0.0, err = 0.0
        let status = withExtendedLifetime(box) {
            gsl_integration_qags(&fn, lower, upper, absTol, relTol, limit, ws, &value, &err)
        }
        if let e = box.pendingError { throw e }
        try GSL.check(status, "QAGS quadrature on [\(lower), \(upper)]")
        guard value.isFinite, err.isFinite else {
            throw GSLKitError.nonFiniteFunctionValue(what: "QAGS sum of the integrand on [\(lower), \(upper)]", at: value)
        }
        return QuadratureResult(value: value, estimatedAbsError: err, functionEvaluations: box.evaluations)
    }
}
