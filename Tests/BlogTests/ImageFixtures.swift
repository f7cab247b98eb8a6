/// Minimal but well-formed image headers, built byte by byte, so that the
/// tests do not depend on an image library.
enum ImageFixtures {
    static func be32(_ v: Int) -> [UInt8] { [UInt8(v >> 24 & 255), UInt8(v >> 16 & 255), UInt8(v >> 8 & 255), UInt8(v & 255)] }
    static func be16(_ v: Int) -> [UInt8] { [UInt8(v >> 8 & 255), UInt8(v & 255)] }
    static func le16(_ v: Int) -> [UInt8] { [UInt8(v & 255), UInt8(v >> 8 & 255)] }

    static func png(width: Int, height: Int, depth: UInt8 = 8, colour: UInt8 = 6) -> [UInt8] {
        [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + be32(13) + Array("IHDR".utf8)
            + be32(width) + be32(height) + [depth, colour, 0, 0, 0] + [0, 0, 0, 0]
    }

    /// SOI, an APP1 segment of `padding` bytes (metadata before the frame), SOF0.
    static func jpeg(width: Int, height: Int, padding: Int = 40) -> [UInt8] {
        [0xFF, 0xD8, 0xFF, 0xE1] + be16(padding + 2) + [UInt8](repeating: 0x41, count: padding)
            + [0xFF, 0xC0] + be16(17) + [8] + be16(height) + be16(width) + [3] + [UInt8](repeating: 1, count: 9)
            + [0xFF, 0xD9]
    }

    static func gif(width: Int, height: Int) -> [UInt8] {
        Array("GIF89a".utf8) + le16(width) + le16(height) + [0, 0, 0, 0x3B]
    }

    static func webpLossless(width: Int, height: Int) -> [UInt8] {
        let bits = (width - 1) | (height - 1) << 14
        let payload: [UInt8] = [0x2F, UInt8(bits & 255), UInt8(bits >> 8 & 255), UInt8(bits >> 16 & 255), UInt8(bits >> 24 & 255)]
        return Array("RIFF".utf8) + [30, 0, 0, 0] + Array("WEBPVP8L".utf8) + [5, 0, 0, 0] + payload + [0, 0, 0]
    }

    static func webpLossy(width: Int, height: Int) -> [UInt8] {
        Array("RIFF".utf8) + [30, 0, 0, 0] + Array("WEBPVP8 ".utf8) + [10, 0, 0, 0]
            + [0, 0, 0, 0x9D, 0x01, 0x2A] + le16(width) + le16(height) + [0, 0]
    }

    static func webpExtended(width: Int, height: Int) -> [UInt8] {
        let w = width - 1, h = height - 1
        return Array("RIFF".utf8) + [30, 0, 0, 0] + Array("WEBPVP8X".utf8) + [10, 0, 0, 0]
            + [0, 0, 0, 0] + [UInt8(w & 255), UInt8(w >> 8 & 255), UInt8(w >> 16 & 255)]
            + [UInt8(h & 255), UInt8(h >> 8 & 255), UInt8(h >> 16 & 255)]
    }
}
