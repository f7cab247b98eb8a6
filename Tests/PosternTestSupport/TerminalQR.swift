import Foundation

/// Reads back a QR code that Postern drew in a terminal with half blocks
/// (light modules inked, as on a dark terminal) and decodes it with `zbarimg`,
/// so a test checks what a phone camera would read, not how it was drawn.
public enum TerminalQR {
    /// The lines of `output` that are drawn with half blocks, as one block of text.
    public static func block(in output: String) -> String? {
        let lines = output.split(separator: "\n", omittingEmptySubsequences: false).filter { line in
            !line.isEmpty && line.allSatisfy { "█▀▄ ".contains($0) } && line.contains { $0 != " " }
        }
        return lines.isEmpty ? nil : lines.joined(separator: "\n")
    }

    /// A binary PGM of the drawing, `scale` pixels a module, with four more
    /// light modules around it.
    public static func pgm(_ drawing: String, scale: Int = 4) -> [UInt8] {
        var rows: [[Bool]] = []   // true: light
        for line in drawing.split(separator: "\n") {
            rows.append(line.map { $0 == "█" || $0 == "▀" })
            rows.append(line.map { $0 == "█" || $0 == "▄" })
        }
        let margin = 4
        let width = ((rows.map(\.count).max() ?? 0) + margin * 2) * scale
        let height = (rows.count + margin * 2) * scale
        var pixels = [UInt8](repeating: 255, count: width * height)
        for (y, row) in rows.enumerated() {
            for (x, light) in row.enumerated() where !light {
                for dy in 0..<scale {
                    for dx in 0..<scale {
                        pixels[((y + margin) * scale + dy) * width + (x + margin) * scale + dx] = 0
                    }
                }
            }
        }
        return Array("P5\n\(width) \(height)\n255\n".utf8) + pixels
    }

    /// What `zbarimg` reads in the drawing, or `nil` when zbarimg is not installed.
    public static func decode(_ drawing: String) async throws -> String? {
        guard let zbarimg = TestProcesses.which("zbarimg") else { return nil }
        let folder = try TestProcesses.temporaryFolder("qr")
        defer { try? FileManager.default.removeItem(at: folder) }
        let image = folder.appendingPathComponent("code.pgm")
        try Data(pgm(drawing)).write(to: image)
        let result = try await TestProcesses.run([zbarimg, "--raw", "-q", "-Sbinary", image.path])
        return result.stdout
    }
}
