import Foundation

/// One answer as curl saw it.
struct CurlResponse {
    let status: Int
    let headers: [(String, String)]
    let body: Data
    var text: String { String(decoding: body, as: UTF8.self) }

    func header(_ name: String) -> String? {
        headers.last(where: { $0.0.lowercased() == name.lowercased() })?.1
    }

    var json: Any? { try? JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed]) }
}

/// curl, the real client: every request goes through the binary with the
/// given CA file (or none), and the answer is read back from files.
struct Curl {
    let caFile: URL?

    func callAsFunction(_ url: String, _ arguments: [String] = []) async throws -> CurlResponse {
        let folder = try PosternProcess.temporaryFolder("curl")
        defer { try? FileManager.default.removeItem(at: folder) }
        let headerFile = folder.appendingPathComponent("h"), bodyFile = folder.appendingPathComponent("b")
        var args = ["-sS", "--max-time", "60", "-D", headerFile.path, "-o", bodyFile.path, "-w", "%{http_code}"]
        if let caFile { args += ["--cacert", caFile.path] }
        let result = try await run("curl", args + arguments + [url])
        guard result.status == 0 else { throw ProcessFailure("curl \(arguments) \(url) failed (\(result.status)): \(result.stderr)") }
        let rawHeaders = (try? String(contentsOf: headerFile, encoding: .utf8)) ?? ""
        // With redirects or 100-continue there are several header blocks: keep the last.
        let block = rawHeaders.components(separatedBy: "\r\n\r\n").filter { !$0.isEmpty }.last ?? ""
        let headers: [(String, String)] = block.components(separatedBy: "\r\n").dropFirst().compactMap { line in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        return CurlResponse(status: Int(result.stdout) ?? -1, headers: headers, body: (try? Data(contentsOf: bodyFile)) ?? Data())
    }
}

/// A PNG made byte by byte (16×16, valid IHDR, IDAT and IEND with CRCs), as a client would upload.
enum TestImages {
    static func png(width: UInt32 = 16, height: UInt32 = 16) -> Data {
        func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 255), UInt8(v >> 8 & 255), UInt8(v & 255)] }
        func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
            let body = Array(type.utf8) + data
            return be32(UInt32(data.count)) + body + be32(crc32(body))
        }
        // Uncompressed deflate (stored block) of height rows of (filter byte + width grey bytes).
        let raw = [UInt8]((0..<height).flatMap { _ in [0] + [UInt8](repeating: 0x80, count: Int(width)) })
        let stored: [UInt8] = [0x78, 0x01, 0x01] + [UInt8(raw.count & 255), UInt8(raw.count >> 8), UInt8(~raw.count & 255), UInt8((~raw.count >> 8) & 255)] + raw + be32(adler32(raw))
        let ihdr = be32(width) + be32(height) + [8, 0, 0, 0, 0]
        return Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + chunk("IHDR", ihdr) + chunk("IDAT", stored) + chunk("IEND", []))
    }

    private static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    private static func adler32(_ bytes: [UInt8]) -> UInt32 {
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in bytes { a = (a + UInt32(byte)) % 65521; b = (b + a) % 65521 }
        return b << 16 | a
    }

    static func write(_ data: Data, name: String) throws -> URL {
        let url = try PosternProcess.temporaryFolder("img").appendingPathComponent(name)
        try data.write(to: url)
        return url
    }
}
