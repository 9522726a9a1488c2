import HTTPTypes
import Hummingbird
import VigilCompiler

/// Serves `ForwardAuth` over Hummingbird at `/v1/forward-auth` and, for Envoy's `path_prefix`, every path under
/// it, for every common method (Envoy asks with the original method).
public struct ForwardAuthRoutes: Sendable {
    public let forwardAuth: ForwardAuth
    let decide: @Sendable (VigilCompiler.Request) throws -> Decision
    let observe: @Sendable (_ status: Int) -> Void

    /// - Parameters:
    ///   - decide: the decision, usually `authorizer.decide`.
    ///   - observe: called with each answer's status (for metrics).
    public init(forwardAuth: ForwardAuth, decide: @escaping @Sendable (VigilCompiler.Request) throws -> Decision,
                observe: @escaping @Sendable (_ status: Int) -> Void = { _ in }) {
        self.forwardAuth = forwardAuth
        self.decide = decide
        self.observe = observe
    }

    /// The path vigild serves forward auth at; Envoy's `path_prefix`.
    public static let path = RequestSource.defaultPrefix

    public func register<Context: RequestContext>(on router: Router<Context>) {
        let methods: [HTTPRequest.Method] = [.get, .head, .post, .put, .patch, .delete, .options]
        for method in methods {
            for path in [RouterPath(stringLiteral: Self.path), RouterPath(stringLiteral: Self.path + "/**")] {
                router.on(path, method: method) { request, _ in await self.respond(request) }
            }
        }
    }

    private func respond(_ request: HummingbirdCore.Request) async -> Response {
        let headers = request.headers.map { (name: $0.name.rawName, value: $0.value) }
        let answer = await forwardAuth.handle(
            method: request.method.rawValue, uri: request.head.path ?? request.uri.description, headers: headers,
            decide: decide)
        observe(answer.status)
        var fields = HTTPFields()
        for (name, value) in answer.headers {
            if let n = HTTPField.Name(name) { fields.append(HTTPField(name: n, value: value)) }
        }
        fields[.contentType] = "text/plain; charset=utf-8"
        return Response(status: HTTPResponse.Status(code: answer.status), headers: fields,
                        body: .init(byteBuffer: ByteBuffer(string: answer.body)))
    }
}
