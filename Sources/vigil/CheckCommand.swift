import ArgumentParser
import Foundation
import VigilCompiler
import VigilData
import VigilPolicy
import VigilSchema
import VigilValidator

/// `vigil check`: parse policies, and validate them (and entity data) against a schema when one is given.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Parse and validate Cedar policies, a schema and entity data.",
        discussion: """
            Reads every `.cedar` file in the given files and directories (directories are searched recursively, \
            in sorted order). Without --schema it checks syntax only. With --schema it also runs strict \
            validation, as Cedar's validator does: unknown entity types, actions and attributes, type errors, \
            optional attributes read without a `has` check. With --entities it checks entity data too (against \
            the schema when given).

            Exit status: 0 when everything is valid, 1 when there are errors (printed as file:line:column with \
            the source line), 2 for a usage problem such as a missing file.

            Examples:
              vigil check policies/
              vigil check policies/ --schema schema.cedarschema --entities entities.json
              vigil check policies/ --schema schema.json --format json
            """)

    @Argument(help: ArgumentHelp("Policy files or directories of `.cedar` files.", valueName: "policies"))
    var paths: [String]

    @Option(help: ArgumentHelp("A schema in Cedar's `.cedarschema` or JSON format.", valueName: "file"))
    var schema: String?

    @Option(help: ArgumentHelp("Entity data in Cedar's JSON format.", valueName: "file"))
    var entities: String?

    @Option(help: ArgumentHelp("How to print results: `human` (default) or `json`.", valueName: "format"))
    var format: String = "human"

    func validate() throws {
        guard DiagnosticFormat(rawValue: format) != nil else {
            throw ValidationError("--format must be `human` or `json`, not `\(format)`")
        }
        guard !paths.isEmpty else { throw ValidationError("give at least one policy file or directory") }
    }

    func run() throws {
        let output = DiagnosticFormat(rawValue: format) ?? .human
        let files: [String]
        do {
            files = try PolicyFiles.expand(paths)
        } catch {
            throw usage(error)
        }
        var diagnostics: [Diagnostic] = []
        var set = PolicySet()
        for path in files {
            let file: SourceFile
            do { file = try PolicyFiles.read(path) } catch { throw usage(error) }
            do {
                set.append(try Parser.parsePolicies(file), from: file)
            } catch {
                diagnostics += error.all
            }
        }

        var parsedSchema: Schema? = nil
        if let schema {
            let file: SourceFile
            do { file = try PolicyFiles.read(schema) } catch { throw usage(error) }
            do {
                parsedSchema = try Schema.parse(file: file)
            } catch {
                diagnostics += error.all
            }
        }
        // Files that parsed are validated even when another file did not, so one run shows every error.
        if let parsedSchema {
            let report = Validator(schema: parsedSchema).check(set)
            diagnostics += report.errors + report.warnings
        }

        var entityCount = 0
        if let entities {
            let file: SourceFile
            do { file = try PolicyFiles.read(entities) } catch { throw usage(error) }
            // Entities are checked against the schema only when the schema itself is sound.
            let usable = schema == nil || parsedSchema != nil
            if usable {
                do {
                    entityCount = try EntityJSON.parse(file, schema: parsedSchema).count
                } catch {
                    diagnostics += error.all
                }
            }
        }

        let errors = diagnostics.filter { $0.severity == .error }
        let warnings = diagnostics.count - errors.count
        var summary: [String: Any] = [
            "valid": errors.isEmpty, "files": files.count, "policies": set.entries.count,
            "errors": errors.count, "warnings": warnings,
        ]
        if entities != nil { summary["entities"] = entityCount }
        DiagnosticOutput.emit(diagnostics, format: output, summary: summary)
        if output == .human {
            if errors.isEmpty {
                var line = "ok: \(set.entries.count) \(plural(set.entries.count, "policy", "policies")) in \(files.count) \(plural(files.count, "file", "files"))"
                if let schema { line += ", valid against \(schema)" }
                if entities != nil { line += ", \(entityCount) \(plural(entityCount, "entity", "entities"))" }
                if warnings > 0 { line += ", \(warnings) \(plural(warnings, "warning", "warnings"))" }
                print(line)
            } else {
                print("error: \(errors.count) \(plural(errors.count, "error", "errors")) in \(files.count) policy \(plural(files.count, "file", "files"))\(schema.map { " checked against \($0)" } ?? "")")
            }
        }
        if !errors.isEmpty { throw ExitCode(1) }
    }

    private func usage(_ error: Error) -> ExitCode {
        FileHandle.standardError.write(Data("vigil check: \(error)\n".utf8))
        return ExitCode(2)
    }
}

func plural(_ n: Int, _ one: String, _ many: String) -> String { n == 1 ? one : many }
