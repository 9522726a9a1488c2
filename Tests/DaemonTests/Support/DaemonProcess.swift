import Foundation
import TestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Where the tests find things: the repository and the build folder's products.
enum Paths {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The build folder holding the executables and libVigilC.so (next to the test bundle).
    static let products = TestProcess.products

    static func temporaryDirectory(_ label: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Runs the built `vigil` with `arguments`: its exit status and its output (stdout and stderr together).
    static func vigil(_ arguments: [String]) throws -> (status: Int32, output: String) {
        try TestProcess.run(products.appendingPathComponent("vigil").path, arguments)
    }

    /// A TCP port nobody listens on now (bound, read, released).
    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { p -> Int32 in
                _ = bind(fd, p, len)
                return getsockname(fd, p, &len)
            }
        }
        return Int(UInt16(bigEndian: addr.sin_port))
    }
}

/// One vigild under test: its own data directory and a copy of examples/saas's policies it may edit.
final class DaemonProcess {
    let root: URL
    let data: URL
    let policies: URL
    let port: Int
    private var process: Process?
    private let log: URL

    var http: HTTPClient { HTTPClient(endpoint: .tcp(port: port)) }
    var admin: HTTPClient { HTTPClient(endpoint: .unix(path: data.appendingPathComponent("admin.sock").path)) }

    /// Prepares a directory with the example's policies; `start()` runs the daemon.
    init(label: String) throws {
        root = try Paths.temporaryDirectory(label)
        data = root.appendingPathComponent("data")
        policies = root.appendingPathComponent("policies")
        log = root.appendingPathComponent("vigild.log")
        port = Paths.freePort()
        try FileManager.default.copyItem(
            at: Paths.repository.appendingPathComponent("examples/saas/policies"), to: policies)
    }

    /// Starts vigild on examples/saas's schema and entities and waits until it is ready.
    func start(extraArguments: [String] = []) throws {
        let p = Process()
        p.executableURL = Paths.products.appendingPathComponent("vigild")
        let example = Paths.repository.appendingPathComponent("examples/saas")
        p.arguments = [
            "--data", data.path, "--policies", policies.path,
            "--schema", example.appendingPathComponent("schema.cedarschema").path,
            "--entities", example.appendingPathComponent("entities.json").path,
            "--listen", "127.0.0.1:\(port)",
        ] + extraArguments
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        handle.seekToEndOfFile()
        p.standardOutput = handle
        p.standardError = handle
        try p.run()
        process = p
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if !p.isRunning { throw HTTPClient.Failure(description: "vigild exited:\n\(logText)") }
            if let r = try? http.get("/readyz"), r.status == 200,
               FileManager.default.fileExists(atPath: data.appendingPathComponent("admin.sock").path) { return }
            usleep(50_000)
        }
        throw HTTPClient.Failure(description: "vigild not ready after 30 s:\n\(logText)")
    }

    /// SIGTERM and wait: the clean shutdown path. Returns the exit status.
    @discardableResult
    func stop() -> Int32 {
        guard let p = process, p.isRunning else { return process?.terminationStatus ?? 0 }
        kill(p.processIdentifier, SIGTERM)
        p.waitUntilExit()
        return p.terminationStatus
    }

    /// SIGKILL: the crash path.
    func crash() {
        guard let p = process, p.isRunning else { return }
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
    }

    var logText: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

    /// The generation the daemon reports.
    func generation() throws -> Int {
        (try http.get("/v1/status").json["generation"] as? Int) ?? -1
    }

    /// Waits until the reported status satisfies `condition` (policy edits are noticed by polling).
    func waitForStatus(timeout: TimeInterval = 10, _ condition: ([String: Any]) -> Bool) throws -> [String: Any] {
        let deadline = Date().addingTimeInterval(timeout)
        var last: [String: Any] = [:]
        while Date() < deadline {
            last = try http.get("/v1/status").json
            if condition(last) { return last }
            usleep(20_000)
        }
        throw HTTPClient.Failure(description: "status never matched; last: \(last)")
    }

    deinit {
        crash()
        try? FileManager.default.removeItem(at: root)
    }
}
