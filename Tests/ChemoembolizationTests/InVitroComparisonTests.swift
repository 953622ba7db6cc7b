// SPDX-License-Identifier: GPL-3.0-or-later
@testable import Chemoembolization
import DosecalcCore
import Foundation
import Testing

/// `InVitroComparison`: the model against the published closed-vessel and sink points.
@Suite("DEB model against the published in-vitro points")
struct InVitroComparisonTests {
    static let rows: [InVitroComparison.Row] = try! InVitroComparison.rows(
        points: try! DEBCalibrationData.allPoints(), catalogue: Fixture.catalogue, parameters: Fixture.parameters)

    @Test("one row per de Baere t75 and per Gonzalez USP II bound, with the published values; no plateau, no bead-property point")
    func rowsAndPublishedValues() throws {
        #expect(Self.rows.map(\.point) == ["debaere2016-dcbead-t75", "debaere2016-lifepearl-t75", "debaere2016-hepasphere-t75",
                                           "debaere2016-tandem-t75", "gonzalez2008-usp2-complete", "gonzalez2008-usp2-firstorder"])
        // de Baere et al., JVIR 2016 (abstract): 197, 139, 110 and 77 min; Gonzalez et al. 2008 (abstract): < 4 h, R² > 0.998.
        #expect(Self.rows.map(\.published) == [197, 139, 110, 77, 4, 0.998])
        for r in Self.rows {
            #expect(abs(r.ratio - r.model / r.published) < 1e-15)
            switch r.valueKind {
            case .upperBound: #expect(r.boundMet == (r.model <= r.published))
            case .lowerBound: #expect(r.boundMet == (r.model >= r.published))
            default: #expect(r.boundMet == nil && r.standardizedResidual == nil)   // the t75 values print no SD
            }
        }
    }

    @Test("each closed-vessel t75 is the time at which the re-solved curve reaches 75 % of its 6-hour value")
    func t75IsWhatItSays() throws {
        for r in Self.rows where r.quantity == .t75Min {
            let product = try Fixture.catalogue.product(r.product)
            let release = try InVitro.closedVessel(product: product, size: try product.size(r.size), loadingMgPerMl: 40, packedVolumeMl: 1,
                                                   mediumMl: InVitroComparison.closedVesselMediumMlPerMl,
                                                   timesH: [r.model / 60, InVitroComparison.closedVesselHorizonH], parameters: Fixture.parameters)
            let f = release.release.releasedFraction
            #expect(abs(f[0] / f[1] - 0.75) < 1e-6, "\(r.point): \(f[0] / f[1])")
        }
    }

    @Test("the sink's completion time is where the released fraction reaches 95 %")
    func sinkCompletion() throws {
        let r = try #require(Self.rows.first { $0.quantity == .timeToCompleteElutionH })
        let release = try InVitro.loadedSink(product: Fixture.dcBead, size: try Fixture.dcBead.size("100-300"), loadingMgPerMl: 37.5,
                                             timesH: [r.model], parameters: Fixture.parameters)
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
