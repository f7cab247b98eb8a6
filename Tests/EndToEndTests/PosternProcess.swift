import Foundation
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

    /// The binary next to the test bundle (what `swift build` made), or `POSTERN_BINARY`.
    static var binary: URL {
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
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("postern-e2e-\(label)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

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

    /// A port nobody listens on right now.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard bound == 0 else { throw ProcessFailure("cannot bind a probe socket") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

struct ProcessFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Runs a command to completion and returns its exit status and output
/// (captured through files, so no pipe can fill up and block the child).
@discardableResult
func run(_ executable: String, _ arguments: [String], input: Data? = nil, environment: [String: String]? = nil) async throws -> (status: Int32, stdout: String, stderr: String) {
    let folder = try PosternProcess.temporaryFolder("run")
    defer { try? FileManager.default.removeItem(at: folder) }
    let outFile = folder.appendingPathComponent("out"), errFile = folder.appendingPathComponent("err"), inFile = folder.appendingPathComponent("in")
    FileManager.default.createFile(atPath: outFile.path, contents: nil)
    FileManager.default.createFile(atPath: errFile.path, contents: nil)
    FileManager.default.createFile(atPath: inFile.path, contents: input ?? Data())
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable.hasPrefix("/") ? executable : "/usr/bin/env")
    process.arguments = executable.hasPrefix("/") ? arguments : [executable] + arguments
    if let environment { process.environment = environment }
    process.standardOutput = try FileHandle(forWritingTo: outFile)
    process.standardError = try FileHandle(forWritingTo: errFile)
    process.standardInput = try FileHandle(forReadingFrom: inFile)
    // Wait without holding a thread: many tests run at once on a small cooperative pool.
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
        process.terminationHandler = { _ in continuation.resume() }
        do { try process.run() } catch {
            process.terminationHandler = nil
            continuation.resume()
        }
    }
    guard process.processIdentifier != 0 else { throw ProcessFailure("cannot start \(executable)") }
    return (process.terminationStatus,
            (try? String(contentsOf: outFile, encoding: .utf8)) ?? "",
            (try? String(contentsOf: errFile, encoding: .utf8)) ?? "")
}

/// Whether a program is on PATH; tests that need it skip with a printed reason when it is not.
func available(_ program: String) async -> Bool {
    (try? await run("/usr/bin/env", ["sh", "-c", "command -v \(program)"]).status) == 0
}
