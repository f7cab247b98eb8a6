import Foundation
import Testing

@testable import LocalCA

/// The QR encoder, checked against the standard's worked example and decoded by a real decoder (zbarimg).
@Suite struct QRCodeTests {
    /// ISO/IEC 18004 annex I: "01234567" at 1-M has these 16 data codewords and these 10 error correction codewords.
    @Test func reedSolomonMatchesTheStandardsExample() {
        let data: [UInt8] = [0x10, 0x20, 0x0C, 0x56, 0x61, 0x80, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11]
        let ecc = ReedSolomon.remainder(data, divisor: ReedSolomon.divisor(degree: 10))
        #expect(ecc == [165, 36, 212, 193, 237, 54, 199, 135, 44, 85])
    }

    @Test func capacitiesMatchTheStandardsTable() {
        // Table 7, byte mode: versions 1–10 at L and M.
        let low = [17, 32, 53, 78, 106, 134, 154, 192, 230, 271]
        let medium = [14, 26, 42, 62, 84, 106, 122, 152, 180, 213]
        for version in 1...10 {
            let countBits = version < 10 ? 8 : 16
            #expect((QRCode.dataCapacityBits(version: version, level: .low) - 4 - countBits) / 8 == low[version - 1])
            #expect((QRCode.dataCapacityBits(version: version, level: .medium) - 4 - countBits) / 8 == medium[version - 1])
        }
    }

    @Test func alignmentPatternPositionsMatchAnnexE() {
        #expect(QRMatrix(version: 1).alignmentPositions == [])
        #expect(QRMatrix(version: 2).alignmentPositions == [6, 18])
        #expect(QRMatrix(version: 7).alignmentPositions == [6, 22, 38])
        #expect(QRMatrix(version: 10).alignmentPositions == [6, 28, 50])
    }

    @Test func picksTheSmallestVersionAndLevelM() throws {
        // 2-M holds 26 bytes: 23 fit, 27 need version 3.
        let short = try QRCode(encoding: "http://10.0.0.2:8080/ca")
        #expect(short.version == 2)
        #expect(short.errorCorrection == .medium)
        #expect(short.size == 25)
        let longer = try QRCode(encoding: "http://192.168.1.20:8080/ca")
        #expect(longer.version == 3)
        // Past 213 bytes level M no longer fits version 10: level L takes over.
        let large = try QRCode(bytes: [UInt8](repeating: 0x41, count: 250))
        #expect(large.version == 10)
        #expect(large.errorCorrection == .low)
        #expect(throws: LocalCAError.self) { try QRCode(bytes: [UInt8](repeating: 0x41, count: 272)) }
    }

    @Test func halfBlockTextHasOneLineForTwoModuleRows() throws {
        let code = try QRCode(encoding: "hello")
        let lines = code.halfBlockText(quietZone: 2).split(separator: "\n")
        #expect(lines.count == (code.size + 4 + 1) / 2)
        #expect(lines.allSatisfy { $0.count == code.size + 4 })
    }

    @Test func svgDrawsOneSquareADarkModule() throws {
        let code = try QRCode(encoding: "http://10.0.0.2:8080/ca")
        let svg = code.svg()
        let dark = code.modules.reduce(0) { $0 + $1.filter { $0 }.count }
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 33 33\""))
        #expect(svg.components(separatedBy: "h1v1h-1z").count - 1 == dark)
    }

    @Test func caPageURLUsesTheFirstLANAddress() {
        let addresses = ["127.0.0.1", "::1", "fe80::1", "169.254.3.4", "fd00::5", "192.168.1.20", "10.0.0.2"].compactMap(IPAddress.init)
        #expect(CAPageURL.lan(port: 8080, addresses: addresses) == "http://192.168.1.20:8080/ca")
        #expect(CAPageURL.lan(port: 9000, addresses: ["::1", "fd00::5"].compactMap(IPAddress.init)) == "http://[fd00::5]:9000/ca")
        #expect(CAPageURL.lan(port: 8080, addresses: []) == "http://localhost:8080/ca")
    }

    /// Every version 1–10, both levels, every mask: what zbarimg reads back is what went in.
    @Test(arguments: [
        ("http://192.168.1.20:8080/ca", QRCode.ErrorCorrection.medium),
        ("x", .medium),
        ("http://[fd12:3456:789a::1]:8080/ca — ünïcödé ✓", .medium),
        (String(repeating: "postern-", count: 8), .low),
        (String(repeating: "0123456789abcdef", count: 6), .medium),
        (String(repeating: "https://relay.example/", count: 7), .medium),
        (String(repeating: "Z", count: 213), .medium),
        (String(repeating: "y", count: 271), .low),
    ])
    func zbarimgDecodesWhatWasEncoded(text: String, level: QRCode.ErrorCorrection) throws {
        guard let zbarimg = ["/usr/bin/zbarimg", "/usr/local/bin/zbarimg"].first(where: FileManager.default.isExecutableFile(atPath:)) else {
            print("QRCodeTests: skipping the decode check, zbarimg is missing (apt-get install zbar-tools)")
            return
        }
        for mask in [nil] + (0..<8).map(Optional.some) {
            let code = try QRCode(bytes: Array(text.utf8), errorCorrection: level, mask: mask)
            let decoded = try withTemporaryFolder { folder -> String in
                let image = folder.appendingPathComponent("code.pgm")
                try Data(code.pgm(scale: 4)).write(to: image)
                let process = Process()
                process.executableURL = URL(fileURLWithPath: zbarimg)
                process.arguments = ["--raw", "-q", "-Sbinary", image.path]
                let pipe = Pipe()
                process.standardOutput = pipe
                process.standardError = FileHandle.nullDevice
                try process.run()
                let data = pipe.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                return String(decoding: data, as: UTF8.self)
            }
            #expect(decoded == text, "version \(code.version) mask \(code.mask)")
        }
    }
}
