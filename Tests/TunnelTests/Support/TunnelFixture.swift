import Foundation
import Testing

/// A relay started from the built binary on free loopback ports with its own
/// home, plus helpers to create tokens, start agents and call public URLs with curl.
final class RelayFixture: @unchecked Sendable {
    static let domain = "tunnel.localhost"
    let home: URL
    let port: Int
    let httpPort: Int
    let agentPort: Int
    let adminPort: Int
    let extraArguments: [String]
    private(set) var relay: ChildProcess

    init(arguments: [String] = []) async throws {
        home = try ChildProcess.temporaryFolder("relay")
        extraArguments = arguments
        // A port found free can be taken (by another test's outgoing connection) before the
        // relay binds it; then the relay says "Cannot listen" and a fresh set of ports is tried.
        var attempt = 1
        while true {
            let ports = (try ChildProcess.freePort(), try ChildProcess.freePort(), try ChildProcess.freePort(), try ChildProcess.freePort())
            let started = try Self.startRelay(home: home, ports: ports, arguments: arguments)
            do {
                try await started.waitForLine { $0.contains("agents") && $0.contains("\(ports.2)") }
            } catch where attempt < 3 && started.stderr.contains("Cannot listen") {
                started.stop()
                attempt += 1
                continue
            }
            (port, httpPort, agentPort, adminPort, relay) = (ports.0, ports.1, ports.2, ports.3, started)
            return
        }
    }

    private static func startRelay(home: URL, ports: (Int, Int, Int, Int), arguments: [String]) throws -> ChildProcess {
        try ChildProcess.postern(["relay", "--domain", domain, "--host", "127.0.0.1", "--port", "\(ports.0)", "--http-port", "\(ports.1)",
                                  "--agent-port", "\(ports.2)", "--admin-port", "\(ports.3)", "--home", home.path] + arguments)
    }

    /// Kills the relay (SIGKILL: no goodbye to the agents) and starts it again on the same ports and home.
    func restart() async throws {
        relay.stop()
        relay = try Self.startRelay(home: home, ports: (port, httpPort, agentPort, adminPort), arguments: extraArguments)
        try await relay.waitForLine { $0.contains("agents") && $0.contains("\(agentPort)") }
    }

    var caFile: URL { home.appendingPathComponent("ca/rootCA.pem") }

    func createToken(_ name: String) async throws -> String {
        let result = try await runTool([ChildProcess.postern.path, "relay", "token", "create", name, "--home", home.path])
        guard result.status == 0, let token = result.stdout.split(separator: "\n").last else {
            throw TestFailure("token create failed: \(result.stderr)")
        }
        return String(token)
    }

    /// Starts `postern share` for `upstream` and waits for its public URL line.
    func share(_ upstream: String, token: String, subdomain: String? = nil, extra: [String] = []) async throws -> (agent: ChildProcess, url: String) {
        var arguments = ["share", upstream, "--relay", "localhost:\(agentPort)", "--token", token, "--relay-ca", caFile.path,
                         "--home", try ChildProcess.temporaryFolder("agent").path]
        if let subdomain { arguments += ["--subdomain", subdomain] }
        let agent = try ChildProcess.postern(arguments + extra)
        let url = try await agent.waitForLine { $0.hasPrefix("https://") }
        return (agent, url)
    }

    /// The host of a public URL (`NAME.tunnel.localhost`).
    static func host(of url: String) -> String {
        String(url.dropFirst("https://".count).prefix { $0 != ":" && $0 != "/" })
    }

    /// curl to a public URL, resolved to loopback and trusting the relay's root.
    func curl(_ url: String, _ arguments: [String] = []) async throws -> (status: Int, body: String) {
        let answers = try await curlEach([url], arguments)
        guard let answer = answers.first else { throw TestFailure("curl \(url) printed no answer") }
        return answer
    }

    /// Asks each of `urls` in turn from ONE curl process (resolved to loopback, trusting
    /// the relay's root), so the requests follow each other at once over one kept-alive
    /// connection to the relay.
    func curlEach(_ urls: [String], _ arguments: [String] = []) async throws -> [(status: Int, body: String)] {
        let end = "--postern-end--"
        let host = Self.host(of: urls[0])
        let result = try await runTool(["curl", "-sS", "--max-time", "60", "--resolve", "\(host):\(port):127.0.0.1", "--cacert", caFile.path,
                                        "-w", "\n%{http_code}\n\(end)\n"] + arguments + urls)
        guard result.status == 0 else { throw TestFailure("curl \(urls) failed: \(result.stderr)") }
        let answers = result.stdout.components(separatedBy: "\(end)\n").dropLast()
        return answers.map { answer in
            var lines = answer.split(separator: "\n", omittingEmptySubsequences: false).dropLast()   // the empty line after the status
            let status = Int(lines.popLast() ?? "") ?? 0
            return (status, lines.joined(separator: "\n"))
        }
    }

    func publicURL(_ name: String, path: String = "/") -> String {
        "https://\(name).\(Self.domain):\(port)\(path)"
    }
}

/// Polls `condition` every 20 ms until it holds or `timeout` passes.
func waitFor(_ what: String, timeout: Duration = .seconds(10), _ condition: () async throws -> Bool) async throws {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while clock.now < deadline {
        if (try? await condition()) == true { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    throw TestFailure("\(what) did not happen within \(timeout)")
}
