import Foundation
import Testing

/// The relay's `--max-body`: a declared body past it is refused before the
/// agent is asked; a chunked body that grows past it is cut, and the upstream
/// sees the request break off, never a short request that looks complete.
@Suite(.serialized) struct MaxBodyTests {
    @Test func aDeclaredBodyPastTheLimitGets413WithoutReachingTheAgent() async throws {
        let relay = try await RelayFixture(arguments: ["--max-body", "1000"])
        let upstream = try await PythonUpstream()
        let (agent, _) = try await relay.share(upstream.url, token: try await relay.createToken("laptop"), subdomain: "capped", extra: ["--inspect-port", "0"])
        defer { agent.stop() }
        let url = relay.publicURL("capped", path: "/upload")

        let small = try await relay.curl(url, ["--data-binary", String(repeating: "a", count: 5_000)])
        #expect(small.status == 413 && small.body.contains("--max-body"))
        let folder = try ChildProcess.temporaryFolder("max-body")
        let file = folder.appendingPathComponent("big.bin")
        try Data(repeating: 7, count: 2_000_000).write(to: file)
        #expect(try await relay.curl(url, ["--data-binary", "@\(file.path)"]).status == 413)
        #expect(try await upstream.stats().hits == 0)

        let fits = String(repeating: "b", count: 1_000)
        let accepted = try await relay.curl(url, ["--data-binary", fits])
        #expect(accepted.status == 200)
        #expect(accepted.body == (try await runTool(["sha256sum"], input: Data(fits.utf8)).stdout.prefix(64)).description)
        let metrics = try await runTool(["curl", "-sS", "http://127.0.0.1:\(relay.adminPort)/metrics"]).stdout
        #expect(metrics.contains("postern_relay_too_large_total 2"))
        #expect(metrics.contains("postern_relay_forwarded_total 1"))
    }

    @Test func aChunkedBodyGrowingPastTheLimitIsCutAndTheUpstreamSeesItAborted() async throws {
        let relay = try await RelayFixture(arguments: ["--max-body", "1000000"])
        let upstream = try await PythonUpstream()
        let (agent, url) = try await relay.share(upstream.url, token: try await relay.createToken("laptop"), subdomain: "chunks", extra: ["--inspect-port", "0"])
        defer { agent.stop() }

        // The upstream is reading the upload when it grows past the limit: the client gets 413, the upload breaks off.
        let script = try StreamingScripts.write(StreamingScripts.twoStepChunkedUpload, name: "upload.py")
        let client = try await runTool(["timeout", "60", "python3", script.path, RelayFixture.host(of: url), "\(relay.port)", relay.caFile.path,
                                  "\(upstream.url)/stats", "\(try await upstream.stats().hits)"])
        #expect(client.stdout.hasPrefix("HTTP/1.1 413"), "\(client.stdout) \(client.stderr)")
        try await waitFor("the upstream seeing the upload break off") { try await upstream.stats().aborted == 1 }
        #expect(try await upstream.stats().uploads == 0)

        // The same with curl streaming as fast as it can.
        let folder = try ChildProcess.temporaryFolder("max-body")
        let big = folder.appendingPathComponent("big.bin"), small = folder.appendingPathComponent("small.bin")
        try Data(repeating: 1, count: 4_000_000).write(to: big)
        try Data(repeating: 2, count: 500_000).write(to: small)
        let chunked = ["-X", "POST", "-H", "Transfer-Encoding: chunked", "-H", "Expect:"]
        let cut = try await relay.curl(relay.publicURL("chunks", path: "/upload"), chunked + ["-T", big.path])
        #expect(cut.status == 413 && cut.body.contains("--max-body"))
        #expect(try await upstream.stats().uploads == 0)

        let whole = try await relay.curl(relay.publicURL("chunks", path: "/upload"), chunked + ["-T", small.path])
        #expect(whole.status == 200)
        #expect(whole.body == String(try await runTool(["sha256sum", small.path]).stdout.prefix(64)))
        #expect(try await upstream.stats().uploads == 1)
    }
}
