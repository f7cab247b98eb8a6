import Foundation
import Testing

/// The agent keeps its connections to the upstream alive between requests,
/// and never reuses one the upstream said it would close.
@Suite struct UpstreamPoolTests {
    /// Answers every GET with the number of distinct connections it has seen;
    /// `/close` also closes the connection (`Connection: close`).
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
            body = str(len(seen)).encode()
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
        var counts: [Int] = []
        for _ in 0..<12 {
            let answer = try await relay.curl(relay.publicURL("pooled", path: "/"))
            #expect(answer.status == 200)
            counts.append(Int(answer.body) ?? -1)
        }
        // Without reuse every request would bring a new connection (12); the agent has one per event loop at most.
        #expect(counts.last ?? 99 <= ProcessInfo.processInfo.activeProcessorCount, "connections seen: \(counts)")

        // A connection the upstream closes is not reused: each /close request is answered, each on a new connection.
        let before = counts.last ?? 0
        let first = try await relay.curl(relay.publicURL("pooled", path: "/close"))
        let second = try await relay.curl(relay.publicURL("pooled", path: "/close"))
        let third = try await relay.curl(relay.publicURL("pooled", path: "/"))
        #expect(first.status == 200 && second.status == 200 && third.status == 200)
        #expect(Int(second.body) ?? -1 > Int(first.body) ?? -1)
        #expect(Int(third.body) ?? -1 > Int(second.body) ?? -1)
        #expect(Int(first.body) ?? -1 >= before)
    }
}
