import Foundation
import Testing

/// `postern relay token …` and the one-sentence, exit-2 answers to bad values.
@Suite struct CommandLineTests {
    @Test func tokensAreCreatedListedAndRevoked() async throws {
        let home = try ChildProcess.temporaryFolder("tokens").path
        let binary = ChildProcess.postern.path
        let created = try await runTool([binary, "relay", "token", "create", "laptop", "--home", home])
        #expect(created.status == 0)
        let token = try #require(created.stdout.split(separator: "\n").last)
        #expect(token.hasPrefix("pt_"))
        let listed = try await runTool([binary, "relay", "token", "list", "--home", home])
        #expect(listed.stdout.contains("laptop"))
        #expect(!listed.stdout.contains(token))
        let database = try Data(contentsOf: URL(fileURLWithPath: home).appendingPathComponent("relay.sqlite"))
        #expect(database.range(of: Data(token.utf8)) == nil)
        #expect(try await runTool([binary, "relay", "token", "create", "laptop", "--home", home]).status == 2)
        #expect(try await runTool([binary, "relay", "token", "revoke", "laptop", "--home", home]).status == 0)
        #expect(try await runTool([binary, "relay", "token", "revoke", "laptop", "--home", home]).status == 2)
    }

    @Test(arguments: [
        ["relay", "--domain", "x"],
        ["relay", "--domain", "tunnel.localhost", "--port", "99999"],
        ["relay", "--domain", "tunnel.localhost", "--max-streams", "many"],
        ["relay", "--domain", "tunnel.localhost", "--cert", "/nonexistent"],
        ["share", "--relay", "nonsense", "--token", "t"],
        ["share", "ftp://x", "--relay", "localhost:7443", "--token", "t"],
        ["share", "--relay", "localhost:7443", "--token", "t", "--host-header", "sometimes"],
        ["share", "--relay", "localhost:7443", "--token", "t", "--subdomain", "Not_A_Label"],
        ["share", "--relay", "localhost:7443", "--token", "t", "--allow-cidr", "10.0.0.0/99"],
        ["share", "--relay", "localhost:7443"],
    ])
    func badValuesExitWithTwoAndOneSentence(arguments: [String]) async throws {
        let home = try ChildProcess.temporaryFolder("bad").path
        let result = try await runTool([ChildProcess.postern.path] + arguments + ["--home", home])
        #expect(result.status == 2, "\(arguments): \(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "\(arguments): \(result.stderr)")
    }
}
