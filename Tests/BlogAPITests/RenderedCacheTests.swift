@testable import BlogAPI
import Testing

@Suite struct RenderedCacheTests {
    @Test func servesOnlyWhatWasStoredForTheCurrentGeneration() {
        let cache = RenderedCache()
        cache.put("a", generation: 1, json: [1])
        #expect(cache.get("a", generation: 1) == [1])
        #expect(cache.get("a", generation: 2) == nil)
        #expect(cache.get("b", generation: 1) == nil)
        // A newer generation replaces everything; a late answer for an older one is dropped.
        cache.put("b", generation: 2, json: [2])
        cache.put("a", generation: 1, json: [9])
        #expect(cache.get("a", generation: 2) == nil)
        #expect(cache.get("b", generation: 2) == [2])
    }
}
