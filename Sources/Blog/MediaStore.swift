#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import _NIOFileSystem
import NIOCore

/// A file part of an upload, written to the media folder's staging area
/// while it arrived and not yet visible under `/media/`.
public struct StagedUpload: Sendable {
    /// Absolute path of the staging file.
    public let path: String
    /// The file name the client sent, without any path.
    public let clientFileName: String
    /// Bytes written.
    public let size: Int64
}

/// The media folder: where uploads are staged, placed and removed.
///
/// Uploads stream into `media/.staging/` (a dot folder that `/media/` never
/// serves; NIOFileSystem even writes them as unnamed `O_TMPFILE`s that get
/// their staging name only once complete, so a killed upload leaves nothing)
/// and are *linked* into `media/article-images/` under Django's name
/// for them only once the request is valid, so readers never see half a file
/// and a name is never overwritten: `link(2)` fails on an existing name, and
/// the next candidate gets Django's random suffix.
///
/// ```swift
/// let media = try MediaStore(root: "/home/me/.local/share/postern/media")
/// let name = try media.place(upload)   // "article-images/baking.png"
/// ```
public struct MediaStore: Sendable {
    /// The folder that `/media/` serves.
    public let root: String
    /// Where images go, relative to `root` (Django's `upload_to`).
    public static let imagesFolder = "article-images"
    static let stagingFolder = ".staging"

    public init(root: String) throws(BlogError) {
        self.root = root.hasSuffix("/") && root.count > 1 ? String(root.dropLast()) : root
        for folder in [self.root, "\(self.root)/\(Self.imagesFolder)", "\(self.root)/\(Self.stagingFolder)"] {
            if mkdir(folder, 0o755) != 0 && errno != EEXIST {
                throw BlogError.mediaFolder(folder, reason: String(cString: strerror(errno)))
            }
        }
        removeStaleStagingFiles()
    }

    /// Absolute path of a stored name such as `article-images/a.png`.
    public func absolutePath(of name: String) -> String { "\(root)/\(name)" }

    /// Opens a new, empty staging file.
    public func openStagingFile() async throws -> StagingFile {
        var bytes = [UInt8](repeating: 0, count: 12)
        var generator = SystemRandomNumberGenerator()
        for index in bytes.indices { bytes[index] = UInt8.random(in: 0...255, using: &generator) }
        let token = bytes.map { String($0, radix: 16) }.joined()
        let path = "\(root)/\(Self.stagingFolder)/upload-\(token)"
        let handle = try await FileSystem.shared.openFile(
            forWritingAt: FilePath(path),
            options: .newFile(replaceExisting: false, permissions: [.ownerReadWrite, .groupRead, .otherRead])
        )
        return StagingFile(path: path, handle: handle)
    }

    /// Moves a validated upload into `article-images/` and returns its stored name.
    public func place(_ upload: StagedUpload) throws(BlogError) -> String {
        let prefix = "\(Self.imagesFolder)/"
        guard let valid = UploadFileName.valid(UploadFileName.baseName(upload.clientFileName)),
              var candidate = UploadFileName.fitting(valid, prefix: prefix, maxLength: Article.Limits.imageName)
        else { throw BlogError.unusableFileName(upload.clientFileName) }
        for _ in 0..<100 {
            let target = absolutePath(of: prefix + candidate)
            if link(upload.path, target) == 0 {
                unlink(upload.path)
                return prefix + candidate
            }
            guard errno == EEXIST else { throw BlogError.mediaFolder(target, reason: String(cString: strerror(errno))) }
            guard let next = UploadFileName.fitting(UploadFileName.alternative(for: valid), prefix: prefix, maxLength: Article.Limits.imageName)
            else { throw BlogError.unusableFileName(upload.clientFileName) }
            candidate = next
        }
        throw BlogError.unusableFileName(upload.clientFileName)
    }

    /// Removes a stored file; a file already gone is not an error.
    public func remove(storedName name: String) {
        guard !name.isEmpty, !name.split(separator: "/").contains(where: { $0 == ".." || $0.hasPrefix(".") }) else { return }
        unlink(absolutePath(of: name))
    }

    /// Removes a staging file that will not be placed.
    public func discard(_ upload: StagedUpload) {
        unlink(upload.path)
    }

    /// Staging files left by a process that was killed mid-upload.
    private func removeStaleStagingFiles() {
        let folder = "\(root)/\(Self.stagingFolder)"
        guard let dir = opendir(folder) else { return }
        defer { closedir(dir) }
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
            if name.hasPrefix("upload-") { unlink("\(folder)/\(name)") }
        }
    }
}

/// A staging file being written: bytes are buffered and written in large
/// blocks, so an upload costs few thread-pool hops and little memory.
public final class StagingFile {
    public let path: String
    private let handle: WriteFileHandle
    private var buffer = ByteBuffer()
    private var offset: Int64 = 0
    private var closed = false
    private static let blockSize = 256 * 1024

    init(path: String, handle: WriteFileHandle) {
        self.path = path
        self.handle = handle
    }

    /// Bytes received so far.
    public var size: Int64 { offset + Int64(buffer.readableBytes) }

    /// Queues bytes, writing a block once enough have arrived.
    public func append(_ bytes: inout ByteBuffer) async throws {
        buffer.writeBuffer(&bytes)
        if buffer.readableBytes >= Self.blockSize { try await flush() }
    }

    private func flush() async throws {
        guard buffer.readableBytes > 0 else { return }
        let written = buffer.readableBytes
        try await handle.write(contentsOf: buffer.readableBytesView, toAbsoluteOffset: offset)
        offset += Int64(written)
        buffer.clear()
    }

    /// Writes what is left and closes the file; `clientFileName` is what the part's header named.
    public func finish(clientFileName: String) async throws -> StagedUpload {
        do {
            try await flush()
            try await release(makeChangesVisible: true)
        } catch {
            await abandon()
            throw error
        }
        return StagedUpload(path: path, clientFileName: clientFileName, size: offset)
    }

    /// Closes and deletes the file (a failed or refused upload).
    public func abandon() async {
        try? await release(makeChangesVisible: false)
        unlink(path)
    }

    /// Closes the handle. When NIO cannot — the task was cancelled, as happens
    /// to uploads in flight when `serve` stops, or the close failed — the
    /// descriptor is taken back and closed here: NIO traps on a handle that is
    /// dropped while still open.
    private func release(makeChangesVisible: Bool) async throws {
        guard !closed else { return }
        closed = true
        do {
            try await handle.close(makeChangesVisible: makeChangesVisible)
        } catch {
            if let descriptor = try? handle.detachUnsafeFileDescriptor() { _ = close(descriptor.rawValue) }
            throw error
        }
    }
}
