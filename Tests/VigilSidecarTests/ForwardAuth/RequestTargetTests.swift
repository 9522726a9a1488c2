import Testing
@testable import VigilSidecar

@Suite struct RequestTargetTests {
    private func target(_ s: String, max: Int = 8192) throws(RequestTarget.Problem) -> RequestTarget {
        try RequestTarget(parsing: s, maxBytes: max)
    }

    @Test func splitsDecodesOnceAndKeepsTheQuery() throws {
        let t = try target("/docs/a%20b/%22q%5C%252e?x=1&y=%20#frag")
        #expect(t.segments == ["docs", "a b", "\"q\\%2e"])
        #expect(t.rawPath == "/docs/a%20b/%22q%5C%252e")
        #expect(t.query == "x=1&y=%20")
        #expect(try target("/").segments == [""])
        #expect(try target("/docs/1/").segments == ["docs", "1", ""])
        #expect(try target("/docs").query == nil)
        #expect(try target("/caf%C3%A9").segments == ["café"])
    }

    @Test func refusesDangerousPaths() {
        let cases: [(String, RequestTarget.Problem)] = [
            ("docs/1", .notAbsolutePath), ("", .notAbsolutePath), ("http://h/docs", .notAbsolutePath),
            ("/docs/../admin", .dotSegment), ("/docs/%2e%2E/admin", .dotSegment), ("/./a", .dotSegment),
            ("/docs/..", .dotSegment), ("/a//b", .emptySegment), ("/a/%2", .badEscape), ("/a/%zz", .badEscape),
            ("/a/%", .badEscape), ("/a/%00", .controlCharacter), ("/a/%0a", .controlCharacter),
            ("/a/%ff", .notUTF8), ("/a/%C3", .notUTF8),
        ]
        for (uri, problem) in cases {
            #expect(throws: problem, "\(uri)") { try target(uri) }
        }
        #expect(throws: RequestTarget.Problem.tooLong(limit: 10)) { try target("/0123456789", max: 10) }
        #expect((try? target("/012345678", max: 10)) != nil)
    }

    @Test func oversizedInputIsRefusedNotCrashed() {
        let long = "/" + String(repeating: "a/", count: 100_000)
        #expect(throws: RequestTarget.Problem.tooLong(limit: 8192)) { try target(long) }
        let dots = "/" + String(repeating: "%2e", count: 1000)
        #expect((try? target(dots))?.segments.first?.count == 1000)
    }
}
