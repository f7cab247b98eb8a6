import Foundation
import PosternTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `postern ca install`, `ca rotate` and `ca uninstall` judged by the clients
/// users have: curl without `--cacert`, Python's `ssl.create_default_context()`,
/// Java's `HttpClient` with the JDK's trust store, and headless Chromium.
///
/// `Tests/Scripts/trust-verifiers.sh` does the work inside a private mount
/// namespace, over copies of the system stores that only it sees (see its
/// header); this test checks every line it must print. It needs root (for the
/// namespace and `update-ca-certificates`) and the clients; `.ci/run`
/// installs them, elsewhere the test says why it skips.
@Suite("real verifiers after ca install, rotate and uninstall")
struct RealVerifierTests {
    static let script = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Scripts/trust-verifiers.sh")

    static let clients = ["curl", "python", "java", "chromium"]

    /// Why this machine cannot run the test, or `nil`.
    static func missing() -> String? {
        guard geteuid() == 0 else { return "needs root for a mount namespace and update-ca-certificates" }
        let tools = ["unshare", "update-ca-certificates", "certutil", "keytool", "java", "python3", "curl", "openssl", "chromium"]
        let absent = tools.filter { TestProcesses.which($0) == nil }
        return absent.isEmpty ? nil : "missing \(absent.joined(separator: ", ")) (apt-get install util-linux ca-certificates libnss3-tools default-jdk-headless python3 curl openssl chromium)"
    }

    @Test("curl, Python, Java and Chromium trust the root after install and rotate, refuse it after uninstall; stores end as they began")
    func realVerifiers() async throws {
        if let reason = Self.missing() {
            print("RealVerifierTests skipped: \(reason)")
            return
        }
        let work = try TestProcesses.temporaryFolder("verifiers")
        defer { try? FileManager.default.removeItem(at: work) }
        let result = try await TestProcesses.run([
            "unshare", "--mount", "--propagation", "private",
            "bash", Self.script.path, TestProcesses.postern.path, work.path,
            "\(try TestProcesses.freePort())", "\(try TestProcesses.freePort())",
        ])
        let lines = Set(result.stdout.split(separator: "\n").map(String.init))
        let transcript = "exit \(result.status)\n\(result.stdout)\n\(result.stderr)"
        #expect(result.status == 0, "\(transcript)")
        let expected = [("before", "refused"), ("installed", "trusted"), ("rotated", "trusted"), ("uninstalled", "refused")]
        for (phase, verdict) in expected {
            // A refusal counts only if the server answered to a client that knows the root.
            #expect(lines.contains("\(phase) reachable"), "\(transcript)")
            for client in Self.clients {
                #expect(lines.contains("\(phase) \(client) \(verdict)"), "\(phase) \(client) should be \(verdict)\n\(transcript)")
            }
        }
        for finding in ["rotated new root", "rotated old root gone from stores", "rotated new root in stores", "stores unchanged", "no dangling links"] {
            #expect(lines.contains(finding), "\(finding)\n\(transcript)")
        }
    }
}
