import NIOCore
import NIOHTTP1

/// A ``RequestForwarder``'s local answers (status pages) and the end of an
/// exchange: the answer's end, keep-alive or close, and the pipelined parts
/// kept meanwhile.
extension RequestForwarder {
    func write(page: StatusPage, context: ChannelHandlerContext) {
        responseStarted = true
        var headers = page.headers
        headers.replaceOrAdd(name: "content-type", value: "text/html; charset=utf-8")
        headers.replaceOrAdd(name: "content-length", value: "\(page.body.utf8.count)")
        headers.replaceOrAdd(name: "cache-control", value: "no-store")
        let unreadBody = !requestEnded && Self.hasBody(requestHead) && (requestHead?.version.major ?? 1) < 2
        if !keepAlive || unreadBody {
            // The rest of an unread body would be taken for the next request: close after this answer.
            keepAlive = false
            headers.replaceOrAdd(name: "connection", value: "close")
        }
        let version = requestHead?.version ?? .http1_1
        let head = HTTPResponseHead(version: version, status: page.status, headers: headers)
        let body = ByteBuffer(string: page.body)
        capture?.responseHead(head)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if requestHead?.method != .HEAD {
            capture?.responsePart(body)
            context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        }
        let answerWritten = writeEnd(nil, context: context)
        responseEnded = true
        finishCapture()
        if unreadBody {
            // Read and drop the rest (state is draining) until the request ends, the client
            // hangs up or the linger time passes, so the answer is not lost to a reset.
            let channel = context.channel
            lingering = context.eventLoop.scheduleTask(in: Self.lingerTimeout) { channel.close(promise: nil) }
        } else if !keepAlive {
            context.close(promise: nil)
        } else if requestEnded {
            finishExchange(context: context)
        } else {
            abandonRequestBody(context: context, answerWritten: answerWritten)
        }
    }

    /// Writes and flushes the answer's end. While the request is still coming on an
    /// HTTP/2 stream, returns when that end has been written to the socket, for
    /// ``abandonRequestBody(context:answerWritten:)`` to reset the stream after it.
    func writeEnd(_ trailers: HTTPHeaders?, context: ChannelHandlerContext) -> EventLoopFuture<Void>? {
        guard !requestEnded, (requestHead?.version.major ?? 1) >= 2 else {
            context.writeAndFlush(wrapOutboundOut(.end(trailers)), promise: nil)
            return nil
        }
        let written = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(.end(trailers)), promise: written)
        return written.futureResult
    }

    /// Whether a request announces a body (whose unread rest would be taken for the next request).
    private static func hasBody(_ head: HTTPRequestHead?) -> Bool {
        guard let head else { return false }
        if head.headers.contains(name: "transfer-encoding") { return true }
        return (head.headers.first(name: "content-length").flatMap { Int($0) } ?? 0) > 0
    }

    func finishCapture() {
        capture?.finish()
        capture = nil
    }

    func finishExchange(context: ChannelHandlerContext) {
        state = .idle
        requestHead = nil
        if !keepAlive {
            early = []
            context.close(promise: nil)
            return
        }
        handleEarlyParts(context: context)
        if case .idle = state, early.isEmpty { waitForNextRequest(context: context) }
        if readPending {
            readPending = false
            read(context: context)
        }
    }

    /// Handles the pipelined parts kept meanwhile, until one starts an exchange
    /// that has to end first (handling a part can end an exchange at once: a
    /// local answer — hence the flag against nesting).
    func handleEarlyParts(context: ChannelHandlerContext) {
        guard !replayingEarlyParts else { return }
        replayingEarlyParts = true
        defer { replayingEarlyParts = false }
        while !early.isEmpty, !waitsForExchangeEnd, self.context != nil {
            handle(early.removeFirst(), context: context)
        }
    }
}
