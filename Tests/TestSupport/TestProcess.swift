import Foundation

/// Running programs from the tests the way a user would, one implementation for every test target: a tool on
/// the PATH (gcc, vigil compile), or one of this package's built executables.
public enum TestProcess {
    /// Runs `executable` (a path, or a name looked up on the PATH) to completion.
    /// - Returns: its exit status, and its standard output and error together.
    public static func run(_ executable: String, _ arguments: [String], in directory: URL? = nil) throws
        -> (status: Int32, output: String)
    {
        let process = Process()
        if executable.contains("/") {
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [executable] + arguments
        }
        if let directory { process.currentDirectoryURL = directory }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// The build folder holding this package's executables and libraries (an ancestor of the test bundle).
    public static let products: URL = {
        var dir = Bundle.main.bundleURL
        for _ in 0..<4 {
            if FileManager.default.isExecutableFile(atPath: dir.appendingPathComponent("vigil").path) { return dir }
            dir = dir.deletingLastPathComponent()
        }
        return Bundle.main.bundleURL
    }()
}
