import Testing
import Foundation
@testable import postern

/// `postern cert` reads plain command lines without ArgumentParser (for
/// speed); both ways must give the same command, and anything unusual must
/// be left to ArgumentParser.
@Suite struct CertQuickParseTests {
    /// The fields a cert run depends on, for comparison.
    private func fields(_ command: CertCommand) -> [String] {
        [command.home ?? "-", command.certFile ?? "-", command.keyFile ?? "-", command.p12File ?? "-", command.csr ?? "-",
         command.rsa.map(String.init) ?? "-", "\(command.pkcs12)", "\(command.ecdsa)", "\(command.client)", command.names.joined(separator: "|")]
    }

    @Test(arguments: [
        ["localhost", "127.0.0.1", "::1"],
        ["-cert-file", "c.pem", "-key-file", "k.pem", "example.test"],
        ["--cert-file", "c.pem", "--key-file", "k.pem", "*.app.test"],
        ["-pkcs12", "-p12-file", "out.p12", "localhost"],
        ["-client", "me@example.test"],
        ["--rsa", "3072", "localhost"],
        ["-rsa", "2048", "localhost"],
        ["-ecdsa", "localhost", "10.0.0.2"],
        ["-csr", "request.pem"],
        ["--home", "/tmp/h", "localhost"],
        ["localhost", "-client", "127.0.0.1"],
    ])
    func plainCommandLinesParseAsArgumentParserDoes(_ arguments: [String]) throws {
        let quick = try #require(CertCommand.quickParse(arguments))
        let parsed = try CertCommand.parseAsRoot(arguments) as! CertCommand
        #expect(fields(quick) == fields(parsed))
    }

    @Test(arguments: [
        ["-cert-file=c.pem", "localhost"],
        ["-home", "/tmp/h", "localhost"],
        ["--unknown", "localhost"],
        ["-cert-file"],
        ["-key-file", "-client", "localhost"],
    ])
    func unusualFormsAreLeftToArgumentParser(_ arguments: [String]) {
        #expect(CertCommand.quickParse(arguments) == nil)
    }

    @Test func aBadRSASizeFallsBackToArgumentParsersMessage() throws {
        let quick = try #require(CertCommand.quickParse(["--rsa", "abc", "localhost"]))
        #expect(throws: (any Error).self) { try quick.validate() }
        #expect(throws: (any Error).self) { try Postern.parseCommand(["cert", "--rsa", "abc", "localhost"]) }
        #expect(throws: (any Error).self) { try Postern.parseCommand(["cert"]) }
        #expect(try Postern.parseCommand(["cert", "localhost"]) is CertCommand)
    }

    @Test(arguments: [
        (0.0, "1 January 1970"), (951_782_400, "29 February 2000"), (1_835_395_200, "29 February 2028"),
        (4_102_444_799, "31 December 2099"), (4_107_542_399, "28 February 2100"), (-86_400, "31 December 1969"),
    ])
    func expiryDatesAreWrittenInUTC(_ seconds: Double, _ expected: String) {
        #expect(CertCommand.longDate(Date(timeIntervalSince1970: seconds)) == expected)
    }
}
