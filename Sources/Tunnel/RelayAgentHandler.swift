import NIOCore
import NIOHTTP2

/// The relay's end of a new agent connection: reads the agent's hello line,
/// checks the token, assigns the name, answers, then turns the connection into
/// HTTP/2 with the relay as client and registers it under the name.
final class RelayAgentHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    struct Settings: Sendable {
        var store: TokenStore
        var registry: TunnelRegistry
        var metrics: RelayMetrics
        var domain: String
        var publicPort: Int
        var maxTunnels: Int
        var log: @Sendable (String) -> Void
    }

    private let settings: Settings
    private var buffer: ByteBuffer?
    private var done = false
    private var timeout: Scheduled<Void>?

    init(settings: Settings) {
        self.settings = settings
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let channel = context.channel
        timeout = context.eventLoop.scheduleTask(in: .seconds(10)) { channel.close(promise: nil) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        guard !done else { return }
        if buffer == nil { buffer = incoming } else { buffer!.writeBuffer(&incoming) }
        guard var pending = buffer else { return }
        guard let line = TunnelHandshake.takeLine(&pending) else {
            if pending.readableBytes > TunnelHandshake.maximumLineLength { context.close(promise: nil) }
            buffer = pending
            return
        }
        done = true
        buffer = nil
        timeout?.cancel()
        guard let hello = TunnelHandshake.parseHello(line) else {
            refuse(context: context, reason: "bad", message: "This port speaks the postern tunnel protocol; use `postern share --relay HOST:PORT`.")
            return
        }
        accept(hello, context: context)
    }

    private func accept(_ hello: TunnelHandshake.Hello, context: ChannelHandlerContext) {
        let name: String
        let tokenID: Int64
        do {
            guard let id = try settings.store.authenticate(hello.token) else {
                refuse(context: context, reason: "token", message: TunnelError.badToken().description)
                return
            }
            tokenID = id
            if settings.maxTunnels > 0 {
                let requested = hello.name?.lowercased() ?? ""
                if settings.registry.count(tokenID: id, excluding: requested) >= settings.maxTunnels {
                    refuse(context: context, reason: "limit", message: "This token already has \(settings.maxTunnels) tunnels open, the relay's --max-tunnels; stop one first.")
                    return
                }
            }
            name = try settings.store.assignName(tokenID: id, requested: hello.name)
        } catch {
            refuse(context: context, reason: "bad", message: "\(error)")
            return
        }
        let port = settings.publicPort == 443 ? "" : ":\(settings.publicPort)"
        let url = "https://\(name).\(settings.domain)\(port)/"
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: TunnelHandshake.line(.accepted(name: name, url: url)))), promise: nil)
        do {
            try context.pipeline.syncOperations.addHandler(OutboundCoalescer(defersFlushes: true))
            let multiplexer = try context.pipeline.syncOperations.configureHTTP2Pipeline(
                mode: .client,
                connectionConfiguration: TunnelHandshake.linkConnectionConfiguration(maxConcurrentStreams: 1),
                streamConfiguration: TunnelHandshake.linkStreamConfiguration,
                inboundStreamInitializer: { stream in stream.close() }
            )
            try context.pipeline.syncOperations.addHandler(GoAwayCloser())
            try Keepalive.addWatch(to: context.pipeline.syncOperations, after: self)
            Keepalive.startPinging(context.channel)
            // Without a session id the connection is a set of its own (and replaces the tunnel's links).
            let session = hello.session ?? "solo-\(UInt64.random(in: .min ... .max))"
            let (link, replaced, joined) = settings.registry.register(name: name, tokenID: tokenID, session: session,
                                                              channel: context.channel, multiplexer: multiplexer)
            for old in replaced { old.channel.close(promise: nil) }
            settings.metrics.count(.agentConnections)
            let registry = settings.registry
            let log = settings.log
            // An agent's further links (same session) join quietly; the tunnel's state changes are logged.
            if !joined { log("relay: tunnel \(url) connected from \(context.channel.remoteAddress?.description ?? "?")") }
            context.channel.closeFuture.whenComplete { _ in
                registry.remove(link)
                if registry.link(for: name) == nil { log("relay: tunnel \(url) disconnected") }
            }
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        } catch {
            context.close(promise: nil)
        }
    }

    private func refuse(context: ChannelHandlerContext, reason: String, message: String) {
        settings.metrics.count(.agentRefused)
        settings.log("relay: refused an agent from \(context.channel.remoteAddress?.description ?? "?"): \(message)")
        let line = TunnelHandshake.line(.refused(reason: reason, message: message))
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: line))).whenComplete { _ in
            channel.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}
