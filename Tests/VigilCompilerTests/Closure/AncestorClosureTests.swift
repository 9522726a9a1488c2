import Testing
@testable import VigilCompiler

@Suite struct AncestorClosureTests {
    @Test func chainsAreClosedTransitively() {
        // 0 -> 1 -> 2 -> 3, and 4 -> 1.
        let a = AncestorClosure.compute(parents: [[1], [2], [3], [], [1]])
        #expect(a == [[1, 2, 3], [2, 3], [3], [], [1, 2, 3]])
    }

    @Test func cyclesTerminateAndNeverIncludeSelf() {
        // 0 -> 1 -> 2 -> 0, and 3 -> 2.
        let a = AncestorClosure.compute(parents: [[1], [2], [0], [2]])
        #expect(a == [[1, 2], [0, 2], [0, 1], [0, 1, 2]])
    }

    @Test func deepHierarchiesDoNotRecurse() {
        let n = 2_000
        let parents = (0..<n).map { $0 + 1 < n ? [UInt32($0 + 1)] : [] }
        let a = AncestorClosure.compute(parents: parents)
        #expect(a[0].count == n - 1)
        #expect(a[n - 1].isEmpty)
    }
}
