import Foundation

/// curl against an agent's inspector on 127.0.0.1, with JSON answers parsed.
struct InspectorClient {
    let port: Int

    /// One request; `headers` are extra `Name: value` lines (a Host given here replaces curl's).
    func call(_ path: String, method: String = "GET", json body: String? = nil, headers: [String] = []) async throws -> (status: Int, body: String) {
        var arguments = ["curl", "-sS", "--max-time", "30", "-X", method, "-w", "\n%{http_code}"]
        for header in headers { arguments += ["-H", header] }
        if let body { arguments += ["-H", "Content-Type: application/json", "--data-binary", body] }
        let result = try await runTool(arguments + ["http://127.0.0.1:\(port)\(path)"])
        guard result.status == 0 else { throw TestFailure("curl \(path) failed: \(result.stderr)") }
        var lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        let status = Int(lines.popLast() ?? "") ?? 0
        return (status, lines.joined(separator: "\n"))
    }

    func object(_ path: String) async throws -> [String: Any] {
        let answer = try await call(path)
        guard answer.status == 200, let object = try JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any] else {
            throw TestFailure("GET \(path): \(answer.status) \(answer.body)")
        }
        return object
    }

    /// The recorded exchanges, newest first.
    func requests() async throws -> [[String: Any]] {
        try await object("/api/requests/http")["requests"] as? [[String: Any]] ?? []
    }

    /// Waits (bounded) until `count` exchanges are recorded, and returns them.
    func waitForRequests(_ count: Int) async throws -> [[String: Any]] {
        try await waitFor("\(count) recorded requests") { try await requests().count >= count }
        return try await requests()
    }

    /// The text of an entry part's `raw` (base64 of the HTTP/1.1 message).
    static func raw(_ part: Any?) -> String {
        guard let text = (part as? [String: Any])?["raw"] as? String, let data = Data(base64Encoded: text) else { return "" }
        return String(decoding: data, as: UTF8.self)
    }
}
