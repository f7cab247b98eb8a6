import Foundation

/// Python helpers for the streaming tests: a WebSocket echo server and client
/// written against RFC 6455 by hand (no packages needed), and an SSE source. To
/// other requests the server answers a page that opens the WebSocket, whose last
/// script is held back until the browser closed it, so the page's load event (when
/// headless Chromium dumps the page) comes after the conversation.
enum StreamingScripts {
    static let webSocket = #"""
import base64, hashlib, os, socket, ssl, struct, sys, threading
GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

def read_exact(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk: raise EOFError
        data += chunk
    return data

def read_head(sock):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(1)
        if not chunk: raise EOFError
        data += chunk
    return data.decode()

def read_frame(sock):
    b1, b2 = read_exact(sock, 2)
    length = b2 & 0x7F
    if length == 126: length = struct.unpack(">H", read_exact(sock, 2))[0]
    elif length == 127: length = struct.unpack(">Q", read_exact(sock, 8))[0]
    mask = read_exact(sock, 4) if b2 & 0x80 else None
    payload = read_exact(sock, length)
    if mask: payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return b1 & 0x0F, payload

def frame(opcode, payload, masked):
    head = bytes([0x80 | opcode])
    n = len(payload)
    mbit = 0x80 if masked else 0
    if n < 126: head += bytes([mbit | n])
    elif n < 65536: head += bytes([mbit | 126]) + struct.pack(">H", n)
    else: head += bytes([mbit | 127]) + struct.pack(">Q", n)
    if masked:
        mask = os.urandom(4)
        return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return head + payload

PAGE = b"""<!doctype html><html><body><pre id="out">waiting</pre><script>
const out = document.getElementById("out");
const protocol = performance.getEntriesByType("navigation")[0].nextHopProtocol;
const ws = new WebSocket("wss://" + location.host + "/chat");
const got = [];
ws.onopen = () => ws.send("one");
ws.onmessage = (event) => {
  got.push(event.data);
  if (got.length == 2) { out.textContent = "page over " + protocol + "; websocket: " + got.join(" "); ws.close(); }
};
ws.onerror = () => { out.textContent = "page over " + protocol + "; websocket failed"; };
</script><script src="/after-websocket.js"></script></body></html>"""
closed = threading.Event()   # the browser closed its WebSocket: the page's last script may load

def serve(port):
    listener = socket.socket(); listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port)); listener.listen(16)
    print("listening", flush=True)
    def handle(conn):
        try:
            head = read_head(conn)
            keys = [l.split(":", 1)[1].strip() for l in head.split("\r\n") if l.lower().startswith("sec-websocket-key:")]
            if not keys:   # the page that opens the WebSocket in a browser, and its last script
                last = head.split(" ")[1] == "/after-websocket.js"
                if last: closed.wait(20)
                body, kind = (b"// the WebSocket conversation ended", b"text/javascript") if last else (PAGE, b"text/html")
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: %s\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % (kind, len(body)) + body)
                raise EOFError
            key = keys[0]
            accept = base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()
            conn.sendall(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n" % accept).encode())
            conn.sendall(frame(1, b"welcome", False))
            while True:
                opcode, payload = read_frame(conn)
                if opcode == 8: conn.sendall(frame(8, payload, False)); closed.set(); break
                conn.sendall(frame(opcode, b"echo:" + payload, False))
        except EOFError:
            pass
        conn.close()
    while True:
        conn, _ = listener.accept()
        threading.Thread(target=handle, args=(conn,), daemon=True).start()

def client(host, port, cafile):
    context = ssl.create_default_context(cafile=cafile)
    raw = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock = context.wrap_socket(raw, server_hostname=host)
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(("GET /chat HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n" % (host, port, key)).encode())
    head = read_head(sock)
    status = head.split("\r\n")[0]
    expected = base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()
    print(status, "accept-ok" if expected in head else "accept-bad")
    print(read_frame(sock)[1].decode())
    for text in ["one", "two" * 30000]:
        sock.sendall(frame(1, text.encode(), True))
        opcode, payload = read_frame(sock)
        print(payload.decode()[:12], len(payload))
    sock.sendall(frame(8, b"", True))
    print("close", read_frame(sock)[0])

if sys.argv[1] == "serve": serve(int(sys.argv[2]))
else: client(sys.argv[2], int(sys.argv[3]), sys.argv[4])
"""#

    /// Sends `tick 0`, then waits (up to 30 s) for the file given as its
    /// second argument to exist before sending `tick 1` and `tick 2`: the
    /// first event can only reach the client early if nothing buffers it.
    static let serverSentEvents = #"""
import os, sys, time
from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler
class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def tick(self, i):
        d = ("data: tick %d\n\n" % i).encode(); self.wfile.write(b"%x\r\n" % len(d) + d + b"\r\n"); self.wfile.flush()
    def do_GET(self):
        self.send_response(200); self.send_header("Content-Type", "text/event-stream"); self.send_header("Transfer-Encoding", "chunked"); self.end_headers()
        self.tick(0)
        deadline = time.time() + 30
        while not os.path.exists(sys.argv[2]) and time.time() < deadline: time.sleep(0.02)
        self.tick(1); self.tick(2)
        self.wfile.write(b"0\r\n\r\n")
server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H)
print("listening", flush=True)
server.serve_forever()
"""#

    /// A chunked upload in two steps: 128 KiB, then (once the upstream's /stats
    /// counts more than HITS requests, so it is reading this one) 4 MiB more;
    /// prints the status line of the answer.
    static let twoStepChunkedUpload = #"""
import json, socket, ssl, sys, time, urllib.request
host, port, cafile, stats_url, hits = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5])
sock = ssl.create_default_context(cafile=cafile).wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=30), server_hostname=host)
sock.sendall(("POST /upload HTTP/1.1\r\nHost: %s:%d\r\nTransfer-Encoding: chunked\r\n\r\n" % (host, port)).encode())
chunk = b"x" * 65536
def send(count):
    for _ in range(count): sock.sendall(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
send(2)
deadline = time.time() + 20
while json.load(urllib.request.urlopen(stats_url))["hits"] <= hits:
    if time.time() > deadline: sys.exit("the upstream never saw the request")
    time.sleep(0.02)
try: send(64)
except OSError: pass
answer = b""
try:
    while b"\r\n" not in answer:
        data = sock.recv(65536)
        if not data: break
        answer += data
except OSError: pass
print(answer.split(b"\r\n")[0].decode())
"""#

    static func write(_ text: String, name: String) throws -> URL {
        let file = try ChildProcess.temporaryFolder("scripts").appendingPathComponent(name)
        try text.write(to: file, atomically: true, encoding: .utf8)
        return file
    }
}
