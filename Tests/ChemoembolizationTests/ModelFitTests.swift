// SPDX-License-Identifier: GPL-3.0-or-later
// The fit of the DEB model's in-vivo parameters (`dosecalc deb-calibrate`):
// - the shipped parameters (deb-model.json) and the shipped fit (deb-fit/result.json) are what the fit gives;
// - the fit recovers known parameters from data the model itself generated (consistent data, χ² → 0);
// - the covariance is (JᵀWJ)⁻¹ with a Jacobian computed here independently (another step, one-sided);
// - a specification that does not match the data, and a broken result file, are refused whole.
@testable import Chemoembolization
import DosecalcCore
import Foundation
import Testing

@Suite("DEB model fit")
struct ModelFitTests {
    static let spec = try! DEBFitSpecification.load()
    static let points = try! DEBCalibrationData.allPoints()

    static func fit(spec: DEBFitSpecification = spec, points: [CalibrationPoint] = points) throws -> DEBFitResult {
        try DEBModelFit.fit(spec: spec, points: points, catalogue: Fixture.catalogue, base: Fixture.parameters)
    }

    /// A JSON round trip with one change, so that the tests can alter typed values.
    static func edited<T: Codable>(_ value: T, _ change: (inout [String: Any]) -> Void) throws -> T {
        let data = try JSONEncoder().encode(value)
        var o = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        change(&o)
        return try JSONDecoder().decode(T.self, from: try JSONSerialization.data(withJSONObject: o))
    }

    static func specWithPoint(_ i: Int, _ change: @escaping (inout [String: Any]) -> Void) throws -> DEBFitSpecification {
        try edited(spec) { o in
            var ps = o["points"] as! [[String: Any]]
            change(&ps[i])
            o["points"] = ps
        }
    }

    @Test("the shipped model parameters and the shipped fit are what the fit gives")
    func committedParametersAreTheFit() throws {
        let f = try Self.fit()
        let shipped = try DEBFitResult.load()
        #expect(f.statistics.degreesOfFreedom == 1 && f.statistics.fittedPoints == 4)
        for q in f.parameters {
            let model = q.name.value(in: Fixture.parameters)
            #expect(abs(model / q.value - 1) < 1e-6, "deb-model.json \(q.name.rawValue) = \(model), fit \(q.value)")
            let s = try #require(shipped.parameters.first { $0.name == q.name })
            #expect(abs(s.value / q.value - 1) < 1e-6, "result.json \(q.name.rawValue)")
            #expect(abs(s.lnStandardError / q.lnStandardError - 1) < 1e-3)
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
    }

    /// The source text of each fitted parameter in deb-model.json quotes its 95 % interval for the reader;
    /// a refit that moves an interval must move the quoted figures too (agreement to 1 %, the rounding of
    /// two or three printed digits).
    @Test("the intervals quoted in deb-model.json's source texts are the shipped fit's")
    func quotedIntervalsMatchTheFit() throws {
        let shipped = try DEBFitResult.load()
        for q in shipped.parameters {
            let text = try #require(Fixture.parameters.sources[q.name.rawValue]?.source, "\(q.name.rawValue) has no source text")
            let marker = "95 % confidence interval "
            let range = try #require(text.range(of: marker), "\(q.name.rawValue): the source text quotes no interval")
            let words = text[range.upperBound...].split(separator: " ")
            let lo = try #require(Double(words[0])), hi = try #require(Double(words[2]))
            #expect(words[1] == "to")
            #expect(abs(lo / q.lower95 - 1) < 1e-2, "\(q.name.rawValue): quoted \(lo), fit \(q.lower95)")
            #expect(abs(hi / q.upper95 - 1) < 1e-2, "\(q.name.rawValue): quoted \(hi), fit \(q.upper95)")
        }
    }

    @Test("the fit recovers known parameters from data the model generated, from the specification's start")
    func recoversKnownParameters() throws {
        let truth: [DEBFitParameter: Double] = [.tissueTransferDiffusivityCm2PerS: 3.1e-9, .tissueBindingRatio: 21.0,
                                                .sinkEquivalentTimeS: 0.35]
        var p = Fixture.parameters
        for (k, v) in truth { k.set(v, in: &p) }
        let prepared = try DEBModelFit.prepare(spec: Self.spec, points: Self.points, catalogue: Fixture.catalogue)
        let y = try DEBModelFit.predict(prepared, parameters: p)
        let synthetic = try Self.points.map { point -> CalibrationPoint in
            guard let i = prepared.firstIndex(where: { $0.point.id == point.id }) else { return point }
            return try Self.edited(point) { $0["value"] = y[i] }
        }
        let f = try Self.fit(points: synthetic)
        #expect(f.statistics.chiSquared < 1e-8)
        for q in f.parameters { #expect(abs(q.value / truth[q.name]! - 1) < 1e-5, "\(q.name.rawValue): \(q.value)") }
        for r in f.residuals where r.role == .validation { #expect(abs((r.ratio ?? 0) - 1) < 1e-6) }
    }

    @Test("the covariance is the inverse of JᵀWJ with a Jacobian computed independently")
    func covarianceIsInverseNormalMatrix() throws {
        let f = try Self.fit()
        let prepared = try DEBModelFit.prepare(spec: Self.spec, points: Self.points, catalogue: Fixture.catalogue)
            .filter { $0.point.role == .fit }
        var base = Fixture.parameters
        for q in f.parameters { q.name.set(q.value, in: &base) }
        let y0 = try DEBModelFit.predict(prepared, parameters: base)
        let h = 1e-3   // forward difference in ln θ, another scheme than the fit's
        var J = [[Double]](repeating: [Double](repeating: 0, count: 3), count: prepared.count)
        for (j, q) in f.parameters.enumerated() {
            var p = base
            q.name.set(q.value * exp(h), in: &p)
            let y = try DEBModelFit.predict(prepared, parameters: p)
            for i in prepared.indices { J[i][j] = (y[i] - y0[i]) / h / prepared[i].sd! }
        }
        // N = JᵀWJ; N·Σ must be the identity.
        var N = [[Double]](repeating: [Double](repeating: 0, count: 3), count: 3)
        for a in 0..<3 { for b in 0..<3 { N[a][b] = prepared.indices.reduce(0) { $0 + J[$1][a] * J[$1][b] } } }
        for a in 0..<3 {
            for b in 0..<3 {
                let e = (0..<3).reduce(0) { $0 + N[a][$1] * f.lnCovariance[$1][b] }
                #expect(abs(e - (a == b ? 1 : 0)) < 5e-3, "(NΣ)[\(a)][\(b)] = \(e)")
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
            do { _ = try Self.fit(spec: s); Issue.record("accepted a specification with a bad \(key)") } catch let e as DataFileError {
                #expect(e.key == key, "\(e)")
            } catch { Issue.record("\(error)") }
        }
        refused(try Self.specWithPoint(0) { $0["id"] = "no-such-point" }, key: "points[0].id")
        refused(try Self.specWithPoint(0) { $0["assumedSd"] = NSNull(); $0["assumedSdBasis"] = NSNull() }, key: "points[0].assumedSd")
        refused(try Self.specWithPoint(2) { $0["assumedSd"] = 10.0; $0["assumedSdBasis"] = "x" }, key: "points[2].assumedSd")
        refused(try Self.specWithPoint(0) { $0["loadingMgPerMl"] = 25.0 }, key: "points[0].loadingMgPerMl")
        refused(try Self.specWithPoint(4) { $0["size"] = "300-500" }, key: "points[4].size")
        refused(try Self.specWithPoint(1) { $0["doseMg"] = 60.0 }, key: "points[1].doseMg")
        refused(try Self.specWithPoint(0) { $0["id"] = "debaere2016-dcbead-t75" }, key: "points[0].id")   // in vitro
        refused(try Self.specWithPoint(0) { $0["id"] = "varela2007-auc" }, key: "points[0].id")            // unit uncertain
        // Fewer fitted points than parameters.
        let three = try Self.edited(Self.spec) { o in
            o["points"] = Array((o["points"] as! [[String: Any]]).prefix(2))
        }
        refused(three, key: "points")
    }

    @Test("the specification and the result file are decoded strictly and checked")
    func brokenFilesRefused() throws {
        let specData = try Data(contentsOf: ReferenceData.url(DEBFitSpecification.resourcePath))
        let text = String(decoding: specData, as: UTF8.self)
        for (what, broken) in [
            ("an unknown key", text.replacingOccurrences(of: "\"schemaVersion\": 1,", with: "\"schemaVersion\": 1, \"extra\": 1,")),
            ("an unknown parameter", text.replacingOccurrences(of: "\"name\": \"tissueBindingRatio\"", with: "\"name\": \"tissueBindingRatioX\"")),
            ("a duplicate parameter", text.replacingOccurrences(of: "\"name\": \"tissueBindingRatio\"", with: "\"name\": \"sinkEquivalentTimeS\"")),
            ("a negative start", text.replacingOccurrences(of: "\"startValue\": 10.0", with: "\"startValue\": -10.0")),
            ("another model", text.replacingOccurrences(of: "\"model\": \"DEB-IX-3C\"", with: "\"model\": \"DEB-IX-4\"")),
            ("an assumed SD of zero", text.replacingOccurrences(of: "\"assumedSd\": 5.0", with: "\"assumedSd\": 0")),
        ] {
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
        ] as [(String, (inout [String: Any]) -> Void)] {
            let r = try Self.edited(result, change)
            #expect(throws: DataFileError.self, "\(what)") { try r.validate(file: "result") }
        }
    }
}
