import Foundation

/// A small HTTP/1.1 upstream in Python: `/headers` echoes the request headers
/// as JSON, `POST /upload` answers the SHA-256 of the body, `POST /echo` the
/// body itself with its Content-Type, `/bytes?n=N` streams N deterministic
/// bytes, anything else 200 "hello". `GET /stats` (not counted) tells how many
/// requests came (`hits`), how many POST bodies arrived whole (`uploads`) and
/// how many broke off before their end (`aborted`). `POST /early` answers
/// without reading the body, once `GET /release` (not counted) says so, then
/// reads and drops what is left until the agent closes the connection.
final class PythonUpstream: @unchecked Sendable {
    let port: Int
    let child: ChildProcess

    static let script = #"""
import hashlib, json, socket, sys, threading
from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler

def pattern(n):
    block = bytes(range(256)) * 256
    while n > 0:
        chunk = block[: min(n, len(block))]
        n -= len(chunk)
        yield chunk

stats = {"hits": 0, "uploads": 0, "aborted": 0}
release = threading.Event()
lock = threading.Lock()
def bump(key):
    with lock: stats[key] += 1

class Aborted(Exception): pass

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *args): pass
    def send_text(self, status, text, kind="text/plain"):
        body = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def read_exact(self, remaining, sink):
        while remaining:
            data = self.rfile.read(min(remaining, 1 << 16))
            if not data: raise Aborted()
            sink(data); remaining -= len(data)
    def read_body(self, sink):
        try:
            if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                while True:
                    line = self.rfile.readline()
                    if not line.endswith(b"\n"): raise Aborted()
                    size = int(line.strip().split(b";")[0], 16)
                    if size == 0:
                        self.rfile.readline()
                        break
                    self.read_exact(size, sink)
                    self.rfile.readline()
            else:
                self.read_exact(int(self.headers.get("Content-Length", "0")), sink)
        except (OSError, ValueError):
            raise Aborted()
    def do_GET(self):
        if self.path == "/stats":
            with lock: self.send_text(200, json.dumps(stats), "application/json")
            return
        if self.path == "/release":
            release.set()
            self.send_text(200, "released")
            return
        bump("hits")
        if self.path.startswith("/headers"):
            self.send_text(200, json.dumps({k.lower(): v for k, v in self.headers.items()}), "application/json")
        elif self.path.startswith("/bytes"):
            n = int(self.path.split("n=")[1])
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(n))
            self.end_headers()
            for chunk in pattern(n): self.wfile.write(chunk)
        else:
            self.send_text(200, "hello from upstream\n")
    def do_POST(self):
        bump("hits")
        if self.path.startswith("/early"):
            release.wait(30)
            self.close_connection = True
            self.send_text(200, "early answer\n")
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_WR)
            try:
                while self.connection.recv(1 << 16): pass
            except OSError: pass
            return
        digest, chunks = hashlib.sha256(), []
        echo = self.path.startswith("/echo")
        try:
            self.read_body(lambda data: chunks.append(data) if echo else digest.update(data))
        except Aborted:
            bump("aborted")
            self.close_connection = True
            return
        bump("uploads")
        if echo:
            self.send_text(200, b"".join(chunks).decode(), self.headers.get("Content-Type", "text/plain"))
        else:
            self.send_text(200, digest.hexdigest())

server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler)
print("listening", flush=True)
server.serve_forever()
"""#

    init() async throws {
        port = try ChildProcess.freePort()
        let folder = try ChildProcess.temporaryFolder("upstream")
        let file = folder.appendingPathComponent("upstream.py")
        try Self.script.write(to: file, atomically: true, encoding: .utf8)
        child = try ChildProcess(URL(fileURLWithPath: "/usr/bin/env"), ["python3", file.path, "\(port)"])
        try await child.waitForLine { $0 == "listening" }
    }

    var url: String { "http://127.0.0.1:\(port)" }

    /// `GET /stats`, straight from the upstream.
    func stats() async throws -> (hits: Int, uploads: Int, aborted: Int) {
        let text = try await runTool(["curl", "-sS", "--max-time", "10", "\(url)/stats"]).stdout
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Int] ?? [:]
        return (object["hits"] ?? -1, object["uploads"] ?? -1, object["aborted"] ?? -1)
    }
}
