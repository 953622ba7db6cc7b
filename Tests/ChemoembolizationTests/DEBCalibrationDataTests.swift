// SPDX-License-Identifier: GPL-3.0-or-later
// The DEB calibration data set (reference-data/deb-calibration): every file decodes strictly, every point
// carries a citation, a locator, its conditions and a role, the published values are there as typed from
// the papers, and a corrupted file is refused whole with the file and the key named.
@testable import Chemoembolization
import DosecalcCore
import Foundation
import Testing

@Suite("DEB calibration data")
struct DEBCalibrationDataTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("reference-data/deb-calibration")

    static func names() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".json") }.sorted()
    }

    static func text(_ name: String) throws -> String {
        try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
    }

    static func object(_ name: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent(name))) as! [String: Any]
    }

    static func bytes(_ object: [String: Any]) throws -> Data {
        try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    }

    static func points() throws -> [CalibrationPoint] { try DEBCalibrationData.allPoints() }

    static func point(_ id: String) throws -> CalibrationPoint {
        try #require(try points().first { $0.id == id }, "no calibration point '\(id)'")
    }

    // MARK: The shipped files

    @Test("every calibration file decodes strictly and validates; ids are unique over all files")
    func everyFileDecodes() throws {
        let names = try Self.names()
        #expect(names.count >= 8)
        #expect(try DEBCalibrationData.fileNames() == names)
        let all = try DEBCalibrationData.loadAll()
        #expect(all.map(\.name) == names)
        for (name, f) in all {
            #expect(f.study + ".json" == name)
            #expect(!f.points.isEmpty)
        }
        let ids = all.flatMap { $0.file.points.map(\.id) }
        #expect(Set(ids).count == ids.count)
        // Each file also decodes through the byte-level entry point the mutation tests use.
        for name in names {
            _ = try DEBCalibrationData.decode(Data(contentsOf: Self.folder.appendingPathComponent(name)), file: "deb-calibration/\(name)")
        }
    }

    @Test("every point has a citation with a DOI or PubMed id, a locator, conditions, a role and a verification note")
    func everyPointIsSourced() throws {
        for p in try Self.points() {
            #expect(!p.source.citation.isEmpty, "\(p.id)")
            #expect(p.source.doi != nil || p.source.pmid != nil, "\(p.id) has neither DOI nor PubMed id")
            #expect(!p.source.locator.isEmpty, "\(p.id)")
            #expect(!p.verification.isEmpty, "\(p.id)")
            #expect([CalibrationRole.fit, .validation].contains(p.role))
            // Every condition is given, unknown or not applicable, exactly once.
            let c = p.conditions
            for key in CalibrationConditionKey.allCases {
                let states = [c.isGiven(key), c.unknown.contains(key), c.notApplicable.contains(key)].filter { $0 }.count
                #expect(states == 1, "\(p.id): condition \(key.rawValue)")
            }
            if p.regime == .inVivo { #expect(c.species != nil, "\(p.id)") }
            if !p.unitCertain { #expect(p.role == .validation, "\(p.id)") }
        }
    }

    @Test("products and size classes are those of products/deb-beads.json")
    func productsAndSizesMatchTheCatalogue() throws {
        let catalogue = Fixture.catalogue
        #expect(Set(CalibrationProduct.allCases.map(\.rawValue)) == Set(catalogue.products.map(\.id)))
        for p in try Self.points() {
            let product = try catalogue.product(p.product.rawValue)
            if let s = p.sizeUm { #expect(product.sizes.contains { $0.id == s }, "\(p.id): size \(s) not in the catalogue") }
        }
    }

    /// (value, sd) of a point.
    static func vs(_ id: String) throws -> (Double, Double?) {
        let p = try point(id)
        return (p.value, p.sd)
    }

    @Test("de Baere 2016 closed vessel: t75 and plateau as printed (JVIR 2016, doi 10.1016/j.jvir.2016.05.015)")
    func deBaere() throws {
        // Times to elute 75 % of the total released doxorubicin (min).
        #expect(try Self.point("debaere2016-dcbead-t75").value == 197)
        #expect(try Self.point("debaere2016-lifepearl-t75").value == 139)
        #expect(try Self.point("debaere2016-hepasphere-t75").value == 110)
        #expect(try Self.point("debaere2016-tandem-t75").value == 77)
        // Plateau by 6 h, percent of the load, mean ± SD.
        #expect(try Self.vs("debaere2016-dcbead-plateau") == (21, 2))
        #expect(try Self.vs("debaere2016-lifepearl-plateau") == (30, 5))
        #expect(try Self.vs("debaere2016-hepasphere-plateau") == (8, 3))
        #expect(try Self.vs("debaere2016-tandem-plateau") == (6, 0))
        // Diameter reduction on loading.
        #expect(try Self.point("debaere2016-dcbead-shrink").value == 20)
        #expect(try Self.point("debaere2016-lifepearl-shrink").value == 24)
        #expect(try Self.point("debaere2016-tandem-shrink").value == 9)
        let f = try DEBCalibrationData.load("debaere-2016-closed.json")
        for p in f.points {
            #expect(p.source.doi == "10.1016/j.jvir.2016.05.015" && p.source.pmid == "27402527")
            #expect(p.conditions.loadingMgPerMl == 40)
            #expect(p.verified)
            // The elution set-up is not in the reachable text: it is marked unknown, not guessed.
            #expect(Set(p.conditions.unknown).isSuperset(of: [.mediumMl, .beadVolumeMl, .agitation, .temperatureC]))
        }
        for id in ["debaere2016-dcbead-plateau", "debaere2016-tandem-plateau"] {
            let p = try Self.point(id)
            #expect(p.timeH == 6 && p.regime == .inVitroClosed && p.unit == .percent)
        }
        #expect(try Self.point("debaere2016-dcbead-t75").unit == .min)
        #expect(try Self.point("debaere2016-dcbead-loaded").valueKind == .lowerBound)
    }

    @Test("Gonzalez 2008 sink and T-apparatus bounds (J Mater Sci Mater Med 2008;19:767)")
    func gonzalez() throws {
        let complete = try Self.point("gonzalez2008-usp2-complete")
        #expect(complete.value == 4 && complete.unit == .h && complete.valueKind == .upperBound && complete.regime == .inVitroSink)
        #expect(complete.conditions.agitation == .uspPaddle)
        let r2 = try Self.point("gonzalez2008-usp2-firstorder")
        #expect(r2.value == 0.998 && r2.valueKind == .lowerBound && r2.unit == .one)
        let halfLife = try Self.point("gonzalez2008-tapparatus-halflife")
        #expect(halfLife.value == 1500 && halfLife.unit == .h && halfLife.valueKind == .lowerBound && halfLife.regime == .inVitroStatic)
        for p in [complete, r2, halfLife] { #expect(p.source.doi == "10.1007/s10856-006-0040-y" && p.verified) }
    }

    @Test("in vivo: swine 43 % at 28 d, human tissue 5 → 0.65 µM, plasma Cmax and AUC")
    func inVivo() throws {
        let pig = try Self.point("namur2010-pig-eluted-28d")
        #expect(pig.value == 43 && pig.timeH == 28 * 24 && pig.conditions.species == .pig && pig.conditions.loadingMgPerMl == 37.5)
        #expect(!pig.verified)  // the reachable abstract ends after "43% of th"
        let pig90 = try Self.point("namur2010-pig-eluted-90d")
        #expect(pig90.value == 89 && pig90.timeH == 90 * 24 && !pig90.verified && pig90.role == .validation)

        let t8 = try Self.point("namur2011-tissue-8h")
        let t30 = try Self.point("namur2011-tissue-1month")
        #expect(t8.value == 5 && t8.timeH == 8 && t8.unit == .uM)
        #expect(t30.value == 0.65 && t30.timeH == 720 && t30.unit == .uM)
        #expect(abs(t8.value / t30.value - 7.7) < 0.01)
        #expect(t8.source.pmid == "21703190" && t8.source.doi == "10.1016/j.jhep.2011.03.024")
        #expect(t8.conditions.doseMgMin == 75 && t8.conditions.doseMgMax == 150 && t8.sizeUm == "100-300")
        #expect(try Self.point("namur2011-impregnation").value == 1.2)

        let varelaCmax = try Self.point("varela2007-cmax")
        #expect(varelaCmax.value == 78.97 && varelaCmax.sd == 38.3 && varelaCmax.n == 13 && varelaCmax.unit == .ngPerMl)
        #expect(varelaCmax.conditions.doseMgMin == 47 && varelaCmax.conditions.doseMgMax == 150)
        let varelaAuc = try Self.point("varela2007-auc")
        #expect(varelaAuc.value == 662.6 && varelaAuc.sd == 417.6)
        // The unit as printed in the abstract ("ng/mLmin"), flagged uncertain, so only usable for validation.
        #expect(varelaAuc.unit == .ngMinPerMl && !varelaAuc.unitCertain && varelaAuc.role == .validation)
        #expect(varelaAuc.source.pmid == "17239480")

        let poon = try Self.point("poon2007-cmax-150mg")
        #expect(poon.value == 49.4 && poon.sd == 23.7 && poon.conditions.doseMgMax == 150)
        #expect(poon.source.pmid == "17627902" && poon.source.doi == "10.1016/j.cgh.2007.04.021")
    }

    @Test("HepaSphere diameters as printed by Malagari 2014 (148 ± 45 µm after loading), Lewis 2006 capacity unverified")
    func beadProperties() throws {
        #expect(try Self.vs("malagari2014-hepasphere-hydrated-diameter") == (197, 31))
        let loaded = try Self.point("malagari2014-hepasphere-loaded-diameter")
        #expect(loaded.value == 148 && loaded.sd == 45 && loaded.role == .validation)
        #expect(loaded.source.doi == "10.1007/s00270-013-0777-x")
        let capacity = try Self.point("lewis2006-dcbead-capacity")
        #expect(capacity.value == 45 && capacity.unit == .mgPerMl && !capacity.verified && !capacity.source.identifiersChecked)
    }

    // MARK: Corrupted files are refused whole

    /// One corruption of the first point of a file, applied to the file's own JSON.
    struct Mutation: Sendable, CustomTestStringConvertible {
        let name: String
        /// The key the error must name, relative to the point ("points[0]" + this).
        let key: String
        let apply: @Sendable (inout [String: Any]) -> Void
        var testDescription: String { name }
    }

    static let mutations: [Mutation] = [
        .init(name: "unknown key", key: ".valueMgPerMl") { $0["valueMgPerMl"] = 1 },
        .init(name: "negative SD", key: ".sd") { $0["sd"] = -1 },
        .init(name: "unknown product", key: ".product") { $0["product"] = "dc-beads" },
        .init(name: "product capitalised", key: ".product") { $0["product"] = "DC-Bead" },
        .init(name: "missing citation", key: ".source.citation") {
            var s = $0["source"] as! [String: Any]
            s.removeValue(forKey: "citation")
            $0["source"] = s
        },
        .init(name: "no DOI and no PubMed id", key: ".source.doi") {
            var s = $0["source"] as! [String: Any]
            s["doi"] = NSNull()
            s["pmid"] = NSNull()
            $0["source"] = s
        },
        .init(name: "unknown role", key: ".role") { $0["role"] = "calibration" },
        .init(name: "unknown unit", key: ".unit") { $0["unit"] = "minutes" },
        .init(name: "unit of another quantity", key: ".unit") { $0["unit"] = "mm" },
        .init(name: "missing verification", key: ".verification") { $0.removeValue(forKey: "verification") },
        .init(name: "value not finite as text", key: ".value") { $0["value"] = "197" },
        .init(name: "zero time", key: ".timeH") { $0["timeH"] = 0 },
        .init(name: "size not a size", key: ".sizeUm") { $0["sizeUm"] = "300-100" },
        .init(name: "null condition not explained", key: ".conditions.temperatureC") {
            var c = $0["conditions"] as! [String: Any]
            c["unknown"] = (c["unknown"] as! [String]).filter { $0 != "temperatureC" }
            c["notApplicable"] = (c["notApplicable"] as! [String]).filter { $0 != "temperatureC" }
            c["temperatureC"] = NSNull()
            $0["conditions"] = c
        },
        .init(name: "unknown condition key", key: ".conditions.stirringRpm") {
            var c = $0["conditions"] as! [String: Any]
            c["stirringRpm"] = 50
            $0["conditions"] = c
        },
    ]

    static func refusal(_ data: Data, file: String) -> DataFileError? {
        do {
            _ = try DEBCalibrationData.decode(data, file: file)
            return nil
        } catch let e as DataFileError {
            return e
        } catch {
            Issue.record("refused with \(type(of: error)), not DataFileError: \(error)")
            return nil
        }
    }

    @Test("every mutation of the first point of every file is refused, naming the file and the key", arguments: mutations)
    func mutatedPointsAreRefused(mutation: Mutation) throws {
        for name in try Self.names() {
            var o = try Self.object(name)
            var points = o["points"] as! [[String: Any]]
            // A zero time is only a corruption where the point has a time.
            if mutation.name == "zero time", points[0]["timeH"] is NSNull { continue }
            mutation.apply(&points[0])
            o["points"] = points
            let file = "deb-calibration/\(name)"
            let e = try #require(Self.refusal(try Self.bytes(o), file: file), "\(mutation.name) accepted in \(name)")
            #expect(e.file == file)
            #expect(e.key == "points[0]" + mutation.key, "\(mutation.name) in \(name): \(e)")
            #expect(e.description.contains(file))
        }
    }

    @Test("a percent of 120 is refused in every file that has percent points")
    func percentOutOfRange() throws {
        var tested = 0
        for name in try Self.names() {
            var o = try Self.object(name)
            var points = o["points"] as! [[String: Any]]
            guard let i = points.firstIndex(where: { $0["unit"] as? String == "percent" }) else { continue }
            points[i]["value"] = 120
            o["points"] = points
            let file = "deb-calibration/\(name)"
            let e = try #require(Self.refusal(try Self.bytes(o), file: file))
            #expect(e.file == file && e.key == "points[\(i)].value", "\(e)")
            tested += 1
        }
        #expect(tested >= 2)
    }

    @Test("a duplicated key is refused (strict JSON), naming the file and the key")
    func duplicatedKey() throws {
        for name in try Self.names() {
            let text = try Self.text(name)
            // The first point's "verified" member, written twice.
            let range = try #require(text.range(of: "\"verified\": "))
            let duplicated = text.replacingCharacters(in: range, with: "\"verified\": true, \"verified\": ")
            let file = "deb-calibration/\(name)"
            let e = try #require(Self.refusal(Data(duplicated.utf8), file: file), "duplicate key accepted in \(name)")
            #expect(e.file == file)
            #expect(e.key == "points[0].verified", "\(e)")
            #expect(e.message.contains("duplicate"))
        }
    }

    @Test("the same point twice, or an id used twice, is refused")
    func duplicatedPoints() throws {
        let name = "debaere-2016-closed.json"
        let file = "deb-calibration/\(name)"
        var o = try Self.object(name)
        var points = o["points"] as! [[String: Any]]
        var copy = points[0]
        copy["id"] = "debaere2016-dcbead-t75-again"
        points.append(copy)
        o["points"] = points
        let e = try #require(Self.refusal(try Self.bytes(o), file: file))
        #expect(e.key == "points[\(points.count - 1)]" && e.message.contains("duplicates points[0]"), "\(e)")

        var o2 = try Self.object(name)
        var p2 = o2["points"] as! [[String: Any]]
        p2[1]["id"] = p2[0]["id"]
        o2["points"] = p2
        let e2 = try #require(Self.refusal(try Self.bytes(o2), file: file))
        #expect(e2.key == "points[1].id", "\(e2)")
    }

    @Test("an uncertain unit cannot be a fit point; a bound has no SD; a non-finite SD is refused")
    func semanticRules() throws {
        let name = "varela-2007-plasma.json"
        let file = "deb-calibration/\(name)"
        let o = try Self.object(name)
        let points = o["points"] as! [[String: Any]]
        let auc = try #require(points.firstIndex { $0["id"] as? String == "varela2007-auc" })

        var a = o, pa = points
        pa[auc]["role"] = "fit"
        a["points"] = pa
        #expect(Self.refusal(try Self.bytes(a), file: file)?.key == "points[\(auc)].role")

        let g = "gonzalez-2008-sink.json"
        var b = try Self.object(g)
        var pb = b["points"] as! [[String: Any]]
        pb[0]["sd"] = 0.5
        b["points"] = pb
        #expect(Self.refusal(try Self.bytes(b), file: "deb-calibration/\(g)")?.key == "points[0].sd")

        // NaN and Infinity are not JSON: the strict parser refuses them before decoding.
        let text = try Self.text(name).replacingOccurrences(of: "\"sd\": 38.3", with: "\"sd\": NaN")
        let e = try #require(Self.refusal(Data(text.utf8), file: file))
        #expect(e.file == file && e.key.hasSuffix(".sd"), "\(e)")
    }
}
