// SPDX-License-Identifier: GPL-3.0-or-later
@testable import Chemoembolization
import DosecalcCore
import Foundation
import Testing

/// Finite-rate ion exchange and in-vitro films (`ShellKinetics` with `exchangeRatePerH`,
/// `ExternalTransfer.film`), against an independent numpy/scipy implementation and against limits.
///
/// The in-vitro peer values are those of reference-data/tools/deb_v2_study.py (its own `Beads` class, solve_ivp
/// BDF at rtol 1e-8) at its recorded `--ranked` fit, 4 equal shells, 1 mL of sedimented beads at 40 mg/mL
/// in 20 mL (closed vessel, film `film` cm) and at 37.5 mg/mL under a sink with a 30 µm film; D_b = D_w =
/// 4e-6 cm²/s, Q = 40.4 mg per mL sedimented, ε = 0.9, φ = 0.64. `reference-data/tools/deb_v2_study.py
/// --test-peers` prints them (the numbers below are its output, to the last digit).
@Suite("DEB finite-rate exchange and in-vitro films")
struct ExchangeKineticsTests {
    static let film = 0.8497676841847893
    struct Peer { let id: String; let kd: Double; let koff: Double; let diameterUm: Double; let shrinkMax: Double
        let shrinkReferenceLoading: Double; let closed: [Double]; let sink: [Double]? }
    static let closedTimesH: [Double] = [0.25, 0.5, 1, 2, 4, 6]
    static let sinkTimesH: [Double] = [0.25, 0.5, 1, 2, 4]
    static let peers = [
        Peer(id: "dc-bead", kd: 0.1403019866389212, koff: 1.0797021081629066, diameterUm: 242, shrinkMax: 0.2, shrinkReferenceLoading: 25,
             closed: [0.04099164496173799, 0.06794323270105854, 0.10460776082132872, 0.14812597541536643, 0.18973750090952163, 0.20774713439323653],
             sink: [0.23155340790593543, 0.38632139158814466, 0.5954055654485544, 0.8117780316174931, 0.9547995101863783]),
        Peer(id: "lifepearl", kd: 0.317473481330323, koff: 0.41547242969241155, diameterUm: 200, shrinkMax: 0.24, shrinkReferenceLoading: 40,
             closed: [0.06478866492082351, 0.1024360081280582, 0.1551220638020455, 0.21843684384625767, 0.2769242327041203, 0.30013056619470524],
             sink: nil),
    ]

    /// A catalogue product with the study's isotherm, exchange rate, shrink and one size class of the given diameter.
    /// `exchangeRatePerH` nil: the peer's k_off; `equilibrium`: no finite-rate exchange at all.
    static func product(_ peer: Peer, exchangeRatePerH: Double? = nil, equilibrium: Bool = false) throws -> (BeadProduct, BeadSize) {
        var o = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(try Fixture.catalogue.product(peer.id))) as! [String: Any]
        o["modelCapacityMgPerMl"] = 40.4
        o["dissociationConstantMgPerMl"] = peer.kd
        o["exchangeRatePerH"] = equilibrium ? nil : (exchangeRatePerH ?? peer.koff)
        o["shrinkMax"] = peer.shrinkMax
        o["shrinkReferenceLoadingMgPerMl"] = peer.shrinkReferenceLoading
        o["sizes"] = [["id": "test", "lowerUm": peer.diameterUm, "upperUm": peer.diameterUm, "modelDiameterUm": peer.diameterUm, "source": "test"]]
        let p = try JSONDecoder().decode(BeadProduct.self, from: try JSONSerialization.data(withJSONObject: o))
        return (p, p.sizes[0])
    }

    static var parameters: DEBModelParameters {
        var p = Fixture.parameters
        p.beadDiffusivityCm2PerS = 4e-6
        p.mediumDiffusivityCm2PerS = 4e-6
        p.sinkFilmThicknessCm = 30e-4
        p.closedVesselFilmThicknessCm = film
        p.shellsPerClass = 4   // the study's grid
        return p
    }

    @Test("closed vessel with a film and finite-rate exchange: the released fraction agrees with the scipy peer to 2e-6 (DC Bead, LifePearl)")
    func closedVesselAgainstPeer() throws {
        for peer in Self.peers {
            let (product, size) = try Self.product(peer)
            let r = try InVitro.closedVessel(product: product, size: size, loadingMgPerMl: 40, packedVolumeMl: 1, mediumMl: 20,
                                             timesH: Self.closedTimesH, grid: .equal(shells: 4), parameters: Self.parameters)
            for (k, t) in Self.closedTimesH.enumerated() {
                #expect(abs(r.release.releasedFraction[k] - peer.closed[k]) < 2e-6, "\(peer.id) at \(t) h: \(r.release.releasedFraction[k]) against \(peer.closed[k])")
            }
            // It approaches the exact Langmuir plateau of the closed vessel from below.
            #expect(r.release.releasedFraction.last! < r.plateauFraction)
        }
    }

    @Test("USP II sink with a 30 µm film and finite-rate exchange: the released fraction agrees with the scipy peer to 2e-6")
    func sinkAgainstPeer() throws {
        let peer = Self.peers[0]
        let (product, size) = try Self.product(peer)
        let r = try InVitro.loadedSink(product: product, size: size, loadingMgPerMl: 37.5, timesH: Self.sinkTimesH,
                                       grid: .equal(shells: 4), parameters: Self.parameters)
        for (k, t) in Self.sinkTimesH.enumerated() {
            #expect(abs(r.releasedFraction[k] - peer.sink![k]) < 2e-6, "at \(t) h: \(r.releasedFraction[k]) against \(peer.sink![k])")
        }
    }

    @Test("in vivo with finite-rate exchange: 28 days of 150 mg agree with the scipy peer to 1e-6")
    func inVivoAgainstPeer() throws {
        // Benchmarks/scipy_peer.py `simulate` with p = P plus Q_packed 40.4, Kd and koff of the DC Bead peer above,
        // Db 4e-6 cm²/s, smax 0.2, Lref 25; one class of 242 µm at 37.5 mg/mL, 150 mg (its `build` with koff); the
        // in-vivo parameters were those of the earlier in-vivo fit (D_t 2.4723814e-9 cm²/s, R_T 30.297232, t_sink 0.21855004 s), 4 shells.
        var parameters = Self.parameters
        parameters.tissueTransferDiffusivityCm2PerS = 2.4723814e-9
        parameters.tissueBindingRatio = 30.297232
        parameters.sinkEquivalentTimeS = 0.21855004
        parameters.shellsPerClass = 4
        let truth: [(String, KeyPath<DEBSummary, Double>, Double)] = [
            ("plasma peak", \.plasmaPeakNgPerMl, 546.463065062772), ("tissue peak", \.tissuePeakUM, 4.989072080005995),
            ("plasma AUC", \.plasmaAucNgHPerMl, 1529.8660371831263), ("tissue AUC", \.tissueAucUgHPerMl, 582.4541472882606),
            ("eluted at 28 d", \.elutedPercentAtEnd, 64.81809337028217),
        ]
        let (product, size) = try Self.product(Self.peers[0])
        let t = DEBTreatment(deposits: [try BeadDeposit(product: product, size: size, loadingMgPerMl: 37.5, doseMg: 150)])
        let s = try ElutionModel(treatment: t, parameters: parameters).simulate(days: 28).summary
        for (name, path, value) in truth {
            #expect(relativeError(s[keyPath: path], value) < 1e-6, "\(name): \(s[keyPath: path]) against \(value)")
        }
        for (day, value) in [("1", 19.762609372935557), ("7", 38.13531698166967), ("14", 50.23669804972752)] {
            #expect(relativeError(s.elutedPercentByDay[day]!, value) < 1e-6, "eluted at day \(day)")
        }
    }

    @Test("as k_off grows, finite-rate exchange tends to the local-equilibrium model (in vivo, 28 days)")
    func fastExchangeIsEquilibrium() throws {
        let peer = Self.peers[0]
        let (equilibrium, size) = try Self.product(peer, equilibrium: true)
        func run(_ product: BeadProduct) throws -> DEBSummary {
            let t = DEBTreatment(deposits: [try BeadDeposit(product: product, size: size, loadingMgPerMl: 37.5, doseMg: 150)])
            return try ElutionModel(treatment: t, parameters: Self.parameters).simulate(days: 28).summary
        }
        let reference = try run(equilibrium)
        var last = Double.infinity
        for k in [10.0, 100.0, 1000.0] {
            let s = try run(try Self.product(peer, exchangeRatePerH: k).0)
            let e = max(relativeError(s.elutedPercentAtEnd, reference.elutedPercentAtEnd),
                        relativeError(s.plasmaPeakNgPerMl, reference.plasmaPeakNgPerMl),
                        relativeError(s.tissuePeakUM, reference.tissuePeakUM))
            #expect(e < last, "k_off \(k): \(e) not below \(last)")
            last = e
        }
        #expect(last < 1e-3, "k_off 1000/h still differs by \(last)")
    }

    @Test("with finite-rate exchange the analytic Jacobian equals finite differences, and the mass balance holds to 1e-12")
    func jacobianAndMassBalance() throws {
        let (product, size) = try Self.product(Self.peers[0])
        let t = DEBTreatment(deposits: [try BeadDeposit(product: product, size: size, loadingMgPerMl: 37.5, doseMg: 150)])
        let m = try ElutionModel(treatment: t, parameters: Self.parameters)
        #expect(m.layout.dimension == 2 * 4 + 7)
        let r = try m.simulate(days: 28)
        #expect(r.summary.massBalanceRelativeError < 1e-12)
        var y = try m.solve(timesH: [30]).states[0]
        for i in 0..<4 { y[i] *= 1 - 0.1 * Double(i) }   // totals off equilibrium with the bound drug
        let n = m.layout.dimension
        var analytic = [Double](repeating: .nan, count: n * n), dfdt = [Double](repeating: .nan, count: n)
        y.withUnsafeBufferPointer { b in analytic.withUnsafeMutableBufferPointer { j in dfdt.withUnsafeMutableBufferPointer { m.jacobian(0, b, j, $0) } } }
        var worst = 0.0
        var fp = [Double](repeating: 0, count: n), fm = fp
        for c in 0..<n {
            let h = 1e-6 * max(abs(y[c]), 1e-3)
            var yp = y, ym = y
            yp[c] += h; ym[c] -= h
            yp.withUnsafeBufferPointer { b in fp.withUnsafeMutableBufferPointer { m.rhs(0, b, $0) } }
            ym.withUnsafeBufferPointer { b in fm.withUnsafeMutableBufferPointer { m.rhs(0, b, $0) } }
            for r in 0..<n {
                var rowScale = 1e-300
                for k in 0..<n { rowScale = max(rowScale, abs(analytic[r * n + k])) }
                worst = max(worst, abs(analytic[r * n + c] - (fp[r] - fm[r]) / (2 * h)) / rowScale)
            }
        }
        #expect(worst < 1e-6, "largest row-relative deviation \(worst)")
    }
}

@Suite("DEB bead catalogue refused whole when malformed")
struct BeadCatalogueValidationTests {
    /// The shipped catalogue with one edit, decoded and validated like `BeadCatalogue.load`.
    static func load(_ edit: (inout [String: Any]) -> Void) throws -> BeadCatalogue {
        var o = try JSONSerialization.jsonObject(with: Data(contentsOf: try ReferenceData.url(BeadCatalogue.resourcePath))) as! [String: Any]
        edit(&o)
        let c = try JSONDecoder().decode(BeadCatalogue.self, from: try JSONSerialization.data(withJSONObject: o))
        try c.validate(file: BeadCatalogue.resourcePath)
        return c
    }

    static func product(_ i: Int, _ key: String, _ value: Any?) -> (inout [String: Any]) -> Void {
        { o in
            var ps = o["products"] as! [[String: Any]]
            ps[i][key] = value
            o["products"] = ps
        }
    }

    /// Sets `key` of size `j` of product `i` to `value(sizes)`.
    static func size(_ i: Int, _ j: Int, _ key: String, _ value: @escaping ([[String: Any]]) -> Any) -> (inout [String: Any]) -> Void {
        { o in
            var ps = o["products"] as! [[String: Any]]
            var sizes = ps[i]["sizes"] as! [[String: Any]]
            sizes[j][key] = value(sizes)
            ps[i]["sizes"] = sizes
            o["products"] = ps
        }
    }

    @Test("the shipped catalogue passes; each corruption is refused, naming the key")
    func corruptions() throws {
        _ = try Self.load { _ in }
        let cases: [(String, (inout [String: Any]) -> Void)] = [
            ("products[0].dissociationConstantMgPerMl", Self.product(0, "dissociationConstantMgPerMl", 0)),
            ("products[1].dissociationConstantMgPerMl", Self.product(1, "dissociationConstantMgPerMl", -0.1)),
            ("products[0].modelCapacityMgPerMl", Self.product(0, "modelCapacityMgPerMl", 0)),
            ("products[2].maxLoadingMgPerMl", Self.product(2, "maxLoadingMgPerMl", -45)),
            ("products[0].shrinkMax", Self.product(0, "shrinkMax", 1)),
            ("products[3].shrinkMax", Self.product(3, "shrinkMax", -0.1)),
            ("products[0].shrinkReferenceLoadingMgPerMl", Self.product(0, "shrinkReferenceLoadingMgPerMl", 0)),
            ("products[0].exchangeRatePerH", Self.product(0, "exchangeRatePerH", 0)),
            ("products[0].exchangeRateSource", Self.product(0, "exchangeRateSource", nil)),       // a rate without its source
            ("products[1].exchangeRateSource", Self.product(1, "exchangeRatePerH", nil)),         // a source without a rate
            ("products[0].maxLoadingMgPerMl", Self.product(0, "maxLoadingMgPerMl", 45)),          // above the binding capacity
            // Finite but beyond any physical ceiling: once they reached the solver and failed there.
            ("products[0].exchangeRatePerH", Self.product(0, "exchangeRatePerH", 1e300)),
            ("products[0].modelCapacityMgPerMl", Self.product(0, "modelCapacityMgPerMl", 1e300)),
            ("products[0].sizes[1].modelDiameterUm", Self.size(0, 1, "modelDiameterUm") { _ in 1e300 }),
            ("products[0].sizes[1].modelDiameterUm", Self.size(0, 1, "modelDiameterUm") { _ in 1e-300 }),
            ("products[0].vialBeadVolumeMl", Self.product(0, "vialBeadVolumeMl", 0)),
            ("products[0].inVitroPlateauPercent", Self.product(0, "inVitroPlateauPercent", 121)),
            ("products[1].id", Self.product(1, "id", "dc-bead")),
            ("products[0].sizes", Self.product(0, "sizes", [] as [Any])),
            ("products[0].sizes[1].modelDiameterUm", Self.size(0, 1, "modelDiameterUm") { _ in 0 }),
            ("products[0].sizes[2].upperUm", Self.size(0, 2, "upperUm") { _ in 100 }),
            ("products[0].sizes[1].id", Self.size(0, 1, "id") { sizes in sizes[0]["id"]! }),
        ]
        for (key, edit) in cases {
            #expect { _ = try Self.load(edit) } throws: { ($0 as? DataFileError)?.key == key }
        }
    }
}
