import ArgumentParser
import Foundation
import LocalCA
import PosternServer

extension CACommand {
    /// `--stores`, shared by install and uninstall.
    struct StoresOption: ParsableArguments {
        @Option(help: "Comma-separated trust stores: system, nss, java (or none). (TRUST_STORES, mkcert's variable; default all)")
        var stores: String?

        func kinds() throws -> [TrustStoreKind] {
            do {
                return try TrustStoreKind.parse(stores ?? ProcessInfo.processInfo.environment["TRUST_STORES"])
            } catch let error as LocalCAError {
                throw ValidationError(error.description)
            }
        }
    }

    /// `postern ca install`: the root into every trust store found.
    struct Install: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Install the root into the system, NSS (Chromium, Firefox) and Java trust stores.",
            discussion: """
            Creates the CA first if there is none. Prints one line a store: installed, already there, \
            skipped (why) or failed (why, and the command to run by hand). Exits 1 if a store failed.
            """
        )
        @OptionGroup var options: HomeOption
        @OptionGroup var stores: StoresOption

        func run() throws {
            let kinds = try stores.kinds()
            let ca = try CertificateAuthority.loadOrCreate(caFolder: options.caFolder)
            try CACommand.reportChanges(kinds, action: "install the root into") { $0.install(ca, environment: $1) }
        }
    }

    /// Runs `change` on each store, prints one line a report, and fails (exit 1) if any store failed.
    static func reportChanges(_ kinds: [TrustStoreKind], action: String,
                              _ change: (TrustStoreKind, TrustStoreEnvironment) -> [TrustStoreReport]) throws {
        let environment = TrustStoreEnvironment.current()
        var failed = false
        for kind in kinds {
            for report in change(kind, environment) {
                Console.line(report.description)
                failed = failed || report.isFailure
            }
        }
        if failed { throw InstallFailure(action: action) }
    }

    /// The exit-1 error after a store failed; its lines above say what to run.
    struct InstallFailure: Error, CustomStringConvertible {
        let action: String
        var description: String { "could not \(action) every trust store; run the commands printed above by hand, then `postern ca info` to check." }
    }

    /// `postern ca uninstall`: the root out of every store it is in.
    struct Uninstall: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove the root from the trust stores, leaving them as they were.",
            discussion: "On Debian this runs update-ca-certificates --fresh and removes the alias Debian's Java hook added to cacerts."
        )
        @OptionGroup var options: HomeOption
        @OptionGroup var stores: StoresOption

        func run() throws {
            let kinds = try stores.kinds()
            let ca = try CertificateAuthority.load(caFolder: options.caFolder)
            try CACommand.reportChanges(kinds, action: "remove the root from") { $0.uninstall(ca, environment: $1) }
        }
    }

    /// The `Stores:` lines of `ca info`.
    static func storeLines(_ ca: CertificateAuthority) -> [String] {
        let environment = TrustStoreEnvironment.current()
        var places: [String] = []
        var unknown: [String] = []
        for kind in TrustStoreKind.allCases {
            let store = kind.store(environment)
            if let found = store.locations(of: ca) {
                places += found.map { "\(kind.rawValue): \($0)" }
            } else {
                unknown.append(kind.rawValue)
            }
        }
        var lines = places.isEmpty ? ["Stores:       none (run `postern ca install`)"] : ["Stores:       " + places[0]] + places.dropFirst().map { "              " + $0 }
        if !unknown.isEmpty { lines.append("              (could not check: \(unknown.joined(separator: ", ")))") }
        return lines
    }
}
