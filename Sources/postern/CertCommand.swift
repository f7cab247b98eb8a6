import ArgumentParser
import Foundation
import LocalCA
import PosternServer

/// `postern cert NAME…`: a certificate from the local CA, with mkcert's flags
/// and output names, for other servers on this machine (Vite, nginx, a phone
/// emulator's backend…).
///
/// ```
/// $ postern cert localhost 127.0.0.1 ::1
/// Created a certificate valid for "localhost", "127.0.0.1", "::1".
/// The certificate is at ./localhost+2.pem and the key at ./localhost+2-key.pem
/// ```
struct CertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cert",
        abstract: "Issue a certificate from the local CA (mkcert's flags and file names).",
        discussion: """
        NAME is a host name (wildcards such as *.app.test too), an IP address, an e-mail address or \
        a URI. Files go to the current folder as FIRST-NAME+N.pem and FIRST-NAME+N-key.pem (the key \
        with mode 0600) unless -cert-file / -key-file say otherwise. The CA is created first if there \
        is none. Keys are ECDSA P-256 unless --rsa is given.
        """
    )

    @Option(name: [.customLong("home")], help: "Data folder. (POSTERN_HOME)")
    var home: String?
    @Option(name: [.customLong("cert-file", withSingleDash: true), .customLong("cert-file")], help: "Where to write the certificate.")
    var certFile: String?
    @Option(name: [.customLong("key-file", withSingleDash: true), .customLong("key-file")], help: "Where to write the key.")
    var keyFile: String?
    @Option(name: [.customLong("p12-file", withSingleDash: true), .customLong("p12-file")], help: "Where to write the PKCS#12 bundle (implies -pkcs12).")
    var p12File: String?
    @Flag(name: [.customLong("pkcs12", withSingleDash: true), .customLong("pkcs12")], help: "Write a PKCS#12 bundle (NAME.p12) instead of PEM files.")
    var pkcs12 = false
    @Flag(name: [.customLong("ecdsa", withSingleDash: true), .customLong("ecdsa")], help: "Use an ECDSA P-256 key (the default; accepted for mkcert compatibility).")
    var ecdsa = false
    @Option(name: [.customLong("rsa"), .customLong("rsa", withSingleDash: true)], help: "Use an RSA key of BITS bits (2048, 3072 or 4096) instead of ECDSA.")
    var rsa: Int?
    @Flag(name: [.customLong("client", withSingleDash: true), .customLong("client")], help: "Make a client-authentication certificate.")
    var client = false
    @Option(name: [.customLong("csr", withSingleDash: true), .customLong("csr")], help: "Sign this PEM certificate signing request instead of generating a key; takes no NAME.")
    var csr: String?
    @Argument(help: "Host names, IP addresses, e-mail addresses or URIs.")
    var names: [String] = []

    func validate() throws {
        if csr != nil, !names.isEmpty {
            throw ValidationError("-csr takes the names from the request; give either -csr FILE or NAMEs, not both.")
        }
        if csr == nil, names.isEmpty {
            throw ValidationError("Give at least one name, e.g. `postern cert localhost 127.0.0.1 ::1`.")
        }
        if ecdsa, rsa != nil {
            throw ValidationError("-ecdsa and --rsa ask for different key types; give one of them.")
        }
        if csr != nil, (keyFile != nil || pkcs12 || p12File != nil) {
            throw ValidationError("With -csr the key stays with its owner: -key-file, -pkcs12 and -p12-file do not apply.")
        }
        if let rsa, ![2048, 3072, 4096].contains(rsa) {
            throw ValidationError("--rsa must be 2048, 3072 or 4096, not \(rsa).")
        }
        if (pkcs12 || p12File != nil), (certFile != nil || keyFile != nil) {
            throw ValidationError("-pkcs12 writes one .p12 file; -cert-file and -key-file do not apply to it.")
        }
    }

    func run() throws {
        let caFolder = PosternHome.caFolder(PosternHome.resolve(home))
        let existed = FileManager.default.fileExists(atPath: caFolder.appendingPathComponent(CertificateAuthority.certificateFileName).path)
        let ca = try CertificateAuthority.loadOrCreate(caFolder: caFolder)
        if !existed {
            Console.line("Created a new local CA at \(ca.caFolder.path)")
            Console.line("Trust it on this machine and your devices (see `postern ca info` and `postern ca export`).")
        }

        let profile = LeafProfile(keyType: rsa.map { .rsa(bits: $0) } ?? .ecdsaP256, clientAuthentication: client)
        let issued: IssuedCertificate
        let displayNames: [String]
        if let csr {
            issued = try ca.issue(csrPEM: Self.readRequest(csr), profile: profile)
            displayNames = issued.names.map(\.description)
        } else {
            issued = try ca.issue(names: CertificateName.parseAll(names), profile: profile)
            displayNames = names
        }

        let base = Self.defaultBaseName(csr == nil ? names : displayNames, client: client)
        Console.line("Created a certificate valid for \(displayNames.map { "\"\($0)\"" }.joined(separator: ", ")).")

        if pkcs12 || p12File != nil {
            let url = URL(fileURLWithPath: p12File ?? "./\(base).p12")
            let bundle = try PKCS12.bundle(issued, chain: [ca.certificate])
            try SecureFile.save(bundle, to: url, mode: 0o600)
            Console.line("The PKCS#12 bundle is at \(Self.shown(url, p12File))")
            Console.line("Its password is \"\(PKCS12.defaultPassword)\" (mkcert's well-known default).")
        } else {
            let certURL = URL(fileURLWithPath: certFile ?? "./\(base).pem")
            try SecureFile.save(Array(issued.certificatePEM.utf8), to: certURL, mode: 0o644)
            if let keyPEM = issued.privateKeyPEM {
                let keyURL = URL(fileURLWithPath: keyFile ?? "./\(base)-key.pem")
                try SecureFile.save(Array(keyPEM.utf8), to: keyURL, mode: 0o600)
                Console.line("The certificate is at \(Self.shown(certURL, certFile)) and the key at \(Self.shown(keyURL, keyFile))")
            } else {
                Console.line("The certificate is at \(Self.shown(certURL, certFile))")
            }
        }
        Console.line("It expires on \(Self.longDate(issued.certificate.notValidAfter)) (UTC).")
    }

    /// mkcert's file base name: the first name with `:` → `_` and `*` → `_wildcard`,
    /// `+N` for N more names, `-client` for client certificates.
    static func defaultBaseName(_ names: [String], client: Bool) -> String {
        var base = names[0].replacingOccurrences(of: ":", with: "_").replacingOccurrences(of: "*", with: "_wildcard")
        base = base.replacingOccurrences(of: "/", with: "_")
        if names.count > 1 { base += "+\(names.count - 1)" }
        if client { base += "-client" }
        return base
    }

    /// `25 February 2028`, in UTC. Written out by hand: a `DateFormatter`
    /// loads ICU's locale data, which costs more than issuing the certificate.
    static func longDate(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .gmt
        let parts = calendar.dateComponents([.day, .month, .year], from: date)
        let months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
        return "\(parts.day ?? 1) \(months[((parts.month ?? 1) - 1) % 12]) \(parts.year ?? 0)"
    }

    /// The path as the user gave it, or `./name` for a default one.
    static func shown(_ url: URL, _ given: String?) -> String {
        given ?? "./\(url.lastPathComponent)"
    }

    static func readRequest(_ path: String) throws -> String {
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ValidationError("Cannot read the CSR \(path): \(error.localizedDescription).")
        }
    }
}
