// SPDX-License-Identifier: GPL-3.0-or-later
import Foundation
import Testing
import ClinicalPolicy
import DosecalcCore
@testable import Radioembolization

private func close(_ a: Double?, _ b: Double, abs tol: Double) -> Bool {
    guard let a else { return false }
    return Swift.abs(a - b) <= tol
}

/// Builds requests against the shipped catalogue.
private struct Fixture {
    let catalogue: RadioembolizationCatalogue

    init() throws { catalogue = try RadioembolizationCatalogue.load() }

    func request(_ device: String, _ method: PrescriptionMethod, lsf: Double) throws -> PrescriptionRequest {
        let d = try catalogue.device(device)
        return PrescriptionRequest(device: d, nuclide: try catalogue.nuclide(d.nuclide), method: method,
                                   lungShuntPercent: lsf, tissue: catalogue.tissue)
    }

    func calculate(_ r: PrescriptionRequest) throws -> PrescriptionResult {
        // The prescription with the clinical policy applied, as every command runs it.
        // Facts of a patient with a preserved liver, so that every fact-selected limit is decided.
        let facts = PatientFacts(bilirubinMgPerDl: 0.8, cirrhosis: false, childPughClass: .a, childPughScore: 5,
                                 priorRadioembolization: false, bilobar: false, priorChestIrradiation: false)
        return try ClinicalPolicy.load().apply(to: try Prescription.calculate(r, catalogue: catalogue), device: r.device, facts: facts)
    }

    /// The field of the InputError that `body` throws, or nil.
    func errorField(_ r: PrescriptionRequest) -> String? {
        do {
            _ = try calculate(r)
            return nil
        } catch let e as InputError {
            return e.field
        } catch {
            return "unexpected \(error)"
        }
    }

    func bsa(lsf: Double, tumor: Double = 300, liver: Double = 1500) throws -> PrescriptionRequest {
        var r = try request("resin", .bsa, lsf: lsf)
        r.heightCm = 175; r.weightKg = 80; r.tumorVolumeMl = tumor; r.liverVolumeMl = liver
        return r
    }

    func partition(_ device: String = "resin", lsf: Double = 10) throws -> PrescriptionRequest {
        var r = try request(device, .partition, lsf: lsf)
        r.tumorMassG = 200; r.normalLiverMassG = 1300; r.tnRatio = 3; r.given = .normalLiverDoseGy(40)
        return r
    }
}

@Suite("Prescription")
struct PrescriptionTests {
    @Test("the catalogue holds the published product constants and lung limits (sources in reference-data/products and reference-data/constraints)")
    func catalogueConstants() throws {
        let c = try Fixture().catalogue
        #expect(try c.device("glass").doseFactorGyKgPerGBq == 50)
        #expect(try c.device("resin").doseFactorGyKgPerGBq == 49.67)
        #expect(try c.device("quiremspheres").doseFactorGyKgPerGBq == 15.87)
        #expect(try c.nuclide("y90").halfLifeH == 64.1)
        #expect(try c.nuclide("ho166").halfLifeH == 26.8)
        // A closed set: the listed id only, no spelling variants.
        #expect(throws: InputError.self) { _ = try c.nuclide("Y-90") }
        #expect(c.tissue.densityGPerMl == 1.03)
        #expect(c.tissue.lungMassG == 1000)
        let policy = try PolicyData.load()
        #expect(policy.limits.first { $0.name == "lungDose" }?.limit == 30)
        #expect(policy.limits.first { $0.name == "cumulativeLungDose" }?.limit == 50)
        #expect(policy.limits.first { $0.name == "lungShunt" && $0.modalities == [.y90Resin] }?.limit == 20)
        #expect(c.holmiumStandard.targetDoseGy == 60)
        #expect(try c.device("glass").vialSizesGBq.sorted() == [3, 5, 7, 10, 15, 20])
        for d in c.devices { #expect(!d.doseFactorSource.isEmpty && !d.vialSizesSource.isEmpty) }
        #expect(throws: InputError.self) { _ = try c.device("plastic") }
        #expect(throws: InputError.self) { _ = try c.nuclide("tc99m") }
    }

    @Test("MIRD-01 through Prescription.calculate")
    func mird01() throws {
        let f = try Fixture()
        var r = try f.request("glass", .mird, lsf: 5)
        r.perfusedMassG = 1030
        r.given = .targetDoseGy(120)
        let res = try f.calculate(r)
        #expect(close(res.activityGBq, 123.6 / 47.5, abs: 1e-12))   // 120 × 1.03 / (50 × 0.95)
        #expect(close(res.lungDoseGy, 6.505, abs: 0.001))
        #expect(close(res.perfusedLiverDoseGy, 120, abs: 1e-10))
        #expect(close(res.activityMCi, 123.6 / 47.5 / 0.037, abs: 1e-9))   // 1 mCi = 0.037 GBq
        #expect(res.status == .ok)
        #expect(res.tumorDoseGy == nil && res.bsaM2 == nil)
    }

    @Test("BSA lung-shunt bands: below 10 none, [10, 15) −20 %, [15, 20] −40 %, above 20 contraindicated",
          arguments: [(0.0, 0.0), (9.999, 0), (10, 20), (12, 20), (14.999, 20), (15, 40), (17, 40), (20, 40)])
    func bsaBands(lsf: Double, reduction: Double) throws {
        let f = try Fixture()
        let res = try f.calculate(try f.bsa(lsf: lsf))
        // 175 cm / 80 kg: 0.007184 × 80^0.425 × 175^0.725 = 1.95609 m²; A = 1.95609 − 0.2 + 0.2
        let bsa = 0.007184 * pow(80, 0.425) * pow(175, 0.725)
        #expect(close(res.bsaM2, 1.9561, abs: 0.0001))
        #expect(close(res.unreducedActivityGBq, bsa, abs: 1e-12))
        #expect(close(res.activityGBq, bsa * (1 - reduction / 100), abs: 1e-12))
        #expect(res.lungShuntReductionPercent == reduction)
        #expect(res.status == .ok)
    }

    @Test("BSA above 20 %: no activity, contraindicated, the reasons say why", arguments: [20.001, 22, 35])
    func bsaAbove20(lsf: Double) throws {
        let f = try Fixture()
        let res = try f.calculate(try f.bsa(lsf: lsf))
        #expect(res.activityGBq == 0)
        #expect(res.status == .contraindicated)
        #expect(res.checks.first { $0.name == "lungShunt" }?.passed == false)
        #expect(!res.reasons.isEmpty)
    }

    @Test("empiric bands: < 25 % 2.0, 25–50 % inclusive 2.5, > 50 % 3.0 GBq",
          arguments: [(0.0, 2.0), (249.9, 2.0), (250, 2.5), (400, 2.5), (500, 2.5), (500.1, 3.0), (900, 3.0)])
    func empiric(tumorMl: Double, activity: Double) throws {
        let f = try Fixture()
        var r = try f.request("resin", .empiric, lsf: 5)
        r.tumorVolumeMl = tumorMl; r.liverVolumeMl = 1000
        #expect(close(try f.calculate(r).activityGBq, activity, abs: 1e-12))
        // EMP-01: 30 % with LSF 12 % → 2.5 × 0.8 = 2.0
        var e = try f.request("resin", .empiric, lsf: 12)
        e.tumorVolumeMl = 300; e.liverVolumeMl = 1000
        #expect(close(try f.calculate(e).activityGBq, 2.0, abs: 1e-12))
    }

    @Test("BSA-06 lobar conventions: (a) 1.1736, (b) 1.2536 GBq")
    func bsaLobar() throws {
        let f = try Fixture()
        var r = try f.bsa(lsf: 5)
        r.treatedVolumeMl = 900
        r.bsaLobarConvention = .scaledWhole
        // 1.95609 × 900/1500 = 1.17365
        #expect(close(try f.calculate(r).activityGBq, 1.1736, abs: 0.0001))
        r.bsaLobarConvention = .split
        // (1.95609 − 0.2) × 0.6 + 300/1500 = 1.05365 + 0.2 = 1.25365
        #expect(close(try f.calculate(r).activityGBq, 1.2536, abs: 0.0001))
    }

    @Test("HO-01: Ho-166 standard is 60 Gy × M / 15.87, whatever the lung shunt")
    func holmiumStandard() throws {
        let f = try Fixture()
        for lsf in [0.0, 8, 30] {
            var r = try f.request("quiremspheres", .standard, lsf: lsf)
            r.perfusedMassG = 1500
            let res = try f.calculate(r)
            // 60 × 1.5 / 15.87 = 5.671077 GBq (published 3781 MBq/kg × 1.5 = 5671.5 MBq)
            #expect(close(res.activityGBq, 90 / 15.87, abs: 1e-12))
            #expect(close(res.activityGBq, 5.6715, abs: 0.0005))
            // lung = 15.87 × 5.671077 × LSF = 90 × LSF Gy
            #expect(close(res.lungDoseGy, 90 * lsf / 100, abs: 1e-10))
        }
    }

    @Test("PART-01 through Prescription.calculate, with the whole normal liver")
    func partition() throws {
        let f = try Fixture()
        var r = try f.partition()
        r.wholeNormalLiverMassG = 2600
        let res = try f.calculate(r)
        #expect(close(res.activityGBq, 76 / 44.703, abs: 1e-12))
        #expect(close(res.tumorDoseGy, 120, abs: 1e-10))
        #expect(close(res.normalLiverDoseGy, 40, abs: 1e-10))
        // 40 × 1300 / 2600 = 20 Gy
        #expect(close(res.wholeNormalLiverDoseGy, 20, abs: 1e-10))
        #expect(close(res.lungDoseGy, 8.444, abs: 0.001))
        #expect(res.status == .ok)
        // T/N below 1: a warning, still a result.
        var w = try f.partition()
        w.tnRatio = 0.5
        let warn = try f.calculate(w)
        #expect(warn.status == .warning)
        #expect(close(warn.tumorDoseGy, 20, abs: 1e-10))   // 0.5 × 40
    }

    @Test("the residual gives the vial activity needed at treatment")
    func residual() throws {
        let f = try Fixture()
        var r = try f.partition()
        r.residualPercent = 3
        let res = try f.calculate(r)
        // 1.700110 / 0.97 = 1.752691
        #expect(close(res.vialActivityAtTreatmentGBq, 76 / 44.703 / 0.97, abs: 1e-12))
    }

    @Test("hard limits: lung 30 Gy, cumulative 50 Gy; on the limit passes")
    func limits() throws {
        let f = try Fixture()
        var r = try f.request("glass", .mird, lsf: 10)
        r.perfusedMassG = 2000
        r.given = .activityGBq(6)   // lung 50 × 6 × 0.1 = 30 Gy: on the limit
        #expect(try f.calculate(r).status == .ok)
        r.given = .activityGBq(6.01)   // 30.05 Gy
        let over = try f.calculate(r)
        #expect(over.status == .contraindicated)
        #expect(over.checks.first { $0.name == "lungDose" }?.passed == false)
        #expect(over.activityGBq == 6.01)   // still shown
        r.given = .activityGBq(2)   // 10 Gy
        r.priorLungDoseGy = 40.5
        let cum = try f.calculate(r)
        #expect(close(cum.cumulativeLungDoseGy, 50.5, abs: 1e-10))
        #expect(cum.status == .contraindicated)
        #expect(cum.checks.first { $0.name == "cumulativeLungDose" }?.passed == false)
        #expect(cum.checks.first { $0.name == "lungDose" }?.passed == true)
    }

    @Test("invalid input is refused with the field that caused it, never clipped")
    func inputErrors() throws {
        let f = try Fixture()
        var mird = try f.request("glass", .mird, lsf: 5)
        mird.perfusedMassG = 1000
        mird.given = .targetDoseGy(120)
        for bad in [100.0, 101, -1, .nan, .infinity] {
            var r = mird
            r.lungShuntPercent = bad
            #expect(f.errorField(r) == "lungShunt", "LSF \(bad)")
        }
        for bad in [0.0, -5, 10_001, .nan, .infinity] {
            var r = mird
            r.perfusedMassG = bad
            #expect(f.errorField(r) == "perfusedMass", "mass \(bad)")
        }
        var noMass = mird
        noMass.perfusedMassG = nil
        #expect(f.errorField(noMass) == "perfusedMass")
        var noGiven = mird
        noGiven.given = nil
        #expect(f.errorField(noGiven) != nil)
        var wrongGiven = mird
        wrongGiven.given = .tumorDoseGy(100)
        #expect(f.errorField(wrongGiven) != nil)
        for bad in [0.0, -120, .nan] {
            var r = mird
            r.given = .targetDoseGy(bad)
            #expect(f.errorField(r) == "targetDose")
        }
        for bad in [0.0, 31, .nan] {
            var r = mird
            r.given = .activityGBq(bad)
            #expect(f.errorField(r) == "activity")
        }
        var lung = mird
        lung.lungMassG = 0
        #expect(f.errorField(lung) == "lungMass")
        var density = mird
        density.densityGPerMl = 0
        #expect(f.errorField(density) == "density")
        var prior = mird
        prior.priorLungDoseGy = -1
        #expect(f.errorField(prior) == "priorLungDose")
        var residual = mird
        residual.residualPercent = 100
        #expect(f.errorField(residual) == "residual")

        var p = try f.partition()
        p.tnRatio = nil
        #expect(f.errorField(p) == "tnRatio")
        p = try f.partition(); p.tnRatio = 0
        #expect(f.errorField(p) == "tnRatio")
        p = try f.partition(); p.tumorMassG = 0
        #expect(f.errorField(p) == "tumorMass")
        p = try f.partition(); p.tumorMassG = 3000; p.normalLiverMassG = 8000
        #expect(f.errorField(p) != nil)
        p = try f.partition(); p.wholeNormalLiverMassG = 1000
        #expect(f.errorField(p) == "wholeNormalLiverMass")
        p = try f.partition(); p.given = .targetDoseGy(50)
        #expect(f.errorField(p) != nil)

        #expect(f.errorField(try f.bsa(lsf: 5, tumor: 1500, liver: 1500)) == "tumorVolume")
        #expect(f.errorField(try f.bsa(lsf: 5, tumor: -1, liver: 1500)) == "tumorVolume")
        #expect(f.errorField(try f.bsa(lsf: 5, tumor: 300, liver: 0)) == "liverVolume")
        var h = try f.bsa(lsf: 5)
        h.heightCm = nil
        #expect(f.errorField(h) == "height")
        h = try f.bsa(lsf: 5); h.weightKg = .nan
        #expect(f.errorField(h) == "weight")
        h = try f.bsa(lsf: 5); h.given = .activityGBq(2)
        #expect(f.errorField(h) != nil)
    }

    @Test("Check: at most means ≤; the margin is limit − value")
    func checkSemantics() {
        let on = Check(name: "lungDose", value: 30, limit: 30, unit: "Gy", kind: .atMost, severity: .hard, source: "s")
        #expect(on.passed)
        let over = Check(name: "lungDose", value: 30.001, limit: 30, unit: "Gy", kind: .atMost, severity: .hard, source: "s")
        #expect(!over.passed)
        #expect(close(over.margin, -0.001, abs: 1e-12))
        #expect(overallStatus([on, over]) == .contraindicated)
        #expect(Status.contraindicated.exitCode == 3 && Status.warning.exitCode == 0 && Status.ok.exitCode == 0)
    }
}
