// SPDX-License-Identifier: GPL-3.0-or-later
// The published data points a refit of the DEB elution model would use, as data:
// `reference-data/deb-calibration/*.json`, one file per source study. Every point carries its value,
// unit, conditions, role (fit or validation) and citation (DOI or PubMed id and a locator in the paper),
// and says whether it was checked against the primary source. Decoding is strict (unknown keys and
// duplicate keys refused, every closed set an enum) and `validate()` refuses a whole file whose values
// are not usable (non-finite, negative SD, percent outside [0, 100], non-positive times, duplicates).
// See reference-data/deb-calibration/README.md for the schema.
import DosecalcCore
import Foundation

// MARK: - Closed sets

/// The bead product of a data point; the raw values are the product ids of `products/deb-beads.json`.
public enum CalibrationProduct: String, ClosedSet {
    case dcBead = "dc-bead"
    case lifePearl = "lifepearl"
    case hepaSphere = "hepasphere"
    case tandem

    /// The product's name as printed on it.
    public var displayName: String {
        switch self {
        case .dcBead: return "DC Bead"
        case .lifePearl: return "LifePearl"
        case .hepaSphere: return "HepaSphere"
        case .tandem: return "Tandem"
        }
    }
}

/// Where and how the drug was released.
public enum CalibrationRegime: String, ClosedSet {
    /// In vitro, finite well-mixed volume: elution stops at an ion-exchange equilibrium plateau.
    case inVitroClosed
    /// In vitro, sink conditions (e.g. USP apparatus II): elution goes to completion.
    case inVitroSink
    /// In vitro, release through a static diffusion layer (e.g. the T-apparatus).
    case inVitroStatic
    /// Properties of the beads themselves (loading, capacity, diameter), not an elution.
    case beadCharacterization
    /// In an animal or a patient.
    case inVivo
}

/// What was measured. The unit is part of the name where it is fixed; `allowedUnits` lists it.
public enum CalibrationQuantity: String, ClosedSet {
    /// Time to release 75 % of the drug finally released (closed vessel).
    case t75Min
    /// Percent of the loaded drug released at the closed-vessel plateau.
    case plateauPercent
    /// Percent of the loaded drug released at `timeH`.
    case elutedPercent
    /// Percent of the offered drug taken up by the beads at `timeH`.
    case loadedPercent
    /// Decrease of the mean bead diameter on loading, percent of the unloaded diameter.
    case diameterReductionPercent
    /// Time by which elution is complete.
    case timeToCompleteElutionH
    /// Coefficient of determination of a first-order fit of the release curve.
    case firstOrderFitR2
    /// Release half-life.
    case halfLifeH
    /// Tissue doxorubicin concentration (µM).
    case tissueUM
    /// Diameter of the drug-impregnated tissue around an occluded vessel.
    case impregnatedDiameterMm
    /// Peak plasma doxorubicin concentration.
    case plasmaCmaxNgPerMl
    /// Area under the plasma concentration curve; the unit varies between papers (see `unit`, `unitCertain`).
    case plasmaAuc
    /// Maximum drug loading per mL of beads.
    case loadingCapacityMgPerMl
    /// Bead diameter before loading.
    case beadDiameterUm
    /// Bead diameter after loading.
    case loadedBeadDiameterUm

    /// The units a value of this quantity may carry.
    public var allowedUnits: Set<CalibrationUnit> {
        switch self {
        case .t75Min: [.min]
        case .plateauPercent, .elutedPercent, .loadedPercent, .diameterReductionPercent: [.percent]
        case .timeToCompleteElutionH, .halfLifeH: [.h]
        case .firstOrderFitR2: [.one]
        case .tissueUM: [.uM]
        case .impregnatedDiameterMm: [.mm]
        case .plasmaCmaxNgPerMl: [.ngPerMl]
        case .plasmaAuc: [.ngHPerMl, .ngMinPerMl]
        case .loadingCapacityMgPerMl: [.mgPerMl]
        case .beadDiameterUm, .loadedBeadDiameterUm: [.um]
        }
    }

    /// Whether a value of this quantity is taken at a time point (`timeH` required), is itself a time or
    /// a summary (`timeH` must be null).
    public var needsTimePoint: Bool {
        switch self {
        case .plateauPercent, .elutedPercent, .loadedPercent, .tissueUM: true
        default: false
        }
    }
}

/// Units, spelt in ASCII.
public enum CalibrationUnit: String, ClosedSet {
    case min
    case h
    case percent
    case uM
    case ngPerMl = "ng/mL"
    case ngHPerMl = "ng*h/mL"
    case ngMinPerMl = "ng*min/mL"
    case mgPerMl = "mg/mL"
    case um
    case mm
    /// Dimensionless.
    case one = "1"

    /// The unit as printed after a number: "%", "µM", "ng·h/mL"; empty when dimensionless.
    public var symbol: String {
        switch self {
        case .min: return "min"
        case .h: return "h"
        case .percent: return "%"
        case .uM: return "µM"
        case .ngPerMl: return "ng/mL"
        case .ngHPerMl: return "ng·h/mL"
        case .ngMinPerMl: return "ng·min/mL"
        case .mgPerMl: return "mg/mL"
        case .um: return "µm"
        case .mm: return "mm"
        case .one: return ""
        }
    }
}

/// What a refit does with a point: fit parameters to it, or only compare the fitted model with it.
public enum CalibrationRole: String, ClosedSet {
    case fit
    case validation
}

/// How the value is to be read.
public enum CalibrationValueKind: String, ClosedSet {
    /// A reported mean or single value.
    case measured
    /// Reported as "about" a value.
    case approximate
    /// The true value is above `value` (e.g. "over 1,500 h", "> 99 %").
    case lowerBound
    /// The true value is below `value` (e.g. "in less than 4 h").
    case upperBound
}

public enum CalibrationSpecies: String, ClosedSet {
    case human
    case pig
}

public enum CalibrationAgitation: String, ClosedSet {
    /// USP dissolution apparatus II (paddle).
    case uspPaddle
    /// Release through a static diffusion layer (T-apparatus).
    case staticDiffusionLayer
    case shaken
    case stirred
    case flowThrough
}

public enum CalibrationMedium: String, ClosedSet {
    case pbs
    case saline
    case water
}

/// The keys of `conditions` that may be null; a null one must be listed as `unknown` or `notApplicable`.
public enum CalibrationConditionKey: String, ClosedSet {
    case loadingMgPerMl, beadVolumeMl, medium, mediumMl, agitation, temperatureC, doseMgMin, doseMgMax, species
}

// MARK: - Records

/// The experimental conditions of a point. Every condition that is null is listed in `unknown` (the
/// source does not give it, or it could not be read) or `notApplicable` (e.g. a dose in vitro).
public struct CalibrationConditions: Sendable, Codable, Equatable {
    /// mg doxorubicin per mL of beads.
    public let loadingMgPerMl: Double?
    /// Volume of beads (mL).
    public let beadVolumeMl: Double?
    public let medium: CalibrationMedium?
    /// Volume of release medium (mL).
    public let mediumMl: Double?
    public let agitation: CalibrationAgitation?
    public let temperatureC: Double?
    /// Smallest and largest dose given (mg); equal when one dose was given.
    public let doseMgMin: Double?
    public let doseMgMax: Double?
    public let species: CalibrationSpecies?
    public let unknown: [CalibrationConditionKey]
    public let notApplicable: [CalibrationConditionKey]

    /// Whether the condition is given (not null).
    public func isGiven(_ key: CalibrationConditionKey) -> Bool {
        switch key {
        case .loadingMgPerMl: loadingMgPerMl != nil
        case .beadVolumeMl: beadVolumeMl != nil
        case .medium: medium != nil
        case .mediumMl: mediumMl != nil
        case .agitation: agitation != nil
        case .temperatureC: temperatureC != nil
        case .doseMgMin: doseMgMin != nil
        case .doseMgMax: doseMgMax != nil
        case .species: species != nil
        }
    }
}

/// Where a point comes from.
public struct CalibrationSource: Sendable, Codable, Equatable {
    /// Authors, title, journal, year, volume and first page as far as known.
    public let citation: String
    public let doi: String?
    public let pmid: String?
    /// Figure, table or passage of the paper that holds the value ("Table 2", "Abstract, Results").
    public let locator: String
    /// Whether the DOI / PubMed id given were seen in a record of the paper (false: recalled).
    public let identifiersChecked: Bool
}

/// One published data point.
public struct CalibrationPoint: Sendable, Codable, Equatable {
    /// Unique over all calibration files.
    public let id: String
    public let product: CalibrationProduct
    /// Size class as the product labels it ("100-300", "200"); a size id of `products/deb-beads.json`.
    /// Null when the source does not give it.
    public let sizeUm: String?
    public let regime: CalibrationRegime
    public let quantity: CalibrationQuantity
    public let valueKind: CalibrationValueKind
    /// Time after the start of elution or after treatment (h); null for quantities that are not taken at a time point.
    public let timeH: Double?
    public let value: Double
    /// Standard deviation as reported (same unit), if any.
    public let sd: Double?
    /// Number of samples or patients behind the value, if reported.
    public let n: Int?
    public let unit: CalibrationUnit
    /// False when the unit printed in the source is in doubt; such a point can only be a validation point.
    public let unitCertain: Bool
    public let conditions: CalibrationConditions
    public let role: CalibrationRole
    public let source: CalibrationSource
    /// Whether the value was checked against the primary source.
    public let verified: Bool
    /// What was checked (e.g. "abstract, PubMed 21703190"), or why it could not be.
    public let verification: String
}

/// One file of `reference-data/deb-calibration/`: the points of one source study.
public struct CalibrationFile: Sendable, Codable, Equatable {
    public let schemaVersion: Int
    /// The file's name without `.json`.
    public let study: String
    public let points: [CalibrationPoint]

    public static let supportedSchemaVersion = 1

    /// Refuses the whole file (a `DataFileError` naming `file` and the key) when any value is not usable.
    public func validate(file: String) throws {
        let fail = DataFileError.in(file)
        guard schemaVersion == Self.supportedSchemaVersion else {
            throw fail("schemaVersion", "must be \(Self.supportedSchemaVersion); got \(schemaVersion)")
        }
        let stem = (file as NSString).lastPathComponent.replacingOccurrences(of: ".json", with: "")
        guard study == stem else { throw fail("study", "must be the file's name without .json ('\(stem)'); got '\(study)'") }
        guard !points.isEmpty else { throw fail("points", "is empty; a calibration file holds at least one point") }

        var ids: [String: Int] = [:]
        var signatures: [String: Int] = [:]
        for (i, p) in points.enumerated() {
            let at = "points[\(i)]"
            // Identity.
            guard !p.id.isEmpty, !p.id.contains(where: \.isWhitespace) else { throw fail("\(at).id", "must be a non-empty word without spaces") }
            if let j = ids[p.id] { throw fail("\(at).id", "'\(p.id)' is also the id of points[\(j)]; ids must be unique") }
            ids[p.id] = i
            if let s = p.sizeUm { try Self.checkSize(s, key: "\(at).sizeUm", fail) }

            // Value, SD, n.
            guard p.value.isFinite else { throw fail("\(at).value", "must be a finite number") }
            guard p.quantity.allowedUnits.contains(p.unit) else {
                let allowed = p.quantity.allowedUnits.map(\.rawValue).sorted().joined(separator: ", ")
                throw fail("\(at).unit", "'\(p.unit.rawValue)' is not a unit of \(p.quantity.rawValue); use \(allowed)")
            }
            if p.unit == .percent {
                guard (0...100).contains(p.value) else { throw fail("\(at).value", "is a percent and must lie in [0, 100]; got \(p.value)") }
            } else if p.quantity == .firstOrderFitR2 {
                guard p.value > 0, p.value <= 1 else { throw fail("\(at).value", "is an R² and must lie in (0, 1]; got \(p.value)") }
            } else {
                guard p.value > 0 else { throw fail("\(at).value", "must be > 0 for \(p.quantity.rawValue); got \(p.value)") }
            }
            if let sd = p.sd {
                guard sd.isFinite, sd >= 0 else { throw fail("\(at).sd", "must be a finite number ≥ 0; got \(sd)") }
                if p.unit == .percent, sd > 100 { throw fail("\(at).sd", "is a percent and must be ≤ 100; got \(sd)") }
                guard p.valueKind == .measured || p.valueKind == .approximate else {
                    throw fail("\(at).sd", "is given for a bound (\(p.valueKind.rawValue)); a bound has no SD")
                }
            }
            if let n = p.n, n < 1 { throw fail("\(at).n", "must be ≥ 1; got \(n)") }

            // Time.
            if let t = p.timeH {
                guard t.isFinite, t > 0 else { throw fail("\(at).timeH", "must be a finite time > 0 h; got \(t)") }
                guard p.quantity.needsTimePoint else { throw fail("\(at).timeH", "must be null for \(p.quantity.rawValue), which is not taken at a time point") }
            } else if p.quantity.needsTimePoint {
                throw fail("\(at).timeH", "is required for \(p.quantity.rawValue) (the time of the measurement)")
            }

            // Unit certainty, text fields.
            if !p.unitCertain, p.role == .fit {
                throw fail("\(at).role", "must be validation: the unit of this point is uncertain (unitCertain false)")
            }
            guard !p.verification.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw fail("\(at).verification", "is empty; say what was checked, or why it could not be")
            }
            try Self.checkSource(p.source, at: "\(at).source", fail)
            try Self.checkConditions(p.conditions, regime: p.regime, at: "\(at).conditions", fail)

            // The same measurement twice.
            let c = p.conditions
            let signature = [p.product.rawValue, p.sizeUm ?? "-", p.regime.rawValue, p.quantity.rawValue,
                             p.timeH.map { "\($0)" } ?? "-", c.species?.rawValue ?? "-",
                             c.loadingMgPerMl.map { "\($0)" } ?? "-", c.doseMgMin.map { "\($0)" } ?? "-",
                             c.doseMgMax.map { "\($0)" } ?? "-"].joined(separator: "|")
            if let j = signatures[signature] {
                throw fail(at, "duplicates points[\(j)] (same product, size, regime, quantity, time and conditions)")
            }
            signatures[signature] = i
        }
    }

    /// "100-300" or "200": positive whole micrometres, the lower bound below the upper.
    static func checkSize(_ s: String, key: String, _ fail: (String, String) -> DataFileError) throws {
        let parts = s.split(separator: "-", omittingEmptySubsequences: false)
        let numbers = parts.compactMap { p -> Int? in p.allSatisfy(\.isASCII) && p.allSatisfy(\.isNumber) ? Int(p) : nil }
        guard (1...2).contains(parts.count), numbers.count == parts.count, numbers.allSatisfy({ $0 > 0 }) else {
            throw fail(key, "must be a size in µm like '100-300' or '200'; got '\(s.prefix(40))'")
        }
        if numbers.count == 2, numbers[0] >= numbers[1] { throw fail(key, "lower bound must be below the upper bound; got '\(s)'") }
    }

    static func checkSource(_ s: CalibrationSource, at: String, _ fail: (String, String) -> DataFileError) throws {
        guard !s.citation.trimmingCharacters(in: .whitespaces).isEmpty else { throw fail("\(at).citation", "is empty") }
        guard !s.locator.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw fail("\(at).locator", "is empty; name the figure, table or passage that holds the value")
        }
        guard s.doi != nil || s.pmid != nil else { throw fail("\(at).doi", "a DOI or a PubMed id (pmid) is required") }
        if let d = s.doi {
            guard d.hasPrefix("10."), d.contains("/"), !d.contains(where: \.isWhitespace), !d.hasSuffix("/") else {
                throw fail("\(at).doi", "must be a bare DOI like '10.1016/j.jhep.2011.03.024'; got '\(d.prefix(60))'")
            }
        }
        if let m = s.pmid {
            guard (1...9).contains(m.count), m.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                throw fail("\(at).pmid", "must be the PubMed id's digits; got '\(m.prefix(20))'")
            }
        }
    }

    static func checkConditions(_ c: CalibrationConditions, regime: CalibrationRegime, at: String,
                                _ fail: (String, String) -> DataFileError) throws {
        func positive(_ x: Double?, _ key: CalibrationConditionKey) throws {
            if let x, !(x.isFinite && x > 0) { throw fail("\(at).\(key.rawValue)", "must be a finite number > 0; got \(x)") }
        }
        try positive(c.loadingMgPerMl, .loadingMgPerMl)
        try positive(c.beadVolumeMl, .beadVolumeMl)
        try positive(c.mediumMl, .mediumMl)
        try positive(c.doseMgMin, .doseMgMin)
        try positive(c.doseMgMax, .doseMgMax)
        if let t = c.temperatureC, !(t.isFinite && t > 0 && t < 100) {
            throw fail("\(at).temperatureC", "must be a temperature in (0, 100) °C; got \(t)")
        }
        if let lo = c.doseMgMin, let hi = c.doseMgMax, lo > hi {
            throw fail("\(at).doseMgMin", "must be ≤ doseMgMax (\(hi)); got \(lo)")
        }
        if (c.doseMgMin == nil) != (c.doseMgMax == nil) {
            throw fail("\(at).doseMgMax", "doseMgMin and doseMgMax are given together (equal for a single dose)")
        }
        if regime == .inVivo {
            guard c.species != nil else { throw fail("\(at).species", "is required in vivo") }
        } else if c.species != nil {
            throw fail("\(at).species", "must be null in vitro (regime \(regime.rawValue))")
        }
        // Every null condition is explained exactly once; a listed one is null.
        for (listName, list) in [("unknown", c.unknown), ("notApplicable", c.notApplicable)] {
            var seen = Set<CalibrationConditionKey>()
            for (k, key) in list.enumerated() {
                guard seen.insert(key).inserted else { throw fail("\(at).\(listName)[\(k)]", "lists '\(key.rawValue)' twice") }
                guard !c.isGiven(key) else {
                    throw fail("\(at).\(listName)[\(k)]", "lists '\(key.rawValue)', which is given; list only conditions that are null")
                }
            }
        }
        for key in CalibrationConditionKey.allCases where !c.isGiven(key) {
            let u = c.unknown.contains(key), n = c.notApplicable.contains(key)
            if u && n { throw fail("\(at).\(key.rawValue)", "is listed both as unknown and as notApplicable") }
            if !u && !n { throw fail("\(at).\(key.rawValue)", "is null but listed neither in unknown nor in notApplicable") }
        }
    }
}

// MARK: - Loading

/// The calibration data set: `reference-data/deb-calibration/*.json`.
public enum DEBCalibrationData {
    /// The folder inside the reference-data directory.
    public static let folder = "deb-calibration"

    /// Decodes and validates one file's bytes; `file` (relative to the reference-data folder) names it in errors.
    public static func decode(_ data: Data, file: String) throws -> CalibrationFile {
        let f = try ReferenceData.decodeStrict(CalibrationFile.self, from: data, file: file)
        try f.validate(file: file)
        return f
    }

    /// Reads one file, e.g. `load("debaere-2016-closed.json")`.
    public static func load(_ name: String) throws -> CalibrationFile {
        let relative = folder + "/" + name
        let f = try ReferenceData.load(CalibrationFile.self, from: relative)
        try f.validate(file: relative)
        return f
    }

    /// The names of the calibration files, sorted.
    public static func fileNames() throws -> [String] {
        let dir = try ReferenceData.directory().appendingPathComponent(folder, isDirectory: true)
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: dir.path) } catch {
            throw DataFileError(file: folder, key: "", message: "cannot be listed")
        }
        return names.filter { $0.hasSuffix(".json") }.sorted()
    }

    /// Every calibration file, in the order of `fileNames()`. A point id used in two files is refused
    /// (naming the second file).
    public static func loadAll() throws -> [(name: String, file: CalibrationFile)] {
        var out: [(name: String, file: CalibrationFile)] = []
        var owner: [String: String] = [:]
        for name in try fileNames() {
            let f = try load(name)
            for (i, p) in f.points.enumerated() {
                if let other = owner[p.id] {
                    throw DataFileError(file: folder + "/" + name, key: "points[\(i)].id",
                                        message: "'\(p.id)' is also a point id in \(other); ids must be unique over all calibration files")
                }
                owner[p.id] = name
            }
            out.append((name, f))
        }
        return out
    }

    /// Every point of every file.
    public static func allPoints() throws -> [CalibrationPoint] {
        try loadAll().flatMap(\.file.points)
    }
}
