import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `vigil import`: a bulk entity import into a running vigild, streamed over its admin socket with a progress bar.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import entities (Cedar JSON) into a running vigild, as one generation.",
        discussion: """
            Streams the file to vigild's data API (`POST /v1/entities/import` on the admin socket), showing \
            progress, and prints the generation that holds the whole import. vigild checks every entity \
            (against the schema when it has one); one error refuses the import and nothing is applied.

            Exit status: 0 imported, 1 refused (the errors are printed with their locations), 2 vigild or the \
            file cannot be reached.

            Example:
              vigil import --socket /var/lib/vigil/admin.sock entities.json
            """)

    @Option(help: ArgumentHelp("vigild's admin socket (DATA/admin.sock).", valueName: "path"))
    var socket: String

    @Argument(help: ArgumentHelp("Entities in Cedar's JSON format.", valueName: "file"))
    var file: String

    @Flag(help: "No progress bar.")
    var quiet = false

    func run() throws {
        let input = open(file, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw fail("cannot open `\(file)`: \(String(cString: strerror(errno)))", 2) }
        defer { close(input) }
        var st = stat()
        fstat(input, &st)
        let total = Int(st.st_size)
        let fd = try connect()
        defer { close(fd) }
        let head = "POST /v1/entities/import HTTP/1.1\r\nHost: vigild\r\nConnection: close\r\n"
            + "Content-Type: application/json\r\nContent-Length: \(total)\r\n\r\n"
        guard writeAll(fd, Array(head.utf8)) else { throw fail("vigild closed the connection", 2) }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var sent = 0
        let showProgress = !quiet && isatty(STDERR_FILENO) == 1
        while sent < total {
            let n = read(input, &buffer, buffer.count)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw fail("`\(file)` ended early", 2) }
            // vigild may refuse early (413) and stop reading: then go read its answer.
            guard writeAll(fd, Array(buffer[0..<n])) else { break }
            sent += n
            if showProgress { progress(sent, total) }
        }
        if showProgress { FileHandle.standardError.write(Data("\n".utf8)) }
        var raw: [UInt8] = []
        while true {
            let n = read(fd, &buffer, buffer.count)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            raw.append(contentsOf: buffer[0..<n])
        }
        guard let split = raw.firstRange(of: Array("\r\n\r\n".utf8)),
              let status = String(decoding: raw[..<split.lowerBound], as: UTF8.self).split(separator: " ").dropFirst()
                .first.flatMap({ Int($0) })
        else { throw fail("no answer from vigild", 2) }
        var body = Array(raw[split.upperBound...])
        if String(decoding: raw[..<split.lowerBound], as: UTF8.self).lowercased().contains("chunked") {
            body = dechunk(body)
        }
        let answer = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:]
        if status == 200, let generation = answer["generation"] {
            print("imported \(total) bytes of entities as generation \(generation)")
            return
        }
        let message = ((answer["error"] as? [String: Any])?["message"] as? String) ?? "vigild answered \(status)"
        throw fail("refused (\(status)):\n\(message)", status >= 500 ? 2 : 1)
    }

    private func connect() throws -> Int32 {
        let fd = Glibc.socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        guard socket.utf8.count < MemoryLayout.size(ofValue: addr.sun_path) else { throw fail("socket path too long", 2) }
        withUnsafeMutableBytes(of: &addr.sun_path) { dst in
            for (i, b) in socket.utf8.enumerated() { dst[i] = b }
        }
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard rc == 0 else {
            close(fd)
            throw fail("cannot connect to `\(socket)`: \(String(cString: strerror(errno)))", 2)
        }
        return fd
    }

    private func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var off = 0
        while off < bytes.count {
            let n = bytes[off...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return false }
            off += n
        }
        return true
    }

    private func progress(_ sent: Int, _ total: Int) {
        let width = 30, done = total > 0 ? sent * width / total : width
        let bar = String(repeating: "#", count: done) + String(repeating: " ", count: width - done)
        let mib = { (b: Int) in String(format: "%.1f", Double(b) / 1_048_576) }
        FileHandle.standardError.write(Data("\r[\(bar)] \(total > 0 ? sent * 100 / total : 100)% \(mib(sent))/\(mib(total)) MiB".utf8))
    }

    private func dechunk(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [], i = 0
        while i < bytes.count, let eol = bytes[i...].firstRange(of: Array("\r\n".utf8)),
              let size = Int(String(decoding: bytes[i..<eol.lowerBound], as: UTF8.self), radix: 16), size > 0 {
            out.append(contentsOf: bytes[eol.upperBound..<min(bytes.count, eol.upperBound + size)])
            i = eol.upperBound + size + 2
        }
        return out
    }

    private func fail(_ message: String, _ code: Int32) -> ExitCode {
        FileHandle.standardError.write(Data("vigil import: \(message)\n".utf8))
        return ExitCode(code)
    }
}
