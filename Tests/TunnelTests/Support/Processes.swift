import Foundation
import PosternTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A child process (the built `postern`, python3, …) with stdout and stderr in files.
final class ChildProcess: @unchecked Sendable {
    let process = Process()
    let stdoutFile: URL
    let stderrFile: URL

    static var postern: URL { TestProcesses.postern }

    static func temporaryFolder(_ label: String) throws -> URL { try TestProcesses.temporaryFolder(label) }

    init(_ executable: URL, _ arguments: [String], directory: URL? = nil) throws {
        let logs = try Self.temporaryFolder("logs")
        stdoutFile = logs.appendingPathComponent("stdout")
        stderrFile = logs.appendingPathComponent("stderr")
        FileManager.default.createFile(atPath: stdoutFile.path, contents: nil)
        FileManager.default.createFile(atPath: stderrFile.path, contents: nil)
        process.executableURL = executable
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("POSTERN_") }
        environment["HOME"] = logs.path  // never the user's data folder
        process.environment = environment
        process.standardOutput = try FileHandle(forWritingTo: stdoutFile)
        process.standardError = try FileHandle(forWritingTo: stderrFile)
        try process.run()
    }

    static func postern(_ arguments: [String]) throws -> ChildProcess { try ChildProcess(postern, arguments) }

    deinit { stop() }

    var stdout: String { (try? String(contentsOf: stdoutFile, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOf: stderrFile, encoding: .utf8)) ?? "" }

    /// Waits until stdout holds a line satisfying `matches`, and returns it.
    @discardableResult
    func waitForLine(timeout: Duration = .seconds(30), after skipped: Int = 0, _ matches: (String) -> Bool) async throws -> String {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while clock.now < deadline {
            let lines = stdout.split(separator: "\n").map(String.init)
            if let line = lines.dropFirst(skipped).first(where: matches) { return line }
            if !process.isRunning { throw TestFailure("\(process.arguments ?? []) exited with \(process.terminationStatus): \(stderr) \(stdout)") }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw TestFailure("no matching line within \(timeout); stdout: \(stdout) stderr: \(stderr)")
    }

    var lineCount: Int { stdout.split(separator: "\n").count }

    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    func terminate() async throws {
        kill(process.processIdentifier, SIGTERM)
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(10)
        while process.isRunning && clock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        stop()
    }

    static func freePort() throws -> Int { try TestProcesses.freePort() }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Runs a program to completion without holding a thread of the small
/// cooperative pool the tests share (see ``TestProcesses/run(_:input:environment:in:)``).
@discardableResult
func runTool(_ arguments: [String], input: Data? = nil) async throws -> (status: Int32, stdout: String, stderr: String) {
    let result = try await TestProcesses.run(arguments, input: input)
    return (result.status, result.stdout, result.stderr)
}
