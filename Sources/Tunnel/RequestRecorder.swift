import Foundation
import NIOConcurrencyHelpers
import NIOHTTP1

/// What the agent's inspector shows: the tunnel's state and its recent
/// requests (method, path, status, when), newest last, capped.
final class RequestRecorder: Sendable {
    struct Entry: Sendable {
        let time: Date
        let method: String
        let uri: String
        let host: String
        let clientAddress: String
        let status: Int
    }

    struct Tunnel: Sendable {
        var name: String?
        var publicURL: String?
        var online = false
    }

    private let entries = NIOLockedValueBox([Entry]())
    private let state = NIOLockedValueBox(Tunnel())
    private let capacity: Int

    init(capacity: Int = 500) { self.capacity = capacity }

    func record(_ head: HTTPRequestHead, status: Int) {
        let entry = Entry(time: Date(), method: head.method.rawValue, uri: head.uri, host: head.headers.first(name: "host") ?? "",
                          clientAddress: head.headers.first(name: "x-forwarded-for") ?? "", status: status)
        entries.withLockedValue { entries in
            entries.append(entry)
            if entries.count > capacity { entries.removeFirst(entries.count - capacity) }
        }
    }

    func update(_ change: @Sendable (inout Tunnel) -> Void) { state.withLockedValue { change(&$0) } }

    var all: [Entry] { entries.withLockedValue { $0 } }
    var tunnel: Tunnel { state.withLockedValue { $0 } }
}
