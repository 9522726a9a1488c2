import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A real nginx with `auth_request` in front of a small upstream (a second nginx server block), asking vigild's
/// forward-auth endpoint about every request: allow, deny and step-up, as a browser or API client sees them.
@Suite(.serialized) struct NginxForwardAuthTests {
    /// The nginx executable, when installed (the Debian package puts it in /usr/sbin).
    static let nginx: String? = ["/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/bin/nginx"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    /// The forward-auth configuration for examples/saas: the principal from a JWT, the context its schema asks for
    /// (`ip` from nginx's `X-Real-IP`, `now`, and `session` from the token's `sid`).
    static let config = #"""
        {
          "request": {"from": "nginx"},
          "invalidRequestStatus": 403,
          "identity": {"jwt": {"jwks": "jwks.json", "issuer": "https://idp.vigil.test", "audience": "nginx-test",
                               "principal": "User::\"{sub}\"", "tokenContext": false}},
          "context": {
            "ip": {"header": "X-Real-IP", "type": "ipaddr", "required": true},
            "now": {"request": "now"},
            "session": {"claim": "sid", "entityType": "Vigil::Session", "required": true}
          },
          "routes": [
            {"method": "GET", "path": "/docs/{id}", "action": "Action::\"viewDocument\"",
             "resource": "Document::\"{id}\""},
            {"method": "PUT", "path": "/docs/{id}", "action": "Action::\"editDocument\"",
             "resource": "Document::\"{id}\""},
            {"method": "GET", "path": "/billing/{id}/payment", "action": "Action::\"viewPaymentDetails\"",
             "resource": "BillingAccount::\"{id}\""}
          ]
        }
        """#

    /// nginx: the front server asks vigild through an internal location, copies the principal upstream and the
    /// challenge back to the client; the upstream answers with the principal it was given.
    static func nginxConfig(prefix: String, front: Int, upstream: Int, vigild: Int) -> String {
        """
        pid \(prefix)/nginx.pid;
        error_log \(prefix)/error.log info;
        events { worker_connections 64; }
        http {
            access_log \(prefix)/access.log;
            client_body_temp_path \(prefix)/tmp/body;
            proxy_temp_path \(prefix)/tmp/proxy;
            fastcgi_temp_path \(prefix)/tmp/fastcgi;
            uwsgi_temp_path \(prefix)/tmp/uwsgi;
            scgi_temp_path \(prefix)/tmp/scgi;
            server {
                listen 127.0.0.1:\(upstream);
                location / { return 200 "upstream ok for $http_x_vigil_principal\\n"; }
            }
            server {
                listen 127.0.0.1:\(front);
                location / {
                    auth_request /_vigil;
                    auth_request_set $vigil_principal $upstream_http_x_vigil_principal;
                    auth_request_set $vigil_challenge $upstream_http_www_authenticate;
                    add_header WWW-Authenticate $vigil_challenge always;
                    proxy_set_header X-Vigil-Principal $vigil_principal;
                    proxy_pass http://127.0.0.1:\(upstream);
                }
                location = /_vigil {
                    internal;
                    proxy_pass http://127.0.0.1:\(vigild)/v1/forward-auth;
                    proxy_pass_request_body off;
                    proxy_set_header Content-Length "";
                    proxy_set_header X-Original-URI $request_uri;
                    proxy_set_header X-Original-Method $request_method;
                    proxy_set_header X-Real-IP $remote_addr;
                }
            }
        }
        """
    }

    /// One nginx for a test, stopped when the value goes away.
    final class Nginx {
        let process = Process()
        let prefix: URL

        init(executable: String, prefix: URL, config: String, port: Int) throws {
            self.prefix = prefix
            try FileManager.default.createDirectory(at: prefix.appendingPathComponent("tmp"),
                                                    withIntermediateDirectories: true)
            let conf = prefix.appendingPathComponent("nginx.conf")
            try config.write(to: conf, atomically: true, encoding: .utf8)
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = ["-p", prefix.path, "-c", conf.path, "-e", prefix.appendingPathComponent("error.log").path,
                                 "-g", "daemon off;"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            let deadline = Date().addingTimeInterval(10)
            while Date() < deadline {
                if !process.isRunning { throw HTTPClient.Failure(description: "nginx exited:\n\(errorLog)") }
                if (try? HTTPClient(endpoint: .tcp(port: port)).get("/")) != nil { return }
                usleep(20_000)
            }
            throw HTTPClient.Failure(description: "nginx not listening after 10 s:\n\(errorLog)")
        }

        var errorLog: String {
            (try? String(contentsOf: prefix.appendingPathComponent("error.log"), encoding: .utf8)) ?? ""
        }

        deinit {
            if process.isRunning {
                process.terminate()
                process.waitUntilExit()
            }
        }
    }

    @Test(.enabled(if: nginx != nil, "nginx is not installed (apt-get install -y nginx)"))
    func allowDenyAndStepUpThroughNginx() throws {
        let daemon = try DaemonProcess(label: "nginx")
        let configFile = daemon.root.appendingPathComponent("forward-auth.json")
        try Self.config.write(to: configFile, atomically: true, encoding: .utf8)
        try ForwardAuthTokens.jwks.write(to: daemon.root.appendingPathComponent("jwks.json"), atomically: true,
                                         encoding: .utf8)
        try daemon.start(extraArguments: ["--routes", configFile.path])
        let front = Paths.freePort(), upstream = Paths.freePort()
        let prefix = daemon.root.appendingPathComponent("nginx")
        let nginx = try Nginx(
            executable: try #require(Self.nginx), prefix: prefix,
            config: Self.nginxConfig(prefix: prefix.path, front: front, upstream: upstream, vigild: daemon.port),
            port: front)
        let client = HTTPClient(endpoint: .tcp(port: front))
        func bearer(_ token: String) -> [(String, String)] { [("Authorization", "Bearer " + token)] }
        let context = { "vigild log:\n\(daemon.logText)\nnginx error log:\n\(nginx.errorLog)" }

        // ALLOW: the upstream answers, and got the principal through auth_request_set.
        let allow = try client.get("/docs/architecture-overview", headers: bearer(ForwardAuthTokens.alice))
        #expect(allow.status == 200, "\(context())")
        #expect(allow.body == "upstream ok for User::\"alice\"\n")

        // DENY: bob may read the shared document but not edit it.
        let deny = try client.send("PUT", "/docs/architecture-overview", body: nil,
                                   headers: bearer(ForwardAuthTokens.bob))
        #expect(deny.status == 403, "\(context())")
        #expect(!deny.body.contains("upstream ok"))

        // STEP_UP: payment details after a password login; the RFC 9470 challenge reaches the client.
        let stepUp = try client.get("/billing/acme-main/payment", headers: bearer(ForwardAuthTokens.bob))
        #expect(stepUp.status == 401, "\(context())")
        #expect(stepUp.header("WWW-Authenticate")
                == #"Bearer error="insufficient_user_authentication", acr_values="urn:vigil:aal2", max_age="300""#)
        // After the step-up (a TOTP session), the same request goes through.
        let afterStepUp = try client.get("/billing/acme-main/payment", headers: bearer(ForwardAuthTokens.bobTOTP))
        #expect(afterStepUp.status == 200 && afterStepUp.body == "upstream ok for User::\"bob\"\n", "\(context())")

        // No token, an expired token: 401 with RFC 6750 challenges.
        let anonymous = try client.get("/docs/architecture-overview")
        #expect(anonymous.status == 401 && anonymous.header("WWW-Authenticate") == "Bearer")
        let expired = try client.get("/docs/architecture-overview", headers: bearer(ForwardAuthTokens.expired))
        #expect(expired.status == 401)
        #expect(expired.header("WWW-Authenticate")?.hasPrefix(#"Bearer error="invalid_token""#) == true)

        // No route, and a path that climbs out of its route: refused, never passed upstream.
        #expect(try client.get("/admin", headers: bearer(ForwardAuthTokens.alice)).status == 403)
        let climb = try client.get("/docs/%2e%2e/billing/acme-main/payment", headers: bearer(ForwardAuthTokens.alice))
        #expect(climb.status == 403 && !climb.body.contains("upstream ok"))
    }
}
