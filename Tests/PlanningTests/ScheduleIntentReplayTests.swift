// SPDX-License-Identifier: GPL-3.0-or-later
// Calendar scheduling checked by brute force over every 5-minute slot; intents against hand
// calculations; the record fields and replay against their definitions.
import Foundation
import Testing
import ClinicalPolicy
@testable import Planning
import DosecalcCore

@Suite("Scheduling, intents and replay")
struct ScheduleIntentReplayTests {
    static let vials = [3.0, 5, 7, 10, 15, 20]

    func glassInput(nlG: Double, tumorG: Double, tn: Double, lsf: Double, calibration: String, earliest: String, latest: String?,
                    hours: String?, target: Double = 205) -> PlanInput {
        PlanInput(
            patient: .init(id: "S", heightCm: 170, weightKg: 75, cirrhosis: false, histology: .hcc,
                           labs: .init(bilirubinMgPerDl: 0.8, bilirubinUmolPerL: nil, albuminGPerDl: 4.0, albuminGPerL: nil, inr: 1.0, ascites: "none", encephalopathy: "none"),
                           priorTreatments: nil, priorChestIrradiation: nil, bsaFormula: nil),
            anatomy: .init(lungShuntPercent: lsf, lungMassG: 1000, wholeNormalLiverMassG: nlG + 600,
                           territories: [.init(name: "right", normalLiverMassG: nlG, tumors: [.init(name: "T1", massG: tumorG, tnRatio: tn)])]),
            treatment: .init(modality: .y90Glass, tumorTargetGy: target, calibrationTime: calibration, earliestTreatmentTime: earliest,
                             latestTreatmentTime: latest, treatmentHours: hours))
    }

    @Test("glass: the time is inside the window, the usable time and the treatment hours, and no smaller vial had an acceptable slot (brute force)")
    func glassScheduleBruteForce() throws {
        var rng = SplitMix64(state: 4_122_026)
        var planned = 0, refused = 0
        for _ in 0..<120 {
            let nl = rng.uniform(300, 1200), tm = rng.uniform(20, 300), tn = rng.uniform(1.5, 6), lsf = rng.uniform(1, 8)
            let offsetH = [-8, -5, 0, 1, 2, 9][rng.int(6)]
            let zone = offsetH == 0 ? "Z" : String(format: "%@%02d:00", offsetH < 0 ? "-" : "+", abs(offsetH))
            let calDay = 1 + rng.int(20), calHour = rng.int(24)
            let cal = String(format: "2026-12-%02dT%02d:00:00", calDay, calHour) + zone
            let startDay = calDay + rng.int(3), span = 1 + rng.int(8)
            let earliest = String(format: "2026-12-%02dT%02d:%02d:00", startDay, rng.int(24), rng.int(60)) + zone
            let latest = String(format: "2026-12-%02dT%02d:00:00", min(startDay + span, 31), rng.int(24)) + zone
            let startMin = 360 + 5 * rng.int(36), endMin = startMin + 120 + 5 * rng.int(120)
            let hours = String(format: "%02d:%02d-%02d:%02d", startMin / 60, startMin % 60, min(endMin, 1439) / 60, min(endMin, 1439) % 60)
            let input = glassInput(nlG: nl, tumorG: tm, tn: tn, lsf: lsf, calibration: cal, earliest: earliest, latest: latest, hours: hours)
            let result: PlanResult
            do { result = try Planner.plan(input) } catch is InputError { refused += 1; continue }
            let re = try #require(result.radioembolization)
            // Loose limits only: the acceptance band is then exactly ±2 % of the need.
            guard let allowedShare = re.fractionOfTargetAllowed, allowedShare >= 1.02 else { continue }
            // The need, independently: A = T·(R·M_T + M_NL)/(K(1−LSF)·R).
            let need = 205 * (tn * tm / 1000 + nl / 1000) / (50 * (1 - lsf / 100) * tn)
            #expect(abs(re.territories[0].prescribedActivityGBq - need) <= 1e-9 * need)
            let keep = 1 - 0.61 / 100
            let calDate = try Timestamp.parse(cal, field: "c"), e = try Timestamp.parse(earliest, field: "e"), l = try Timestamp.parse(latest, field: "l")
            let th = try TreatmentHours.parse(hours, field: "h")
            func allowed(_ t: Date) -> Bool {
                let h = t.timeIntervalSince(calDate) / 3600
                return t >= e && t <= l && h >= 0 && h <= 288 && th.minutesOutside(t, offsetSeconds: offsetH * 3600) == 0
            }
            func delivered(_ v: Double, _ t: Date) -> Double { v * pow(2, -t.timeIntervalSince(calDate) / 3600 / 64.1) * keep }
            // Every candidate instant: the 5-minute grid and the ends of the allowed intervals.
            var grid: [Date] = []
            var t = Date(timeIntervalSince1970: (e.timeIntervalSince1970 / 300).rounded(.up) * 300)
            while t <= l { grid.append(t); t = t.addingTimeInterval(300) }
            grid += [e, l]
            for d in 0...40 {
                for m in [th.startMinute, th.endMinute] {
                    grid.append(Timestamp.instant(day: Timestamp.localDayAndMinute(e, offsetSeconds: offsetH * 3600).day + d, minuteOfDay: Double(m), offsetSeconds: offsetH * 3600))
                }
            }
            let acceptable = { (v: Double) in grid.contains { allowed($0) && delivered(v, $0) >= need * 0.98 * (1 - 1e-9) && delivered(v, $0) <= need * 1.02 * (1 + 1e-9) } }
            if result.status == .ok {
                planned += 1
                let order = try #require(re.orders.first)
                let time = try Timestamp.parse(try #require(order.administrationTime), field: "t")
                #expect(allowed(time), "time \(order.administrationTimeLocal ?? "") outside window \(earliest)…\(latest), hours \(hours)")
                let v = order.vialActivityAtCalibrationGBq
                let d = delivered(v, time)
                #expect(d >= need * 0.98 * (1 - 1e-9) && d <= need * 1.02 * (1 + 1e-9))
                #expect(abs(re.activityGBq - d) <= 1e-9 * d)
                for smaller in Self.vials where smaller < v { #expect(!acceptable(smaller), "vial \(smaller) had an acceptable slot; chose \(v)") }
            } else {
                // No vial has an acceptable slot at all: the brute force agrees that the plan is infeasible.
                #expect(result.status == .infeasible)
                #expect(re.orders.isEmpty)
                for v in Self.vials { #expect(!acceptable(v), "vial \(v) had an acceptable slot, but the plan is \(result.status)") }
            }
        }
        #expect(planned > 20)
        _ = refused
    }

    @Test("treatment hours are HH:MM-HH:MM, start before end")
    func treatmentHoursParsing() throws {
        #expect(try TreatmentHours.parse("07:30-17:00", field: "h") == .standard)
        for bad in ["7:30-17:00", "07:30-07:30", "17:00-07:30", "07:30", "07:30-25:00", "07:60-08:00", "０７:30-17:00", "07:30 - 17:00", ""] {
            #expect(throws: InputError.self) { try TreatmentHours.parse(bad, field: "treatment.treatmentHours") }
        }
    }

    // A 60 mL segment (61.8 g: 40 g normal liver, 21.8 g tumour, T/N 3), LSF 5 %, whole normal liver 1400 g.
    func segment(intent: TreatmentIntent?, perfused: Double?, modality: Modality = .y90Glass, normal: Double = 40, whole: Double = 1400) -> PlanInput {
        var ter = PlanInput.Territory(name: "segment 8", normalLiverMassG: normal, tumors: [.init(name: "T1", massG: 21.8, tnRatio: 3)])
        ter.intent = intent
        ter.perfusedDoseTargetGy = perfused
        return PlanInput(
            patient: .init(id: "A", heightCm: 170, weightKg: 75, cirrhosis: false, histology: .hcc,
                           labs: .init(bilirubinMgPerDl: 0.8, bilirubinUmolPerL: nil, albuminGPerDl: 4.0, albuminGPerL: nil, inr: 1.0, ascites: "none", encephalopathy: "none"),
                           priorTreatments: nil, priorChestIrradiation: nil, bsaFormula: nil),
            anatomy: .init(lungShuntPercent: 5, lungMassG: 1000, wholeNormalLiverMassG: whole, territories: [ter]),
            treatment: .init(modality: modality, tumorTargetGy: nil))
    }

    @Test("radiation segmentectomy: 400 Gy to the perfused segment by hand, no perfused normal-liver limit, reserve checked")
    func ablativeSegment() throws {
        let r = try Planner.plan(segment(intent: .ablative, perfused: nil))
        let re = try #require(r.radioembolization)
        let a = 400 * 0.0618 / (50 * 0.95)          // MIRD: A = D·M/(K(1−LSF))
        #expect(abs(re.activityGBq - a) <= 1e-12 * a)
        #expect(r.status == .ok)
        #expect(!r.checks.contains { $0.name == "perfusedNormalLiverDose" })
        #expect(r.checks.first { $0.name == "hepaticReserve" }?.state == .passed)
        #expect(abs((re.hepaticReservePercent ?? 0) - 100 * 1360 / 1400) <= 1e-12)
        // The same segment, segmental: the 120 Gy perfused normal-liver limit binds.
        let s = try Planner.plan(segment(intent: .segmental, perfused: 400))
        #expect(s.status == .infeasible)
        #expect(s.radioembolization?.bindingConstraint == "perfusedNormalLiverDose")
        let nlAt400 = 50 * a * 0.95 / (3 * 0.0218 + 0.040)
        #expect(abs((s.radioembolization?.territories[0].normalLiverDoseGy ?? 0) - 120) <= 1e-9 * 120)
        #expect(abs((s.radioembolization?.fractionOfTargetAllowed ?? 0) - 120 / nlAt400) <= 1e-9)
    }

    @Test("intents refuse what the policy does not allow")
    func intentRefusals() throws {
        // A perfused-dose prescription on a lobar territory.
        #expect(throws: InputError.self) { try Planner.plan(segment(intent: .lobar, perfused: 400)) }
        #expect(throws: InputError.self) { try Planner.plan(segment(intent: nil, perfused: 400)) }
        // Ho-166 has no published ablative dose: it must be given.
        #expect(throws: InputError.self) { try Planner.plan(segment(intent: .ablative, perfused: nil, modality: .ho166)) }
        #expect(try Planner.plan(segment(intent: .ablative, perfused: 150, modality: .ho166)).status == .ok)
        // An excluded ablative Ho-166 territory needs no dose target: it is not treated.
        var twoTerritories = segment(intent: .lobar, perfused: nil, modality: .ho166, whole: 1500)
        var skipped = PlanInput.Territory(name: "segment 3", normalLiverMassG: 60, tumors: [.init(name: "T2", massG: 10, tnRatio: 2)])
        skipped.intent = .ablative
        skipped.excluded = true
        twoTerritories.anatomy!.territories.append(skipped)
        let withExcluded = try Planner.plan(twoTerritories)
        #expect(withExcluded.radioembolization?.territories[1].prescription == .excluded)
        #expect(withExcluded.radioembolization?.territories[1].activityGBq == 0)
        // A lobectomy leaving 25 % of the normal liver: contraindicated by the hepatic reserve.
        let lobe = try Planner.plan(segment(intent: .ablative, perfused: 150, normal: 900, whole: 1200))
        #expect(lobe.status == .contraindicated)
        #expect(lobe.checks.first { $0.name == "hepaticReserve" }?.state == .failed)
        #expect(lobe.radioembolization?.orders.isEmpty == true)
    }

    @Test("the input fingerprint ignores layout, key order and prose, and sees every value")
    func canonicalInput() throws {
        let a = #"{"patient":{"id":"C","heightCm":170,"weightKg":70,"histology":"HCC","labs":{"bilirubinMgPerDl":0.8,"albuminGPerDl":4,"inr":1,"ascites":"none","encephalopathy":"none"}},"anatomy":{"lungShuntPercent":5,"wholeNormalLiverMassG":1400,"territories":[{"name":"r","normalLiverMassG":1400,"tumors":[{"name":"T","massG":100,"tnRatio":3}]}]},"treatment":{"modality":"y90-glass"}}"#
        let b = """
        {"description": "same patient, other layout",
         "treatment": {"modality": "y90-glass"},
         "anatomy": {"territories": [{"tumors": [{"tnRatio": 3.0, "massG": 1e2, "name": "T"}], "normalLiverMassG": 1400, "name": "r"}],
                     "wholeNormalLiverMassG": 1400, "lungShuntPercent": 5},
         "patient": {"labs": {"encephalopathy": "none", "ascites": "none", "inr": 1, "albuminGPerDl": 4.0, "bilirubinMgPerDl": 0.80},
                     "histology": "HCC", "weightKg": 70, "heightCm": 170, "id": "C"}}
        """
        let ra = try Planner.plan(PlanInput.decode(Data(a.utf8)))
        let rb = try Planner.plan(PlanInput.decode(Data(b.utf8)))
        #expect(ra.inputSha256 == rb.inputSha256)
        #expect(ra.inputSha256 == SHA256.hex(try Planner.canonicalText(ra.input)))
        let c = a.replacingOccurrences(of: "\"massG\":100", with: "\"massG\":100.5")
        #expect(try Planner.plan(PlanInput.decode(Data(c.utf8))).inputSha256 != ra.inputSha256)
        #expect(ra.dosecalcVersion == BuildInfo.version)
        #expect(ra.referenceDataSha256 == (try ReferenceDataFingerprint.current()).sha256)
    }

    @Test("replay: identical to itself; a changed number is listed with its path; a changed data file is named as the reason")
    func replay() throws {
        let input = segment(intent: .ablative, perfused: nil)
        let first = try Planner.plan(input)
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        let stored = try JSONValue.parse(enc.encode(first))
        let again = try PlanReplay.previous(stored.serialized(), field: "--replay")
        let second = try Planner.plan(again.input)
        let same = PlanReplay.compare(previous: stored, current: try JSONValue.parse(enc.encode(second)))
        #expect(same.identical)
        #expect(same.valuesCompared > 50)
        // Tamper with one number and one data-file hash of the stored output.
        var json = try #require(try JSONSerialization.jsonObject(with: stored.serialized()) as? [String: Any])
        var re = try #require(json["radioembolization"] as? [String: Any])
        re["lungDoseGy"] = (re["lungDoseGy"] as! Double) * 1.5
        json["radioembolization"] = re
        var files = try #require(json["referenceDataFiles"] as? [String: String])
        files["constraints/constraint-sets.json"] = String(repeating: "0", count: 64)
        json["referenceDataFiles"] = files
        let tampered = try JSONValue.parse(JSONSerialization.data(withJSONObject: json))
        let diff = PlanReplay.compare(previous: tampered, current: try JSONValue.parse(enc.encode(second)))
        #expect(!diff.identical)
        #expect(diff.differences.map(\.path) == ["radioembolization.lungDoseGy"])
        #expect(abs((diff.differences[0].relativeChange ?? 0) - (1 / 1.5 - 1)) <= 1e-12)
        #expect(diff.referenceDataFilesChanged == ["constraints/constraint-sets.json"])
        #expect(diff.explanation.contains("constraints/constraint-sets.json"))
        // Not a plan output: refused naming the flag.
        #expect(throws: InputError.self) { try PlanReplay.previous(Data("{\"patient\": {}}".utf8), field: "--replay") }
    }
}
