import Testing
@Test func placeholderRadioembolization() { #expect(Bool(true)) }
