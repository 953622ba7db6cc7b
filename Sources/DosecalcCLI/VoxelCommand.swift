// SPDX-License-Identifier: GPL-3.0-or-later
// `dosecalc voxel`: dose maps and dose–volume statistics from a SPECT/PET count or activity map and a
// label map (NIfTI-1). Parse, call, format: the formulas are in VoxelDosimetry, the limits in ClinicalPolicy.
import ArgumentParser
import ClinicalPolicy
import DosecalcCore
import Foundation
import ImagingIO
import Planning
import Radioembolization
import VoxelDosimetry

enum VoxelMethod: String, ClosedSet, ExpressibleByArgument {
    case ldm, kernel
    init?(argument: String) { self.init(rawValue: argument) }
}

struct VoxelCommand: EvaluatingCommand {
    static let configuration = CommandConfiguration(
        commandName: "voxel",
        abstract: "Voxel dose map and dose–volume statistics from a SPECT/PET map and a label map (NIfTI-1).",
        discussion: """
        Labels (default): 0 background, 1 normal liver, 2–99 tumours, 100 lung; --label-table renames or renumbers them. \
        Count map (patient-relative): --activity-gbq A --lung-shunt P spreads A × (1 − P/100) over the liver labels by counts. \
        Activity map (--map-unit bq-per-ml, absolute): decay-corrected from --acquisition-time to --treatment-time. \
        Local deposition: D = K · A_voxel / (density × voxel volume), with the device's K.
        """)

    @Option(name: .customLong("counts"), parsing: .unconditional, help: "Count or activity map (.nii or .nii.gz).") var counts: String
    @Option(name: .customLong("labels"), parsing: .unconditional, help: "Label map on the same grid (.nii or .nii.gz).") var labels: String
    @Option(name: .customLong("nuclide"), parsing: .unconditional, help: "y90 | ho166") var nuclide: String
    @Option(name: .customLong("device"), parsing: .unconditional, help: "Y-90: glass | resin (the dose factor K).") var device: String?
    @Option(name: .customLong("method"), parsing: .unconditional, help: "ldm (local deposition; default) | kernel") var method: String?
    @Option(name: .customLong("map-unit"), parsing: .unconditional, help: "counts (default) | bq-per-ml") var mapUnit: String?
    @Option(name: .customLong("activity-gbq"), parsing: .unconditional, help: "Injected activity (GBq), count maps.") var activityGBq: String?
    @Option(name: .customLong("lung-shunt"), parsing: .unconditional, help: "Lung shunt in percent, 0 ≤ LSF < 100; 'image': lung-label counts over lung and liver counts; 'planar': from the four planar count flags (count maps).") var lungShunt: String?
    @Option(name: .customLong("lung-anterior"), parsing: .unconditional, help: "With --lung-shunt planar: lung counts, anterior view.") var lungAnterior: String?
    @Option(name: .customLong("lung-posterior"), parsing: .unconditional, help: "With --lung-shunt planar: lung counts, posterior view.") var lungPosterior: String?
    @Option(name: .customLong("liver-anterior"), parsing: .unconditional, help: "With --lung-shunt planar: liver counts, anterior view.") var liverAnterior: String?
    @Option(name: .customLong("liver-posterior"), parsing: .unconditional, help: "With --lung-shunt planar: liver counts, posterior view.") var liverPosterior: String?
    @Option(name: .customLong("acquisition-time"), parsing: .unconditional, help: "Bq/mL maps: acquisition time, ISO 8601 with UTC offset.") var acquisitionTime: String?
    @Option(name: .customLong("treatment-time"), parsing: .unconditional, help: "Bq/mL maps: treatment time, ISO 8601 with UTC offset.") var treatmentTime: String?
    @Option(name: .customLong("density-g-per-ml"), parsing: .unconditional, help: "Liver and tumour density (g/mL; default the catalogue's 1.03).") var densityGPerMl: String?
    @Option(name: .customLong("lung-density-g-per-ml"), parsing: .unconditional, help: "Lung density (g/mL): the lung label carries the lung dose; without it, the 1 kg reporting mass.") var lungDensityGPerMl: String?
    @Option(name: .customLong("prior-lung-dose-gy"), parsing: .unconditional, help: "Lung dose of earlier treatments (Gy; default 0).") var priorLungDoseGy: String?
    @Option(name: .customLong("label-table"), parsing: .unconditional, help: "JSON label table: {\"labels\": [{\"value\", \"name\", \"kind\"}]}.") var labelTable: String?
    @Option(name: .customLong("v-gy"), parsing: .unconditional, help: "Extra V_d levels (Gy), comma-separated, e.g. 70,120.") var vGy: String?
    @Option(name: .customLong("dose-out"), parsing: .unconditional, help: "Write the dose map (Gy, float32 NIfTI, same grid).") var doseOut: String?
    @Option(name: .customLong("csv"), parsing: .unconditional, help: "Write the cumulative DVHs (percent of mass ≥ dose) as CSV.") var csv: String?
    @Option(name: .customLong("verify"), parsing: .unconditional, help: "A plan (dosecalc plan --json) to compare with the doses of this map, compartment by compartment.") var verify: String?
    @Option(name: .customLong("report"), parsing: .unconditional, help: "Write an HTML report: statistics, DVHs, verification, checks.") var report: String?
    @Option(name: .customLong("territories"), parsing: .unconditional, help: "With --anatomy-out: a territory map on the same grid (0 none, k territory k).") var territories: String?
    @Option(name: .customLong("anatomy-out"), parsing: .unconditional, help: "Write the planner's anatomy object (masses, T/N, lung shunt) as JSON.") var anatomyOut: String?
    @OptionGroup var patientFacts: PatientFactOptions
    @Flag(name: .customLong("json")) var json = false

    init() {}

    struct LabelResult: Encodable {
        let label: Int
        let name: String
        let kind: String
        let massG: Double
        let meanDoseGy: Double
        let d50Gy: Double
        let d70Gy: Double
        let d90Gy: Double
        let d95Gy: Double
        let v100Percent: Double
        let v150Percent: Double
        let vGyPercent: [String: Double]
        let minDoseGy: Double
        let maxDoseGy: Double
    }

    struct Result: Encodable {
        let nuclide: String
        let device: String
        let method: String
        let mapUnit: String
        let activityGBq: Double?
        let lungShuntPercent: Double?
        let liverActivityGBq: Double
        let voxelSizeMm: [Double]
        let voxelVolumeMl: Double
        let dims: [Int]
        let orientationFrom: String
        let labels: [LabelResult]
        let wholeNormalLiverDoseGy: Double?
        let lungDoseGy: Double?
        let lungMassG: Double?
        let cumulativeLungDoseGy: Double?
        let verification: VerificationResult?
        let status: Status
        let checks: [Check]
        let assumptions: [Assumption]
    }

    struct VerificationResult: Encodable {
        let planPatientId: String
        let planInputSha256: String
        let planStatus: String
        let compartments: [VerifiedCompartment]
    }

    /// The planned compartment doses of a `dosecalc plan --json` file (radioembolization).
    static func plannedCompartments(_ path: String) throws -> (id: String, sha: String, status: String, compartments: [PlannedCompartment]) {
        guard let data = FileManager.default.contents(atPath: path) else { throw InputError(field: "--verify", "'\(path)' cannot be read") }
        let tree: JSONValue
        do { tree = try JSONValue.parse(data) } catch { throw InputError(field: "--verify", "is not valid JSON: \(error.message)") }
        guard case .string(let id)? = tree["patientId"], case .string(let sha)? = tree["inputSha256"], case .string(let status)? = tree["status"],
              let re = tree["radioembolization"], case .array(let ters)? = re["territories"],
              case .number(let lung)? = re["lungDoseGy"], case .number(let whole)? = re["wholeNormalLiverDoseGy"] else {
            throw InputError(field: "--verify", "is not a radioembolization plan printed by dosecalc plan --json (patientId, inputSha256, status, radioembolization.territories, lungDoseGy, wholeNormalLiverDoseGy)")
        }
        var out: [PlannedCompartment] = []
        for t in ters {
            guard case .object(let doses)? = t["tumorDosesGy"] else { continue }
            if case .string(let p)? = t["prescription"], p == "excluded" { continue }
            for m in doses {
                guard case .number(let d) = m.value else { throw InputError(field: "--verify", "tumour \(m.key) has no dose in the plan") }
                guard !out.contains(where: { $0.name == m.key }) else {
                    throw InputError(field: "--verify", "the plan has two tumours named \(m.key); tumours are matched to labels by name")
                }
                out.append(PlannedCompartment(name: m.key, kind: .tumor, meanDoseGy: d))
            }
        }
        out.append(PlannedCompartment(name: "whole normal liver", kind: .wholeNormalLiver, meanDoseGy: whole))
        out.append(PlannedCompartment(name: "lung", kind: .lung, meanDoseGy: lung))
        return (id, sha, status, out)
    }

    static let fields: [String: String] = [
        VoxelField.counts.rawValue: "--counts", VoxelField.labels.rawValue: "--labels", VoxelField.activity.rawValue: "--activity-gbq",
        VoxelField.lungShunt.rawValue: "--lung-shunt", VoxelField.lungDensity.rawValue: "--lung-density-g-per-ml",
        VoxelField.labelTable.rawValue: "--label-table", VoxelField.acquisition.rawValue: "--acquisition-time",
    ]

    func evaluate() throws -> CommandOutput {
        let cat = try RadioembolizationCatalogue.load()
        // Closed sets first, so that a typo is refused before any file is read.
        guard nuclide == "y90" || nuclide == "ho166" else { throw InputError(field: "--nuclide", "must be one of y90, ho166; got \(quotedForMessage(nuclide))") }
        let deviceID: String
        if nuclide == "y90" {
            guard let d = device else { throw InputError(field: "--device", "is required for y90: glass or resin (it sets the dose factor K)") }
            guard d == "glass" || d == "resin" else { throw InputError(field: "--device", "must be one of glass, resin for y90; got \(quotedForMessage(d))") }
            deviceID = d
        } else {
            if let d = device, d != "quiremspheres" { throw InputError(field: "--device", "must be quiremspheres (or absent) for ho166; got \(quotedForMessage(d))") }
            deviceID = "quiremspheres"
        }
        let methodValue = method ?? "ldm"
        guard let m = VoxelMethod(rawValue: methodValue) else { throw InputError(field: "--method", "must be one of ldm, kernel; got \(quotedForMessage(methodValue))") }
        let unitValue = mapUnit ?? "counts"
        guard let unit = MapUnit(rawValue: unitValue) else { throw InputError(field: "--map-unit", "must be one of counts, bq-per-ml; got \(quotedForMessage(unitValue))") }
        let dev = try cat.device(deviceID)
        let nuc = try cat.nuclide(dev.nuclide)
        var activity: Double? = nil, lsf: Double? = nil, hours: Double? = nil, shuntFromImage = false
        var planarNote: Assumption? = nil
        let planarFlags: [(String, String?)] = [("--lung-anterior", lungAnterior), ("--lung-posterior", lungPosterior),
                                                ("--liver-anterior", liverAnterior), ("--liver-posterior", liverPosterior)]
        if lungShunt != "planar", let given = planarFlags.first(where: { $0.1 != nil }) {
            throw InputError(field: given.0, "applies with --lung-shunt planar only")
        }
        switch unit {
        case .counts:
            guard let a = activityGBq else { throw InputError(field: "--activity-gbq", "is required for a count map: the injected activity (GBq)") }
            activity = try PlausibleInputs.activityGBq.check(try parseNumber(a, field: "--activity-gbq"), field: "--activity-gbq")
            guard let l = lungShunt else { throw InputError(field: "--lung-shunt", "is required for a count map: lung shunt in percent, in [0, 100), 'image' to take it from the lung label's counts, or 'planar' with the four planar count flags") }
            if l == "image" { shuntFromImage = true } else if l == "planar" {
                if let missing = planarFlags.first(where: { $0.1 == nil }) {
                    throw InputError(field: missing.0, "is required with --lung-shunt planar: the four planar counts (lung and liver, anterior and posterior)")
                }
                let r = try LSFCommand.planar(lungAnterior: lungAnterior!, lungPosterior: lungPosterior!, liverAnterior: liverAnterior!, liverPosterior: liverPosterior!)
                lsf = try PlausibleInputs.lungShuntPercent.check(100 * r.fraction, field: "--lung-shunt")
                planarNote = Assumption(name: "lungShunt", value: lsf!, unit: "%", source: "from planar counts: GM lung / (GM lung + GM liver), GM = √(anterior × posterior), lung \(Format.number(r.gmLung, significant: 7)), liver \(Format.number(r.gmLiver, significant: 7)) (given as --lung-shunt planar); planar imaging overestimates the shunt against SPECT/CT (Allred et al., EJNMMI Res 2018)")
            } else {
                lsf = try PlausibleInputs.lungShuntPercent.check(try parsePercent(l, field: "--lung-shunt"), field: "--lung-shunt")
            }
            if acquisitionTime != nil || treatmentTime != nil {
                throw InputError(field: acquisitionTime != nil ? "--acquisition-time" : "--treatment-time", "applies to --map-unit bq-per-ml only")
            }
        case .bqPerMl:
            if activityGBq != nil || lungShunt != nil {
                throw InputError(field: activityGBq != nil ? "--activity-gbq" : "--lung-shunt", "applies to count maps only: a map in Bq/mL gives the activity itself")
            }
            guard let at = acquisitionTime, let tt = treatmentTime else {
                throw InputError(field: acquisitionTime == nil ? "--acquisition-time" : "--treatment-time", "is required for a map in Bq/mL (decay correction to the treatment time)")
            }
            let acq = try parseTime(at, field: "--acquisition-time"), treat = try parseTime(tt, field: "--treatment-time")
            let h = acq.timeIntervalSince(treat) / 3600
            guard h >= 0, h <= 30 * 24 else {
                throw InputError(field: "--acquisition-time", "must be 0 to 720 h after --treatment-time; got \(Format.number(h)) h")
            }
            hours = h
        }
        let rho = try densityGPerMl.map { try PlausibleInputs.densityGPerMl.check(try parseNumber($0, field: "--density-g-per-ml"), field: "--density-g-per-ml") } ?? cat.tissue.densityGPerMl
        let lungRho = try lungDensityGPerMl.map { try PlausibleRange(0.05, 1.2, "g/mL").check(try parseNumber($0, field: "--lung-density-g-per-ml"), field: "--lung-density-g-per-ml") }
        let prior = try priorLungDoseGy.map { try PlausibleInputs.priorLungDoseGy.check(try parseNumber($0, field: "--prior-lung-dose-gy"), field: "--prior-lung-dose-gy") } ?? 0
        let extraLevels: [Double] = try (vGy ?? "").split(separator: ",").map { t in
            try PlausibleInputs.doseGy.check(try parseNumber(String(t), field: "--v-gy"), field: "--v-gy")
        }
        let table: LabelTable
        if let path = labelTable {
            guard let data = FileManager.default.contents(atPath: path) else { throw InputError(field: "--label-table", "'\(path)' cannot be read") }
            table = try LabelTable.decode(data, field: "--label-table")
        } else { table = .standard }
        let countVolume: Volume, labelVolume: Volume
        do { countVolume = try NIfTI.read(counts) } catch let e as NIfTIError { throw InputError(field: "--counts", e.description) }
        do { labelVolume = try NIfTI.read(labels) } catch let e as NIfTIError { throw InputError(field: "--labels", e.description) }
        var input = VoxelDoseInput(counts: countVolume, labels: labelVolume, labelTable: table, mapUnit: unit, activityGBq: activity, lungShuntPercent: lsf,
                                   hoursTreatmentToAcquisition: hours, halfLifeH: nuc.halfLifeH, doseFactorGyKgPerGBq: dev.doseFactorGyKgPerGBq,
                                   tissueDensityGPerMl: rho, lungDensityGPerMl: lungRho, reportingLungMassG: cat.tissue.lungMassG)
        input.lungShuntFromImage = shuntFromImage
        var extraInputs: [String] = []
        var map: VoxelDoseMap
        do { map = try VoxelDose.localDeposition(input) } catch let e as InputError { throw e.renamed { Self.fields[$0] } }
        if shuntFromImage { lsf = map.lungShuntPercent }
        let ldmDoseGy = map.doseGy
        var kernelNotes: [Assumption] = []
        if m == .kernel {
            let (k, working) = try VoxelKernelFile.load().kernel(forGrid: countVolume.grid.spacingMm, nuclide: nuclide, field: "--method")
            let kinds = table.kindsByValue
            let r = VoxelDose.convolve(map, grid: countVolume.grid, kernel: k, workingSpacingMm: working, tissueDensityGPerMl: rho) {
                kinds[$0] == .normalLiver || kinds[$0] == .tumor
            }
            map = r.map
            if let h = working {
                kernelNotes.append(Assumption(name: "kernelWorkingGrid", value: h, unit: "mm",
                                              source: "the voxels (\(countVolume.grid.spacingMm.map { Format.number($0, significant: 4) }.joined(separator: " × ")) mm) have no shipped kernel of their own: the energy is resampled by overlap onto cubic voxels of this edge (each voxel's activity taken as uniform within it; energy kept exactly), convolved with that edge's kernel, and gathered back the same way"))
            }
            kernelNotes += [
                Assumption(name: "voxelKernel (\(Format.number(k.voxelSizeMm, significant: 4)) mm, soft tissue)", value: k.shares[665], unit: "share of a decay's energy kept in its own voxel", source: k.source),
                Assumption(name: "kernelMethod", value: 0, unit: "", source: "each voxel's local-deposition energy (the same K and half-life) is spread by the kernel's share of a decay's energy at each offset, S(u)/ΣS, over an 11 × 11 × 11 neighbourhood by FFT (FFTW, zero-padded, no wrap-around); dose = energy / mass in homogeneous soft tissue of the liver density; lung voxels keep the local deposition"),
                Assumption(name: "energyLeavingImage", value: r.lostPercent, unit: "%", source: "share of the liver's energy deposited outside the image grid"),
            ]
        }

        // Per label: the dose–volume statistics of the labels with a mass.
        var voxelsOf = [[Int]](repeating: [], count: 32768)
        for i in map.doseGy.indices where map.massG[i] > 0 { voxelsOf[map.label[i]].append(i) }
        var rows: [LabelResult] = []
        var dvhs: [(name: String, dvh: DoseVolumeHistogram)] = []
        var normalDose = 0.0, normalMass = 0.0
        for l in 0..<32768 where !voxelsOf[l].isEmpty {
            guard let e = table.entry(l) else { continue }
            let h = DoseVolumeHistogram(doses: voxelsOf[l].map { map.doseGy[$0] }, masses: voxelsOf[l].map { map.massG[$0] })
            let s = h.statistics
            if e.kind == .normalLiver { normalDose += s.meanDoseGy * s.massG; normalMass += s.massG }
            var extra: [String: Double] = [:]
            for g in extraLevels { extra[Format.number(g)] = h.v(g) }
            rows.append(LabelResult(label: l, name: e.name, kind: e.kind.rawValue, massG: s.massG, meanDoseGy: s.meanDoseGy, d50Gy: s.d50Gy, d70Gy: s.d70Gy,
                                    d90Gy: s.d90Gy, d95Gy: s.d95Gy, v100Percent: s.v100Percent, v150Percent: s.v150Percent, vGyPercent: extra,
                                    minDoseGy: s.minDoseGy, maxDoseGy: s.maxDoseGy))
            dvhs.append((e.name, h))
        }
        let wholeNL = normalMass > 0 ? normalDose / normalMass : nil
        var verification: VerificationResult? = nil
        if let path = verify {
            let plan = try Self.plannedCompartments(path)
            var nlDoses: [Double] = [], nlMasses: [Double] = []
            let kinds = table.kindsByValue
            for i in map.doseGy.indices where map.massG[i] > 0 && kinds[map.label[i]] == .normalLiver {
                nlDoses.append(map.doseGy[i]); nlMasses.append(map.massG[i])
            }
            let nlDVH = DoseVolumeHistogram(doses: nlDoses, masses: nlMasses)
            var compared: [VerifiedCompartment] = []
            for c in plan.compartments {
                switch c.kind {
                case .tumor:
                    guard let row = rows.first(where: { $0.kind == LabelKind.tumor.rawValue && $0.name == c.name }) else {
                        throw InputError(field: "--verify", "the plan's tumour \(c.name) has no tumour label of that name; name the tumour labels as in the plan with --label-table")
                    }
                    compared.append(Verification.compare(c, deliveredMean: row.meanDoseGy, deliveredD70: row.d70Gy, deliveredV100: row.v100Percent))
                case .wholeNormalLiver:
                    guard let w = wholeNL else { continue }
                    compared.append(Verification.compare(c, deliveredMean: w, deliveredD70: nlDVH.d(70), deliveredV100: nlDVH.v(100)))
                case .lung:
                    guard let l = map.lungDoseGy else { continue }
                    compared.append(Verification.compare(c, deliveredMean: l, deliveredD70: nil, deliveredV100: nil))
                }
            }
            verification = VerificationResult(planPatientId: plan.id, planInputSha256: plan.sha, planStatus: plan.status, compartments: compared)
            extraInputs = [path]
        }
        let checks = try ClinicalPolicy.load().evaluateImage(device: dev, wholeNormalLiverDoseGy: wholeNL, lungDoseGy: map.lungDoseGy, priorLungDoseGy: prior,
                                                             lungShuntPercent: lsf, facts: try patientFacts.facts()) { prescriptionRequirementFlags[$0] ?? $0 }
        let status = overallStatus(checks)
        var assumptions = [
            Assumption(name: "doseFactor (\(nuc.name), \(dev.name))", value: dev.doseFactorGyKgPerGBq, unit: "Gy·kg/GBq", source: dev.doseFactorSource),
            Assumption(name: "halfLife (\(nuc.name))", value: nuc.halfLifeH, unit: "h", source: nuc.halfLifeSource),
            Assumption(name: "tissueDensity", value: rho, unit: "g/mL", source: densityGPerMl != nil ? "given on the command line (--density-g-per-ml)" : cat.tissue.densitySource),
            Assumption(name: "voxelDoseMethod", value: 0, unit: "", source: m == .ldm ? "local deposition: each decay's energy is absorbed in its own voxel, D = K · A_voxel / (density × voxel volume); the same K and half-life as the compartment methods" : "dose-kernel convolution of the local-deposition energy (below)"),
            Assumption(name: "doseVolumeConventions", value: 0, unit: "", source: "mass-weighted; D_x is the least dose of the hottest x % of the mass (no interpolation between voxels); V_d is the percentage of the mass with a dose ≥ d"),
            Assumption(name: "lungDose", value: map.lungMassG ?? 0, unit: "g", source: map.lungMethod),
        ]
        assumptions += kernelNotes
        if let n = planarNote { assumptions.append(n) }
        if shuntFromImage, let l = lsf {
            assumptions.append(Assumption(name: "lungShunt", value: l, unit: "%", source: "from the image: lung-label counts over lung and liver counts (given as --lung-shunt image)"))
        }
        if lungRho != nil { assumptions.append(Assumption(name: "lungDensity", value: lungRho!, unit: "g/mL", source: "given on the command line (--lung-density-g-per-ml)")) }
        if !countVolume.grid.unitStated {
            assumptions.append(Assumption(name: "voxelUnit", value: 1, unit: "mm", source: "the NIfTI header does not state the spatial unit; millimetres are taken"))
        }
        let result = Result(nuclide: nuclide, device: deviceID, method: m.rawValue, mapUnit: unit.rawValue, activityGBq: activity, lungShuntPercent: lsf,
                            liverActivityGBq: map.liverActivityGBq, voxelSizeMm: countVolume.grid.spacingMm, voxelVolumeMl: countVolume.grid.voxelVolumeMl,
                            dims: countVolume.grid.dims, orientationFrom: countVolume.grid.transform, labels: rows, wholeNormalLiverDoseGy: wholeNL,
                            lungDoseGy: map.lungDoseGy, lungMassG: map.lungMassG, cumulativeLungDoseGy: map.lungDoseGy.map { $0 + prior },
                            verification: verification, status: status, checks: checks, assumptions: assumptions)
        var out = try CommandOutput(result: result, text: Self.text(result), status: status)
        out.inputFiles = [counts, labels] + (labelTable.map { [$0] } ?? []) + extraInputs
        if let path = csv {
            let top = max(1, (dvhs.map { $0.dvh.doses.first ?? 0 }.max() ?? 0).rounded(.up))
            let step = max(1, (top / 1000).rounded(.up))
            var lines = ["dose_gy," + dvhs.map { "\"\($0.name.replacingOccurrences(of: "\"", with: "\"\""))\"" }.joined(separator: ",")]
            var d = 0.0
            while d <= top + step / 2 {
                lines.append(Format.number(d) + "," + dvhs.map { Format.number($0.dvh.v(d), significant: 6) }.joined(separator: ","))
                d += step
            }
            out.files.append((path: path, contents: lines.joined(separator: "\n") + "\n", flag: "--csv"))
        }
        if let path = doseOut {
            let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("dosecalc-\(UUID().uuidString)" + (path.hasSuffix(".gz") ? ".nii.gz" : ".nii")).path
            defer { try? FileManager.default.removeItem(atPath: tmp) }
            do { try NIfTI.writeFloat32(map.doseGy.map { Float($0) }, like: counts, to: tmp, description: "dosecalc absorbed dose (Gy), \(m.rawValue)") } catch let e as NIfTIError {
                throw InputError(field: "--dose-out", e.description)
            }
            guard let bytes = FileManager.default.contents(atPath: tmp) else { throw InputError(field: "--dose-out", "the dose map could not be prepared") }
            out.binaryFiles.append((path: path, contents: bytes, flag: "--dose-out"))
        }
        if let path = report {
            var rowsForReport: [VoxelReportData.LabelRow] = []
            for (l, h) in zip(rows, dvhs) {
                rowsForReport.append(.init(name: l.name, stats: h.dvh.statistics, doses: h.dvh.doses, masses: h.dvh.masses))
            }
            let data = VoxelReportData(title: "Voxel dosimetry — \(nuclide == "y90" ? "Y-90" : "Ho-166") (\(dev.name))",
                                       subtitle: "\(m == .ldm ? "Local deposition" : "Dose-kernel convolution"); map \(counts); labels \(labels); grid \(countVolume.grid.dims.map(String.init).joined(separator: " × ")) voxels of \(countVolume.grid.spacingMm.map { Format.number($0, significant: 4) }.joined(separator: " × ")) mm",
                                       status: status, labels: rowsForReport, lungDoseGy: map.lungDoseGy, verification: verification?.compartments,
                                       verificationCaption: verification.map { "Plan of \($0.planPatientId) (input SHA-256 \($0.planInputSha256.prefix(16))…, plan \($0.planStatus)); delivered doses from this map." },
                                       checks: checks, assumptions: assumptions)
            out.files.append((path: path, contents: VoxelReport.html(data), flag: "--report"))
        }
        if let path = anatomyOut {
            var territoryOf: [Int]? = nil
            if let t = territories {
                let tv: Volume
                do { tv = try NIfTI.read(t) } catch let e as NIfTIError { throw InputError(field: "--territories", e.description) }
                if let m = countVolume.grid.mismatch(tv.grid) {
                    throw InputError(field: "--territories", "is not on the grid of --counts: \(m); resample one onto the other first")
                }
                territoryOf = try tv.values.map { v in
                    guard v.isFinite, v == v.rounded(), v >= 0, v <= 32767 else {
                        throw InputError(field: "--territories", "is not a territory map: a voxel holds \(v); territories are whole numbers 0 (none) to 32767")
                    }
                    return Int(v)
                }
                extraInputs.append(t)
            }
            let a = try ImageAnatomy.derive(map: map, ldmDoseGy: ldmDoseGy, counts: countVolume.values, table: table, territoryOf: territoryOf, field: "--anatomy-out")
            let source = "\(m == .ldm ? "local deposition" : "dose-kernel convolution") of \(URL(fileURLWithPath: counts).lastPathComponent) with labels \(URL(fileURLWithPath: labels).lastPathComponent)"
                + (territories.map { " and territories \(URL(fileURLWithPath: $0).lastPathComponent)" } ?? "")
            out.files.append((path: path, contents: try Self.anatomy(a, lungShuntPercent: lsf, imageSource: source, field: "--anatomy-out"), flag: "--anatomy-out"))
        } else if territories != nil {
            throw InputError(field: "--territories", "applies with --anatomy-out only")
        }
        return out
    }

    /// The planner's `anatomy` object (ImageAnatomy) as JSON.
    /// Each compartment carries its DVH shape (dose over the local-deposition mean at each mass percent,
    /// 0…100) so that the plan report can draw the image's DVHs at the planned doses.
    static func anatomy(_ a: ImageAnatomy, lungShuntPercent: Double?, imageSource: String, field: String) throws -> String {
        guard let lsf = lungShuntPercent else { throw InputError(field: field, "needs a count map with --lung-shunt (the planner's lung shunt)") }
        let territories: [[String: Any]] = a.territories.map { t in
            ["name": t.name, "normalLiverMassG": t.normalLiverMassG, "normalLiverDoseRatioAtMassPercent": t.normalLiverDoseRatioAtMassPercent,
             "tumors": t.tumors.map { ["name": $0.name, "massG": $0.massG, "tnRatio": $0.tnRatio, "doseRatioAtMassPercent": $0.doseRatioAtMassPercent] as [String: Any] }]
        }
        let anatomy: [String: Any] = ["lungShuntPercent": lsf, "wholeNormalLiverMassG": a.wholeNormalLiverMassG, "territories": territories,
                                      "imageSource": imageSource]
        let data = try JSONSerialization.data(withJSONObject: anatomy, options: [.prettyPrinted, .sortedKeys])
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    static func text(_ r: Result) -> String {
        var out = ["Voxel dosimetry — \(r.nuclide == "y90" ? "Y-90" : "Ho-166"), \(r.device), \(r.method == "ldm" ? "local deposition" : "dose-kernel convolution")",
                   "  grid \(r.dims.map(String.init).joined(separator: " × ")) voxels of \(r.voxelSizeMm.map { Format.number($0, significant: 4) }.joined(separator: " × ")) mm (orientation from the \(r.orientationFrom))"]
        out += TextTable.status(r.status, reasons: [])
        out.append("  " + "label".padding(22) + "mass g".padding(10) + "mean Gy".padding(10) + "D70 Gy".padding(10) + "D90 Gy".padding(10) + "V100 %".padding(9) + "V150 %".padding(9) + "min–max Gy")
        for l in r.labels {
            out.append("  " + String(l.name.prefix(21)).padding(22) + Format.fixed(l.massG, 1).padding(10) + Format.fixed(l.meanDoseGy, 1).padding(10)
                       + Format.fixed(l.d70Gy, 1).padding(10) + Format.fixed(l.d90Gy, 1).padding(10) + Format.fixed(l.v100Percent, 1).padding(9)
                       + Format.fixed(l.v150Percent, 1).padding(9) + "\(Format.fixed(l.minDoseGy, 1))–\(Format.fixed(l.maxDoseGy, 1))")
        }
        if let w = r.wholeNormalLiverDoseGy { out.append(TextTable.line("whole normal-liver dose", "\(Format.fixed(w, 1)) Gy")) }
        if let l = r.lungDoseGy { out.append(TextTable.line("lung dose", "\(Format.fixed(l, 2)) Gy (lung mass \(Format.number(r.lungMassG ?? 0, significant: 4)) g)")) }
        if let v = r.verification {
            out.append("Verification against the plan of \(v.planPatientId) (input SHA-256 \(v.planInputSha256.prefix(16))…, plan \(v.planStatus)):")
            out.append("  " + "compartment".padding(24) + "planned Gy".padding(12) + "delivered Gy".padding(14) + "difference".padding(20) + "D70 Gy planned/delivered".padding(26) + "V100 % planned/delivered")
            for c in v.compartments {
                let diff = "\(Format.fixed(c.differenceGy, 1)) Gy" + (c.differencePercent.map { " (\(Format.fixed($0, 1)) %)" } ?? "")
                let d70 = "\(Format.fixed(c.plannedD70Gy, 1)) / \(c.deliveredD70Gy.map { Format.fixed($0, 1) } ?? "—")"
                let v100 = "\(Format.fixed(c.plannedV100Percent, 0)) / \(c.deliveredV100Percent.map { Format.fixed($0, 1) } ?? "—")"
                out.append("  " + String(c.name.prefix(23)).padding(24) + Format.fixed(c.plannedMeanDoseGy, 1).padding(12) + Format.fixed(c.deliveredMeanDoseGy, 1).padding(14)
                           + diff.padding(20) + d70.padding(26) + v100)
            }
            out.append("  (the plan is a compartment plan: its dose is uniform in each compartment; whether each limit held is in the checks below)")
        }
        out += TextTable.checks(r.checks)
        out += TextTable.assumptions(r.assumptions)
        return out.joined(separator: "\n")
    }
}
