import Foundation
import VigilCompiler

/// Where the sidecar reads its policies: every `.cedar` file under a directory, and an optional schema file.
/// Changes are noticed by comparing fingerprints (each file's path, size and modification time), which costs one
/// directory walk and needs no platform file-watching API.
public struct PolicyDirectory: Sendable {
    public var directory: String
    public var schemaFile: String?

    public init(directory: String, schemaFile: String?) {
        self.directory = directory
        self.schemaFile = schemaFile
    }

    /// The state of the files, compared to notice an edit.
    public struct Fingerprint: Equatable, Sendable {
        fileprivate var entries: [String]
    }

    /// The current fingerprint; a missing directory or file is part of it (and then fails to load).
    public func fingerprint() -> Fingerprint {
        var entries: [String] = []
        let files = (try? PolicyFiles.expand([directory])) ?? []
        for path in files + (schemaFile.map { [$0] } ?? []) {
            var st = stat()
            if stat(path, &st) == 0 {
                entries.append("\(path)\t\(st.st_size)\t\(st.st_mtim.tv_sec)\t\(st.st_mtim.tv_nsec)\t\(st.st_ino)")
            } else {
                entries.append("\(path)\tmissing")
            }
        }
        return Fingerprint(entries: entries)
    }

    /// Parses and validates the current files.
    public func load() throws(PolicySources.LoadError) -> PolicySources {
        try PolicySources.load(policyPaths: [directory], schemaPath: schemaFile)
    }
}
