import Testing
@Test func placeholderChemoembolization() { #expect(Bool(true)) }
