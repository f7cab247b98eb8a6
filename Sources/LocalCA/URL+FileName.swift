import Foundation

extension URL {
    /// `self/name` for a file URL, made from the path's text.
    ///
    /// `appendingPathComponent` builds Foundation's percent-encoding tables on
    /// its first use, 4 % of a whole `postern cert`; the paths on that command's
    /// way (the CA folder, its two files) are made with this instead.
    public func appendingFileName(_ name: String, isDirectory: Bool = false) -> URL {
        let folder = path
        return URL(fileURLWithPath: folder.hasSuffix("/") ? folder + name : folder + "/" + name, isDirectory: isDirectory)
    }
}
