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

    /// The command to run. `postern cert …` is parsed on its own, without
    /// ArgumentParser when its arguments are plain (``CertCommand/quickParse(_:)``):
    /// `cert` runs in build scripts where mkcert's speed is the measure. Help,
    /// unusual forms and every error go the usual way, so they read `postern cert`.
    static func parseCommand(_ arguments: [String]) throws -> ParsableCommand {
        let asksForHelp = arguments.contains { ["-h", "--help", "-help", "help", "--version"].contains($0) }
        if arguments.first == CertCommand.configuration.commandName, !asksForHelp {
            let rest = Array(arguments.dropFirst())
            if let quick = CertCommand.quickParse(rest), (try? quick.validate()) != nil { return quick }
            do {
                return try CertCommand.parseAsRoot(rest)
            } catch {
                // Let the whole tree phrase the error, with `postern cert` in its usage line.
                return try parseAsRoot(arguments)
            }
        }
        return try parseAsRoot(arguments)
    }

    /// Runs the command; a bad value or usage exits 2 with one sentence, a failure exits 1.
    static func main() async {
        do {
            var command = try parseCommand(Array(CommandLine.arguments.dropFirst()))
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
