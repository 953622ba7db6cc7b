import Testing
@Test func placeholderDosecalcCLI() { #expect(Bool(true)) }
