import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing
@testable import Tunnel

/// A replay whose upstream never finishes answering is abandoned after its
/// time limit: the inspector's request fails (504) instead of hanging, the
/// connection is closed and what was received is still recorded.
@Suite struct ReplayTimeoutTests {
    private func replay(timeout: TimeAmount) throws -> (EmbeddedChannel, EventLoopFuture<Void>, RequestRecorder) {
        let channel = EmbeddedChannel()
        let recorder = RequestRecorder()
        let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: "/slow")
        let promise = channel.eventLoop.makePromise(of: Void.self)
        let client = ReplayClient(head: head, body: ByteBuffer(), capture: ExchangeCapture(head, recorder: recorder),
                                  promise: promise, timeout: timeout)
        try channel.pipeline.syncOperations.addHandler(client)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 80)).wait()
        return (channel, promise.futureResult, recorder)
    }

    @Test func aHungUpstreamIsAbandonedAtTheLimit() throws {
        let (channel, result, recorder) = try replay(timeout: .seconds(30))
        var outcome: Result<Void, Error>?
        result.whenComplete { outcome = $0 }
        // The request went out when connected.
        guard case .head(let sent) = try channel.readOutbound(as: HTTPClientRequestPart.self) else { throw TestFailure("no head written") }
        #expect(sent.uri == "/slow")
        // The upstream answers a head and stalls.
        try channel.writeInbound(HTTPClientResponsePart.head(HTTPResponseHead(version: .http1_1, status: .ok)))
        channel.embeddedEventLoop.advanceTime(by: .seconds(29))
        #expect(channel.isActive && outcome == nil)
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(!channel.isActive)
        #expect(throws: TunnelError.replayTimeout(.seconds(30))) { try outcome?.get() }
        #expect(outcome != nil)
        #expect(recorder.all.first?.response?.status == .ok)
    }

    @Test func anAnswerInTimeCancelsTheLimit() throws {
        let (channel, result, _) = try replay(timeout: .seconds(1))
        var outcome: Result<Void, Error>?
        result.whenComplete { outcome = $0 }
        try channel.writeInbound(HTTPClientResponsePart.head(HTTPResponseHead(version: .http1_1, status: .ok)))
        try channel.writeInbound(HTTPClientResponsePart.end(nil))
        channel.embeddedEventLoop.advanceTime(by: .seconds(5))
        #expect(throws: Never.self) { try outcome?.get() }
        #expect(outcome != nil)
    }
}
