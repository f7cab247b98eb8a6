import Foundation

/// A small HTTP/1.1 upstream in Python: `/headers` echoes the request headers
/// as JSON, `POST /upload` answers the SHA-256 of the body, `/bytes?n=N`
/// streams N deterministic bytes (chunked), anything else 200 "hello".
final class PythonUpstream: @unchecked Sendable {
    let port: Int
    let child: ChildProcess

    static let script = #"""
import hashlib, json, sys
from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler

def pattern(n):
    block = bytes(range(256)) * 256
    while n > 0:
        chunk = block[: min(n, len(block))]
        n -= len(chunk)
        yield chunk

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
    def read_body(self):
        digest = hashlib.sha256()
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            while True:
                size = int(self.rfile.readline().strip().split(b";")[0], 16)
                if size == 0:
                    self.rfile.readline()
                    break
                remaining = size
                while remaining:
                    data = self.rfile.read(min(remaining, 1 << 16))
                    digest.update(data); remaining -= len(data)
                self.rfile.readline()
        else:
            remaining = int(self.headers.get("Content-Length", "0"))
            while remaining:
                data = self.rfile.read(min(remaining, 1 << 16))
                if not data: break
                digest.update(data); remaining -= len(data)
        return digest.hexdigest()
    def do_GET(self):
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
        self.send_text(200, self.read_body())

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
}
