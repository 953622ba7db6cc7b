// SPDX-License-Identifier: GPL-3.0-or-later
// In-process timings of dosecalc for Benchmarks/run: a worker that reads one JSON request per line on
// standard input, runs the requested workload `iters` times and answers one JSON line with the time of
// each iteration (seconds) and the outputs, so that `run` can alternate it with a peer process
// (A B A B …). Inputs are loaded and models built outside the timed region unless the operation says
// otherwise. Run by hand: echo '{"op":"deb_solve","sizes":["100-300"],"iters":5}' | InProcessBench
import Chemoembolization
import ClinicalPolicy
import DosecalcCLI
import DosecalcCore
import Foundation
import GSLKit
import ImagingIO
import Planning
import Radioembolization
#if canImport(Glibc)
import Glibc
#endif

@inline(__always) func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + 1e-9 * Double(ts.tv_nsec)
}

@inline(never) func blackHole<T>(_ x: T) { withExtendedLifetime(x) {} }

struct BenchError: Error, CustomStringConvertible { let description: String }

/// Doubles stored row after row (native endianness), as numpy's `tofile` writes them.
func readDoubles(_ path: String) throws -> [Double] {
    let d = try Data(contentsOf: URL(fileURLWithPath: path))
    return d.withUnsafeBytes { Array($0.bindMemory(to: Double.self)) }
}

func writeDoubles(_ x: [Double], _ path: String) throws {
    try x.withUnsafeBufferPointer { try Data(buffer: $0).write(to: URL(fileURLWithPath: path)) }
}

final class Worker {
    var inputs: [String: [Double]] = [:]
    var models: [String: ElutionModel] = [:]
    var planInputs: [String: PlanInput] = [:]
    lazy var catalogue: RadioembolizationCatalogue = try! RadioembolizationCatalogue.load()
    lazy var policy: ClinicalPolicy = try! ClinicalPolicy.load()
    lazy var debParameters: DEBModelParameters = try! DEBModelParameters.load()
    lazy var beads: BeadCatalogue = try! BeadCatalogue.load()

    func input(_ path: String) throws -> [Double] {
        if let x = inputs[path] { return x }
        let x = try readDoubles(path)
        inputs[path] = x
        return x
    }

    func handle(_ req: [String: Any]) throws -> [String: Any] {
        guard let op = req["op"] as? String else { throw BenchError(description: "no op") }
        let iters = req["iters"] as? Int ?? 1
        var seconds: [Double] = []
        var out: [String: Any] = [:]
        switch op {
        case "ping":
            return ["ok": true]

        // ---- 1. partition ------------------------------------------------------------------------
        // rows: tumour mass g, normal-liver mass g, T/N, tumour dose Gy, lung shunt %
        case "partition_kernel":
            let x = try input(req["input"] as! String)
            let n = x.count / 5
            let k = try catalogue.device("glass").doseFactorGyKgPerGBq
            var res = [Double](repeating: 0, count: 4 * n)
            for _ in 0..<iters {
                let t0 = now()
                for i in 0..<n {
                    let lsf = x[5 * i + 4] / 100
                    let comps = [Compartment(name: "tumor", massKg: x[5 * i] / 1000, relativeConcentration: x[5 * i + 2]),
                                 Compartment(name: "normalLiver", massKg: x[5 * i + 1] / 1000, relativeConcentration: 1)]
                    let a = Dosimetry.partitionActivityGBq(doseGy: x[5 * i + 3], compartment: 0, lungShuntFraction: lsf, compartments: comps, doseFactor: k)
                    let d = Dosimetry.partitionDosesGy(activityGBq: a, lungShuntFraction: lsf, compartments: comps, doseFactor: k)
                    res[4 * i] = a
                    res[4 * i + 1] = d[0]
                    res[4 * i + 2] = d[1]
                    res[4 * i + 3] = Dosimetry.lungDoseGy(activityGBq: a, lungShuntFraction: lsf, lungMassKg: 1, doseFactor: k)
                }
                seconds.append(now() - t0)
                blackHole(res)
            }
            out["calls_per_iter"] = n
            if let dump = req["dump"] as? String { try writeDoubles(res, dump) }

        case "partition_library":
            // Prescription.calculate + ClinicalPolicy.apply: what `dosecalc y90` computes, with the
            // catalogue and the policy loaded once (no argument parsing, no JSON).
            let x = try input(req["input"] as! String)
            let n = min(x.count / 5, req["n"] as? Int ?? Int.max)
            let device = try catalogue.device("glass")
            let nuclide = try catalogue.nuclide(device.nuclide)
            var res = [Double](repeating: 0, count: 4 * n)
            for _ in 0..<iters {
                let t0 = now()
                for i in 0..<n {
                    var r = PrescriptionRequest(device: device, nuclide: nuclide, method: .partition, lungShuntPercent: x[5 * i + 4], tissue: catalogue.tissue)
                    r.tumorMassG = x[5 * i]
                    r.normalLiverMassG = x[5 * i + 1]
                    r.tnRatio = x[5 * i + 2]
                    r.given = .tumorDoseGy(x[5 * i + 3])
                    let c = try Prescription.calculate(r, catalogue: catalogue)
                    let p = policy.apply(to: c, device: device, facts: PatientFacts())
                    res[4 * i] = p.activityGBq
                    res[4 * i + 1] = p.tumorDoseGy!
                    res[4 * i + 2] = p.normalLiverDoseGy!
                    res[4 * i + 3] = p.lungDoseGy
                }
                seconds.append(now() - t0)
                blackHole(res)
            }
            out["calls_per_iter"] = n
            if let dump = req["dump"] as? String { try writeDoubles(res, dump) }

        case "command":
            // Dosecalc.invoke: the whole command in-process (argument parsing, reference data read
            // from disk, computation, clinical policy, JSON encoding), as `main` runs it.
            let argLists = req["args"] as! [[String]]
            var firstOut = ""
            var codes = Set<Int32>()
            for _ in 0..<iters {
                let t0 = now()
                for a in argLists {
                    let inv = Dosecalc.invoke(a)
                    codes.insert(inv.exitCode)
                    if firstOut.isEmpty { firstOut = inv.stdout }
                    blackHole(inv)
                }
                seconds.append(now() - t0)
            }
            out["calls_per_iter"] = argLists.count
            out["exit_codes"] = Array(codes).map { Int($0) }
            if let dump = req["dump"] as? String {
                // the stdout of every request, one JSON object per line (compact)
                var lines = ""
                for a in argLists {
                    let inv = Dosecalc.invoke(a)
                    if let o = inv.jsonObject, let d = try? JSONSerialization.data(withJSONObject: o) {
                        lines += String(decoding: d, as: UTF8.self) + "\n"
                    } else { lines += "{}\n" }
                }
                try lines.write(toFile: dump, atomically: true, encoding: .utf8)
            }

        // ---- 10. FFT convolution of a map with an 11^3 kernel (ImagingIO, FFTW) -----------------------
        case "fft_convolve":
            let n = req["n"] as! Int
            let x = try input(req["input"] as! String)
            let k = try readDoubles(req["kernel"] as! String)
            var y: [Double] = []
            for _ in 0..<iters {
                let t0 = now()
                y = FFTConvolution.convolve(x, shape: .init(n, n, n), kernel: k, kernelShape: .init(11, 11, 11))
                seconds.append(now() - t0)
                blackHole(y)
            }
            if let dump = req["dump"] as? String { try writeDoubles(y, dump) }

        // ---- 2. decay ---------------------------------------------------------------------------
        // rows: activity GBq, hours
        case "decay_kernel":
            let x = try input(req["input"] as! String)
            let n = x.count / 2
            let halfLife = try catalogue.nuclide(catalogue.device("glass").nuclide).halfLifeH
            var res = [Double](repeating: 0, count: n)
            for _ in 0..<iters {
                let t0 = now()
                for i in 0..<n { res[i] = Decay.activityGBq(x[2 * i], afterHours: x[2 * i + 1], halfLifeH: halfLife) }
                seconds.append(now() - t0)
                blackHole(res)
            }
            out["calls_per_iter"] = n
            out["half_life_h"] = halfLife
            if let dump = req["dump"] as? String { try writeDoubles(res, dump) }

        // ---- 3. DEB solve -----------------------------------------------------------------------
        case "deb_solve":
            let product = req["product"] as? String ?? "dc-bead"
            let sizes = req["sizes"] as! [String]
            let loading = req["loading"] as? Double ?? 37.5
            let dose = req["dose"] as? Double ?? 150
            let days = req["days"] as? Double ?? 28
            let mode = req["mode"] as? String ?? "full"
            let key = "\(product)|\(sizes)|\(loading)|\(dose)"
            let treatment = try DEBTreatment.evenSplit(product: try beads.product(product), sizes: sizes, loadingMgPerMl: loading, doseMg: dose)
            let model: ElutionModel
            if let m = models[key] { model = m } else {
                model = try ElutionModel(treatment: treatment, parameters: debParameters)
                models[key] = model
            }
            let options = SimulationOptions()
            var result: DEBResult? = nil
            var traj: ODETrajectory? = nil
            for _ in 0..<iters {
                let t0 = now()
                switch mode {
                case "full":        // what `dosecalc deb` computes (model built beforehand)
                    result = try model.simulate(days: days, options: options)
                case "build+full":  // what a planner pays per candidate
                    result = try ElutionModel(treatment: treatment, parameters: debParameters).simulate(days: days, options: options)
                case "integrate":   // the solver alone: DenseODESolver set-up + free steps into the trajectory
                    let m = model
                    let solver = try DenseODESolver(
                        dimension: m.layout.dimension, method: .msbdf, absTol: options.absTol, relTol: options.relTol,
                        absTolScale: m.toleranceScale, initialStep: 1e-6, timeUnit: "h",
                        rhs: { t, y, dydt in m.rhs(t, y, dydt) },
                        jacobian: { t, y, dfdy, dfdt in m.jacobian(t, y, dfdy, dfdt) })
                    traj = try solver.integrate(from: 0, y0: m.initialState, to: days * 24)
                default: throw BenchError(description: "mode \(mode)")
                }
                seconds.append(now() - t0)
                blackHole(result)
                blackHole(traj)
            }
            out["n"] = model.layout.dimension
            if let r = result {
                let s = r.summary
                var o: [String: Double] = [
                    "plasma_peak_ng_per_ml": s.plasmaPeakNgPerMl, "plasma_peak_time_h": s.plasmaPeakTimeH,
                    "tissue_peak_uM": s.tissuePeakUM, "plasma_auc_ng_h_per_ml": s.plasmaAucNgHPerMl,
                    "tissue_auc_ug_h_per_ml": s.tissueAucUgHPerMl, "eluted_end_pct": s.elutedPercentAtEnd,
                    "tissue_uM_end": r.tissueUM.last!, "mass_balance_rel": s.massBalanceRelativeError,
                ]
                for d in ["1", "7", "14", "28"] { if let v = s.elutedPercentByDay[d] { o["eluted_\(d)d_pct"] = v } }
                if let v = s.tissueUMAt30d { o["tissue_uM_30d"] = v }
                out["outputs"] = o
                out["steps"] = r.solver.steps
                out["rhs_evaluations"] = r.solver.rhsEvaluations
                out["jacobian_evaluations"] = r.solver.jacobianEvaluations
            }
            if let t = traj {
                out["steps"] = t.statistics.steps
                out["rhs_evaluations"] = t.statistics.rhsEvaluations
                out["jacobian_evaluations"] = t.statistics.jacobianEvaluations
            }

        // ---- 4/5. plans -------------------------------------------------------------------------
        case "plan_library":
            // Planner.plan on a decoded input: assessment, policy and catalogues loaded from disk (as
            // the planner does on every call), the searches, the stamp (reference-data SHA-256).
            let path = req["path"] as! String
            let input: PlanInput
            if let p = planInputs[path] { input = p } else {
                input = try PlanInput.decode(Data(contentsOf: URL(fileURLWithPath: path)))
                planInputs[path] = input
            }
            var r: PlanResult? = nil
            for _ in 0..<iters {
                let t0 = now()
                r = try Planner.plan(input)
                seconds.append(now() - t0)
                blackHole(r)
            }
            var o: [String: Double] = [:]
            if let re = r?.radioembolization {
                o["activity_gbq"] = re.activityGBq
                o["common_tumor_dose_gy"] = re.commonTumorDoseGy ?? .nan
                o["lung_dose_gy"] = re.lungDoseGy
                o["cumulative_lung_dose_gy"] = re.cumulativeLungDoseGy
                o["whole_normal_liver_dose_gy"] = re.wholeNormalLiverDoseGy
                o["normal_liver_dose_gy"] = re.territories.first?.normalLiverDoseGy ?? .nan
                o["fraction_of_target"] = re.fractionOfTargetAllowed ?? .nan
                out["binding"] = re.bindingConstraint
            }
            if let c = r?.chemoembolization {
                o["doxorubicin_mg"] = c.doxorubicinMg
                o["loading_mg_per_ml"] = c.loadingMgPerMl
                o["plasma_peak_ng_per_ml"] = c.plasmaPeakNgPerMl
                o["tissue_auc_ug_h_per_ml"] = c.tissueAucUgHPerMl
                o["bead_volume_ml"] = c.beadVolumeMl
                out["binding"] = c.bindingConstraint
            }
            out["outputs"] = o
            out["status"] = r.map { "\($0.status)" } ?? ""

        default:
            throw BenchError(description: "unknown op \(op)")
        }
        out["seconds"] = seconds
        return out
    }
}


let worker = Worker()
while let line = readLine() {
    if line.isEmpty { continue }
    var reply: [String: Any]
    do {
        guard let req = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            throw BenchError(description: "request is not an object")
        }
        reply = try worker.handle(req)
    } catch {
        reply = ["error": "\(error)"]
    }
    let data = try! JSONSerialization.data(withJSONObject: reply)
    print(String(decoding: data, as: UTF8.self))
    fflush(nil)
}
