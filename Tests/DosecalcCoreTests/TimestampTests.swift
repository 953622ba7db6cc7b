// SPDX-License-Identifier: GPL-3.0-or-later
// Timestamps: real calendar, required offset in range, arithmetic Unix times checked by hand.
import Foundation
import Testing
import TestSupport
@testable import DosecalcCore

/// Unix times worked out by hand and checked with Python's datetime.fromisoformat(s).timestamp().
/// 2026-11-26T09:30:00+01:00: 1970..2025 is 56 years with 14 leap days (1972..2024) → 20,454 days;
/// Jan–Oct 2026 is 304 days, + 25 → 20,783 days = 1,795,651,200 s; + 09:30 (34,200 s) − 1 h offset
/// (3,600 s) = 1,795,681,800.
@Test(arguments: [
    ("2026-11-26T09:30:00+01:00", 1_795_681_800.0),
    ("2026-11-30T09:30:00+01:00", 1_796_027_400.0),
    ("2024-02-29T00:00:00Z", 1_709_164_800.0),
    ("2024-02-29t00:00:00z", 1_709_164_800.0),
    ("2000-03-01T00:00:00-12:00", 951_912_000.0),
    ("1999-12-31T23:59:59+14:00", 946_634_399.0),
    ("2026-03-15T12:00:00+05:45", 1_773_555_300.0),
    ("2026-03-15T12:00+05:45", 1_773_555_300.0),
    ("1970-01-01T00:00:00Z", 0.0),
    ("1970-01-01T00:00:00-00:00", 0.0),
    ("1969-12-31T23:59:59Z", -1.0),
    ("1970-01-01T00:00:00.5Z", 0.5),
    ("1970-01-01T00:00:01.123456789+00:00", 1.123456789),
    ("2000-02-29T12:00:00Z", 951_825_600.0),     // 2000 is a leap year (divisible by 400)
    (" 2026-11-26T09:30:00+01:00\t", 1_795_681_800.0),
])
func parsesToHandWorkedUnixTimes(text: String, unix: Double) throws {
    let date = try Timestamp.parse(text, field: "t")
    #expect(abs(date.timeIntervalSince1970 - unix) < 1e-6)
}

@Test(arguments: [
    ("2025-02-29T00:00:00Z", "day 29 does not exist in February 2025"),
    ("2026-02-30T00:00:00Z", "day 30 does not exist in February 2026"),
    ("1900-02-29T00:00:00Z", "day 29 does not exist in February 1900"),
    ("2026-04-31T00:00:00Z", "day 31 does not exist in April 2026"),
    ("2026-01-00T00:00:00Z", "day 0 does not exist"),
    ("2026-13-01T00:00:00Z", "month 13 does not exist"),
    ("2026-00-01T00:00:00Z", "month 0 does not exist"),
    ("2026-11-26T24:00:00Z", "hour 24 does not exist"),
    ("2026-11-26T09:60:00Z", "minute 60 does not exist"),
    ("2026-11-26T23:59:60Z", "second 60 does not exist"),
    ("2026-11-26T09:30:00", "UTC offset (Z or ±HH:MM) is missing"),
    ("2026-11-26T09:30:00+25:00", "UTC offset +25:00 is outside"),
    ("2026-11-26T09:30:00+14:30", "UTC offset +14:30 is outside"),
    ("2026-11-26T09:30:00-12:30", "UTC offset -12:30 is outside"),
    ("2026-11-26T09:30:00+99:99", "UTC offset has 99 minutes"),
    ("2026-11-26T09:30:00.1234567890Z", "at most 9 digits"),
    ("2026-11-26T09:30:00+0100", "such as 2026-11-30T09:30:00+01:00"),
    ("2026-11-26T09:30:00+01", "such as"),
    ("2026-11-26 09:30:00+01:00", "such as"),
    ("2026-11-26T9:30:00+01:00", "such as"),
    ("26-11-26T09:30:00+01:00", "such as"),
    ("2026-11-26T09:30:00.Z", "such as"),
    ("2026-11-26T09:30:00+01:00 x", "such as"),
    ("2026-11-26T09:30:00+01:00\n", "such as"),
    ("2026-11-26", "such as"),
    ("", "such as"),
    ("2026-11-2\u{0666}T09:30:00Z", "such as"),      // Arabic-Indic digit
    ("２０２６-11-26T09:30:00Z", "such as"),        // full-width digits
    ("2026-11-26T09:30:00Z\u{0}", "such as"),
    ("+2026-11-26T09:30:00Z", "such as"),
    ("2026-11-26T09:30:00GMT", "such as"),
])
func refusesImpossibleOrIncompleteTimes(text: String, reason: String) throws {
    do {
        _ = try Timestamp.parse(text, field: "treatment.calibrationTime")
        Issue.record("accepted \(text.debugDescription)")
    } catch {
        let d = String(describing: error)
        #expect(d.hasPrefix("treatment.calibrationTime: "))
        #expect(d.contains(reason), "\(d)")
        #expect(d.contains("got " + quotedForMessage(text)))
        #expect(!d.contains("\n") && !d.contains("\u{0}"))
    }
    #expect(Timestamp.utcOffsetSeconds(text) == nil)
}

@Test func messageIsOneLineWithExample() {
    do {
        _ = try Timestamp.parse("2026-02-30T09:30:00+01:00", field: "treatment.earliestTreatmentTime")
        Issue.record("accepted")
    } catch {
        #expect(String(describing: error) == "treatment.earliestTreatmentTime: day 30 does not exist in February 2026; must be a date and time with a UTC offset, such as 2026-11-30T09:30:00+01:00; got '2026-02-30T09:30:00+01:00'")
    }
}

@Test func utcOffsets() {
    #expect(Timestamp.utcOffsetSeconds("2026-11-26T09:30:00+01:00") == 3600)
    #expect(Timestamp.utcOffsetSeconds("2026-11-26T09:30:00+05:45") == 20_700)
    #expect(Timestamp.utcOffsetSeconds("2026-11-26T09:30:00-12:00") == -43_200)
    #expect(Timestamp.utcOffsetSeconds("2026-11-26T09:30:00+14:00") == 50_400)
    #expect(Timestamp.utcOffsetSeconds("2026-11-26T09:30:00Z") == 0)
}

@Test func formatsLocalTimeWithOffset() throws {
    let d = Date(timeIntervalSince1970: 1_796_027_400)  // 2026-11-30T08:30:00Z
    #expect(Timestamp.format(d, offsetSeconds: 3600) == "2026-11-30T09:30:00+01:00")
    #expect(Timestamp.format(d, offsetSeconds: 0) == "2026-11-30T08:30:00Z")
    #expect(Timestamp.format(d, offsetSeconds: -43_200) == "2026-11-29T20:30:00-12:00")
    #expect(Timestamp.format(d, offsetSeconds: 20_700) == "2026-11-30T14:15:00+05:45")
    #expect(Timestamp.format(Date(timeIntervalSince1970: -0.5), offsetSeconds: 0) == "1969-12-31T23:59:59Z")
    #expect(Timestamp.format(Date(timeIntervalSince1970: 1_709_164_800), offsetSeconds: 0) == "2024-02-29T00:00:00Z")
}

/// Property: every valid local time at every allowed offset formats back to the same text.
@Test func formatAndParseRoundTrip() throws {
    var rng = SeededGenerator(seed: 3339)
    for _ in 0..<5_000 {
        let year = Int.random(in: 1900...2199, using: &rng), month = Int.random(in: 1...12, using: &rng)
        let day = Int.random(in: 1...Timestamp.daysIn(month: month, year: year), using: &rng)
        let offsetMinutes = Int.random(in: (-12 * 60)...(14 * 60), using: &rng)
        let sign = offsetMinutes < 0 ? "-" : "+"
        let offset = offsetMinutes == 0 ? "Z" : "\(sign)\(Timestamp.pad(abs(offsetMinutes) / 60, 2)):\(Timestamp.pad(abs(offsetMinutes) % 60, 2))"
        let text = "\(Timestamp.pad(year, 4))-\(Timestamp.pad(month, 2))-\(Timestamp.pad(day, 2))T"
            + "\(Timestamp.pad(Int.random(in: 0...23, using: &rng), 2)):\(Timestamp.pad(Int.random(in: 0...59, using: &rng), 2)):"
            + "\(Timestamp.pad(Int.random(in: 0...59, using: &rng), 2))\(offset)"
        let date = try Timestamp.parse(text, field: "t")
        let seconds = try #require(Timestamp.utcOffsetSeconds(text))
        #expect(seconds == offsetMinutes * 60)
        #expect(Timestamp.format(date, offsetSeconds: seconds) == text)
    }
}

@Test func daysFromCivilMatchesFoundationCalendar() throws {
    var utc = Calendar(identifier: .gregorian)
    utc.timeZone = TimeZone(identifier: "UTC")!
    var day = DateComponents(year: 1899, month: 12, day: 31)
    var expected = try #require(utc.date(from: day))
    for _ in 0..<(366 * 302) {  // every day 1900 … 2201
        expected = utc.date(byAdding: .day, value: 1, to: expected)!
        day = utc.dateComponents([.year, .month, .day], from: expected)
        let text = "\(Timestamp.pad(day.year!, 4))-\(Timestamp.pad(day.month!, 2))-\(Timestamp.pad(day.day!, 2))"
        #expect(try Timestamp.parseDate(text, field: "d") == expected)
    }
}

@Test func plainDates() throws {
    #expect(try Timestamp.parseDate("2024-02-29", field: "d").timeIntervalSince1970 == 1_709_164_800)
    #expect(try Timestamp.parseDate("1970-01-01", field: "d").timeIntervalSince1970 == 0)
    for bad in ["2025-02-29", "2026-02-30", "2026-13-01", "2026-1-01", "2026-01-01T00:00:00Z", "2026/01/01", "", "2026-01-01x"] {
        #expect(throws: InputError.self) { try Timestamp.parseDate(bad, field: "patient.priorTreatments[0].date") }
    }
    do {
        _ = try Timestamp.parseDate("2025-02-29", field: "patient.priorTreatments[0].date")
    } catch {
        #expect(String(describing: error) == "patient.priorTreatments[0].date: day 29 does not exist in February 2025; must be a date such as 2026-11-30; got '2025-02-29'")
    }
}
