import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A minimal HTTP/1.1 client over TCP or a Unix socket, so the tests talk to vigild exactly as curl or nginx
/// would, with no client library between (and with the admin socket, which URLSession cannot reach).
struct HTTPClient {
    enum Endpoint {
        case tcp(port: Int)
        case unix(path: String)
    }

    struct Response {
        var status: Int
        var headers: [(String, String)]
        var body: String

        func header(_ name: String) -> String? {
            headers.first { $0.0.lowercased() == name.lowercased() }?.1
        }

        /// The body as a JSON object.
        var json: [String: Any] {
            (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:]
        }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    let endpoint: Endpoint

    func get(_ path: String, headers: [(String, String)] = []) throws -> Response {
        try send("GET", path, body: nil, headers: headers)
    }

    func post(_ path: String, _ body: String) throws -> Response { try send("POST", path, body: body) }
    func put(_ path: String, _ body: String) throws -> Response { try send("PUT", path, body: body) }
    func delete(_ path: String) throws -> Response { try send("DELETE", path, body: nil) }

    /// Sends one request on a fresh connection (`Connection: close`) and reads the whole response.
    func send(_ method: String, _ path: String, body: String?, headers: [(String, String)] = []) throws -> Response {
        let fd = try connect()
        defer { close(fd) }
        // A server that answers early (413) and stops reading must not leave the test blocked in write; nor a
        // silent one in read.
        var sendTimeout = timeval(tv_sec: 2, tv_usec: 0), receiveTimeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &sendTimeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &receiveTimeout, socklen_t(MemoryLayout<timeval>.size))
        var head = "\(method) \(path) HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
        for (k, v) in headers { head += "\(k): \(v)\r\n" }
        let bytes = Array((body ?? "").utf8)
        if body != nil { head += "Content-Type: application/json\r\nContent-Length: \(bytes.count)\r\n" }
        head += "\r\n"
        try write(fd, Array(head.utf8) + bytes)
        var raw: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(fd, &buf, buf.count)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            raw.append(contentsOf: buf[0..<n])
        }
        return try parse(raw)
    }

    private func connect() throws -> Int32 {
        switch endpoint {
        case .tcp(let port):
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_port = in_port_t(UInt16(port).bigEndian)
            addr.sin_addr.s_addr = inet_addr("127.0.0.1")
            let rc = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            guard rc == 0 else { close(fd); throw Failure(description: "connect to port \(port) failed") }
            return fd
        case .unix(let path):
            let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            var addr = sockaddr_un()
            addr.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &addr.sun_path) { dst in
                for (i, b) in path.utf8.prefix(dst.count - 1).enumerated() { dst[i] = b }
            }
            let rc = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                }
            }
            guard rc == 0 else { close(fd); throw Failure(description: "connect to \(path) failed") }
            return fd
        }
    }

    private func write(_ fd: Int32, _ bytes: [UInt8]) throws {
        var off = 0
        while off < bytes.count {
            let n = bytes[off...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            // The server may answer (413) and close before reading everything: stop writing, read the answer.
            if n <= 0 { return }
            off += n
        }
    }

    private func parse(_ raw: [UInt8]) throws -> Response {
        guard let split = raw.firstRange(of: Array("\r\n\r\n".utf8)) else {
            throw Failure(description: "no response head in \(raw.count) bytes")
        }
        let head = String(decoding: raw[..<split.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        let statusLine = head.first ?? ""
        let parts = statusLine.split(separator: " ")
        guard parts.count >= 2, let status = Int(parts[1]) else { throw Failure(description: "bad status line `\(statusLine)`") }
        var headers: [(String, String)] = []
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        var body = Array(raw[split.upperBound...])
        if headers.contains(where: { $0.0.lowercased() == "transfer-encoding" && $0.1.lowercased() == "chunked" }) {
            body = dechunk(body)
        }
        return Response(status: status, headers: headers, body: String(decoding: body, as: UTF8.self))
    }

    private func dechunk(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var i = 0
        while i < bytes.count {
            guard let eol = bytes[i...].firstRange(of: Array("\r\n".utf8)),
                  let size = Int(String(decoding: bytes[i..<eol.lowerBound], as: UTF8.self), radix: 16), size > 0
            else { break }
            let start = eol.upperBound
            out.append(contentsOf: bytes[start..<min(bytes.count, start + size)])
            i = start + size + 2
        }
        return out
    }
}
