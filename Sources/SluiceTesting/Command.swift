import Foundation

/// Runs a child process to completion and returns its standard output (fixtures, the demo).
public enum Command {
    public static func run<Failure: Error>(
        _ executable: String, _ arguments: [String], in directory: URL?, environment: [String: String],
        input: Data?, failure: (Int32, String) -> Failure
    ) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [executable] + arguments
        process.environment = environment
        if let directory { process.currentDirectoryURL = directory }
        // Standard error goes to a file, so a chatty child never blocks on a second full pipe.
        let errorLog = FileManager.default.temporaryDirectory.appendingPathComponent("command-\(UUID().uuidString).err")
        guard FileManager.default.createFile(atPath: errorLog.path, contents: nil) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: errorLog.path])
        }
        defer { try? FileManager.default.removeItem(at: errorLog) }
        let output = Pipe()
        let stdin = Pipe()
        process.standardOutput = output
        process.standardError = try FileHandle(forWritingTo: errorLog)
        process.standardInput = stdin
        try process.run()
        if let input { stdin.fileHandleForWriting.write(input) }
        try stdin.fileHandleForWriting.close()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: outputData, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard process.terminationStatus == 0 else {
            let errors = (try? String(contentsOf: errorLog, encoding: .utf8)) ?? ""
            throw failure(process.terminationStatus, text + errors)
        }
        return text
    }
}
