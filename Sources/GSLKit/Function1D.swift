// SPDX-License-Identifier: GPL-3.0-or-later
import CGSL

/// Holds a throwing Swift function of one variable for a `gsl_function`.
final class Function1DBox {
    let f: (Double) throws -> Double
    /// Names the function in errors ("root function").
    let what: String
    var pendingError: (any Error)?
    var evaluations = 0
    init(_ f: @escaping (Double) throws -> Double, what: String) { self.f = f; self.what = what }
}

/// Builds a `gsl_function` whose C callback calls `box.f`. A thrown error is stored in the box
/// and NaN returned, which makes GSL fail; the caller rethrows the stored error. A NaN or ±∞
/// returned by `f` is a failure too, recorded as `GSLKitError.nonFiniteFunctionValue` (GSL's
/// methods do not all refuse non-finite values by themselves).
/// The box must outlive every use of the returned struct.
func makeGSLFunction(_ box: Function1DBox) -> gsl_function {
    gsl_function(
        function: { x, params in
            let box = Unmanaged<Function1DBox>.fromOpaque(params!).takeUnretainedValue()
            box.evaluations += 1
            do {
                let v = try box.f(x)
                if !v.isFinite, box.pendingError == nil {
                    box.pendingError = GSLKitError.nonFiniteFunctionValue(what: box.what, at: x)
                }
                return v
            } catch {
                if box.pendingError == nil { box.pendingError = error }
                return .nan
            }
        },
        params: Unmanaged.passUnretained(box).toOpaque())
}
