import LocalCA
import Synchronization

/// The QR code `postern share` and `serve --share` print under the tunnel's
/// public URL, so a phone can open it from the terminal.
///
/// The relay hands the URL over again on every reconnect; the code is drawn
/// the first time and again only when the URL changes, so a flaky network
/// does not fill the terminal with squares.
///
/// ```swift
/// let code = PublicURLCode()
/// for line in code.lines(for: "https://demo.tunnel.example.com") { print(line) }
/// ```
public final class PublicURLCode: Sendable {
    private let shown = Mutex<String?>(nil)

    public init() {}

    /// The code's lines for `url`, or none when `url` is the one drawn last.
    public func lines(for url: String) -> [String] {
        let isNew = shown.withLock { last in
            defer { last = url }
            return last != url
        }
        guard isNew, let code = try? QRCode(encoding: url) else { return [] }
        return [code.halfBlockText()]
    }
}
