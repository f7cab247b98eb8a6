import ArgumentParser
import Foundation
import LocalCA
import PosternServer

extension CACommand {
    /// `postern ca rotate`: a new root, the old one out of the trust stores,
    /// the new one into the same stores, `serve`'s certificates re-issued.
    struct Rotate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replace the root with a new one: uninstall the old, install the new where the old was, re-issue serve's certificates.",
            discussion: """
            Nothing is replaced if the old root cannot be removed from a store it is in (run with sudo, \
            or limit the stores with --stores). The old root's certificate is kept in \
            CA/retired/ (not its key) so you can recognise it on phones and other machines, \
            which keep trusting it until you remove it there. A running `postern serve` uses \
            the new certificate after a restart.
            """
        )
        @OptionGroup var options: HomeOption
        @OptionGroup var stores: StoresOption
        @Flag(help: "Make the new root without name constraints (it may sign any name).")
        var unconstrained = false

        func run() throws {
            let kinds = try stores.kinds()
            let old = try CertificateAuthority.load(caFolder: options.caFolder)
            let environment = TrustStoreEnvironment.current()
            let holding = kinds.filter { !($0.store(environment).locations(of: old) ?? []).isEmpty }

            Console.line("Old root: SHA-256 \(old.sha256Fingerprint)")
            try CACommand.reportChanges(holding, action: "remove the old root from (nothing was rotated)") { $0.uninstall(old, environment: $1) }

            let (_, new) = try CertificateAuthority.rotate(caFolder: options.caFolder, constrained: !unconstrained)
            Console.line("New root: SHA-256 \(new.sha256Fingerprint)")
            Console.line("Kept the old root's certificate (not its key) at \(old.retiredCertificatePath.path)")
            let home = options.homeFolder
            for folder in [PosternHome.certsFolder(home), PosternHome.byNameCertsFolder(home)] {
                if let files = try ServerCertificate.renew(ca: new, certsFolder: folder) {
                    Console.line("Re-issued \(files.certificateChainPath.path) for \(files.names.joined(separator: ", "))")
                }
            }
            try CACommand.reportChanges(holding, action: "install the new root into") { $0.install(new, environment: $1) }
            Console.line("Phones and other machines that trusted the old root still do: remove it there (SHA-256 \(old.sha256Fingerprint)) and install the new one from http://HOST:8080/ca.")
            Console.line("Certificates made with `postern cert` under the old root must be made again.")
        }
    }
}
