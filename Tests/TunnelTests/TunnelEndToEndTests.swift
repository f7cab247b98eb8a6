import Foundation
import PosternTestSupport
import Testing

/// The built `postern relay` and `postern share` as separate processes on
/// loopback, with a Python upstream, driven by curl.
@Suite(.serialized) struct TunnelEndToEndTests {
    @Test func aRequestReachesTheUpstreamWithTheRelaysForwardedHeaders() async throws {
        let relay = try await RelayFixture()
        let upstream = try await PythonUpstream()
        let (agent, url) = try await relay.share(upstream.url, token: try await relay.createToken("laptop"), subdomain: "app")
        defer { agent.stop() }
        #expect(url == relay.publicURL("app"))
        let hello = try await relay.curl(url)
        #expect(hello.status == 200 && hello.body == "hello from upstream\n")

        let echoed = try await relay.curl(relay.publicURL("app", path: "/headers"), [
            "-H", "X-Forwarded-For: 203.0.113.9", "-H", "X-Forwarded-Proto: http",
            "-H", "X-Forwarded-Host: evil.example", "-H", "Forwarded: for=198.51.100.1",
        ])
        let headers = try #require(try JSONSerialization.jsonObject(with: Data(echoed.body.utf8)) as? [String: String])
        #expect(headers["x-forwarded-for"] == "127.0.0.1")
        #expect(headers["x-forwarded-proto"] == "https")
        #expect(headers["x-forwarded-host"] == "app.\(RelayFixture.domain):\(relay.port)")
        #expect(headers["forwarded"] == nil)
        #expect(headers["host"] == "app.\(RelayFixture.domain):\(relay.port)")
    }

    @Test func hostHeaderRewriteSendsTheUpstreamsHost() async throws {
        let relay = try await RelayFixture()
        let upstream = try await PythonUpstream()
        let (agent, _) = try await relay.share(upstream.url, token: try await relay.createToken("laptop"), subdomain: "dev", extra: ["--host-header", "rewrite"])
        defer { agent.stop() }
        let echoed = try await relay.curl(relay.publicURL("dev", path: "/headers"))
        #expect(echoed.body.contains("\"host\": \"127.0.0.1:\(upstream.port)\""))
    }

    @Test func unknownNamesAndForeignHostsGetA404AndPlainHTTPRedirects() async throws {
        let relay = try await RelayFixture()
        let unknown = try await relay.curl(relay.publicURL("nobody"))
        #expect(unknown.status == 404)
        #expect(unknown.body.contains("nobody.\(RelayFixture.domain)"))
        // Not an open proxy: another Host is answered by the relay itself.
        let foreign = try await runTool(["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "--cacert", relay.caFile.path,
                                   "-H", "Host: example.com", "https://localhost:\(relay.port)/"])
        #expect(foreign.stdout == "404")
        let redirect = try await runTool(["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code} %{redirect_url}",
                                    "-H", "Host: app.\(RelayFixture.domain)", "http://127.0.0.1:\(relay.httpPort)/x?y=1"])
        #expect(redirect.stdout == "301 https://app.\(RelayFixture.domain):\(relay.port)/x?y=1")
    }

    @Test func aKilledAgentAnswers502AndOtherTunnelsKeepWorking() async throws {
        let relay = try await RelayFixture()
        let upstream = try await PythonUpstream()
        let token = try await relay.createToken("laptop")
        let (first, _) = try await relay.share(upstream.url, token: token, subdomain: "one")
        let (second, _) = try await relay.share(upstream.url, token: token, subdomain: "two")
        defer { second.stop() }
        #expect(try await relay.curl(relay.publicURL("one")).status == 200)
        first.stop()
        try await waitFor("tunnel one answering 502") { try await relay.curl(relay.publicURL("one")).status == 502 }
        let gone = try await relay.curl(relay.publicURL("one"))
        #expect(gone.body.contains("one.\(RelayFixture.domain)"))
        #expect(try await relay.curl(relay.publicURL("two")).status == 200)
    }

    @Test func anUpstreamThatIsDownGives502() async throws {
        let relay = try await RelayFixture()
        let closedPort = try ChildProcess.freePort()
        let (agent, url) = try await relay.share("http://127.0.0.1:\(closedPort)", token: try await relay.createToken("laptop"), subdomain: "down")
        defer { agent.stop() }
        let answer = try await relay.curl(url)
        #expect(answer.status == 502)
        #expect(answer.body.contains("127.0.0.1:\(closedPort)"))
    }

    @Test func afterARelayRestartTheAgentIsBackOnTheSameURLWithinFiveSeconds() async throws {
        let relay = try await RelayFixture()
        let upstream = try await PythonUpstream()
        let (agent, url) = try await relay.share(upstream.url, token: try await relay.createToken("laptop"))
        defer { agent.stop() }
        #expect(try await relay.curl(url).status == 200)
        let onlineLines = agent.stdout.components(separatedBy: "share: online").count
        try await relay.restart()
        let clock = ContinuousClock()
        let restarted = clock.now
        try await waitFor("the agent back online", timeout: .seconds(5)) {
            agent.stdout.components(separatedBy: "share: online").count > onlineLines
        }
        #expect(clock.now - restarted < .seconds(5))
        #expect(agent.stdout.split(separator: "\n").filter { $0.hasPrefix("https://") }.allSatisfy { $0 == url })
        #expect(try await relay.curl(url).status == 200)
        #expect(agent.stdout.contains("share: connection to the relay lost"))
    }

    @Test func aTokenCannotTakeANameAnotherTokenReserved() async throws {
        let relay = try await RelayFixture()
        let upstream = try await PythonUpstream()
        let (owner, ownerURL) = try await relay.share(upstream.url, token: try await relay.createToken("alice"), subdomain: "taken")
        owner.stop()
        let (other, otherURL) = try await relay.share(upstream.url, token: try await relay.createToken("bob"), subdomain: "taken")
        defer { other.stop() }
        #expect(ownerURL == relay.publicURL("taken"))
        #expect(otherURL != ownerURL)
        #expect(other.stdout.contains("belongs to another token"))
        #expect(try await relay.curl(relay.publicURL("taken")).status == 502)
    }

    /// The public side speaks both: clients that offer HTTP/2 (browsers, curl) get it, and a
    /// page's requests share one connection; clients that offer only HTTP/1.1 (or no ALPN) get that.
    @Test func publicClientsGetHTTP2WhenTheyOfferItAndHTTP1OtherwiseWithTheSameAnswers() async throws {
        let relay = try await RelayFixture()
        let upstream = try await PythonUpstream()
        let (agent, _) = try await relay.share(upstream.url, token: try await relay.createToken("laptop"), subdomain: "page")
        defer { agent.stop() }
        let host = RelayFixture.host(of: relay.publicURL("page"))
        let transfers = (1...20).flatMap { ["-o", "/dev/null", relay.publicURL("page", path: "/bytes?n=\($0 * 1000)")] }
        let parallel = try await runTool(["curl", "-sS", "--max-time", "60", "--resolve", "\(host):\(relay.port):127.0.0.1", "--cacert", relay.caFile.path,
                                          "--parallel", "--parallel-max", "20", "-w", "%{http_version} %{http_code} %{size_download} %{num_connects}\n"] + transfers)
        let lines = parallel.stdout.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        #expect(lines.count == 20, "\(parallel.stdout) \(parallel.stderr)")
        #expect(lines.allSatisfy { $0.count == 4 && $0[0] == "2" && $0[1] == "200" })
        #expect(Set(lines.compactMap { $0.count == 4 ? Int($0[2]) : nil }) == Set((1...20).map { $0 * 1000 }))
        // All twenty went over one connection, multiplexed.
        #expect(lines.compactMap { $0.count == 4 ? Int($0[3]) : nil }.reduce(0, +) == 1, "\(parallel.stdout)")

        let http1 = try await runTool(["curl", "-sS", "--http1.1", "--resolve", "\(host):\(relay.port):127.0.0.1", "--cacert", relay.caFile.path,
                                       "-o", "/dev/null", "-w", "%{http_version} %{http_code} %{size_download}", relay.publicURL("page", path: "/bytes?n=5000")])
        #expect(http1.stdout == "1.1 200 5000", "\(http1.stderr)")
    }

    @Test(arguments: ["--http1.1", "--http2"])
    func aHundredMegabytesGoBothWaysIntact(_ httpVersion: String) async throws {
        let relay = try await RelayFixture()
        let upstream = try await PythonUpstream()
        let (agent, _) = try await relay.share(upstream.url, token: try await relay.createToken("laptop"), subdomain: "bulk")
        defer { agent.stop() }
        let size = 100_000_000
        let folder = try ChildProcess.temporaryFolder("bulk")
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("upload.bin")
        #expect(try await runTool(["sh", "-c", "head -c \(size) /dev/urandom > '\(file.path)'"]).status == 0)
        let expected = String(try await runTool(["sha256sum", file.path]).stdout.prefix(64))

        // The upstream answers with the SHA-256 of the body it received.
        let upload = try await relay.curl(relay.publicURL("bulk", path: "/upload"), [httpVersion, "--data-binary", "@\(file.path)", "-H", "Content-Type: application/octet-stream"])
        #expect(upload.status == 200 && upload.body == expected)
        let chunked = try await relay.curl(relay.publicURL("bulk", path: "/upload"), [httpVersion, "-X", "POST", "-T", file.path, "-H", "Transfer-Encoding: chunked"])
        #expect(chunked.body == expected)

        // The upstream sends byte i = i mod 256; the same pattern is hashed here without the tunnel.
        let downloaded = folder.appendingPathComponent("download.bin")
        let download = try await relay.curl(relay.publicURL("bulk", path: "/bytes?n=\(size)"), [httpVersion, "-o", downloaded.path])
        #expect(download.status == 200)
        let patternHash = try await runTool(["python3", "-c", """
            import hashlib, sys
            n = int(sys.argv[1]); block = bytes(range(256)) * 4096; digest = hashlib.sha256()
            for _ in range(n // len(block)): digest.update(block)
            digest.update(block[: n % len(block)]); print(digest.hexdigest())
            """, "\(size)"]).stdout.prefix(64)
        #expect(try await runTool(["sha256sum", downloaded.path]).stdout.prefix(64) == patternHash)
    }

    /// HTTP/1.1 pipelining: three requests (two with bodies) in one write on one
    /// connection are answered in order, the last one closing the connection.
    @Test func pipelinedRequestsAreAnsweredInOrder() async throws {
        let relay = try await RelayFixture()
        let upstream = try await PythonUpstream()
        let (agent, url) = try await relay.share(upstream.url, token: try await relay.createToken("laptop"), subdomain: "piped",
                                                 extra: ["--inspect-port", "0"])
        defer { agent.stop() }
        let client = #"""
        import socket, ssl, sys
        host, port, ca = sys.argv[1], int(sys.argv[2]), sys.argv[3]
        tls = ssl.create_default_context(cafile=ca).wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=20), server_hostname=host)
        authority = f"{host}:{port}"
        tls.sendall((f"POST /echo HTTP/1.1\r\nHost: {authority}\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\none"
                     f"GET / HTTP/1.1\r\nHost: {authority}\r\n\r\n"
                     f"POST /echo HTTP/1.1\r\nHost: {authority}\r\nContent-Type: text/plain\r\nContent-Length: 5\r\nConnection: close\r\n\r\nthree").encode())
        answer = b""
        while chunk := tls.recv(65536): answer += chunk
        print(answer.decode(errors="replace"))
        """#
        let result = try await runTool(["python3", "-c", client, RelayFixture.host(of: url), "\(relay.port)", relay.caFile.path])
        #expect(result.status == 0, "\(result.stderr)")
        let answer = result.stdout
        #expect(answer.components(separatedBy: "HTTP/1.1 200").count == 4, "\(answer)")
        let positions = ["one", "hello from upstream", "three"].map { answer.range(of: $0)?.lowerBound }
        let found = positions.compactMap { $0 }
        #expect(found.count == 3 && found == found.sorted(), "answers out of order: \(answer)")
    }

    /// An upstream that answers before it read the body (a 413 of its own, a redirect) while
    /// every buffer on the way is full and the relay and the agent hold their reads: both
    /// read on and drop the rest of the body, so the client finishes its upload, gets the
    /// answer, and the public connection serves its next request.
    @Test func anEarlyAnswerWhileTheUploadIsHeldBackLetsTheRestDrain() async throws {
        let relay = try await RelayFixture()
        let upstream = try await PythonUpstream()
        let (agent, url) = try await relay.share(upstream.url, token: try await relay.createToken("laptop"), subdomain: "early")
        defer { agent.stop() }
        let client = #"""
        import asyncio, ssl, sys
        host, port, ca, upstream = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
        size, block = 64 << 20, b"x" * (1 << 16)

        async def main():
            reader, writer = await asyncio.open_connection("127.0.0.1", port, ssl=ssl.create_default_context(cafile=ca), server_hostname=host)
            writer.write(f"POST /early HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Length: {size}\r\n\r\n".encode())
            sent = 0
            while sent < size:   # until the tunnel stops taking the body
                writer.write(block); sent += len(block)
                try: await asyncio.wait_for(writer.drain(), 2)
                except asyncio.TimeoutError: break
            print("held back after", sent >> 20, "MiB", flush=True)
            r, w = await asyncio.open_connection("127.0.0.1", upstream)
            w.write(b"GET /release HTTP/1.1\r\nHost: upstream\r\nConnection: close\r\n\r\n"); await r.read(); w.close()
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 20)
            length = int([l for l in head.decode().split("\r\n") if l.lower().startswith("content-length:")][0].split(":")[1])
            print(head.decode().split("\r\n")[0], (await asyncio.wait_for(reader.readexactly(length), 20)).decode().strip(), flush=True)
            while sent < size:
                writer.write(block); sent += len(block)
                await asyncio.wait_for(writer.drain(), 20)
            print("upload finished", flush=True)
            writer.write(f"GET / HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode())
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 20)
            print("next:", head.decode().split("\r\n")[0], flush=True)

        asyncio.run(main())
        """#
        let result = try await runTool(["python3", "-c", client, RelayFixture.host(of: url), "\(relay.port)", relay.caFile.path, "\(upstream.port)"])
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(result.status == 0, "\(result.stdout) \(result.stderr)")
        #expect(lines.first?.hasPrefix("held back after") == true && lines.first != "held back after 64 MiB", "\(lines)")
        #expect(Array(lines.dropFirst()) == ["HTTP/1.1 200 OK early answer", "upload finished", "next: HTTP/1.1 200 OK"], "\(result.stderr)")
    }

    /// Over HTTP/2 the client is told to stop instead: an answer that went out complete
    /// while the body was still coming is followed by RST_STREAM with NO_ERROR (RFC 9113
    /// § 8.1), so the client keeps the answer and stops uploading long before the end of
    /// its 64 MiB. A raw HTTP/2 client (Python's h2) shows the frames; curl 7.88 stalls
    /// on such a reset while it still has body to send.
    @Test(arguments: [true, false])
    func overHTTP2AnEarlyAnswerStopsTheUpload(declaringLength: Bool) async throws {
        guard try await runTool(["python3", "-c", "import h2"]).status == 0 else {
            print("overHTTP2AnEarlyAnswerStopsTheUpload skipped: Python's h2 is missing (pip install h2, or apt-get install python3-h2)")
            return
        }
        let relay = try await RelayFixture()
        let upstream = try await PythonUpstream()
        let (agent, url) = try await relay.share(upstream.url, token: try await relay.createToken("laptop"), subdomain: "stop")
        defer { agent.stop() }
        _ = try await runTool(["curl", "-sS", "--max-time", "10", "\(upstream.url)/release"])   // /early answers at once
        let client = #"""
        import socket, ssl, sys, time, h2.config, h2.connection, h2.events
        host, port, ca, declare = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4] == "1"
        size = 64 << 20
        context = ssl.create_default_context(cafile=ca); context.set_alpn_protocols(["h2"])
        sock = context.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=20), server_hostname=host)
        conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True)); conn.initiate_connection()
        headers = [(":method", "POST"), (":path", "/early"), (":scheme", "https"), (":authority", f"{host}:{port}")]
        conn.send_headers(1, headers + ([("content-length", str(size))] if declare else []))
        sock.sendall(conn.data_to_send())
        sent, body, status, reset, ended = 0, b"", None, None, False
        sock.settimeout(0.05)
        deadline = time.monotonic() + 20
        while reset is None and time.monotonic() < deadline:
            window = min(conn.local_flow_control_window(1), 1 << 14, size - sent)
            if window > 0:
                conn.send_data(1, b"x" * window); sent += window
                sock.sendall(conn.data_to_send())
            try: data = sock.recv(1 << 16)
            except socket.timeout: continue
            if not data: break
            for event in conn.receive_data(data):
                if isinstance(event, h2.events.ResponseReceived): status = dict(event.headers)[b":status"].decode()
                elif isinstance(event, h2.events.DataReceived):
                    body += event.data; conn.acknowledge_received_data(event.flow_controlled_length, 1)
                elif isinstance(event, h2.events.StreamEnded): ended = True
                elif isinstance(event, h2.events.StreamReset): reset = event.error_code
            sock.sendall(conn.data_to_send())
        print(status, body.decode().strip(), "ended" if ended else "not ended", f"reset {int(reset) if reset is not None else None}", sent < size // 2)
        """#
        let result = try await runTool(["timeout", "-s", "KILL", "40", "python3", "-c", client, RelayFixture.host(of: url), "\(relay.port)", relay.caFile.path,
                                        declaringLength ? "1" : "0"])
        #expect(result.stdout == "200 early answer ended reset 0 True\n", "\(result.stdout) \(result.stderr)")
    }

    /// `--idle-timeout`: a public connection without a request (HTTP/1.1: kept alive
    /// after one, or never sending one; HTTP/2: no open stream) is closed once the
    /// timeout passes, but never while an exchange is in progress.
    @Test func idlePublicConnectionsAreClosedButNotDuringAnExchange() async throws {
        let relay = try await RelayFixture(arguments: ["--idle-timeout", "1"])
        let upstream = try await PythonUpstream()
        let (agent, url) = try await relay.share(upstream.url, token: try await relay.createToken("laptop"), subdomain: "idle")
        defer { agent.stop() }
        let withH2 = try await runTool(["python3", "-c", "import h2"]).status == 0
        if !withH2 { print("idlePublicConnectionsAreClosedButNotDuringAnExchange: HTTP/2 part skipped, Python's h2 is missing (pip install h2)") }
        let client = #"""
        import socket, ssl, sys, time
        host, port, ca, upstream, with_h2 = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), sys.argv[5] == "1"

        def connect(alpn=None):
            context = ssl.create_default_context(cafile=ca)
            if alpn: context.set_alpn_protocols(alpn)
            return context.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=15), server_hostname=host)

        def closed_after(sock, start):   # seconds until the relay closes the connection
            try:
                while sock.recv(65536): pass
            except (ConnectionResetError, ssl.SSLError): pass
            return time.monotonic() - start

        def within(seconds): return "in time" if 0.8 <= seconds <= 8 else f"after {seconds:.1f} s"

        sock = connect()
        sock.sendall(f"GET / HTTP/1.1\r\nHost: nobody.{host.split('.', 1)[1]}:{port}\r\n\r\n".encode())
        answer = b""
        while b"</html>" not in answer: answer += sock.recv(65536)
        print("HTTP/1.1 kept alive after a 404:", within(closed_after(sock, time.monotonic())), flush=True)

        start = time.monotonic(); sock = connect()
        print("HTTP/1.1 without a request:", within(closed_after(sock, start)), flush=True)

        if with_h2:
            import h2.config, h2.connection, h2.events, h2.exceptions
            sock = connect(["h2"]); start = time.monotonic()
            conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True)); conn.initiate_connection()
            sock.sendall(conn.data_to_send())
            goaway_at = None; pending = b""
            try:
                while goaway_at is None and (data := sock.recv(65536)):
                    # Frame by frame: the PING that follows the GOAWAY in the same read makes h2
                    # raise (it allows nothing after GOAWAY) and drop the GOAWAY's event with it.
                    pending += data
                    while len(pending) >= 9 and len(pending) >= 9 + int.from_bytes(pending[:3], "big"):
                        size = 9 + int.from_bytes(pending[:3], "big")
                        frame, pending = pending[:size], pending[size:]
                        for event in conn.receive_data(frame):
                            if isinstance(event, h2.events.ConnectionTerminated): goaway_at = time.monotonic() - start
                        if goaway_at is not None: break
                    sock.sendall(conn.data_to_send())
            except (ConnectionResetError, BrokenPipeError, ssl.SSLError, h2.exceptions.ProtocolError): pass
            print("HTTP/2 without a stream:", f"GOAWAY {within(goaway_at)}" if goaway_at is not None else "no GOAWAY", flush=True)

        sock = connect()   # an exchange that takes longer than the timeout
        sock.sendall(f"POST /early HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Length: 1\r\n\r\nx".encode())
        time.sleep(2.5)   # the scenario itself: the answer comes later than the idle timeout
        release = socket.create_connection(("127.0.0.1", upstream))
        release.sendall(b"GET /release HTTP/1.1\r\nHost: upstream\r\nConnection: close\r\n\r\n")
        while release.recv(65536): pass
        answer = b""
        while b"early answer" not in answer:
            chunk = sock.recv(65536)
            if not chunk: break
            answer += chunk
        print("a slow exchange:", answer.split(b"\r\n")[0].decode(), "early answer" in answer.decode(), flush=True)
        """#
        let result = try await runTool(["timeout", "-s", "KILL", "60", "python3", "-c", client, RelayFixture.host(of: url), "\(relay.port)",
                                        relay.caFile.path, "\(upstream.port)", withH2 ? "1" : "0"])
        var expected = ["HTTP/1.1 kept alive after a 404: in time", "HTTP/1.1 without a request: in time"]
        if withH2 { expected.append("HTTP/2 without a stream: GOAWAY in time") }
        expected.append("a slow exchange: HTTP/1.1 200 OK True")
        #expect(result.stdout.split(separator: "\n").map(String.init) == expected, "\(result.stdout) \(result.stderr)")
    }

    @Test func metricsAreServedOnTheAdminPort() async throws {
        let relay = try await RelayFixture()
        _ = try await relay.curl(relay.publicURL("nobody"))
        let metrics = try await runTool(["curl", "-sS", "http://127.0.0.1:\(relay.adminPort)/metrics"]).stdout
        #expect(metrics.contains("postern_relay_requests_total 1"))
        #expect(metrics.contains("postern_relay_not_found_total 1"))
        #expect(metrics.contains("postern_relay_tunnels 0"))
    }

    @Test func maxStreamsAnswers503WhenATunnelIsBusy() async throws {
        let relay = try await RelayFixture(arguments: ["--max-streams", "1"])
        let upstream = try await PythonUpstream()
        let (agent, url) = try await relay.share(upstream.url, token: try await relay.createToken("laptop"), subdomain: "busy", extra: ["--inspect-port", "0"])
        defer { agent.stop() }
        let host = RelayFixture.host(of: url)
        let downloads = try (0..<3).map { _ in
            try ChildProcess(URL(fileURLWithPath: "/usr/bin/env"), ["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}\n",
                                                                    "--resolve", "\(host):\(relay.port):127.0.0.1", "--cacert", relay.caFile.path,
                                                                    relay.publicURL("busy", path: "/bytes?n=30000000")])
        }
        for download in downloads { try await download.waitForLine(timeout: .seconds(60)) { !$0.isEmpty } }
        let statuses = downloads.map { $0.stdout.trimmingCharacters(in: .whitespacesAndNewlines) }.sorted()
        #expect(statuses.contains("200"))
        #expect(statuses.contains("503"))
    }

    @Test func theRateLimitAnswers429() async throws {
        let relay = try await RelayFixture(arguments: ["--rate-limit", "5"])
        let upstream = try await PythonUpstream()
        let (agent, _) = try await relay.share(upstream.url, token: try await relay.createToken("laptop"), subdomain: "limited")
        defer { agent.stop() }
        // 30 requests on one kept-alive connection: far faster than 5 a second, however busy the machine.
        let url = relay.publicURL("limited")
        let run = try await CurlRequestRun.run(url, count: 30, options: [
            "--resolve", "\(RelayFixture.host(of: url)):\(relay.port):127.0.0.1", "--cacert", relay.caFile.path,
        ])
        let statuses = run.answers.map(\.status)
        #expect(statuses.count == 30, "\(run.stderr)")
        #expect(statuses.contains("200"))
        #expect(statuses.contains("429"))
    }

    /// 300 tunnelled requests over one public HTTP/2 connection: with the end of each answer
    /// in an empty DATA frame, curl reset every stream and the 201st request failed.
    @Test func threeHundredRequestsShareOneHTTP2Connection() async throws {
        let relay = try await RelayFixture(arguments: ["--rate-limit", "0"])
        let upstream = try await PythonUpstream()
        let (agent, _) = try await relay.share(upstream.url, token: try await relay.createToken("laptop"), subdomain: "many")
        defer { agent.stop() }
        let url = relay.publicURL("many")
        let run = try await CurlRequestRun.run(url, count: 300, options: [
            "--http2", "--resolve", "\(RelayFixture.host(of: url)):\(relay.port):127.0.0.1", "--cacert", relay.caFile.path,
        ])
        #expect(run.answers.count == 300)
        #expect(run.allAnswered("200", overHTTP: "2"), "\(run.stderr)")
    }

    /// Every public client that leaves mid-answer is a reset stream on the link; with
    /// swift-nio-http2's per-client defaults there, 200 of them made the agent end the
    /// link with GOAWAY while both ends kept it open, and the tunnel stopped answering.
    @Test func publicClientsAbortingDownloadsDoNotWedgeTheTunnel() async throws {
        let relay = try await RelayFixture(arguments: ["--rate-limit", "0"])
        let upstream = try await PythonUpstream()
        let (agent, url) = try await relay.share(upstream.url, token: try await relay.createToken("laptop"), subdomain: "aborted")
        defer { agent.stop() }
        let script = #"""
        import socket, ssl, sys, threading, time
        port, host, ca, count = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
        context = ssl.create_default_context(cafile=ca)
        deadline = time.time() + 90
        done = []
        def client(n):
            for _ in range(n):
                if time.time() > deadline: return
                with context.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=10), server_hostname=host) as s:
                    s.sendall(b"GET /bytes?n=50000000 HTTP/1.1\r\nHost: " + host.encode() + b"\r\n\r\n")
                    if s.recv(1): done.append(1)
        threads = [threading.Thread(target=client, args=(count // 4,)) for _ in range(4)]
        for t in threads: t.start()
        for t in threads: t.join()
        print(len(done))
        """#
        let host = RelayFixture.host(of: url)
        let aborted = try await runTool(["python3", "-c", script, "\(relay.port)", host, relay.caFile.path, "600"])
        #expect(aborted.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "600", "\(aborted.stderr)")
        let after = try await relay.curlEach([url, url, url], ["--max-time", "10"])
        #expect(after.map(\.status) == [200, 200, 200])
    }

    @Test func byDefaultOneAddressCannotFloodTheRelay() async throws {
        let relay = try await RelayFixture()   // no limit flags: the defaults
        // 1,000 requests on one kept-alive connection for a name without an agent (404s until the
        // limit): a second's worth (200) passes, then 429s, unless the machine is slower than 2 ms a request.
        let url = relay.publicURL("nobody-here")
        let run = try await CurlRequestRun.run(url, count: 1_000, options: [
            "--resolve", "\(RelayFixture.host(of: url)):\(relay.port):127.0.0.1", "--cacert", relay.caFile.path,
        ])
        let statuses = run.answers.map(\.status)
        #expect(statuses.count == 1_000, "\(run.stderr)")
        #expect(statuses.prefix(150).allSatisfy { $0 == "404" })
        #expect(statuses.contains("429"))
    }
}
