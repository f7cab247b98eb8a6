import ArgumentParser

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

    /// The request these flags make.
    var options: CertOptions {
        CertOptions(home: home, certFile: certFile, keyFile: keyFile, p12File: p12File, csr: csr, rsa: rsa,
                    pkcs12: pkcs12, ecdsa: ecdsa, client: client, names: names)
    }

    func validate() throws { try options.validate() }

    func run() throws { try options.run() }
}
