import Testing
import VigilData
import VigilPolicy
@testable import VigilCompiler

@Suite struct PolicyCompilerTests {
    private func policySet(_ text: String) throws -> PolicySet {
        let file = SourceFile(name: "p.cedar", text: text)
        var set = PolicySet()
        set.append(try Parser.parsePolicies(file), from: file)
        return set
    }

    @Test func recordsScopeAnnotationsAndActionIndex() throws {
        let set = try policySet("""
            @id("a") permit(principal == User::"alice", action == Action::"read", resource is Doc in Folder::"f");
            @step_up("2") @max_age("300") forbid(principal, action in Action::"all", resource);
            permit(principal is User, action, resource);
            """)
        let entities = [
            Entity(uid: EntityUID(type: Name(basename: "Action"), id: "read"),
                   parents: [EntityUID(type: Name(basename: "Action"), id: "all")]),
        ]
        let index = try Compiler(policies: set, entities: entities).compile()
        #expect(index.policyIDs == ["policy0", "policy1", "policy2"])
        let p0 = index.policies[0], p1 = index.policies[1]
        #expect(u32(p0, 0) == PolicyRecord.hasAnnotatedID)
        #expect(u32(p0, 24) == 1 && u32(p0, 36) == 4)  // principal ==, resource is-in
        #expect(u32(p1, 0) == PolicyRecord.forbid | PolicyRecord.stepUp)
        #expect(u32(p1, 4) == 2 && u32(p1, 8) == 300 && i64(p1, 16) == Int64.max)
        // read (eid 0) is in all (eid 1): policy0 and policy1 for read, policy1 for all, policy2 for any action.
        let byAction = Dictionary(uniqueKeysWithValues: index.byAction.map { ($0.action, $0.policies) })
        #expect(byAction[0] == [0, 1] && byAction[1] == [1] && byAction[0xFFFF_FFFF] == [2])
        // The ancestors of read: all.
        #expect(u32(index.entities[0], 20) == 1)
    }

    @Test func stepUpOnAPermitOrWithABadLevelIsALocatedError() throws {
        let set = try policySet("""
            @step_up("2") permit(principal, action, resource);
            @step_up("4") forbid(principal, action, resource);
            @max_age("soon") forbid(principal, action, resource);
            """)
        do {
            _ = try Compiler(policies: set).compile()
            Issue.record("expected errors")
        } catch {
            #expect(error.all.map(\.code) == ["vigil.compile.step_up_on_permit", "vigil.compile.bad_step_up",
                                              "vigil.compile.bad_max_age"])
            #expect(error.all.map { $0.location?.line } == [1, 2, 3])
        }
    }

    @Test func linksFillTemplatesAndFollowStaticPolicies() throws {
        let set = try policySet("""
            @id("grant") permit(principal == ?principal, action, resource in ?resource);
            permit(principal, action, resource);
            """)
        let link = TemplateLink(templateID: "grant", newID: "bob-grant",
                                values: [.principal: EntityUID(type: Name(basename: "User"), id: "bob"),
                                         .resource: EntityUID(type: Name(basename: "Folder"), id: "f")])
        let index = try Compiler(policies: set, links: [link], linkExpiries: ["bob-grant": 1000]).compile()
        #expect(index.policyIDs == ["policy1", "bob-grant"])
        let p = index.policies[1]
        #expect(u32(p, 0) & PolicyRecord.linked != 0 && i64(p, 16) == 1000)
        #expect(u32(p, 24) == 1 && u32(p, 36) == 2)
        let missing = TemplateLink(templateID: "nope", newID: "x", values: [:])
        #expect(throws: Diagnostics.self) { try Compiler(policies: set, links: [missing]).compile() }
    }
}
