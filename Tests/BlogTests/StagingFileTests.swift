import Foundation
import NIOCore
import Testing

@testable import Blog

/// Staging files when the upload's task is cancelled (what `serve` does to
/// uploads still in flight when it stops): nothing is left open or on disk.
@Suite struct StagingFileTests {
    /// Descriptors of this process open on something under `folder`
    /// (an unnamed O_TMPFILE shows as `folder/.staging/#123 (deleted)`).
    static func descriptors(under folder: URL) -> [String] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        return entries.compactMap { try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\($0)") }
            .filter { $0.hasPrefix(folder.path + "/") }
    }

    @Test func abandoningInACancelledTaskClosesTheFileAndLeavesNothing() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("postern-staging-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let media = try MediaStore(root: folder.path)

        let outcome = Task {
            let file = try await media.openStagingFile()
            var bytes = ByteBuffer(repeating: 7, count: 300_000)
            try await file.append(&bytes)
            withUnsafeCurrentTask { $0?.cancel() }
            await file.abandon()
            return file.path
        }
        // Without the fallback, NIO traps here on the handle dropped while open, and the test process dies.
        let path = try await outcome.value
        #expect(!FileManager.default.fileExists(atPath: path))
        let staging = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent(MediaStore.stagingFolder).path)
        #expect(staging.isEmpty, "\(staging)")
        #expect(Self.descriptors(under: folder).isEmpty, "\(Self.descriptors(under: folder))")
    }

    @Test func finishingInACancelledTaskFailsCleanlyOrSucceeds() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("postern-staging-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let media = try MediaStore(root: folder.path)

        let outcome = Task { () -> StagedUpload? in
            let file = try await media.openStagingFile()
            var bytes = ByteBuffer(repeating: 7, count: 1_000)
            try await file.append(&bytes)
            withUnsafeCurrentTask { $0?.cancel() }
            return try? await file.finish(clientFileName: "a.png")
        }
        let staged = try await outcome.value
        // Either the close went through (the file is complete) or it was refused and nothing is left.
        if let staged {
            #expect((try? FileManager.default.attributesOfItem(atPath: staged.path)[.size] as? Int) == 1_000)
            media.discard(staged)
        }
        let staging = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent(MediaStore.stagingFolder).path)
        #expect(staging.isEmpty, "\(staging)")
        #expect(Self.descriptors(under: folder).isEmpty, "\(Self.descriptors(under: folder))")
    }
}
