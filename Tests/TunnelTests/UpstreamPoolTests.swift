import Foundation
import Testing

/// The agent keeps its connections to the upstream alive between requests,
/// and never reuses one the upstream said it would close.
@Suite struct UpstreamPoolTests {
    /// Answers every GET with the number of distinct connections it has seen
    /// and the client port of this one; `/close` also closes the connection
    /// (`Connection: close`).
    static let script = #"""
import sys, threading
from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler
seen, lock = set(), threading.Lock()
class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *args): pass
    def do_GET(self):
        with lock:
            seen.add(self.client_address[1])
            body = f"{len(seen)} {self.client_address[1]}".encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        if self.path == "/close":
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(body)
server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler)
print("listening", flush=True)
server.serve_forever()
"""#

    @Test func sequentialRequestsShareOneUpstreamConnectionUntilTheUpstreamClosesIt() async throws {
        let port = try ChildProcess.freePort()
        let folder = try ChildProcess.temporaryFolder("pool")
        let file = folder.appendingPathComponent("counting.py")
        try Self.script.write(to: file, atomically: true, encoding: .utf8)
        let upstream = try ChildProcess(URL(fileURLWithPath: "/usr/bin/env"), ["python3", file.path, "\(port)"])
        defer { upstream.stop() }
        try await upstream.waitForLine { $0 == "listening" }

        let relay = try await RelayFixture()
        let (agent, _) = try await relay.share("http://127.0.0.1:\(port)", token: try await relay.createToken("laptop"), subdomain: "pooled",
                                               extra: ["--inspect-port", "0"])
        defer { agent.stop() }
        // Twelve requests from one curl process, back to back: a connection idle for longer than the
        // pool's limit (2 s) is rightly not reused, and separate curl processes on a loaded machine
        // can leave gaps that long.
        let answers = try await relay.curlEach(Array(repeating: relay.publicURL("pooled", path: "/"), count: 12))
        #expect(answers.count == 12 && answers.allSatisfy { $0.status == 200 }, "answers: \(answers)")
        let counts = answers.map { Int($0.body.split(separator: " ").first ?? "") ?? -1 }
        // Without reuse every request would bring a new connection (12); the agent has one per event loop at most.
        #expect(counts.last ?? 99 <= ProcessInfo.processInfo.activeProcessorCount, "connections seen: \(counts)")

        // A connection the upstream closes is not reused: each /close request is answered, each on
        // another connection (pooled ones may serve them, one per event loop, but never the closed one).
        let clientPort = { (answer: (status: Int, body: String)) in answer.body.split(separator: " ").last.map(String.init) ?? "" }
        var closedPorts: [String] = []
        for _ in 0..<4 {
            let answer = try await relay.curl(relay.publicURL("pooled", path: "/close"))
            #expect(answer.status == 200)
            #expect(!closedPorts.contains(clientPort(answer)), "a closed connection was reused: \(closedPorts) then \(answer.body)")
            closedPorts.append(clientPort(answer))
        }
        let after = try await relay.curl(relay.publicURL("pooled", path: "/"))
        #expect(after.status == 200 && !closedPorts.contains(clientPort(after)))
    }
}
