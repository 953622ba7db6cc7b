// SPDX-License-Identifier: GPL-3.0-or-later
@testable import Chemoembolization
import DosecalcCore
import Foundation
import GSLKit
import Testing

// MARK: Langmuir isotherm

@Suite("Langmuir ion-exchange isotherm")
struct IsothermTests {
    let iso = Fixture.dcBead.isotherm(Fixture.parameters)

    @Test("c(u) inverts u(c) to rounding over 16 decades, both branches")
    func inverse() {
        var c = 1e-12
        while c < 1e4 {
            let u = iso.total(free: c)
            let back = iso.freeConcentration(total: u)
            #expect(relativeError(back, c) < 1e-12, "c = \(c)")
            c *= 3.7
        }
        #expect(iso.freeConcentration(total: 0) == 0)
        // Non-binding: c = u exactly.
        for u in [0.0, 1e-9, 0.3, 1, 2, 1e6] { #expect(LangmuirIsotherm.nonBinding.freeConcentration(total: u) == u) }
    }

    @Test("dc/du equals the reciprocal slope of u(c) (central differences)")
    func derivative() {
        for c in [1e-6, 1e-3, 0.05, 0.25, 3, 100] {
            let h = 1e-6 * c
            let slope = (iso.total(free: c + h) - iso.total(free: c - h)) / (2 * h)
            #expect(relativeError(iso.freeConcentrationDerivative(free: c), 1 / slope) < 1e-7)
        }
    }

    @Test("closed-vessel equilibrium: 1 mL DC Bead 100-300 at 37.5 mg/mL in 100 mL (hand quadratic, and the peer's Brent root)")
    func closedVesselEquilibrium() throws {
        // By hand: m = 37.5 mg; V_b = 0.64 mL true; Q = Q_packed/0.64; the balance m = V_m c + V_b(ε c + Q c/(c+K))
        // is the quadratic a c² + b c − m K = 0, a = V_m + εV_b, b = aK + QV_b − m; textbook root (−b + √(b² + 4amK))/(2a).
        let dc = Fixture.dcBead
        let m = 37.5, vb = 0.64, vm = 100.0, q = dc.modelCapacityMgPerMl / 0.64, k = dc.dissociationConstantMgPerMl, e = 0.9
        let a = vm + e * vb, b = a * k + q * vb - m
        let cHand = (-b + (b * b + 4 * a * m * k).squareRoot()) / (2 * a)
        let c = iso.closedVesselEquilibrium(amountMg: m, beadVolumeMl: vb, mediumMl: vm)
        #expect(relativeError(c, cHand) < 1e-12)
        // reference-data/cases/deb.json, deb-analytic-closed-vessel-plateau (Brent on the balance, in Python).
        #expect(abs(vm * c / m - (try Fixture.caseValue("deb-analytic-closed-vessel-plateau", "plateauPercent")) / 100) < 1e-12)
        #expect(relativeError(c, try Fixture.caseValue("deb-analytic-closed-vessel-plateau", "plateauFreeConcentrationMgPerMl")) < 1e-12)
        // The balance itself closes.
        #expect(abs(vm * c + vb * iso.total(free: c) - m) < 1e-12)
    }
}

// MARK: Crank's series

@Suite("Crank's sphere-in-a-sink series")
struct CrankSeriesTests {
    @Test("short-time (6.21) and long-time (6.20) forms agree to 1e-13 where both converge")
    func formsAgree() {
        for tau in stride(from: 0.005, through: 0.5, by: 0.005) {
            #expect(abs(CrankSeries.shortTime(tau: tau) - CrankSeries.longTime(tau: tau)) < 1e-13, "τ = \(tau)")
        }
    }

    @Test("known values and limits")
    func values() {
        // Crank (1975), The Mathematics of Diffusion, eq. 6.20, for the sphere of case deb-analytic-sink-crank-linear-limit
        // (reference-data/cases/deb.json): R = 0.0099964 cm, D = 2.5583626479053402e-06 cm²/h.
        let r = 0.0099964, d = 2.5583626479053402e-06
        let expected: [(Double, Double)] = [(0.5, 0.34459688793944365), (2, 0.6123876060739981), (8, 0.9194257994975009),
                                            (24, 0.9985870455344159), (72, 0.9999999923672421)]
        for (t, f) in expected { #expect(abs(CrankSeries.sphereSinkFraction(tau: d * t / (r * r)) - f) < 1e-12) }
        // Small τ: 6√(τ/π) − 3τ; large τ: 1 − 6/π² e^(−π²τ).
        #expect(abs(CrankSeries.sphereSinkFraction(tau: 1e-10) - (6 * (1e-10 / Double.pi).squareRoot() - 3e-10)) < 1e-18)
        let tau = 2.0
        #expect(abs(CrankSeries.sphereSinkFraction(tau: tau) - (1 - 6 / (Double.pi * Double.pi) * exp(-Double.pi * Double.pi * tau))) < 1e-15)
        #expect(CrankSeries.sphereSinkFraction(tau: 0) == 0)
    }
}

// MARK: In vitro

@Suite("In-vitro release")
struct InVitroTests {
    /// Sizes 20–1000 µm × D 1e-9…1e-5 cm²/s × times from 1e-4 a²/D to 3 a²/D (and down to 1e-8 a²/D).
    @Test("sink mode is within 0.5 pp of Crank at every time for every size and diffusivity")
    func sinkVersusCrankGrid() throws {
        let diameters: [Double] = [20, 50, 110, 200, 400, 700, 1000]
        let diffusivities: [Double] = [1e-9, 1e-8, 1e-7, 1e-6, 1e-5]
        var taus: [Double] = [1e-8, 1e-7, 1e-6, 1e-5]
        var x = 1e-4
        while x < 3 { taus.append(x); x *= 1.35 }
        var worst = 0.0
        for dUm in diameters {
            for dv in diffusivities {
                let a = 0.5 * dUm * 1e-4
                let tDiff = a * a / (dv * 3600)
                let times = taus.map { $0 * tDiff }
                let r = try InVitro.nonBindingSink(beadDiameterUm: dUm, diffusivityCm2PerS: dv, timesH: times)
                for (k, tau) in taus.enumerated() {
                    let dev = 100 * abs(r.releasedFraction[k] - CrankSeries.sphereSinkFraction(tau: tau))
                    worst = max(worst, dev)
                    #expect(dev < 0.5, "d = \(dUm) µm, D = \(dv), τ = \(tau): \(dev) pp")
                }
            }
        }
        // The refined grid does far better than required (measured 0.018 pp).
        #expect(worst < 0.05, "worst deviation \(worst) pp")
    }

    @Test("20 equal shells miss Crank by ~2.6 pp at early times (why the sink mode refines the grid)")
    func equalShellsAreNotEnough() throws {
        let r = try InVitro.nonBindingSink(beadDiameterUm: 200, diffusivityCm2PerS: 1e-6, timesH: [2.87e-4 * 0.0277777778], grid: .equal(shells: 20))
        let dev = 100 * abs(r.releasedFraction[0] - CrankSeries.sphereSinkFraction(tau: 2.87e-4))
        #expect(dev > 1)
    }

    @Test("equal 20-shell grid reproduces the reference cases of reference-data/cases/deb.json to 1e-6")
    func referenceEqualGrid() throws {
        let p = Fixture.parameters, dc = Fixture.dcBead
        for (id, size, loading, times) in [("deb-computed-invitro-sink-100-300-equal20", "100-300", 37.5, [0.5, 1, 4, 24]),
                                           ("deb-computed-invitro-sink-linear-limit-equal20", "100-300", 0.045, [0.5, 2, 8, 24, 72])] {
            let s = try InVitro.loadedSink(product: dc, size: try dc.size(size), loadingMgPerMl: loading, timesH: times,
                                           grid: .equal(shells: 20), parameters: p)
            for (k, got) in s.releasedFraction.enumerated() {
                #expect(relativeError(got, try Fixture.caseValue(id, "releasedPercent[\(k)]") / 100) < 1e-6, "\(id) [\(k)]")
            }
        }
        let t = try InVitro.loadedSinkHalfAndNinetyTimes(product: dc, size: try dc.size("100-300"), loadingMgPerMl: 37.5,
                                                          grid: .equal(shells: 20), parameters: p)
        #expect(relativeError(t.t50, try Fixture.caseValue("deb-computed-invitro-sink-100-300-equal20", "timeTo50PercentH")) < 1e-6)
        #expect(relativeError(t.t90, try Fixture.caseValue("deb-computed-invitro-sink-100-300-equal20", "timeTo90PercentH")) < 1e-6)
        // The surface-refined default grid and the fit's 8 equal shells (InVitroComparison.shells) stay close to 20
        // equal shells: behind the boundary layer the profile inside the bead is smooth.
        for (grid, tolerance) in [(RadialGridSpec.sinkDefault, 3e-3), (.equal(shells: InVitroComparison.shells), 3e-3)] {
            let g = try InVitro.loadedSinkHalfAndNinetyTimes(product: dc, size: try dc.size("100-300"), loadingMgPerMl: 37.5, grid: grid, parameters: p)
            #expect(relativeError(g.t50, t.t50) < tolerance && relativeError(g.t90, t.t90) < tolerance, "\(grid): \(g) against \(t)")
        }
    }

    /// Without a boundary layer and with local exchange equilibrium the sink problem has no length scale but
    /// the bead radius: in τ = D t/R² it is the same for every size, so t50 ∝ R² exactly.
    @Test("sink t50 scales exactly with R² when nothing but the bead sets a length (no film, local equilibrium)")
    func sizeSimilarity() throws {
        var p = Fixture.parameters
        p.sinkFilmThicknessCm = nil
        var dc = Fixture.dcBead
        dc.exchangeRatePerH = nil
        let ref = try dc.size("100-300")
        let r0 = dc.loadedRadiusCm(size: ref, loadingMgPerMl: 37.5)
        let t0 = try InVitro.loadedSinkHalfAndNinetyTimes(product: dc, size: ref, loadingMgPerMl: 37.5, grid: .equal(shells: 20), parameters: p).t50
        for size in ["70-150", "300-500", "700-900"] {
            let s = try dc.size(size)
            let r = dc.loadedRadiusCm(size: s, loadingMgPerMl: 37.5)
            let t = try InVitro.loadedSinkHalfAndNinetyTimes(product: dc, size: s, loadingMgPerMl: 37.5, grid: .equal(shells: 20), parameters: p).t50
            #expect(relativeError(t / t0, (r / r0) * (r / r0)) < 1e-6, "\(size)")
        }
        // With the shipped boundary layer and exchange rate the similarity is broken, as it should be.
        let withFilm = try InVitro.loadedSinkHalfAndNinetyTimes(product: Fixture.dcBead, size: try dc.size("700-900"), loadingMgPerMl: 37.5,
                                                                grid: .equal(shells: 20), parameters: Fixture.parameters).t50
        let refFilm = try InVitro.loadedSinkHalfAndNinetyTimes(product: Fixture.dcBead, size: ref, loadingMgPerMl: 37.5,
                                                               grid: .equal(shells: 20), parameters: Fixture.parameters).t50
        let r = dc.loadedRadiusCm(size: try dc.size("700-900"), loadingMgPerMl: 37.5)
        #expect(relativeError(withFilm / refFilm, (r / r0) * (r / r0)) > 0.1)
    }

    @Test("closed vessel approaches the exact Langmuir plateau and follows the reference curve")
    func closedVessel() throws {
        let p = Fixture.parameters, dc = Fixture.dcBead
        let id = "deb-computed-invitro-closed-100-300-equal20"
        let plateau = try Fixture.caseValue("deb-analytic-closed-vessel-plateau", "plateauPercent") / 100
        for grid in [RadialGridSpec.equal(shells: 20), .sinkDefault] {
            let r = try InVitro.closedVessel(product: dc, size: try dc.size("100-300"), loadingMgPerMl: 37.5, packedVolumeMl: 1,
                                             mediumMl: 100, timesH: [0.25, 1, 6, 24, 168, 720], grid: grid, parameters: p)
            #expect(abs(r.plateauFraction - plateau) < 1e-12)
            #expect(abs(r.release.releasedFraction[5] - r.plateauFraction) < 1e-6)
            if grid == .equal(shells: 20) {
                for k in 0..<5 {
                    #expect(relativeError(r.release.releasedFraction[k], try Fixture.caseValue(id, "releasedPercent[\(k)]") / 100) < 1e-6, "[\(k)]")
                }
                #expect(relativeError(r.timeTo50PercentOfPlateauH, try Fixture.caseValue(id, "timeTo50PercentOfPlateauH")) < 1e-6)
                #expect(relativeError(r.timeTo90PercentOfPlateauH, try Fixture.caseValue(id, "timeTo90PercentOfPlateauH")) < 1e-6)
            }
        }
    }

    @Test("in-vitro input errors")
    func badInput() {
        #expect(throws: InputError.self) { try InVitro.nonBindingSink(beadDiameterUm: 0, diffusivityCm2PerS: 1e-6, timesH: [1]) }
        #expect(throws: InputError.self) { try InVitro.nonBindingSink(beadDiameterUm: 200, diffusivityCm2PerS: .nan, timesH: [1]) }
        #expect(throws: InputError.self) { try InVitro.nonBindingSink(beadDiameterUm: 200, diffusivityCm2PerS: 1e-6, timesH: [2, 1]) }
        #expect(throws: InputError.self) { try InVitro.nonBindingSink(beadDiameterUm: 200, diffusivityCm2PerS: 1e-6, timesH: [-1]) }
        #expect(throws: InputError.self) { try InVitro.nonBindingSink(beadDiameterUm: 200, diffusivityCm2PerS: 1e-6, timesH: []) }
    }
}

// MARK: Systemic pharmacokinetics

@Suite("3-compartment plasma model")
struct PharmacokineticsTests {
    /// exp(M·t) of a 3×3 matrix by scaling and squaring of its Taylor series: independent of the
    /// eigen-decomposition used by `ThreeCompartmentPK`.
    func expm(_ m: [[Double]], _ t: Double) -> [[Double]] {
        var a = m.map { $0.map { $0 * t } }
        var norm = 0.0
        for r in a { norm = max(norm, r.reduce(0) { $0 + abs($1) }) }
        var s = 0
        while norm > 0.5 { norm /= 2; s += 1 }
        let scale = pow(2.0, Double(s))
        a = a.map { $0.map { $0 / scale } }
        func mul(_ x: [[Double]], _ y: [[Double]]) -> [[Double]] {
            (0..<3).map { i in (0..<3).map { j in (0..<3).reduce(0) { $0 + x[i][$1] * y[$1][j] } } }
        }
        var result: [[Double]] = [[1, 0, 0], [0, 1, 0], [0, 0, 1]]
        var term = result
        for k in 1...30 {
            term = mul(term, a).map { $0.map { $0 / Double(k) } }
            result = (0..<3).map { i in (0..<3).map { j in result[i][j] + term[i][j] } }
        }
        for _ in 0..<s { result = mul(result, result) }
        return result
    }

    @Test("IV bolus: closed form, matrix exponential, ODE (GSL msbdf) and reference-data/cases/deb.json agree")
    func bolus() throws {
        var p = Fixture.parameters
        p.tissuePlasmaClearanceLPerH = 0
        let pk = p.pk
        let k = pk.microConstants()
        let m: [[Double]] = [[-(k.k10 + k.k12 + k.k13), k.k21, k.k31], [k.k12, -k.k21, 0], [k.k13, 0, -k.k31]]
        let times = [0.0833333333, 0.5, 1.0, 6.0, 24.0, 72.0, 168.0]
        let published = [1455.5598757918622, 78.45366035198059, 26.800424555026762, 9.231067946822135, 3.8858246178963913,
                          1.8731206412787644, 0.4382242124914783]   // reference-data/cases/deb.json, deb-analytic-iv-bolus-50mg (closed form)
        let model = try ElutionModel(treatment: DEBTreatment(deposits: [], ivBolusMg: 50), parameters: p)
        let ode = try model.solve(timesH: times)
        for (i, t) in times.enumerated() {
            let e = expm(m, t)
            let cExpm = 1000 * 50 * e[0][0] / pk.centralVolumeL
            let cClosed = 1000 * pk.bolusConcentration(doseMg: 50, at: t)
            #expect(relativeError(cClosed, cExpm) < 1e-10, "t = \(t)")
            #expect(relativeError(cClosed, published[i]) < 1e-9, "t = \(t)")
            #expect(relativeError(model.plasmaNgPerMl(ode.states[i]), cClosed) < 1e-7, "ODE t = \(t)")
        }
        let half = pk.dispositionRates().map { log(2) / $0 }
        for (h, want) in zip(half, [0.0857040652342378, 2.1712269440952463, 45.808023833367095]) { #expect(relativeError(h, want) < 1e-10) }
        #expect(abs(1000 * pk.bolusAucInfinity(doseMg: 50) - 801.2820512820513) < 1e-9)
    }
}
