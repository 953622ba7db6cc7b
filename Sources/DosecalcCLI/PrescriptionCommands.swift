// SPDX-License-Identifier: GPL-3.0-or-later
import ArgumentParser
import DosecalcCore
import Radioembolization
import ClinicalPolicy
import Uncertainty

/// Flags shared by `y90` and `ho166`.
struct PrescriptionOptions: ParsableArguments {
    @Option(name: .customLong("lung-shunt"), parsing: .unconditional, help: "Lung shunt in percent, 0 ≤ LSF < 100 ('8' and '8%' both mean 8 %). Required.")
    var lungShunt: String?
    @Option(name: .customLong("perfused-mass-g"), parsing: .unconditional, help: "MIRD: mass of the perfused liver (g).") var perfusedMassG: String?
    @Option(name: .customLong("perfused-volume-ml"), parsing: .unconditional, help: "MIRD: volume of the perfused liver (mL).") var perfusedVolumeMl: String?
    @Option(name: .customLong("tumor-mass-g"), parsing: .unconditional, help: "Partition: tumour mass (g).") var tumorMassG: String?
    @Option(name: .customLong("tumor-volume-ml"), parsing: .unconditional, help: "Partition: tumour volume (mL); BSA/empiric: tumour volume (mL).") var tumorVolumeMl: String?
    @Option(name: .customLong("normal-liver-mass-g"), parsing: .unconditional, help: "Partition: perfused normal-liver mass (g).") var normalLiverMassG: String?
    @Option(name: .customLong("normal-liver-volume-ml"), parsing: .unconditional, help: "Partition: perfused normal-liver volume (mL).") var normalLiverVolumeMl: String?
    @Option(name: .customLong("whole-normal-liver-mass-g"), parsing: .unconditional, help: "Partition: whole non-tumoural liver mass (g), for the whole normal-liver dose of a lobar treatment.") var wholeNormalLiverMassG: String?
    @Option(name: .customLong("tn-ratio"), parsing: .unconditional, help: "Partition: tumour-to-normal-liver activity concentration ratio (per unit mass).") var tnRatio: String?
    @Option(name: .customLong("target-dose-gy"), parsing: .unconditional, help: "MIRD: mean dose to the perfused liver (Gy).") var targetDoseGy: String?
    @Option(name: .customLong("normal-liver-dose-gy"), parsing: .unconditional, help: "Partition: mean normal-liver dose (Gy).") var normalLiverDoseGy: String?
    @Option(name: .customLong("tumor-dose-gy"), parsing: .unconditional, help: "Partition: mean tumour dose (Gy).") var tumorDoseGy: String?
    @Option(name: .customLong("activity-gbq"), parsing: .unconditional, help: "Injected activity (GBq): forward calculation of the doses.") var activityGBq: String?
    @Option(name: .customLong("activity-mbq"), parsing: .unconditional, help: "Injected activity (MBq; 1 GBq = 1000 MBq), instead of --activity-gbq.") var activityMBq: String?
    @Option(name: .customLong("activity-mci"), parsing: .unconditional, help: "Injected activity (mCi; 1 mCi = 37 MBq exactly), instead of --activity-gbq.") var activityMCi: String?
    @Option(name: .customLong("density-g-per-ml"), parsing: .unconditional, help: "Tissue density for volume → mass (g/mL; default 1.03).") var densityGPerMl: String?
    @Option(name: .customLong("lung-mass-g"), parsing: .unconditional, help: "Lung mass (g; default 1000).") var lungMassG: String?
    @Option(name: .customLong("prior-lung-dose-gy"), parsing: .unconditional, help: "Lung dose of earlier treatments (Gy; default 0).") var priorLungDoseGy: String?
    @Option(name: .customLong("dose-factor-gy-kg-per-gbq"), parsing: .unconditional, help: "Override the device's dose factor K (Gy·kg/GBq).") var doseFactor: String?
    @Option(name: .customLong("residual-percent"), parsing: .unconditional, help: "Activity left in the vial and lines (%), to report the vial activity needed.") var residualPercent: String?
    @OptionGroup var patientFacts: PatientFactOptions
    @Option(name: .customLong("lung-shunt-sd"), parsing: .unconditional, help: "Uncertainty: standard deviation of the lung shunt in percentage points (normal, truncated to [0, 100) %).") var lungShuntSd: String?
    @Option(name: .customLong("mass-cv-percent"), parsing: .unconditional, help: "Uncertainty: coefficient of variation of every mass and volume, 0–100 % (lognormal, the given value as median).") var massCvPercent: String?
    @Option(name: .customLong("tn-ratio-cv-percent"), parsing: .unconditional, help: "Uncertainty: coefficient of variation of the T/N ratio, 0–100 % (lognormal).") var tnRatioCvPercent: String?
    @Option(name: .customLong("activity-cv-percent"), parsing: .unconditional, help: "Uncertainty: coefficient of variation of the delivered activity, 0–100 % (lognormal around the prescribed activity).") var activityCvPercent: String?
    @Option(name: .customLong("samples"), parsing: .unconditional, help: "Uncertainty: Monte Carlo samples, 1000 to 10000000 (default 20000).") var samples: String?
    @Option(name: .customLong("seed"), parsing: .unconditional, help: "Uncertainty: random seed, a whole number from 0 (default \(UncertaintySpecification.defaultSeed), printed with the result).") var seed: String?
    @Flag(name: .customLong("json"), help: "Print one JSON object.") var json = false
    @Flag(name: .customLong("brief"), help: "Text output: only the activity, the doses, the status and one line per check (no sources, constants or notes). Not with --json, which is always complete.") var brief = false

    /// The activity flags, in whichever unit was given.
    var activity: ActivityOption { ActivityOption(gbq: activityGBq, mbq: activityMBq, mci: activityMCi) }

    /// Usage errors (exit 64), found while parsing: two activity units, or --brief with --json.
    func validate() throws {
        try activity.validateAtMostOne()
        if brief && json {
            throw ValidationError("--brief and --json are both given; --brief shortens the text output only, and the JSON output is always complete: give one of them")
        }
    }

    /// The patient facts given on the command line (PatientFactOptions).
    func facts() throws -> PatientFacts { try patientFacts.facts() }
}

/// The patient facts that select a limit (y90, ho166, voxel): an absent flag is an unknown fact.
struct PatientFactOptions: ParsableArguments {
    @Option(name: .customLong("bilirubin-mg-per-dl"), parsing: .unconditional, help: "Patient fact: total bilirubin (mg/dL); selects the glass whole normal-liver limit.") var bilirubinMgPerDl: String?
    @Option(name: .customLong("cirrhosis"), parsing: .unconditional, help: "Patient fact: yes | no; selects the resin normal-liver limit.") var cirrhosis: YesNo?
    @Option(name: .customLong("child-pugh-score"), parsing: .unconditional, help: "Patient fact: Child–Pugh score, 5 to 15 (class B from 7, C from 10).") var childPughScore: String?
    @Option(name: .customLong("prior-radioembolization"), parsing: .unconditional, help: "Patient fact: yes | no; a pretreated liver takes the resin 30 Gy limit.") var priorRadioembolization: YesNo?
    @Option(name: .customLong("bilobar"), parsing: .unconditional, help: "Treatment fact: yes | no (both lobes, or one territory holding the whole normal liver); selects the Ho-166 whole normal-liver limit.") var bilobar: YesNo?

    /// The patient facts given on the command line; an absent flag is an unknown fact, never "no".
    func facts() throws -> PatientFacts {
        var f = PatientFacts()
        if let b = try number(bilirubinMgPerDl, "--bilirubin-mg-per-dl") {
            f.bilirubinMgPerDl = try LabBoundary.bilirubinMgPerDl(b, field: "--bilirubin-mg-per-dl")
        }
        f.cirrhosis = cirrhosis?.value
        f.priorRadioembolization = priorRadioembolization?.value
        f.bilobar = bilobar?.value
        if let s = try number(childPughScore, "--child-pugh-score") {
            let score = try PlausibleRange(5, 15, "points").check(s, field: "--child-pugh-score")
            guard score == score.rounded() else { throw InputError(field: "--child-pugh-score", "must be a whole number from 5 to 15; got \(Format.number(score))") }
            f.childPughScore = Int(score)
            f.childPughClass = score >= 10 ? .c : (score >= 7 ? .b : .a)
        }
        return f
    }
}

/// The command-line flag of every uncertainty input.
let uncertaintyFlags: [UncertaintyField: String] = [
    .lungShuntPercentSd: "--lung-shunt-sd", .massCvPercent: "--mass-cv-percent", .tnRatioCvPercent: "--tn-ratio-cv-percent",
    .activityCvPercent: "--activity-cv-percent", .samples: "--samples", .seed: "--seed",
    .maxExceedanceProbability: "maxExceedanceProbability",
]

extension PrescriptionOptions {
    /// The uncertainty flags as a specification; nil when none of the four uncertain inputs is given.
    /// `--samples` or `--seed` without one of them is refused: there is nothing to sample.
    func uncertainty() throws -> UncertaintySpecification? {
        let sd = try number(lungShuntSd, "--lung-shunt-sd"), mass = try number(massCvPercent, "--mass-cv-percent")
        let tn = try number(tnRatioCvPercent, "--tn-ratio-cv-percent"), act = try number(activityCvPercent, "--activity-cv-percent")
        guard sd != nil || mass != nil || tn != nil || act != nil else {
            if samples != nil || seed != nil {
                throw InputError(field: samples != nil ? "--samples" : "--seed",
                                 "applies only with an uncertain input: give --lung-shunt-sd, --mass-cv-percent, --tn-ratio-cv-percent or --activity-cv-percent")
            }
            return nil
        }
        var s = UncertaintySpecification()
        s.lungShuntPercentSd = sd ?? 0
        s.massCvPercent = mass ?? 0
        s.tnRatioCvPercent = tn ?? 0
        s.activityCvPercent = act ?? 0
        if let t = samples {
            guard let n = Int(t.trimmingCharacters(in: .whitespaces)), UncertaintySpecification.samplesRange.contains(Double(n)) else {
                throw InputError(field: "--samples", "must be a whole number from 1000 to 10000000; got \(quotedForMessage(t))")
            }
            s.samples = n
        }
        if let t = seed {
            guard let n = UInt64(t.trimmingCharacters(in: .whitespaces)), Double(n) <= UncertaintySpecification.seedRange.upper else {
                throw InputError(field: "--seed", "must be a whole number from 0 to 9007199254740991; got \(quotedForMessage(t))")
            }
            s.seed = n
        }
        do { try s.validate() } catch let e as InputError {
            throw e.renamed { UncertaintyField(rawValue: $0).map { uncertaintyFlags[$0]! } }
        }
        return s
    }
}

/// The command-line flag of every prescription input.
let prescriptionFlags: [PrescriptionField: String] = [
    .lungShunt: "--lung-shunt", .lungMass: "--lung-mass-g", .priorLungDose: "--prior-lung-dose-gy",
    .doseFactor: "--dose-factor-gy-kg-per-gbq", .density: "--density-g-per-ml", .residual: "--residual-percent",
    .perfusedMass: "--perfused-mass-g", .perfusedVolume: "--perfused-volume-ml", .liverMass: "--liver-mass-g",
    .liverVolume: "--liver-volume-ml", .tumorMass: "--tumor-mass-g", .tumorVolume: "--tumor-volume-ml",
    .normalLiverMass: "--normal-liver-mass-g", .normalLiverVolume: "--normal-liver-volume-ml",
    .wholeNormalLiverMass: "--whole-normal-liver-mass-g", .treatedVolume: "--treated-volume-ml", .tnRatio: "--tn-ratio",
    .targetDose: "--target-dose-gy", .normalLiverDose: "--normal-liver-dose-gy", .tumorDose: "--tumor-dose-gy",
    .activity: "--activity-gbq", .height: "--height-cm", .weight: "--weight-kg",
]

/// The command-line flag that supplies a fact or a quantity a check needs.
let prescriptionRequirementFlags: [String: String] = [
    PatientFact.bilirubin.rawValue: "--bilirubin-mg-per-dl",
    PatientFact.cirrhosis.rawValue: "--cirrhosis",
    PatientFact.childPughClass.rawValue: "--child-pugh-score",
    PatientFact.priorRadioembolization.rawValue: "--prior-radioembolization",
    PatientFact.bilobar.rawValue: "--bilobar",
    PatientFact.priorChestIrradiation.rawValue: "the planner (dosecalc plan)",
    LimitQuantity.bilirubinMgPerDl.rawValue: "--bilirubin-mg-per-dl",
    LimitQuantity.childPughScore.rawValue: "--child-pugh-score",
    LimitQuantity.wholeNormalLiverDoseGy.rawValue: "--whole-normal-liver-mass-g with the partition method",
    LimitQuantity.perfusedNormalLiverDoseGy.rawValue: "the partition method (--tumor-mass-g, --normal-liver-mass-g, --tn-ratio)",
]

/// Builds and solves a prescription request from the shared options.
func prescribe(device deviceID: String, method: PrescriptionMethod, options o: PrescriptionOptions,
               bsa: (height: String?, weight: String?, liverVolume: String?, treatedVolume: String?, convention: String?)? = nil,
               liverMass: (mass: String?, volume: String?)? = nil,
               defaultTargetDoseGy: Double? = nil) throws -> CommandOutput {
    let cat = try RadioembolizationCatalogue.load()
    let device = try cat.device(deviceID)
    let nuclide = try cat.nuclide(device.nuclide)
    guard let lsfText = o.lungShunt else {
        throw InputError(field: "--lung-shunt", "is required for every method: lung shunt in percent, in [0, 100)")
    }
    let lsf: Double
    do { lsf = try parsePercent(lsfText, field: "--lung-shunt") } catch {
        throw InputError(field: "--lung-shunt", "must be a percentage in [0, 100), e.g. 8 or 8%; got '\(lsfText)'")
    }
    var r = PrescriptionRequest(device: device, nuclide: nuclide, method: method, lungShuntPercent: lsf, tissue: cat.tissue)
    if let d = try number(o.densityGPerMl, "--density-g-per-ml") {
        try PlausibleInputs.densityGPerMl.check(d, field: "--density-g-per-ml")
        r.densityGPerMl = d
        r.densitySource = "given on the command line (--density-g-per-ml)"
    }
    if let m = try number(o.lungMassG, "--lung-mass-g") {
        r.lungMassG = m
        r.lungMassSource = "given on the command line (--lung-mass-g)"
    }
    if let p = try number(o.priorLungDoseGy, "--prior-lung-dose-gy") { r.priorLungDoseGy = p }
    if let k = try number(o.doseFactor, "--dose-factor-gy-kg-per-gbq") {
        r.doseFactorGyKgPerGBq = k
        r.doseFactorSource = "given on the command line (--dose-factor-gy-kg-per-gbq); device default \(device.doseFactorGyKgPerGBq)"
    }
    r.residualPercent = try number(o.residualPercent, "--residual-percent")

    // The activity in GBq, from whichever of --activity-gbq, --activity-mbq, --activity-mci was given.
    let activity = try o.activity.resolve(range: PlausibleInputs.activityGBq, required: false, what: "the prescription")
    let activityFlag = activity?.given.flag ?? ActivityUnit.gbq.flag
    let given = try exactlyOne([
        ("--target-dose-gy", try number(o.targetDoseGy, "--target-dose-gy")),
        ("--normal-liver-dose-gy", try number(o.normalLiverDoseGy, "--normal-liver-dose-gy")),
        ("--tumor-dose-gy", try number(o.tumorDoseGy, "--tumor-dose-gy")),
        (activityFlag, activity?.gbq),
    ], required: false, what: "the prescription")
    switch given?.flag {
    case "--target-dose-gy"?: r.given = .targetDoseGy(given!.value)
    case "--normal-liver-dose-gy"?: r.given = .normalLiverDoseGy(given!.value)
    case "--tumor-dose-gy"?: r.given = .tumorDoseGy(given!.value)
    case .some(activityFlag): r.given = .activityGBq(given!.value)
    default: if let d = defaultTargetDoseGy { r.given = .targetDoseGy(d) }
    }

    let rho = r.densityGPerMl
    if o.perfusedVolumeMl != nil { r.givenAsVolume.insert(.perfusedMass) }
    if liverMass?.volume != nil { r.givenAsVolume.insert(.liverMass) }
    if o.tumorVolumeMl != nil { r.givenAsVolume.insert(.tumorMass) }
    if o.normalLiverVolumeMl != nil { r.givenAsVolume.insert(.normalLiverMass) }
    switch method {
    case .mird:
        try refuse([("--tumor-mass-g", o.tumorMassG != nil), ("--tumor-volume-ml", o.tumorVolumeMl != nil),
                    ("--normal-liver-mass-g", o.normalLiverMassG != nil), ("--normal-liver-volume-ml", o.normalLiverVolumeMl != nil),
                    ("--tn-ratio", o.tnRatio != nil), ("--whole-normal-liver-mass-g", o.wholeNormalLiverMassG != nil)], method: "mird")
        r.perfusedMassG = try massG(massFlag: "--perfused-mass-g", mass: o.perfusedMassG, volumeFlag: "--perfused-volume-ml", volume: o.perfusedVolumeMl, densityGPerMl: rho)
    case .standard:
        try refuse([("--tumor-mass-g", o.tumorMassG != nil), ("--tumor-volume-ml", o.tumorVolumeMl != nil),
                    ("--normal-liver-mass-g", o.normalLiverMassG != nil), ("--normal-liver-volume-ml", o.normalLiverVolumeMl != nil),
                    ("--tn-ratio", o.tnRatio != nil), ("--perfused-mass-g", o.perfusedMassG != nil), ("--perfused-volume-ml", o.perfusedVolumeMl != nil)], method: "standard")
        r.perfusedMassG = try massG(massFlag: "--liver-mass-g", mass: liverMass?.mass, volumeFlag: "--liver-volume-ml", volume: liverMass?.volume, densityGPerMl: rho)
    case .partition:
        try refuse([("--perfused-mass-g", o.perfusedMassG != nil), ("--perfused-volume-ml", o.perfusedVolumeMl != nil)], method: "partition")
        r.tumorMassG = try massG(massFlag: "--tumor-mass-g", mass: o.tumorMassG, volumeFlag: "--tumor-volume-ml", volume: o.tumorVolumeMl, densityGPerMl: rho)
        r.normalLiverMassG = try massG(massFlag: "--normal-liver-mass-g", mass: o.normalLiverMassG, volumeFlag: "--normal-liver-volume-ml", volume: o.normalLiverVolumeMl, densityGPerMl: rho)
        r.tnRatio = try number(o.tnRatio, "--tn-ratio")
        r.wholeNormalLiverMassG = try number(o.wholeNormalLiverMassG, "--whole-normal-liver-mass-g")
    case .bsa, .empiric:
        try refuse([("--perfused-mass-g", o.perfusedMassG != nil), ("--perfused-volume-ml", o.perfusedVolumeMl != nil),
                    ("--tumor-mass-g", o.tumorMassG != nil), ("--normal-liver-mass-g", o.normalLiverMassG != nil),
                    ("--normal-liver-volume-ml", o.normalLiverVolumeMl != nil), ("--tn-ratio", o.tnRatio != nil),
                    ("--whole-normal-liver-mass-g", o.wholeNormalLiverMassG != nil)], method: method.rawValue)
        r.tumorVolumeMl = try number(o.tumorVolumeMl, "--tumor-volume-ml")
        r.liverVolumeMl = try number(bsa?.liverVolume, "--liver-volume-ml")
        if method == .bsa {
            r.heightCm = try number(bsa?.height, "--height-cm")
            r.weightKg = try number(bsa?.weight, "--weight-kg")
            r.treatedVolumeMl = try number(bsa?.treatedVolume, "--treated-volume-ml")
            if let c = bsa?.convention {
                guard let conv = BSALobarConvention(rawValue: c) else {
                    throw InputError(field: "--bsa-lobar-convention", "must be one of \(BSALobarConvention.allCases.map(\.rawValue).joined(separator: ", ")); got '\(c)'")
                }
                r.bsaLobarConvention = conv
            }
        } else {
            try refuse([("--height-cm", bsa?.height != nil), ("--weight-kg", bsa?.weight != nil), ("--treated-volume-ml", bsa?.treatedVolume != nil)], method: "empiric")
        }
    }
    if method != .bsa && method != .empiric, let bsa {
        try refuse([("--height-cm", bsa.height != nil), ("--weight-kg", bsa.weight != nil), ("--liver-volume-ml", bsa.liverVolume != nil),
                    ("--treated-volume-ml", bsa.treatedVolume != nil), ("--bsa-lobar-convention", bsa.convention != nil)], method: method.rawValue)
    }
    let computed: PrescriptionResult
    do { computed = try Prescription.calculate(r, catalogue: cat) } catch let e as InputError {
        throw e.renamed { PrescriptionField(rawValue: $0) == .activity ? activityFlag : PrescriptionField(rawValue: $0).flatMap { prescriptionFlags[$0] } }
    }
    var result = try ClinicalPolicy.load().apply(to: computed, device: device, facts: try o.facts()) {
        prescriptionRequirementFlags[$0] ?? $0
    }
    var uncertainty: UncertaintyResult?
    if let spec = try o.uncertainty() {
        do {
            let sampler = try PrescriptionSampler(request: r, nominal: result, device: device, specification: spec,
                                                  lungMassMeasured: o.lungMassG != nil, catalogue: cat, policy: try ClinicalPolicy.load(), facts: try o.facts())
            let u = UncertaintyResult(samples: try sampler.run(), specification: spec)
            uncertainty = u
            result.assumptions += u.conventions.map { Assumption(name: "uncertainty", value: Double(u.samples), unit: "samples", source: $0) }
        } catch let e as InputError {
            throw e.renamed { UncertaintyField(rawValue: $0).map { uncertaintyFlags[$0]! } ?? PrescriptionField(rawValue: $0).flatMap { prescriptionFlags[$0] } }
        }
    }
    let brief = o.brief, givenActivity = activity?.given
    return try CommandOutput(result: WithActivityGiven(base: result, activityGiven: givenActivity, uncertainty: uncertainty),
                             text: (brief ? PrescriptionText.brief(result, device: device, activityGiven: givenActivity)
                                          : PrescriptionText.render(result, device: device, activityGiven: givenActivity))
                                   + (uncertainty.map { "\n" + UncertaintyText.render($0, checks: result.checks) } ?? ""),
                             status: result.status)
}

struct Y90Command: EvaluatingCommand {
    static let configuration = CommandConfiguration(
        commandName: "y90",
        abstract: "Y-90 activity and doses: glass (TheraSphere) or resin (SIR-Spheres).",
        discussion: """
        Methods: mird (perfused liver, --target-dose-gy), partition (tumour/normal liver/lung with \
        --tn-ratio; solve from --normal-liver-dose-gy, --tumor-dose-gy or --activity-gbq), bsa and \
        empiric (resin; --height-cm --weight-kg --tumor-volume-ml --liver-volume-ml).
        An activity may be given in GBq, MBq or mCi (--activity-gbq, --activity-mbq, --activity-mci; one of \
        them; 1 mCi = 37 MBq exactly); results are always in GBq. --brief prints only the activity, the \
        doses, the status and one line per check.
        Example: dosecalc y90 --device glass --method mird --perfused-volume-ml 1000 --target-dose-gy 120 --lung-shunt 5
        """)

    @Option(name: .customLong("device"), parsing: .unconditional, help: "glass | resin") var device: String
    @Option(name: .customLong("method"), parsing: .unconditional, help: "mird | partition | bsa | empiric") var method: String
    @OptionGroup var options: PrescriptionOptions
    @Option(name: .customLong("height-cm"), parsing: .unconditional, help: "BSA: height (cm).") var heightCm: String?
    @Option(name: .customLong("weight-kg"), parsing: .unconditional, help: "BSA: weight (kg).") var weightKg: String?
    @Option(name: .customLong("liver-volume-ml"), parsing: .unconditional, help: "BSA/empiric: whole liver volume including tumour (mL).") var liverVolumeMl: String?
    @Option(name: .customLong("treated-volume-ml"), parsing: .unconditional, help: "BSA: volume of the treated lobe including its tumour (mL), for a lobar treatment.") var treatedVolumeMl: String?
    @Option(name: .customLong("bsa-lobar-convention"), parsing: .unconditional, help: "BSA lobar convention: scaled-whole (default) | split.") var bsaLobarConvention: String?

    var json: Bool { options.json }

    init() {}

    func evaluate() throws -> CommandOutput {
        guard device == "glass" || device == "resin" else {
            throw InputError(field: "--device", "must be glass or resin; got '\(device)'")
        }
        let allowed: [PrescriptionMethod] = device == "glass" ? [.mird, .partition] : [.mird, .partition, .bsa, .empiric]
        guard let m = PrescriptionMethod(rawValue: method), m != .standard else {
            throw InputError(field: "--method", "must be one of mird, partition, bsa, empiric; got '\(method)'")
        }
        guard allowed.contains(m) else {
            throw InputError(field: "--method", "\(m.rawValue) is a SIR-Spheres (resin) method; for glass use mird or partition")
        }
        return try prescribe(device: device, method: m, options: options,
                             bsa: (heightCm, weightKg, liverVolumeMl, treatedVolumeMl, bsaLobarConvention))
    }
}

struct Ho166Command: EvaluatingCommand {
    static let configuration = CommandConfiguration(
        commandName: "ho166",
        abstract: "Ho-166 (QuiremSpheres) activity: standard method or partition model.",
        discussion: """
        standard: A = D · M_liver / 15.87 with D = 60 Gy by default (3781 MBq/kg), not corrected for \
        lung shunt; give --liver-mass-g or --liver-volume-ml. partition: as for y90.
        An activity may be given in GBq, MBq or mCi (--activity-gbq, --activity-mbq, --activity-mci; one of \
        them); results are always in GBq. --brief prints only the activity, the doses, the status and the checks.
        """)

    @Option(name: .customLong("method"), parsing: .unconditional, help: "standard | partition") var method: String
    @OptionGroup var options: PrescriptionOptions
    @Option(name: .customLong("liver-mass-g"), parsing: .unconditional, help: "Standard: liver mass (g).") var liverMassG: String?
    @Option(name: .customLong("liver-volume-ml"), parsing: .unconditional, help: "Standard: liver volume (mL).") var liverVolumeMl: String?

    var json: Bool { options.json }

    init() {}

    func evaluate() throws -> CommandOutput {
        switch method {
        case "standard":
            let cat = try RadioembolizationCatalogue.load()
            return try prescribe(device: "quiremspheres", method: .standard, options: options,
                                 liverMass: (liverMassG, liverVolumeMl), defaultTargetDoseGy: cat.holmiumStandard.targetDoseGy)
        case "partition":
            try refuse([("--liver-mass-g", liverMassG != nil), ("--liver-volume-ml", liverVolumeMl != nil)], method: "partition")
            return try prescribe(device: "quiremspheres", method: .partition, options: options)
        default:
            throw InputError(field: "--method", "must be standard or partition; got '\(method)'")
        }
    }
}
