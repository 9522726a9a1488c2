import VigilPolicy
import VigilSchema
import VigilValidator

/// A small photo-sharing schema, built by hand so these tests do not depend on the schema parsers. In Cedar's
/// schema syntax it reads:
///
/// ```
/// entity Group;
/// entity User in [Group] = {
///   name: String, age: Long, email?: String, manager?: User,
///   profile: { level: Long, nick?: String }, roles: Set<String>
/// } tags String;
/// entity Photo = { owner: User, labels: Set<String>, created: datetime, size: Long, price: decimal };
/// entity Color enum ["red", "blue"];
/// action readOnly;
/// action view in [readOnly] appliesTo {
///   principal: [User], resource: [Photo], context: { ip: ipaddr, authenticated: Bool, level?: Long }
/// };
/// action edit appliesTo { principal: [User], resource: [Photo] };
/// action share appliesTo { principal: [User, Group], resource: [Photo, Color] };
/// ```
///
/// Every expectation in these tests was checked against Cedar 4.12 (`cedarpy.validate_policies`).
enum Fixture {
    static func name(_ s: String) -> Name { Name(qualified: s) }
    static func action(_ id: String) -> EntityUID { EntityUID(type: name("Action"), id: id) }

    static let schema: Schema = {
        func record(_ attributes: [String: (SchemaType, Bool)]) -> RecordType {
            RecordType(attributes: attributes.mapValues { AttributeType(type: $0.0, isRequired: $0.1) })
        }
        let user = EntityTypeDefinition(
            name: name("User"), memberOfTypes: [name("Group")],
            attributes: record([
                "name": (.string, true), "age": (.long, true), "email": (.string, false),
                "manager": (.entity(name("User")), false),
                "profile": (.record(record(["level": (.long, true), "nick": (.string, false)])), true),
                "roles": (.set(.string), true),
            ]),
            tags: .string)
        let photo = EntityTypeDefinition(
            name: name("Photo"),
            attributes: record([
                "owner": (.entity(name("User")), true), "labels": (.set(.string), true),
                "created": (.extension("datetime"), true), "size": (.long, true),
                "price": (.extension("decimal"), true),
            ]))
        let types = [
            EntityTypeDefinition(name: name("Group")), user, photo,
            EntityTypeDefinition(name: name("Color"), enumIDs: ["red", "blue"]),
        ]
        let actions = [
            ActionDefinition(uid: action("readOnly")),
            ActionDefinition(
                uid: action("view"), memberOf: [action("readOnly")], principalTypes: [name("User")],
                resourceTypes: [name("Photo")],
                context: record([
                    "ip": (.extension("ipaddr"), true), "authenticated": (.bool, true), "level": (.long, false),
                ])),
            ActionDefinition(uid: action("edit"), principalTypes: [name("User")], resourceTypes: [name("Photo")]),
            ActionDefinition(
                uid: action("share"), principalTypes: [name("User"), name("Group")],
                resourceTypes: [name("Photo"), name("Color")]),
        ]
        return Schema(
            entityTypes: Dictionary(uniqueKeysWithValues: types.map { ($0.name, $0) }),
            actions: Dictionary(uniqueKeysWithValues: actions.map { ($0.uid, $0) }))
    }()

    /// The scope most tests use: `view` requests, whose principal is a `User` and resource a `Photo`.
    static let view = #"permit(principal, action == Action::"view", resource)"#

    /// Parses `text` (which must parse) and validates it against the fixture schema.
    static func check(_ text: String) throws -> ValidationReport {
        let file = SourceFile(name: "test.cedar", text: text)
        var set = PolicySet()
        set.append(try Parser.parsePolicies(file), from: file)
        return Validator(schema: schema).check(set)
    }

    /// The errors for `text`.
    static func errors(_ text: String) throws -> [Diagnostic] { try check(text).errors }
}
