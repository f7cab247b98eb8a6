import Foundation
import PosternTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The built `postern` binary, run as a user runs it: its own data folder,
/// free ports, stdout and stderr captured to files.
final class PosternProcess: @unchecked Sendable {
    let home: URL
    let port: Int
    let httpPort: Int
    let process = Process()
    let stdoutFile: URL
    let stderrFile: URL

    static var binary: URL { TestProcesses.postern }

    static func temporaryFolder(_ label: String) throws -> URL { try TestProcesses.temporaryFolder(label) }

    init(home: URL? = nil, arguments: [String] = [], environment: [String: String] = [:], port: Int? = nil, httpPort: Int? = nil) throws {
        self.home = try home ?? Self.temporaryFolder("home")
        self.port = try port ?? Self.freePort()
        self.httpPort = try httpPort ?? Self.freePort()
        let logs = try Self.temporaryFolder("logs")
        stdoutFile = logs.appendingPathComponent("stdout")
        stderrFile = logs.appendingPathComponent("stderr")
        FileManager.default.createFile(atPath: stdoutFile.path, contents: nil)
        FileManager.default.createFile(atPath: stderrFile.path, contents: nil)
        process.executableURL = Self.binary
        process.arguments = ["serve", "--home", self.home.path, "--port", "\(self.port)", "--http-port", "\(self.httpPort)"] + arguments
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("POSTERN_") }
        env.merge(environment) { $1 }
        process.environment = env
        process.standardOutput = try FileHandle(forWritingTo: stdoutFile)
        process.standardError = try FileHandle(forWritingTo: stderrFile)
        try process.run()
    }

    deinit { stop() }

    var stdout: String { (try? String(contentsOf: stdoutFile, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOf: stderrFile, encoding: .utf8)) ?? "" }
    var caFile: URL { home.appendingPathComponent("ca/rootCA.pem") }
    var base: String { "https://127.0.0.1:\(port)" }

    /// Waits until `serve` has printed its HTTPS URL (it does so once it listens).
    func waitUntilListening(timeout: Duration = .seconds(60)) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while clock.now < deadline {
            if stdout.contains("https://127.0.0.1:\(port)/") { return }
            if !process.isRunning {
                throw ProcessFailure("postern exited with \(process.terminationStatus) before listening: \(stderr)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw ProcessFailure("postern did not listen within \(timeout): \(stderr)")
    }

    /// Sends a signal and waits for the exit status.
    @discardableResult
    func terminate(signal: Int32 = SIGTERM, timeout: Duration = .seconds(30)) async throws -> Int32 {
        kill(process.processIdentifier, signal)
        return try await waitForExit(timeout: timeout)
    }

    func waitForExit(timeout: Duration = .seconds(30)) async throws -> Int32 {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while process.isRunning {
            guard clock.now < deadline else { throw ProcessFailure("postern did not exit within \(timeout)") }
            try await Task.sleep(for: .milliseconds(20))
        }
        return process.terminationStatus
    }

    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    static func freePort() throws -> Int { try TestProcesses.freePort() }
}

struct ProcessFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Runs a command to completion (see ``TestProcesses/run(_:input:environment:)``).
@discardableResult
func run(_ executable: String, _ arguments: [String], input: Data? = nil, environment: [String: String]? = nil) async throws -> (status: Int32, stdout: String, stderr: String) {
    let result = try await TestProcesses.run([executable] + arguments, input: input, environment: environment)
    return (result.status, result.stdout, result.stderr)
}

/// Whether a program is on PATH; tests that need it skip with a printed reason when it is not.
func available(_ program: String) async -> Bool {
    (try? await run("/usr/bin/env", ["sh", "-c", "command -v \(program)"]).status) == 0
}
