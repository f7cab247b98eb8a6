import Foundation
import NIOCore
import NIOHTTP1

/// The first bytes of a body, and how many there were in all.
struct CapturedBody: Sendable {
    var bytes = ByteBuffer()
    var size = 0

    /// Whether bytes past the capture limit were left out.
    var truncated: Bool { size > bytes.readableBytes }

    /// Counts `part` and copies what still fits under `limit` (a copy, so no
    /// slice of a decoder's buffer is kept alive).
    mutating func append(_ part: ByteBuffer, limit: Int) {
        size += part.readableBytes
        let room = limit - bytes.readableBytes
        if room > 0 { bytes.writeBytes(part.readableBytesView.prefix(room)) }
    }
}

/// Taps one exchange for the inspector as its parts stream past: it never
/// holds more than ``bodyLimit`` bytes of each body and never delays a part;
/// ``finish()`` files the ``RequestRecorder/Entry`` once, however the exchange ends.
///
/// Confined to the event loop of the channel that drives the exchange.
final class ExchangeCapture {
    /// Bytes kept of each body; the rest is counted and marked truncated.
    static let bodyLimit = 64 * 1024

    private let recorder: RequestRecorder
    private let id: String
    private let start = Date()
    private let started = NIODeadline.now()
    private let request: HTTPRequestHead
    private var requestBody = CapturedBody()
    private var response: HTTPResponseHead?
    private var responseBody = CapturedBody()
    private var finished = false

    init(_ request: HTTPRequestHead, recorder: RequestRecorder) {
        self.request = request
        self.recorder = recorder
        self.id = recorder.makeID()
    }

    func requestPart(_ body: ByteBuffer) { requestBody.append(body, limit: Self.bodyLimit) }
    func responseHead(_ head: HTTPResponseHead) { response = head }
    func responsePart(_ body: ByteBuffer) { responseBody.append(body, limit: Self.bodyLimit) }

    /// Files the entry (the first call only).
    func finish() {
        guard !finished else { return }
        finished = true
        let elapsed = NIODeadline.now() - started
        recorder.record(RequestRecorder.Entry(
            id: id, start: start, durationNanoseconds: UInt64(max(0, elapsed.nanoseconds)),
            clientAddress: request.headers.first(name: "x-forwarded-for") ?? "", request: request, requestBody: requestBody,
            response: response, responseBody: responseBody
        ))
    }
}
