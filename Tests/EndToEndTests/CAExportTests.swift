import Foundation
import PosternTestSupport
import Testing

/// `postern ca export`, read back by the tools on the other end: Python's
/// plistlib for the Apple profile, OpenSSL for DER and PEM.
@Suite("postern ca export")
struct CAExportTests {
    @Test("plistlib reads the .mobileconfig: one com.apple.security.root payload holding the DER root")
    func mobileconfigReadsWithPlistlib() async throws {
        let home = try TestProcesses.temporaryFolder("export")
        defer { try? FileManager.default.removeItem(at: home) }
        let profile = home.appendingPathComponent("postern.mobileconfig").path
        let der = home.appendingPathComponent("root.crt").path
        for (format, out) in [("mobileconfig", profile), ("der", der)] {
            let export = try await TestProcesses.run([TestProcesses.postern.path, "ca", "export", "--home", home.path, "--format", format, "--out", out])
            #expect(export.status == 0, "\(export.stderr)")
        }
        let read = try await TestProcesses.run(["python3", "-c", """
            import hashlib, plistlib, sys
            with open(sys.argv[1], "rb") as f: profile = plistlib.load(f)
            payloads = profile["PayloadContent"]
            print(profile["PayloadType"], len(payloads), payloads[0]["PayloadType"])
            print(hashlib.sha256(payloads[0]["PayloadContent"]).hexdigest())
            """, profile])
        #expect(read.status == 0, "\(read.stderr)")
        let lines = read.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "Configuration 1 com.apple.security.root", "\(read.stdout)")
        let derHash = try await TestProcesses.run(["sha256sum", der])
        #expect(lines.dropFirst().first == String(derHash.stdout.prefix(64)))
        let openssl = try await TestProcesses.run(["openssl", "x509", "-inform", "der", "-in", der, "-noout", "-subject"])
        #expect(openssl.stdout.contains("Postern development CA"), "\(openssl.stdout)\(openssl.stderr)")
    }
}
