// SPDX-License-Identifier: GPL-3.0-or-later
// The 95 % prediction intervals of `dosecalc deb` (DEBPrediction):
// - the delta-method spread of ln(plasma peak) and logit(eluted at 28 d) agrees with a Monte Carlo over the
//   fitted parameters (draws from N(x̂, Σ) by a hand Cholesky factor), the independent truth here;
// - every interval brackets its nominal value, and an eluted percentage's stays inside (0, 100);
// - a model file whose fitted values differ from the fit's is refused, naming the fit file.
@testable import Chemoembolization
import DosecalcCore
import Foundation
import Testing
import TestSupport

@Suite("DEB prediction intervals")
struct PredictionIntervalTests {
    static let fit = try! DEBFitResult.load()

    /// Lower Cholesky factor of a symmetric positive definite matrix, by hand.
    static func cholesky(_ a: [[Double]]) -> [[Double]] {
        let n = a.count
        var l = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        for i in 0..<n {
            for j in 0...i {
                let s = (0..<j).reduce(0) { $0 + l[i][$1] * l[j][$1] }
                l[i][j] = i == j ? (a[i][i] - s).squareRoot() : (a[i][j] - s) / l[j][j]
            }
        }
        return l
    }

    static func normal(_ g: inout SeededGenerator) -> Double {
        let u1 = Double.random(in: Double.ulpOfOne..<1, using: &g), u2 = Double.random(in: 0..<1, using: &g)
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

    @Test("the delta-method spread agrees with a Monte Carlo over the fitted parameters")
    func deltaMatchesMonteCarlo() throws {
        let model = try ElutionModel(treatment: try Fixture.treatment(["100-300"], doseMg: 150), parameters: Fixture.parameters)
        let nominal = try model.simulate(days: 28).summary
        let pi = try DEBPrediction.intervals(model: model, nominal: nominal, days: 28, fit: Self.fit)
        // The delta method's SD on the transformed scale, read back from the interval.
        let sdPeak = log(pi.plasmaPeakNgPerMl.upper / pi.plasmaPeakNgPerMl.lower) / (2 * DEBPrediction.z95)
        func logit(_ p: Double) -> Double { log(p / (100 - p)) }
        let e28 = pi.elutedPercentByDay["28"]!
        let sdEluted = (logit(e28.upper) - logit(e28.lower)) / (2 * DEBPrediction.z95)

        let l = Self.cholesky(Self.fit.lnCovariance)
        let p = Self.fit.parameters.count
        var g = SeededGenerator(seed: 20_261_204)
        var peaks: [Double] = [], eluted: [Double] = []
        var options = SimulationOptions()
        options.outputTimesH = []
        let draws = 300
        for _ in 0..<draws {
            // All parameters drawn jointly (the other products' constants too, which cannot move a DC Bead result).
            let z = (0..<p).map { _ in Self.normal(&g) }
            var set = DEBParameterSet(model: Fixture.parameters, catalogue: Fixture.catalogue)
            for (j, q) in Self.fit.parameters.enumerated() {
                let dx = (0...j).reduce(0) { $0 + l[j][$1] * z[$1] }
                set.set(q.name, product: q.product?.rawValue, to: q.value * exp(dx))
            }
            let treatment = try DEBTreatment.evenSplit(product: try set.catalogue.product("dc-bead"), sizes: ["100-300"],
                                                       loadingMgPerMl: 37.5, doseMg: 150)
            let s = try ElutionModel(treatment: treatment, parameters: set.model).simulate(days: 28, options: options).summary
            peaks.append(log(s.plasmaPeakNgPerMl))
            eluted.append(logit(s.elutedPercentByDay["28"]!))
        }
        func sd(_ x: [Double]) -> Double {
            let m = x.reduce(0, +) / Double(x.count)
            return (x.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(x.count - 1)).squareRoot()
        }
        // The SE of a sample SD from 300 normal draws is SD/√598 ≈ 4 %; 15 % allows the delta method's
        // linearisation and three and a half standard errors.
        #expect(abs(sd(peaks) / sdPeak - 1) < 0.15, "plasma peak: Monte Carlo \(sd(peaks)), delta \(sdPeak)")
        #expect(abs(sd(eluted) / sdEluted - 1) < 0.15, "eluted 28 d: Monte Carlo \(sd(eluted)), delta \(sdEluted)")
        #expect(sdPeak > 0.2)   // the plasma peak's uncertainty is wide (Poon's and Varela's SDs), not a rounding
    }

    @Test("every interval brackets its nominal value; eluted percentages stay inside (0, 100)")
    func intervalsBracket() throws {
        for (sizes, dose, days) in [(["300-500"], 150.0, 28.0), (["70-150"], 75.0, 30.0), (["300-500", "500-700"], 100.0, 7.0)] {
            let model = try ElutionModel(treatment: try Fixture.treatment(sizes, doseMg: dose), parameters: Fixture.parameters)
            let s = try model.simulate(days: days).summary
            let pi = try DEBPrediction.intervals(model: model, nominal: s, days: days, fit: Self.fit)
            #expect(pi.plasmaPeakNgPerMl.lower < s.plasmaPeakNgPerMl && s.plasmaPeakNgPerMl < pi.plasmaPeakNgPerMl.upper)
            #expect(pi.tissuePeakUM.lower < s.tissuePeakUM && s.tissuePeakUM < pi.tissuePeakUM.upper)
            #expect(Set(pi.elutedPercentByDay.keys) == Set(s.elutedPercentByDay.keys))
            for (d, i) in pi.elutedPercentByDay {
                let v = s.elutedPercentByDay[d]!
                #expect(0 < i.lower && i.lower < v && v < i.upper && i.upper < 100, "day \(d)")
            }
            #expect((pi.tissueUMAt30d != nil) == (days >= 30))
        }
    }

    /// Small LifePearl beads release everything within a year: an eluted percentage of 100 % to round-off
    /// has no log-odds. This input once ended in "the prediction interval came out non-finite".
    @Test("an eluted percentage that reaches 100 % to round-off gets a finite interval inside [0, 100]")
    func completeReleaseInterval() throws {
        let product = try Fixture.catalogue.product("lifepearl")
        let t = try DEBTreatment.evenSplit(product: product, sizes: ["100"], loadingMgPerMl: 40, doseMg: 100)
        let model = try ElutionModel(treatment: t, parameters: Fixture.parameters)
        let s = try model.simulate(days: 365).summary
        let pi = try DEBPrediction.intervals(model: model, nominal: s, days: 365, fit: Self.fit)
        let v = try #require(s.elutedPercentByDay["365"])
        #expect(v > 99.999)
        for (d, i) in pi.elutedPercentByDay {
            let x = s.elutedPercentByDay[d]!
            #expect(i.lower.isFinite && i.upper.isFinite && 0 <= i.lower && i.lower <= x && x <= i.upper && i.upper <= 100, "day \(d): \(i)")
        }
        let i365 = try #require(pi.elutedPercentByDay["365"])
        #expect(i365.upper - i365.lower < 1e-6)
    }

    @Test("a model file or bead catalogue whose fitted values are not the fit's gets no interval")
    func mismatchRefused() throws {
        var p = Fixture.parameters
        p.sinkEquivalentTimeS *= 1.01
        var product = Fixture.dcBead
        product.exchangeRatePerH = product.exchangeRatePerH! * 1.01
        for (what, parameters, bead) in [("model", p, Fixture.dcBead), ("catalogue", Fixture.parameters, product)] {
            let t = try DEBTreatment.evenSplit(product: bead, sizes: ["300-500"], loadingMgPerMl: 37.5, doseMg: 150)
            let model = try ElutionModel(treatment: t, parameters: parameters)
            let s = try model.simulate(days: 1).summary
            do {
                _ = try DEBPrediction.intervals(model: model, nominal: s, days: 1, fit: Self.fit)
                Issue.record("\(what): an interval was given for values the fit does not describe")
            } catch let e as DataFileError {
                #expect(e.file == DEBFitResult.resourcePath && "\(e)".contains("deb-calibrate"), "\(what)")
            }
        }
        // Another product's constants do not enter a DC Bead treatment's interval.
        var other = Fixture.catalogue.products.first { $0.id == "tandem" }!
        other.dissociationConstantMgPerMl *= 2
        #expect(throws: Never.self) {
            try DEBPrediction.checkMatches(Fixture.parameters, products: [Fixture.dcBead], fit: Self.fit)
        }
        #expect(throws: DataFileError.self) {
            try DEBPrediction.checkMatches(Fixture.parameters, products: [Fixture.dcBead, other], fit: Self.fit)
        }
    }
}
