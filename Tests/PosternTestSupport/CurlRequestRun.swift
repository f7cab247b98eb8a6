import Foundation

/// One curl process asking the same URL many times in a row, the way a
/// script or a page with many resources does: curl keeps one connection
/// and reuses it, so a server that closes it part-way shows up as a
/// failed request or a second connect.
public struct CurlRequestRun: Sendable {
    /// Per request: status code, HTTP version and connections curl opened for it.
    public struct Answer: Sendable, Equatable {
        public let status: String
        public let version: String
        public let connects: Int
    }

    public let answers: [Answer]
    public let exitStatus: Int32
    public let stderr: String

    /// Asks `url` `count` times from one curl process; `options` go before the URLs
    /// (`--cacert`, `--resolve`, `--http2` …).
    public static func run(_ url: String, count: Int, options: [String]) async throws -> CurlRequestRun {
        let result = try await TestProcesses.run(["curl", "-sS", "-w", "%{http_code} %{http_version} %{num_connects}\n"] + options
            + Array(repeating: [url, "-o", "/dev/null"], count: count).flatMap { $0 })
        let answers = result.stdout.split(separator: "\n").map { line in
            let fields = line.split(separator: " ").map(String.init)
            return Answer(status: fields.first ?? "", version: fields.count > 1 ? fields[1] : "", connects: fields.count > 2 ? Int(fields[2]) ?? -1 : -1)
        }
        return CurlRequestRun(answers: answers, exitStatus: result.status, stderr: result.stderr)
    }

    /// Whether every request was answered `status` over HTTP/`version` on the first request's connection.
    public func allAnswered(_ status: String, overHTTP version: String) -> Bool {
        exitStatus == 0 && answers.allSatisfy { $0.status == status && $0.version == version }
            && answers.dropFirst().allSatisfy { $0.connects == 0 }
    }
}
