// The generated entities and request streams.

extension SaaSWorkload {
    /// The generated world: entities as Cedar entity JSON, plus what the request generator needs to know.
    public struct World: Sendable {
        public let shape: Shape
        /// Cedar's entity JSON (an array), entity references in `__entity` form.
        public let entitiesJSON: String
        public let entityCount: Int
        /// Documents owned by each user, so that some requests concern the caller's own documents.
        let owned: [[Int]]
        /// The first folder number of each level, over all levels, and the total.
        let folderCounts: [Int]
    }

    /// Generates the entities.
    public static func world(shape: Shape = Shape(), seed: UInt64 = 0x5AA5_0001) -> World {
        var rng = SplitMix64(state: seed)
        var json = "[\n"
        var count = 0
        func entity(_ type: String, _ id: String, attrs: String, parents: [(String, String)]) {
            if count > 0 { json += ",\n" }
            count += 1
            let ps = parents.map { "{\"type\":\"\($0.0)\",\"id\":\"\($0.1)\"}" }.joined(separator: ",")
            json += "{\"uid\":{\"type\":\"\(type)\",\"id\":\"\(id)\"},\"attrs\":{\(attrs)},\"parents\":[\(ps)]}"
        }
        func ref(_ type: String, _ id: String) -> String { "{\"__entity\":{\"type\":\"\(type)\",\"id\":\"\(id)\"}}" }

        // Groups: everyone ⊃ divisions ⊃ departments ⊃ teams ⊃ squads ⊃ pods, plus three role groups.
        for name in ["everyone", "admins", "auditors", "contractors"] {
            entity("Group", name, attrs: "\"name\":\"\(name)\"", parents: [])
        }
        let levels = [shape.divisions, shape.departments, shape.teams, shape.squads, shape.pods]
        for (level, n) in levels.enumerated() {
            for i in 0..<n {
                let parent = level == 0 ? "everyone" : groupID(level: level - 1, i % levels[level - 1])
                entity("Group", groupID(level: level, i), attrs: "\"name\":\"group \(level)-\(i)\"",
                       parents: [("Group", parent)])
            }
        }
        // Users: each in one team, squad or pod (3 to 5 levels below `everyone`), some also in a role group.
        for u in 0..<shape.users {
            let level = 2 + rng.int(3)
            var parents = [("Group", groupID(level: level, rng.int(levels[level])))]
            if rng.int(1_000) < 10 { parents.append(("Group", "admins")) }
            if rng.int(1_000) < 5 { parents.append(("Group", "auditors")) }
            if rng.int(1_000) < 50 { parents.append(("Group", "contractors")) }
            let risk = rng.percent(5) ? 80 + rng.int(20) : rng.int(60)
            let suspended = rng.int(1_000) < 5
            entity("User", userID(u), attrs: "\"risk\":\(risk),\"suspended\":\(suspended)", parents: parents)
        }
        // Folders: workspaces, then each level's folders spread over the level above.
        let folderLevels = [shape.workspaces] + shape.folderLevels
        for (level, n) in folderLevels.enumerated() {
            for i in 0..<n {
                let parents = level == 0 ? [] : [("Folder", folderID(level: level - 1, i % folderLevels[level - 1]))]
                let owner = ref("User", userID(rng.int(shape.users)))
                entity("Folder", folderID(level: level, i), attrs: "\"owner\":\(owner)", parents: parents)
            }
        }
        // Documents: in a folder two to five levels down (3 to 6 folders above them).
        var owned = [[Int]](repeating: [], count: shape.users)
        let classes = ["public", "internal", "internal", "internal", "confidential"]
        for d in 0..<shape.documents {
            let level = min(2 + rng.int(4), folderLevels.count - 1)
            let folder = folderID(level: level, rng.int(folderLevels[level]))
            let owner = rng.int(shape.users)
            owned[owner].append(d)
            let shared = (0..<rng.int(4)).map { _ in ref("User", userID(rng.int(shape.users))) }
            let editors = (0..<rng.int(3)).map { _ in ref("User", userID(rng.int(shape.users))) }
            let attrs = "\"owner\":\(ref("User", userID(owner))),\"classification\":\"\(classes[rng.int(5)])\","
                + "\"sharedWith\":[\(shared.joined(separator: ","))],\"editors\":[\(editors.joined(separator: ","))],"
                + "\"deleted\":\(rng.int(100) == 0)"
            entity("Document", documentID(d), attrs: attrs, parents: [("Folder", folder)])
        }
        json += "\n]\n"
        return World(shape: shape, entitiesJSON: json, entityCount: count, owned: owned, folderCounts: folderLevels)
    }

    /// How requests pick their principal and resource.
    public enum Distribution: Sendable {
        /// Users and documents drawn with probability ∝ 1/rank^s (hot keys), through a fixed permutation.
        case zipf(exponent: Double)
        /// Every user and document equally likely.
        case uniform
    }

    /// Generates `count` requests. A quarter of the document requests concern a document the caller owns (when
    /// the caller owns any); a twentieth are `list` on a folder.
    public static func requests(
        _ world: World, count: Int, distribution: Distribution, seed: UInt64 = 0x5AA5_0002
    ) -> [Request] {
        var rng = SplitMix64(state: seed)
        let shape = world.shape
        var pickUser: (inout SplitMix64) -> Int = { $0.int(shape.users) }
        var pickDocument: (inout SplitMix64) -> Int = { $0.int(shape.documents) }
        if case .zipf(let s) = distribution {
            let users = Zipf(count: shape.users, exponent: s, rng: &rng)
            let documents = Zipf(count: shape.documents, exponent: s, rng: &rng)
            pickUser = { users.draw(&$0) }
            pickDocument = { documents.draw(&$0) }
        }
        let documentActions = ["view", "view", "view", "view", "view", "view", "view", "view", "view", "view",
                               "comment", "comment", "download", "download", "edit", "edit", "edit", "share",
                               "delete"]
        var out: [Request] = []
        out.reserveCapacity(count)
        for _ in 0..<count {
            let user = pickUser(&rng)
            let action: String
            let resource: (type: String, id: String)
            if rng.percent(5) {
                action = "list"
                let level = 1 + rng.int(world.folderCounts.count - 1)
                resource = ("Folder", folderID(level: level, rng.int(world.folderCounts[level])))
            } else {
                action = documentActions[rng.int(documentActions.count)]
                let mine = world.owned[user]
                let doc = !mine.isEmpty && rng.percent(25) ? mine[rng.int(mine.count)] : pickDocument(&rng)
                resource = ("Document", documentID(doc))
            }
            let ip = switch rng.int(10) {
            case 0..<7: "10.\(rng.int(256)).\(rng.int(256)).\(1 + rng.int(254))"
            case 7: "192.168.\(rng.int(256)).\(1 + rng.int(254))"
            default: "203.0.113.\(1 + rng.int(254))"
            }
            let hour = rng.percent(80) ? 8 + rng.int(10) : rng.int(24)
            let aal = rng.percent(60) ? 1 : (rng.percent(75) ? 2 : 3)
            let context = "{\"ip\":{\"__extn\":{\"fn\":\"ip\",\"arg\":\"\(ip)\"}},\"hour\":\(hour),"
                + "\"risk\":\(rng.int(100)),\"session\":{\"aal\":\(aal)}}"
            out.append(Request(principal: userID(user), action: action, resource: resource, contextJSON: context))
        }
        return out
    }

    /// A request as one line of JSON in the conformance files' format.
    public static func jsonLine(_ r: Request) -> String {
        "{\"principal\":{\"type\":\"User\",\"id\":\"\(r.principal)\"},"
            + "\"action\":{\"type\":\"Action\",\"id\":\"\(r.action)\"},"
            + "\"resource\":{\"type\":\"\(r.resource.type)\",\"id\":\"\(r.resource.id)\"},\"context\":\(r.contextJSON)}"
    }
}
