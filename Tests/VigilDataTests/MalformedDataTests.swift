import Testing
import VigilData
import VigilPolicy

/// A malformed input and the one diagnostic it must produce: code, JSON path and the line:column it points at.
struct MalformedCase: Sendable, CustomStringConvertible {
    enum Kind: Sendable { case entities, context, contextForDelete, links }
    var name: String
    var kind: Kind
    var schema: Bool
    var text: String
    var code: String
    var path: String?
    var line: Int
    var column: Int

    init(_ name: String, _ kind: Kind, schema: Bool, _ text: String, _ code: String, _ path: String?, _ line: Int,
         _ column: Int) {
        (self.name, self.kind, self.schema, self.text) = (name, kind, schema, text)
        (self.code, self.path, self.line, self.column) = (code, path, line, column)
    }

    var description: String { name }

    /// Parses the input and returns what it throws, or `nil` when it is (wrongly) accepted.
    func diagnostics() -> [Diagnostic]? {
        let file = SourceFile(name: "case.json", text: text)
        let s = schema ? testSchema : nil
        do {
            switch kind {
            case .entities: _ = try EntityJSON.parse(file, schema: s)
            case .context: _ = try ContextJSON.parse(file, action: uid("App::Action", "view"), schema: s)
            case .contextForDelete: _ = try ContextJSON.parse(file, action: uid("App::Action", "delete"), schema: s)
            case .links: _ = try TemplateLinkJSON.parse(file)
            }
            return nil
        } catch {
            return error.all
        }
    }
}

// Each input is one malformed entities, context or links file. cedarpy (Cedar 4.12) refuses every entities and
// context input here as well (checked when the table was written; links use the CLI's and policy-set formats,
// which cedarpy does not read). The expected location is where the offending value starts.
let malformedCases: [MalformedCase] = [
        MalformedCase("root is not an array", .entities, schema: false, "{\"uid\": {\"type\": \"User\", \"id\": \"a\"}}",
                      "vigil.data.expected_array", nil, 1, 1),
        MalformedCase("JSON syntax error", .entities, schema: false, "[\n  {\"uid\": {\"type\": \"User\", \"id\": \"a\"}, \"attrs\": {}, \"parents\": [] },\n]",
                      "vigil.json.unexpected_character", nil, 3, 1),
        MalformedCase("entity is not an object", .entities, schema: false, "[\n  1\n]",
                      "vigil.data.expected_object", "[0]", 2, 3),
        MalformedCase("missing attrs", .entities, schema: false, "[\n  {\"uid\": {\"type\": \"User\", \"id\": \"a\"}, \"parents\": []}\n]",
                      "vigil.data.missing_field", "[0]", 2, 3),
        MalformedCase("uid in Cedar syntax", .entities, schema: false, "[\n  {\"uid\": \"User::\\\"a\\\"\", \"attrs\": {}, \"parents\": []}\n]",
                      "vigil.data.expected_entity", "[0].uid", 2, 11),
        MalformedCase("invalid type name", .entities, schema: false, "[\n  {\"uid\": {\"type\": \"Us er\", \"id\": \"a\"}, \"attrs\": {}, \"parents\": []}\n]",
                      "vigil.data.invalid_type_name", "[0].uid.type", 2, 20),
        MalformedCase("reserved namespace", .entities, schema: false, "[\n  {\"uid\": {\"type\": \"__cedar::User\", \"id\": \"a\"}, \"attrs\": {}, \"parents\": []}\n]",
                      "vigil.data.invalid_type_name", "[0].uid.type", 2, 20),
        MalformedCase("fraction", .entities, schema: false, "[\n  {\"uid\": {\"type\": \"User\", \"id\": \"a\"},\n   \"attrs\": {\"x\": 1.5}, \"parents\": []}\n]",
                      "vigil.data.invalid_number", "[0].attrs.x", 3, 19),
        MalformedCase("integer out of range", .entities, schema: false, "[\n  {\"uid\": {\"type\": \"User\", \"id\": \"a\"},\n   \"attrs\": {\"x\": [1, 9223372036854775808]}, \"parents\": []}\n]",
                      "vigil.data.invalid_number", "[0].attrs.x[1]", 3, 23),
        MalformedCase("null", .entities, schema: false, "[\n  {\"uid\": {\"type\": \"User\", \"id\": \"a\"},\n   \"attrs\": {\"x\": {\"y\": null}}, \"parents\": []}\n]",
                      "vigil.data.null", "[0].attrs.x.y", 3, 25),
        MalformedCase("duplicate attribute", .entities, schema: false, "[\n  {\"uid\": {\"type\": \"User\", \"id\": \"a\"},\n   \"attrs\": {\"x\": 1, \"x\": 2}, \"parents\": []}\n]",
                      "vigil.data.duplicate_key", "[0].attrs.x", 3, 22),
        MalformedCase("__expr escape", .entities, schema: false, "[\n  {\"uid\": {\"type\": \"User\", \"id\": \"a\"},\n   \"attrs\": {\"x\": {\"__expr\": \"1 + 1\"}}, \"parents\": []}\n]",
                      "vigil.data.expr_escape", "[0].attrs.x", 3, 19),
        MalformedCase("invalid ip in __extn", .entities, schema: false, "[\n  {\"uid\": {\"type\": \"User\", \"id\": \"a\"},\n   \"attrs\": {\"addr\": {\"__extn\": {\"fn\": \"ip\", \"arg\": \"1.2.3\"}}}, \"parents\": []}\n]",
                      "vigil.data.invalid_extension_value", "[0].attrs.addr.__extn.arg", 3, 53),
        MalformedCase("unknown extension function", .entities, schema: false, "[\n  {\"uid\": {\"type\": \"User\", \"id\": \"a\"},\n   \"attrs\": {\"addr\": {\"__extn\": {\"fn\": \"ipaddr\", \"arg\": \"1.2.3.4\"}}}, \"parents\": []}\n]",
                      "vigil.data.unknown_function", "[0].attrs.addr.__extn.fn", 3, 40),
        MalformedCase("extension arity", .entities, schema: false, "[\n  {\"uid\": {\"type\": \"User\", \"id\": \"a\"},\n   \"attrs\": {\"d\": {\"__extn\": {\"fn\": \"decimal\", \"args\": [\"1.0\", \"2.0\"]}}}, \"parents\": []}\n]",
                      "vigil.data.extension_arity", "[0].attrs.d.__extn", 3, 30),
        MalformedCase("extension argument type", .entities, schema: false, "[\n  {\"uid\": {\"type\": \"User\", \"id\": \"a\"},\n   \"attrs\": {\"d\": {\"__extn\": {\"fn\": \"decimal\", \"arg\": 1}}}, \"parents\": []}\n]",
                      "vigil.data.extension_argument_type", "[0].attrs.d.__extn.arg", 3, 55),
        MalformedCase("extension overflow", .entities, schema: false, "[\n  {\"uid\": {\"type\": \"User\", \"id\": \"a\"},\n   \"attrs\": {\"t\": {\"__extn\": {\"fn\": \"offset\", \"args\": [\n     {\"__extn\": {\"fn\": \"datetime\", \"arg\": \"9999-12-31\"}},\n     {\"__extn\": {\"fn\": \"duration\", \"arg\": \"9223372036854775807ms\"}}]}}}, \"parents\": []}\n]",
                      "vigil.data.extension_overflow", "[0].attrs.t.__extn", 3, 30),
        MalformedCase("action with a non-action parent", .entities, schema: false, "[\n  {\"uid\": {\"type\": \"Action\", \"id\": \"view\"}, \"attrs\": {},\n   \"parents\": [{\"type\": \"Group\", \"id\": \"g\"}]}\n]",
                      "vigil.data.action_parent", "[0].parents[0]", 3, 16),
        MalformedCase("conflicting duplicate entity", .entities, schema: false, "[\n  {\"uid\": {\"type\": \"User\", \"id\": \"a\"}, \"attrs\": {}, \"parents\": []},\n  {\"uid\": {\"type\": \"User\", \"id\": \"a\"}, \"attrs\": {\"x\": 1}, \"parents\": []}\n]",
                      "vigil.data.duplicate_entity", "[1].uid", 3, 11),
        MalformedCase("parent cycle", .entities, schema: false, "[\n  {\"uid\": {\"type\": \"G\", \"id\": \"a\"}, \"attrs\": {}, \"parents\": [{\"type\": \"G\", \"id\": \"b\"}]},\n  {\"uid\": {\"type\": \"G\", \"id\": \"b\"}, \"attrs\": {}, \"parents\": [{\"type\": \"G\", \"id\": \"a\"}]}\n]",
                      "vigil.data.parent_cycle", "[0].parents[0]", 2, 62),
        MalformedCase("undeclared entity type", .entities, schema: true, "[\n  {\"uid\": {\"type\": \"App::Usr\", \"id\": \"a\"}, \"attrs\": {}, \"parents\": []}\n]",
                      "vigil.data.unknown_entity_type", "[0].uid", 2, 20),
        MalformedCase("missing required attribute", .entities, schema: true, "[\n  {\"uid\": {\"type\": \"App::User\", \"id\": \"alice\"},\n   \"attrs\": {\"age\": 3}, \"parents\": []}\n]",
                      "vigil.data.missing_attribute", "[0].attrs", 3, 13),
        MalformedCase("undeclared attribute", .entities, schema: true, "[\n  {\"uid\": {\"type\": \"App::User\", \"id\": \"alice\"},\n   \"attrs\": {\"name\": \"A\", \"nmae\": \"B\"}, \"parents\": []}\n]",
                      "vigil.data.unexpected_attribute", "[0].attrs.nmae", 3, 27),
        MalformedCase("wrong primitive type", .entities, schema: true, "[\n  {\"uid\": {\"type\": \"App::User\", \"id\": \"alice\"},\n   \"attrs\": {\"name\": \"A\", \"age\": \"thirty\"}, \"parents\": []}\n]",
                      "vigil.data.type_mismatch", "[0].attrs.age", 3, 34),
        MalformedCase("invalid ipaddr string", .entities, schema: true, "[\n  {\"uid\": {\"type\": \"App::User\", \"id\": \"alice\"},\n   \"attrs\": {\"name\": \"A\", \"ip\": \"300.1.1.1\"}, \"parents\": []}\n]",
                      "vigil.data.invalid_extension_value", "[0].attrs.ip", 3, 33),
        MalformedCase("decimal given a number", .entities, schema: true, "[\n  {\"uid\": {\"type\": \"App::User\", \"id\": \"alice\"},\n   \"attrs\": {\"name\": \"A\", \"score\": 1}, \"parents\": []}\n]",
                      "vigil.data.type_mismatch", "[0].attrs.score", 3, 36),
        MalformedCase("entity of the wrong type", .entities, schema: true, "[\n  {\"uid\": {\"type\": \"App::User\", \"id\": \"alice\"},\n   \"attrs\": {\"name\": \"A\", \"manager\": {\"type\": \"App::Team\", \"id\": \"t\"}}, \"parents\": []}\n]",
                      "vigil.data.type_mismatch", "[0].attrs.manager", 3, 38),
        MalformedCase("set element of the wrong type", .entities, schema: true, "[\n  {\"uid\": {\"type\": \"App::User\", \"id\": \"alice\"},\n   \"attrs\": {\"name\": \"A\", \"nicknames\": [\"al\", 7]}, \"parents\": []}\n]",
                      "vigil.data.type_mismatch", "[0].attrs.nicknames[1]", 3, 47),
        MalformedCase("nested record missing a field", .entities, schema: true, "[\n  {\"uid\": {\"type\": \"App::User\", \"id\": \"alice\"},\n   \"attrs\": {\"name\": \"A\", \"address\": {\"zip\": 12345}}, \"parents\": []}\n]",
                      "vigil.data.missing_attribute", "[0].attrs.address", 3, 38),
        MalformedCase("parent of a disallowed type", .entities, schema: true, "[\n  {\"uid\": {\"type\": \"App::User\", \"id\": \"alice\"}, \"attrs\": {\"name\": \"A\"},\n   \"parents\": [{\"type\": \"App::Doc\", \"id\": \"d\"}]}\n]",
                      "vigil.data.invalid_parent_type", "[0].parents[0]", 3, 16),
        MalformedCase("enum id not declared", .entities, schema: true, "[\n  {\"uid\": {\"type\": \"App::Color\", \"id\": \"blue\"}, \"attrs\": {}, \"parents\": []}\n]",
                      "vigil.data.invalid_enum_id", "[0].uid", 2, 11),
        MalformedCase("tag on a type without tags", .entities, schema: true, "[\n  {\"uid\": {\"type\": \"App::Team\", \"id\": \"t\"}, \"attrs\": {}, \"parents\": [],\n   \"tags\": {\"level\": \"x\"}}\n]",
                      "vigil.data.unexpected_tag", "[0].tags.level", 3, 13),
        MalformedCase("tag of the wrong type", .entities, schema: true, "[\n  {\"uid\": {\"type\": \"App::User\", \"id\": \"alice\"}, \"attrs\": {\"name\": \"A\"}, \"parents\": [],\n   \"tags\": {\"level\": 3}}\n]",
                      "vigil.data.type_mismatch", "[0].tags.level", 3, 22),
        MalformedCase("undeclared action", .entities, schema: true, "[\n  {\"uid\": {\"type\": \"App::Action\", \"id\": \"delete\"}, \"attrs\": {}, \"parents\": []}\n]",
                      "vigil.data.undeclared_action", "[0].uid", 2, 11),
        MalformedCase("action differs from its declaration", .entities, schema: true, "[\n  {\"uid\": {\"type\": \"App::Action\", \"id\": \"edit\"}, \"attrs\": {}, \"parents\": []}\n]",
                      "vigil.data.action_mismatch", "[0].uid", 2, 11),
        MalformedCase("datetime attribute malformed", .entities, schema: true, "[\n  {\"uid\": {\"type\": \"App::Doc\", \"id\": \"d\"},\n   \"attrs\": {\"owner\": {\"type\": \"App::User\", \"id\": \"alice\"}, \"created\": \"2024-02-30\"}, \"parents\": []}\n]",
                      "vigil.data.invalid_extension_value", "[0].attrs.created", 3, 72),
        MalformedCase("context is not an object", .context, schema: false, "[1, 2]",
                      "vigil.data.expected_object", nil, 1, 1),
        MalformedCase("context is an entity escape", .context, schema: false, "{\"__entity\": {\"type\": \"User\", \"id\": \"a\"}}",
                      "vigil.data.expected_object", nil, 1, 1),
        MalformedCase("context missing a required attribute", .context, schema: true, "{\n  \"level\": 1\n}",
                      "vigil.data.missing_attribute", nil, 1, 1),
        MalformedCase("context for an undeclared action", .contextForDelete, schema: true, "{\n  \"ip\": \"10.0.0.1\"\n}",
                      "vigil.data.undeclared_action", nil, 1, 1),
        MalformedCase("context datetime malformed", .context, schema: true, "{\n  \"ip\": \"10.0.0.1\",\n  \"when\": \"2024-13-01\"\n}",
                      "vigil.data.invalid_extension_value", "when", 3, 11),
        MalformedCase("context enum value", .context, schema: true, "{\n  \"ip\": \"10.0.0.1\",\n  \"color\": {\"type\": \"App::Color\", \"id\": \"blue\"}\n}",
                      "vigil.data.invalid_enum_id", "color", 3, 12),
        MalformedCase("link missing newId", .links, schema: false, "[\n  {\"templateId\": \"t\", \"values\": {}}\n]",
                      "vigil.data.missing_field", "[0]", 2, 3),
        MalformedCase("link with an unknown slot", .links, schema: false, "[\n  {\"templateId\": \"t\", \"newId\": \"p\",\n   \"values\": {\"?user\": {\"type\": \"User\", \"id\": \"a\"}}}\n]",
                      "vigil.data.invalid_slot", "[0].values.\"?user\"", 3, 15),
        MalformedCase("link with a bad Cedar uid", .links, schema: false, "[\n  {\"template_id\": \"t\", \"link_id\": \"p\",\n   \"args\": {\"?principal\": \"User:alice\"}}\n]",
                      "vigil.data.expected_entity", "[0].args.\"?principal\"", 3, 27),
        MalformedCase("link id used twice", .links, schema: false, "[\n  {\"templateId\": \"t\", \"newId\": \"p\", \"values\": {}},\n  {\"templateId\": \"t\", \"newId\": \"p\", \"values\": {}}\n]",
                      "vigil.data.duplicate_link_id", "[1]", 3, 32),
        MalformedCase("link with a misspelt field", .links, schema: false, "[\n  {\"templateID\": \"t\", \"newId\": \"p\", \"values\": {}}\n]",
                      "vigil.data.unexpected_field", "[0].templateID", 2, 4),

]

@Suite("Malformed entities, context and links JSON")
struct MalformedDataTests {
    @Test("each is refused with one located diagnostic", arguments: malformedCases)
    func refused(_ c: MalformedCase) throws {
        let all = try #require(c.diagnostics(), "accepted")
        #expect(all.count == 1, "\(all.map(\.description))")
        let d = all[0]
        #expect(d.code == c.code)
        #expect(d.jsonPath == c.path)
        #expect(d.location?.line == c.line && d.location?.column == c.column, "at \(String(describing: d.location))")
        #expect(!d.message.isEmpty && !d.message.hasSuffix(".") && d.message.first?.isUppercase == false)
    }

    @Test("there are at least twenty")
    func enough() {
        #expect(malformedCases.count >= 20)
    }
}
