import NIOCore
import NIOHTTP1
import NIOHTTP2

/// The agent's end of a new relay connection: sends the hello line, reads the
/// answer, and on `OK` turns the connection into HTTP/2 with the agent as the
/// server, each inbound stream forwarded by a ``RequestForwarder``.
final class AgentHandshakeHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// What the relay said: the name and public URL it assigned.
    struct Accepted: Sendable {
        let name: String
        let url: String
    }

    private let hello: TunnelHandshake.Hello
    private let route: AgentRoute
    private let promise: EventLoopPromise<Accepted>
    private var buffer: ByteBuffer?
    private var answered = false

    init(hello: TunnelHandshake.Hello, route: AgentRoute, promise: EventLoopPromise<Accepted>) {
        self.hello = hello
        self.route = route
        self.promise = promise
    }

    func channelActive(context: ChannelHandlerContext) {
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: TunnelHandshake.line(hello))), promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        guard !answered else { return }
        if buffer == nil { buffer = incoming } else { buffer!.writeBuffer(&incoming) }
        guard var pending = buffer else { return }
        guard let line = TunnelHandshake.takeLine(&pending) else {
            if pending.readableBytes > TunnelHandshake.maximumLineLength { fail(context: context, TunnelError.handshake("The relay's answer is too long; is --relay the relay's agent port?")) }
            buffer = pending
            return
        }
        answered = true
        buffer = nil
        switch TunnelHandshake.parseAnswer(line) {
        case .accepted(let name, let url):
            do {
                let route = self.route
                try context.pipeline.syncOperations.addHandler(OutboundCoalescer(defersFlushes: true))
                _ = try context.pipeline.syncOperations.configureHTTP2Pipeline(
                    mode: .server,
                    connectionConfiguration: TunnelHandshake.linkConnectionConfiguration(maxConcurrentStreams: 1000),
                    streamConfiguration: TunnelHandshake.linkStreamConfiguration,
                    inboundStreamInitializer: { stream in
                        stream.eventLoop.makeCompletedFuture {
                            try HTTP2RequestStopper.configure(stream.pipeline.syncOperations, route: route)
                        }
                    }
                )
                try context.pipeline.syncOperations.addHandler(GoAwayCloser())
                try Keepalive.addWatch(to: context.pipeline.syncOperations, after: self)
                promise.succeed(Accepted(name: name, url: url))
                if pending.readableBytes > 0 { context.fireChannelRead(wrapInboundOut(pending)) }
                context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
            } catch {
                fail(context: context, error)
            }
        case .refused(let reason, let message):
            fail(context: context, reason == "token" ? TunnelError.badToken() : TunnelError.handshake("The relay refused the tunnel: \(message)"))
        case nil:
            fail(context: context, TunnelError.handshake("The relay answered something else than the postern tunnel protocol; is --relay the relay's agent port?"))
        }
    }

    typealias InboundOut = ByteBuffer

    private func fail(context: ChannelHandlerContext, _ error: Error) {
        answered = true
        promise.fail(error)
        context.close(promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        if !answered { fail(context: context, error) } else { context.close(promise: nil) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !answered {
            answered = true
            promise.fail(TunnelError.handshake("The relay closed the connection before answering; check --relay and --relay-ca."))
        }
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        if !answered { promise.fail(TunnelError.handshake("The connection to the relay ended during the handshake.")) }
    }
}
