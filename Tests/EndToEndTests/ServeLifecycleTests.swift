import AsyncHTTPClient
import NIOCore
import Foundation
import NIOSSL
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The plain-HTTP side, graceful shutdown, the public URL, and a Swift client over HTTP/2.
@Suite struct ServeLifecycleTests {
    @Test func plainHTTPRedirectsAndServesTheCAWithoutRedirecting() async throws {
        let server = try PosternProcess()
        try await server.waitUntilListening()
        let curl = Curl(caFile: nil)
        let redirect = try await curl("http://127.0.0.1:\(server.httpPort)/blog/?x=1", ["-X", "POST"])
        #expect(redirect.status == 308)
        #expect(redirect.header("location") == "https://127.0.0.1:\(server.port)/blog/?x=1")
        let followed = try await Curl(caFile: server.caFile)("http://127.0.0.1:\(server.httpPort)/blog/", ["-L"])
        #expect(followed.status == 200 && followed.text == "[]")
        let page = try await curl("http://127.0.0.1:\(server.httpPort)/ca")
        #expect(page.status == 200 && page.text.contains("SHA-256"))
        let der = try await curl("http://127.0.0.1:\(server.httpPort)/ca/rootCA.crt")
        #expect(der.header("content-type") == "application/x-x509-ca-cert")
        let derFile = try TestImages.write(der.body, name: "root.crt")
        let parsed = try await run("openssl", ["x509", "-inform", "der", "-in", derFile.path, "-noout", "-fingerprint", "-sha256"])
        #expect(parsed.status == 0)
        let pem = try await run("openssl", ["x509", "-in", server.caFile.path, "-noout", "-fingerprint", "-sha256"])
        #expect(parsed.stdout == pem.stdout)
        for path in ["/ca/rootCA-key.pem", "/ca/../ca/rootCA-key.pem", "/rootCA-key.pem"] {
            let response = try await curl("http://127.0.0.1:\(server.httpPort)\(path)", ["--path-as-is"])
            #expect(!response.text.contains("PRIVATE KEY"), "\(path)")
        }
        let evil = try await curl("http://127.0.0.1:\(server.httpPort)/", ["-H", "Host: evil.example"])
        #expect(evil.status == 400)
    }

    @Test func theHTTPListenerCanBeTurnedOff() async throws {
        let server = try PosternProcess(httpPort: 0)
        try await server.waitUntilListening()
        #expect(!server.stdout.contains("http://"))
    }

    @Test func sigtermLetsAnUploadInFlightFinishThenExitsZero() async throws {
        let server = try PosternProcess(arguments: ["--max-upload", "4MiB"])
        try await server.waitUntilListening()
        var body = TestImages.png()
        body.append(Data(repeating: 0, count: 600_000))
        let file = try TestImages.write(body, name: "slow.png")
        // curl sends at 300 KB/s: about two seconds on the wire. It is started as a process of its
        // own (not through a blocking helper), so the test's threads stay free to watch it.
        let output = try PosternProcess.temporaryFolder("slow").appendingPathComponent("code")
        FileManager.default.createFile(atPath: output.path, contents: nil)
        let curl = Process()
        curl.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        curl.arguments = ["curl", "-sS", "--cacert", server.caFile.path, "--limit-rate", "300K", "-H", "Expect:", "-o", "/dev/null", "-w", "%{http_code}",
                          "-F", "title=slow", "-F", "content=c", "-F", "image=@\(file.path)", "\(server.base)/blog/"]
        let errors = output.deletingLastPathComponent().appendingPathComponent("errors")
        FileManager.default.createFile(atPath: errors.path, contents: nil)
        curl.standardOutput = try FileHandle(forWritingTo: output)
        curl.standardError = try FileHandle(forWritingTo: errors)
        try curl.run()
        // Wait until the server has a staging file open for the upload (an unnamed O_TMPFILE in
        // media/.staging until it completes, seen through /proc), then ask the server to stop.
        let staging = server.home.appendingPathComponent("media/.staging").path
        let fds = "/proc/\(server.process.processIdentifier)/fd"
        func stagingOpen() -> Bool {
            ((try? FileManager.default.contentsOfDirectory(atPath: fds)) ?? []).contains { fd in
                (try? FileManager.default.destinationOfSymbolicLink(atPath: "\(fds)/\(fd)"))?.hasPrefix(staging) == true
            }
        }
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(20)
        while !stagingOpen() {
            guard clock.now < deadline, curl.isRunning else {
                let said = (try? String(contentsOf: output, encoding: .utf8) + String(contentsOf: errors, encoding: .utf8)) ?? ""
                Issue.record("the upload never reached the staging folder \(staging): curl said \(said); server said \(server.stderr)")
                curl.terminate()
                return
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        kill(server.process.processIdentifier, SIGTERM)
        while curl.isRunning {
            guard clock.now < deadline + .seconds(20) else { Issue.record("curl did not finish"); curl.terminate(); return }
            try await Task.sleep(for: .milliseconds(10))
        }
        let code = try String(contentsOf: output, encoding: .utf8)
        #expect(code == "201", "in-flight upload answered \(code)")
        #expect(try await server.waitForExit() == 0)
        // New connections are refused once it has stopped.
        #expect(try await run("curl", ["-sS", "--cacert", server.caFile.path, "\(server.base)/"]).status != 0)
    }

    @Test func thePublicURLIsTheOriginOfImageURLs() async throws {
        let server = try PosternProcess(arguments: ["--public-url", "https://abc.tunnel.test"])
        try await server.waitUntilListening()
        let file = try TestImages.write(TestImages.png(), name: "p.png")
        let curl = Curl(caFile: server.caFile)
        let created = try await curl("\(server.base)/blog/", ["-F", "title=t", "-F", "content=c", "-F", "image=@\(file.path)"])
        #expect((created.json as? [String: Any])?["image"] as? String == "https://abc.tunnel.test/media/article-images/p.png")
        // The public host is allowed, and answers with the same origin.
        #expect(try await curl("\(server.base)/", ["-H", "Host: abc.tunnel.test"]).text == #"{"blog":"https://abc.tunnel.test/blog/"}"#)
    }

    /// By name, as a Swift client connects: with SNI the server presents its DNS-only leaf,
    /// which BoringSSL accepts under the name-constrained root (see ServerIdentity).
    @Test func asyncHTTPClientTrustsTheCAOverHTTP2() async throws {
        let server = try PosternProcess()
        try await server.waitUntilListening()
        let base = "https://localhost:\(server.port)"
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .file(server.caFile.path)
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(tlsConfiguration: tls))
        do {
            var request = HTTPClientRequest(url: "\(base)/blog/")
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: #"{"title":"From Swift","content":"over h2"}"#))
            let response = try await client.execute(request, timeout: .seconds(30))
            #expect(response.status == .created)
            #expect(response.version == .http2)
            let body = try await response.body.collect(upTo: 1 << 20)
            #expect(String(buffer: body).contains(#""title":"From Swift""#))
            let list = try await client.execute(HTTPClientRequest(url: "\(base)/blog/"), timeout: .seconds(30))
            #expect(String(buffer: try await list.body.collect(upTo: 1 << 20)).hasPrefix(#"[{"id":1,"title":"From Swift""#))
        } catch {
            try await client.shutdown()
            throw error
        }
        try await client.shutdown()
    }
}
