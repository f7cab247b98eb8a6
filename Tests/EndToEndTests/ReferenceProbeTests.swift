import Foundation
import Testing

/// Runs the reference's conformance probe (`../shared/reference/bench/probe.sh`)
/// against `postern serve` and compares every answer with the one recorded
/// from Django + DRF, after removing what legitimately varies (dates, the port,
/// Content-Length). The sections where Postern differs on purpose are listed
/// with the reason, and checked for Postern's own answer instead.
@Suite struct ReferenceProbeTests {
    static let reference: URL? = {
        if let path = ProcessInfo.processInfo.environment["POSTERN_REFERENCE"] { return URL(fileURLWithPath: path) }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let candidate = root.deletingLastPathComponent().appendingPathComponent("shared/reference")
        return FileManager.default.fileExists(atPath: candidate.appendingPathComponent("bench/probe.sh").path) ? candidate : nil
    }()

    /// Section number → why Postern answers differently from the tutorial's settings.
    static let intendedDifferences: [Int: String] = [
        12: "the HTML page is Postern's own (its <title> names Postern, not Django REST framework)",
        13: "Host: evil.example is not an allowed host: 400 (the reference runs with ALLOWED_HOSTS = ['*'])",
        17: "X-Forwarded-Host: tunnel.example is not an allowed host: 400",
        18: "Host: evil.example is not an allowed host: 400",
    ]

    @Test func answersMatchTheDjangoReference() async throws {
        guard let reference = Self.reference else {
            print("ReferenceProbeTests: skipped, ../shared/reference/bench/probe.sh not found (set POSTERN_REFERENCE)")
            return
        }
        let server = try PosternProcess()
        try await server.waitUntilListening()
        let probe = try await run("/bin/bash", [reference.appendingPathComponent("bench/probe.sh").path, server.base, server.caFile.path])
        #expect(probe.status == 0, "\(probe.stderr)")
        let ours = Self.sections(probe.stdout, port: server.port)
        let expected = Self.sections(try String(contentsOf: reference.appendingPathComponent("bench/probe-django-gunicorn.txt"), encoding: .utf8), port: 8443)
        #expect(ours.count == expected.count, "section count \(ours.count) vs \(expected.count)")
        for (number, text) in expected.sorted(by: { $0.key < $1.key }) {
            if let reason = Self.intendedDifferences[number] {
                if number != 12 { #expect(ours[number]?.contains("< STATUS 400") == true, "\(number): \(reason)") }
                continue
            }
            #expect(ours[number] == text, "section \(number) differs:\n--- Django\n\(text)\n--- Postern\n\(ours[number] ?? "(missing)")")
        }
    }

    /// Splits a probe transcript into numbered sections, normalised.
    static func sections(_ transcript: String, port: Int) -> [Int: String] {
        var result: [Int: String] = [:]
        for block in transcript.components(separatedBy: "\n=== ").dropFirst() {
            guard let number = Int(block.prefix(2)) else { continue }
            let lines = block.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.lowercased().hasPrefix("< content-length:") }
            var text = lines.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
            text = text.replacingOccurrences(of: #"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z"#, with: "DATE", options: .regularExpression)
            text = text.replacingOccurrences(of: "127.0.0.1:\(port)", with: "127.0.0.1:PORT")
            // curl speaks HTTP/2 to Postern and HTTP/1.1 to gunicorn: compare the status code only.
            text = text.replacingOccurrences(of: #"< HTTP/[0-9.]+ (\d{3})[^\n]*"#, with: "< STATUS $1", options: .regularExpression)
            result[number] = text
        }
        return result
    }
}
