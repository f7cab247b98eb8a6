@testable import Blog
import Testing

@Suite struct TimestampTests {
    @Test func writesMicrosecondsAndZ() {
        #expect(Timestamp(microseconds: 1_764_066_532_917_105).iso8601 == "2025-11-25T10:28:52.917105Z")
        #expect(Timestamp(microseconds: 1_764_066_532_000_005).iso8601 == "2025-11-25T10:28:52.000005Z")
    }

    @Test func dropsAZeroFractionAsPythonDoes() {
        #expect(Timestamp(microseconds: 951_782_400_000_000).iso8601 == "2000-02-29T00:00:00Z")
        #expect(Timestamp(microseconds: 0).iso8601 == "1970-01-01T00:00:00Z")
    }

    @Test func nowIsCloseToTheSystemClock() {
        let a = Timestamp.now(), b = Timestamp.now()
        #expect(a <= b)
        #expect(a.microseconds > 1_700_000_000_000_000)
    }
}
