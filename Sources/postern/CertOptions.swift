import ArgumentParser
import Foundation
import LocalCA
import PosternServer

/// What `postern cert` is asked for, with mkcert's behaviour: read from the
/// command line by ``CertCommand`` (ArgumentParser: help, every error) or,
/// for plain command lines, by ``quickParse(_:)``, then validated and run.
struct CertOptions: Equatable {
    var home: String?
    var certFile: String?
    var keyFile: String?
    var p12File: String?
    var csr: String?
    var rsa: Int?
    var pkcs12 = false
    var ecdsa = false
    var client = false
    var names: [String] = []

    /// The options for a whole `postern …` command line when it is a plain,
    /// valid `cert` one; nil sends it the usual way.
    static func quick(_ arguments: [String]) -> CertOptions? {
        guard arguments.first == CertCommand.configuration.commandName,
              !Postern.asksForHelp(arguments),
              let options = quickParse(Array(arguments.dropFirst())), (try? options.validate()) != nil else { return nil }
        return options
    }

    /// The options in `arguments` (those after `cert`) read without
    /// ArgumentParser, or nil when they hold anything but NAMEs and the flags
    /// below in their plain forms (`-flag VALUE`, `--flag VALUE`); the caller
    /// then parses the usual way, which also phrases every error.
    ///
    /// ArgumentParser builds its view of the options by reflection (even a bare
    /// `CertCommand()` does), and in a binary of Postern's size each first
    /// reflection scans all the protocol conformances: a quarter of `cert`'s
    /// run time, where mkcert's speed is the measure. `CertQuickParseTests`
    /// checks both ways agree.
    static func quickParse(_ arguments: [String]) -> CertOptions? {
        var options = CertOptions()
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
            case "pkcs12": options.pkcs12 = true
            case "ecdsa": options.ecdsa = true
            case "client": options.client = true
            case "home", "cert-file", "key-file", "p12-file", "csr", "rsa":
                guard index < arguments.count, !arguments[index].hasPrefix("-") else { return nil }
                let value = arguments[index]
                index += 1
                switch name {
                case "home": options.home = value
                case "cert-file": options.certFile = value
                case "key-file": options.keyFile = value
                case "p12-file": options.p12File = value
                case "csr": options.csr = value
                default: options.rsa = Int(value) ?? -1  // not a number: validate() fails, ArgumentParser explains
                }
            default:
                return nil
            }
        }
        options.names = names
        return options
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
            try SecureFile.save(bundle, to: url, mode: 0o600, synced: false)
            Console.line("The PKCS#12 bundle is at \(Self.shown(url, p12File))")
            Console.line("Its password is \"\(PKCS12.defaultPassword)\" (mkcert's well-known default).")
        } else {
            let certURL = URL(fileURLWithPath: certFile ?? "./\(base).pem")
            try SecureFile.save(Array(issued.certificatePEM.utf8), to: certURL, mode: 0o644, synced: false)
            if let keyPEM = issued.privateKeyPEM {
                let keyURL = URL(fileURLWithPath: keyFile ?? "./\(base)-key.pem")
                try SecureFile.save(Array(keyPEM.utf8), to: keyURL, mode: 0o600, synced: false)
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
        var base = ""
        for character in names[0] {
            switch character {
            case ":", "/": base.append("_")
            case "*": base.append("_wildcard")
            default: base.append(character)
            }
        }
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
