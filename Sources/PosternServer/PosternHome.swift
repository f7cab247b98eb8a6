import Foundation

/// The data folder: `--home DIR` / `POSTERN_HOME`, else `$XDG_DATA_HOME/postern`,
/// else `~/.local/share/postern`. Everything Postern keeps lives inside it,
/// under the names `CLI.md` fixes (mkcert's names for the CA files).
///
/// ```swift
/// let home = PosternHome.resolve(nil)
/// PosternHome.caFolder(home)   // the CA folder
/// ```
public enum PosternHome {
    /// The data folder for `flag`, else this process's environment.
    public static func resolve(_ flag: String?) -> URL {
        // getenv, not ProcessInfo.environment: building that dictionary was 4 % of `postern cert`.
        resolve(flag, variable: { getenv($0).map { String(cString: $0) } })
    }

    /// The data folder for `flag`, else `environment` (tests pass their own).
    public static func resolve(_ flag: String?, environment: [String: String]) -> URL {
        resolve(flag, variable: { environment[$0] })
    }

    private static func resolve(_ flag: String?, variable: (String) -> String?) -> URL {
        if let flag, !flag.isEmpty { return URL(fileURLWithPath: flag, isDirectory: true).standardizedFileURL }
        if let home = variable("POSTERN_HOME"), !home.isEmpty { return URL(fileURLWithPath: home, isDirectory: true).standardizedFileURL }
        if let xdg = variable("XDG_DATA_HOME"), xdg.hasPrefix("/") {
            return URL(fileURLWithPath: xdg, isDirectory: true).appendingPathComponent("postern", isDirectory: true)
        }
        let user = variable("HOME").flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return URL(fileURLWithPath: user, isDirectory: true).appendingPathComponent(".local/share/postern", isDirectory: true)
    }

    public static func caFolder(_ home: URL) -> URL { home.appendingPathComponent("ca", isDirectory: true) }
    public static func certsFolder(_ home: URL) -> URL { home.appendingPathComponent("certs", isDirectory: true) }
    /// `certs/by-name`: the DNS-only leaf served to clients that send SNI (see `ServerIdentity`).
    public static func byNameCertsFolder(_ home: URL) -> URL { certsFolder(home).appendingPathComponent("by-name", isDirectory: true) }
    public static func database(_ home: URL) -> URL { home.appendingPathComponent("postern.sqlite") }
    public static func media(_ home: URL) -> URL { home.appendingPathComponent("media", isDirectory: true) }

    /// Creates the folder (mode 0700: it holds the CA's key) when missing.
    public static func prepare(_ home: URL) throws(ConfigurationError) {
        do {
            try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw ConfigurationError("Cannot create the data folder \(home.path): \(error.localizedDescription). Pass a writable folder with --home or POSTERN_HOME.")
        }
    }
}
