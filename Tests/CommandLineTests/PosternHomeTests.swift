import Foundation
import PosternServer
import Testing

/// `--home` and `POSTERN_HOME` are made absolute by hand (for `postern cert`'s
/// start-up time); the result must be the folder Foundation's
/// `standardizedFileURL` names, which the data folder was before.
@Suite struct PosternHomeTests {
    @Test(arguments: [
        "/tmp/h", "/tmp/h/", "/tmp//h", "/tmp/./h", "/tmp/x/../h", "/tmp/h/..", "/..", "/", "/a/b/../../..",
        "h", "./h", "../h", "a/./b/../c", "h/",
    ])
    func homeIsTheStandardizedAbsoluteFolder(_ given: String) {
        let expected = URL(fileURLWithPath: given, isDirectory: true).standardizedFileURL.path
        #expect(PosternHome.absolutePath(given) == (expected.count > 1 && expected.hasSuffix("/") ? String(expected.dropLast()) : expected))
        #expect(PosternHome.resolve(given, environment: [:]).path == URL(fileURLWithPath: given, isDirectory: true).standardizedFileURL.path)
    }

    @Test func relativeFoldersAreTakenFromTheWorkingFolder() {
        let cwd = FileManager.default.currentDirectoryPath
        #expect(PosternHome.absolutePath("data/../home") == (cwd == "/" ? "" : cwd) + "/home")
        #expect(PosternHome.resolve(nil, environment: ["POSTERN_HOME": "./x/./y/.."]).path == URL(fileURLWithPath: cwd).appendingPathComponent("x").path)
    }
}
