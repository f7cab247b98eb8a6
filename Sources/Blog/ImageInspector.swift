#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What an uploaded file's bytes say it is.
public struct ImageInfo: Sendable, Equatable {
    /// The formats the API accepts, recognised by their signature, never by the file name.
    public enum Format: String, Sendable { case png, jpeg, gif, webp }
    public var format: Format
    public var width: Int
    public var height: Int
}

/// Decides whether a file is an image the API accepts, by parsing its header.
///
/// DRF hands uploads to Pillow; Postern accepts the four formats phones and
/// browsers send (PNG, JPEG, GIF, WebP) when their header parses and gives a
/// width and height of at least 1 and at most Pillow's decompression-bomb
/// bound of 89,478,485 pixels. Only the header is read: a JPEG's frame header
/// may sit after large metadata segments, so segments are skipped by seeking.
///
/// ```swift
/// if let info = ImageInspector.inspect(path: "/tmp/upload") { print(info.width) }
/// ```
public enum ImageInspector {
    /// Pillow's `MAX_IMAGE_PIXELS` × 2: above it Pillow refuses the image as a bomb.
    public static let maximumPixels = 89_478_485

    /// Inspects the file at `path`; `nil` when it is not an acceptable image.
    public static func inspect(path: String) -> ImageInfo? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        return inspect { offset, count in
            var bytes = [UInt8](repeating: 0, count: count)
            let got = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, count, off_t(offset)) }
            return got == count ? bytes : nil
        }
    }

    /// Inspects bytes held in memory.
    public static func inspect(bytes: [UInt8]) -> ImageInfo? {
        inspect { offset, count in
            guard offset >= 0, offset + count <= bytes.count else { return nil }
            return Array(bytes[offset..<offset + count])
        }
    }

    /// Inspects through `read(offset, count)`, which returns exactly `count` bytes or `nil`.
    static func inspect(read: (Int, Int) -> [UInt8]?) -> ImageInfo? {
        guard let head = read(0, 12) else { return nil }
        let info: ImageInfo?
        if head.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) {
            info = png(read)
        } else if head.starts(with: [0xFF, 0xD8, 0xFF]) {
            info = jpeg(read)
        } else if head.starts(with: Array("GIF87a".utf8)) || head.starts(with: Array("GIF89a".utf8)) {
            info = gif(read)
        } else if head.starts(with: Array("RIFF".utf8)) && Array(head[8..<12]) == Array("WEBP".utf8) {
            info = webp(read)
        } else {
            info = nil
        }
        guard let info, info.width >= 1, info.height >= 1,
              info.width * info.height <= maximumPixels else { return nil }
        return info
    }

    private static func bigEndian(_ b: ArraySlice<UInt8>) -> Int {
        b.reduce(0) { $0 << 8 | Int($1) }
    }

    private static func littleEndian(_ b: ArraySlice<UInt8>) -> Int {
        b.reversed().reduce(0) { $0 << 8 | Int($1) }
    }

    /// PNG: the first chunk must be IHDR (length 13) with a valid bit depth and colour type.
    private static func png(_ read: (Int, Int) -> [UInt8]?) -> ImageInfo? {
        guard let h = read(8, 25), bigEndian(h[0..<4]) == 13, Array(h[4..<8]) == Array("IHDR".utf8) else { return nil }
        let depth = h[16], colour = h[17]
        let allowed: [UInt8: [UInt8]] = [0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16]]
        guard allowed[colour]?.contains(depth) == true else { return nil }
        return ImageInfo(format: .png, width: bigEndian(h[8..<12]), height: bigEndian(h[12..<16]))
    }

    /// GIF: logical screen width and height, little-endian, after the signature.
    private static func gif(_ read: (Int, Int) -> [UInt8]?) -> ImageInfo? {
        guard let h = read(6, 4) else { return nil }
        return ImageInfo(format: .gif, width: littleEndian(h[0..<2]), height: littleEndian(h[2..<4]))
    }

    /// JPEG: walks the marker segments to the first start-of-frame.
    private static func jpeg(_ read: (Int, Int) -> [UInt8]?) -> ImageInfo? {
        var offset = 2
        for _ in 0..<1024 {
            guard var marker = read(offset, 2), marker[0] == 0xFF else { return nil }
            // Fill bytes (0xFF) may precede a marker.
            while marker[1] == 0xFF {
                offset += 1
                guard let next = read(offset, 2) else { return nil }
                marker = next
            }
            let code = marker[1]
            if code == 0xD8 || code == 0x01 || (0xD0...0xD7).contains(code) {
                offset += 2
                continue
            }
            guard code != 0xD9, code != 0xDA, let lengthBytes = read(offset + 2, 2) else { return nil }
            let length = bigEndian(lengthBytes[0..<2])
            guard length >= 2 else { return nil }
            let startOfFrame: Set<UInt8> = [0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF]
            if startOfFrame.contains(code) {
                guard length >= 8, let frame = read(offset + 4, 6) else { return nil }
                return ImageInfo(format: .jpeg, width: bigEndian(frame[3..<5]), height: bigEndian(frame[1..<3]))
            }
            offset += 2 + length
        }
        return nil
    }

    /// WebP: the first chunk is VP8 (lossy), VP8L (lossless) or VP8X (extended).
    private static func webp(_ read: (Int, Int) -> [UInt8]?) -> ImageInfo? {
        guard let chunk = read(12, 8) else { return nil }
        switch String(decoding: chunk[0..<4], as: UTF8.self) {
        case "VP8 ":
            guard let f = read(20, 10), Array(f[3..<6]) == [0x9D, 0x01, 0x2A] else { return nil }
            return ImageInfo(format: .webp, width: littleEndian(f[6..<8]) & 0x3FFF, height: littleEndian(f[8..<10]) & 0x3FFF)
        case "VP8L":
            guard let f = read(20, 5), f[0] == 0x2F else { return nil }
            let bits = littleEndian(f[1..<5])
            return ImageInfo(format: .webp, width: (bits & 0x3FFF) + 1, height: ((bits >> 14) & 0x3FFF) + 1)
        case "VP8X":
            guard let f = read(20, 10) else { return nil }
            return ImageInfo(format: .webp, width: littleEndian(f[4..<7]) + 1, height: littleEndian(f[7..<10]) + 1)
        default:
            return nil
        }
    }
}
