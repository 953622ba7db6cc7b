// SPDX-License-Identifier: GPL-3.0-or-later
// The planner with an uncertainty object: the chance constraint against its closed form, the report's
// uncertainty section, and plans without the object unchanged.
import Chemoembolization
import DosecalcCore
import Foundation
@testable import Planning
import Testing
import GSLKit
import Uncertainty

@Suite("Planner uncertainty")
struct PlanUncertaintyTests {
    static func input(_ name: String, _ edit: (inout [String: Any]) -> Void = { _ in }) throws -> PlanInput {
        let url = PlanReportTests.checkout.appendingPathComponent("reference-data/patients/\(name).json")
        var obj = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        edit(&obj)
        return try PlanInput.decode(try JSONSerialization.data(withJSONObject: obj))
    }

    @Test("a lung-bound plan with only the lung shunt uncertain: A* = 25 Gy·1 kg / (K (μ + z σ)/100) for several α")
    func closedForm() throws {
        for alpha in [0.01, 0.05, 0.2] {
            let i = try Self.input("plan-02-glass-lung-limited") {
                $0["uncertainty"] = ["lungShuntPercentSd": 3, "samples": 40_000, "seed": 3, "maxExceedanceProbability": alpha]
            }
            let r = try Planner.plan(i)
            let z = StandardNormal.quantile(1 - alpha)
            let q = 18 + z * 3
            let expected = 25.0 / (50 * q / 100)
            // The α-quantile of N samples: SE = √(α(1−α)/N)/φ(z) · σ; A ∝ 1/q.
            let density: Double = exp(-z * z / 2) / (2 * Double.pi).squareRoot()
            let se: Double = (alpha * (1 - alpha) / 40_000).squareRoot() / density * 3
            let got = try #require(r.radioembolization?.activityGBq)
            #expect(abs(got - expected) <= 4 * expected * se / q, "α \(alpha): \(got) vs \(expected)")
            let u = try #require(r.uncertainty)
            #expect(u.exceedanceProbability["cumulativeLungDose"]! <= alpha)
            #expect(u.chanceConstraint?.bindingLimit == "cumulativeLungDose")
            #expect(u.limitChecks?["cumulativeLungDoseGy"] == "cumulativeLungDose" && u.limitChecks?["lungDoseGy"] == "lungDose")
            #expect(r.radioembolization?.bindingConstraint == "cumulativeLungDose")
        }
    }

    @Test("the chance-constrained activity falls as α falls and as the spread grows (common random numbers)")
    func monotone() throws {
        var last = Double.infinity
        for alpha in [0.5, 0.3, 0.1, 0.05, 0.01] {
            let r = try Planner.plan(try Self.input("plan-02-glass-lung-limited") {
                $0["uncertainty"] = ["lungShuntPercentSd": 3, "samples": 5_000, "maxExceedanceProbability": alpha]
            })
            let a = r.radioembolization!.activityGBq
            #expect(a <= last)
            last = a
        }
        last = .infinity
        for sd in [0.5, 1, 2, 4] {
            let a = try Planner.plan(try Self.input("plan-02-glass-lung-limited") {
                $0["uncertainty"] = ["lungShuntPercentSd": sd, "samples": 5_000, "maxExceedanceProbability": 0.05]
            }).radioembolization!.activityGBq
            #expect(a <= last)
            last = a
        }
    }

    @Test("without an uncertainty object the plan has none and is the same as with one that constrains nothing")
    func unchangedWithout() throws {
        let plain = try Planner.plan(try Self.input("multi-01-glass-two-territories"))
        #expect(plain.uncertainty == nil)
        let withSpread = try Planner.plan(try Self.input("multi-01-glass-two-territories") {
            $0["uncertainty"] = ["massCvPercent": 5, "samples": 2_000]
        })
        #expect(withSpread.radioembolization?.activityGBq == plain.radioembolization?.activityGBq)
        #expect(withSpread.status == plain.status)
        #expect(withSpread.uncertainty?.chanceConstraint == nil)
    }

    @Test("the report shows the intervals, the probabilities, the chance constraint and a tornado chart; without uncertainty none of them")
    func report() throws {
        let (r, i) = try PlanReportTests.planned(patient: "unc-04-chance-lung-bound")
        let html = PlanReportTests.render(r, i, name: "unc-04")
        for needle in ["<h2>Uncertainty</h2>", "Chance constraint", "97.5th percentile", "Probability that each hard limit is exceeded",
                       "id=\"tornado-1\"", "limit that binds", ">limit 50<"] {
            #expect(html.contains(needle), "\(needle)")
        }
        let (p, pi) = try PlanReportTests.planned(patient: "plan-02-glass-lung-limited")
        #expect(!PlanReportTests.render(p, pi, name: "plan-02").contains("<h2>Uncertainty</h2>"))
    }

    @Test("a spread that draws a mass or T/N the planner would refuse is refused, naming the spread and the drawn field (as y90 does)",
          arguments: [
            // A 0.2 g tumour with a 60 % mass CV: about 13 % of the draws fall below the planner's 0.1 g.
            ("massG", 0.2, "massCvPercent", 60.0),
            // A T/N of 60 with a 50 % CV: draws above the planner's 100.
            ("tnRatio", 60.0, "tnRatioCvPercent", 50.0),
          ])
    func implausibleDraws(_ key: String, _ value: Double, _ spread: String, _ cv: Double) throws {
        func plan(cvPercent: Double) throws -> PlanInput {
            try Self.input("unc-04-chance-lung-bound") { o in
                var a = o["anatomy"] as! [String: Any]
                var t = a["territories"] as! [[String: Any]]
                var tumors = t[0]["tumors"] as! [[String: Any]]
                tumors[0][key] = value
                t[0]["tumors"] = tumors; a["territories"] = t; o["anatomy"] = a
                o["uncertainty"] = [spread: cvPercent, "samples": 2000, "seed": 3]
            }
        }
        #expect { try Planner.plan(try plan(cvPercent: cv)) } throws: { e in
            guard let e = e as? InputError else { return false }
            return e.field == "uncertainty.\(spread)" && e.message.contains("anatomy.territories[0].tumors[0].\(key)")
        }
        // The same plan with a narrow spread runs.
        _ = try Planner.plan(try plan(cvPercent: 5))
    }

    @Test("a plasma-peak-bound DEB plan never exceeds its limit: for limits of 40, 50 and 55 ng/mL the planned peak lies in [limit·(1 − 1e-6), limit], and the dose is proportional to the limit")
    func debPeakBound() throws {
        var doses: [Double] = []
        for limit in [40.0, 50, 55] {
            let i = try Self.input("deb-03-plasma-peak-binds") { o in
                var t = o["treatment"] as! [String: Any]
                t["plasmaPeakLimitNgPerMl"] = limit
                o["treatment"] = t
            }
            let r = try Planner.plan(i)
            let c = try #require(r.chemoembolization)
            #expect(c.bindingConstraint == "plasmaPeak")
            #expect(c.plasmaPeakNgPerMl <= limit && c.plasmaPeakNgPerMl >= limit * (1 - 1e-6), "\(limit): \(c.plasmaPeakNgPerMl)")
            doses.append(c.doxorubicinMg)
        }
        // At one loading the peak is proportional to the dose, so the dose is to the limit (40 : 50 : 55).
        #expect(abs(doses[0] / doses[1] - 0.8) < 1e-6 && abs(doses[2] / doses[1] - 1.1) < 1e-6, "\(doses)")
    }

    @Test("a DEB plan refuses an uncertainty object")
    func debRefuses() throws {
        let i = try Self.input("deb-01-hcc-dc-bead") { $0["uncertainty"] = ["massCvPercent": 5] }
        #expect { try Planner.plan(i) } throws: { ($0 as? InputError)?.field == "uncertainty" }
    }

    @Test("with plasmaPeakBasis upper95 the limit binds the peak's 95 % upper bound: the dose is the nominal-basis dose times nominal/upper from deb's own interval")
    func debPeakUpperBound() throws {
        let i = try Self.input("deb-03-plasma-peak-binds") { o in
            var t = o["treatment"] as! [String: Any]
            t["plasmaPeakBasis"] = "upper95"
            o["treatment"] = t
        }
        let planned = try Planner.plan(i)
        let c = try #require(planned.chemoembolization)
        #expect(c.plasmaPeakBasis == "upper95" && c.bindingConstraint == "plasmaPeak")
        // The check shows the upper bound, and says so beside the model's own peak.
        let check = try #require(planned.checks.first { $0.name == "plasmaPeak" })
        #expect(abs((check.value ?? 0) - (c.plasmaPeakUpper95NgPerMl ?? -1)) < 1e-9)
        #expect(check.note?.contains("95 % prediction interval") == true)
        let upper = try #require(c.plasmaPeakUpper95NgPerMl)
        #expect(upper <= 50 && upper >= 50 * (1 - 1e-6), "\(upper)")
        // Independent of the planner's path: the interval that `deb` reports for 150 mg of the same beads
        // over 28 days. The upper bound is proportional to the dose, so the dose is 150 · 50 / upper(150 mg).
        let product = try BeadCatalogue.load().product("dc-bead")
        let deposit = try BeadDeposit(product: product, size: try product.size("300-500"), loadingMgPerMl: 37.5, doseMg: 150)
        let model = try ElutionModel(treatment: DEBTreatment(deposits: [deposit]), parameters: try DEBModelParameters.load())
        let s = try model.simulate(days: 28).summary
        let pi = try DEBPrediction.intervals(model: model, nominal: s, days: 28, fit: try DEBFitResult.load())
        #expect(abs(c.doxorubicinMg / (150 * 50 / pi.plasmaPeakNgPerMl.upper) - 1) < 1e-5, "\(c.doxorubicinMg)")
        // The nominal basis gives the larger dose, by the ratio upper/nominal.
        let nominal = try #require(try Planner.plan(try Self.input("deb-03-plasma-peak-binds") { _ in }).chemoembolization)
        #expect(nominal.plasmaPeakBasis == "nominal" && nominal.plasmaPeakUpper95NgPerMl == nil)
        #expect(abs(nominal.doxorubicinMg / c.doxorubicinMg - pi.plasmaPeakNgPerMl.upper / s.plasmaPeakNgPerMl) < 1e-5)
        // A basis outside the closed set is refused when the input is read, naming the field and the values.
        for word in ["upper", "Upper95", "upper95 ", "", "nominal,upper95"] {
            #expect {
                _ = try Self.input("deb-03-plasma-peak-binds") { o in
                    var t = o["treatment"] as! [String: Any]
                    t["plasmaPeakBasis"] = word
                    o["treatment"] = t
                }
            } throws: { e in
                guard let e = e as? InputError else { return false }
                return e.field == "treatment.plasmaPeakBasis" && "\(e)".contains("nominal or upper95")
            }
        }
    }
}
