import NIOCore
import NIOEmbedded
import Testing
@testable import Tunnel

/// ``OutboundCoalescer`` on an `EmbeddedChannel`: what reaches the TLS
/// handler below it (the end-to-end tests drive it through real clients).
@Suite struct OutboundCoalescerTests {
    @Test func smallWritesBetweenFlushesLeaveAsOneBufferInOrder() throws {
        let channel = EmbeddedChannel(handler: OutboundCoalescer(defersFlushes: false))
        var completed = 0
        channel.write(ByteBuffer(string: "HTTP/1.1 200 OK\r\n\r\n")).whenSuccess { completed += 1 }
        channel.write(ByteBuffer(string: "hello")).whenSuccess { completed += 1 }
        #expect(try channel.readOutbound(as: ByteBuffer.self) == nil, "nothing leaves before the flush")
        channel.flush()
        #expect(try channel.readOutbound(as: ByteBuffer.self) == ByteBuffer(string: "HTTP/1.1 200 OK\r\n\r\nhello"))
        #expect(try channel.readOutbound(as: ByteBuffer.self) == nil)
        #expect(completed == 2, "both writers hear that their bytes went out")
    }

    @Test func aLargeWriteFollowsWhatWasJoinedAndIsNotCopied() throws {
        let channel = EmbeddedChannel(handler: OutboundCoalescer(defersFlushes: false))
        let large = ByteBuffer(repeating: 7, count: OutboundCoalescer.joinLimit + 1)
        channel.write(ByteBuffer(string: "a"), promise: nil)
        channel.write(ByteBuffer(string: "b"), promise: nil)
        channel.write(large, promise: nil)
        channel.write(ByteBuffer(string: "c"), promise: nil)
        channel.flush()
        #expect(try channel.readOutbound(as: ByteBuffer.self) == ByteBuffer(string: "ab"))
        #expect(try channel.readOutbound(as: ByteBuffer.self) == large)
        #expect(try channel.readOutbound(as: ByteBuffer.self) == ByteBuffer(string: "c"))
        #expect(try channel.readOutbound(as: ByteBuffer.self) == nil)
    }

    @Test func theJoinedBufferStaysWithinOneRecord() throws {
        let channel = EmbeddedChannel(handler: OutboundCoalescer(defersFlushes: false))
        let piece = ByteBuffer(repeating: 1, count: OutboundCoalescer.joinLimit)
        for _ in 0..<5 { channel.write(piece, promise: nil) }
        channel.flush()
        var sizes: [Int] = []
        while let buffer = try channel.readOutbound(as: ByteBuffer.self) { sizes.append(buffer.readableBytes) }
        #expect(sizes == [4 * OutboundCoalescer.joinLimit, OutboundCoalescer.joinLimit])
        #expect(sizes.allSatisfy { $0 <= OutboundCoalescer.recordSize })
    }

    @Test func deferredFlushesOfOneTickBecomeOne() throws {
        let channel = EmbeddedChannel(handler: OutboundCoalescer(defersFlushes: true))
        channel.write(ByteBuffer(string: "one"), promise: nil)
        channel.flush()
        channel.write(ByteBuffer(string: "two"), promise: nil)
        channel.flush()
        #expect(try channel.readOutbound(as: ByteBuffer.self) == nil, "the flush waits for the end of the tick")
        channel.embeddedEventLoop.run()
        #expect(try channel.readOutbound(as: ByteBuffer.self) == ByteBuffer(string: "onetwo"))
        #expect(try channel.readOutbound(as: ByteBuffer.self) == nil)
    }

    @Test func aCloseSendsWhatIsPendingFirst() throws {
        let channel = EmbeddedChannel(handler: OutboundCoalescer(defersFlushes: true))
        var written = false
        channel.write(ByteBuffer(string: "last words")).whenSuccess { written = true }
        channel.flush()
        _ = channel.close()
        #expect(try channel.readOutbound(as: ByteBuffer.self) == ByteBuffer(string: "last words"))
        #expect(written)
    }

    @Test func writesNeverFlushedFailWhenTheChannelGoes() throws {
        let below = Closer()
        let channel = EmbeddedChannel(handlers: [below, OutboundCoalescer(defersFlushes: false)])
        var outcome: Result<Void, Error>?
        channel.write(ByteBuffer(string: "never flushed")).whenComplete { outcome = $0 }
        below.context?.close(promise: nil)
        channel.embeddedEventLoop.run()  // the channel takes its handlers out on its loop
        guard case .failure(let error) = outcome else {
            Issue.record("the write's promise was left pending or succeeded: \(String(describing: outcome))")
            return
        }
        #expect(error as? ChannelError == .ioOnClosedChannel)
    }

    /// A handler below the coalescer that can close the channel without going through it
    /// (as the TLS handler does on an error).
    final class Closer: ChannelOutboundHandler {
        typealias OutboundIn = NIOAny
        var context: ChannelHandlerContext?
        func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    }
}
