import Foundation
import Testing

/// Agent-side features end to end: an https upstream trusted through
/// Postern's CA, the inspector's JSON API, --basic-auth and --allow-cidr,
/// and the relay's --max-tunnels.
@Suite(.serialized) struct AgentFeatureTests {
    @Test func anHTTPSUpstreamIsVerifiedWithPosternsOwnCA() async throws {
        let relay = try await RelayFixture()
        let serveHome = try ChildProcess.temporaryFolder("serve")
        let servePort = try ChildProcess.freePort()
        let serve = try ChildProcess.postern(["serve", "--home", serveHome.path, "--port", "\(servePort)", "--http-port", "0",
                                              "--allowed-host", ".\(RelayFixture.domain)"])
        defer { serve.stop() }
        try await serve.waitForLine(timeout: .seconds(60)) { $0.contains("https://127.0.0.1:\(servePort)/") }
        let token = try await relay.createToken("laptop")
        let upstream = "https://127.0.0.1:\(servePort)"

        // Trusting the serve home's CA: the TLS connection to the upstream succeeds.
        let trusted = try ChildProcess.postern(["share", upstream, "--relay", "localhost:\(relay.agentPort)", "--token", token,
                                                "--relay-ca", relay.caFile.path, "--home", serveHome.path, "--subdomain", "api", "--inspect-port", "0"])
        defer { trusted.stop() }
        try await trusted.waitForLine { $0.hasPrefix("https://") }
        #expect(try await relay.curl(relay.publicURL("api", path: "/blog/")).status == 200)

        // Another home has another CA: the upstream's certificate is refused (502), unless --insecure-upstream.
        let (strict, _) = try await relay.share(upstream, token: token, subdomain: "strict", extra: ["--inspect-port", "0"])
        defer { strict.stop() }
        #expect(try await relay.curl(relay.publicURL("strict", path: "/blog/")).status == 502)
        let (insecure, _) = try await relay.share(upstream, token: token, subdomain: "loose", extra: ["--inspect-port", "0", "--insecure-upstream"])
        defer { insecure.stop() }
        #expect(try await relay.curl(relay.publicURL("loose", path: "/blog/")).status == 200)
    }

    @Test func theInspectorListsTheTunnelAndItsRequests() async throws {
        let relay = try await RelayFixture()
        let upstream = try await PythonUpstream()
        let inspectPort = try ChildProcess.freePort()
        let (agent, url) = try await relay.share(upstream.url, token: try await relay.createToken("laptop"), subdomain: "seen",
                                                 extra: ["--inspect-port", "\(inspectPort)"])
        defer { agent.stop() }
        _ = try await relay.curl(relay.publicURL("seen", path: "/first?x=1"))
        let tunnels = try await runTool(["curl", "-sS", "http://127.0.0.1:\(inspectPort)/api/tunnels"]).stdout
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(tunnels.utf8)) as? [String: Any])
        let first = try #require((parsed["tunnels"] as? [[String: Any]])?.first)
        #expect(first["public_url"] as? String == url)
        let requests = try await runTool(["curl", "-sS", "http://127.0.0.1:\(inspectPort)/api/requests"]).stdout
        #expect(requests.contains("/first?x=1"))
        #expect(requests.contains("\"status_code\":200"))
    }

    @Test func basicAuthAndAllowedNetworksGuardThePublicSide() async throws {
        let relay = try await RelayFixture()
        let upstream = try await PythonUpstream()
        let token = try await relay.createToken("laptop")
        let (guarded, _) = try await relay.share(upstream.url, token: token, subdomain: "guarded",
                                                 extra: ["--inspect-port", "0", "--basic-auth", "demo:s3cret"])
        defer { guarded.stop() }
        #expect(try await relay.curl(relay.publicURL("guarded")).status == 401)
        #expect(try await relay.curl(relay.publicURL("guarded"), ["-u", "demo:wrong"]).status == 401)
        #expect(try await relay.curl(relay.publicURL("guarded"), ["-u", "demo:s3cret"]).status == 200)

        let (fenced, _) = try await relay.share(upstream.url, token: token, subdomain: "fenced",
                                                extra: ["--inspect-port", "0", "--allow-cidr", "203.0.113.0/24"])
        defer { fenced.stop() }
        #expect(try await relay.curl(relay.publicURL("fenced")).status == 403)
        // The relay's X-Forwarded-For cannot be forged into the allowed range.
        #expect(try await relay.curl(relay.publicURL("fenced"), ["-H", "X-Forwarded-For: 203.0.113.7"]).status == 403)
        let (open, _) = try await relay.share(upstream.url, token: token, subdomain: "open",
                                              extra: ["--inspect-port", "0", "--allow-cidr", "127.0.0.0/8"])
        defer { open.stop() }
        #expect(try await relay.curl(relay.publicURL("open")).status == 200)
    }

    @Test func maxTunnelsRefusesOneTooMany() async throws {
        let relay = try await RelayFixture(arguments: ["--max-tunnels", "1"])
        let upstream = try await PythonUpstream()
        let token = try await relay.createToken("laptop")
        let (first, _) = try await relay.share(upstream.url, token: token, subdomain: "first", extra: ["--inspect-port", "0"])
        defer { first.stop() }
        let second = try ChildProcess.postern(["share", upstream.url, "--relay", "localhost:\(relay.agentPort)", "--token", token,
                                               "--relay-ca", relay.caFile.path, "--subdomain", "second", "--inspect-port", "0",
                                               "--home", try ChildProcess.temporaryFolder("agent").path])
        defer { second.stop() }
        try await second.waitForLine { $0.contains("--max-tunnels") }
        #expect(try await relay.curl(relay.publicURL("first")).status == 200)
    }
}
