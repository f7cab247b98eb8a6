import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// What the end-to-end test targets share: finding the built `postern`,
/// temporary folders, free loopback ports, and running a tool to completion.
public enum TestProcesses {
    /// The `postern` binary next to the test bundle (what `swift build` made), or `POSTERN_BINARY`.
    public static var postern: URL {
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

    /// The full path of `tool` on `PATH` (and the sbin folders), or `nil`.
    public static func which(_ tool: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for folder in path.split(separator: ":").map(String.init) + ["/usr/sbin", "/sbin"] {
            let candidate = folder + "/" + tool
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// A new empty folder under the system's temporary folder.
    public static func temporaryFolder(_ label: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("postern-test-\(label)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A TCP port on 127.0.0.1 nobody uses right now, never handed out before in this process.
    ///
    /// The ports come from just below the kernel's ephemeral range: a port the kernel picked for
    /// a probe socket (bind to port 0) is one it may give the very next outgoing connection —
    /// a curl or a relay link of a test running alongside — before the server under test binds
    /// it ("address already in use", seen in CI). Ports below that range are taken only by
    /// explicit binds; a random start keeps two test processes on one machine apart.
    public static func freePort() throws -> Int {
        try PortAllocator.shared.withLock { allocator in
            for _ in 0..<allocator.range.count {
                let port = allocator.next()
                if canBind(port) { return port }
            }
            throw TestProcessError("no free TCP port on 127.0.0.1 in \(allocator.range)")
        }
    }

    private struct PortAllocator {
        static let shared = Mutex(PortAllocator())
        let range: Range<Int>
        private var offset: Int

        init() {
            // "32768\t60999": the ephemeral range; take the 12,000 ports below it.
            let ephemeral = (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8))?
                .split(whereSeparator: \.isWhitespace).first.flatMap { Int($0) } ?? 32768
            let top = max(ephemeral, 13024)
            range = (top - 12000)..<top
            offset = Int.random(in: 0..<range.count)
        }

        mutating func next() -> Int {
            offset = (offset + 1) % range.count
            return range.lowerBound + offset
        }
    }

    private static func canBind(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }

    /// What a finished tool said.
    public struct Result: Sendable {
        public let status: Int32
        public let stdout: String
        public let stderr: String
    }

    /// Runs `arguments[0]` (looked up on PATH unless absolute) to completion, without
    /// holding a thread while it runs: many tests run at once on a small cooperative pool.
    /// Output goes through files, so no pipe can fill up and block the child. `folder` is its working folder.
    public static func run(_ arguments: [String], input: Data? = nil, environment: [String: String]? = nil, in folder: URL? = nil) async throws -> Result {
        let (process, files) = try prepare(arguments, input: input, environment: environment)
        if let folder { process.currentDirectoryURL = folder }
        defer { try? FileManager.default.removeItem(at: files) }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            process.terminationHandler = { _ in continuation.resume() }
            do { try process.run() } catch {
                process.terminationHandler = nil
                continuation.resume()
            }
        }
        guard process.processIdentifier != 0 else { throw TestProcessError("cannot start \(arguments.first ?? "")") }
        return collect(process, files)
    }

    private static func prepare(_ arguments: [String], input: Data?, environment: [String: String]?) throws -> (Process, URL) {
        let folder = try temporaryFolder("run")
        let out = folder.appendingPathComponent("out"), err = folder.appendingPathComponent("err"), inFile = folder.appendingPathComponent("in")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        FileManager.default.createFile(atPath: err.path, contents: nil)
        FileManager.default.createFile(atPath: inFile.path, contents: input ?? Data())
        let process = Process()
        let absolute = arguments.first?.hasPrefix("/") == true
        process.executableURL = URL(fileURLWithPath: absolute ? arguments[0] : "/usr/bin/env")
        process.arguments = absolute ? Array(arguments.dropFirst()) : arguments
        if let environment { process.environment = environment }
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        process.standardInput = try FileHandle(forReadingFrom: inFile)
        return (process, folder)
    }

    private static func collect(_ process: Process, _ folder: URL) -> Result {
        Result(status: process.terminationStatus,
               stdout: (try? String(contentsOf: folder.appendingPathComponent("out"), encoding: .utf8)) ?? "",
               stderr: (try? String(contentsOf: folder.appendingPathComponent("err"), encoding: .utf8)) ?? "")
    }
}

/// A test's process could not be set up.
public struct TestProcessError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
