/// The names Django gives an uploaded file, reproduced so that image URLs look
/// the same as the Django version's.
///
/// - The client's name loses any path (`C:\x\a.png` and `../a.png` become `a.png`).
/// - `get_valid_filename`: surrounding white space trimmed, spaces become `_`,
///   every character outside `[-\w.]` is dropped.
/// - On a collision, `_` and 7 random letters or digits go before the extension.
///
/// ```swift
/// UploadFileName.valid("my photo!.png")   // "my_photo.png"
/// ```
public enum UploadFileName {
    /// The last path component of what the client sent as a file name.
    public static func baseName(_ name: String) -> String {
        let afterSlash = name.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? name
        return afterSlash.split(separator: "\\", omittingEmptySubsequences: false).last.map(String.init) ?? afterSlash
    }

    /// Django's `get_valid_filename`; `nil` when nothing usable is left (`""`, `.` or `..`).
    public static func valid(_ name: String) -> String? {
        let trimmed = name.trimmingPythonWhitespace().replacingSpacesWithUnderscores()
        let kept = String(String.UnicodeScalarView(trimmed.unicodeScalars.filter(isAllowed)))
        return ["", ".", ".."].contains(kept) ? nil : kept
    }

    /// `[-\w.]` as Python's Unicode regex reads it.
    private static func isAllowed(_ scalar: Unicode.Scalar) -> Bool {
        if scalar == "-" || scalar == "." || scalar == "_" { return true }
        let props = scalar.properties
        return props.isAlphabetic || props.numericType != nil
    }

    /// Splits `name` into its root and all its suffixes (`a.tar.gz` → `a`, `.tar.gz`),
    /// as Django does with `pathlib.PurePath.suffixes`.
    public static func splitExtension(_ name: String) -> (root: String, extension: String) {
        var root = Substring(name)
        var suffix = ""
        // PurePath ignores leading dots and a trailing dot.
        while let dot = root.lastIndex(of: "."), dot != root.startIndex,
              root[root.index(before: dot)] != ".", root.index(after: dot) != root.endIndex {
            suffix = String(root[dot...]) + suffix
            root = root[..<dot]
        }
        return (String(root), suffix)
    }

    /// `_` + 7 characters from `[A-Za-z0-9]`, Django's `get_random_string(7)` suffix.
    public static func alternative(for name: String) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        var generator = SystemRandomNumberGenerator()
        let random = String((0..<7).map { _ in alphabet[Int(generator.next(upperBound: UInt(alphabet.count)))] })
        let (root, ext) = splitExtension(name)
        return "\(root)_\(random)\(ext)"
    }

    /// Shortens the root so that `prefix + name` has at most `maxLength` characters,
    /// as Django's storage does; `nil` when even an empty root does not fit.
    public static func fitting(_ name: String, prefix: String, maxLength: Int) -> String? {
        let total = prefix.unicodeScalars.count + name.unicodeScalars.count
        if total <= maxLength { return name }
        let (root, ext) = splitExtension(name)
        let keep = root.unicodeScalars.count - (total - maxLength)
        guard keep > 0 else { return nil }
        return String(String.UnicodeScalarView(root.unicodeScalars.prefix(keep))) + ext
    }
}

extension String {
    /// Python's `str.strip()`: removes Unicode white space at both ends.
    func trimmingPythonWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.isPythonWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.isPythonWhitespace }) ?? first
        return String(scalars[first...last])
    }

    func replacingSpacesWithUnderscores() -> String {
        String(map { $0 == " " ? "_" : $0 })
    }
}

extension Unicode.Scalar {
    /// White space as Python's `str.isspace` sees it (including the ASCII separators 0x1C–0x1F).
    var isPythonWhitespace: Bool {
        properties.isWhitespace || (0x1C...0x1F).contains(value)
    }
}
