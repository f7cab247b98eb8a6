import ArgumentParser
import PosternServer

/// `postern serve`: the blog API over HTTPS, with the plain-HTTP redirect and CA page.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the blog API over HTTPS with a certificate from Postern's own CA.",
        discussion: """
        Every option can also be set with an environment variable: --some-name is POSTERN_SOME_NAME \
        (lists are comma-separated there). The flag wins. On an empty data folder, serve creates the \
        database, the media folder, the CA and the server certificate.
        """
    )

    @Option(help: "Address to listen on; 0.0.0.0 or :: to be reachable from other machines. (POSTERN_HOST, default 127.0.0.1)")
    var host: String?
    @Option(help: "HTTPS port. (POSTERN_PORT, default 8443)")
    var port: String?
    @Option(name: .customLong("http-port"), help: "Plain-HTTP port that redirects to HTTPS and serves /ca; 0 turns it off. (POSTERN_HTTP_PORT, default 8080)")
    var httpPort: String?
    @Option(help: "Data folder. (POSTERN_HOME, default $XDG_DATA_HOME/postern or ~/.local/share/postern)")
    var home: String?
    @Option(help: "SQLite database file. (POSTERN_DATABASE, default HOME/postern.sqlite)")
    var database: String?
    @Option(help: "Folder served under /media/. (POSTERN_MEDIA, default HOME/media)")
    var media: String?
    @Option(name: .customLong("public-url"), help: "Origin used in absolute URLs, e.g. https://api.example.test. (POSTERN_PUBLIC_URL)")
    var publicURL: String?
    @Option(name: .customLong("allowed-host"), help: "Another Host name to answer to; .domain for subdomains, * for any. Repeatable. (POSTERN_ALLOWED_HOST)")
    var allowedHosts: [String] = []
    @Option(name: .customLong("trusted-proxy"), help: "Address or network whose X-Forwarded-* headers are believed; replaces the default loopback; none for nobody. Repeatable. (POSTERN_TRUSTED_PROXY)")
    var trustedProxies: [String] = []
    @Option(name: .customLong("max-upload"), help: "Largest request body, e.g. 10MiB. (POSTERN_MAX_UPLOAD, default 10MiB)")
    var maxUpload: String?
    @Option(name: .customLong("name"), help: "Extra DNS name or IP address for the server certificate. Repeatable. (POSTERN_NAME)")
    var names: [String] = []
    @Flag(name: .customLong("open-writes"), help: "Let other machines create, change and delete articles without a token. (POSTERN_OPEN_WRITES=1)")
    var openWrites = false
    @Flag(help: "Also give this server a public URL through a `postern relay`. (POSTERN_SHARE=1)")
    var share = false
    @Option(help: "With --share: the relay's agent address, HOST:PORT. (POSTERN_RELAY)")
    var relay: String?
    @Option(help: "With --share: token from `postern relay token create`. (POSTERN_TOKEN)")
    var token: String?
    @Option(help: "With --share: the name to ask for, NAME.DOMAIN. (POSTERN_SUBDOMAIN)")
    var subdomain: String?
    @Option(name: .customLong("relay-ca"), help: "With --share: root certificate the relay's certificate must chain to. (POSTERN_RELAY_CA)")
    var relayCA: String?
    @Option(name: .customLong("inspect-port"), help: "With --share: the inspector's port on 127.0.0.1; 0 turns it off. (POSTERN_INSPECT_PORT, default 4040)")
    var inspectPort: String?

    func run() async throws {
        var input = ServeInput()
        input.host = host
        input.port = port
        input.httpPort = httpPort
        input.home = home
        input.database = database
        input.media = media
        input.publicURL = publicURL
        input.allowedHosts = allowedHosts
        input.trustedProxies = trustedProxies
        input.maxUpload = maxUpload
        input.names = names
        input.openWrites = openWrites
        input.share = share
        input.relay = relay
        input.token = token
        input.subdomain = subdomain
        input.relayCA = relayCA
        input.inspectPort = inspectPort
        try await PosternServe.run(try ServeSettings.resolve(input))
    }
}

/// `postern migrate`: creates or upgrades the database, then exits.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "migrate", abstract: "Run database migrations and exit.")

    @Option(help: "Data folder. (POSTERN_HOME)")
    var home: String?
    @Option(help: "SQLite database file. (POSTERN_DATABASE, default HOME/postern.sqlite)")
    var database: String?

    func run() async throws {
        var input = ServeInput()
        input.home = home
        input.database = database
        let settings = try ServeSettings.resolve(input)
        try PosternServe.migrate(settings)
        Console.line("Database ready: \(settings.databasePath)")
    }
}
