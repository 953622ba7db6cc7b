import Testing
@Test func placeholderPlanning() { #expect(Bool(true)) }
