// SPDX-License-Identifier: GPL-3.0-or-later
@testable import Chemoembolization
import DosecalcCore
import Foundation
import Testing

/// `InVitroComparison`: the in-vitro experiments simulated for the published closed-vessel and sink points.
@Suite("DEB model against the published in-vitro points")
struct InVitroComparisonTests {
    static let residuals = try! DEBModelFit.residualsAtShippedParameters()
    static let grid = RadialGridSpec.equal(shells: InVitroComparison.shells)

    /// The sizes the closed-vessel points name (de Baere 2016's products).
    static let closedSizes = ["dc-bead": "100-300", "lifepearl": "200", "hepasphere": "30-60", "tandem": "100"]

    @Test("each closed-vessel t75 is the time at which the re-solved curve reaches 75 % of its 6-hour value, which is the plateau reported")
    func t75IsWhatItSays() throws {
        for (id, size) in Self.closedSizes {
            let name = id.replacingOccurrences(of: "-", with: "")
            let t75 = try #require(Self.residuals.first { $0.id == "debaere2016-\(name)-t75" }).predicted
            let plateau = try #require(Self.residuals.first { $0.id == "debaere2016-\(name)-plateau" }).predicted
            let product = try Fixture.catalogue.product(id)
            let release = try InVitro.closedVessel(product: product, size: try product.size(size), loadingMgPerMl: 40, packedVolumeMl: 1,
                                                   mediumMl: InVitroComparison.closedVesselMediumMlPerMl,
                                                   timesH: [t75 / 60, InVitroComparison.closedVesselHorizonH], grid: Self.grid,
                                                   parameters: Fixture.parameters)
            let f = release.release.releasedFraction
            #expect(abs(f[0] / f[1] - 0.75) < 1e-6, "\(id): \(f[0] / f[1])")
            #expect(abs(100 * f[1] - plateau) < 1e-6, "\(id): plateau \(plateau) %, re-solved \(100 * f[1]) %")
        }
    }

    /// The fit's in-vitro predictions against the independent scipy implementation: the 6-hour plateau of each
    /// product's closed vessel, and the USP II curve at 4 h (reference-data/cases/deb.json, 8 equal shells).
    @Test("the fit's closed-vessel plateaus and USP II completion agree with the scipy peer")
    func againstPeer() throws {
        for (id, _) in Self.closedSizes {
            let name = id.replacingOccurrences(of: "-", with: "")
            let plateau = try #require(Self.residuals.first { $0.id == "debaere2016-\(name)-plateau" }).predicted
            let peer = try Fixture.caseValue("deb-computed-invitro-closed-\(id)-debaere-equal8", "releasedPercent[3]")
            #expect(relativeError(plateau, peer) < 1e-6, "\(id): fit \(plateau) %, peer \(peer) %")
        }
        let t95 = try #require(Self.residuals.first { $0.id == "gonzalez2008-usp2-complete" }).predicted
        let at4h = try Fixture.caseValue("deb-computed-invitro-sink-dc-bead-usp2-equal8", "releasedPercent[2]")
        #expect((t95 <= 4) == (at4h >= 95), "fit: 95 % at \(t95) h; peer: \(at4h) % at 4 h")
        #expect(at4h >= 95)
    }

    @Test("the sink's completion time is where the released fraction reaches 95 %")
    func sinkCompletion() throws {
        let t = try #require(Self.residuals.first { $0.id == "gonzalez2008-usp2-complete" }).predicted
        let release = try InVitro.loadedSink(product: Fixture.dcBead, size: try Fixture.dcBead.size("100-300"), loadingMgPerMl: 37.5,
                                             timesH: [t], grid: Self.grid, parameters: Fixture.parameters)
        #expect(abs(release.releasedFraction[0] - 0.95) < 1e-7)
    }

    @Test("first-order R²: 1 for an exact first-order curve; otherwise that of the best k, found independently by a dense scan")
    func firstOrderR2() throws {
        let t = (0...80).map { 4.0 * Double($0) / 80 }
        #expect(abs(try InVitroComparison.firstOrderR2(times: t, fractions: t.map { 1 - exp(-0.7 * $0) }) - 1) < 1e-12)
        // Square-root (diffusion-like) release, and a lagged curve: compare with the best of 200,001 values of ln k.
        for f in [t.map { min(1, 0.5 * $0.squareRoot()) }, t.map { $0 * $0 / (1 + $0 * $0) }] {
            let mean = f.reduce(0, +) / Double(f.count)
            let sst = f.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
            var best = Double.infinity
            for j in 0...200_000 {
                let k = exp(-5 + 10 * Double(j) / 200_000)
                var s = 0.0
                for (x, y) in zip(t, f) { let r = y - (1 - exp(-k * x)); s += r * r }
                best = min(best, s)
            }
            let scan = 1 - best / sst
            let r2 = try InVitroComparison.firstOrderR2(times: t, fractions: f)
            #expect(r2 >= scan - 1e-12 && r2 - scan < 1e-8, "\(r2) against the scan's \(scan)")
            #expect(r2 < 0.999)
        }
    }
}
