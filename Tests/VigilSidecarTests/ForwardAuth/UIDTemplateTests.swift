import Testing
import VigilPolicy
@testable import VigilSidecar

@Suite struct UIDTemplateTests {
    @Test func readsTypeIdAndPlaceholders() throws {
        let t = try UIDTemplate(parsing: #"App::Document::"doc-{id}:{cid}""#)
        #expect(t.type == Name(namespace: ["App"], basename: "Document"))
        #expect(t.placeholders == ["id", "cid"])
        #expect(t.render { ["id": "1", "cid": "2"][$0] } == EntityUID(type: t.type, id: "doc-1:2"))
        #expect(t.render { $0 == "id" ? "1" : nil } == nil)
        let literal = try UIDTemplate(parsing: #"Action::"view""#)
        #expect(literal.placeholders.isEmpty && literal.render { _ in nil }?.id == "view")
        let braces = try UIDTemplate(parsing: #"T::"{{x}} \"q\" \\ {id}""#)
        #expect(braces.placeholders == ["id"])
        #expect(braces.render { _ in "v" }?.id == #"{x} "q" \ v"#)
    }

    @Test func valuesAreSubstitutedVerbatimAndCannotEscapeTheId() throws {
        let t = try UIDTemplate(parsing: #"Document::"{id}""#)
        let hostile = #"x", Admin::"root"#
        let uid = try #require(t.render { _ in hostile })
        #expect(uid.type.description == "Document" && uid.id == hostile)
        // Shown as Cedar text, the quote and backslash are escaped.
        #expect(try #require(t.render { _ in "a\"b\\c" }).description == #"Document::"a\"b\\c""#)
    }

    @Test func refusesBadTemplates() {
        for bad in [#"Document"#, #"Document::doc"#, #""id""#, #"::"id""#, #"Doc ument::"x""#, #"1Doc::"x""#,
                    #"Doc::"x"y""#, #"Doc::"x"#, #"Doc::"{id""#, #"Doc::"id}""#, #"Doc::"{}""#, #"Doc::"\q""#,
                    #"Doc::::"x""#, #"A::"{a{b}""#] {
            #expect(throws: Diagnostic.self, "\(bad)") { try UIDTemplate(parsing: bad) }
        }
    }
}
