// SPDX-License-Identifier: GPL-3.0-or-later
import CGSL

/// Holds a throwing Swift function of one variable for a `gsl_function`.
final class Function1DBox {
    let f: (Double) throws -> Double
    var pendingError: (any Error)?
    var evaluations = 0
    init(_ f: @escaping (Double) throws -> Double) { self.f = f }
}

/// Builds a `gsl_function` whose C callback calls `box.f`. A thrown error is stored in the box
/// and NaN returned, which makes GSL fail; the caller rethrows the stored error.
/// The box must outlive every use of the returned struct.
func makeGSLFunction(_ box: Function1DBox) -> gsl_function {
    gsl_function(
        function: { x, params in
            let box = Unmanaged<Function1DBox>.fromOpaque(params!).takeUnretainedValue()
            box.evaluations += 1
            do { return try box.f(x) } catch {
                box.pendingError = error
                return .nan
            }
        },
        params: Unmanaged.passUnretained(box).toOpaque())
}
