import VigilPolicy

/// One template link: the policy `newID` made from template `templateID` by filling its slots.
public struct TemplateLink: Hashable, Sendable {
    public var templateID: String
    public var newID: String
    /// The entity for each slot the link fills.
    public var values: [Slot: EntityUID]

    public init(templateID: String, newID: String, values: [Slot: EntityUID]) {
        self.templateID = templateID
        self.newID = newID
        self.values = values
    }
}

/// Reads a template-links file: an array of links in either of Cedar's two spellings.
///
/// - the policy-set JSON form (cedar-policy-core/src/est/policy_set.rs `TemplateLink`):
///   `{"templateId": "t", "newId": "p1", "values": {"?principal": {"type": "User", "id": "alice"}}}`;
/// - the CLI's links file (cedar-policy-cli/src/utils/links.rs):
///   `{"template_id": "t", "link_id": "p1", "args": {"?principal": "User::\"alice\""}}`.
/// Keys may be mixed (`template_id` with `new_id` and `values` is accepted too). A slot value is an entity
/// reference in JSON form (`{"type", "id"}` or `__entity`) or a string in Cedar syntax. Slots are `?principal` and
/// `?resource`; unknown keys are refused, as is a `newId` used twice.
public enum TemplateLinkJSON {
    /// Parses a links file.
    /// - Parameters:
    ///   - file: the JSON text.
    ///   - extraFields: fields a link may also carry that the caller reads itself (the data API's
    ///     `expires_at_ms`); any other unknown field is an error.
    /// - Returns: the links in file order.
    /// - Throws: `Diagnostics` with every problem found, each with its JSON path and span.
    public static func parse(_ file: SourceFile, extraFields: Set<String> = []) throws(Diagnostics) -> [TemplateLink] {
        let root = try JSON.parse(file)
        var decoder = ValueDecoder(file: file, schema: nil)
        var links: [TemplateLink] = []
        if let items = root.elements {
            var firstUse: [String: JSONPath] = [:]
            for (i, item) in items.enumerated() {
                guard let (link, newIDNode) = self.link(item, JSONPath.root.index(i), extraFields, &decoder)
                else { continue }
                if let earlier = firstUse[link.newID] {
                    decoder.sink.error("vigil.data.duplicate_link_id", "policy id `\(link.newID)` is used by two links",
                                       at: newIDNode.span, path: JSONPath.root.index(i),
                                       help: "the first is at `\(earlier)`; each link needs its own id")
                    continue
                }
                firstUse[link.newID] = JSONPath.root.index(i)
                links.append(link)
            }
        } else {
            decoder.sink.error("vigil.data.expected_array", "template links JSON must be an array of links, found "
                + root.kindWithArticle, at: root.span, path: .root)
        }
        try decoder.sink.check()
        return links
    }

    /// The accepted spellings of each field.
    private static let templateKeys = ["templateId", "template_id"]
    private static let newIDKeys = ["newId", "new_id", "link_id"]
    private static let valuesKeys = ["values", "args"]

    /// The field a spelling stands for: `templateId`, `newId` or `values`.
    private static func canonicalField(_ key: String) -> String {
        templateKeys.contains(key) ? "templateId" : newIDKeys.contains(key) ? "newId" : "values"
    }

    private static func link(
        _ node: JSONNode, _ path: JSONPath, _ extraFields: Set<String>, _ decoder: inout ValueDecoder
    ) -> (TemplateLink, JSONNode)? {
        guard node.members != nil else {
            decoder.sink.error("vigil.data.expected_object", "expected a template link object, found "
                + node.kindWithArticle, at: node.span, path: path)
            return nil
        }
        var template: String?, newID: String?, newIDNode: JSONNode?, values: [Slot: EntityUID]?
        var ok = true
        var present: Set<String> = []
        let allKeys = templateKeys + newIDKeys + valuesKeys
        for (key, keySpan, value) in decoder.uniqueMembers(node, path) {
            let at = path.key(key)
            if templateKeys.contains(key) || newIDKeys.contains(key) {
                present.insert(canonicalField(key))
                guard let s = value.string else {
                    decoder.sink.error("vigil.data.type_mismatch", "`\(key)` must be a string, found "
                        + value.kindWithArticle, at: value.span, path: at)
                    ok = false
                    continue
                }
                if templateKeys.contains(key) { template = s } else { (newID, newIDNode) = (s, value) }
            } else if valuesKeys.contains(key) {
                present.insert(canonicalField(key))
                values = slotValues(value, at, &decoder)
                ok = ok && values != nil
            } else if extraFields.contains(key) {
                continue
            } else {
                let near = closest(to: key, among: allKeys)
                decoder.sink.error("vigil.data.unexpected_field", "unknown field `\(key)` in a template link",
                                   at: keySpan, path: at,
                                   help: near.map { "did you mean `\($0)`?" }
                                       ?? "the fields are `templateId`, `newId` and `values`")
                // A misspelt field is reported once, here, not again as missing.
                if let near { present.insert(canonicalField(near)) }
                ok = false
            }
        }
        for name in ["templateId", "newId", "values"] where !present.contains(name) {
            decoder.sink.error("vigil.data.missing_field", "template link is missing required field `\(name)`",
                               at: node.span, path: path)
            ok = false
        }
        guard ok, let template, let newID, let newIDNode, let values else { return nil }
        return (TemplateLink(templateID: template, newID: newID, values: values), newIDNode)
    }

    /// The `values` object: slot name to entity, as JSON or as a Cedar-syntax string.
    private static func slotValues(
        _ node: JSONNode, _ path: JSONPath, _ decoder: inout ValueDecoder
    ) -> [Slot: EntityUID]? {
        guard node.members != nil else {
            decoder.sink.error("vigil.data.expected_object", "slot values must be an object such as "
                + "`{\"?principal\": {\"type\": \"User\", \"id\": \"alice\"}}`, found " + node.kindWithArticle,
                               at: node.span, path: path)
            return nil
        }
        var out: [Slot: EntityUID] = [:]
        var ok = true
        for (key, keySpan, value) in decoder.uniqueMembers(node, path) {
            let at = path.key(key)
            guard let slot = Slot(rawValue: key) else {
                decoder.sink.error("vigil.data.invalid_slot", "`\(key)` is not a template slot", at: keySpan, path: at,
                                   help: "the slots are `?principal` and `?resource`")
                ok = false
                continue
            }
            if let text = value.string {
                guard let uid = cedarUID(text) else {
                    decoder.sink.error("vigil.data.expected_entity",
                                       "\(CedarString.quote(text)) is not an entity uid in Cedar syntax",
                                       at: value.span, path: at,
                                       help: "write it as `\"User::\\\"alice\\\"\"` or as "
                                           + "`{\"type\": \"User\", \"id\": \"alice\"}`")
                    ok = false
                    continue
                }
                out[slot] = uid
            } else if let uid = decoder.entityUID(value, at) {
                out[slot] = uid
            } else {
                ok = false
            }
        }
        return ok ? out : nil
    }

    /// An entity uid written in Cedar syntax (`User::"alice"`), or `nil`.
    private static func cedarUID(_ text: String) -> EntityUID? {
        guard let e = try? Parser.parseExpression(SourceFile(name: "<slot value>", text: text)),
              case .literal(.entity(let uid)) = e.kind
        else { return nil }
        return uid
    }
}
