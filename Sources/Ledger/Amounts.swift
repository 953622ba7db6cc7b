// SPDX-License-Identifier: GPL-3.0-or-later
import DosecalcCore
import Foundation

/// A delivered activity as given, in one of three units. It is converted to GBq explicitly:
/// 1 GBq = 1000 MBq, 1 mCi = 37 MBq = 0.037 GBq exactly.
public struct DeliveredActivity: Sendable, Equatable {
    public enum Unit: String, Sendable, CaseIterable {
        case gbq = "GBq"
        case mbq = "MBq"
        case mCi = "mCi"

        /// The command-line flag that gives an activity in this unit.
        public var flag: String {
            switch self {
            case .gbq: return "--delivered-activity-gbq"
            case .mbq: return "--delivered-activity-mbq"
            case .mCi: return "--delivered-activity-mci"
            }
        }

        /// The same unit in DosecalcCore, which holds the one conversion to GBq.
        var activityUnit: ActivityUnit {
            switch self {
            case .gbq: return .gbq
            case .mbq: return .mbq
            case .mCi: return .mci
            }
        }

        /// The largest plausible delivered activity in this unit (50 GBq).
        var upperBound: Double { activityUnit.fromGBq(DeliveredActivity.maximumGBq) }
    }

    /// The value as given, in `unit`.
    public let value: Double
    public let unit: Unit
    /// The value in GBq.
    public let gbq: Double

    /// Plausible delivered activities: (0, 50] GBq, whatever unit they are given in.
    public static let maximumGBq = 50.0

    /// Checks and converts `value` given in `unit`; a value outside (0, 50] GBq is an `InputError`
    /// naming the unit's flag and its range in that unit.
    public init(_ value: Double, _ unit: Unit) throws {
        let gbq = unit.activityUnit.toGBq(value)      // 1500 MBq → 1.5 GBq; 100 mCi → 3.7 GBq exactly
        guard value.isFinite, gbq.isFinite, gbq > 0, gbq <= DeliveredActivity.maximumGBq else {
            throw InputError(field: unit.flag, "must be in \(DeliveredActivity.rangeText(unit)); got \(value.isFinite ? Format.number(value) : "\(value)")")
        }
        self.value = value
        self.unit = unit
        self.gbq = gbq
    }

    /// "(0, 50] GBq", "(0, 50000] MBq", "(0, 1351.35] mCi (50 GBq)".
    public static func rangeText(_ unit: Unit) -> String {
        let range = "(0, \(Format.number(unit.upperBound))] \(unit.rawValue)"
        return unit == .gbq ? range : range + " (at most \(Format.number(maximumGBq)) GBq)"
    }
}

/// A delivered doxorubicin dose for one DEB-TACE session: (0, 300] mg.
public enum DeliveredDoxorubicin {
    public static let flag = "--delivered-doxorubicin-mg"
    public static let range = PlausibleRange(0, 300, "mg", includesLower: false)

    public static func check(_ mg: Double) throws -> Double {
        try range.check(mg, field: flag)
    }
}

/// Treatment dates in the ledger: calendar dates "YYYY-MM-DD", the date where the treatment was given.
public enum LedgerDate {
    /// The earliest date a ledger accepts.
    public static let earliest = "1990-01-01"

    /// "2026-11-30", or "2026-11-30T09:30:00+01:00" (the local date at that offset: 2026-11-30).
    public static func parse(_ text: String, field: String) throws -> String {
        if text.contains("T") || text.contains("t") || text.contains(":") {
            return try fromTimestamp(text, field: field, what: nil)
        }
        do {
            let d = try Timestamp.parseDate(text, field: field)
            return String(Timestamp.format(d, offsetSeconds: 0).prefix(10))
        } catch let e as InputError {
            throw InputError(field: field, e.message.replacingOccurrences(of: "must be a date such as 2026-11-30",
                                                                         with: "must be a date such as 2026-11-30, or a date and time with a UTC offset such as 2026-11-30T09:30:00+01:00"))
        }
    }

    /// The local calendar date of an ISO 8601 date-time with a UTC offset.
    static func fromTimestamp(_ text: String, field: String, what: String?) throws -> String {
        let date: Date
        do { date = try Timestamp.parse(text, field: field) } catch let e as InputError {
            throw InputError(field: field, what.map { "\($0): \(e.message)" } ?? e.message)
        }
        let offset = Timestamp.utcOffsetSeconds(text) ?? 0
        return String(Timestamp.format(date, offsetSeconds: offset).prefix(10))
    }

    /// Refuses a date in the future (later than tomorrow in UTC, to allow for time zones) or before
    /// 1990: a ledger records treatments that were given.
    static func checkPlausible(_ day: String, now: Date, field: String, source: String) throws {
        let tomorrow = String(Timestamp.format(now.addingTimeInterval(86_400), offsetSeconds: 0).prefix(10))
        if day > tomorrow {
            let fix = field == "--date" ? "give the day the treatment was given" : "record it once it is given, or give --date with the day it was given"
            throw InputError(field: field, "\(source) \(day) is in the future; the ledger records treatments that were given: \(fix)")
        }
        if day < earliest {
            throw InputError(field: field, "\(source) \(day) is before \(earliest); give the date the treatment was given")
        }
    }
}
