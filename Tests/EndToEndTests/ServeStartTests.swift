import Foundation
import PosternTestSupport
import Testing

/// `postern serve` from an empty data folder, checked with real verifiers:
/// file modes, OpenSSL, curl, Python `requests`, TLS versions and ALPN.
@Suite struct ServeStartTests {
    @Test func anEmptyHomeGetsEverythingAndServesTrustedHTTPS() async throws {
        let server = try PosternProcess()
        try await server.waitUntilListening()
        let fm = FileManager.default
        for path in ["ca/rootCA.pem", "ca/rootCA-key.pem", "certs/server.pem", "certs/server-key.pem", "postern.sqlite", "media/article-images"] {
            #expect(fm.fileExists(atPath: server.home.appendingPathComponent(path).path), "\(path) missing")
        }
        func mode(_ path: String) throws -> Int {
            (try fm.attributesOfItem(atPath: server.home.appendingPathComponent(path).path)[.posixPermissions] as? Int) ?? -1
        }
        #expect(try mode("ca/rootCA-key.pem") == 0o600)
        #expect(try mode("certs/server-key.pem") == 0o600)
        #expect(try mode("ca") == 0o700)
        #expect(server.stdout.contains("https://127.0.0.1:\(server.port)/"))
        #expect(server.stdout.contains(server.caFile.path))

        // OpenSSL verifies the leaf (the first certificate of the chain file) against the root.
        let leaf = try String(contentsOf: server.home.appendingPathComponent("certs/server.pem"), encoding: .utf8)
            .components(separatedBy: "-----END CERTIFICATE-----")[0] + "-----END CERTIFICATE-----\n"
        let leafFile = try TestImages.write(Data(leaf.utf8), name: "leaf.pem")
        let verify = try await run("openssl", ["verify", "-CAfile", server.caFile.path, leafFile.path])
        #expect(verify.status == 0, "openssl verify: \(verify.stdout) \(verify.stderr)")
        let text = try await run("openssl", ["x509", "-in", leafFile.path, "-noout", "-text"]).stdout
        #expect(text.contains("DNS:localhost") && text.contains("IP Address:127.0.0.1") && text.contains("IP Address:0:0:0:0:0:0:0:1"))
        #expect(text.contains("TLS Web Server Authentication"))

        // curl with the CA: the API root names the HTTPS origin; HTTP/2 is negotiated.
        let curl = Curl(caFile: server.caFile)
        let root = try await curl("\(server.base)/")
        #expect(root.status == 200)
        #expect(root.text == "{\"blog\":\"https://127.0.0.1:\(server.port)/blog/\"}")
        let version = try await run("curl", ["-sS", "--cacert", server.caFile.path, "-o", "/dev/null", "-w", "%{http_version}", "--http2", "\(server.base)/blog/"])
        #expect(version.stdout == "2")
        let http1 = try await run("curl", ["-sS", "--cacert", server.caFile.path, "-o", "/dev/null", "-w", "%{http_version}", "--http1.1", "--tls-max", "1.2", "\(server.base)/blog/"])
        #expect(http1.stdout == "1.1", "TLS 1.2 + HTTP/1.1: \(http1.stderr)")
        // localhost works too (the certificate names it), and without the CA curl refuses.
        #expect(try await curl("https://localhost:\(server.port)/blog/").status == 200)
        #expect(try await run("curl", ["-sS", "-o", "/dev/null", "\(server.base)/"]).status != 0)

        // Python's requests with verify= the CA.
        let python = try await run("python3", ["-c", """
            import requests, sys
            r = requests.get(sys.argv[1] + "/blog/", verify=sys.argv[2])
            print(r.status_code, r.json())
            """, server.base, server.caFile.path])
        #expect(python.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "200 []", "\(python.stderr)")

        #expect(try await server.terminate() == 0)
    }

    /// curl finishes a transfer once it has Content-Length bytes and resets the
    /// stream unless END_STREAM came with them; 200 such resets made the server's
    /// rapid-reset guard close the connection (GOAWAY ENHANCE_YOUR_CALM).
    @Test func threeHundredRequestsShareOneHTTP2Connection() async throws {
        let server = try PosternProcess()
        try await server.waitUntilListening()
        let run = try await CurlRequestRun.run("\(server.base)/blog/", count: 300, options: ["--http2", "--cacert", server.caFile.path])
        #expect(run.answers.count == 300)
        #expect(run.allAnswered("200", overHTTP: "2"), "\(run.stderr)")
    }

    @Test func aWarmStartKeepsTheCAAndTheCertificate() async throws {
        let first = try PosternProcess()
        try await first.waitUntilListening()
        #expect(try await first.terminate() == 0)
        let root = try Data(contentsOf: first.caFile)
        let leaf = try Data(contentsOf: first.home.appendingPathComponent("certs/server.pem"))
        let second = try PosternProcess(home: first.home)
        try await second.waitUntilListening()
        #expect(try Data(contentsOf: second.caFile) == root)
        #expect(try Data(contentsOf: second.home.appendingPathComponent("certs/server.pem")) == leaf)
        #expect(try await Curl(caFile: second.caFile)("\(second.base)/blog/").status == 200)
        // A new --name changes the wanted names: the certificate is issued again, by the same root.
        #expect(try await second.terminate() == 0)
        let third = try PosternProcess(home: first.home, arguments: ["--name", "api.test"])
        try await third.waitUntilListening()
        #expect(try Data(contentsOf: third.home.appendingPathComponent("certs/server.pem")) != leaf)
        #expect(try Data(contentsOf: third.caFile) == root)
        let names = try await run("openssl", ["x509", "-in", third.home.appendingPathComponent("certs/server.pem").path, "-noout", "-ext", "subjectAltName"]).stdout
        #expect(names.contains("DNS:api.test"))
    }

    @Test func badValuesExitWithCode2AndOneSentence() async throws {
        for (arguments, words) in [(["--port", "http"], "--port"), (["--max-upload", "ten"], "--max-upload"),
                                   (["--public-url", "ftp://x"], "--public-url"), (["--trusted-proxy", "nope"], "--trusted-proxy"),
                                   (["--host", "not-an-address"], "--host")] {
            let server = try PosternProcess(arguments: arguments)
            let status = try await server.waitForExit()
            #expect(status == 2, "\(arguments) exited \(status)")
            #expect(server.stderr.contains(words), "\(arguments): \(server.stderr)")
            #expect(server.stderr.split(separator: "\n").count == 1, "one sentence expected: \(server.stderr)")
        }
        let fromEnvironment = try PosternProcess(environment: ["POSTERN_MAX_UPLOAD": "lots"])
        #expect(try await fromEnvironment.waitForExit() == 2)
        #expect(fromEnvironment.stderr.contains("POSTERN_MAX_UPLOAD"))
    }

    @Test func aPortInUseIsNamed() async throws {
        let first = try PosternProcess()
        try await first.waitUntilListening()
        let second = try PosternProcess(port: first.port)
        let status = try await second.waitForExit()
        #expect(status != 0)
        #expect(second.stderr.contains("\(first.port)") && second.stderr.contains("in use"), "\(second.stderr)")
    }
}
