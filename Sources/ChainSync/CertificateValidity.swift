import Foundation
import LoyaltyConfig
import NIOSSL

/// When the certificates a box's `chain.tls` section names stop being valid: a box whose client
/// certificate expired is cut off from the centre, so a technician must hear of it weeks before.
public struct CertificateValidity: Sendable, Equatable {
    /// The `chain.tls` key that names the file (`cert_file`, `ca_file`).
    public var key: String
    public var path: String
    /// Seconds since the epoch after which the certificate is no longer valid.
    public var notValidAfter: Int64

    /// Days from `nowSeconds` until the certificate expires, rounded down; negative once expired.
    public func daysLeft(nowSeconds: Int64) -> Int64 {
        let left = notValidAfter - nowSeconds
        return left >= 0 ? left / 86_400 : -((-left + 86_399) / 86_400)
    }

    /// The client certificate and the authority of a `chain.tls` section, in that order; a file
    /// that cannot be read as PEM is an error naming its key.
    public static func of(_ tls: ChainOptions.TLSOptions) throws(ChainConfigurationError) -> [CertificateValidity] {
        var found: [CertificateValidity] = []
        for (key, path) in [("cert_file", tls.certificateFile), ("ca_file", tls.caFile)] {
            guard let path else { continue }
            let certificates: [NIOSSLCertificate]
            do {
                certificates = try NIOSSLCertificate.fromPEMFile(path)
            } catch {
                throw ChainConfigurationError("chain.tls.\(key): \(path) is not a PEM certificate (\(error))")
            }
            guard let first = certificates.first else { throw ChainConfigurationError("chain.tls.\(key): \(path) holds no certificate") }
            found.append(CertificateValidity(key: key, path: path, notValidAfter: Int64(first.notValidAfter)))
        }
        return found
    }
}
