import ArgumentParser
import Foundation
import Logging
import VigilSidecar

/// `vigild`: the Vigil sidecar.
@main
struct Vigild: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vigild",
        abstract: "The Vigil sidecar: owns the index, publishes policy edits and data changes, serves decisions.",
        discussion: """
            Watches the policy directory and publishes every valid edit as one new generation of the index in \
            --data (an edit with errors is refused and the live generation keeps serving). Decisions (AuthZEN, \
            forward auth), metrics and health are served on --listen; the admin and data API on the Unix socket \
            --admin-socket (mode 0600). Stops cleanly on SIGTERM.

            Example:
              vigild --data /var/lib/vigil --policies examples/saas/policies \\
                --schema examples/saas/schema.cedarschema --entities examples/saas/entities.json
            """)

    @Option(help: ArgumentHelp("The data directory (index, journal, admin socket).", valueName: "dir"))
    var data: String?

    @Option(help: ArgumentHelp("The directory of `.cedar` policy files.", valueName: "dir"))
    var policies: String?

    @Option(help: ArgumentHelp("A schema file: validates policies and data.", valueName: "file"))
    var schema: String?

    @Option(help: ArgumentHelp("Entities (Cedar JSON) loaded at every start.", valueName: "file"))
    var entities: String?

    @Option(help: ArgumentHelp("Template links (Cedar JSON) loaded at every start.", valueName: "file"))
    var links: String?

    @Option(help: ArgumentHelp("Forward-auth routes (docs/forward-auth.md).", valueName: "file"))
    var routes: String?

    @Option(help: ArgumentHelp("JWKS file whose keys verify forward-auth tokens.", valueName: "file"))
    var jwks: String?

    @Option(help: ArgumentHelp("Where decisions, metrics and health are served.", valueName: "host:port"))
    var listen: String?

    @Option(help: ArgumentHelp("The admin and data API socket (default DATA/admin.sock).", valueName: "path"))
    var adminSocket: String?

    @Option(help: ArgumentHelp("Also serve the admin API here, behind --admin-token-file.", valueName: "host:port"))
    var adminListen: String?

    @Option(help: ArgumentHelp("A file holding the admin API's bearer token.", valueName: "file"))
    var adminTokenFile: String?

    @Option(help: ArgumentHelp("A JSON file with any of these settings (flags override it).", valueName: "file"))
    var config: String?

    @Option(help: ArgumentHelp("Log level: trace, debug, info, notice, warning, error, critical.", valueName: "level"))
    var logLevel: String = "info"

    @Option(help: ArgumentHelp("Log lines as `text` or `json` (one object a line).", valueName: "format"))
    var logFormat: String = "text"

    /// A config file's decoding error as one line: the setting's name, then what is wrong with it.
    static func describe(_ error: DecodingError) -> String {
        let context: DecodingError.Context
        switch error {
        case .typeMismatch(_, let c), .valueNotFound(_, let c), .keyNotFound(_, let c), .dataCorrupted(let c): context = c
        @unknown default: return "\(error)"
        }
        let path = context.codingPath.map(\.stringValue).joined(separator: ".")
        let why = (context.underlyingError as? NSError)?.userInfo[NSDebugDescriptionErrorKey] as? String
        let text = [context.debugDescription, why].compactMap { $0 }.joined(separator: ": ")
        return path.isEmpty ? text : "`\(path)`: \(text)"
    }

    func run() async throws {
        var options: SidecarOptions
        if let config {
            guard let bytes = FileManager.default.contents(atPath: config) else {
                throw ValidationError("cannot read config `\(config)`")
            }
            do { options = try JSONDecoder().decode(SidecarOptions.self, from: bytes) } catch let error as DecodingError {
                throw ValidationError("config `\(config)`: \(Self.describe(error))")
            }
        } else {
            guard let data, let policies else { throw ValidationError("give --data and --policies (or --config)") }
            options = SidecarOptions(data: data, policies: policies)
        }
        if let data { options.data = data }
        if let policies { options.policies = policies }
        guard !options.data.isEmpty, !options.policies.isEmpty else {
            throw ValidationError("give --data and --policies (or set them in --config)")
        }
        if let schema { options.schema = schema }
        if let entities { options.entities = entities }
        if let links { options.links = links }
        if let routes { options.routes = routes }
        if let jwks { options.jwks = jwks }
        if let adminSocket { options.adminSocket = adminSocket }
        if let adminTokenFile { options.adminTokenFile = adminTokenFile }
        if let listen { (options.listenHost, options.listenPort) = try hostPort(listen, "--listen") }
        if let adminListen {
            let (h, p) = try hostPort(adminListen, "--admin-listen")
            (options.adminListenHost, options.adminListenPort) = (h, p)
        }
        guard let level = Logger.Level(rawValue: logLevel) else { throw ValidationError("unknown log level `\(logLevel)`") }
        guard logFormat == "text" || logFormat == "json" else { throw ValidationError("--log-format is text or json") }
        let json = logFormat == "json"
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler = json ? JSONLogHandler(label: label) : StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        do { try await Sidecar.run(options, logger: Logger(label: "vigild")) } catch let error as SidecarError {
            FileHandle.standardError.write(Data("vigild: \(error)\n".utf8))
            throw ExitCode(2)
        }
    }

    private func hostPort(_ text: String, _ flag: String) throws -> (String, Int) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
              (0...65535).contains(port)
        else { throw ValidationError("\(flag) must be HOST:PORT") }
        return (String(text[..<colon]), port)
    }
}
