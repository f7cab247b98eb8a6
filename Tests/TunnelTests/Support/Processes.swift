import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A child process (the built `postern`, python3, …) with stdout and stderr in files.
final class ChildProcess: @unchecked Sendable {
    let process = Process()
    let stdoutFile: URL
    let stderrFile: URL

    /// The `postern` binary next to the test bundle, or `POSTERN_BINARY`.
    static var postern: URL {
        if let path = ProcessInfo.processInfo.environment["POSTERN_BINARY"] { return URL(fileURLWithPath: path) }
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = folder.appendingPathComponent("postern")
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory), !isDirectory.boolValue { return candidate }
            folder = folder.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("postern")
    }

    static func temporaryFolder(_ label: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("postern-tunnel-\(label)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

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

    /// A TCP port nobody listens on right now.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard bound == 0 else { throw TestFailure("cannot bind a probe socket") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Runs a program to completion; output goes through files, so a large one cannot block it.
@discardableResult
func runTool(_ arguments: [String], input: Data? = nil) throws -> (status: Int32, stdout: String, stderr: String) {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("postern-tool-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let outFile = folder.appendingPathComponent("out"), errFile = folder.appendingPathComponent("err"), inFile = folder.appendingPathComponent("in")
    FileManager.default.createFile(atPath: outFile.path, contents: nil)
    FileManager.default.createFile(atPath: errFile.path, contents: nil)
    FileManager.default.createFile(atPath: inFile.path, contents: input ?? Data())
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    process.standardOutput = try FileHandle(forWritingTo: outFile)
    process.standardError = try FileHandle(forWritingTo: errFile)
    process.standardInput = try FileHandle(forReadingFrom: inFile)
    try process.run()
    process.waitUntilExit()
    return (process.terminationStatus,
            (try? String(contentsOf: outFile, encoding: .utf8)) ?? "",
            (try? String(contentsOf: errFile, encoding: .utf8)) ?? "")
}
