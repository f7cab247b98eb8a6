import NIOCore
import NIOHTTP1

/// The client half of a forwarded exchange: sits in the partner channel (an
/// HTTP/2 stream on the relay, an upstream connection on the agent), writes the
/// request parts it is given and hands each response part back through its
/// ``ResponseSink``. It holds its reads while the requester cannot write.
///
/// On the agent an upstream connection outlives its exchange: when both
/// messages ended cleanly and the upstream keeps the connection alive, the
/// forwarder hands its channel to an ``UpstreamPool`` and is bound to the next
/// exchange's sink with ``rebind(to:)``.
final class ResponseForwarder: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = HTTPClientRequestPart
    typealias OutboundOut = HTTPClientRequestPart

    /// What becomes of the channel once an exchange ended.
    enum AfterResponse {
        /// Nothing: an HTTP/2 stream (relay side) ends with its messages.
        case nothing
        /// Give it back for the next exchange when that is safe, else close it.
        case reuse(@Sendable (PartnerHandle) -> Void)
    }

    private var sink: ResponseSink
    private let afterResponse: AfterResponse
    private let adjustHead: @Sendable (inout HTTPRequestHead) -> Void
    private var context: ChannelHandlerContext?
    private var queued: [HTTPClientRequestPart] = []
    private var ended = false
    private var requesterWritable = true
    private var readPending = false
    /// Set when the request asked for an upgrade (agent side): a 101 turns the connection raw.
    private var upgrading: String?
    private var raw = false
    private var swallowEnd = false
    /// Whether the request's end was written, and whether the upstream keeps the connection open.
    private var requestEnded = false
    private var responseKeepAlive = true

    /// Whether the channel is an HTTP/1 connection to an upstream (agent side).
    private var towardsUpstream: Bool {
        if case .nothing = afterResponse { return false }
        return true
    }

    /// - Parameters:
    ///   - afterResponse: what becomes of the channel once an exchange ended.
    ///   - adjustHead: last changes to the request head before it is written (the HTTP version, the Host).
    init(sink: ResponseSink, afterResponse: AfterResponse, adjustHead: @escaping @Sendable (inout HTTPRequestHead) -> Void = { _ in }) {
        self.sink = sink
        self.afterResponse = afterResponse
        self.adjustHead = adjustHead
    }

    /// Serves the next exchange on this (pooled, idle) channel.
    func rebind(to sink: ResponseSink) {
        self.sink = sink
        ended = false
        requestEnded = false
        responseKeepAlive = true
        requesterWritable = true
        if readPending, let context {
            readPending = false
            context.read()
        }
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if context.channel.isActive { flushQueued() }
    }

    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    func channelActive(context: ChannelHandlerContext) {
        flushQueued()
        context.fireChannelActive()
    }

    /// What the requester says (on this loop).
    func handle(_ event: PartnerHandle.Event) {
        switch event {
        case .send(let parts): sendRequest(parts)
        case .requesterWritable(let writable): requesterWritabilityChanged(writable)
        }
    }

    /// Writes request parts.
    private func sendRequest(_ parts: [HTTPClientRequestPart]) {
        queued.append(contentsOf: parts)
        flushQueued()
    }

    private func flushQueued() {
        guard let context, context.channel.isActive, !queued.isEmpty else { return }
        let parts = queued
        queued = []
        for part in parts {
            switch part {
            case .head(var head):
                adjustHead(&head)
                if towardsUpstream, let upgrade = head.headers.first(name: Upgrade.requestMarker) {
                    // Towards the upstream (agent side): HTTP/1.1's own upgrade headers again.
                    upgrading = upgrade
                    head.headers.remove(name: Upgrade.requestMarker)
                    head.headers.replaceOrAdd(name: "connection", value: "upgrade")
                    head.headers.replaceOrAdd(name: "upgrade", value: upgrade)
                }
                context.write(wrapOutboundOut(.head(head)), promise: nil)
            case .body(.byteBuffer(let buffer)) where raw:
                context.write(NIOAny(buffer), promise: nil)
            case .end where raw:
                break
            case .end:
                requestEnded = true
                context.write(wrapOutboundOut(part), promise: nil)
            default:
                context.write(wrapOutboundOut(part), promise: nil)
            }
        }
        context.flush()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        guard !ended else { return }
        if case .head(let head) = part, head.status == .switchingProtocols, upgrading != nil {
            var headers = head.headers
            headers.remove(name: "connection")
            headers.remove(name: "upgrade")
            headers.replaceOrAdd(name: Upgrade.responseMarker, value: "101")
            let delivered = HTTPClientResponsePart.head(HTTPResponseHead(version: head.version, status: .ok, headers: headers))
            sink.deliver(.response(delivered))
            // The decoder ends the 101 message next; the codec is dropped then.
            swallowEnd = true
            return
        }
        if case .end = part, swallowEnd {
            swallowEnd = false
            do {
                try Upgrade.switchClientToRaw(context.pipeline.syncOperations, before: self)
                raw = true
                flushQueued()
            } catch {
                context.close(promise: nil)
            }
            return
        }
        if case .head(let head) = part { responseKeepAlive = head.isKeepAlive }
        let sameLoop = sink.eventLoop === context.eventLoop
        let delivered: HTTPClientResponsePart
        if case .body(let buffer) = part, !sameLoop {
            delivered = .body(buffer.detached())
        } else {
            delivered = part
        }
        sink.deliver(.response(delivered))
        if raw {
            // After an upgrade the decoder hands its leftover bytes over once it has left the
            // pipeline, outside any read batch: no channelReadComplete follows them.
            sink.deliver(.readComplete)
        }
        if case .end = part {
            ended = true
            finished(context: context)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        sink.deliver(.readComplete)
        context.fireChannelReadComplete()
    }

    /// The exchange ended: leave, pool or close the channel. Only a connection
    /// whose request and response both ended, that the upstream keeps alive
    /// and that was not upgraded can carry another exchange.
    private func finished(context: ChannelHandlerContext) {
        switch afterResponse {
        case .nothing:
            break
        case .reuse(let giveBack):
            if requestEnded, responseKeepAlive, upgrading == nil, !raw, queued.isEmpty {
                giveBack(PartnerHandle(channel: context.channel, forwarder: NIOLoopBound(self, eventLoop: context.eventLoop)))
            } else {
                context.close(promise: nil)
            }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !ended {
            ended = true
            sink.deliver(.failed)
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        let writable = context.channel.isWritable
        sink.deliver(.partnerWritable(writable))
        context.fireChannelWritabilityChanged()
    }

    /// The requester's channel became (un)writable: hold or resume reads.
    private func requesterWritabilityChanged(_ writable: Bool) {
        requesterWritable = writable
        if writable && readPending, let context {
            readPending = false
            context.read()
        }
    }

    func read(context: ChannelHandlerContext) {
        if requesterWritable {
            context.read()
        } else {
            readPending = true
        }
    }
}
