import NIOCore
import NIOHTTP2

/// Keeps an agent connection honest when the network drops silently (no FIN,
/// no RST): the relay sends an HTTP/2 PING every ``interval`` — the agent's
/// HTTP/2 handler answers it by itself — and each end closes the connection
/// when nothing arrived for ``timeout``. The agent then reconnects.
enum Keepalive {
    static let interval = TimeAmount.seconds(10)
    static let timeout = TimeAmount.seconds(35)

    /// Adds the read-timeout watch (an idle handler and its closer) right after `handler`.
    static func addWatch(to pipeline: ChannelPipeline.SynchronousOperations, after handler: ChannelHandler) throws {
        let closer = IdleCloser()
        try pipeline.addHandler(closer, position: .after(handler))
        try pipeline.addHandler(IdleStateHandler(readTimeout: timeout), position: .after(handler))
    }

    /// Sends PINGs on `channel` until it closes (relay side).
    static func startPinging(_ channel: Channel) {
        let task = channel.eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { _ in
            channel.writeAndFlush(HTTP2Frame(streamID: .rootStream, payload: .ping(HTTP2PingData(withInteger: 1), ack: false)), promise: nil)
        }
        channel.closeFuture.whenComplete { _ in task.cancel() }
    }
}

/// Closes the channel when an ``IdleStateHandler`` reports a read timeout.
final class IdleCloser: ChannelInboundHandler {
    typealias InboundIn = NIOAny

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? IdleStateHandler.IdleStateEvent, event == .read {
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }
}

/// Closes an agent link once the other end said GOAWAY. swift-nio-http2 sends
/// GOAWAY when it gives up on a connection (a connection error, its abuse
/// guards) but leaves the connection open: the relay kept routing requests to a
/// link that took no new streams, and the agent, its connection still up, never
/// reconnected. Closed, the relay drops the link and the agent dials again.
final class GoAwayCloser: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTP2Frame
    typealias InboundOut = HTTP2Frame

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .goAway = unwrapInboundIn(data).payload {
            context.close(promise: nil)
            return
        }
        context.fireChannelRead(data)
    }
}
