import ArgumentParser
import Foundation
import PosternServer

/// `postern`: the command line. Each subcommand parses its arguments and
/// hands over to a library; command and flag names are those of `CLI.md`.
@main
struct Postern: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "postern",
        abstract: "A blog API over trusted local HTTPS, with its own certificate authority.",
        subcommands: [ServeCommand.self, CACommand.self, CertCommand.self, MigrateCommand.self, RelayCommand.self, ShareCommand.self],
        defaultSubcommand: nil
    )

    /// The command to run. `postern cert …` is parsed on its own: building the
    /// whole command tree (every subcommand's options, by reflection) costs
    /// more than issuing the certificate. Help goes the usual way, so it reads
    /// `postern cert`.
    static func parseCommand(_ arguments: [String]) throws -> ParsableCommand {
        if arguments.first == CertCommand.configuration.commandName, !asksForHelp(arguments) {
            do {
                return try CertCommand.parseAsRoot(Array(arguments.dropFirst()))
            } catch {
                // Let the whole tree phrase the error, with `postern cert` in its usage line.
                return try parseAsRoot(arguments)
            }
        }
        return try parseAsRoot(arguments)
    }

    /// Whether a command line asks for help or the version (ArgumentParser answers those).
    static func asksForHelp(_ arguments: [String]) -> Bool {
        arguments.contains { ["-h", "--help", "-help", "help", "--version"].contains($0) }
    }

    /// Runs the command; a bad value or usage exits 2 with one sentence, a failure exits 1.
    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        do {
            // A plain `cert` command line runs without ArgumentParser at all (see CertOptions.quickParse).
            if let quick = CertOptions.quick(arguments) { return try quick.run() }
            var command = try parseCommand(arguments)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as ConfigurationError {
            Console.error("postern: \(error.description)")
            Foundation.exit(2)
        } catch let error as StartupError {
            Console.error("postern: \(error.description)")
            Foundation.exit(1)
        } catch {
            let code = exitCode(for: error)
            if code == .success || error is CleanExit {
                exit(withError: error)
            }
            if code == .validationFailure || error is ValidationError || "\(type(of: error))".contains("ParserError") || code.rawValue == 64 {
                Console.error(fullMessage(for: error))
                Foundation.exit(2)
            }
            Console.error("postern: \(error)")
            Foundation.exit(1)
        }
    }
}
