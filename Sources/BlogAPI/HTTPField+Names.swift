import HTTPTypes

/// Header names the API reads or writes that HTTPTypes does not predefine.
extension HTTPField.Name {
    // Literal, valid field names: the initialiser cannot fail for them.
    static let xForwardedProto = Self("X-Forwarded-Proto")!
    static let xForwardedHost = Self("X-Forwarded-Host")!
    static let xForwardedFor = Self("X-Forwarded-For")!
    static let xFrameOptions = Self("X-Frame-Options")!
    static let xContentTypeOptions = Self("X-Content-Type-Options")!
    static let referrerPolicy = Self("Referrer-Policy")!
    static let crossOriginOpenerPolicy = Self("Cross-Origin-Opener-Policy")!
}
