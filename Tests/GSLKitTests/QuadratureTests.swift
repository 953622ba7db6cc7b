// SPDX-License-Identifier: GPL-3.0-or-later
import Foundation
import Testing
@testable import GSLKit

private struct IntegrandFailure: Error, Equatable {}

@Suite("GSLKit quadrature")
struct QuadratureTests {
    @Test("QAGS: ∫₀¹ 1/√x dx = 2 (integrable end-point singularity)")
    func inverseSqrt() throws {
        let q = try Quadrature.qags(lower: 0, upper: 1) { 1 / $0.squareRoot() }
        #expect(abs(q.value - 2) < 1e-9, "\(q.value)")
        #expect(q.estimatedAbsError < 1e-6)
        #expect(q.functionEvaluations > 0)
    }

    @Test("QAGS: ∫₀^π sin x dx = 2")
    func sine() throws {
        let q = try Quadrature.qags(lower: 0, upper: .pi) { sin($0) }
        #expect(abs(q.value - 2) < 1e-12, "\(q.value)")
    }

    @Test("QAGS: the GSL manual's example ∫₀¹ ln(x)/√x dx = −4")
    func gslManualExample() throws {
        let q = try Quadrature.qags(lower: 0, upper: 1, relTol: 1e-7) { log($0) / $0.squareRoot() }
        #expect(abs(q.value + 4) < 1e-9, "\(q.value)")
    }

    @Test("QAGS: the number of decays of 1 GBq of Y-90, ∫₀^∞ 1e9·e^(−λt) dt = 1e9·T½·3600/ln 2, truncated at 40 half-lives")
    func totalDecays() throws {
        let lambda = M_LN2 / (64.1 * 3600)   // 1/s
        let q = try Quadrature.qags(lower: 0, upper: 40 * 64.1 * 3600) { 1e9 * exp(-lambda * $0) }
        // 1e9 × 64.1 × 3600 / 0.693147 = 3.32916e14 (case CONST-01, reference-data/cases/radioembolization.json), minus 2^(−40) of it
        let exact = 1e9 / lambda * (1 - pow(2, -40))
        #expect(abs(q.value - exact) / exact < 1e-10)
    }

    @Test("QAGS: an error thrown by the integrand comes back; bad limits and tolerances are refused")
    func errors() {
        #expect(throws: IntegrandFailure()) {
            _ = try Quadrature.qags(lower: 0, upper: 1) { x in
                if x > 0.5 { throw IntegrandFailure() }
                return x
            }
        }
        #expect(throws: GSLKitError.self) { _ = try Quadrature.qags(lower: 0, upper: .infinity) { exp(-$0) } }
        #expect(throws: GSLKitError.self) { _ = try Quadrature.qags(lower: .nan, upper: 1) { $0 } }
        // Both tolerances zero: GSL refuses with GSL_EBADTOL (13) instead of aborting.
        do {
            _ = try Quadrature.qags(lower: 0, upper: 1, absTol: 0, relTol: 0) { $0 }
            Issue.record("expected GSL_EBADTOL")
        } catch let e as GSLError {
            #expect(e.code == 13 && e.name == "GSL_EBADTOL", "\(e)")
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test("QAGS: a divergent integral ∫₀¹ 1/x dx is an error, not a number")
    func divergent() {
        #expect(throws: (any Error).self) {
            let q = try Quadrature.qags(lower: 0, upper: 1) { 1 / $0 }
            Issue.record("divergent integral returned \(q.value)")
        }
    }
}
