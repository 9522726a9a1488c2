import Testing
import VigilPolicy
@testable import VigilSidecar

@Suite struct PathPatternTests {
    private func p(_ s: String) throws -> PathPattern { try PathPattern(parsing: s) }

    @Test func matchesLiteralsParametersAndWildcards() throws {
        #expect(try p("/docs/{id}").match(["docs", "a b"]) == ["id": "a b"])
        #expect(try p("/docs/{id}").match(["docs"]) == nil)
        #expect(try p("/docs/{id}").match(["docs", ""]) == nil)
        #expect(try p("/docs/{id}").match(["docs", "1", "x"]) == nil)
        #expect(try p("/docs/{id}").match(["Docs", "1"]) == nil)
        #expect(try p("/docs/{id}/comments/{cid}").match(["docs", "1", "comments", "9"]) == ["id": "1", "cid": "9"])
        #expect(try p("/files/*").match(["files", "a", "b c"]) == ["*": "a/b c"])
        #expect(try p("/files/*").match(["files"]) == nil)
        #expect(try p("/files/*").match(["files", ""]) == ["*": ""])
        #expect(try p("/*").match([""]) == ["*": ""])
        #expect(try p("/").match([""]) == [:])
        #expect(try p("/docs/").match(["docs", ""]) == [:])
        #expect(try p("/docs/").match(["docs"]) == nil)
        #expect(try p("/a%20b").match(["a b"]) == [:])
        #expect(try p("/docs/{id}/*").placeholders == ["id", "*"])
    }

    @Test func refusesBadPatterns() {
        for bad in ["docs", "/docs/{1x}", "/docs/{id}/{id}", "/docs/v{id}", "/docs/{id", "/a/*/b", "/a//b",
                    "/a/../b", "/a/%zz", "/a/{}", "/a*"] {
            #expect(throws: Diagnostic.self, "\(bad)") { try PathPattern(parsing: bad) }
        }
    }

    @Test func theMostSpecificRouteWinsWhateverTheOrder() throws {
        func route(_ methods: Set<String>?, _ path: String, _ action: String) throws -> Route {
            Route(methods: methods, path: try p(path), action: try UIDTemplate(parsing: "Action::\"\(action)\""),
                  resource: try UIDTemplate(parsing: "R::\"r\""))
        }
        let routes = RoutesConfig(routes: [
            try route(nil, "/*", "any"),
            try route(["GET"], "/docs/*", "docsTree"),
            try route(["GET"], "/docs/{id}", "view"),
            try route(nil, "/docs/{id}", "anyMethodDoc"),
            try route(["GET"], "/docs/new", "newForm"),
            try route(["GET"], "/docs/{id}/*", "docTree"),
        ])
        func action(_ m: String, _ segments: [String]) -> String? {
            routes.match(method: m, segments: segments)?.route.action.description
        }
        #expect(action("GET", ["docs", "1"]) == "Action::\"view\"")
        #expect(action("POST", ["docs", "1"]) == "Action::\"anyMethodDoc\"")
        #expect(action("GET", ["docs", "new"]) == "Action::\"newForm\"")
        #expect(action("GET", ["docs", "1", "x"]) == "Action::\"docTree\"")
        #expect(action("DELETE", ["docs", "1", "x"]) == "Action::\"any\"")
        #expect(action("GET", ["other"]) == "Action::\"any\"")
        #expect(routes.match(method: "GET", segments: ["docs", "1"])?.index == 2)
        #expect(RoutesConfig(routes: Array(routes.routes.prefix(1))).match(method: "GET", segments: ["x", "y"])?.parameters
                == ["*": "x/y"])
        #expect(RoutesConfig(routes: []).match(method: "GET", segments: [""]) == nil)
    }
}
