import SwiftASN1
import X509

extension DistinguishedName {
    /// The first value of attribute `type` as plain text (unescaped), if present.
    func firstText(of type: ASN1ObjectIdentifier) -> String? {
        for rdn in self {
            for attribute in rdn where attribute.type == type {
                return String(attribute.value) ?? attribute.value.description
            }
        }
        return nil
    }

    /// The commonName, if any.
    var commonNameText: String? { firstText(of: .RDNAttributeType.commonName) }

    /// The organizationalUnitName, if any.
    var organizationalUnitText: String? { firstText(of: .RDNAttributeType.organizationalUnitName) }
}
