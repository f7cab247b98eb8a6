import Foundation
import NIOCore
import NIOEmbedded
import NIOHTTP2
import Testing
@testable import Tunnel

/// An agent's several connections (one per event loop) form one tunnel on
/// the relay: they join under the agent's session, a new session replaces
/// them, and a request prefers the link on its own event loop.
@Suite struct AgentLinksTests {
    private func link(_ registry: TunnelRegistry, name: String = "app", token: Int64 = 1, session: String)
        throws -> (channel: EmbeddedChannel, link: AgentLink, replaced: [AgentLink], joined: Bool) {
        let channel = EmbeddedChannel()
        let multiplexer = try channel.pipeline.syncOperations.configureHTTP2Pipeline(
            mode: .client, connectionConfiguration: .init(), streamConfiguration: .init(),
            inboundStreamInitializer: { $0.close() })
        let (link, replaced, joined) = registry.register(name: name, tokenID: token, session: session, channel: channel, multiplexer: multiplexer)
        return (channel, link, replaced, joined)
    }

    @Test func linksOfOneSessionAddUpAndANewSessionReplacesThem() throws {
        let registry = TunnelRegistry()
        let first = try link(registry, session: "s1")
        let second = try link(registry, session: "s1")
        #expect(!first.joined && first.replaced.isEmpty)
        #expect(second.joined && second.replaced.isEmpty)
        #expect(registry.all.count == 2)
        #expect(registry.streamCounts.count == 1)
        // The stream limit is the tunnel's, over all its links.
        #expect(first.link.streams === second.link.streams)
        #expect(first.link.streams.acquire(limit: 2) && second.link.streams.acquire(limit: 2))
        #expect(!first.link.streams.acquire(limit: 2))

        // Each caller gets the link on its own loop when there is one.
        #expect(registry.link(for: "app", on: second.channel.eventLoop) === second.link)
        #expect(registry.link(for: "app", on: first.channel.eventLoop) === first.link)
        #expect(registry.link(for: "app", on: EmbeddedEventLoop()) != nil)

        // A reconnect (new session) takes over; the old links are handed back to be closed.
        let reconnect = try link(registry, session: "s2")
        #expect(!reconnect.joined)
        #expect(Set(reconnect.replaced.map(ObjectIdentifier.init)) == Set([first.link, second.link].map(ObjectIdentifier.init)))
        #expect(registry.all.count == 1)
        // A replaced link going away later does not take the new one with it.
        registry.remove(first.link)
        #expect(registry.link(for: "app") === reconnect.link)
        registry.remove(reconnect.link)
        #expect(registry.link(for: "app") == nil)
        #expect(registry.streamCounts.isEmpty)
    }

    @Test func anotherTokenCannotJoinASessionByItsId() throws {
        let registry = TunnelRegistry()
        let owner = try link(registry, token: 1, session: "shared")
        let intruder = try link(registry, token: 2, session: "shared")
        #expect(!intruder.joined)
        #expect(intruder.replaced.first === owner.link)
    }

    @Test func theHelloCarriesTheSession() {
        let hello = TunnelHandshake.Hello(token: "pt_x", name: "app", session: TunnelHandshake.newSession())
        #expect(TunnelHandshake.parseHello(String(TunnelHandshake.line(hello).dropLast())) == hello)
        #expect(TunnelHandshake.newSession() != TunnelHandshake.newSession())
    }
}

/// The built binaries: `postern share` opens one connection per core (up to
/// four) and a burst of parallel requests is served over them.
@Suite(.serialized) struct AgentLinksEndToEndTests {
    @Test func anAgentOpensOneLinkPerCoreAndServesABurstOverThem() async throws {
        let relay = try await RelayFixture()
        let upstream = try await PythonUpstream()
        let (agent, url) = try await relay.share(upstream.url, token: try await relay.createToken("laptop"), subdomain: "wide",
                                                 extra: ["--inspect-port", "0"])
        let expectedLinks = min(ProcessInfo.processInfo.activeProcessorCount, ShareAgent.maximumLinks)
        let metrics = { try await runTool(["curl", "-sS", "http://127.0.0.1:\(relay.adminPort)/metrics"]).stdout }
        try await waitFor("\(expectedLinks) agent links") { try await metrics().contains("postern_relay_agent_links \(expectedLinks)\n") }
        #expect(try await metrics().contains("postern_relay_tunnels 1\n"))

        let host = RelayFixture.host(of: url)
        var arguments = ["curl", "-sS", "-Z", "--parallel-max", "16", "--resolve", "\(host):\(relay.port):127.0.0.1",
                         "--cacert", relay.caFile.path, "-w", "%{http_code}\\n"]
        for _ in 0..<48 { arguments += [url, "-o", "/dev/null"] }
        let burst = try await runTool(arguments)
        #expect(burst.status == 0)
        let statuses = burst.stdout.split(separator: "\n")
        #expect(statuses.count == 48 && statuses.allSatisfy { $0 == "200" })
        try await waitFor("no stream left open") { try await metrics().contains("postern_relay_active_streams{tunnel=\"wide\"} 0\n") }

        agent.stop()
        try await waitFor("every link gone") { try await metrics().contains("postern_relay_agent_links 0\n") }
        #expect(try await metrics().contains("postern_relay_tunnels 0\n"))
    }
}
