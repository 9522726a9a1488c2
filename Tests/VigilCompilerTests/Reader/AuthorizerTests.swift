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

    /// Publishes `policies` with a user, a doc and a session entity, and `extra` entities.
    private func fixture(
        _ policies: String, links: [TemplateLink] = [], linkExpiries: [String: Int64] = [:],
        sessions: [Session] = [], extra: [Entity] = []
    ) throws -> Fixture {
        let file = SourceFile(name: "t.cedar", text: policies)
        var set = PolicySet()
        set.append(try Parser.parsePolicies(file), from: file)
        let entities = [
            Entity(uid: Self.alice, attributes: ["age": .long(30)]),
            Entity(uid: Self.doc, attributes: ["owner": .entity(Self.alice)]),
            Entity(uid: Self.session, attributes: ["aal": .long(1)]),
        ] + extra
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

    // MARK: Batches

    static let write = EntityUID(type: Name(basename: "Action"), id: "write")
    static let secret = EntityUID(type: Name(basename: "Doc"), id: "secret")

    /// Pairs that share resources and actions between them, in both orders, and name a resource and an action
    /// that the index lacks.
    static let pairs: [(action: EntityUID, resource: EntityUID)] = [
        (read, doc), (write, doc), (read, secret), (write, secret), (read, EntityUID(type: Name(basename: "Doc"), id: "ghost")),
        (EntityUID(type: Name(basename: "Action"), id: "delete"), doc), (write, doc), (read, doc), (write, alice),
    ]

    /// The policies of the batch tests: conditions that read the resource, the action, the context or none of
    /// them; one that always errors, one that errors on a resource without `owner`, and a step-up.
    static let batchPolicies = """
        permit(principal, action == Action::"read", resource) when { resource.owner == principal };
        permit(principal, action == Action::"write", resource is Doc);
        @id("nope") forbid(principal, action, resource) when { principal.missing == 1 };
        @step_up("2") @max_age("60") forbid(principal, action == Action::"write", resource) unless { context.aal >= 2 };
        forbid(principal, action, resource == Doc::"secret") when { context.aal < 3 };
        """

    /// Each pair decided alone, as a result.
    private func singles(
        _ az: Authorizer, context: String?, session: String? = nil, now: Int64? = nil
    ) -> [Result<Decision, AuthorizerError>] {
        Self.pairs.map { a, r in
            Result { () throws(AuthorizerError) in
                try az.decide(Request(principal: Self.alice, action: a, resource: r, contextJSON: context,
                                      sessionID: session, nowMs: now))
            }
        }
    }

    @Test(arguments: [#"{"aal": 1}"#, #"{"aal": 2}"#, #"{"aal": 3}"#, #"{"aal": "high"}"#, nil])
    func aBatchDecidesEachPairAsDecideDoes(context: String?) throws {
        let f = try fixture(Self.batchPolicies, extra: [Entity(uid: Self.secret, attributes: ["owner": .entity(Self.alice)])])
        let batch = try f.az.decideBatch(principal: Self.alice, contextJSON: context, pairs: Self.pairs)
        #expect(batch == singles(f.az, context: context))
        let decisions = try batch.map { try $0.get() }
        // Real values, so that a batch and `decide` agreeing on nonsense cannot pass.
        #expect(decisions.allSatisfy { $0.errors.map(\.policyID).contains("policy2") })
        #expect(decisions[0].effect == .allow && decisions[0].reasons == ["policy0"])
        #expect(decisions[4].errors.map(\.policyID) == ["policy0", "policy2"])
        #expect(decisions[4].errors[0].message.hasPrefix("t.cedar:1:"))
        #expect(decisions[5].effect == .deny && decisions[5].reasons.isEmpty)
        switch context {
        case #"{"aal": 1}"#:
            #expect(decisions[1].effect == .stepUp && decisions[1].stepUpLevel == 2 && decisions[1].maxAge == 60)
            #expect(decisions[6] == decisions[1])
            #expect(decisions[2].effect == .deny && decisions[2].reasons == ["policy4"])
        case #"{"aal": 3}"#:
            #expect(decisions[1].effect == .allow && decisions[1].reasons == ["policy1"])
            #expect(decisions[3].effect == .allow && decisions[3].reasons == ["policy1"])
            #expect(decisions[8].effect == .deny)
        case nil:
            // `context.aal` is missing: the step-up and the secret forbid error instead.
            #expect(decisions[1].effect == .allow && decisions[1].errors.map(\.policyID) == ["policy2", "policy3"])
        default:
            break
        }
    }

    @Test func aBatchWithASessionDecidesAsDecideDoes() throws {
        let sessions = [Session(id: "ok", entity: Self.session),
                        Session(id: "gone", entity: Self.session, revoked: true)]
        let f = try fixture(Self.batchPolicies + "permit(principal, action, resource) when { context.session.aal == 1 };",
                            sessions: sessions)
        for session in ["ok", "gone", "who"] {
            let batch = try f.az.decideBatch(principal: Self.alice, contextJSON: #"{"aal": 2}"#, sessionID: session,
                                             nowMs: 5000, pairs: Self.pairs)
            #expect(batch == singles(f.az, context: #"{"aal": 2}"#, session: session, now: 5000), "\(session)")
        }
        let ok = try f.az.decideBatch(principal: Self.alice, contextJSON: "{}", sessionID: "ok", nowMs: 5000,
                                      pairs: Self.pairs)
        #expect(try ok[5].get().reasons == ["policy5"])
        let gone = try f.az.decideBatch(principal: Self.alice, sessionID: "gone", nowMs: 5000, pairs: Self.pairs)
        #expect(try gone.allSatisfy { try $0.get().cause == .sessionRevoked })
    }

    @Test func aBatchWhoseContextDoesNotParseFailsEveryPairAsDecideDoes() throws {
        let f = try fixture(Self.batchPolicies)
        let batch = try f.az.decideBatch(principal: Self.alice, contextJSON: #"{"aal": "#, pairs: Self.pairs)
        #expect(batch == singles(f.az, context: #"{"aal": "#))
        #expect(batch.allSatisfy { if case .failure(let e) = $0 { e.message.hasPrefix("VIGIL_E_CONTEXT") } else { false } })
    }

    @Test func anEmptyBatchIsEmptyAndAClosedOneThrows() throws {
        let f = try fixture(Self.batchPolicies)
        #expect(try f.az.decideBatch(principal: Self.alice, pairs: []).isEmpty)
        f.az.close()
        #expect(throws: AuthorizerError.self) { try f.az.decideBatch(principal: Self.alice, pairs: Self.pairs) }
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
