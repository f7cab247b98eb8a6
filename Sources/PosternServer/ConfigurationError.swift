/// A setting the user gave that cannot work. `postern` prints the sentence
/// and exits with code 2, as `CLI.md` promises.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A failure while running (a port in use, a certificate that cannot be made):
/// the sentence is printed and `postern` exits with code 1.
public struct StartupError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
