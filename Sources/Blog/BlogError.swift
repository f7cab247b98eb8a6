/// Errors of the blog domain that are not a client's validation mistakes.
///
/// Each carries a sentence that says what went wrong and what to do.
public struct BlogError: Error, Sendable, CustomStringConvertible {
    private enum Code: Sendable { case mediaFolder, unusableFileName, database }
    private let code: Code
    public let description: String

    private init(_ code: Code, _ description: String) {
        self.code = code
        self.description = description
    }

    static func mediaFolder(_ path: String, reason: String) -> BlogError {
        BlogError(.mediaFolder, "Cannot write the media folder \(path): \(reason). Check its permissions or pass another folder with --media.")
    }

    static func unusableFileName(_ name: String) -> BlogError {
        BlogError(.unusableFileName, "The file name \"\(name)\" leaves no usable name once cleaned.")
    }

    static func database(_ path: String, reason: String) -> BlogError {
        BlogError(.database, "Cannot open the database \(path): \(reason). Check the path and its permissions, or pass another with --database.")
    }

    /// True when the file name a client sent cannot be used (a 400, not a server fault).
    public var isUnusableFileName: Bool { code == .unusableFileName }
}
