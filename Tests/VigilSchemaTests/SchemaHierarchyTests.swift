import Testing
import VigilPolicy
import VigilSchema

@Suite("Schema hierarchy queries")
struct SchemaHierarchyTests {
    static let schema: Schema = {
        do {
            return try human("""
                entity Org;
                entity Group in [Org, Group];
                entity User in [Group];
                entity Doc;
                action all;
                action read, write in [all];
                action view in [read];
                """)
        } catch {
            fatalError("fixture schema: \(error)")
        }
    }()

    @Test("entity type ancestors follow memberOfTypes transitively, through cycles")
    func entityAncestors() {
        let s = Self.schema
        #expect(s.entityTypeAncestors(of: name("User")) == [name("Group"), name("Org")])
        #expect(s.entityTypeAncestors(of: name("Group")) == [name("Group"), name("Org")])
        #expect(s.entityTypeAncestors(of: name("Doc")).isEmpty)
        #expect(s.entityTypeAncestors(of: name("Nope")).isEmpty)
    }

    @Test("entity type descendants are the types that can be in it")
    func entityDescendants() {
        let s = Self.schema
        #expect(s.entityTypeDescendants(of: name("Org")) == [name("Group"), name("User")])
        #expect(s.entityTypeDescendants(of: name("User")).isEmpty)
    }

    @Test("action ancestors and descendants")
    func actions() {
        let s = Self.schema
        #expect(s.actionAncestors(of: action("view")) == [action("read"), action("all")])
        #expect(s.actionDescendants(of: action("all")) == [action("read"), action("write"), action("view")])
        #expect(s.actionAncestors(of: action("all")).isEmpty)
        #expect(s.actionAncestors(of: action("missing")).isEmpty)
    }

    @Test("lookups and the action entity types")
    func lookups() {
        let s = Self.schema
        #expect(s.entityType(name("User"))?.memberOfTypes == [name("Group")])
        #expect(s.entityType(name("Action")) == nil)
        #expect(s.action(action("view"))?.memberOf == [action("read")])
        #expect(s.actionEntityTypes == [name("Action")])
    }
}
