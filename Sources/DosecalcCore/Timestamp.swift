// SPDX-License-Identifier: GPL-3.0-or-later
import Foundation

// Strict dates and times, computed arithmetically (no DateFormatter, nothing lenient).
//
// Contract: `Timestamp.parse` accepts, after trimming ASCII spaces and tabs from both ends,
//     YYYY-MM-DDTHH:MM[:SS[.fraction]](Z|+HH:MM|-HH:MM)     e.g. 2026-11-30T09:30:00+01:00
// with ASCII digits only; "t" and "z" may be lower case (RFC 3339 §5.6), a space instead of "T" is
// refused. The date must exist in the proleptic Gregorian calendar (2024-02-29 yes, 2025-02-29
// no); hours 00–23, minutes 00–59, seconds 00–59 (no leap second), 1–9 fraction digits. The UTC
// offset is required, within −12:00 … +14:00, with minutes 00–59; "-00:00" is read as UTC.
// `parseDate` accepts a calendar date YYYY-MM-DD, as UTC midnight. Every refusal throws an
// `InputError` whose one-line message names the problem, an example and the (escaped) text.
// `format` writes "2026-11-30T09:30:00+01:00": seconds always shown (fraction dropped, rounded
// down), offset 0 written "Z".

public enum Timestamp {
    static let example = "2026-11-30T09:30:00+01:00"

    /// Parses an RFC 3339 date-time with a required UTC offset; see the contract above.
    public static func parse(_ text: String, field: String) throws -> Date {
        switch parseFields(text) {
        case .success(let f): return f.date
        case .failure(let problem):
            throw InputError(field: field, "\(problem.reason)must be a date and time with a UTC offset, such as \(example); got \(quotedForMessage(text))")
        }
    }

    /// Parses a calendar date "YYYY-MM-DD" as midnight UTC of that day.
    public static func parseDate(_ text: String, field: String) throws -> Date {
        var s = Scanner(Substring(text).trimmingSpacesAndTabs())
        let result: Result<Date, Problem> = Result { () throws(Problem) in
            let day = try s.date()
            guard s.atEnd else { throw Problem.syntax }
            return Date(timeIntervalSince1970: Double(day * 86_400))
        }
        switch result {
        case .success(let date): return date
        case .failure(let problem):
            throw InputError(field: field, "\(problem.reason)must be a date such as 2026-11-30; got \(quotedForMessage(text))")
        }
    }

    /// The UTC offset in seconds (east positive) of a string that `parse` accepts; nil otherwise.
    public static func utcOffsetSeconds(_ text: String) -> Int? {
        try? parseFields(text).get().offsetSeconds
    }

    /// "2026-11-30T09:30:00+01:00": `date` as local time at `offsetSeconds` east of UTC (counted in
    /// whole minutes), seconds rounded down, "Z" for a zero offset.
    public static func format(_ date: Date, offsetSeconds: Int) -> String {
        let offsetMinutes = offsetSeconds / 60
        let local = Int((date.timeIntervalSince1970 + Double(offsetMinutes * 60)).rounded(.down))
        let days = local.floorDiv(86_400), secondOfDay = local - days * 86_400
        let (y, m, d) = civil(fromDays: days)
        var text = "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T"
        text += "\(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2))"
        if offsetMinutes == 0 { return text + "Z" }
        return text + (offsetMinutes < 0 ? "-" : "+") + "\(pad(abs(offsetMinutes) / 60, 2)):\(pad(abs(offsetMinutes) % 60, 2))"
    }

    /// A date and time for a person, in the local time of the given UTC offset, to the minute:
    /// "Mon 7 Dec 2026, 09:40 (UTC+01:00)". Seconds are dropped (rounded down); whoever chooses a time
    /// to show a person chooses it on a whole minute.
    public static func readable(_ date: Date, offsetSeconds: Int) -> String {
        let offsetMinutes = offsetSeconds / 60
        let local = Int((date.timeIntervalSince1970 + Double(offsetMinutes * 60)).rounded(.down))
        let days = local.floorDiv(86_400), secondOfDay = local - days * 86_400
        let (y, m, d) = civil(fromDays: days)
        // 1970-01-01 was a Thursday.
        let weekday = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][((days % 7) + 7) % 7]
        let month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][m - 1]
        let zone = offsetMinutes == 0 ? "UTC" : "UTC" + (offsetMinutes < 0 ? "−" : "+") + "\(pad(abs(offsetMinutes) / 60, 2)):\(pad(abs(offsetMinutes) % 60, 2))"
        return "\(weekday) \(d) \(month) \(y), \(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay / 60 % 60, 2)) (\(zone))"
    }

    /// Local calendar fields of an instant at a UTC offset: days since 1970-01-01 and the minute of the day.
    public static func localDayAndMinute(_ date: Date, offsetSeconds: Int) -> (day: Int, minuteOfDay: Double) {
        let local = date.timeIntervalSince1970 + Double(offsetSeconds / 60 * 60)
        let day = Int((local / 86_400).rounded(.down))
        return (day, (local - Double(day) * 86_400) / 60)
    }

    /// The instant of a local day and minute at a UTC offset (inverse of `localDayAndMinute`).
    public static func instant(day: Int, minuteOfDay: Double, offsetSeconds: Int) -> Date {
        Date(timeIntervalSince1970: Double(day) * 86_400 + minuteOfDay * 60 - Double(offsetSeconds / 60 * 60))
    }

    // MARK: Parsing

    struct Fields {
        let date: Date
        let offsetSeconds: Int
    }

    enum Problem: Error {
        case syntax, missingOffset, fractionTooLong
        case month(Int), day(Int, month: Int, year: Int), hour(Int), minute(Int), second(Int)
        case offsetRange(String), offsetMinutes(Int)

        /// A reason followed by "; ", or "" when the form itself is wrong.
        var reason: String {
            let months = ["January", "February", "March", "April", "May", "June", "July", "August",
                          "September", "October", "November", "December"]
            switch self {
            case .syntax: return ""
            case .missingOffset: return "the UTC offset (Z or ±HH:MM) is missing; "
            case .fractionTooLong: return "fractions of a second may have at most 9 digits; "
            case .month(let m): return "month \(m) does not exist (01 to 12); "
            case .day(let d, let m, let y): return "day \(d) does not exist in \(months[m - 1]) \(y); "
            case .hour(let h): return "hour \(h) does not exist (00 to 23); "
            case .minute(let m): return "minute \(m) does not exist (00 to 59); "
            case .second(let s): return "second \(s) does not exist (00 to 59; leap seconds are not accepted); "
            case .offsetRange(let o): return "the UTC offset \(o) is outside -12:00 to +14:00; "
            case .offsetMinutes(let m): return "the UTC offset has \(m) minutes (00 to 59); "
            }
        }
    }

    static func parseFields(_ text: String) -> Result<Fields, Problem> {
        var s = Scanner(Substring(text).trimmingSpacesAndTabs())
        return Result { () throws(Problem) in
            let day = try s.date()
            guard s.take("T") || s.take("t") else { throw Problem.syntax }
            let hour = try s.digits(2)
            guard hour <= 23 else { throw Problem.hour(hour) }
            try s.expect(":")
            let minute = try s.digits(2)
            guard minute <= 59 else { throw Problem.minute(minute) }
            var second = 0, fraction = 0.0
            if s.take(":") {
                second = try s.digits(2)
                guard second <= 59 else { throw Problem.second(second) }
                if s.take(".") {
                    let start = s.position
                    var value = 0
                    while let d = s.digit() { value = value * 10 + d; if s.position - start > 9 { throw Problem.fractionTooLong } }
                    guard s.position > start else { throw Problem.syntax }
                    fraction = Double(value) / pow(10, Double(s.position - start))
                }
            }
            let offset: Int
            if s.take("Z") || s.take("z") {
                offset = 0
            } else if s.atEnd {
                throw Problem.missingOffset
            } else {
                let sign: Int
                if s.take("+") { sign = 1 } else if s.take("-") { sign = -1 } else { throw Problem.syntax }
                let oh = try s.digits(2)
                try s.expect(":")
                let om = try s.digits(2)
                guard om <= 59 else { throw Problem.offsetMinutes(om) }
                offset = sign * (oh * 3600 + om * 60)
                guard (-12 * 3600)...(14 * 3600) ~= offset else {
                    throw Problem.offsetRange("\(sign < 0 ? "-" : "+")\(pad(oh, 2)):\(pad(om, 2))")
                }
            }
            guard s.atEnd else { throw Problem.syntax }
            let seconds = day * 86_400 + hour * 3600 + minute * 60 + second - offset
            return Fields(date: Date(timeIntervalSince1970: Double(seconds) + fraction), offsetSeconds: offset)
        }
    }

    /// Reads ASCII bytes left to right.
    struct Scanner {
        let bytes: [UInt8]
        var position = 0

        init(_ text: Substring) { bytes = Array(text.utf8) }

        var atEnd: Bool { position == bytes.count }

        mutating func take(_ c: Unicode.Scalar) -> Bool {
            guard position < bytes.count, bytes[position] == UInt8(c.value) else { return false }
            position += 1
            return true
        }

        mutating func expect(_ c: Unicode.Scalar) throws(Problem) {
            guard take(c) else { throw Problem.syntax }
        }

        mutating func digit() -> Int? {
            guard position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) else { return nil }
            position += 1
            return Int(bytes[position - 1] - UInt8(ascii: "0"))
        }

        mutating func digits(_ n: Int) throws(Problem) -> Int {
            var v = 0
            for _ in 0..<n {
                guard let d = digit() else { throw Problem.syntax }
                v = v * 10 + d
            }
            return v
        }

        /// YYYY-MM-DD, checked against the calendar; returns days since 1970-01-01.
        mutating func date() throws(Problem) -> Int {
            let y = try digits(4)
            try expect("-")
            let m = try digits(2)
            try expect("-")
            let d = try digits(2)
            guard (1...12).contains(m) else { throw Problem.month(m) }
            guard (1...daysIn(month: m, year: y)).contains(d) else { throw Problem.day(d, month: m, year: y) }
            return Timestamp.days(fromCivil: y, m, d)
        }
    }

    // MARK: Calendar arithmetic (proleptic Gregorian; H. Hinnant, "chrono-compatible low-level date algorithms")

    static func isLeap(_ y: Int) -> Bool { y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) }

    static func daysIn(month m: Int, year y: Int) -> Int {
        switch m {
        case 2: return isLeap(y) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days from 1970-01-01 to y-m-d.
    static func days(fromCivil y: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y - 1 : y
        let era = y.floorDiv(400)
        let yoe = y - era * 400                                  // [0, 399]
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1  // [0, 365]
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy          // [0, 146096]
        return era * 146_097 + doe - 719_468
    }

    /// y-m-d of the day `z` days from 1970-01-01.
    static func civil(fromDays z: Int) -> (Int, Int, Int) {
        let z = z + 719_468
        let era = z.floorDiv(146_097)
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    static func pad(_ n: Int, _ width: Int) -> String {
        let s = String(n)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}

fileprivate extension Int {
    /// Division rounding toward negative infinity.
    func floorDiv(_ d: Int) -> Int {
        let q = self / d
        return (self % d != 0 && (self < 0) != (d < 0)) ? q - 1 : q
    }
}
