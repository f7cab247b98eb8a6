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
        let redirect = try curl("http://127.0.0.1:\(server.httpPort)/blog/?x=1", ["-X", "POST"])
        #expect(redirect.status == 308)
        #expect(redirect.header("location") == "https://127.0.0.1:\(server.port)/blog/?x=1")
        let followed = try Curl(caFile: server.caFile)("http://127.0.0.1:\(server.httpPort)/blog/", ["-L"])
        #expect(followed.status == 200 && followed.text == "[]")
        let page = try curl("http://127.0.0.1:\(server.httpPort)/ca")
        #expect(page.status == 200 && page.text.contains("SHA-256"))
        let der = try curl("http://127.0.0.1:\(server.httpPort)/ca/rootCA.crt")
        #expect(der.header("content-type") == "application/x-x509-ca-cert")
        let derFile = try TestImages.write(der.body, name: "root.crt")
        let parsed = try run("openssl", ["x509", "-inform", "der", "-in", derFile.path, "-noout", "-fingerprint", "-sha256"])
        #expect(parsed.status == 0)
        let pem = try run("openssl", ["x509", "-in", server.caFile.path, "-noout", "-fingerprint", "-sha256"])
        #expect(parsed.stdout == pem.stdout)
        for path in ["/ca/rootCA-key.pem", "/ca/../ca/rootCA-key.pem", "/rootCA-key.pem"] {
            let response = try curl("http://127.0.0.1:\(server.httpPort)\(path)", ["--path-as-is"])
            #expect(!response.text.contains("PRIVATE KEY"), "\(path)")
        }
        let evil = try curl("http://127.0.0.1:\(server.httpPort)/", ["-H", "Host: evil.example"])
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
        // curl sends at 300 KB/s: about two seconds on the wire.
        let upload = Task.detached {
            try run("curl", ["-sS", "--cacert", server.caFile.path, "--limit-rate", "300K", "-H", "Expect:", "-o", "/dev/null", "-w", "%{http_code}",
                             "-F", "title=slow", "-F", "content=c", "-F", "image=@\(file.path)", "\(server.base)/blog/"])
        }
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
            guard clock.now < deadline else {
                Issue.record("the upload never reached the staging folder: \(server.stderr)")
                return
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        kill(server.process.processIdentifier, SIGTERM)
        let result = try await upload.value
        #expect(result.stdout == "201", "in-flight upload: \(result.stdout) \(result.stderr)")
        #expect(try await server.waitForExit() == 0)
        // New connections are refused once it has stopped.
        #expect(try run("curl", ["-sS", "--cacert", server.caFile.path, "\(server.base)/"]).status != 0)
    }

    @Test func thePublicURLIsTheOriginOfImageURLs() async throws {
        let server = try PosternProcess(arguments: ["--public-url", "https://abc.tunnel.test"])
        try await server.waitUntilListening()
        let file = try TestImages.write(TestImages.png(), name: "p.png")
        let curl = Curl(caFile: server.caFile)
        let created = try curl("\(server.base)/blog/", ["-F", "title=t", "-F", "content=c", "-F", "image=@\(file.path)"])
        #expect((created.json as? [String: Any])?["image"] as? String == "https://abc.tunnel.test/media/article-images/p.png")
        // The public host is allowed, and answers with the same origin.
        #expect(try curl("\(server.base)/", ["-H", "Host: abc.tunnel.test"]).text == #"{"blog":"https://abc.tunnel.test/blog/"}"#)
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
