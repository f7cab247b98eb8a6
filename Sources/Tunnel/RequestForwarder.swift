import NIOCore
import NIOHTTP1

/// The server half of a forwarded exchange: sits in a channel that speaks
/// HTTP/1 as a server (a public connection on the relay, an HTTP/2 stream on
/// the agent), asks its ``ForwardingRoute`` where each request goes, and
/// streams the request to a partner channel and the response back.
///
/// Back-pressure both ways without buffering: when the partner channel is not
/// writable this handler holds its own `read()`, and when its own channel is
/// not writable it tells the partner to hold its reads. The one thing kept is
/// what the decoder already parsed of a pipelined next request (HTTP/1.1),
/// with reads held until the current exchange ends. Partners may live on
/// another event loop; all crossings go through ``PartnerHandle`` and
/// ``ResponseSink`` and copy body bytes.
///
/// This file holds the request side and back-pressure;
/// `RequestForwarder+Exchange.swift` local answers and the end of an exchange;
/// `RequestForwarder+Response.swift` the partner's answers. Its state is
/// module-internal only so the three files can share it.
final class RequestForwarder: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    enum State {
        case idle
        /// The partner is being opened; parts wait here (reads are held meanwhile).
        case opening(pending: [HTTPClientRequestPart])
        case forwarding(PartnerHandle)
        /// Answered locally or the response ended first: drop the rest of the request body.
        case draining
    }

    let route: ForwardingRoute
    var state = State.idle
    var requestID = 0
    var requestHead: HTTPRequestHead?
    var requestEnded = false
    var responseStarted = false
    var responseEnded = false
    var keepAlive = true
    var partnerWritable = true
    var readPending = false
    var context: ChannelHandlerContext?
    /// An HTTP/1 upgrade is pending (the request's end is not passed on) or done (raw bytes).
    var upgradeRequested = false
    var raw = false
    /// The inspector's tap on the current exchange (agent side only).
    var capture: ExchangeCapture?
    var requestBodyBytes = 0
    /// Parts of a pipelined request that came before the current exchange finished;
    /// handled when it does, with reads held meanwhile (see ``read(context:)``).
    var early: [HTTPServerRequestPart] = []
    var replayingEarlyParts = false
    /// Response bytes written since the last flush (flushed when the partner's read batch ends).
    var unflushed = false
    /// Closes the connection if a client whose body was refused neither finishes nor hangs up.
    var lingering: Scheduled<Void>?

    /// How long a refused body may keep arriving before the connection is closed
    /// (closing at once, with bytes unread, makes the kernel reset it and the client may lose the answer).
    static let lingerTimeout = TimeAmount.seconds(5)

    /// Closes an HTTP/1 connection that carried no request for this long (nil: never).
    let idleTimeout: TimeAmount?
    /// Since when the connection waits for a request; nil during an exchange.
    var idleSince: NIODeadline?
    /// The one pending check of ``idleSince`` (a request only clears it: no timer work a request).
    var idleCheck: Scheduled<Void>?

    /// The connection's peer address as text, made once (formatting it is not free).
    lazy var peerIP: String? = context?.channel.remoteAddress?.ipAddress

    init(route: ForwardingRoute, idleTimeout: TimeAmount? = nil) {
        self.route = route
        self.idleTimeout = idleTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        waitForNextRequest(context: context)
    }

    /// Between requests: the connection is closed if no request starts within ``idleTimeout``
    /// (a keep-alive connection left open, or one whose client never finishes a head).
    func waitForNextRequest(context: ChannelHandlerContext) {
        guard let idleTimeout else { return }
        idleSince = .now()
        if idleCheck == nil { checkIdle(in: idleTimeout, context: context) }
    }

    /// Looks at ``idleSince`` after `delay`: closes the connection when it has waited the whole
    /// ``idleTimeout``, looks again when it waited less; a connection in an exchange is left
    /// alone until ``waitForNextRequest(context:)`` starts the next check.
    private func checkIdle(in delay: TimeAmount, context: ChannelHandlerContext) {
        idleCheck = context.eventLoop.assumeIsolated().scheduleTask(in: delay) {
            self.idleCheck = nil
            guard let idleTimeout = self.idleTimeout, let since = self.idleSince, let context = self.context else { return }
            let left = since + idleTimeout - .now()
            if left > .zero { self.checkIdle(in: left, context: context) } else { context.close(promise: nil) }
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        if waitsForExchangeEnd || !early.isEmpty {
            early.append(part)
            return
        }
        handle(part, context: context)
    }

    /// Whether a part arriving now belongs to a pipelined next request: the
    /// current one has ended but its exchange has not (an upgraded
    /// connection's bytes are the current exchange's).
    var waitsForExchangeEnd: Bool {
        guard requestEnded, !upgradeRequested else { return false }
        if case .idle = state { return false }
        return true
    }

    func handle(_ part: HTTPServerRequestPart, context: ChannelHandlerContext) {
        switch part {
        case .head(let head):
            startRequest(head, context: context)
        case .body(let body):
            capture?.requestPart(body)
            if !upgradeRequested, partnerInvolved, let head = requestHead {
                requestBodyBytes += body.readableBytes
                if let page = route.oversizedBodyPage(head, received: requestBodyBytes) {
                    refuseOversizedBody(page, context: context)
                    return
                }
            }
            pass(.body(.byteBuffer(body)))
        case .end(let trailers):
            requestEnded = true
            if !upgradeRequested { pass(.end(trailers)) }
            if case .draining = state, responseEnded { finishExchange(context: context) }
        }
    }

    func startRequest(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        idleSince = nil
        requestID += 1
        requestHead = head
        capture = route.capture(head)
        requestBodyBytes = 0
        upgradeRequested = false
        requestEnded = false
        responseStarted = false
        responseEnded = false
        // An HTTP/2 stream (the agent's side) carries one request and no connection semantics.
        keepAlive = head.version.major >= 2 || head.isKeepAlive
        partnerWritable = true
        switch route.decide(head, remoteIP: self.peerIP, on: context.eventLoop) {
        case .answer(let page):
            state = .draining
            // NIO's decoder stops parsing after an upgrade request: nothing more can follow on this connection.
            if head.version.major < 2 && head.headers.contains(name: "upgrade") { keepAlive = false }
            write(page: page, context: context)
        case .forward(let forwardedHead, let open):
            upgradeRequested = head.version.major < 2 && forwardedHead.headers.contains(name: Upgrade.requestMarker)
            state = .opening(pending: [.head(forwardedHead)])
            let sink = ResponseSink(requestID: requestID, forwarder: NIOLoopBound(self, eventLoop: context.eventLoop))
            let id = requestID
            open(sink).hop(to: context.eventLoop).assumeIsolated().whenComplete { result in
                self.partnerOpened(result, requestID: id)
            }
        }
    }

    func partnerOpened(_ result: Result<PartnerHandle, Error>, requestID id: Int) {
        guard id == requestID, case .opening(let pending) = state, let context else {
            if case .success(let handle) = result { handle.channel.close(promise: nil) }
            return
        }
        switch result {
        case .success(let handle):
            state = .forwarding(handle)
            let sameLoop = handle.channel.eventLoop === context.eventLoop
            let parts = sameLoop ? pending : pending.map(Self.detach)
            handle.deliver(.send(parts))
            if readPending && partnerWritable {
                readPending = false
                context.read()
            }
        case .failure:
            state = .draining
            if let head = requestHead { write(page: route.failurePage(head), context: context) }
        }
    }

    /// Whether the request is going (or about to go) to a partner.
    var partnerInvolved: Bool {
        switch state {
        case .opening, .forwarding: return true
        case .idle, .draining: return false
        }
    }

    /// The body grew past the route's limit: answer `page` (or cut the response
    /// if it started) and close the partner, which resets an HTTP/2 stream, so
    /// the agent aborts the upstream request instead of ending it short.
    func refuseOversizedBody(_ page: StatusPage, context: ChannelHandlerContext) {
        let partner = state
        state = .draining
        if responseStarted {
            context.close(promise: nil)
        } else {
            write(page: page, context: context)
        }
        if case .forwarding(let handle) = partner { handle.channel.close(promise: nil) }
        releaseHeldReads(context: context)
    }

    private static func detach(_ part: HTTPClientRequestPart) -> HTTPClientRequestPart {
        if case .body(.byteBuffer(let buffer)) = part { return .body(.byteBuffer(buffer.detached())) }
        return part
    }

    /// Sends one request part on, or keeps it while the partner opens.
    func pass(_ part: HTTPClientRequestPart) {
        switch state {
        case .opening(var pending):
            pending.append(part)
            state = .opening(pending: pending)
        case .forwarding(let handle):
            let sameLoop = handle.channel.eventLoop === context?.eventLoop
            let sent = sameLoop ? part : Self.detach(part)
            handle.deliver(.send([sent]))
        case .idle, .draining:
            break
        }
    }

    // MARK: Back-pressure

    /// The answer is complete and the rest of the request is not wanted: an HTTP/2
    /// client is asked to stop sending (``HTTP2RequestStopper``); an HTTP/1 body is
    /// read on and dropped, so the connection can carry the next request.
    ///
    /// The HTTP/2 reset waits until the answer's end has been written to the socket
    /// (`answerWritten`, from ``writeEnd(_:context:)``): written together, the two can
    /// reach the client in one read, and curl then takes the reset for an error before
    /// it has taken the answer. By then a request whose HEADERS frame also ended it has
    /// been handed over whole, and a stream that is ending anyway is not reset.
    func abandonRequestBody(context: ChannelHandlerContext, answerWritten: EventLoopFuture<Void>?) {
        if let answerWritten {
            let id = requestID
            answerWritten.assumeIsolated().whenSuccess {
                guard id == self.requestID, !self.requestEnded, let context = self.context else { return }
                context.triggerUserOutboundEvent(HTTP2RequestStopper.StopRequest(), promise: nil)
            }
        }
        releaseHeldReads(context: context)
    }

    /// The partner is gone, or no longer wanted, before the request ended: reads held
    /// for its sake go on, so the rest of the request is read and dropped (an HTTP/2
    /// client keeps sending until its stream ends; an HTTP/1 connection lingers)
    /// instead of the exchange stalling with the client's upload half sent.
    func releaseHeldReads(context: ChannelHandlerContext) {
        partnerWritable = true
        guard readPending else { return }
        readPending = false
        read(context: context)
    }

    func read(context: ChannelHandlerContext) {
        // Without HTTPServerPipelineHandler reads go on during an exchange (no epoll
        // changes per request); only a pipelined next request makes them wait.
        if !early.isEmpty {
            readPending = true
            return
        }
        switch state {
        case .opening where !requestEnded:
            // The body would pile up in `pending` until the partner is open. (A request
            // without one keeps reading: the stream opens on the next loop tick, and holding
            // reads that long cost two epoll changes a request.)
            readPending = true
        case .forwarding where !partnerWritable:
            readPending = true
        default:
            context.read()
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        let writable = context.channel.isWritable
        if case .forwarding(let handle) = state {
            handle.deliver(.requesterWritable(writable))
        }
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        // Ended first: closing a partner on this loop may report its failure at once, and there is no one to answer.
        let partner = state
        state = .draining
        responseEnded = true
        finishCapture()
        lingering?.cancel()
        idleCheck?.cancel()
        if case .forwarding(let handle) = partner { handle.channel.close(promise: nil) }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}
