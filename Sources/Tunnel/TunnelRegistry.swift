import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOHTTP2

/// One TLS connection of a connected agent on the relay, and the HTTP/2
/// multiplexer the relay opens streams with. An agent opens one such link per
/// event loop of its own; the links of one tunnel share a ``StreamCount``.
final class AgentLink: Sendable {
    let name: String
    let tokenID: Int64
    let channel: Channel
    let multiplexer: NIOHTTP2Handler.StreamMultiplexer
    let streams: StreamCount

    init(name: String, tokenID: Int64, channel: Channel, multiplexer: NIOHTTP2Handler.StreamMultiplexer, streams: StreamCount) {
        self.name = name
        self.tokenID = tokenID
        self.channel = channel
        self.multiplexer = multiplexer
        self.streams = streams
    }

    /// Opens one HTTP/2 stream to the agent carrying one forwarded request.
    /// The stream is made on the connection's loop, as swift-nio-http2 requires
    /// (at once when the caller is on it already).
    func openStream(sink: ResponseSink) -> EventLoopFuture<PartnerHandle> {
        let loop = channel.eventLoop
        guard loop.inEventLoop else { return loop.flatSubmit { self.openStream(sink: sink) } }
        let forwarder = NIOLoopBound(ResponseForwarder(sink: sink, afterResponse: .nothing), eventLoop: loop)
        let streams = self.streams
        return multiplexer.createStreamChannel { stream in
            stream.eventLoop.makeCompletedFuture {
                try stream.pipeline.syncOperations.addHandlers([
                    HTTP2FramePayloadToHTTP1ClientCodec(httpProtocol: .https),
                    forwarder.value,
                ])
            }
        }.map { stream in
            stream.closeFuture.whenComplete { _ in streams.release() }
            return PartnerHandle(channel: stream, forwarder: forwarder)
        }.flatMapErrorThrowing { error in
            streams.release()
            throw error
        }
    }
}

/// The requests a tunnel carries at once, over all its links (`--max-streams`).
final class StreamCount: Sendable {
    private let count = NIOLockedValueBox(0)

    var active: Int { count.withLockedValue { $0 } }

    /// Counts a stream in, unless `limit` (> 0) streams are open already.
    func acquire(limit: Int) -> Bool {
        count.withLockedValue { count in
            if limit > 0 && count >= limit { return false }
            count += 1
            return true
        }
    }

    func release() { count.withLockedValue { $0 -= 1 } }
}

/// The agents connected right now, by tunnel name.
///
/// An agent connects with a session id and opens one link per event loop
/// under it; links of the same session add up. A link with another session
/// replaces the tunnel's links (an agent that reconnects before the relay
/// noticed its old connections died must not be locked out of its own name).
final class TunnelRegistry: Sendable {
    private struct Tunnel {
        var session: String
        var tokenID: Int64
        var links: [AgentLink]
        let streams: StreamCount
    }

    private let tunnels = NIOLockedValueBox([String: Tunnel]())

    /// A link of the tunnel `name`: the one on `loop` if there is one (the
    /// request then never leaves its thread), else any.
    func link(for name: String, on loop: EventLoop? = nil) -> AgentLink? {
        tunnels.withLockedValue { tunnels in
            guard let links = tunnels[name]?.links else { return nil }
            if let loop, let local = links.first(where: { $0.channel.eventLoop === loop }) { return local }
            return links.first
        }
    }

    /// Live tunnels of a token, except one for `name` (which a reconnect replaces).
    func count(tokenID: Int64, excluding name: String) -> Int {
        tunnels.withLockedValue { $0.filter { $0.value.tokenID == tokenID && $0.key != name }.count }
    }

    /// Every link of every tunnel.
    var all: [AgentLink] { tunnels.withLockedValue { $0.values.flatMap(\.links) } }

    /// The tunnels and their active streams, by name.
    var streamCounts: [(name: String, active: Int)] {
        tunnels.withLockedValue { $0.map { (name: $0.key, active: $0.value.streams.active) } }
    }

    /// Adds a link for `name`, returning it, the links it replaces (to be
    /// closed), and whether it joined the tunnel's current session.
    func register(name: String, tokenID: Int64, session: String, channel: Channel,
                  multiplexer: NIOHTTP2Handler.StreamMultiplexer) -> (link: AgentLink, replaced: [AgentLink], joined: Bool) {
        tunnels.withLockedValue { tunnels in
            if var tunnel = tunnels[name], tunnel.session == session, tunnel.tokenID == tokenID {
                let link = AgentLink(name: name, tokenID: tokenID, channel: channel, multiplexer: multiplexer, streams: tunnel.streams)
                tunnel.links.append(link)
                tunnels[name] = tunnel
                return (link, [], true)
            }
            let replaced = tunnels[name]?.links ?? []
            let streams = StreamCount()
            let link = AgentLink(name: name, tokenID: tokenID, channel: channel, multiplexer: multiplexer, streams: streams)
            tunnels[name] = Tunnel(session: session, tokenID: tokenID, links: [link], streams: streams)
            return (link, replaced, false)
        }
    }

    /// Removes `link` if it is still registered; the tunnel goes with its last link.
    func remove(_ link: AgentLink) {
        tunnels.withLockedValue { tunnels in
            guard var tunnel = tunnels[link.name] else { return }
            tunnel.links.removeAll { $0 === link }
            tunnels[link.name] = tunnel.links.isEmpty ? nil : tunnel
        }
    }
}
