import Synchronization

/// Encoded answers (the list per origin, an article per id and origin), valid
/// while the store's generation is unchanged: any write empties it in effect.
///
/// An entry is stored under the generation read *before* the store was
/// queried, so an answer that raced with a write is never served after it.
final class RenderedCache: Sendable {
    private struct State {
        var generation: UInt64 = 0
        var entries: [String: [UInt8]] = [:]
    }
    private let state = Mutex(State())
    /// Bounds memory when many ids or origins are asked for.
    private static let capacity = 4096

    func get(_ key: String, generation: UInt64) -> [UInt8]? {
        state.withLock { $0.generation == generation ? $0.entries[key] : nil }
    }

    func put(_ key: String, generation: UInt64, json: [UInt8]) {
        state.withLock { state in
            if state.generation != generation {
                guard generation > state.generation else { return }
                state = State(generation: generation)
            }
            if state.entries.count >= Self.capacity { state.entries.removeAll(keepingCapacity: true) }
            state.entries[key] = json
        }
    }
}
