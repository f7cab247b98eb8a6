#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A point in time with microsecond precision, in UTC.
///
/// Django stores `DateTimeField` with microseconds and DRF renders them as
/// ISO 8601 with a `Z` (`2026-11-25T12:00:00.617285Z`), dropping the fraction
/// when it is zero. Foundation's formatters stop at milliseconds, so the
/// formatting here is done by hand (it is also much cheaper).
public struct Timestamp: Sendable, Hashable, Comparable {
    /// Microseconds since 1970-01-01T00:00:00Z.
    public var microseconds: Int64

    public init(microseconds: Int64) { self.microseconds = microseconds }

    /// The current time, read from the realtime clock.
    public static func now() -> Timestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Timestamp(microseconds: Int64(spec.tv_sec) * 1_000_000 + Int64(spec.tv_nsec) / 1000)
    }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool { lhs.microseconds < rhs.microseconds }

    /// `YYYY-MM-DDTHH:MM:SS[.ffffff]Z`, as DRF writes a UTC datetime.
    public var iso8601: String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(27)
        appendISO8601(to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends the ISO 8601 form to a byte array (no allocation of its own).
    public func appendISO8601(to bytes: inout [UInt8]) {
        var seconds = microseconds >= 0 ? microseconds / 1_000_000 : (microseconds - 999_999) / 1_000_000
        let micros = Int(microseconds - seconds * 1_000_000)
        var days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        seconds -= days * 86_400
        let hour = Int(seconds / 3600), minute = Int(seconds % 3600 / 60), second = Int(seconds % 60)
        // Civil date from days since the epoch (Howard Hinnant's algorithm).
        days += 719_468
        let era = (days >= 0 ? days : days - 146_096) / 146_097
        let dayOfEra = days - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = Int(dayOfYear - (153 * mp + 2) / 5 + 1)
        let month = Int(mp < 10 ? mp + 3 : mp - 9)
        let year = Int(yearOfEra + era * 400 + (month <= 2 ? 1 : 0))

        func digits(_ value: Int, _ count: Int) {
            var divisor = 1
            for _ in 1..<count { divisor *= 10 }
            var value = value
            while divisor > 0 {
                bytes.append(UInt8(ascii: "0") + UInt8(value / divisor))
                value %= divisor
                divisor /= 10
            }
        }
        digits(year, 4); bytes.append(UInt8(ascii: "-"))
        digits(month, 2); bytes.append(UInt8(ascii: "-"))
        digits(day, 2); bytes.append(UInt8(ascii: "T"))
        digits(hour, 2); bytes.append(UInt8(ascii: ":"))
        digits(minute, 2); bytes.append(UInt8(ascii: ":"))
        digits(second, 2)
        if micros != 0 {
            bytes.append(UInt8(ascii: "."))
            digits(micros, 6)
        }
        bytes.append(UInt8(ascii: "Z"))
    }
}
