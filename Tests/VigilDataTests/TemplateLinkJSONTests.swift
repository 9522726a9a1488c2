import Testing
import VigilData
import VigilPolicy

@Suite("TemplateLinkJSON")
struct TemplateLinkJSONTests {
    @Test("the policy-set JSON form and the CLI form")
    func bothForms() throws {
        let text = #"""
            [
              {"templateId": "share", "newId": "alice-doc",
               "values": {"?principal": {"type": "User", "id": "alice"},
                          "?resource": {"__entity": {"type": "Doc", "id": "d1"}}}},
              {"template_id": "share", "link_id": "bob-doc",
               "args": {"?principal": "User::\"bob\"", "?resource": "NS::Doc::\"d\\n2\""}},
              {"template_id": "view", "new_id": "empty", "values": {}}
            ]
            """#
        let links = try TemplateLinkJSON.parse(SourceFile(name: "links.json", text: text))
        #expect(links == [
            TemplateLink(templateID: "share", newID: "alice-doc",
                         values: [.principal: uid("User", "alice"), .resource: uid("Doc", "d1")]),
            TemplateLink(templateID: "share", newID: "bob-doc",
                         values: [.principal: uid("User", "bob"), .resource: uid("NS::Doc", "d\n2")]),
            TemplateLink(templateID: "view", newID: "empty", values: [:]),
        ])
    }

    @Test("an empty array is no links")
    func empty() throws {
        #expect(try TemplateLinkJSON.parse(SourceFile(name: "links.json", text: "[]")).isEmpty)
    }
}
