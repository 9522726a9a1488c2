import Testing
@testable import VigilSchema

@Suite("Dependency order")
struct DependencyOrderTests {
    @Test("dependencies come first; unknown dependencies are ignored")
    func order() {
        let deps = ["a": ["b", "c"], "b": ["c", "zzz"], "c": []]
        let o = DependencyOrder(["a", "b", "c"]) { deps[$0] ?? [] }
        #expect(o.order == ["c", "b", "a"])
        #expect(o.cycles.isEmpty)
    }

    @Test("one node per cycle, a node on the cycle; nodes behind a cycle are in neither list")
    func cycles() {
        // x -> y -> x is a cycle, z depends on it, s loops on itself, w is free.
        let deps = ["z": ["x"], "x": ["y"], "y": ["x"], "s": ["s"], "w": []]
        let o = DependencyOrder(["z", "x", "y", "s", "w"]) { deps[$0] ?? [] }
        #expect(o.order == ["w"])
        #expect(o.cycles == ["x", "s"])
    }
}
