import Foundation
import PosternTestSupport
import Testing

/// `postern cert`, run as a user runs it in a project folder, judged by OpenSSL.
@Suite("postern cert")
struct CertCommandTests {
    /// A home with a CA and an empty working folder; `postern cert` runs in the latter.
    struct Workspace {
        let home: URL
        let folder: URL
        var root: String { home.appendingPathComponent("ca/rootCA.pem").path }

        init() throws {
            home = try TestProcesses.temporaryFolder("cert-home")
            folder = try TestProcesses.temporaryFolder("cert-out")
        }

        func postern(_ arguments: [String]) async throws -> TestProcesses.Result {
            try await TestProcesses.run([TestProcesses.postern.path, "cert", "--home", home.path] + arguments, in: folder)
        }

        func openssl(_ arguments: [String]) async throws -> TestProcesses.Result {
            try await TestProcesses.run(["openssl"] + arguments, in: folder)
        }

        func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

        func mode(_ name: String) throws -> Int {
            ((try FileManager.default.attributesOfItem(atPath: path(name)))[.posixPermissions] as? NSNumber)?.intValue ?? -1
        }

        func remove() {
            try? FileManager.default.removeItem(at: home)
            try? FileManager.default.removeItem(at: folder)
        }
    }

    @Test("mkcert's default names, a 0600 key, the names in the SAN, and openssl verify passes")
    func defaultFiles() async throws {
        let work = try Workspace()
        defer { work.remove() }
        let result = try await work.postern(["localhost", "127.0.0.1", "::1"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Created a new local CA"))
        #expect(result.stdout.contains("The certificate is at ./localhost+2.pem and the key at ./localhost+2-key.pem"), "\(result.stdout)")
        #expect(result.stdout.contains(#/It expires on \d{1,2} [A-Z][a-z]+ 20\d\d \(UTC\)\./#), "\(result.stdout)")
        #expect(try work.mode("localhost+2-key.pem") == 0o600)

        let verify = try await work.openssl(["verify", "-CAfile", work.root, work.path("localhost+2.pem")])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        let text = try await work.openssl(["x509", "-in", work.path("localhost+2.pem"), "-noout", "-ext", "subjectAltName,extendedKeyUsage"])
        #expect(text.stdout.contains("DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1"), "\(text.stdout)")
        #expect(text.stdout.contains("TLS Web Server Authentication"))
        let keyMatches = try await work.openssl(["x509", "-in", work.path("localhost+2.pem"), "-noout", "-pubkey"])
        let keyPublic = try await work.openssl(["pkey", "-in", work.path("localhost+2-key.pem"), "-pubout"])
        #expect(keyMatches.stdout == keyPublic.stdout)
    }

    @Test("-pkcs12 writes NAME.p12 (0600) that openssl reads with changeit; -client adds clientAuth and the -client suffix")
    func pkcs12AndClient() async throws {
        let work = try Workspace()
        defer { work.remove() }
        let bundle = try await work.postern(["-pkcs12", "app.test"])
        #expect(bundle.status == 0, "\(bundle.stderr)")
        #expect(try work.mode("app.test.p12") == 0o600)
        let info = try await work.openssl(["pkcs12", "-in", work.path("app.test.p12"), "-passin", "pass:changeit", "-nokeys", "-info"])
        #expect(info.status == 0, "\(info.stderr)")

        let client = try await work.postern(["-client", "me.test"])
        #expect(client.status == 0, "\(client.stderr)")
        let usage = try await work.openssl(["x509", "-in", work.path("me.test-client.pem"), "-noout", "-ext", "extendedKeyUsage"])
        #expect(usage.stdout.contains("TLS Web Client Authentication"), "\(usage.stdout)")
    }

    @Test("wildcards get mkcert's _wildcard name; --rsa 2048 makes an RSA key; -cert-file/-key-file are honoured")
    func namesAndKeys() async throws {
        let work = try Workspace()
        defer { work.remove() }
        let wildcard = try await work.postern(["*.app.test"])
        #expect(wildcard.status == 0, "\(wildcard.stderr)")
        #expect(FileManager.default.fileExists(atPath: work.path("_wildcard.app.test.pem")))

        let rsa = try await work.postern(["--rsa", "2048", "-cert-file", "rsa.pem", "-key-file", "rsa-key.pem", "localhost"])
        #expect(rsa.status == 0, "\(rsa.stderr)")
        let key = try await work.openssl(["pkey", "-in", work.path("rsa-key.pem"), "-noout", "-text"])
        #expect(key.stdout.contains("Private-Key: (2048 bit"), "\(key.stdout)")
        #expect(try work.mode("rsa-key.pem") == 0o600)
    }

    @Test("-csr signs the request's key and names without writing a key")
    func signsRequest() async throws {
        let work = try Workspace()
        defer { work.remove() }
        let made = try await work.openssl(["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                                            "-keyout", work.path("own-key.pem"), "-out", work.path("own.csr"),
                                            "-subj", "/CN=svc.test", "-addext", "subjectAltName=DNS:svc.test"])
        #expect(made.status == 0, "\(made.stderr)")
        let signed = try await work.postern(["-csr", work.path("own.csr"), "-cert-file", "svc.pem"])
        #expect(signed.status == 0, "\(signed.stderr)")
        let verify = try await work.openssl(["verify", "-CAfile", work.root, work.path("svc.pem")])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        let certificateKey = try await work.openssl(["x509", "-in", work.path("svc.pem"), "-noout", "-pubkey"])
        let ownKey = try await work.openssl(["pkey", "-in", work.path("own-key.pem"), "-pubout"])
        #expect(certificateKey.stdout == ownKey.stdout)
        #expect(!FileManager.default.fileExists(atPath: work.path("svc.test-key.pem")))
    }

    @Test("a public name is refused with the constraint and the --unconstrained way out, and nothing is written")
    func publicNameRefused() async throws {
        let work = try Workspace()
        defer { work.remove() }
        let result = try await work.postern(["example.com"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("example.com"), "\(result.stderr)")
        #expect(result.stderr.contains("--unconstrained"), "\(result.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: work.folder.path).isEmpty)

        let usage = try await work.postern([])
        #expect(usage.status == 2)
        #expect(usage.stderr.contains("Give at least one name"), "\(usage.stderr)")
    }
}
