/// What the API needs to know about where it runs.
///
/// ```swift
/// let configuration = BlogAPIConfiguration(origins: OriginPolicy(publicURL: nil, allowedHosts: ["localhost"]),
///                                          maxUploadSize: 10 << 20, isTLS: true)
/// ```
public struct BlogAPIConfiguration: Sendable {
    public var origins: OriginPolicy
    /// The largest request body accepted, in bytes (`--max-upload`).
    public var maxUploadSize: Int
    /// Whether this listener's connections are TLS: decides the scheme of the request's own origin.
    public var isTLS: Bool
    /// Whether peers that are not on loopback may create, change and delete (`--open-writes`).
    public var remoteWrites: Bool

    public init(origins: OriginPolicy, maxUploadSize: Int, isTLS: Bool, remoteWrites: Bool = false) {
        self.origins = origins
        self.maxUploadSize = maxUploadSize
        self.isTLS = isTLS
        self.remoteWrites = remoteWrites
    }
}
