import NIOCore

/// Turns the many flushes of a connection that carries many HTTP/2 streams
/// into one per event-loop tick.
///
/// swift-nio-http2 holds a stream's flush back only while the connection
/// itself is reading; a response that arrives from another channel (the
/// agent's upstream, the relay's public client) flushes at once, and each
/// flush is a TLS record and a `write(2)`. Sixteen concurrent 13-byte answers
/// cost 32 writes that way (`bench/tunnel.sh`). Sitting between the TLS handler
/// and the HTTP/2 handler, this handler lets the first flush of a tick schedule
/// one real flush after the tick's other work, and drops the rest. A close
/// flushes what is pending first, so nothing written is lost.
final class FlushCoalescer: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = NIOAny

    private var flushScheduled = false

    func flush(context: ChannelHandlerContext) {
        guard !flushScheduled else { return }
        flushScheduled = true
        context.eventLoop.assumeIsolated().execute {
            guard self.flushScheduled else { return }
            self.flushScheduled = false
            context.flush()
        }
    }

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        if flushScheduled {
            flushScheduled = false
            context.flush()
        }
        context.close(mode: mode, promise: promise)
    }
}
