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

    /// Runs the command; a bad value or usage exits 2 with one sentence, a failure exits 1.
    static func main() async {
        do {
            var command = try parseAsRoot()
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
