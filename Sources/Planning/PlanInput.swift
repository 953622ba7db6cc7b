// SPDX-License-Identifier: GPL-3.0-or-later
import ClinicalPolicy
import DosecalcCore
import Foundation

/// `dosecalc plan --input patient.json`: one patient, their anatomy and the treatment asked for.
/// Every numeric field carries its unit in its name. See README "Planner input".
public struct PlanInput: Codable, Sendable {
    public var patient: Patient
    public var anatomy: Anatomy?
    public var treatment: Treatment
    /// Radioembolization: uncertain inputs, propagated by Monte Carlo; with `maxExceedanceProbability`
    /// the activity is chosen so that no hard limit is exceeded with a higher probability.
    public var uncertainty: UncertaintyInput?

    public struct UncertaintyInput: Codable, Sendable, Equatable {
        /// Standard deviation of the lung shunt (percentage points).
        public var lungShuntPercentSd: Double?
        /// Coefficients of variation (percent) of every mass, every T/N ratio and the delivered activity.
        public var massCvPercent: Double?
        public var tnRatioCvPercent: Double?
        public var activityCvPercent: Double?
        public var samples: Int?
        public var seed: UInt64?
        /// The largest allowed probability that any hard limit is exceeded, in (0, 0.5].
        public var maxExceedanceProbability: Double?
    }

    public struct Patient: Codable, Sendable {
        public var id: String
        /// Optional identification for the report header: name, date of birth (YYYY-MM-DD), medical record number.
        public var name: String?
        public var dateOfBirth: String?
        public var mrn: String?
        public var heightCm: Double
        public var weightKg: Double
        /// Selects the resin normal-liver limit; when absent the most cautious limit applies, and the plan says so.
        public var cirrhosis: Bool?
        /// Closed set: HCC, ICC, mCRC or other.
        public var histology: Histology?
        public var labs: Labs
        public var priorTreatments: [PriorTreatment]?
        /// Prior mediastinal/chest irradiation or cardiotoxic co-therapy (doxorubicin lifetime limit 450 mg/m²).
        public var priorChestIrradiation: Bool?
        /// BSA formula for mg/m² (default DuBois).
        public var bsaFormula: String?
    }

    public struct Labs: Codable, Sendable {
        public var bilirubinMgPerDl: Double?
        public var bilirubinUmolPerL: Double?
        public var albuminGPerDl: Double?
        public var albuminGPerL: Double?
        public var inr: Double
        public var ascites: String
        public var encephalopathy: String
    }

    public struct PriorTreatment: Codable, Sendable {
        public var kind: PriorTreatmentKind
        public var date: String?
        public var lungDoseGy: Double?
        public var doxorubicinMg: Double?
    }

    public struct Anatomy: Codable, Sendable {
        public var lungShuntPercent: Double
        public var lungMassG: Double?
        public var wholeNormalLiverMassG: Double
        public var territories: [Territory]
        /// Where an image-derived anatomy came from (written by `dosecalc voxel --anatomy-out`); shown in the report.
        public var imageSource: String?
    }

    public struct Territory: Codable, Sendable {
        public var name: String
        public var normalLiverMassG: Double
        public var tumors: [Tumor]
        /// lobar (default) | segmental | ablative; what the policy allows and lifts for each is data.
        public var intent: TreatmentIntent?
        /// Segmental or ablative: prescribe the mean dose to the whole perfused volume (tumours and
        /// normal liver, MIRD) instead of the tumour dose (Gy).
        public var perfusedDoseTargetGy: Double?
        /// true: the territory is listed (its liver counts in the whole normal liver) but not treated
        /// in this session; it receives no activity and the plan says so.
        public var excluded: Bool?
        /// The image's DVH shape of this territory's normal liver: r_k = D_k / mean dose, k = 0…100
        /// (see ImageDoseShape); written by `dosecalc voxel --anatomy-out`, drawn by the report.
        public var normalLiverDoseRatioAtMassPercent: [Double]?
    }

    public struct Tumor: Codable, Sendable {
        public var name: String
        public var massG: Double
        public var tnRatio: Double
        /// The image's DVH shape of this tumour (as for the normal liver).
        public var doseRatioAtMassPercent: [Double]?
    }

    public struct Treatment: Codable, Sendable {
        /// y90-glass | y90-resin | ho166 | deb
        public var modality: Modality
        public var tumorTargetGy: Double?
        public var calibrationTime: String?
        public var earliestTreatmentTime: String?
        public var latestTreatmentTime: String?
        /// Working hours in the local time of the treatment times, "HH:MM-HH:MM" (default 07:30-17:00,
        /// see README); a glass vial's time is chosen inside them.
        public var treatmentHours: String?
        /// How far below its target a dose may fall and still count as reaching it (percent, default 2).
        public var prescriptionTolerancePercent: Double?
        /// Activity left in vial and lines, percent (default: the device's published median).
        public var residualPercent: Double?
        /// Overrides of the constraint set's normal-liver limits (Gy), reported as given.
        public var wholeNormalLiverLimitGy: Double?
        public var perfusedNormalLiverLimitGy: Double?
        /// Glass: the vial sizes that can be ordered (GBq at calibration); default: the catalogue's.
        public var vialSizesGBq: [Double]?
        /// The product's usable time after calibration, [earliest, latest] hours, instead of the
        /// catalogue's (which is marked unverified where no vendor document was checked).
        public var usableWindowHoursAfterCalibration: [Double]?
        // DEB
        public var product: String?
        public var sizes: [String]?
        public var targetDoxorubicinMg: Double?
        public var plasmaPeakLimitNgPerMl: Double?
        /// Which plasma peak the limit applies to: "nominal" (the model's value, the default) or "upper95"
        /// (the upper end of its 95 % prediction interval from the fitted parameters' uncertainty).
        public var plasmaPeakBasis: PlasmaPeakBasis?
        public var maxBeadVolumeMl: Double?
        public var loadingsMgPerMl: [Double]?
    }

    /// Decodes the input; a missing field, a wrong type, an unknown key, a duplicated key or anything
    /// that is not strict JSON is an `InputError` naming the field path.
    public static func decode(_ data: Data) throws -> PlanInput {
        let tree: JSONValue
        do { tree = try JSONValue.parse(data) } catch {
            throw InputError(field: error.path.isEmpty ? "--input" : error.path, "is not strict JSON: \(error.message)\(error.line.map { " (line \($0), column \(error.column ?? 0))" } ?? "")")
        }
        try rejectUnknownKeys(tree, schema: PlanInput.schema, path: "")
        do {
            // Decoded from the parsed tree written back: numbers round-trip exactly (shortest form), and a
            // negative zero becomes 0, so that "-0" can never reach the output.
            return try JSONDecoder().decode(PlanInput.self, from: tree.serialized())
        } catch let DecodingError.keyNotFound(key, ctx) {
            throw InputError(field: fieldPath(ctx.codingPath + [key]), "is required")
        } catch let DecodingError.typeMismatch(type, ctx) {
            throw InputError(field: fieldPath(ctx.codingPath), "must be \(typeWords(type))")
        } catch let DecodingError.valueNotFound(type, ctx) {
            throw InputError(field: fieldPath(ctx.codingPath), "must be \(typeWords(type)), not null")
        } catch let DecodingError.dataCorrupted(ctx) {
            throw InputError(field: fieldPath(ctx.codingPath), ctx.debugDescription)
        }
    }

    /// A JSON type in words.
    static func typeWords(_ type: Any.Type) -> String {
        switch type {
        case is Double.Type, is Int.Type: return "a number"
        case is Bool.Type: return "true or false"
        case is String.Type: return "a string"
        default:
            let n = "\(type)"
            if n.hasPrefix("Array") { return "an array" }
            if n.hasPrefix("Dictionary") { return "an object" }
            return "a value of the listed kind"
        }
    }

    static func fieldPath(_ keys: [any CodingKey]) -> String {
        var s = ""
        for k in keys {
            if let i = k.intValue { s += "[\(i)]" } else { s += (s.isEmpty ? "" : ".") + k.stringValue }
        }
        return s.isEmpty ? "input" : s
    }

    /// The accepted keys, so that a misspelt key ("bilirubinMgDl") is refused instead of ignored.
    indirect enum Schema: Sendable { case object([String: Schema]); case array(Schema); case leaf }
    static let schema: Schema = .object([
        "patient": .object([
            "id": .leaf, "name": .leaf, "dateOfBirth": .leaf, "mrn": .leaf, "heightCm": .leaf, "weightKg": .leaf, "cirrhosis": .leaf, "histology": .leaf,
            "priorChestIrradiation": .leaf, "bsaFormula": .leaf,
            "labs": .object(["bilirubinMgPerDl": .leaf, "bilirubinUmolPerL": .leaf, "albuminGPerDl": .leaf, "albuminGPerL": .leaf,
                             "inr": .leaf, "ascites": .leaf, "encephalopathy": .leaf]),
            "priorTreatments": .array(.object(["kind": .leaf, "date": .leaf, "lungDoseGy": .leaf, "doxorubicinMg": .leaf])),
        ]),
        "anatomy": .object([
            "lungShuntPercent": .leaf, "lungMassG": .leaf, "wholeNormalLiverMassG": .leaf, "imageSource": .leaf,
            "territories": .array(.object(["name": .leaf, "normalLiverMassG": .leaf, "intent": .leaf, "perfusedDoseTargetGy": .leaf, "excluded": .leaf,
                                           "normalLiverDoseRatioAtMassPercent": .leaf,
                                           "tumors": .array(.object(["name": .leaf, "massG": .leaf, "tnRatio": .leaf, "doseRatioAtMassPercent": .leaf]))])),
        ]),
        "treatment": .object([
            "modality": .leaf, "tumorTargetGy": .leaf, "calibrationTime": .leaf, "earliestTreatmentTime": .leaf,
            "latestTreatmentTime": .leaf, "treatmentHours": .leaf, "prescriptionTolerancePercent": .leaf, "residualPercent": .leaf, "wholeNormalLiverLimitGy": .leaf, "perfusedNormalLiverLimitGy": .leaf, "vialSizesGBq": .leaf, "usableWindowHoursAfterCalibration": .leaf, "product": .leaf, "sizes": .leaf,
            "targetDoxorubicinMg": .leaf, "plasmaPeakLimitNgPerMl": .leaf, "plasmaPeakBasis": .leaf, "maxBeadVolumeMl": .leaf, "loadingsMgPerMl": .leaf,
        ]),
        "uncertainty": .object(["lungShuntPercentSd": .leaf, "massCvPercent": .leaf, "tnRatioCvPercent": .leaf, "activityCvPercent": .leaf,
                                "samples": .leaf, "seed": .leaf, "maxExceedanceProbability": .leaf]),
        "description": .leaf, "note": .leaf,
    ])

    static func rejectUnknownKeys(_ value: JSONValue, schema: Schema, path: String) throws {
        switch schema {
        case .leaf: return
        case .array(let element):
            if case .null = value { return }
            guard case .array(let a) = value else { throw InputError(field: path, "must be an array") }
            for (i, v) in a.enumerated() { try rejectUnknownKeys(v, schema: element, path: "\(path)[\(i)]") }
        case .object(let keys):
            if case .null = value, !path.isEmpty { return }
            guard case .object(let members) = value else { throw InputError(field: path.isEmpty ? "input" : path, "must be an object") }
            for m in members {
                let p = path.isEmpty ? m.key : "\(path).\(m.key)"
                guard let sub = keys[m.key] else {
                    throw InputError(field: p, "is not a known field; known here: \(keys.keys.sorted().joined(separator: ", "))")
                }
                try rejectUnknownKeys(m.value, schema: sub, path: p)
            }
        }
    }
}

/// What the plan's plasma-peak limit is applied to: the model's peak (`nominal`, the default) or the
/// upper end of its 95 % prediction interval (`upper95`). A closed set.
public enum PlasmaPeakBasis: String, ClosedSet {
    case nominal
    case upper95
}
