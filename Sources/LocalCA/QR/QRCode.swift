/// A QR Code (ISO/IEC 18004) in byte mode, versions 1 to 10, error
/// correction level M (or L when M does not fit), with the mask chosen by the
/// standard's penalty rules.
///
/// ```swift
/// let code = try QRCode(encoding: "http://192.168.1.20:8080/ca")
/// print(code.halfBlockText())   // scan it with a phone camera
/// ```
///
/// Written for Postern so the `/ca` page's address can be shown in a
/// terminal without a dependency: URLs of a few dozen bytes need version 2
/// to 4. The layout follows the standard's section numbers: 7.4 (data
/// encoding), 7.5 (Reed–Solomon), 7.6 (interleaving), 7.7 (placement),
/// 7.8 (masking) and 7.9 (format and version information).
public struct QRCode: Sendable, Equatable {
    /// The error correction level.
    public enum ErrorCorrection: Sendable, Equatable {
        /// About 7 % of the codewords may be lost.
        case low
        /// About 15 % of the codewords may be lost.
        case medium

        /// The two format bits (section 7.9.1).
        var formatBits: Int { self == .low ? 1 : 0 }
    }

    /// The version, 1 to 10 (the matrix is 17 + 4 × version modules wide).
    public let version: Int
    /// The error correction level used.
    public let errorCorrection: ErrorCorrection
    /// The mask pattern applied, 0 to 7.
    public let mask: Int
    /// Modules a side.
    public var size: Int { version * 4 + 17 }
    /// `modules[y][x]` is true for a dark module.
    public let modules: [[Bool]]

    /// Encodes `text` as UTF-8 bytes. Throws when it is longer than version 10 holds (213 bytes at level M, 271 at L).
    public init(encoding text: String, errorCorrection preferred: ErrorCorrection = .medium) throws {
        try self.init(bytes: Array(text.utf8), errorCorrection: preferred)
    }

    /// Encodes `bytes` in byte mode in the smallest version that holds them.
    public init(bytes: [UInt8], errorCorrection preferred: ErrorCorrection = .medium, mask fixedMask: Int? = nil) throws {
        let levels: [ErrorCorrection] = preferred == .medium ? [.medium, .low] : [.low]
        for level in levels {
            for version in 1...10 where Self.dataCapacityBits(version: version, level: level) >= Self.bitsNeeded(bytes.count, version: version) {
                var matrix = QRMatrix(version: version)
                matrix.drawFunctionPatterns(formatBits: level.formatBits)
                let codewords = Self.interleave(Self.dataCodewords(bytes, version: version, level: level), version: version, level: level)
                matrix.drawCodewords(codewords)
                var chosen = fixedMask ?? 0
                if fixedMask == nil {
                    var best = Int.max
                    for candidate in 0..<8 {
                        var trial = matrix
                        trial.applyMask(candidate)
                        trial.drawFormatBits(level.formatBits, mask: candidate)
                        let penalty = trial.penalty()
                        if penalty < best { best = penalty; chosen = candidate }
                    }
                }
                matrix.applyMask(chosen)
                matrix.drawFormatBits(level.formatBits, mask: chosen)
                self.version = version
                self.errorCorrection = level
                self.mask = chosen
                self.modules = matrix.modules
                return
            }
        }
        throw LocalCAError(.invalidName, "\(bytes.count) bytes do not fit in a QR code of version 10; use a shorter URL (at most 271 bytes).")
    }

    // MARK: - Capacity (table 9 of the standard, versions 1–10)

    /// Error correction codewords a block, index = version.
    static let eccPerBlock: [ErrorCorrection: [Int]] = [
        .low: [0, 7, 10, 15, 20, 26, 18, 20, 24, 30, 18],
        .medium: [0, 10, 16, 26, 18, 24, 16, 18, 22, 22, 26],
    ]
    /// Blocks, index = version.
    static let blockCount: [ErrorCorrection: [Int]] = [
        .low: [0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 4],
        .medium: [0, 1, 1, 1, 2, 2, 4, 4, 4, 5, 5],
    ]

    /// Codewords the matrix holds once the function patterns are drawn.
    static func rawCodewords(version: Int) -> Int {
        var modules = (16 * version + 128) * version + 64
        if version >= 2 {
            let alignments = version / 7 + 2
            modules -= (25 * alignments - 10) * alignments - 55
            if version >= 7 { modules -= 36 }
        }
        return modules / 8
    }

    static func dataCodewordCount(version: Int, level: ErrorCorrection) -> Int {
        rawCodewords(version: version) - eccPerBlock[level]![version] * blockCount[level]![version]
    }

    static func dataCapacityBits(version: Int, level: ErrorCorrection) -> Int {
        dataCodewordCount(version: version, level: level) * 8
    }

    /// Mode indicator, character count and the bytes (section 7.4.5).
    static func bitsNeeded(_ count: Int, version: Int) -> Int {
        let countBits = version < 10 ? 8 : 16
        return count < (1 << countBits) ? 4 + countBits + 8 * count : Int.max
    }

    /// The data codewords: byte mode header, bytes, terminator and padding (7.4.9, 7.4.10).
    static func dataCodewords(_ bytes: [UInt8], version: Int, level: ErrorCorrection) -> [UInt8] {
        var bits: [Bool] = []
        func append(_ value: Int, _ length: Int) {
            for shift in stride(from: length - 1, through: 0, by: -1) { bits.append((value >> shift) & 1 == 1) }
        }
        append(0b0100, 4)
        append(bytes.count, version < 10 ? 8 : 16)
        for byte in bytes { append(Int(byte), 8) }
        let capacity = dataCapacityBits(version: version, level: level)
        append(0, min(4, capacity - bits.count))
        append(0, (8 - bits.count % 8) % 8)
        var codewords: [UInt8] = stride(from: 0, to: bits.count, by: 8).map { start in
            bits[start..<start + 8].reduce(UInt8(0)) { ($0 << 1) | ($1 ? 1 : 0) }
        }
        var pad: UInt8 = 0xEC
        while codewords.count < capacity / 8 {
            codewords.append(pad)
            pad = pad == 0xEC ? 0x11 : 0xEC
        }
        return codewords
    }

    /// Splits the data into blocks, adds each block's Reed–Solomon codewords and interleaves them (7.5, 7.6).
    static func interleave(_ data: [UInt8], version: Int, level: ErrorCorrection) -> [UInt8] {
        let blocks = blockCount[level]![version]
        let eccLength = eccPerBlock[level]![version]
        let raw = rawCodewords(version: version)
        let shortBlocks = blocks - raw % blocks
        let shortLength = raw / blocks
        let divisor = ReedSolomon.divisor(degree: eccLength)
        var dataBlocks: [[UInt8]] = []
        var eccBlocks: [[UInt8]] = []
        var offset = 0
        for index in 0..<blocks {
            let length = shortLength - eccLength + (index < shortBlocks ? 0 : 1)
            let block = Array(data[offset..<offset + length])
            offset += length
            dataBlocks.append(block)
            eccBlocks.append(ReedSolomon.remainder(block, divisor: divisor))
        }
        var result: [UInt8] = []
        let longest = dataBlocks.map(\.count).max() ?? 0
        for column in 0..<longest {
            for block in dataBlocks where column < block.count { result.append(block[column]) }
        }
        for column in 0..<eccLength {
            for block in eccBlocks { result.append(block[column]) }
        }
        return result
    }
}

/// Reed–Solomon over GF(2⁸) with the QR polynomial x⁸ + x⁴ + x³ + x² + 1 (section 7.5.2).
enum ReedSolomon {
    static func multiply(_ x: UInt8, _ y: UInt8) -> UInt8 {
        var z = 0
        for bit in stride(from: 7, through: 0, by: -1) {
            z = (z << 1) ^ ((z >> 7) * 0x11D)
            z ^= ((Int(y) >> bit) & 1) * Int(x)
        }
        return UInt8(z)
    }

    /// The generator polynomial's coefficients, highest degree first, the leading 1 left out.
    static func divisor(degree: Int) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: degree)
        result[degree - 1] = 1
        var root: UInt8 = 1
        for _ in 0..<degree {
            for index in 0..<degree {
                result[index] = multiply(result[index], root)
                if index + 1 < degree { result[index] ^= result[index + 1] }
            }
            root = multiply(root, 0x02)
        }
        return result
    }

    static func remainder(_ data: [UInt8], divisor: [UInt8]) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: divisor.count)
        for byte in data {
            let factor = byte ^ result[0]
            result.removeFirst()
            result.append(0)
            for index in 0..<result.count { result[index] ^= multiply(divisor[index], factor) }
        }
        return result
    }
}
