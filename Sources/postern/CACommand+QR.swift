import ArgumentParser
import Foundation
import LocalCA
import PosternServer

extension CACommand {
    /// `postern ca qr`: a QR code of the `/ca` page for a phone camera.
    struct QR: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a QR code of the /ca page's LAN URL, for a phone on the same network.",
            discussion: """
            `postern serve` answers /ca on its plain-HTTP port (8080 by default): the page offers the \
            root as .crt (Android) and .mobileconfig (iOS) with its SHA-256 fingerprint. The code is drawn \
            for a dark terminal; use --light on a light background.
            """
        )
        @Option(help: "The URL to encode instead of http://<first LAN address>:<http-port>/ca.")
        var url: String?
        @Option(help: "The plain-HTTP port of `postern serve`. (POSTERN_HTTP_PORT)")
        var httpPort: Int?
        @Flag(help: "Draw dark modules, for a terminal with a light background.")
        var light = false

        func run() throws {
            let environment = ProcessInfo.processInfo.environment
            let port = httpPort ?? environment["POSTERN_HTTP_PORT"].flatMap(Int.init) ?? 8080
            guard (1...65535).contains(port) else {
                throw ValidationError("--http-port must be between 1 and 65535; `postern serve` uses 8080 by default.")
            }
            let text = url ?? environment["POSTERN_URL"] ?? CAPageURL.lan(port: port)
            let code: QRCode
            do {
                code = try QRCode(encoding: text)
            } catch let error as LocalCAError {
                throw ValidationError(error.description)
            }
            Console.line(code.halfBlockText(darkOnLight: light))
            Console.line(text)
        }
    }
}
