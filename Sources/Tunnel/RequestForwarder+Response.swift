import NIOCore
import NIOHTTP1

/// The response half of a ``RequestForwarder``: what its partner says (on
/// this channel's loop) — response parts, the end of a read batch, failure,
/// writability — turned into writes on this channel.
extension RequestForwarder {
    /// What the partner of request `id` says; stale events (an earlier request's) are dropped.
    func handle(_ event: ResponseSink.Event, requestID id: Int) {
        switch event {
        case .response(let part): partnerResponse(part, requestID: id)
        case .readComplete: partnerReadComplete(requestID: id)
        case .failed: partnerFailed(requestID: id)
        case .partnerWritable(let writable): partnerWritabilityChanged(writable, requestID: id)
        }
    }

    func partnerResponse(_ part: HTTPClientResponsePart, requestID id: Int) {
        guard id == requestID, let context, !responseEnded else { return }
        switch part {
        case .head(let head) where upgradeRequested && head.headers.first(name: Upgrade.responseMarker) == "101":
            responseStarted = true
            var headers = head.headers
            headers.remove(name: Upgrade.responseMarker)
            headers.replaceOrAdd(name: "connection", value: "upgrade")
            headers.replaceOrAdd(name: "upgrade", value: requestHead?.headers.first(name: "upgrade") ?? "websocket")
            let version = requestHead?.version ?? .http1_1
            context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: version, status: .switchingProtocols, headers: headers))), promise: nil)
            do {
                try Upgrade.switchServerToRaw(context.pipeline.syncOperations, before: self)
                raw = true
            } catch {
                context.close(promise: nil)
            }
        case .body(let body) where raw:
            context.write(NIOAny(body), promise: nil)
            unflushed = true
        case .end where raw:
            context.flush()
            context.close(promise: nil)
        case .head(var head):
            responseStarted = true
            if upgradeRequested { keepAlive = false }  // refused upgrade: the decoder has stopped, close after this answer
            head.version = requestHead?.version ?? .http1_1
            capture?.responseHead(head)
            if !keepAlive { head.headers.replaceOrAdd(name: "connection", value: "close") }
            context.write(wrapOutboundOut(.head(head)), promise: nil)
            unflushed = true
        case .body(let body):
            capture?.responsePart(body)
            context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
            unflushed = true
        case .end(let trailers):
            // The exchange is over before the end is written: on an HTTP/2 stream that write
            // closes the stream, and its channelInactive (at once, re-entrantly) must not take
            // the partner for one still in use and close it — it may go back to a pool.
            responseEnded = true
            finishCapture()
            let partner = state
            state = .draining
            if case .forwarding(let handle) = partner, !requestEnded || upgradeRequested {
                handle.channel.close(promise: nil)
            }
            unflushed = false
            let answerWritten = writeEnd(trailers, context: context)
            if requestEnded { finishExchange(context: context) } else { abandonRequestBody(context: context, answerWritten: answerWritten) }
        }
    }

    /// The partner's current batch of reads ended: what it delivered goes out
    /// in one flush (one TLS record batch and one write for a head and its body).
    func partnerReadComplete(requestID id: Int) {
        guard id == requestID, unflushed, let context else { return }
        unflushed = false
        context.flush()
    }

    func partnerFailed(requestID id: Int) {
        guard id == requestID, let context, !responseEnded else { return }
        state = .draining
        if responseStarted {
            context.flush()
            context.close(promise: nil)
        } else if let head = requestHead {
            write(page: route.failurePage(head), context: context)
            releaseHeldReads(context: context)
        }
    }

    func partnerWritabilityChanged(_ writable: Bool, requestID id: Int) {
        guard id == requestID else { return }
        partnerWritable = writable
        if writable && readPending, let context {
            readPending = false
            context.read()
        }
    }
}
