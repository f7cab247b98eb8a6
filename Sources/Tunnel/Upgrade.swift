import NIOCore
import NIOHTTP1

/// WebSocket (any `Upgrade:`) passthrough over an HTTP/2 stream.
///
/// HTTP/2 has no `Upgrade` and no 101, so the relay marks the request with
/// `x-postern-upgrade: websocket` and never ends the stream's request side;
/// the agent restores the HTTP/1.1 upgrade towards the upstream and answers a
/// 101 as 200 with `x-postern-upgraded: 101`. From then on both HTTP/1
/// connections drop their codecs and the stream's DATA frames carry the raw
/// bytes each way (the "equivalent on the stream" of RFC 8441's extended CONNECT).
enum Upgrade {
    static let requestMarker = "x-postern-upgrade"
    static let responseMarker = "x-postern-upgraded"

    /// Relay side, once the agent said 101: drop the public connection's HTTP/1 server codec
    /// and turn raw inbound bytes into body parts for `forwarder`.
    static func switchServerToRaw(_ pipeline: ChannelPipeline.SynchronousOperations, before forwarder: ChannelHandler) throws {
        try pipeline.addHandler(RawToServerBody(), position: .before(forwarder))
        for context in [try? pipeline.context(handlerType: HTTPServerPipelineHandler.self),
                        try? pipeline.context(handlerType: HTTPServerProtocolErrorHandler.self),
                        try? pipeline.context(handlerType: HTTPResponseEncoder.self),
                        try? pipeline.context(handlerType: NIOHTTPResponseHeadersValidator.self),
                        try? pipeline.context(handlerType: ByteToMessageHandler<HTTPRequestDecoder>.self)].compactMap({ $0 }) {
            pipeline.removeHandler(context: context, promise: nil)
        }
    }

    /// Agent side, once the upstream said 101: drop the upstream connection's HTTP/1 client codec.
    static func switchClientToRaw(_ pipeline: ChannelPipeline.SynchronousOperations, before forwarder: ChannelHandler) throws {
        try pipeline.addHandler(RawToClientBody(), position: .before(forwarder))
        for context in [try? pipeline.context(handlerType: HTTPRequestEncoder.self),
                        try? pipeline.context(handlerType: NIOHTTPRequestHeadersValidator.self),
                        try? pipeline.context(handlerType: ByteToMessageHandler<HTTPResponseDecoder>.self)].compactMap({ $0 }) {
            pipeline.removeHandler(context: context, promise: nil)
        }
    }
}

/// Raw bytes in, HTTP server body parts out (a public connection after an upgrade).
final class RawToServerBody: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = HTTPServerRequestPart

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.fireChannelRead(wrapInboundOut(.body(unwrapInboundIn(data))))
    }
}

/// Raw bytes in, HTTP client body parts out (an upstream connection after an upgrade).
final class RawToClientBody: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = HTTPClientResponsePart

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.fireChannelRead(wrapInboundOut(.body(unwrapInboundIn(data))))
    }
}
