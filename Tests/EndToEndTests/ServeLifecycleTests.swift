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

    /// Sends a multipart upload to the server on port argv[2] (root argv[1], image argv[3]) but
    /// holds back its last kilobyte until a line arrives on stdin; then prints the status code.
    static let heldUpload = #"""
import socket, ssl, sys, uuid
ca, port, image = sys.argv[1], int(sys.argv[2]), sys.argv[3]
boundary = "postern" + uuid.uuid4().hex
def field(name, value):
    return f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
body = (field("title", "slow") + field("content", "c")
        + f'--{boundary}\r\nContent-Disposition: form-data; name="image"; filename="slow.png"\r\nContent-Type: image/png\r\n\r\n'.encode()
        + open(image, "rb").read() + f"\r\n--{boundary}--\r\n".encode())
head = (f"POST /blog/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: multipart/form-data; boundary={boundary}\r\n"
        f"Content-Length: {len(body)}\r\n\r\n").encode()
tls = ssl.create_default_context(cafile=ca).wrap_socket(socket.create_connection(("127.0.0.1", port)), server_hostname="127.0.0.1")
tls.sendall(head + body[:-1000])
sys.stdin.readline()
tls.sendall(body[-1000:])
answer = b""
while b"\r\n" not in answer:
    chunk = tls.recv(4096)
    if not chunk:
        break
    answer += chunk
print(answer.split(b" ")[1].decode() if answer else "no answer", flush=True)
"""#

    @Test func sigtermLetsAnUploadInFlightFinishThenExitsZero() async throws {
        let server = try PosternProcess(arguments: ["--max-upload", "4MiB"])
        try await server.waitUntilListening()
        var image = TestImages.png()
        image.append(Data(repeating: 0, count: 600_000))
        let file = try TestImages.write(image, name: "slow.png")
        let folder = try PosternProcess.temporaryFolder("held")
        let script = folder.appendingPathComponent("held_upload.py")
        try Self.heldUpload.write(to: script, atomically: true, encoding: .utf8)
        let output = folder.appendingPathComponent("output")
        FileManager.default.createFile(atPath: output.path, contents: nil)
        let client = Process()
        client.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        client.arguments = ["python3", script.path, server.caFile.path, "\(server.port)", file.path]
        let go = Pipe()
        client.standardInput = go
        client.standardOutput = try FileHandle(forWritingTo: output)
        client.standardError = try FileHandle(forWritingTo: output)
        try client.run()
        defer { if client.isRunning { client.terminate() } }
        func said() -> String { (try? String(contentsOf: output, encoding: .utf8)) ?? "" }

        // The client holds the upload's end back, so the server keeps a staging file open for it
        // (an unnamed O_TMPFILE in media/.staging, seen through /proc) until the test lets it go.
        let staging = server.home.appendingPathComponent("media/.staging").path
        let fds = "/proc/\(server.process.processIdentifier)/fd"
        func stagingOpen() -> Bool {
            ((try? FileManager.default.contentsOfDirectory(atPath: fds)) ?? []).contains { fd in
                (try? FileManager.default.destinationOfSymbolicLink(atPath: "\(fds)/\(fd)"))?.hasPrefix(staging) == true
            }
        }
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(30)
        while !stagingOpen() {
            guard clock.now < deadline, client.isRunning else {
                Issue.record("the upload never reached the staging folder \(staging): the client said \(said()); server said \(server.stderr)")
                return
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        // Stop the server, and wait until it says it is stopping with the upload still in flight.
        // Only then does the upload's end go out.
        kill(server.process.processIdentifier, SIGTERM)
        while !server.stdout.contains("postern: stopping once the request in flight is answered") {
            guard clock.now < deadline, server.process.isRunning else {
                Issue.record("the server did not say it waits for the upload: \(server.stdout) \(server.stderr)")
                return
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        go.fileHandleForWriting.write(Data("go\n".utf8))
        while client.isRunning {
            guard clock.now < deadline + .seconds(30) else { Issue.record("the client did not finish: \(said())"); return }
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(said() == "201\n", "in-flight upload answered \(said())")
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
