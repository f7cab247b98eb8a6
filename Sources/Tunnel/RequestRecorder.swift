import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1

/// What the agent's inspector shows: the tunnel's state and its recent
/// exchanges (``Entry``), newest last, in a ring bounded by count and by the
/// bytes of captured bodies, so a burst of uploads cannot grow the agent.
final class RequestRecorder: Sendable {
    /// One finished exchange as the agent saw it: the request as it arrived
    /// from the relay, the upstream's response (nil when there was none), and
    /// both bodies captured up to ``ExchangeCapture/bodyLimit``.
    struct Entry: Sendable {
        let id: String
        let start: Date
        let durationNanoseconds: UInt64
        let clientAddress: String
        let request: HTTPRequestHead
        let requestBody: CapturedBody
        let response: HTTPResponseHead?
        let responseBody: CapturedBody

        var capturedBytes: Int { requestBody.bytes.readableBytes + responseBody.bytes.readableBytes }
    }

    struct Tunnel: Sendable {
        var name: String?
        var publicURL: String?
        var online = false
    }

    private struct Ring {
        var entries: [Entry] = []
        var bytes = 0
        var nextID: UInt64 = 1
    }

    private let ring = NIOLockedValueBox(Ring())
    private let state = NIOLockedValueBox(Tunnel())
    private let capacity: Int
    private let byteBudget: Int
    /// Distinguishes this process's ids from another run's (ngrok's ids are opaque hex too).
    private let session = UInt32.random(in: 0...UInt32.max)

    init(capacity: Int = 500, byteBudget: Int = 32 << 20) {
        self.capacity = capacity
        self.byteBudget = byteBudget
    }

    /// A fresh id for an exchange that is starting.
    func makeID() -> String {
        let number = ring.withLockedValue { ring in
            defer { ring.nextID += 1 }
            return ring.nextID
        }
        return String(format: "%08x%08llx", session, number)
    }

    func record(_ entry: Entry) {
        ring.withLockedValue { ring in
            ring.entries.append(entry)
            ring.bytes += entry.capturedBytes
            while ring.entries.count > capacity || (ring.bytes > byteBudget && ring.entries.count > 1) {
                ring.bytes -= ring.entries.removeFirst().capturedBytes
            }
        }
    }

    func entry(id: String) -> Entry? { ring.withLockedValue { $0.entries.last { $0.id == id } } }

    func clear() { ring.withLockedValue { $0.entries = []; $0.bytes = 0 } }

    func update(_ change: @Sendable (inout Tunnel) -> Void) { state.withLockedValue { change(&$0) } }

    var all: [Entry] { ring.withLockedValue { $0.entries } }
    var tunnel: Tunnel { state.withLockedValue { $0 } }
}
