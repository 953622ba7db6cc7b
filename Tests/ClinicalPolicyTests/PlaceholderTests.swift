import Testing
@testable import ClinicalPolicy
import DosecalcCore
@Test func formatOne() { #expect(Format.number(1) == "1") }
