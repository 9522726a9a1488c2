import Foundation
import Testing
import VigilData
import VigilPolicy
@testable import VigilCompiler

/// Decisions through the C evaluator on small indexes built for one behaviour each.
@Suite struct AuthorizerTests {
    static let alice = EntityUID(type: Name(basename: "User"), id: "alice")
    static let read = EntityUID(type: Name(basename: "Action"), id: "read")
    static let doc = EntityUID(type: Name(basename: "Doc"), id: "d")
    static let session = EntityUID(type: Name(qualified: "Vigil::Session"), id: "s")

    /// An index published for one test, removed when the value goes away.
    final class Fixture {
        let dir: String
        let writer: IndexWriter
        let compiled: CompiledIndex
        let az: Authorizer
        init(dir: String, writer: IndexWriter, compiled: CompiledIndex, az: Authorizer) {
            (self.dir, self.writer, self.compiled, self.az) = (dir, writer, compiled, az)
        }
        deinit { try? FileManager.default.removeItem(atPath: dir) }
    }

    /// Publishes `policies` with a user, a doc and a session entity.
    private func fixture(
        _ policies: String, links: [TemplateLink] = [], linkExpiries: [String: Int64] = [:],
        sessions: [Session] = []
    ) throws -> Fixture {
        let file = SourceFile(name: "t.cedar", text: policies)
        var set = PolicySet()
        set.append(try Parser.parsePolicies(file), from: file)
        let entities = [
            Entity(uid: Self.alice, attributes: ["age": .long(30)]),
            Entity(uid: Self.doc, attributes: ["owner": .entity(Self.alice)]),
            Entity(uid: Self.session, attributes: ["aal": .long(1)]),
        ]
        let compiled = try Compiler(policies: set, links: links, linkExpiries: linkExpiries, entities: entities,
                                    sessions: sessions).compile()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-az-\(UUID().uuidString)").path
        let writer = try IndexWriter(directory: dir, mapSize: 16 << 20)
        try writer.publish(compiled)
        return Fixture(dir: dir, writer: writer, compiled: compiled, az: try Authorizer(path: dir))
    }

    private func request(context: String? = nil, session: String? = nil, now: Int64? = nil) -> Request {
        Request(principal: Self.alice, action: Self.read, resource: Self.doc, contextJSON: context,
                sessionID: session, nowMs: now)
    }

    @Test func permitsForbidsAndErrors() throws {
        let f = try fixture("""
            permit(principal, action == Action::"read", resource) when { resource.owner == principal };
            @id("nope") forbid(principal, action, resource) when { principal.missing == 1 };
            """)
        let az = f.az
        let d = try az.decide(request())
        #expect(d.effect == .allow && d.reasons == ["policy0"] && d.annotatedReasons == [nil])
        #expect(d.errors.map(\.policyID) == ["policy1"])
        #expect(d.errors.first?.message.hasPrefix("t.cedar:2:") == true)
        #expect(d.reasonCount == 1 && d.errorCount == 1)
    }

    @Test func stepUpForbidsAndContextFromSwiftValues() throws {
        let f = try fixture("""
            permit(principal, action, resource);
            @step_up("2") @max_age("60") forbid(principal, action, resource) unless { context.aal >= 2 };
            """)
        let az = f.az
        var d = try az.decide(request(context: #"{"aal": 1}"#))
        #expect(d.effect == .stepUp && d.stepUpLevel == 2 && d.maxAge == 60)
        d = try az.decide(Request(principal: Self.alice, action: Self.read, resource: Self.doc,
                                  context: .record(["aal": .long(2)])))
        #expect(d.effect == .allow)
    }

    @Test func sessionsRevokedExpiredAndUnknownDenyFirst() throws {
        let sessions = [Session(id: "ok", entity: Self.session),
                        Session(id: "gone", entity: Self.session, revoked: true),
                        Session(id: "old", entity: Self.session, expiresAtMs: 1000)]
        let f = try fixture("permit(principal, action, resource) when { context.session.aal == 1 };",
                            sessions: sessions)
        let az = f.az
        #expect(try az.decide(request(session: "ok", now: 5000)).effect == .allow)
        #expect(try az.decide(request(session: "gone", now: 5000)).cause == .sessionRevoked)
        #expect(try az.decide(request(session: "old", now: 5000)).cause == .sessionExpired)
        #expect(try az.decide(request(session: "who", now: 5000)).cause == .sessionUnknown)
        #expect(try az.decide(request(session: "old", now: 500)).effect == .allow)
    }

    @Test func expiredLinksAreSkipped() throws {
        let link = TemplateLink(templateID: "policy0", newID: "grant", values: [.principal: Self.alice])
        let f = try fixture("permit(principal == ?principal, action, resource);", links: [link],
                            linkExpiries: ["grant": 10_000])
        let az = f.az
        #expect(try az.decide(request(now: 9_999)).reasons == ["grant"])
        #expect(try az.decide(request(now: 10_000)).effect == .deny)
    }

    @Test func aNewPublishIsSeenWithItsGeneration() throws {
        let f = try fixture("permit(principal, action, resource);")
        let az = f.az
        #expect(try az.decide(request()).generation == 1)
        try f.writer.publish(f.compiled)
        #expect(try az.generation() == 2)
        #expect(try az.decide(request()).generation == 2)
    }

    @Test func resultsListAtMost64PoliciesButCountAll() throws {
        let f = try fixture(String(repeating: "permit(principal, action, resource);\n", count: 70))
        let d = try f.az.decide(request())
        #expect(d.reasons.count == 64 && d.reasonCount == 70)
        #expect(d.reasons.first == "policy0" && d.reasons.last == "policy63")
    }

    @Test func aClosedAuthorizerRefusesToDecide() throws {
        let f = try fixture("permit(principal, action, resource);")
        f.az.close()
        f.az.close()
        #expect(throws: AuthorizerError.self) { try f.az.decide(request()) }
    }

    @Test func aMissingIndexIsAClearError() {
        #expect(throws: AuthorizerError.self) { try Authorizer(path: "/nonexistent/vigil-index") }
    }
}
