import Foundation
import Hummingbird

/// JSON in and out of the HTTP routes: bodies read under a size limit, answers with a JSON content type, and
/// errors as `{"error": {"status", "message"}}` so every 4xx says what was wrong.
enum HTTPJSON {
    static let contentType: HTTPFields = [.contentType: "application/json"]

    static func response(_ status: HTTPResponse.Status, _ object: Any, headers: HTTPFields = [:]) -> Response {
        var fields = contentType
        fields.append(contentsOf: headers)
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func encoded<T: Encodable>(_ status: HTTPResponse.Status, _ value: T) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        return Response(status: status, headers: contentType, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func error(_ status: Int, _ message: String, problems: [PublishStatus.Problem] = []) -> Response {
        var error: [String: Any] = ["status": status, "message": message]
        if !problems.isEmpty {
            error["problems"] = problems.map { p -> [String: Any] in
                var o: [String: Any] = ["code": p.code, "message": p.message]
                if let path = p.path { o["path"] = path }
                if let line = p.line { o["line"] = line }
                if let column = p.column { o["column"] = column }
                return o
            }
        }
        return response(HTTPResponse.Status(code: status), ["error": error])
    }

    static func text(_ status: HTTPResponse.Status, _ text: String, contentType: String = "text/plain; charset=utf-8")
        -> Response
    {
        Response(status: status, headers: [.contentType: contentType],
                 body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// The body as UTF-8 text, at most `limit` bytes.
    /// - Throws: `BodyError` (413 too large, 400 not UTF-8).
    static func body(_ request: Request, limit: Int) async throws(BodyError) -> String {
        let buffer: ByteBuffer
        do { buffer = try await request.body.collect(upTo: limit) } catch {
            throw BodyError(status: 413, message: "the body is larger than \(limit) bytes")
        }
        guard let text = buffer.getString(at: buffer.readerIndex, length: buffer.readableBytes),
              text.utf8.count == buffer.readableBytes
        else { throw BodyError(status: 400, message: "the body is not UTF-8") }
        return text
    }

    /// The body parsed as a JSON object.
    static func object(_ request: Request, limit: Int) async throws(BodyError) -> [String: Any] {
        let text = try await body(request, limit: limit)
        guard let parsed = try? JSONSerialization.jsonObject(with: Data(text.utf8)) else {
            throw BodyError(status: 400, message: "the body is not valid JSON")
        }
        guard let object = parsed as? [String: Any] else {
            throw BodyError(status: 400, message: "$: expected a JSON object")
        }
        return object
    }
}

/// A request body refused before it was looked at.
struct BodyError: Error {
    var status: Int
    var message: String
}
