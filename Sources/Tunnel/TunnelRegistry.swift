import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOHTTP2

/// One connected agent on the relay: its TLS connection, the HTTP/2
/// multiplexer the relay opens streams with, and its stream count.
final class AgentLink: Sendable {
    let name: String
    let tokenID: Int64
    let channel: Channel
    let multiplexer: NIOHTTP2Handler.StreamMultiplexer
    private let streams = NIOLockedValueBox(0)

    init(name: String, tokenID: Int64, channel: Channel, multiplexer: NIOHTTP2Handler.StreamMultiplexer) {
        self.name = name
        self.tokenID = tokenID
        self.channel = channel
        self.multiplexer = multiplexer
    }

    var activeStreams: Int { streams.withLockedValue { $0 } }

    /// Counts a stream in, unless `limit` (> 0) streams are open already.
    func acquireStream(limit: Int) -> Bool {
        streams.withLockedValue { count in
            if limit > 0 && count >= limit { return false }
            count += 1
            return true
        }
    }

    func releaseStream() { streams.withLockedValue { $0 -= 1 } }

    /// Opens one HTTP/2 stream to the agent carrying one forwarded request.
    /// The stream is made on the connection's loop, as swift-nio-http2 requires.
    func openStream(sink: ResponseSink) -> EventLoopFuture<PartnerHandle> {
        let loop = channel.eventLoop
        let multiplexer = self.multiplexer
        return loop.flatSubmit {
            let forwarder = NIOLoopBound(ResponseForwarder(sink: sink, afterResponse: .nothing), eventLoop: loop)
            return multiplexer.createStreamChannel { stream in
                stream.eventLoop.makeCompletedFuture {
                    try stream.pipeline.syncOperations.addHandlers([
                        HTTP2FramePayloadToHTTP1ClientCodec(httpProtocol: .https),
                        forwarder.value,
                    ])
                }
            }.map { stream in
                stream.closeFuture.whenComplete { _ in self.releaseStream() }
                return PartnerHandle(channel: stream, forwarder: forwarder)
            }.flatMapErrorThrowing { error in
                self.releaseStream()
                throw error
            }
        }
    }
}

/// The agents connected right now, by tunnel name. The newest connection for a
/// name wins (an agent that reconnects before the relay noticed the old
/// connection died must not be locked out of its own name).
final class TunnelRegistry: Sendable {
    private let links = NIOLockedValueBox([String: AgentLink]())

    func link(for name: String) -> AgentLink? {
        links.withLockedValue { $0[name] }
    }

    /// Live tunnels of a token, except one for `name` (which a reconnect replaces).
    func count(tokenID: Int64, excluding name: String) -> Int {
        links.withLockedValue { $0.values.filter { $0.tokenID == tokenID && $0.name != name }.count }
    }

    var all: [AgentLink] { links.withLockedValue { Array($0.values) } }

    /// Registers `link`, returning the connection it replaces (to be closed).
    func register(_ link: AgentLink) -> AgentLink? {
        links.withLockedValue { links in
            let old = links[link.name]
            links[link.name] = link
            return old
        }
    }

    /// Removes `link` if it is still the one registered for its name.
    func remove(_ link: AgentLink) {
        links.withLockedValue { links in
            if links[link.name] === link { links[link.name] = nil }
        }
    }
}
