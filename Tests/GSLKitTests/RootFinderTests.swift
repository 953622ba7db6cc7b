// SPDX-License-Identifier: GPL-3.0-or-later
import Foundation
import Testing
@testable import GSLKit

private struct CallbackFailure: Error, Equatable {
    let marker: Int
}

@Suite("GSLKit root finder")
struct RootFinderTests {
    @Test("Brent: cos(x) = x at the Dottie number 0.7390851332151607")
    func dottie() throws {
        let r = try RootFinder.brent(lower: 0, upper: 1) { cos($0) - $0 }
        #expect(abs(r.root - 0.7390851332151607) < 1e-12, "root \(r.root)")
        #expect(r.lower <= r.root && r.root <= r.upper)
        #expect(r.iterations > 0)
        #expect(r.functionEvaluations >= r.iterations)
    }

    @Test("Brent: √2 from x² − 2 and the Y-90 half-life from 2^(−t/64.1) = 1/2")
    func otherRoots() throws {
        let r = try RootFinder.brent(lower: 0, upper: 2) { $0 * $0 - 2 }
        #expect(abs(r.root - 2.0.squareRoot()) < 1e-12)
        let t = try RootFinder.brent(lower: 1, upper: 500) { pow(2, -$0 / 64.1) - 0.5 }
        #expect(abs(t.root - 64.1) < 1e-9)
    }

    @Test("an end that is exactly a root is returned")
    func exactEnd() throws {
        let r = try RootFinder.brent(lower: 0, upper: 1) { $0 }
        #expect(r.root == 0)
        let s = try RootFinder.brent(lower: -1, upper: 3) { $0 - 3 }
        #expect(s.root == 3)
    }

    @Test("a bracket without a sign change throws bracketHasNoSignChange, it does not abort")
    func noSignChange() {
        do {
            _ = try RootFinder.brent(lower: -1, upper: 1) { $0 * $0 + 1 }
            Issue.record("expected an error")
        } catch let e as GSLKitError {
            #expect(e == .bracketHasNoSignChange(lower: -1, upper: 1, fLower: 2, fUpper: 2))
            #expect(e.description.contains("no sign change"))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test("an error thrown by the function comes back unchanged, at the ends and inside")
    func throwingFunction() {
        #expect(throws: CallbackFailure(marker: 1)) {
            _ = try RootFinder.brent(lower: 0, upper: 1) { _ in throw CallbackFailure(marker: 1) }
        }
        // Finite at both ends, throws inside the bracket.
        #expect(throws: CallbackFailure(marker: 2)) {
            _ = try RootFinder.brent(lower: 0, upper: 1) { x in
                if x > 0 && x < 1 { throw CallbackFailure(marker: 2) }
                return x - 0.3
            }
        }
    }

    @Test("non-finite values and brackets are rejected")
    func nonFinite() {
        #expect(throws: GSLKitError.self) { _ = try RootFinder.brent(lower: 0, upper: .infinity) { $0 - 1 } }
        #expect(throws: GSLKitError.self) { _ = try RootFinder.brent(lower: .nan, upper: 1) { $0 } }
        #expect(throws: GSLKitError.self) { _ = try RootFinder.brent(lower: 1, upper: 0) { $0 - 0.5 } }
        #expect(throws: GSLKitError.nonFiniteFunctionValue(what: "root function", at: 0)) {
            _ = try RootFinder.brent(lower: 0, upper: 1) { x in x == 0 ? .nan : x - 0.5 }
        }
        #expect(throws: GSLKitError.nonFiniteFunctionValue(what: "root function", at: 1)) {
            _ = try RootFinder.brent(lower: 0, upper: 1) { x in x == 1 ? .infinity : x - 0.5 }
        }
        // NaN inside the bracket: GSL's Brent refuses a non-finite value (GSL_EBADFUNC); no root is invented.
        do {
            let r = try RootFinder.brent(lower: 0, upper: 1) { x in x < 0.2 ? -1 : (x > 0.8 ? 1 : .nan) }
            Issue.record("a root \(r.root) was returned from a NaN function")
        } catch let e as GSLError {
            #expect(e.name == "GSL_EBADFUNC")
        } catch let e as GSLKitError {
            guard case .nonFiniteFunctionValue = e else { Issue.record("unexpected \(e)"); return }
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test("too few iterations: noConvergence")
    func iterationLimit() {
        #expect(throws: GSLKitError.noConvergence(what: "Brent root finder", iterations: 1)) {
            _ = try RootFinder.brent(lower: 0, upper: 1, relTol: 1e-15, maxIterations: 1) { cos($0) - $0 }
        }
    }
}
