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

    /// The command for `arguments` (those after `cert`) read without
    /// ArgumentParser, or nil when they hold anything but NAMEs and the flags
    /// below in their plain forms (`-flag VALUE`, `--flag VALUE`); the caller
    /// then parses the usual way, which also phrases every error.
    ///
    /// ArgumentParser builds its view of the options by reflection, and in a
    /// binary of Postern's size each first reflection scans all the protocol
    /// conformances: a quarter of `cert`'s run time, where mkcert's speed is
    /// the measure. `CommandLineTests` checks both ways agree.
    static func quickParse(_ arguments: [String]) -> CertCommand? {
        var command = CertCommand()
        command.home = nil
        command.certFile = nil
        command.keyFile = nil
        command.p12File = nil
        command.csr = nil
        command.rsa = nil
        command.pkcs12 = false
        command.ecdsa = false
        command.client = false
        var names: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            guard argument.hasPrefix("-"), argument != "-" else {
                names.append(argument)
                continue
            }
            let name = argument.hasPrefix("--") ? String(argument.dropFirst(2)) : String(argument.dropFirst())
            // `--home` is long-only; the others take one dash (mkcert's) or two.
            if name == "home", !argument.hasPrefix("--") { return nil }
            switch name {
            case "pkcs12": command.pkcs12 = true
            case "ecdsa": command.ecdsa = true
            case "client": command.client = true
            case "home", "cert-file", "key-file", "p12-file", "csr", "rsa":
                guard index < arguments.count, !arguments[index].hasPrefix("-") else { return nil }
                let value = arguments[index]
                index += 1
                switch name {
                case "home": command.home = value
                case "cert-file": command.certFile = value
                case "key-file": command.keyFile = value
                case "p12-file": command.p12File = value
                case "csr": command.csr = value
                default: command.rsa = Int(value) ?? -1  // not a number: validate() fails, ArgumentParser explains
                }
            default:
                return nil
            }
        }
        command.names = names
        return command
    }

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

    /// `25 February 2028`, in UTC. Computed from the Unix day number by hand
    /// (Howard Hinnant's civil-from-days): `Calendar` and `DateFormatter` load
    /// time-zone and locale data, which costs more than issuing the certificate.
    static func longDate(_ date: Date) -> String {
        let days = Int((date.timeIntervalSince1970 / 86_400).rounded(.down))
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        let months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
        return "\(day) \(months[month - 1]) \(year)"
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
