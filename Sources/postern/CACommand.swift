import ArgumentParser
import Foundation
import LocalCA
import PosternServer

/// `postern ca`: the local certificate authority (see `CLI.md`).
struct CACommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ca",
        abstract: "Show, create and export Postern's local certificate authority.",
        discussion: """
        The root lives in HOME/ca as rootCA.pem and rootCA-key.pem (mkcert's names). Postern's root \
        is name-constrained: it can only vouch for localhost, *.test, *.local, *.internal, *.home.arpa \
        and private addresses, so a leaked key cannot impersonate any public site.
        """,
        subcommands: [Path.self, Info.self, Export.self, Create.self, Install.self, Uninstall.self, Rotate.self, QR.self]
    )

    /// `--home`, shared by every subcommand.
    struct HomeOption: ParsableArguments {
        @Option(help: "Data folder. (POSTERN_HOME, default $XDG_DATA_HOME/postern or ~/.local/share/postern)")
        var home: String?

        var homeFolder: URL { PosternHome.resolve(home) }
        var caFolder: URL { PosternHome.caFolder(homeFolder) }
    }

    /// `postern ca path`: the CA folder, like `mkcert -CAROOT`.
    struct Path: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the CA folder (like `mkcert -CAROOT`).")
        @OptionGroup var options: HomeOption

        func run() throws {
            Console.line(options.caFolder.path)
        }
    }

    /// `postern ca info`: what the root is and what it may sign.
    struct Info: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the root's subject, SHA-256 fingerprint, validity, name constraints and the trust stores it is in.")
        @OptionGroup var options: HomeOption

        func run() throws {
            let ca = try CertificateAuthority.load(caFolder: options.caFolder)
            for line in CACommand.describe(ca) + CACommand.storeLines(ca) { Console.line(line) }
        }
    }

    /// `postern ca export`: the root for other machines and phones.
    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the root certificate as PEM, DER (.cer/.crt for Android) or an Apple .mobileconfig profile.",
            discussion: "Creates the CA first if there is none. Without --out the bytes go to standard output."
        )

        enum Format: String, ExpressibleByArgument, CaseIterable {
            case pem, der, mobileconfig
        }

        @OptionGroup var options: HomeOption
        @Option(help: "pem, der or mobileconfig.")
        var format: Format = .pem
        @Option(help: "File to write instead of standard output.")
        var out: String?

        func run() throws {
            let ca = try CertificateAuthority.loadOrCreate(caFolder: options.caFolder)
            let bytes: [UInt8]
            switch format {
            case .pem: bytes = Array(ca.pem.utf8)
            case .der: bytes = ca.der
            case .mobileconfig: bytes = try ca.mobileconfig()
            }
            guard let out else {
                FileHandle.standardOutput.write(Data(bytes))
                return
            }
            let url = URL(fileURLWithPath: out)
            try SecureFile.save(bytes, to: url, mode: 0o644)
            Console.line("Wrote the root certificate (\(format.rawValue)) to \(url.path)")
            Console.line("SHA-256 \(ca.sha256Fingerprint)")
        }
    }

    /// `postern ca create [--unconstrained]`.
    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a new root in the CA folder (refused if one exists).",
            discussion: """
            --unconstrained makes a root without name constraints, like mkcert's, which can sign \
            certificates for any name, public ones included. Every device that trusts it trusts it \
            for every site: keep its key safe.
            """
        )
        @OptionGroup var options: HomeOption
        @Flag(help: "Make a root that may sign any name, not only development names and private addresses.")
        var unconstrained = false

        func run() throws {
            let ca = try CertificateAuthority.create(caFolder: options.caFolder, constrained: !unconstrained)
            Console.line("Created a new local CA at \(ca.caFolder.path)")
            for line in CACommand.describe(ca) { Console.line(line) }
        }
    }

    /// The lines of `ca info`.
    static func describe(_ ca: CertificateAuthority) -> [String] {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        let constraints = ca.namePolicy.map { "\($0)" } ?? "none (this root may sign any name)"
        return [
            "Subject:      \(ca.certificate.subject)",
            "SHA-256:      \(ca.sha256Fingerprint)",
            "Valid from:   \(formatter.string(from: ca.certificate.notValidBefore))",
            "Valid until:  \(formatter.string(from: ca.certificate.notValidAfter))",
            "Constraints:  \(constraints)",
            "Certificate:  \(ca.rootCertificatePath.path)",
            "Key:          \(ca.privateKeyPath.path)",
        ]
    }
}
