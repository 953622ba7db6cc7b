// SPDX-License-Identifier: GPL-3.0-or-later
import ClinicalPolicy
import DosecalcCore
import Foundation

/// The facts of one plan file (the output of `dosecalc plan --json`) that a ledger records.
///
/// The file is read as generic strict JSON (`JSONValue.parse`) and only the fields below are looked
/// at, so that new keys in the plan output do not break the ledger. Every field that is read is
/// checked for its type and range; a wrong one is an `InputError` on `--from` that names the file
/// and the JSON path.
public struct PlanRecord: Sendable, Equatable {
    /// The plan file as named on the command line (for messages only).
    public var file: String
    public var patientID: String
    public var modality: Modality
    /// ok | warning | infeasible | contraindicated
    public var status: Status
    /// Radioembolization: the planned total activity (GBq) and that plan's lung dose (Gy).
    public var plannedActivityGBq: Double?
    public var plannedLungDoseGy: Double?
    /// Radioembolization: the planned treatment time (ISO 8601 with offset), when the plan has one.
    public var treatmentTime: String?
    /// DEB-TACE: the planned doxorubicin (mg).
    public var plannedDoxorubicinMg: Double?
    public var bsaM2: Double?
    /// Provenance written by newer planners; nil when the plan file does not have them.
    public var inputSha256: String?
    public var dosecalcVersion: String?
    public var calculatedAt: String?
    /// The whole plan file, as given.
    public var text: String

    /// The field that plan-file errors are reported on.
    public static let flag = "--from"
    /// Plan files larger than this are refused before they are parsed.
    public static let maximumBytes = 64 << 20

    /// The kind of treatment this plan records as.
    public var kind: PriorTreatmentKind {
        switch modality {
        case .y90Glass: return .y90Glass
        case .y90Resin: return .y90Resin
        case .ho166: return .ho166
        case .deb: return .debTace
        }
    }

    /// Whether the plan was deliverable as computed (ok or warning).
    public var isDeliverable: Bool { status == .ok || status == .warning }

    /// Reads and checks the plan file at `path`.
    public static func read(path: String) throws -> PlanRecord {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw InputError(field: flag, "cannot read \(quoted(path)): the file does not exist; give the file written by dosecalc plan --json")
        }
        guard !isFolder.boolValue else {
            throw InputError(field: flag, "\(quoted(path)) is a folder; give the file written by dosecalc plan --json")
        }
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        guard attributes?[.type] as? FileAttributeType == .typeRegular else {
            throw InputError(field: flag, "\(quoted(path)) is not a regular file; give the file written by dosecalc plan --json")
        }
        if let size = attributes?[.size] as? Int, size > maximumBytes {
            throw InputError(field: flag, "\(quoted(path)) is larger than \(maximumBytes >> 20) MB; it is not a plan written by dosecalc plan --json")
        }
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw InputError(field: flag, "cannot read \(quoted(path)); check that it is a readable file")
        }
        return try parse(data, file: path)
    }

    /// Checks the plan JSON `data`; `file` names it in messages.
    public static func parse(_ data: Data, file: String) throws -> PlanRecord {
        let f = quoted(file)
        guard data.count <= maximumBytes else {
            throw InputError(field: flag, "\(f) is larger than \(maximumBytes >> 20) MB; it is not a plan written by dosecalc plan --json")
        }
        let tree: JSONValue
        do { tree = try JSONValue.parse(data) } catch {
            throw InputError(field: flag, "\(f) is not strict JSON: \(error.description)")
        }
        guard case .object = tree else {
            throw InputError(field: flag, "\(f): the top level must be a JSON object (the output of dosecalc plan --json)")
        }
        let reader = Reader(file: f)

        let patientID = try reader.string(tree, "patientId")
        try checkPatientID(patientID, field: flag, what: "\(f) at patientId")
        let modalityText = try reader.string(tree, "modality")
        guard let modality = Modality(rawValue: modalityText) else {
            throw reader.error("modality", "must be one of \(Modality.allCases.map(\.rawValue).joined(separator: ", ")); got \(quotedForMessage(modalityText))")
        }
        let statusText = try reader.string(tree, "status")
        guard let status = Status(rawValue: statusText) else {
            throw reader.error("status", "must be one of ok, warning, infeasible, contraindicated; got \(quotedForMessage(statusText))")
        }

        var record = PlanRecord(file: file, patientID: patientID, modality: modality, status: status, text: String(decoding: data, as: UTF8.self))

        if modality.isRadioembolization {
            let re = try reader.object(tree, "radioembolization")
            record.plannedActivityGBq = try reader.number(re, "radioembolization.activityGBq", PlausibleRange(0, 1000, "GBq"))
            record.plannedLungDoseGy = try reader.number(re, "radioembolization.lungDoseGy", PlausibleRange(0, 1000, "Gy"))
            if let t = try reader.optionalString(re, "radioembolization.treatmentTime") {
                _ = try LedgerDate.fromTimestamp(t, field: flag, what: "\(f) at radioembolization.treatmentTime")
                record.treatmentTime = t
            }
        } else {
            let c = try reader.object(tree, "chemoembolization")
            record.plannedDoxorubicinMg = try reader.number(c, "chemoembolization.doxorubicinMg", PlausibleRange(0, 2000, "mg"))
        }
        if let assessment = tree["assessment"], assessment != .null {
            guard case .object = assessment else { throw reader.error("assessment", "must be an object") }
            if let v = assessment["bsaM2"], v != .null {
                record.bsaM2 = try reader.number(assessment, "assessment.bsaM2", PlausibleRange(0.1, 5, "m²"))
            }
        }
        if let sha = try reader.optionalString(tree, "inputSha256") {
            guard sha.utf8.count == 64, sha.utf8.allSatisfy({ isHexDigit($0) }) else {
                throw reader.error("inputSha256", "must be a SHA-256 digest written as 64 hexadecimal digits; got \(quotedForMessage(sha))")
            }
            record.inputSha256 = sha.lowercased()
        }
        if let v = try reader.optionalString(tree, "dosecalcVersion") {
            guard !v.isEmpty, v.count <= 200, !v.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                throw reader.error("dosecalcVersion", "must be a version text of 1 to 200 characters on one line")
            }
            record.dosecalcVersion = v
        }
        if let c = try reader.optionalString(tree, "calculatedAt") {
            do { _ = try Timestamp.parse(c, field: "calculatedAt") } catch let e as InputError {
                throw reader.error("calculatedAt", e.message)
            }
            record.calculatedAt = c
        }
        return record
    }

    /// `'path'` on one line.
    static func quoted(_ path: String) -> String { quotedForMessage(path, limit: 200) }

    private static func isHexDigit(_ c: UInt8) -> Bool {
        (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) || (c | 0x20 >= UInt8(ascii: "a") && c | 0x20 <= UInt8(ascii: "f"))
    }

    /// Reads typed members of the plan tree; every refusal names the file and the JSON path.
    private struct Reader {
        let file: String

        func error(_ path: String, _ message: String) -> InputError {
            InputError(field: PlanRecord.flag, "\(file) at \(path): \(message); is it the output of dosecalc plan --json?")
        }

        private func member(_ object: JSONValue, _ path: String) -> JSONValue? {
            object[String(path.split(separator: ".").last ?? "")]
        }

        func string(_ object: JSONValue, _ path: String) throws -> String {
            guard let v = member(object, path) else { throw error(path, "is missing") }
            guard case .string(let s) = v else { throw error(path, "must be a string; got \(kind(v))") }
            return s
        }

        func optionalString(_ object: JSONValue, _ path: String) throws -> String? {
            guard let v = member(object, path), v != .null else { return nil }
            guard case .string(let s) = v else { throw error(path, "must be a string or absent; got \(kind(v))") }
            return s
        }

        func object(_ object: JSONValue, _ path: String) throws -> JSONValue {
            guard let v = member(object, path) else { throw error(path, "is missing: the plan holds no result of this kind to record") }
            if v == .null { throw error(path, "is null: the plan holds no result of this kind to record") }
            guard case .object = v else { throw error(path, "must be an object; got \(kind(v))") }
            return v
        }

        func number(_ object: JSONValue, _ path: String, _ range: PlausibleRange) throws -> Double {
            guard let v = member(object, path) else { throw error(path, "is missing") }
            guard case .number(let x) = v else { throw error(path, "must be a number in \(range.text); got \(kind(v))") }
            guard range.contains(x) else { throw error(path, "must be in \(range.text); got \(Format.number(x))") }
            return x
        }

        private func kind(_ v: JSONValue) -> String {
            switch v {
            case .null: return "null"
            case .bool: return "true or false"
            case .number: return "a number"
            case .string: return "a string"
            case .array: return "an array"
            case .object: return "an object"
            }
        }
    }
}

/// A patient identifier: not empty, at most 64 characters, no control characters (the planner's rule
/// for `patient.id`).
func checkPatientID(_ id: String, field: String, what: String) throws {
    guard !id.trimmingCharacters(in: .whitespaces).isEmpty else { throw InputError(field: field, "\(what): the patient identifier must not be empty") }
    guard id.count <= 64 else { throw InputError(field: field, "\(what): the patient identifier must be at most 64 characters; got \(id.count)") }
    guard !id.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
        throw InputError(field: field, "\(what): the patient identifier must not contain control characters such as a line break")
    }
}
