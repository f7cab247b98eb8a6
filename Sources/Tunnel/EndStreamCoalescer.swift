import NIOCore
import NIOHTTP2

/// Sends the last DATA frame of an HTTP/2 message with END_STREAM set, instead
/// of following it with an empty DATA frame that carries only the flag.
///
/// NIO's HTTP/1 ↔ HTTP/2 codecs write a message's end as that empty frame.
/// curl (nghttp2), once it has a response's Content-Length bytes, finishes the
/// transfer before that frame arrives and resets the stream (RST_STREAM); after
/// 200 resets in 30 s swift-nio-http2's rapid-reset guard (CVE-2023-44487)
/// answers GOAWAY ENHANCE_YOUR_CALM, and the 201st request on the connection
/// fails. With the flag on the last DATA frame the stream ends with the body,
/// nothing is reset, and each message takes one frame less.
///
/// It holds a DATA frame without END_STREAM until the next write or flush: a
/// message's body, end and flush come in one go, so nothing waits, and a
/// streamed body (server-sent events) still goes out at each flush.
public final class EndStreamCoalescer: ChannelOutboundHandler, RemovableChannelHandler {
    public typealias OutboundIn = HTTP2Frame.FramePayload
    public typealias OutboundOut = HTTP2Frame.FramePayload

    private var held: (data: HTTP2Frame.FramePayload.Data, promise: EventLoopPromise<Void>?)?

    public init() {}

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard case .data(let frame) = unwrapOutboundIn(data) else {
            release(context)
            return context.write(data, promise: promise)
        }
        if let held, frame.endStream, frame.paddingBytes == nil, case .byteBuffer(let bytes) = frame.data, bytes.readableBytes == 0 {
            self.held = nil
            var last = held.data
            last.endStream = true
            if let promise, let heldPromise = held.promise { promise.futureResult.cascade(to: heldPromise) }
            return context.write(wrapOutboundOut(.data(last)), promise: promise ?? held.promise)
        }
        release(context)
        if frame.endStream { return context.write(data, promise: promise) }
        held = (frame, promise)
    }

    public func flush(context: ChannelHandlerContext) {
        release(context)
        context.flush()
    }

    public func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        release(context)
        context.close(mode: mode, promise: promise)
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        held?.promise?.fail(ChannelError.ioOnClosedChannel)
        held = nil
    }

    private func release(_ context: ChannelHandlerContext) {
        guard let held else { return }
        self.held = nil
        context.write(wrapOutboundOut(.data(held.data)), promise: held.promise)
    }

    /// For servers that only let one add handlers after the HTTP/2 stream's
    /// codec (Hummingbird's `additionalChannelHandlers`, also used for HTTP/1
    /// connections): puts an ``EndStreamCoalescer`` at the front of an HTTP/2
    /// stream's pipeline, below the codec, and removes itself; on any other
    /// channel it only removes itself. A stream is told apart by its parent,
    /// the connection, which holds the `NIOHTTP2Handler` on the same event
    /// loop (a socket channel would stop the process when asked for an HTTP/2
    /// stream option).
    public final class Installer: ChannelInboundHandler, RemovableChannelHandler {
        public typealias InboundIn = Never

        public init() {}

        public func handlerAdded(context: ChannelHandlerContext) {
            let pipeline = context.pipeline.syncOperations
            if let connection = context.channel.parent, connection.eventLoop.inEventLoop,
               (try? connection.pipeline.syncOperations.handler(type: NIOHTTP2Handler.self)) != nil {
                try? pipeline.addHandler(EndStreamCoalescer(), position: .first)
            }
            pipeline.removeHandler(context: context, promise: nil)
        }
    }
}
