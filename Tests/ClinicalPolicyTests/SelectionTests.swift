// SPDX-License-Identifier: GPL-3.0-or-later
// The policy selects the limit the patient's facts call for, and never reads an unknown fact as the
// lenient answer. Expected limits are the published values (EANM 2022 Tables 2–4; doxorubicin label
// bilirubin bands) read by hand.
import Foundation
import Testing
@testable import ClinicalPolicy
import DosecalcCore

@Suite("Clinical policy: selection and evaluation")
struct SelectionTests {
    let policy: ClinicalPolicy

    init() throws {
        let url = PolicyDataTests.url
        policy = ClinicalPolicy(data: try PolicyData.decode(Data(contentsOf: url)))
    }

    func limit(_ m: Modality, _ q: LimitQuantity, _ f: PatientFacts) -> ClinicalPolicy.ResolvedLimit? {
        policy.limits(for: m, facts: f).first { $0.quantity == q }
    }

    @Test("glass whole normal liver: 90 Gy below 1.1 mg/dL bilirubin, 50 Gy from 1.1 (the open boundary taken safe)",
          arguments: [(0.3, 90.0), (1.09, 90.0), (1.1, 50.0), (1.5, 50.0), (20, 50.0)])
    func glassWholeNormalLiver(bilirubin: Double, expected: Double) {
        #expect(limit(.y90Glass, .wholeNormalLiverDoseGy, PatientFacts(bilirubinMgPerDl: bilirubin))?.limit == expected)
    }

    @Test("resin perfused normal liver: 40 Gy, 30 Gy when cirrhotic, Child–Pugh B/C or pretreated")
    func resinNormalLiver() {
        let healthy = PatientFacts(cirrhosis: false, childPughClass: .a, priorRadioembolization: false)
        #expect(limit(.y90Resin, .perfusedNormalLiverDoseGy, healthy)?.limit == 40)
        for f in [PatientFacts(cirrhosis: true), PatientFacts(childPughClass: .b), PatientFacts(priorRadioembolization: true),
                  PatientFacts(cirrhosis: false, childPughClass: .c, priorRadioembolization: false)] {
            #expect(limit(.y90Resin, .perfusedNormalLiverDoseGy, f)?.limit == 30)
        }
        // Unknown: the most cautious limit, and the facts that were missing are named.
        let unknown = limit(.y90Resin, .perfusedNormalLiverDoseGy, PatientFacts(cirrhosis: false, childPughClass: .a))
        #expect(unknown?.limit == 30)
        #expect(unknown?.assumedFacts == [.priorRadioembolization])
    }

    @Test("Ho-166 whole normal liver: 60 Gy unilobar, 40 Gy bilobar, 40 Gy when unknown")
    func holmium() {
        #expect(limit(.ho166, .wholeNormalLiverDoseGy, PatientFacts(bilobar: false))?.limit == 60)
        #expect(limit(.ho166, .wholeNormalLiverDoseGy, PatientFacts(bilobar: true))?.limit == 40)
        #expect(limit(.ho166, .wholeNormalLiverDoseGy, PatientFacts())?.limit == 40)
    }

    @Test("doxorubicin session dose by bilirubin: 150 mg below 1.2; 75 mg 1.2–3.0; 37.5 mg above 3.0 to 5.0; none above 5",
          arguments: [(0.8, 150.0), (1.19, 150.0), (1.2, 75.0), (3.0, 75.0), (3.01, 37.5), (5.0, 37.5), (5.01, nil), (12, nil)] as [(Double, Double?)])
    func doxorubicinSession(bilirubin: Double, expected: Double?) {
        #expect(limit(.deb, .doxorubicinSessionMg, PatientFacts(bilirubinMgPerDl: bilirubin))?.limit == expected)
        // Above 5 mg/dL the bilirubin check itself fails.
        let checks = policy.evaluate(.deb, facts: PatientFacts(bilirubinMgPerDl: bilirubin), quantities: [.bilirubinMgPerDl: bilirubin],
                                     selection: .reportUnknown)
        #expect(checks.first { $0.name == "bilirubinForDoxorubicin" }?.state == (bilirubin > 5 ? .failed : .passed))
    }

    // The label's bands, at and next to every cut-off: < 1.2 → 150 mg; 1.2 ≤ b ≤ 3.0 → 75 mg (50 %);
    // 3.0 < b ≤ 5.0 → 37.5 mg (25 %; the label's 3.0–3.1 gap goes to the more cautious band).
    @Test("doxorubicin session dose next to every cut-off",
          arguments: [((1.2).nextDown, 150.0), ((3.0).nextUp, 37.5), (3.05, 37.5), (3.1, 37.5), ((5.0).nextUp, nil)] as [(Double, Double?)])
    func doxorubicinCutOffs(bilirubin: Double, expected: Double?) {
        #expect(limit(.deb, .doxorubicinSessionMg, PatientFacts(bilirubinMgPerDl: bilirubin))?.limit == expected)
    }

    // A bilirubin reported in µmol/L exactly on a cut-off lands in the same band after conversion:
    // 20.52 µmol/L = 1.2 mg/dL (75 mg), 51.3 = 3.0 (75 mg), 85.5 = 5.0 (37.5 mg).
    @Test("bilirubin in µmol/L on a cut-off selects the same session dose", arguments: [(20.52, 75.0), (51.3, 75.0), (85.5, 37.5)])
    func siCutOffs(umolPerL: Double, expected: Double) throws {
        let mg = try LabBoundary.bilirubinUmolPerL(umolPerL, field: "bilirubinUmolPerL", otherUnitField: "bilirubinMgPerDl")
        #expect(limit(.deb, .doxorubicinSessionMg, PatientFacts(bilirubinMgPerDl: mg))?.limit == expected)
    }

    @Test("lifetime doxorubicin: 550 mg/m², 450 after chest irradiation, 450 when not given")
    func lifetime() {
        #expect(limit(.deb, .doxorubicinLifetimeMgPerM2, PatientFacts(priorChestIrradiation: false))?.limit == 550)
        #expect(limit(.deb, .doxorubicinLifetimeMgPerM2, PatientFacts(priorChestIrradiation: true))?.limit == 450)
        #expect(limit(.deb, .doxorubicinLifetimeMgPerM2, PatientFacts())?.limit == 450)
    }

    @Test("an unknown fact: passes below the strictest limit, fails above the most lenient, otherwise not evaluated")
    func unknownFacts() {
        func state(_ d: Double) -> Check? {
            policy.evaluate(.y90Glass, facts: PatientFacts(), quantities: [.wholeNormalLiverDoseGy: d], selection: .reportUnknown)
                .first { $0.name == "wholeNormalLiverDose" }
        }
        #expect(state(49)?.state == .passed)
        #expect(state(91)?.state == .failed)
        #expect(state(91)?.impliedStatus == .contraindicated)
        let between = state(70)
        #expect(between?.state == .notEvaluated)
        #expect(between?.requires == [PatientFact.bilirubin.rawValue])
        #expect(between?.impliedStatus == .warning)
        // The planner takes the most cautious limit instead.
        let cautious = policy.evaluate(.y90Glass, facts: PatientFacts(), quantities: [.wholeNormalLiverDoseGy: 70], selection: .mostCautious)
            .first { $0.name == "wholeNormalLiverDose" }
        #expect(cautious?.state == .failed && cautious?.limit == 50)
    }

    @Test("a quantity that was not computed is not evaluated and names the quantity; a non-finite value never passes")
    func missingAndNonFinite() {
        let checks = policy.evaluate(.y90Glass, facts: PatientFacts(bilirubinMgPerDl: 0.5), quantities: [.lungDoseGy: .nan], selection: .reportUnknown)
        #expect(checks.first { $0.name == "lungDose" }?.state == .failed)
        let whole = checks.first { $0.name == "wholeNormalLiverDose" }
        #expect(whole?.state == .notEvaluated && whole?.value == nil)
        #expect(whole?.requires == [LimitQuantity.wholeNormalLiverDoseGy.rawValue])
        #expect(whole?.impliedStatus == .ok)
    }

    @Test("a failed deliverability check is infeasible, a failed safety check contraindicated")
    func categories() {
        let order = Check(name: "activityAvailable", value: 5, limit: 3, unit: "GBq", kind: .atMost, severity: .hard, source: "s", category: .deliverability)
        let lung = Check(name: "lungDose", value: 31, limit: 30, unit: "Gy", kind: .atMost, severity: .hard, source: "s")
        #expect(overallStatus([order]) == .infeasible)
        #expect(overallStatus([order, lung]) == .contraindicated)
        #expect(DosecalcCore.Status.infeasible.exitCode == 3)
    }
}
