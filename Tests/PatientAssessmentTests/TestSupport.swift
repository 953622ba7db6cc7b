// SPDX-License-Identifier: GPL-3.0-or-later
@testable import PatientAssessment

/// |a − b| ≤ tolerance.
func isClose(_ a: Double, _ b: Double, tolerance: Double) -> Bool {
    abs(a - b) <= tolerance
}

/// The `AssessmentInputError` thrown by `body`, or nil if it did not throw one.
func inputError(_ body: () throws -> Any) -> AssessmentInputError? {
    do {
        _ = try body()
        return nil
    } catch let e as AssessmentInputError {
        return e
    } catch {
        return nil
    }
}

/// Non-finite values every numeric input must reject.
let nonFiniteValues: [Double] = [.nan, .infinity, -.infinity, .signalingNaN]
