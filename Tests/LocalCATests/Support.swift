import Foundation
import Testing

/// A fresh folder under the system's temporary folder, removed afterwards.
func withTemporaryFolder<T>(_ body: (URL) throws -> T) throws -> T {
    let folder = FileManager.default.temporaryDirectory
        .appendingPathComponent("postern-localca-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    return try body(folder)
}

/// The permission bits of a file or folder.
func permissions(_ url: URL) throws -> Int {
    let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
    return (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
}

/// Runs /usr/bin/openssl, for checking certificates with a verifier Postern does not control.
enum OpenSSL {
    static let path = "/usr/bin/openssl"
    static let isAvailable: Bool = {
        let available = FileManager.default.isExecutableFile(atPath: path)
        if !available { print("LocalCATests: skipping OpenSSL checks, \(path) is missing") }
        return available
    }()

    /// Exit status and combined output.
    @discardableResult
    static func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
