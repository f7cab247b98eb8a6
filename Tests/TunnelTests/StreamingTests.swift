import Foundation
import Testing
import PosternTestSupport

/// WebSocket upgrades and server-sent events through relay and agent.
@Suite(.serialized) struct StreamingTests {
    @Test func aWebSocketEchoWorksThroughTheTunnel() async throws {
        let relay = try await RelayFixture()
        let (script, server, agent, _) = try await webSocketTunnel(relay, name: "ws")
        defer { server.stop(); agent.stop() }
        let result = try await runTool(["timeout", "20", "python3", script.path, "client", "ws.\(RelayFixture.domain)", "\(relay.port)", relay.caFile.path])
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines == ["HTTP/1.1 101 Switching Protocols accept-ok", "welcome", "echo:one 8", "echo:twotwot 90005", "close 8"], "\(result.stderr)")
        // The relay still serves plain requests afterwards.
        #expect(try await relay.curl(relay.publicURL("nobody")).status == 404)
    }

    /// Headless Chromium loads a page through the relay over HTTP/2 and opens a
    /// WebSocket from it (over HTTP/1.1: the relay does not offer WebSockets over
    /// HTTP/2, so the browser opens a connection of its own for it).
    @Test func aBrowserGetsThePageOverHTTP2AndItsWebSocketWorks() async throws {
        guard TestProcesses.which("chromium") != nil else {
            print("StreamingTests.aBrowserGetsThePageOverHTTP2AndItsWebSocketWorks skipped: no chromium (apt-get install chromium)")
            return
        }
        let relay = try await RelayFixture()
        let (_, server, agent, url) = try await webSocketTunnel(relay, name: "page")
        defer { server.stop(); agent.stop() }
        let profile = try ChildProcess.temporaryFolder("chromium")
        defer { try? FileManager.default.removeItem(at: profile) }
        // Chromium resolves *.localhost to loopback itself. The relay's certificate comes from its
        // own CA, which this throwaway profile does not trust; trust is RealVerifierTests' subject.
        let result = try await runTool(["timeout", "60", "chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                                        "--disable-extensions", "--disable-background-networking", "--user-data-dir=\(profile.path)",
                                        "--ignore-certificate-errors", "--dump-dom", url])
        #expect(result.stdout.contains("<pre id=\"out\">page over h2; websocket: welcome echo:one</pre>"), "\(result.stdout) \(result.stderr.suffix(2000))")
    }

    /// The WebSocket echo server (``StreamingScripts/webSocket``) shared as `name`: its script, the server, the agent, the public URL.
    private func webSocketTunnel(_ relay: RelayFixture, name: String) async throws -> (script: URL, server: ChildProcess, agent: ChildProcess, url: String) {
        let script = try StreamingScripts.write(StreamingScripts.webSocket, name: "ws.py")
        let port = try ChildProcess.freePort()
        let server = try ChildProcess(URL(fileURLWithPath: "/usr/bin/env"), ["python3", script.path, "serve", "\(port)"])
        do {
            try await server.waitForLine { $0 == "listening" }
            let (agent, url) = try await relay.share("http://127.0.0.1:\(port)", token: try await relay.createToken("laptop"), subdomain: name,
                                                     extra: ["--inspect-port", "0"])
            return (script, server, agent, url)
        } catch {
            server.stop()
            throw error
        }
    }

    @Test func serverSentEventsArriveOneByOne() async throws {
        let relay = try await RelayFixture()
        let script = try StreamingScripts.write(StreamingScripts.serverSentEvents, name: "sse.py")
        let port = try ChildProcess.freePort()
        let go = script.deletingLastPathComponent().appendingPathComponent("go")
        let server = try ChildProcess(URL(fileURLWithPath: "/usr/bin/env"), ["python3", script.path, "\(port)", go.path])
        defer { server.stop() }
        try await server.waitForLine { $0 == "listening" }
        let (agent, url) = try await relay.share("http://127.0.0.1:\(port)", token: try await relay.createToken("laptop"), subdomain: "events",
                                                 extra: ["--inspect-port", "0"])
        defer { agent.stop() }
        let host = RelayFixture.host(of: url)
        let curl = try ChildProcess(URL(fileURLWithPath: "/usr/bin/env"), ["curl", "-sS", "-N", "--resolve", "\(host):\(relay.port):127.0.0.1",
                                                                           "--cacert", relay.caFile.path, url])
        defer { curl.stop() }
        // The first event arrives while the upstream holds the others back until told to go on.
        try await curl.waitForLine(timeout: .seconds(20)) { $0 == "data: tick 0" }
        #expect(!curl.stdout.contains("tick 1"))
        #expect(FileManager.default.createFile(atPath: go.path, contents: nil))
        try await curl.waitForLine(timeout: .seconds(20)) { $0 == "data: tick 2" }
    }
}
