import NIOCore

/// Sits right above a TLS handler and hands it fewer, larger writes: the small
/// writes made between two flushes are joined into one buffer, so they leave
/// as one TLS record instead of one record each; with `defersFlushes` the
/// flushes of one event-loop tick are also joined into one.
///
/// NIOSSL encrypts every write it is given as a record of its own. An HTTP/1
/// answer is two writes (head, body); an HTTP/2 answer on an agent link three
/// (HEADERS, a DATA frame's header, its payload), each with its own TLS
/// header, tag and BoringSSL call on the way out and again on the way in.
/// Buffers larger than ``joinLimit`` (bulk transfers) are not copied: what is
/// joined so far goes first, then the large buffer as it is.
///
/// `defersFlushes` is for connections carrying many HTTP/2 streams:
/// swift-nio-http2 holds a stream's flush back only while the connection
/// itself is reading, so answers arriving from other channels (the agent's
/// upstream, the relay's public clients) would each flush at once, a record
/// and a `write(2)` apiece. The first flush of a tick then schedules one real
/// flush after the tick's other work. A close flushes what is pending first,
/// so nothing written is lost.
final class OutboundCoalescer: ChannelOutboundHandler {
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    /// The largest write that is copied into the joined buffer.
    static let joinLimit = 4096
    /// The joined buffer goes out before it grows past one TLS record's worth.
    static let recordSize = 16384

    private let defersFlushes: Bool
    private var joined: ByteBuffer?
    private var promises: [EventLoopPromise<Void>] = []
    private var flushScheduled = false

    init(defersFlushes: Bool) {
        self.defersFlushes = defersFlushes
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard case .byteBuffer(let buffer) = unwrapOutboundIn(data), buffer.readableBytes <= Self.joinLimit else {
            writeJoined(context: context)
            context.write(data, promise: promise)
            return
        }
        if joined == nil {
            joined = buffer
        } else {
            if joined!.readableBytes + buffer.readableBytes > Self.recordSize { writeJoined(context: context) }
            if joined == nil { joined = buffer } else { joined!.writeImmutableBuffer(buffer) }
        }
        if let promise { promises.append(promise) }
    }

    func flush(context: ChannelHandlerContext) {
        guard defersFlushes else {
            writeJoined(context: context)
            context.flush()
            return
        }
        guard !flushScheduled else { return }
        flushScheduled = true
        context.eventLoop.assumeIsolated().execute {
            guard self.flushScheduled else { return }
            self.flushScheduled = false
            self.writeJoined(context: context)
            context.flush()
        }
    }

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        if flushScheduled || joined != nil {
            flushScheduled = false
            writeJoined(context: context)
            context.flush()
        }
        context.close(mode: mode, promise: promise)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        // The channel is gone with writes never flushed: their writers are told.
        joined = nil
        let promises = self.promises
        self.promises = []
        for promise in promises { promise.fail(ChannelError.ioOnClosedChannel) }
    }

    /// Passes the joined writes on as one, completing all their promises with it.
    private func writeJoined(context: ChannelHandlerContext) {
        guard let buffer = joined else { return }
        joined = nil
        let promise: EventLoopPromise<Void>?
        switch promises.count {
        case 0: promise = nil
        case 1: promise = promises[0]
        default:
            let all = promises
            promise = context.eventLoop.makePromise()
            promise!.futureResult.assumeIsolated().whenComplete { result in
                for each in all { each.completeWith(result) }
            }
        }
        promises.removeAll(keepingCapacity: true)
        context.write(wrapOutboundOut(.byteBuffer(buffer)), promise: promise)
    }
}
