// SPDX-License-Identifier: GPL-3.0-or-later
// Monte Carlo propagation against closed forms. The doses are linear in the activity, in the lung
// shunt and in 1/mass, so with one uncertain input the dose distribution is known exactly:
// - only a mass uncertain (lognormal, median m, σ): D = c/M is lognormal with median c/m and the same σ;
// - only the lung shunt uncertain (normal μ, s, truncation negligible): the lung dose is normal;
// - only the activity uncertain: every dose is lognormal with the activity's σ.
// Tolerances are stated from the Monte Carlo error: a p-quantile of N samples has standard error
// √(p(1−p)/N) / f(x_p); the mean σ/√N; a probability √(p(1−p)/N). Each test allows 4 standard errors.
import ClinicalPolicy
import DosecalcCore
import Foundation
import GSLKit
import Radioembolization
import Testing
@testable import Uncertainty

struct Fixture {
    let catalogue: RadioembolizationCatalogue
    let policy: ClinicalPolicy
    let facts = PatientFacts(bilirubinMgPerDl: 0.8, cirrhosis: false, childPughClass: .a, childPughScore: 5,
                             priorRadioembolization: false, bilobar: false, priorChestIrradiation: false)

    init() throws {
        catalogue = try RadioembolizationCatalogue.load()
        policy = try ClinicalPolicy.load()
    }

    func request(_ device: String = "glass", _ method: PrescriptionMethod = .mird, lsf: Double) throws -> PrescriptionRequest {
        let d = try catalogue.device(device)
        return PrescriptionRequest(device: d, nuclide: try catalogue.nuclide(d.nuclide), method: method, lungShuntPercent: lsf, tissue: catalogue.tissue)
    }

    func sampler(_ r: PrescriptionRequest, _ spec: UncertaintySpecification, lungMassMeasured: Bool = false) throws -> PrescriptionSampler {
        let nominal = policy.apply(to: try Prescription.calculate(r, catalogue: catalogue), device: r.device, facts: facts)
        return try PrescriptionSampler(request: r, nominal: nominal, device: r.device, specification: spec,
                                       lungMassMeasured: lungMassMeasured, catalogue: catalogue, policy: policy, facts: facts)
    }

    func result(_ r: PrescriptionRequest, _ spec: UncertaintySpecification) throws -> UncertaintyResult {
        UncertaintyResult(samples: try sampler(r, spec).run(), specification: spec)
    }
}

/// The standard normal density.
func phi(_ z: Double) -> Double { exp(-z * z / 2) / (2 * Double.pi).squareRoot() }
let z975 = 1.959963984540054   // Φ⁻¹(0.975), Abramowitz & Stegun 26.2; checked against GSL below

/// Standard error of the p-quantile of N samples from a normal with standard deviation σ.
func quantileSE(p: Double, n: Int, sigma: Double) -> Double {
    (p * (1 - p) / Double(n)).squareRoot() / (phi(StandardNormal.quantile(p)) / sigma)
}

@Suite("Monte Carlo uncertainty")
struct UncertaintyTests {
    @Test("GSL's normal quantile is the tabulated 1.959963984540054")
    func gslQuantile() {
        #expect(abs(StandardNormal.quantile(0.975) - z975) < 1e-12)
        #expect(abs(StandardNormal.cdf(z975) - 0.975) < 1e-14)
    }

    @Test("MIRD with only the perfused mass uncertain: the perfused-liver dose is lognormal with the mass's σ")
    func massOnlyLognormal() throws {
        let f = try Fixture()
        var r = try f.request(lsf: 8)
        r.perfusedMassG = 1200
        r.given = .targetDoseGy(120)
        var spec = UncertaintySpecification()
        spec.massCvPercent = 15
        spec.samples = 40_000
        let u = try f.result(r, spec)
        let sigma = (log(1 + 0.15 * 0.15)).squareRoot()
        let median = 120.0   // the prescription hits its target at the measured mass
        let i = try #require(u.intervals["perfusedLiverDoseGy"])
        // In log space the quantiles are normal: check ln(quantile) within 4 SE of ln(median) ± z σ.
        let se = quantileSE(p: 0.025, n: spec.samples, sigma: sigma)
        #expect(abs(log(i.p2_5) - (log(median) - z975 * sigma)) < 4 * se)
        #expect(abs(log(i.p97_5) - (log(median) + z975 * sigma)) < 4 * se)
        #expect(abs(log(i.p50) - log(median)) < 4 * quantileSE(p: 0.5, n: spec.samples, sigma: sigma))
        // Mean of a lognormal: median · exp(σ²/2); its SE: sd/√N with sd = mean·√(exp(σ²) − 1).
        let mean = median * exp(sigma * sigma / 2)
        let sdMean = mean * (exp(sigma * sigma) - 1).squareRoot() / Double(spec.samples).squareRoot()
        #expect(abs(i.mean - mean) < 4 * sdMean)
        // Nothing else is uncertain: the lung dose does not move, the activity does not move.
        let lung = try #require(u.intervals["lungDoseGy"])
        #expect(lung.p2_5 == lung.p97_5)
        #expect(u.intervals["activityGBq"]!.p2_5 == u.intervals["activityGBq"]!.p97_5)
        // All of the perfused dose's variance is the mass's.
        #expect(abs(u.sensitivity["perfusedLiverDoseGy"]!["perfusedMassG"]! - 1) < 0.02)
    }

    @Test("only the lung shunt uncertain: the lung dose is normal, and P(lung dose > 30 Gy) = 1 − Φ((L* − μ)/s)")
    func lungShuntOnlyNormal() throws {
        let f = try Fixture()
        var r = try f.request(lsf: 15)
        r.perfusedMassG = 1000
        r.given = .activityGBq(3.6)   // lung dose 50 · 3.6 · 0.15 / 1 = 27 Gy
        var spec = UncertaintySpecification()
        spec.lungShuntPercentSd = 3
        spec.samples = 40_000
        let u = try f.result(r, spec)
        let gyPerPoint = 50 * 3.6 / 100   // lung dose per percentage point of shunt, 1 kg lung
        let i = try #require(u.intervals["lungDoseGy"])
        let sigma = gyPerPoint * 3
        let se = quantileSE(p: 0.025, n: spec.samples, sigma: sigma)
        #expect(abs(i.p2_5 - (27 - z975 * sigma)) < 4 * se)
        #expect(abs(i.p97_5 - (27 + z975 * sigma)) < 4 * se)
        #expect(abs(i.mean - 27) < 4 * sigma / Double(spec.samples).squareRoot())
        // The shunt that gives 30 Gy: 30 / 1.8 = 16.667 %; P = 1 − Φ((16.667 − 15)/3).
        let p = 1 - StandardNormal.cdf((30 / gyPerPoint - 15) / 3)
        let got = try #require(u.exceedanceProbability["lungDose"])
        #expect(abs(got - p) < 4 * (p * (1 - p) / Double(spec.samples)).squareRoot(), "P = \(got), closed form \(p)")
        #expect(abs(u.sensitivity["lungDoseGy"]!["lungShuntPercent"]! - 1) < 0.02)
    }

    @Test("only the delivered activity uncertain: every dose scales with the same lognormal factor")
    func activityOnly() throws {
        let f = try Fixture()
        var r = try f.request("glass", .partition, lsf: 5)
        r.tumorMassG = 200; r.normalLiverMassG = 800; r.tnRatio = 4; r.given = .tumorDoseGy(250)
        var spec = UncertaintySpecification()
        spec.activityCvPercent = 8
        let u = try f.result(r, spec)
        let ratio = { (k: String) in u.intervals[k]!.p97_5 / u.intervals[k]!.p50 }
        for k in ["tumorDoseGy", "normalLiverDoseGy", "lungDoseGy", "activityGBq"] {
            #expect(abs(ratio(k) - ratio("activityGBq")) < 1e-12, "\(k)")
        }
        #expect(abs(u.intervals["tumorDoseGy"]!.p50 / 250 - u.intervals["activityGBq"]!.p50 / u.intervals["activityGBq"]!.p50 * 1) < 0.01)
    }

    @Test("two equal, independent lognormal inputs share the variance of a product half and half")
    func sensitivityHalves() throws {
        let f = try Fixture()
        var r = try f.request(lsf: 5)
        r.perfusedMassG = 1000; r.given = .targetDoseGy(120)
        var spec = UncertaintySpecification()
        spec.massCvPercent = 5; spec.activityCvPercent = 5; spec.samples = 40_000
        let u = try f.result(r, spec)
        let s = try #require(u.sensitivity["perfusedLiverDoseGy"])
        #expect(abs(s["perfusedMassG"]! - 0.5) < 0.03 && abs(s["activityGBq"]! - 0.5) < 0.03, "\(s)")
    }

    @Test("the same seed gives identical results on one core and on all; another seed differs")
    func reproducible() throws {
        let f = try Fixture()
        var r = try f.request("glass", .partition, lsf: 9)
        r.tumorMassG = 120; r.normalLiverMassG = 900; r.tnRatio = 3; r.wholeNormalLiverMassG = 1500; r.given = .tumorDoseGy(200)
        var spec = UncertaintySpecification()
        spec.lungShuntPercentSd = 2; spec.massCvPercent = 10; spec.tnRatioCvPercent = 25; spec.activityCvPercent = 5; spec.samples = 7_500
        let s = try f.sampler(r, spec)
        let serial = UncertaintyResult(samples: try s.run(serial: true), specification: spec)
        let parallel = UncertaintyResult(samples: try s.run(), specification: spec)
        #expect(serial == parallel)
        spec.seed += 1
        let other = try f.result(r, spec)
        #expect(other.intervals != serial.intervals)
        // The whole normal liver is never drawn smaller than the perfused normal liver.
        let stream = RandomStream(seed: 99)
        for _ in 0..<2_000 {
            let d = try s.draw(stream, activityGBq: 2)
            #expect(d.wholeNormalLiverMassG! >= d.normalLiverMassG!)
            #expect(abs(d.wholeNormalLiverMassG! - d.normalLiverMassG! - d.normalLiverOutsideG!) <= 1e-9 * d.wholeNormalLiverMassG!)
        }
    }

    @Test("block seeds differ between neighbouring blocks and are never 0 in the bits GSL uses")
    func blockSeeds() {
        var seen = Set<UInt64>()
        for seed: UInt64 in [0, 1, 20_261_204] {
            for b in 0..<2_000 {
                let s = RandomStream.seed(seed, block: b)
                #expect(s & 0xFFFF_FFFF != 0)
                seen.insert(s & 0xFFFF_FFFF)
            }
        }
        #expect(seen.count == 6_000)
    }

    @Test("out-of-range specifications are refused with the field named", arguments: [
        (UncertaintyField.lungShuntPercentSd, -1.0), (.lungShuntPercentSd, .nan), (.lungShuntPercentSd, .infinity),
        (.massCvPercent, 100.5), (.massCvPercent, -0.1), (.tnRatioCvPercent, 1e9), (.activityCvPercent, .nan),
        (.samples, 999), (.samples, 10_000_001), (.maxExceedanceProbability, 0), (.maxExceedanceProbability, 0.51),
    ])
    func refused(_ field: UncertaintyField, _ value: Double) {
        var s = UncertaintySpecification()
        switch field {
        case .lungShuntPercentSd: s.lungShuntPercentSd = value
        case .massCvPercent: s.massCvPercent = value
        case .tnRatioCvPercent: s.tnRatioCvPercent = value
        case .activityCvPercent: s.activityCvPercent = value
        case .samples: s.samples = Int(value)
        case .seed: s.seed = UInt64(value)
        case .maxExceedanceProbability: s.maxExceedanceProbability = value
        }
        #expect { try s.validate() } throws: { ($0 as? InputError)?.field == field.rawValue }
    }

    @Test("a spread that draws impossible inputs is refused, naming the spread, never clipped")
    func impossibleDraws() throws {
        let f = try Fixture()
        var r = try f.request("glass", .partition, lsf: 5)
        r.tumorMassG = 0.15; r.normalLiverMassG = 800; r.tnRatio = 4; r.given = .tumorDoseGy(150)
        var spec = UncertaintySpecification()
        spec.massCvPercent = 60   // draws tumour masses below the 0.1 g floor
        #expect { try f.sampler(r, spec).run() } throws: { ($0 as? InputError)?.field == UncertaintyField.massCvPercent.rawValue }
    }

    @Test("the first-order estimator: about 0 for an input without effect, about 1 for the only input")
    func estimator() {
        let stream = RandomStream(seed: 7)
        let x = (0..<10_000).map { _ in stream.normal(mean: 0, sd: 1) }
        let noise = (0..<10_000).map { _ in stream.normal(mean: 0, sd: 1) }
        #expect(UncertaintyResult.firstOrderShare(x: x, y: noise) < 0.02)
        #expect(UncertaintyResult.firstOrderShare(x: x, y: x.map { 3 * $0 + 1 }) > 0.98)
        // y = x + e with Var x = Var e: share 1/2.
        let half = UncertaintyResult.firstOrderShare(x: x, y: zip(x, noise).map { $0 + $1 })
        #expect(abs(half - 0.5) < 0.03)
        #expect(UncertaintyResult.firstOrderShare(x: x, y: Array(repeating: 2, count: x.count)) == 0)
    }
}
