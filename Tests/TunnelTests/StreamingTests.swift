import Foundation
import Testing

/// WebSocket upgrades and server-sent events through relay and agent.
@Suite(.serialized) struct StreamingTests {
    @Test func aWebSocketEchoWorksThroughTheTunnel() async throws {
        let relay = try await RelayFixture()
        let script = try StreamingScripts.write(StreamingScripts.webSocket, name: "ws.py")
        let port = try ChildProcess.freePort()
        let server = try ChildProcess(URL(fileURLWithPath: "/usr/bin/env"), ["python3", script.path, "serve", "\(port)"])
        defer { server.stop() }
        try await server.waitForLine { $0 == "listening" }
        let (agent, _) = try await relay.share("http://127.0.0.1:\(port)", token: try await relay.createToken("laptop"), subdomain: "ws",
                                               extra: ["--inspect-port", "0"])
        defer { agent.stop() }
        let result = try await runTool(["timeout", "20", "python3", script.path, "client", "ws.\(RelayFixture.domain)", "\(relay.port)", relay.caFile.path])
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines == ["HTTP/1.1 101 Switching Protocols accept-ok", "welcome", "echo:one 8", "echo:twotwot 90005", "close 8"], "\(result.stderr)")
        // The relay still serves plain requests afterwards.
        #expect(try await relay.curl(relay.publicURL("nobody")).status == 404)
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
