import VigilPolicy
import VigilSchema
import VigilValidator

/// A policy set and its optional schema as read from disk: parsed, and validated when there is a schema. What
/// `vigil compile` and vigild both start from.
public struct PolicySources: Sendable {
    /// The policies and templates, in the order of their sorted files.
    public var policies: PolicySet
    /// The schema, when one was given.
    public var schema: Schema?
    /// The policy files read, sorted.
    public var files: [String]

    /// Why sources could not be loaded.
    public enum LoadError: Error, Sendable {
        /// A path is missing or unreadable (a usage problem, not the content's).
        case unreadable(String)
        /// The content has errors, each located; the schema when it parsed (to check data against).
        case invalid([Diagnostic], schema: Schema?)
    }

    /// Reads every `.cedar` file under `policyPaths` and the schema, collecting every diagnostic before failing.
    /// - Parameters:
    ///   - policyPaths: policy files or directories (searched recursively for `*.cedar`, sorted).
    ///   - schemaPath: a `.cedarschema` or JSON schema; with it the policies are validated.
    /// - Throws: `LoadError.unreadable` for a missing path, `.invalid` with every syntax, schema and type error.
    public static func load(policyPaths: [String], schemaPath: String?) throws(LoadError) -> PolicySources {
        var diagnostics: [Diagnostic] = []
        var set = PolicySet()
        let files: [String]
        do { files = try PolicyFiles.expand(policyPaths) } catch { throw .unreadable("\(error)") }
        for path in files {
            let file: SourceFile
            do { file = try PolicyFiles.read(path) } catch { throw .unreadable("\(error)") }
            do { set.append(try Parser.parsePolicies(file), from: file) } catch { diagnostics += error.all }
        }
        var schema: Schema?
        if let schemaPath {
            let file: SourceFile
            do { file = try PolicyFiles.read(schemaPath) } catch { throw .unreadable("\(error)") }
            do { schema = try Schema.parse(file: file) } catch { diagnostics += error.all }
        }
        if let schema { diagnostics += Validator(schema: schema).check(set).errors }
        guard diagnostics.isEmpty else { throw .invalid(diagnostics, schema: schema) }
        return PolicySources(policies: set, schema: schema, files: files)
    }
}
