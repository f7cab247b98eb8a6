import NIOCore
import NIOEmbedded
import NIOHTTP2
import Testing
@testable import Tunnel

/// The small frame-level handlers of the tunnel's HTTP/2 channels, on an
/// `EmbeddedChannel` (the end-to-end tests drive them through real clients).
@Suite struct HTTP2FrameHandlerTests {
    @Test func aLinkIsClosedWhenThePeerSaysGoAwayAndOtherFramesPass() throws {
        let channel = EmbeddedChannel(handler: GoAwayCloser())
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        let ping = HTTP2Frame(streamID: .rootStream, payload: .ping(HTTP2PingData(withInteger: 7), ack: true))
        try channel.writeInbound(ping)
        #expect(try channel.readInbound(as: HTTP2Frame.self)?.streamID == .rootStream)
        #expect(channel.isActive)
        try channel.writeInbound(HTTP2Frame(streamID: .rootStream, payload: .goAway(lastStreamID: .rootStream, errorCode: .enhanceYourCalm, opaqueData: nil)))
        #expect(!channel.isActive)
    }

    @Test func anAnswersEndRidesOnItsLastDataFrame() throws {
        let channel = EmbeddedChannel(handler: EndStreamCoalescer())
        let body = HTTP2Frame.FramePayload.data(.init(data: .byteBuffer(ByteBuffer(string: "hello"))))
        let end = HTTP2Frame.FramePayload.data(.init(data: .byteBuffer(ByteBuffer()), endStream: true))
        try channel.writeOutbound(HTTP2Frame.FramePayload.headers(.init(headers: [":status": "200"])))
        channel.write(body, promise: nil)
        #expect(try channel.readOutbound(as: HTTP2Frame.FramePayload.self).map(Self.describe) == "headers")
        #expect(try channel.readOutbound(as: HTTP2Frame.FramePayload.self) == nil, "the body waits for the next write or flush")
        try channel.writeOutbound(end)
        #expect(try channel.readOutbound(as: HTTP2Frame.FramePayload.self).map(Self.describe) == "data 5 end")
        #expect(try channel.readOutbound(as: HTTP2Frame.FramePayload.self) == nil)

        // A streamed body (server-sent events) goes out at each flush, its end alone later.
        try channel.writeOutbound(body)
        #expect(try channel.readOutbound(as: HTTP2Frame.FramePayload.self).map(Self.describe) == "data 5")
        try channel.writeOutbound(end)
        #expect(try channel.readOutbound(as: HTTP2Frame.FramePayload.self).map(Self.describe) == "data 0 end")
    }

    static func describe(_ payload: HTTP2Frame.FramePayload) -> String {
        switch payload {
        case .headers: return "headers"
        case .data(let data):
            guard case .byteBuffer(let bytes) = data.data else { return "data file" }
            return "data \(bytes.readableBytes)" + (data.endStream ? " end" : "")
        default: return "other"
        }
    }
}
