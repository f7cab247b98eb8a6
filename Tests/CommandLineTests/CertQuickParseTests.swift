import Testing
import Foundation
@testable import postern

/// `postern cert` reads plain command lines without ArgumentParser (for
/// speed); both ways must give the same command, and anything unusual must
/// be left to ArgumentParser.
@Suite struct CertQuickParseTests {
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
        let quick = try #require(CertOptions.quickParse(arguments))
        let parsed = try #require(try CertCommand.parseAsRoot(arguments) as? CertCommand)
        #expect(quick == parsed.options)
        #expect(CertOptions.quick(["cert"] + arguments) == quick)
    }

    @Test(arguments: [
        ["-cert-file=c.pem", "localhost"],
        ["-home", "/tmp/h", "localhost"],
        ["--unknown", "localhost"],
        ["-cert-file"],
        ["-key-file", "-client", "localhost"],
    ])
    func unusualFormsAreLeftToArgumentParser(_ arguments: [String]) {
        #expect(CertOptions.quickParse(arguments) == nil)
        #expect(CertOptions.quick(["cert"] + arguments) == nil)
    }

    @Test func aBadRSASizeFallsBackToArgumentParsersMessage() throws {
        let quick = try #require(CertOptions.quickParse(["--rsa", "abc", "localhost"]))
        #expect(throws: (any Error).self) { try quick.validate() }
        #expect(CertOptions.quick(["cert", "--rsa", "abc", "localhost"]) == nil)
        #expect(CertOptions.quick(["cert", "--help"]) == nil)
        #expect(CertOptions.quick(["serve", "localhost"]) == nil)
        #expect(throws: (any Error).self) { try Postern.parseCommand(["cert", "--rsa", "abc", "localhost"]) }
        #expect(throws: (any Error).self) { try Postern.parseCommand(["cert"]) }
        #expect(try Postern.parseCommand(["cert", "localhost"]) is CertCommand)
    }

    @Test(arguments: [
        (0.0, "1 January 1970"), (951_782_400, "29 February 2000"), (1_835_395_200, "29 February 2028"),
        (4_102_444_799, "31 December 2099"), (4_107_542_399, "28 February 2100"), (-86_400, "31 December 1969"),
    ])
    func expiryDatesAreWrittenInUTC(_ seconds: Double, _ expected: String) {
        #expect(CertOptions.longDate(Date(timeIntervalSince1970: seconds)) == expected)
    }
}
