import NIOCore
import NIOHTTP2

/// Asks an HTTP/2 client to stop sending a request body nobody will read.
///
/// When an answer went out complete while its request is still coming (the
/// upstream answered before reading the body, or the body was refused), the
/// ``RequestForwarder`` above sends ``StopRequest`` down its stream, and this
/// handler, below the HTTP/1 codec, writes RST_STREAM with NO_ERROR: the client
/// keeps the answer and stops uploading (RFC 9113 § 8.1), where it would
/// otherwise send the rest of the body for the relay to drop.
final class HTTP2RequestStopper: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = HTTP2Frame.FramePayload
    typealias OutboundOut = HTTP2Frame.FramePayload

    /// The outbound user event that resets the stream.
    struct StopRequest: Sendable {}

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        guard event is StopRequest else { return context.triggerUserOutboundEvent(event, promise: promise) }
        context.writeAndFlush(wrapOutboundOut(.rstStream(.noError)), promise: promise)
    }

    /// The handlers of an HTTP/2 stream that carries one request for a ``RequestForwarder``
    /// (a public stream on the relay, a link stream on the agent).
    static func configure(_ pipeline: ChannelPipeline.SynchronousOperations, route: ForwardingRoute) throws {
        try pipeline.addHandlers([EndStreamCoalescer(), HTTP2RequestStopper(), HTTP2FramePayloadToHTTP1ServerCodec(), RequestForwarder(route: route)])
    }
}
