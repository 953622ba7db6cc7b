// SPDX-License-Identifier: GPL-3.0-or-later
// The joint fit of the DEB model's bead and in-vivo parameters (`dosecalc deb-calibrate`):
// - the shipped values (deb-model.json, products/deb-beads.json) and the shipped fit (deb-fit/result.json)
//   are what the fit gives, and the fit meets the published in-vitro and in-vivo targets;
// - the fit recovers known parameters from data the model itself generated (consistent data, χ² → 0);
// - the covariance is (JᵀJ)⁻¹ with the standardised residuals written out here from the specification's
//   definitions (independent of the fit's own) and a central-difference Jacobian with another step (3e-5);
// - a specification that does not match the data, and a broken specification or result file, are refused whole.
@testable import Chemoembolization
import DosecalcCore
import Foundation
import Testing

@Suite("DEB model fit")
struct ModelFitTests {
    static let spec = try! DEBFitSpecification.load()
    static let points = try! DEBCalibrationData.allPoints()
    static let base = DEBParameterSet(model: Fixture.parameters, catalogue: Fixture.catalogue)
    /// The fit from the specification's start, computed once for the tests that need it.
    static let shippedDataFit = Result { try fit() }

    static func fit(spec: DEBFitSpecification = spec, points: [CalibrationPoint] = points, base: DEBParameterSet = base) throws -> DEBFitResult {
        try DEBModelFit.fit(spec: spec, points: points, base: base)
    }

    /// A JSON round trip with one change, so that the tests can alter typed values.
    static func edited<T: Codable>(_ value: T, _ change: (inout [String: Any]) -> Void) throws -> T {
        let data = try JSONEncoder().encode(value)
        var o = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        change(&o)
        return try JSONDecoder().decode(T.self, from: try JSONSerialization.data(withJSONObject: o))
    }

    static func specWithPoint(_ id: String, _ change: @escaping (inout [String: Any]) -> Void) throws -> DEBFitSpecification {
        try edited(spec) { o in
            var ps = o["points"] as! [[String: Any]]
            let i = ps.firstIndex { $0["id"] as? String == id }!
            change(&ps[i])
            o["points"] = ps
        }
    }

    static func index(_ id: String) -> Int { spec.points.firstIndex { $0.id == id }! }

    @Test("the shipped model parameters, bead constants and fit are what the fit gives")
    func committedParametersAreTheFit() throws {
        let f = try Self.shippedDataFit.get()
        let shipped = try DEBFitResult.load()
        // 14 fitted points, 4 priors and 3 ranking pairs for 12 parameters.
        #expect(f.statistics.fittedPoints == 14 && f.statistics.penaltyTerms == 7 && f.statistics.parameters == 12)
        #expect(f.statistics.degreesOfFreedom == 9)
        for q in f.parameters {
            let held = try #require(Self.base.value(q.name, product: q.product?.rawValue), "\(q.label) has no shipped value")
            #expect(abs(held / q.value - 1) < 1e-6, "\(q.label): shipped \(held), fit \(q.value)")
            let s = try #require(shipped.parameters.first { $0.name == q.name && $0.product == q.product })
            #expect(abs(s.value / q.value - 1) < 1e-6, "result.json \(q.label)")
            #expect(abs(s.lnStandardError / q.lnStandardError - 1) < 1e-3, "\(q.label)")
        }
        #expect(abs(shipped.statistics.chiSquared - f.statistics.chiSquared) < 1e-4)
        // Entry by entry against the scale of its row and column, √(Σ_ii Σ_jj): a difference of 1e-3 in a
        // correlation coefficient. (Relative to the entry itself, a small off-diagonal entry would compare
        // the ODE solver's last digits, which move with the order of floating-point sums in the Jacobian.)
        let cs = shipped.lnCovariance, cf = f.lnCovariance
        #expect(cs.count == cf.count && zip(cs, cf).allSatisfy { $0.count == $1.count })
        for i in cs.indices {
            for j in cs[i].indices {
                let scale = (cs[i][i] * cs[j][j]).squareRoot()
                #expect(abs(cs[i][j] - cf[i][j]) <= 1e-3 * scale, "lnCovariance[\(i)][\(j)]: \(cs[i][j]) against \(cf[i][j])")
            }
        }
        #expect(shipped.residuals.map(\.id) == f.residuals.map(\.id))
        #expect(shipped.penalties.map(\.id) == f.penalties.map(\.id))
    }

    /// The model's acceptance figures, read from the fit's own residual list and checked against the
    /// published values typed here (de Baere 2016, Gonzalez 2008, Namur 2010/2011, Poon 2007, Varela 2007).
    /// The tolerances are the model's acceptance criteria, wider than the published SDs where a point is
    /// known to a factor (t75 within 1.5×); the predictions themselves are checked against the scipy peer
    /// (InVitroComparisonTests, reference-data/cases/deb.json).
    @Test("the fitted model meets its acceptance figures; Gonzalez's R² > 0.998 is a documented miss")
    func fitMeetsTargets() throws {
        let f = try Self.shippedDataFit.get()
        func model(_ id: String) throws -> Double { try #require(f.residuals.first { $0.id == id }).predicted }
        // Closed vessel: t75 within a factor 1.5, in the published order; plateaus within 2 SD (2 points for SD 0).
        let t75 = [("dcbead", 197.0), ("lifepearl", 139.0), ("hepasphere", 110.0), ("tandem", 77.0)]
        var previous = Double.infinity
        for (p, published) in t75 {
            let m = try model("debaere2016-\(p)-t75")
            #expect(m / published < 1.5 && published / m < 1.5, "\(p) t75 \(m) min against \(published)")
            #expect(m < previous, "\(p) is not faster than the product before it")
            previous = m
        }
        for (p, published, tolerance) in [("dcbead", 21.0, 4.0), ("lifepearl", 30.0, 10.0), ("hepasphere", 8.0, 6.0), ("tandem", 6.0, 2.0)] {
            let m = try model("debaere2016-\(p)-plateau")
            #expect(abs(m - published) <= tolerance, "\(p) plateau \(m) % against \(published)")
        }
        // USP II: complete (95 %) within 4 h, first-order R² at least 0.99.
        #expect(try model("gonzalez2008-usp2-complete") <= 4)
        #expect(try model("gonzalez2008-usp2-firstorder") >= 0.99)
        // The published bound itself (R² > 0.998, held out) is not reached: the model's sink curve is not
        // quite first order. If it ever is, this line and the README must change.
        let r2 = try #require(f.residuals.first { $0.id == "gonzalez2008-usp2-firstorder" })
        #expect(r2.predicted < 0.998 && r2.boundKept == false && r2.role == .validation)
        // In vivo.
        #expect(abs(try model("namur2010-pig-eluted-28d") - 43) <= 5)
        #expect(abs(try model("namur2011-tissue-1month") / 0.65 - 1) <= 0.3)
        let t8 = try model("namur2011-tissue-8h")
        #expect(t8 / 5 < 1.5 && 5 / t8 < 1.5)
        // Plasma peak inside both published ranges (mean ± SD): Poon 49.4 ± 23.7, Varela 78.97 ± 38.3 ng/mL.
        let peak = try model("poon2007-cmax-150mg")
        #expect(abs(peak - 49.4) <= 23.7 && abs(peak - 78.97) <= 38.3, "plasma peak \(peak) ng/mL")
    }

    /// The source text of each fitted value quotes its 95 % interval for the reader; a refit that moves an
    /// interval must move the quoted figures too (agreement to 1 %, the rounding of three printed digits).
    @Test("the intervals quoted in the reference data's source texts are the shipped fit's")
    func quotedIntervalsMatchTheFit() throws {
        let shipped = try DEBFitResult.load()
        for q in shipped.parameters {
            let text: String
            if let id = q.product?.rawValue {
                let b = try Fixture.catalogue.product(id)
                text = try #require(q.name == .dissociationConstantMgPerMl ? b.dissociationConstantSource : b.exchangeRateSource)
            } else {
                text = try #require(Fixture.parameters.sources[q.name.rawValue]?.source, "\(q.label) has no source text")
            }
            let marker = "95 % confidence interval "
            let range = try #require(text.range(of: marker), "\(q.label): the source text quotes no interval")
            let words = text[range.upperBound...].split(separator: " ")
            let lo = try #require(Double(words[0])), hi = try #require(Double(String(words[2]).trimmingCharacters(in: CharacterSet(charactersIn: ";,."))))
            #expect(words[1] == "to")
            #expect(abs(lo / q.lower95 - 1) < 1e-2, "\(q.label): quoted \(lo), fit \(q.lower95)")
            #expect(abs(hi / q.upper95 - 1) < 1e-2, "\(q.label): quoted \(hi), fit \(q.upper95)")
        }
    }

    /// Synthetic data from known values near the shipped ones: every fitted measured point set to the
    /// model's value there, the priors centred on the known exchange rates (and narrowed, so that no
    /// direction is flat), no ranking (a one-sided term at its kink stalls the
    /// trust region; the synthetic t75 carry their own order), and the known values inside the USP II bound.
    @Test("the fit recovers known parameters from data the model generated, from the specification's start")
    func recoversKnownParameters() throws {
        let factors: [DEBFitParameter: Double] = [
            .dissociationConstantMgPerMl: 1.1, .exchangeRatePerH: 1.3, .closedVesselFilmThicknessCm: 1.1,
            .tissueTransferDiffusivityCm2PerS: 0.8, .tissueBindingRatio: 1.25, .sinkEquivalentTimeS: 2.0,
        ]
        var truth = Self.base
        for q in Self.spec.parameters {
            let id = q.product?.rawValue
            truth.set(q.name, product: id, to: truth.value(q.name, product: id)! * factors[q.name]!)
        }
        let prepared = try DEBModelFit.prepare(spec: Self.spec, points: Self.points, catalogue: Self.base.catalogue)
        let y = try DEBModelFit.predict(prepared, set: truth)
        let usp = y[prepared.firstIndex { $0.point.id == "gonzalez2008-usp2-complete" }!]
        #expect(usp < 3.9, "the known values must lie inside the bound's margin; USP II completion \(usp) h")
        let synthetic = try Self.points.map { point -> CalibrationPoint in
            guard let i = prepared.firstIndex(where: { $0.point.id == point.id }), !prepared[i].isBound else { return point }
            return try Self.edited(point) { $0["value"] = y[i] }
        }
        let spec = try Self.edited(Self.spec) { o in
            var priors = o["priors"] as! [[String: Any]]
            for k in priors.indices {
                priors[k]["centre"] = truth.value(.exchangeRatePerH, product: priors[k]["product"] as? String)!
                priors[k]["lnSd"] = 0.3   // every direction well determined: this checks the fit, not the data's reach
            }
            o["priors"] = priors
            o["orderings"] = [Any]()
        }
        let f = try Self.fit(spec: spec, points: synthetic)
        #expect(f.statistics.chiSquared < 1e-8, "\(f.statistics) \(f.penalties.map(\.standardizedResidual)) \(f.residuals.map { $0.standardizedResidual ?? .nan })")
        for q in f.parameters {
            let known = truth.value(q.name, product: q.product?.rawValue)!
            #expect(abs(q.value / known - 1) < 1e-4, "\(q.label): \(q.value) against \(known)")
        }
        for r in f.residuals where r.role == .validation && r.boundKept == nil { #expect(abs((r.ratio ?? 0) - 1) < 1e-6, "\(r.id)") }
    }

    /// The standardised residuals written out from the specification's definitions, not from the fit's code.
    static func terms(_ set: DEBParameterSet, prepared: [DEBModelFit.PreparedPoint]) throws -> [Double] {
        let y = try DEBModelFit.predict(prepared, set: set)
        var r: [Double] = []
        for (i, pp) in prepared.enumerated() {
            let v = pp.point.value, s = pp.spec
            switch pp.point.valueKind {
            case .upperBound: r.append(max(0, y[i] - v + s.boundMarginForFit!) / s.assumedSd!)
            case .lowerBound: r.append(min(0, y[i] - v - s.boundMarginForFit!) / s.assumedSd!)
            default:
                if let rel = s.relativeSd { r.append(log(y[i] / v) / rel) }
                else if let a = s.assumedSd { r.append((y[i] - v) / a) }
                else { r.append((y[i] - v) / pp.point.sd!) }
            }
        }
        for q in spec.priors { r.append(log(set.value(q.name, product: q.product?.rawValue)! / q.centre) / q.lnSd) }
        for o in spec.orderings {
            let m = o.points.map { id in y[prepared.firstIndex { $0.point.id == id }!] }
            for k in 0..<(m.count - 1) { r.append(min(0, log(m[k] / m[k + 1] / o.minimumRatio)) / o.lnScale) }
        }
        return r
    }

    @Test("the covariance is the inverse of JᵀJ, with the residuals written out here and a Jacobian by another scheme")
    func covarianceIsInverseNormalMatrix() throws {
        let f = try Self.shippedDataFit.get()
        let prepared = try DEBModelFit.prepare(spec: Self.spec, points: Self.points, catalogue: Fixture.catalogue)
            .filter { $0.point.role == .fit }
        let fitted = f.applied(to: Self.base)
        let r0 = try Self.terms(fitted, prepared: prepared)
        #expect(r0.count == f.statistics.fittedPoints + f.statistics.penaltyTerms)
        #expect(abs(r0.reduce(0) { $0 + $1 * $1 } / f.statistics.chiSquared - 1) < 1e-6, "χ² written out against the fit's")
        let p = f.parameters.count
        // Central differences with another step than the fit's (1e-4): small enough that no one-sided term
        // crosses its kink (the USP II bound and two ranking pairs are active at the fitted point).
        let h = 3e-5
        var J = [[Double]](repeating: [Double](repeating: 0, count: p), count: r0.count)
        for (j, q) in f.parameters.enumerated() {
            var up = fitted, down = fitted
            up.set(q.name, product: q.product?.rawValue, to: q.value * exp(h))
            down.set(q.name, product: q.product?.rawValue, to: q.value * exp(-h))
            let ru = try Self.terms(up, prepared: prepared), rd = try Self.terms(down, prepared: prepared)
            for i in r0.indices { J[i][j] = (ru[i] - rd[i]) / (2 * h) }
        }
        // N = JᵀJ against Σ⁻¹ (Σ inverted here by Gauss–Jordan), entry by entry on the scale √(N_aa N_bb).
        // (N·Σ = I would amplify the finite-difference error by the condition number: two exchange rates
        // are known only through their priors.)
        var N = [[Double]](repeating: [Double](repeating: 0, count: p), count: p)
        for a in 0..<p { for b in 0..<p { N[a][b] = r0.indices.reduce(0) { $0 + J[$1][a] * J[$1][b] } } }
        var m = f.lnCovariance, inv = (0..<p).map { i in (0..<p).map { $0 == i ? 1.0 : 0.0 } }
        for c in 0..<p {
            let pivot = (c..<p).max { abs(m[$0][c]) < abs(m[$1][c]) }!
            m.swapAt(c, pivot); inv.swapAt(c, pivot)
            let d = m[c][c]
            for k in 0..<p { m[c][k] /= d; inv[c][k] /= d }
            for r in 0..<p where r != c {
                let factor = m[r][c]
                for k in 0..<p { m[r][k] -= factor * m[c][k]; inv[r][k] -= factor * inv[c][k] }
            }
        }
        for a in 0..<p {
            for b in 0..<p {
                let scale = (N[a][a] * N[b][b]).squareRoot()
                #expect(abs(N[a][b] - inv[a][b]) <= 2e-3 * scale, "N[\(a)][\(b)] = \(N[a][b]), Σ⁻¹ = \(inv[a][b])")
            }
        }
        // The printed interval is exp(ln θ ± 1.96 se).
        for q in f.parameters {
            #expect(abs(q.upper95 / q.value - exp(1.959963984540054 * q.lnStandardError)) < 1e-12)
            #expect(abs(q.value / q.lower95 - exp(1.959963984540054 * q.lnStandardError)) < 1e-12)
        }
    }

    @Test("a specification that does not match the data is refused, naming the key")
    func specificationMismatchesRefused() throws {
        func refused(_ s: DEBFitSpecification, key: String) {
            do { _ = try DEBModelFit.prepare(spec: s, points: Self.points, catalogue: Fixture.catalogue)
                 _ = try Self.fit(spec: s); Issue.record("accepted a specification with a bad \(key)") } catch let e as DataFileError {
                #expect(e.key == key, "\(e)")
            } catch { Issue.record("\(key): \(error)") }
        }
        let t75 = Self.index("debaere2016-dcbead-t75"), eluted = Self.index("namur2010-pig-eluted-28d")
        let poon = Self.index("poon2007-cmax-150mg"), month = Self.index("namur2011-tissue-1month")
        let usp = Self.index("gonzalez2008-usp2-complete"), r2 = Self.index("gonzalez2008-usp2-firstorder")
        refused(try Self.specWithPoint("debaere2016-dcbead-t75") { $0["id"] = "no-such-point" }, key: "points[\(t75)].id")
        refused(try Self.specWithPoint("namur2010-pig-eluted-28d") { $0["assumedSd"] = nil; $0["assumedSdBasis"] = nil }, key: "points[\(eluted)].assumedSd")
        refused(try Self.specWithPoint("poon2007-cmax-150mg") { $0["assumedSd"] = 10.0; $0["assumedSdBasis"] = "x" }, key: "points[\(poon)].assumedSd")
        refused(try Self.specWithPoint("debaere2016-dcbead-t75") { $0["loadingMgPerMl"] = 25.0 }, key: "points[\(t75)].loadingMgPerMl")
        refused(try Self.specWithPoint("namur2011-tissue-1month") { $0["size"] = "300-500" }, key: "points[\(month)].size")
        refused(try Self.specWithPoint("namur2011-tissue-1month") { $0["doseMg"] = 60.0 }, key: "points[\(month)].doseMg")
        refused(try Self.specWithPoint("namur2011-tissue-1month") { $0["doseMg"] = nil }, key: "points[\(month)].doseMg")
        refused(try Self.specWithPoint("debaere2016-dcbead-t75") { $0["doseMg"] = 150.0 }, key: "points[\(t75)].doseMg")
        refused(try Self.specWithPoint("debaere2016-dcbead-t75") { $0["id"] = "debaere2016-dcbead-shrink" }, key: "points[\(t75)].id")  // not predicted
        refused(try Self.specWithPoint("debaere2016-dcbead-t75") { $0["id"] = "varela2007-auc" }, key: "points[\(t75)].id")             // unit uncertain
        refused(try Self.specWithPoint("gonzalez2008-usp2-complete") { $0["boundMarginForFit"] = nil }, key: "points[\(usp)].boundMarginForFit")
        refused(try Self.specWithPoint("gonzalez2008-usp2-firstorder") { $0["assumedSd"] = 0.001; $0["assumedSdBasis"] = "x" }, key: "points[\(r2)].assumedSd")
        refused(try Self.specWithPoint("poon2007-cmax-150mg") { $0["boundMarginForFit"] = 1.0 }, key: "points[\(poon)].boundMarginForFit")
        // A value of the specification that a model rule refuses is broken data naming its key, not a flag.
        let usp2 = Self.index("gonzalez2008-usp2-complete")
        refused(try Self.specWithPoint("gonzalez2008-usp2-complete") { $0["loadingMgPerMl"] = 0.005 }, key: "points[\(usp2)].loadingMgPerMl")
        // An experiment the simulation does not reproduce, and a relative SD on a published 0, are refused.
        func refusedPoints(_ edit: (inout [String: Any]) -> Void, id: String, key: String) throws {
            let points = try Self.points.map { p in p.id == id ? try Self.edited(p, edit) : p }
            #expect { _ = try DEBModelFit.prepare(spec: Self.spec, points: points, catalogue: Fixture.catalogue) }
                throws: { ($0 as? DataFileError)?.key == key }
        }
        try refusedPoints({ $0["timeH"] = 48.0 }, id: "debaere2016-dcbead-plateau", key: "points[\(Self.index("debaere2016-dcbead-plateau"))].id")
        try refusedPoints({ $0["value"] = 0.0 }, id: "namur2011-tissue-8h", key: "points[\(Self.index("namur2011-tissue-8h"))].relativeSd")
        // A bound's margin must leave the aim above 0.
        refused(try Self.specWithPoint("gonzalez2008-usp2-complete") { $0["boundMarginForFit"] = 4.0 }, key: "points[\(usp)].boundMarginForFit")
        // A ranking compares one quantity in one unit.
        refused(try Self.edited(Self.spec) { o in
            var os = o["orderings"] as! [[String: Any]]
            os[0]["points"] = ["debaere2016-dcbead-t75", "debaere2016-lifepearl-plateau"]
            o["orderings"] = os
        }, key: "orderings[0].points")
        // A fitted parameter must have a value, with its source, in the model data: an exchange rate fitted for a
        // product at local equilibrium would add one without a source.
        var equilibrium = Self.base
        equilibrium.catalogue.products[0].exchangeRatePerH = nil
        let slot = try #require(Self.spec.parameters.firstIndex { $0.name == .exchangeRatePerH && $0.product?.rawValue == equilibrium.catalogue.products[0].id })
        #expect { _ = try Self.fit(base: equilibrium) } throws: { ($0 as? DataFileError)?.key == "parameters[\(slot)].name" }
        // A ranking must rank fitted points.
        refused(try Self.edited(Self.spec) { o in
            var os = o["orderings"] as! [[String: Any]]
            os[0]["points"] = ["debaere2016-dcbead-t75", "gonzalez2008-usp2-firstorder"]
            o["orderings"] = os
        }, key: "orderings")
        // Fewer fitted points than parameters.
        refused(try Self.edited(Self.spec) { o in
            o["points"] = Array((o["points"] as! [[String: Any]]).prefix(4))
            o["orderings"] = [Any]()
        }, key: "points")
    }

    @Test("the specification and the result file are decoded strictly and checked")
    func brokenFilesRefused() throws {
        let specData = try Data(contentsOf: ReferenceData.url(DEBFitSpecification.resourcePath))
        let text = String(decoding: specData, as: UTF8.self)
        let edits: [(String, String, String)] = [
            ("an unknown key", "\"schemaVersion\": 2,", "\"schemaVersion\": 2, \"extra\": 1,"),
            ("the old schema", "\"schemaVersion\": 2,", "\"schemaVersion\": 1,"),
            ("an unknown parameter", "\"name\": \"tissueBindingRatio\"", "\"name\": \"tissueBindingRatioX\""),
            ("a duplicate parameter", "\"name\": \"tissueBindingRatio\"", "\"name\": \"sinkEquivalentTimeS\""),
            ("a per-product parameter without its product",
             "\"name\": \"dissociationConstantMgPerMl\", \"product\": \"tandem\", ", "\"name\": \"dissociationConstantMgPerMl\", "),
            ("a model parameter with a product",
             "\"name\": \"tissueBindingRatio\", ", "\"name\": \"tissueBindingRatio\", \"product\": \"tandem\", "),
            ("an unknown product", "\"product\": \"tandem\", \"startValue\"", "\"product\": \"tandem-x\", \"startValue\""),
            ("a negative start", "\"startValue\": 33.8", "\"startValue\": -33.8"),
            ("another model", "\"model\": \"DEB-IX-3C\"", "\"model\": \"DEB-IX-4\""),
            ("an assumed SD of zero", "\"assumedSd\": 2.5", "\"assumedSd\": 0"),
            ("an absolute and a relative SD", "\"assumedSd\": 2.5,", "\"assumedSd\": 2.5, \"relativeSd\": 0.1, \"relativeSdBasis\": \"x\","),
            ("a relative SD without its basis", "\"relativeSd\": 0.15, \"relativeSdBasis\": \"The abstract gives one value per time; 15 % assumed.\"", "\"relativeSd\": 0.15"),
            ("a negative bound margin", "\"boundMarginForFit\": 0.1", "\"boundMarginForFit\": -0.1"),
            ("a ranking of one point", "\"points\": [\"debaere2016-dcbead-t75\", \"debaere2016-lifepearl-t75\", \"debaere2016-hepasphere-t75\", \"debaere2016-tandem-t75\"]", "\"points\": [\"debaere2016-dcbead-t75\"]"),
            ("a ranking ratio below 1", "\"minimumRatio\": 1.05", "\"minimumRatio\": 0.95"),
            ("a prior on a parameter that is not fitted", "{\"name\": \"exchangeRatePerH\", \"product\": \"tandem\", \"centre\"", "{\"name\": \"tissuePlasmaClearanceLPerH\", \"centre\""),
            ("a prior with SD 0", "\"lnSd\": 3.0", "\"lnSd\": 0"),
        ]
        for (what, from, to) in edits {
            let broken = text.replacingOccurrences(of: from, with: to)
            #expect(broken != text, "\(what): the edit did not apply")
            #expect(throws: DataFileError.self, "\(what)") { _ = try DEBFitSpecification.decode(Data(broken.utf8), file: "spec") }
        }
        let result = try DEBFitResult.load()
        for (what, change) in [
            ("an asymmetric covariance", { (o: inout [String: Any]) in
                var c = o["lnCovariance"] as! [[Double]]; c[0][1] *= 1.5; o["lnCovariance"] = c }),
            ("a negative variance", { (o: inout [String: Any]) in
                var c = o["lnCovariance"] as! [[Double]]; c[2][2] = -c[2][2]; o["lnCovariance"] = c }),
            ("a short covariance", { (o: inout [String: Any]) in
                var c = o["lnCovariance"] as! [[Double]]; c.removeLast(); o["lnCovariance"] = c }),
            ("a zero parameter", { (o: inout [String: Any]) in
                var ps = o["parameters"] as! [[String: Any]]; ps[0]["value"] = 0.0; o["parameters"] = ps }),
            ("a per-product parameter without its product", { (o: inout [String: Any]) in
                var ps = o["parameters"] as! [[String: Any]]; ps[0]["product"] = nil; o["parameters"] = ps }),
            ("a parameter listed twice", { (o: inout [String: Any]) in
                var ps = o["parameters"] as! [[String: Any]]; ps[2]["product"] = ps[0]["product"]; o["parameters"] = ps }),
        ] as [(String, (inout [String: Any]) -> Void)] {
            let r = try Self.edited(result, change)
            #expect(throws: DataFileError.self, "\(what)") { try r.validate(file: "result") }
        }
    }
}
