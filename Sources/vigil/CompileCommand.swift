import ArgumentParser
import Foundation
import VigilCompiler
import VigilData
import VigilPolicy
import VigilSchema
import VigilValidator

/// `vigil compile`: policies, entities and links into an index directory, published as one generation.
struct CompileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compile",
        abstract: "Compile Cedar policies and entity data into a Vigil index.",
        discussion: """
            Parses the policies (every `.cedar` file in the given files and directories, in sorted order), the \
            entity data and the template links; with --schema, validates the policies and the data first and \
            refuses to publish when there are errors. The index is written to --out in one transaction: readers \
            see the previous generation or the new one, never a mix.

            Exit status: 0 when published, 1 when the input has errors (nothing is written), 2 for a usage \
            problem such as a missing file or an index locked by another writer.

            Example:
              vigil compile --policies examples/saas/policies --entities examples/saas/entities.json \\
                --schema examples/saas/schema.cedarschema --links examples/saas/links.json --out /tmp/acme.index
            """)

    @Option(parsing: .upToNextOption, help: ArgumentHelp("Policy files or directories of `.cedar` files.",
                                                          valueName: "path"))
    var policies: [String]

    @Option(help: ArgumentHelp("Entity data in Cedar's JSON format.", valueName: "file"))
    var entities: String

    @Option(help: ArgumentHelp("A schema (`.cedarschema` or JSON): validates, and adds its action groups.",
                               valueName: "file"))
    var schema: String?

    @Option(help: ArgumentHelp("Template links in Cedar's JSON format.", valueName: "file"))
    var links: String?

    @Option(help: ArgumentHelp("The index directory (created if missing).", valueName: "dir"))
    var out: String

    func validate() throws {
        guard !policies.isEmpty else { throw ValidationError("give at least one policy file or directory") }
    }

    func run() throws {
        var diagnostics: [Diagnostic] = []
        var set = PolicySet()
        var parsedSchema: Schema?
        do {
            let sources = try PolicySources.load(policyPaths: policies, schemaPath: schema)
            (set, parsedSchema) = (sources.policies, sources.schema)
        } catch {
            switch error {
            case .unreadable(let message): try usage { throw ValidationErrorMessage(message) }
            case .invalid(let found, let foundSchema): (diagnostics, parsedSchema) = (found, foundSchema)
            }
        }
        var entityList: [Entity] = []
        if schema == nil || parsedSchema != nil {
            let file = try usage { try PolicyFiles.read(entities) }
            do { entityList = try EntityJSON.parse(file, schema: parsedSchema) } catch { diagnostics += error.all }
        }
        var linkList: [TemplateLink] = []
        if let links {
            let file = try usage { try PolicyFiles.read(links) }
            do { linkList = try TemplateLinkJSON.parse(file) } catch { diagnostics += error.all }
        }
        try stopOnErrors(diagnostics)

        let compiler = Compiler(policies: set, links: linkList, entities: entityList, schema: parsedSchema)
        let index: CompiledIndex
        do { index = try compiler.compile() } catch {
            try stopOnErrors(error.all)
            return
        }
        let generation = try usage { try IndexWriter(directory: out).publish(index) }
        print("published generation \(generation) to \(out): \(index.policies.count) "
              + "\(plural(index.policies.count, "policy", "policies")) (\(linkList.count) "
              + "\(plural(linkList.count, "link", "links"))), \(index.entities.count) "
              + "\(plural(index.entities.count, "entity", "entities")), \(index.names.count) "
              + "\(plural(index.names.count, "name", "names"))")
    }

    private func stopOnErrors(_ diagnostics: [Diagnostic]) throws {
        guard !diagnostics.isEmpty else { return }
        DiagnosticOutput.emit(diagnostics, format: .human, summary: [:])
        let count = "\(diagnostics.count) \(plural(diagnostics.count, "error", "errors"))"
        FileHandle.standardError.write(Data("error: \(count); nothing was published\n".utf8))
        throw ExitCode(1)
    }

    private func usage<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch {
            FileHandle.standardError.write(Data("vigil compile: \(error)\n".utf8))
            throw ExitCode(2)
        }
    }
}
