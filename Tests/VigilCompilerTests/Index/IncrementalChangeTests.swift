import Foundation
import Testing
import VigilData
import VigilPolicy
@testable import VigilCompiler

/// Incremental changes: one transaction each, a new generation each, decisions see them at once.
@Suite struct IncrementalChangeTests {
    static func uid(_ type: String, _ id: String) -> EntityUID { EntityUID(type: Name(qualified: type), id: id) }
    static let read = uid("Action", "read")
    static let doc = uid("Doc", "d")

    final class Fixture {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-inc-\(UUID().uuidString)").path
        let writer: IndexWriter
        let az: Authorizer
        let file = SourceFile(name: "t.cedar", text: """
            permit(principal in Group::"staff", action, resource) when { principal.level >= 2 };
            permit(principal, action, resource) when { context.session.aal == 2 };
            @id("grant") permit(principal == ?principal, action in Action::"all", resource);
            """)
        let template: Policy
        init() throws {
            var set = PolicySet()
            let policies = try Parser.parsePolicies(file)
            template = policies[2]
            set.append(policies, from: file)
            let entities = [
                Entity(uid: IncrementalChangeTests.uid("Group", "staff"),
                       parents: [IncrementalChangeTests.uid("Group", "all")]),
                Entity(uid: IncrementalChangeTests.uid("User", "old"), attributes: ["level": .long(1)],
                       parents: [IncrementalChangeTests.uid("Group", "staff")]),
                Entity(uid: IncrementalChangeTests.read, parents: [IncrementalChangeTests.uid("Action", "all")]),
            ]
            writer = try IndexWriter(directory: dir, mapSize: 16 << 20)
            try writer.publish(Compiler(policies: set, entities: entities).compile())
            az = try Authorizer(path: dir)
        }
        deinit { try? FileManager.default.removeItem(atPath: dir) }

        func decide(_ user: String, session: String? = nil) throws -> Decision {
            try az.decide(Request(principal: IncrementalChangeTests.uid("User", user),
                                  action: IncrementalChangeTests.read,
                                  resource: IncrementalChangeTests.doc, sessionID: session))
        }
    }

    @Test func upsertedEntitiesAndAttributesAreSeenAtTheNextGeneration() throws {
        let f = try Fixture()
        #expect(try f.decide("new").effect == .deny)
        // A new user in the group, with a new attribute name and a new entity in a value.
        let user = Entity(uid: Self.uid("User", "new"),
                          attributes: ["level": .long(3), "manager": .entity(Self.uid("User", "boss"))],
                          parents: [Self.uid("Group", "staff")])
        #expect(try f.writer.apply([.upsertEntity(user)]) == 2)
        var d = try f.decide("new")
        #expect(d.effect == .allow && d.reasons == ["policy0"] && d.generation == 2)
        #expect(try f.decide("old").effect == .deny)
        #expect(try f.writer.apply([.setAttribute(Self.uid("User", "old"), name: "level", value: .long(5))]) == 3)
        #expect(try f.decide("old").effect == .allow)
        #expect(try f.writer.apply([.deleteEntity(Self.uid("User", "new"))]) == 4)
        d = try f.decide("new")
        #expect(d.effect == .deny)
    }

    @Test func sessionsAreCreatedRevokedAndDeleted() throws {
        let f = try Fixture()
        let s = Self.uid("Vigil::Session", "s1")
        try f.writer.apply([.upsertEntity(Entity(uid: s, attributes: ["aal": .long(2)])),
                            .upsertSession(Session(id: "s1", entity: s))])
        #expect(try f.decide("x", session: "s1").effect == .allow)
        try f.writer.apply([.revokeSession(id: "s1")])
        #expect(try f.decide("x", session: "s1").cause == .sessionRevoked)
        try f.writer.apply([.deleteSession(id: "s1")])
        #expect(try f.decide("x", session: "s1").cause == .sessionUnknown)
        #expect(throws: IndexWriterError.unknown(what: "session `s1`")) {
            try f.writer.apply([.revokeSession(id: "s1")])
        }
    }

    @Test func aParentChangeWithDescendantsNeedsAFullPublishAndChangesNothing() throws {
        let f = try Fixture()
        let moved = Entity(uid: Self.uid("Group", "staff"), parents: [Self.uid("Group", "other")])
        #expect(throws: IndexWriterError.hierarchyChange(entity: #"Group::"staff""#)) {
            try f.writer.apply([.upsertEntity(moved)])
        }
        #expect(try f.az.generation() == 1)
        // The same parents are fine: attributes change, the closure does not.
        let same = Entity(uid: Self.uid("Group", "staff"), attributes: ["n": .long(1)],
                          parents: [Self.uid("Group", "all")])
        #expect(try f.writer.apply([.upsertEntity(same)]) == 2)
    }

    @Test func linksAreAddedAndRemoved() throws {
        let f = try Fixture()
        let link = TemplateLink(templateID: "grant", newID: "x-grant", values: [.principal: Self.uid("User", "x")])
        #expect(try f.writer.apply([.addLink(template: f.template, file: f.file, link: link, expiresAtMs: nil)]) == 2)
        let d = try f.decide("x")
        #expect(d.effect == .allow && d.reasons == ["x-grant"])
        #expect(throws: IndexWriterError.self) {
            try f.writer.apply([.addLink(template: f.template, file: f.file, link: link, expiresAtMs: nil)])
        }
        #expect(try f.writer.apply([.removeLink(id: "x-grant")]) == 3)
        #expect(try f.decide("x").effect == .deny)
        #expect(throws: IndexWriterError.unknown(what: "link `policy0`")) {
            try f.writer.apply([.removeLink(id: "policy0")])
        }
        let expiring = TemplateLink(templateID: "grant", newID: "y", values: [.principal: Self.uid("User", "y")])
        try f.writer.apply([.addLink(template: f.template, file: f.file, link: expiring, expiresAtMs: 5000)])
        let request = { (now: Int64) in
            Request(principal: Self.uid("User", "y"), action: Self.read, resource: Self.doc, nowMs: now)
        }
        #expect(try f.az.decide(request(4999)).effect == .allow)
        #expect(try f.az.decide(request(5000)).effect == .deny)
    }

    @Test func changesNeedAPublishedIndex() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-inc-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let writer = try IndexWriter(directory: dir, mapSize: 16 << 20)
        #expect(throws: IndexWriterError.notPublished(path: dir)) { try writer.apply([.deleteSession(id: "x")]) }
    }
}
