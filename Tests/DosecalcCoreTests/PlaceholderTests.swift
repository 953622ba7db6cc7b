import Testing
@testable import DosecalcCore
@Test func formatZero() { #expect(Format.number(0) == "0") }
