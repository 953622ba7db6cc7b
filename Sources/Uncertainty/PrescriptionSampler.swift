// SPDX-License-Identifier: GPL-3.0-or-later
// Monte Carlo propagation of input uncertainty through a radioembolization prescription.
//
// The prescription fixes the activity from the measured inputs. Each sample asks: if the true lung
// shunt, masses and T/N ratio are a draw from their distributions and the activity actually delivered
// is a draw around the prescribed one, what doses does the patient receive? Every sample runs the
// same code as the nominal result: `Prescription.calculate` (forward, from the sampled activity) and
// the clinical policy's quantities and limits, with each hard limit compared by `CheckKind.holds`.
//
// Reproducibility: samples are drawn in blocks of `blockSize`; block b uses its own MT19937 stream
// seeded with `RandomStream.seed(seed, block: b)`, and draws its inputs in one fixed order. Blocks
// run on every core, their results are stored by index, and every statistic is computed afterwards
// over the samples in index order, so the result is the same for any number of cores.
import ClinicalPolicy
import DosecalcCore
import Foundation
import GSLKit
import Radioembolization

/// The inputs and outputs of every sample, by index.
public struct PrescriptionSamples: Sendable {
    public let count: Int
    /// Each sampled input by name (the prescription's field names; the delivered activity as `activityGBq`).
    public var inputs: [(name: String, values: [Double])]
    /// Each dose and activity of the result by name (`tumorDoseGy`, `lungDoseGy`, …).
    public var outputs: [(name: String, values: [Double])]
    /// Per hard limit of the nominal result, by check name: whether it failed in each sample.
    public var exceeded: [(name: String, failed: [Bool])]

    public init(count: Int, inputs: [(name: String, values: [Double])], outputs: [(name: String, values: [Double])],
                exceeded: [(name: String, failed: [Bool])]) {
        self.count = count
        self.inputs = inputs
        self.outputs = outputs
        self.exceeded = exceeded
    }
}

public struct PrescriptionSampler: Sendable {
    public static var blockSize: Int { SampleBlocks.blockSize }

    /// The validated prescription, as computed nominally.
    public let request: PrescriptionRequest
    /// The nominal result (with the policy's checks).
    public let nominal: PrescriptionResult
    /// The prescribed activity (GBq), the median of the delivered activity.
    public var activityGBq: Double { nominal.activityGBq }
    public let specification: UncertaintySpecification
    /// Whether the lung mass was measured (drawn) rather than the reporting convention (not drawn).
    public let lungMassMeasured: Bool
    public let catalogue: RadioembolizationCatalogue
    public let policy: ClinicalPolicy
    public let facts: PatientFacts
    /// The hard checks to follow: name, quantity, comparison and limit, from the nominal result.
    public let limits: [(name: String, quantity: LimitQuantity, kind: CheckKind, limit: Double)]

    /// The dose and activity fields of a prescription result that get an interval.
    public static let outputFields: [(name: String, value: @Sendable (PrescriptionResult) -> Double?)] = [
        ("activityGBq", { $0.activityGBq }),
        ("tumorDoseGy", { $0.tumorDoseGy }),
        ("normalLiverDoseGy", { $0.normalLiverDoseGy }),
        ("wholeNormalLiverDoseGy", { $0.wholeNormalLiverDoseGy }),
        ("perfusedLiverDoseGy", { $0.perfusedLiverDoseGy }),
        ("lungDoseGy", { $0.lungDoseGy }),
        ("cumulativeLungDoseGy", { $0.cumulativeLungDoseGy }),
    ]

    /// - Parameters:
    ///   - request: the prescription as validated for the nominal result;
    ///   - nominal: its result with the policy's checks (`ClinicalPolicy.apply`);
    ///   - device: the device, for the policy's modality.
    public init(request: PrescriptionRequest, nominal: PrescriptionResult, device: Device, specification: UncertaintySpecification,
                lungMassMeasured: Bool, catalogue: RadioembolizationCatalogue, policy: ClinicalPolicy, facts: PatientFacts) throws {
        try specification.validate()
        switch request.method {
        case .mird, .partition, .standard: break
        case .bsa, .empiric:
            let given: UncertaintyField = specification.lungShuntPercentSd > 0 ? .lungShuntPercentSd : specification.massCvPercent > 0 ? .massCvPercent
                : specification.tnRatioCvPercent > 0 ? .tnRatioCvPercent : .activityCvPercent
            throw InputError(field: given.rawValue,
                             "applies to the mird, partition and standard methods only: the \(request.method.rawValue) method sets the activity from \(request.method == .bsa ? "body surface area" : "tumour involvement"), not from a dose, so there is no dose to propagate the uncertainty through")
        }
        self.request = request
        self.nominal = nominal
        self.specification = specification
        self.lungMassMeasured = lungMassMeasured
        self.catalogue = catalogue
        self.policy = policy
        self.facts = facts
        let modality = ClinicalPolicy.modality(device: device)
        let computed = ClinicalPolicy.quantities(of: nominal, facts: facts)
        // Only limits on a quantity this calculation computes (a check whose quantity was not computed
        // stays "not evaluated" in the nominal result and gets no probability).
        limits = nominal.checks.compactMap { c in
            guard c.severity == .hard, let q = policy.quantity(ofCheck: c.name, modality: modality), computed[q] != nil else { return nil }
            return (c.name, q, c.kind, c.limit)
        }
    }

    /// One sample's drawn inputs.
    struct Draw {
        var lungShuntPercent: Double
        var perfusedMassG: Double?
        var tumorMassG: Double?
        var normalLiverMassG: Double?
        var wholeNormalLiverMassG: Double?
        /// The drawn non-perfused part of the whole normal liver (an input of its own).
        var normalLiverOutsideG: Double?
        var lungMassG: Double
        var tnRatio: Double?
        var activityGBq: Double
    }

    /// The names of the inputs that are drawn, in the order of `values(of:)`.
    var drawnInputNames: [String] {
        let s = specification
        var n: [String] = []
        if s.lungShuntPercentSd > 0 { n.append("lungShuntPercent") }
        if s.massCvPercent > 0 {
            if request.perfusedMassG != nil { n.append("perfusedMassG") }
            if request.tumorMassG != nil { n.append("tumorMassG") }
            if request.normalLiverMassG != nil { n.append("normalLiverMassG") }
            if let w = request.wholeNormalLiverMassG, w > (request.normalLiverMassG ?? 0) { n.append("normalLiverOutsideTreatedMassG") }
            if lungMassMeasured { n.append("lungMassG") }
        }
        if s.tnRatioCvPercent > 0, request.tnRatio != nil { n.append("tnRatio") }
        if s.activityCvPercent > 0 { n.append("activityGBq") }
        return n
    }

    func values(of d: Draw) -> [Double] {
        let s = specification
        var v: [Double] = []
        if s.lungShuntPercentSd > 0 { v.append(d.lungShuntPercent) }
        if s.massCvPercent > 0 {
            if let x = d.perfusedMassG { v.append(x) }
            if let x = d.tumorMassG { v.append(x) }
            if let x = d.normalLiverMassG { v.append(x) }
            if let x = d.normalLiverOutsideG { v.append(x) }
            if lungMassMeasured { v.append(d.lungMassG) }
        }
        if s.tnRatioCvPercent > 0, let x = d.tnRatio { v.append(x) }
        if s.activityCvPercent > 0 { v.append(d.activityGBq) }
        return v
    }

    /// Draws one sample's inputs from `stream`, in a fixed order; an input without uncertainty keeps
    /// its measured value and draws nothing.
    func draw(_ stream: RandomStream, activityGBq a: Double) throws -> Draw {
        let s = specification
        let r = request
        var d = Draw(lungShuntPercent: r.lungShuntPercent, perfusedMassG: r.perfusedMassG, tumorMassG: r.tumorMassG,
                     normalLiverMassG: r.normalLiverMassG, wholeNormalLiverMassG: r.wholeNormalLiverMassG, normalLiverOutsideG: nil,
                     lungMassG: r.lungMassG, tnRatio: r.tnRatio, activityGBq: a)
        d.lungShuntPercent = try s.drawLungShuntPercent(stream, measured: r.lungShuntPercent)
        if s.massCvPercent > 0 {
            d.perfusedMassG = r.perfusedMassG.map { s.drawMass(stream, measured: $0) }
            d.tumorMassG = r.tumorMassG.map { s.drawMass(stream, measured: $0) }
            d.normalLiverMassG = r.normalLiverMassG.map { s.drawMass(stream, measured: $0) }
            if let whole = r.wholeNormalLiverMassG {
                let rest = whole - (r.normalLiverMassG ?? 0)
                let drawnRest = rest > 0 ? s.drawMass(stream, measured: rest) : 0
                d.wholeNormalLiverMassG = (d.normalLiverMassG ?? 0) + drawnRest
                if rest > 0 { d.normalLiverOutsideG = drawnRest }
            }
            if lungMassMeasured { d.lungMassG = s.drawMass(stream, measured: r.lungMassG) }
        }
        d.tnRatio = r.tnRatio.map { s.drawTNRatio(stream, measured: $0) }
        d.activityGBq = s.drawActivity(stream, prescribed: a)
        return d
    }

    /// The prescription of one sample: the nominal request with the drawn inputs, forward from the
    /// drawn activity.
    func request(for d: Draw) -> PrescriptionRequest {
        var q = request
        q.lungShuntPercent = d.lungShuntPercent
        q.perfusedMassG = d.perfusedMassG
        q.tumorMassG = d.tumorMassG
        q.normalLiverMassG = d.normalLiverMassG
        q.wholeNormalLiverMassG = d.wholeNormalLiverMassG
        q.lungMassG = d.lungMassG
        q.tnRatio = d.tnRatio
        q.given = .activityGBq(d.activityGBq)
        // Masses drawn as masses; a volume error must not name a volume that was not drawn.
        q.givenAsVolume = []
        return q
    }

    /// Runs every sample at the prescribed activity × `activityScale` (1 for the prescription itself;
    /// the planner varies it over the same draws).
    /// `serial` runs the blocks one after the other on the calling thread (the tests compare it with
    /// the parallel run).
    public func run(activityScale: Double = 1, serial: Bool = false) throws -> PrescriptionSamples {
        let n = specification.samples
        let inputNames = drawnInputNames
        let outputFields = Self.outputFields.filter { f in f.value(nominal) != nil }
        let a = activityGBq * activityScale
        let parts = try SampleBlocks.run(samples: n, seed: specification.seed, serial: serial) { stream, count in
            var block = BlockResult(inputs: Array(repeating: [], count: inputNames.count),
                                    outputs: Array(repeating: [], count: outputFields.count),
                                    failed: Array(repeating: [], count: limits.count))
            for _ in 0..<count {
                let d = try draw(stream, activityGBq: a)
                let result: PrescriptionResult
                do { result = try Prescription.calculate(request(for: d), catalogue: catalogue, details: false) } catch let e as InputError {
                    block.outside += 1
                    if block.firstOutside == nil { block.firstOutside = e }
                    continue
                }
                for (k, x) in values(of: d).enumerated() { block.inputs[k].append(x) }
                for (k, f) in outputFields.enumerated() { block.outputs[k].append(f.value(result) ?? .nan) }
                for (k, l) in limits.enumerated() {
                    block.failed[k].append(ClinicalPolicy.quantity(l.quantity, of: result, facts: facts).map { !l.kind.holds($0, limit: l.limit) } ?? false)
                }
            }
            return block
        }
        var result = PrescriptionSamples(count: 0, inputs: inputNames.map { ($0, []) }, outputs: outputFields.map { ($0.name, []) },
                                         exceeded: limits.map { ($0.name, []) })
        var outside = 0
        var firstOutside: InputError?
        for r in parts {
            outside += r.outside
            if firstOutside == nil { firstOutside = r.firstOutside }
            for k in r.inputs.indices { result.inputs[k].values += r.inputs[k] }
            for k in r.outputs.indices { result.outputs[k].values += r.outputs[k] }
            for k in r.failed.indices { result.exceeded[k].failed += r.failed[k] }
        }
        if outside > 0, let e = firstOutside {
            throw InputError(field: Self.uncertaintyField(for: e.field).rawValue,
                             "draws inputs outside what the calculation accepts in \(outside) of \(n) samples (first: {\(e.field)} \(e.message)); give a smaller spread")
        }
        return PrescriptionSamples(count: n, inputs: result.inputs, outputs: result.outputs, exceeded: result.exceeded)
    }

    /// The uncertainty input responsible for a drawn input that the calculation refused.
    static func uncertaintyField(for field: String) -> UncertaintyField {
        switch PrescriptionField(rawValue: field) {
        case .lungShunt?: return .lungShuntPercentSd
        case .tnRatio?: return .tnRatioCvPercent
        case .activity?: return .activityCvPercent
        default: return .massCvPercent
        }
    }
}

/// One block's samples.
struct BlockResult: Sendable {
    var inputs: [[Double]]
    var outputs: [[Double]]
    var failed: [[Bool]]
    var outside = 0
    var firstOutside: InputError?
}
