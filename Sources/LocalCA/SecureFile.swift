import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// File operations with the guarantees key material needs.
///
/// Foundation's `Data.write(to:options: .atomic)` creates its temporary file
/// with the process umask and only then could one `chmod` it, which leaves a
/// window where a private key is world-readable. These helpers create every
/// file with its final mode from the first system call, write it under a
/// temporary name in the same folder, `fsync` it and `rename` it into place,
/// so readers see either the old file or the whole new one.
///
/// ```swift
/// try SecureFile.save(Array(keyPEM.utf8), to: URL(fileURLWithPath: "localhost-key.pem"), mode: 0o600)
/// ```
public enum SecureFile {
    /// Creates `folder` (and missing parents) and gives the folder itself `mode`.
    /// An existing folder is tightened to `mode` when it is more open than that.
    public static func makeFolder(_ folder: URL, mode: mode_t) throws {
        let parent = folder.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
        } catch {
            throw LocalCAError.fileSystem("create the folder", parent, error)
        }
        if mkdir(folder.path, mode) != 0 {
            let code = errno
            guard code == EEXIST else { throw LocalCAError.fileSystem("create the folder", folder, errno: code) }
        }
        var info = stat()
        guard stat(folder.path, &info) == 0 else { throw LocalCAError.fileSystem("inspect", folder, errno: errno) }
        guard info.st_mode & S_IFMT == S_IFDIR else {
            throw LocalCAError(.fileSystem, "\(folder.path) exists but is not a folder; move it away and run again.")
        }
        if info.st_mode & 0o777 & ~mode != 0, chmod(folder.path, mode) != 0 {
            throw LocalCAError.fileSystem("restrict the permissions of", folder, errno: errno)
        }
    }

    /// Writes `bytes` to `url` atomically; the file has exactly `mode` from its creation on.
    ///
    /// - Parameter synced: `fsync` before the rename, so the file also survives a power cut.
    ///   Files that can be made again in milliseconds (`postern cert`'s leaves,
    ///   as mkcert writes them) pass `false`: readers still see the old file or
    ///   the whole new one, and the flush, 0.5–2 ms here, was the largest part of `cert`.
    public static func save(_ bytes: [UInt8], to url: URL, mode: mode_t, synced: Bool = true) throws {
        let folder = url.deletingLastPathComponent()
        let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).\(UInt32.random(in: .min ... .max)).tmp")
        let descriptor = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard descriptor >= 0 else { throw LocalCAError.fileSystem("create", temporary, errno: errno) }
        var committed = false
        defer {
            if !committed { unlink(temporary.path) }
        }
        do {
            defer { close(descriptor) }
            // The umask may have removed bits from `mode`; set exactly what was asked.
            guard fchmod(descriptor, mode) == 0 else { throw LocalCAError.fileSystem("set the mode of", temporary, errno: errno) }
            var offset = 0
            while offset < bytes.count {
                let written = bytes[offset...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
                if written < 0 {
                    if errno == EINTR { continue }
                    throw LocalCAError.fileSystem("write", temporary, errno: errno)
                }
                offset += written
            }
            guard !synced || fsync(descriptor) == 0 else { throw LocalCAError.fileSystem("flush", temporary, errno: errno) }
        }
        guard rename(temporary.path, url.path) == 0 else { throw LocalCAError.fileSystem("replace", url, errno: errno) }
        committed = true
    }

    /// The content of `url`, or `nil` when there is no such file.
    static func read(_ url: URL) throws -> [UInt8]? {
        do {
            return Array(try Data(contentsOf: url))
        } catch {
            if !FileManager.default.fileExists(atPath: url.path) { return nil }
            throw LocalCAError.fileSystem("read", url, error)
        }
    }

    /// Whether something exists at `url` (a dangling symlink counts).
    static func exists(_ url: URL) -> Bool {
        var info = stat()
        return lstat(url.path, &info) == 0
    }

    /// The permission bits of `url`, or `nil` when it does not exist.
    static func mode(of url: URL) -> mode_t? {
        var info = stat()
        guard stat(url.path, &info) == 0 else { return nil }
        return info.st_mode & 0o7777
    }

    /// Runs `body` holding an exclusive `flock` on `folder/.lock`, so two
    /// processes starting at once do not both create a root or a leaf and
    /// end with one's key beside the other's certificate.
    static func withLock<T>(in folder: URL, _ body: () throws -> T) throws -> T {
        let lockFile = folder.appendingPathComponent(".lock")
        let descriptor = open(lockFile.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw LocalCAError.fileSystem("create the lock file", lockFile, errno: errno) }
        defer { close(descriptor) }
        while flock(descriptor, LOCK_EX) != 0 {
            guard errno == EINTR else { throw LocalCAError.fileSystem("lock", lockFile, errno: errno) }
        }
        defer { flock(descriptor, LOCK_UN) }
        return try body()
    }
}
