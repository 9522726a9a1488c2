import Foundation
import VigilPolicy

/// Turns the paths a user typed into the policy files to read: files as given, directories searched recursively
/// for `*.cedar`, in a stable (sorted) order so positional policy ids do not depend on the file system.
public enum PolicyFiles {
    /// A path that does not exist or cannot be read.
    public struct NotFound: Error, CustomStringConvertible {
        public var path: String
        public var description: String { "no such file or directory: `\(path)`" }
    }

    /// The policy files under `paths`: files as given, directories searched recursively for `*.cedar`, sorted.
    /// - Throws: `NotFound` for a path that does not exist.
    public static func expand(_ paths: [String]) throws -> [String] {
        let fm = FileManager.default
        var out: [String] = []
        for path in paths {
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDir) else { throw NotFound(path: path) }
            if !isDir.boolValue {
                out.append(path)
                continue
            }
            let found = (fm.enumerator(atPath: path)?.compactMap { $0 as? String } ?? [])
                .filter { $0.hasSuffix(".cedar") }
                .sorted()
                .map { (path as NSString).appendingPathComponent($0) }
            out.append(contentsOf: found)
        }
        return out
    }

    /// Reads a file as UTF-8 into a `SourceFile` named by the path the user gave.
    /// - Throws: `NotFound`, or `ValidationErrorMessage` when the file is not UTF-8.
    public static func read(_ path: String) throws -> SourceFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw NotFound(path: path)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ValidationErrorMessage("`\(path)` is not valid UTF-8")
        }
        return SourceFile(name: path, text: text)
    }
}

/// A plain error message for the terminal.
public struct ValidationErrorMessage: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
