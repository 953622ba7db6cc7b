// SPDX-License-Identifier: GPL-3.0-or-later
// Laboratory values at the input boundary: each is checked in the unit it was given in, and a value
// that looks like the other unit is refused with a hint naming the field for that unit. A lab value
// selects limits (bilirubin 1.1 mg/dL moves the glass whole normal-liver limit from 90 to 50 Gy), so a
// unit slip must never become a number.
import DosecalcCore
import PatientAssessment

public enum LabBoundary {
    static func range(_ r: AssessmentRange) -> PlausibleRange {
        PlausibleRange(r.lower, r.upper, r.unit, includesLower: r.includesLower)
    }

    /// Total bilirubin in mg/dL, 0.05–50.
    public static func bilirubinMgPerDl(_ v: Double, field: String) throws -> Double {
        try range(AssessmentRanges.bilirubinMgPerDl).check(v, field: field)
    }

    /// Total bilirubin in µmol/L, 3–855, returned in mg/dL. Below 3 µmol/L: probably mg/dL.
    public static func bilirubinUmolPerL(_ v: Double, field: String, otherUnitField: String) throws -> Double {
        if v.isFinite, v >= 0, v < AssessmentRanges.bilirubinUmolPerL.lower {
            throw InputError(field: field, "must be in \(range(AssessmentRanges.bilirubinUmolPerL).text); got \(Format.number(v)), which looks like a value in mg/dL: give it as \(otherUnitField)")
        }
        let u = try range(AssessmentRanges.bilirubinUmolPerL).check(v, field: field)
        do { return try LabUnits.bilirubinMgPerDl(fromUmolPerL: u) } catch {
            throw InputError(field: field, "must be in \(range(AssessmentRanges.bilirubinUmolPerL).text); got \(Format.number(v))")
        }
    }

    /// Albumin in g/dL, 0.5–7. Above 7 g/dL: probably g/L.
    public static func albuminGPerDl(_ v: Double, field: String, otherUnitField: String) throws -> Double {
        if v.isFinite, v > AssessmentRanges.albuminGPerDl.upper {
            throw InputError(field: field, "must be in \(range(AssessmentRanges.albuminGPerDl).text); got \(Format.number(v)), which looks like a value in g/L: give it as \(otherUnitField)")
        }
        return try range(AssessmentRanges.albuminGPerDl).check(v, field: field)
    }

    /// Albumin in g/L, 10–70, returned in g/dL. Below 10 g/L: probably g/dL.
    public static func albuminGPerL(_ v: Double, field: String, otherUnitField: String) throws -> Double {
        if v.isFinite, v >= 0, v < AssessmentRanges.albuminGPerL.lower {
            throw InputError(field: field, "must be in \(range(AssessmentRanges.albuminGPerL).text); got \(Format.number(v)), which looks like a value in g/dL: give it as \(otherUnitField)")
        }
        let g = try range(AssessmentRanges.albuminGPerL).check(v, field: field)
        do { return try LabUnits.albuminGPerDl(fromGPerL: g) } catch {
            throw InputError(field: field, "must be in \(range(AssessmentRanges.albuminGPerL).text); got \(Format.number(v))")
        }
    }
}
