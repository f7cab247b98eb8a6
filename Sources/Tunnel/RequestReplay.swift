import NIOCore
import NIOHTTP1

/// The inspector's replay (`POST /api/requests/http` with `{"id": …}`): sends
/// a recorded request to the upstream again — same method, path, headers and
/// body — on a connection of its own, and records that exchange as a new entry.
///
/// Only a request whose whole body was captured can be replayed: sending the
/// first 64 KiB of a larger body would make a different request.
enum RequestReplay {
    /// How long a replay may wait for the upstream's whole answer: a hung
    /// upstream must not keep the inspector's request (and a connection) open.
    static let timeout = TimeAmount.seconds(30)

    /// Why `entry` cannot be replayed, or nil when it can.
    static func refusal(_ entry: RequestRecorder.Entry) -> String? {
        if entry.requestBody.truncated {
            return "Request \(entry.id) had a body of \(entry.requestBody.size) bytes, more than the \(ExchangeCapture.bodyLimit) the inspector keeps; it cannot be replayed. Send it again from the client."
        }
        if entry.request.headers.contains(name: Upgrade.requestMarker) {
            return "Request \(entry.id) opened a WebSocket (an upgrade); it cannot be replayed. Reconnect from the client."
        }
        return nil
    }

    /// Replays `entry` from `loop`; the future succeeds once the upstream's
    /// response has ended and the new entry is recorded.
    static func run(_ entry: RequestRecorder.Entry, route: AgentRoute, recorder: RequestRecorder, on loop: EventLoop,
                    timeout: TimeAmount = timeout) -> EventLoopFuture<Void> {
        var head = entry.request
        AgentRoute.upstreamHead(route.configuration)(&head)
        head.headers.remove(name: "transfer-encoding")
        head.headers.remove(name: "expect")  // the body goes at once; a 100 Continue would end the capture early
        let hadLength = head.headers.contains(name: "content-length")
        head.headers.remove(name: "content-length")
        if entry.requestBody.size > 0 || hadLength { head.headers.add(name: "content-length", value: "\(entry.requestBody.size)") }

        let capture = ExchangeCapture(entry.request, recorder: recorder)
        capture.requestPart(entry.requestBody.bytes)
        let promise = loop.makePromise(of: Void.self)
        let client = NIOLoopBound(ReplayClient(head: head, body: entry.requestBody.bytes, capture: capture, promise: promise, timeout: timeout),
                                  eventLoop: loop)
        AgentRoute.dialUpstream(configuration: route.configuration, tls: route.tls, handler: client).assumeIsolated().whenFailure { error in
            client.value.finish(.failure(error))
        }
        return promise.futureResult
    }
}

/// The channel handler of one replay: writes the request when connected,
/// taps the response into its ``ExchangeCapture``, and gives up (closing the
/// connection) when the answer has not ended within its time limit.
final class ReplayClient: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    private let head: HTTPRequestHead
    private let body: ByteBuffer
    private let capture: ExchangeCapture
    private let promise: EventLoopPromise<Void>
    private let timeout: TimeAmount
    private var done = false
    private var deadline: Scheduled<Void>?

    init(head: HTTPRequestHead, body: ByteBuffer, capture: ExchangeCapture, promise: EventLoopPromise<Void>, timeout: TimeAmount) {
        self.head = head
        self.body = body
        self.capture = capture
        self.promise = promise
        self.timeout = timeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let loop = context.eventLoop.assumeIsolated()
        deadline = loop.scheduleTask(in: timeout) { [self] in
            finish(.failure(TunnelError.replayTimeout(timeout)))
            context.close(promise: nil)
        }
    }

    /// Records the exchange as it stands and completes the replay, once.
    func finish(_ result: Result<Void, Error>) {
        guard !done else { return }
        done = true
        deadline?.cancel()
        capture.finish()
        promise.completeWith(result)
    }

    func channelActive(context: ChannelHandlerContext) {
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if body.readableBytes > 0 { context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil) }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !done else { return }
        switch unwrapInboundIn(data) {
        case .head(let head): capture.responseHead(head)
        case .body(let body): capture.responsePart(body)
        case .end:
            finish(.success(()))
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish(.failure(TunnelError.replay("The upstream closed the connection before it finished answering the replay.")))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}
