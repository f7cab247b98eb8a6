import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where the trust stores are and which tools change them.
///
/// ``current(_:)`` reads the real machine. Tests (and only tests) move every
/// system path under a temporary folder with ``root`` — the binary reads it
/// from `POSTERN_TRUST_ROOT` — and set ``home``, ``nssDatabases`` and
/// ``javaCacerts`` to temporary copies, so the machine's own stores are never
/// touched:
///
/// ```swift
/// var environment = TrustStoreEnvironment.current()
/// environment.root = URL(fileURLWithPath: "/tmp/trust-root")
/// environment.javaCacerts = URL(fileURLWithPath: "/tmp/cacerts")
/// ```
public struct TrustStoreEnvironment: Sendable {
    /// The operating system family whose system store is used.
    public enum SystemKind: String, Sendable, CaseIterable {
        case debian, fedora, arch, macOS
    }

    /// `/` on a real machine; a temporary folder that every system path is moved under in tests.
    public var root: URL
    /// The user's home folder (NSS databases, Firefox profiles).
    public var home: URL
    /// The folders searched for tools, in order (`PATH`).
    public var searchPath: [String]
    /// `JAVA_HOME`, if set.
    public var javaHome: String?
    /// Whether the process runs as root (effective user 0).
    public var isRoot: Bool
    /// The system store's kind; `nil` when none was recognised.
    public var systemKind: SystemKind?
    /// The NSS databases to use instead of `~/.pki/nssdb` and the Firefox profiles (tests).
    public var nssDatabases: [URL]?
    /// The Java keystore to use instead of the one of the JDK found (tests).
    public var javaCacerts: URL?

    public init(root: URL, home: URL, searchPath: [String], javaHome: String?, isRoot: Bool, systemKind: SystemKind?) {
        self.root = root
        self.home = home
        self.searchPath = searchPath
        self.javaHome = javaHome
        self.isRoot = isRoot
        self.systemKind = systemKind
    }

    /// The environment of this process: `HOME`, `PATH`, `JAVA_HOME`, and the
    /// test-only `POSTERN_TRUST_ROOT`, which moves every system path under it.
    public static func current(_ variables: [String: String] = ProcessInfo.processInfo.environment) -> TrustStoreEnvironment {
        let root = URL(fileURLWithPath: variables["POSTERN_TRUST_ROOT"].flatMap { $0.isEmpty ? nil : $0 } ?? "/")
        let home = URL(fileURLWithPath: variables["HOME"] ?? NSHomeDirectory())
        let searchPath = (variables["PATH"] ?? "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin").split(separator: ":").map(String.init)
        var environment = TrustStoreEnvironment(
            root: root, home: home, searchPath: searchPath + ["/usr/sbin", "/sbin"],
            javaHome: variables["JAVA_HOME"], isRoot: geteuid() == 0, systemKind: nil
        )
        environment.systemKind = environment.detectSystemKind()
        return environment
    }

    /// `path` moved under ``root``.
    public func system(_ path: String) -> URL {
        root.path == "/" ? URL(fileURLWithPath: path) : root.appendingPathComponent(String(path.drop(while: { $0 == "/" })))
    }

    /// Whether the system paths are moved under a temporary root.
    public var isRerooted: Bool { root.path != "/" }

    /// The full path of `tool` on ``searchPath``, if it is there.
    public func tool(_ tool: String) -> String? {
        for folder in searchPath {
            let candidate = (folder as NSString).appendingPathComponent(tool)
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    func detectSystemKind() -> SystemKind? {
        #if os(macOS)
        return .macOS
        #else
        if tool("update-ca-certificates") != nil { return .debian }
        if tool("update-ca-trust") != nil { return .fedora }
        if tool("trust") != nil { return .arch }
        return nil
        #endif
    }

    /// The words `sudo ` when the action needs root and this process is not root.
    var sudo: String { isRoot ? "" : "sudo " }
}

/// Runs a tool and collects its exit status and combined output.
struct ToolRun: Sendable {
    let status: Int32
    let output: String

    var succeeded: Bool { status == 0 }

    /// The last non-empty line of the output, for a report.
    var lastLine: String {
        output.split(whereSeparator: \.isNewline).last.map(String.init) ?? "exit status \(status)"
    }

    static func run(_ arguments: [String], input: [UInt8]? = nil) -> ToolRun {
        guard let executable = arguments.first else { return ToolRun(status: -1, output: "no command") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = Array(arguments.dropFirst())
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            return ToolRun(status: -1, output: "could not start \(executable): \(error)")
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return ToolRun(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
    }

    /// A command line as one could paste it in a shell.
    static func shellLine(_ arguments: [String]) -> String {
        arguments.map { argument in
            argument.allSatisfy({ $0.isLetter || $0.isNumber || "-_./:=,@+".contains($0) }) && !argument.isEmpty
                ? argument : "'" + argument.replacingOccurrences(of: "'", with: "'\\''") + "'"
        }.joined(separator: " ")
    }
}
