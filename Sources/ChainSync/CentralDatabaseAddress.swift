import Foundation
import LoyaltyConfig
import NIOSSL
import PostgresNIO

/// Where the centre is and how to log in, from the `chain:` section: the URL's role, host, port and
/// database, the password file, and TLS as libpq's `sslmode` names it.
public struct CentralDatabaseAddress: Sendable {
    public var host: String
    public var port: Int
    public var role: String
    public var database: String
    var password: String?
    var tls: ChainOptions.TLSOptions

    /// Reads `url` (`postgres://ROLE[:PASSWORD]@HOST[:PORT]/DATABASE`) and the password file.
    public init(url: String, passwordFile: String? = nil, tls: ChainOptions.TLSOptions = .init(mode: .disable)) throws(ChainConfigurationError) {
        guard let components = URLComponents(string: url), ["postgres", "postgresql"].contains(components.scheme ?? ""),
              let host = components.host, !host.isEmpty, let role = components.user, !role.isEmpty
        else { throw ChainConfigurationError("chain.url: expected postgres://ROLE@HOST:PORT/DATABASE") }
        self.host = host
        self.port = components.port ?? 5432
        self.role = role
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        self.database = path.isEmpty ? role : path
        self.tls = tls
        if let passwordFile {
            guard let text = try? String(contentsOfFile: passwordFile, encoding: .utf8) else {
                throw ChainConfigurationError("chain.password_file: cannot read \(passwordFile)")
            }
            password = text.trimmingCharacters(in: .whitespacesAndNewlines)
        } else {
            password = components.password
        }
    }

    /// Where a box's `chain:` section says the centre is, logging in as the box's role.
    public init(_ options: ChainOptions) throws(ChainConfigurationError) {
        try self.init(url: options.url, passwordFile: options.passwordFile, tls: options.tls)
    }

    /// The connection's configuration; TLS contexts are built here, so a bad certificate file is
    /// reported before the first connection attempt.
    func connectionConfiguration() throws -> PostgresConnection.Configuration {
        let mode: PostgresConnection.Configuration.TLS
        switch tls.mode {
        case .disable:
            mode = .disable
        case .require, .verifyFull:
            var settings = TLSConfiguration.makeClientConfiguration()
            if tls.mode == .verifyFull {
                settings.certificateVerification = .fullVerification
                if let ca = tls.caFile { settings.trustRoots = .file(ca) }
            } else {
                settings.certificateVerification = .none
            }
            if let certificate = tls.certificateFile, let key = tls.keyFile {
                settings.certificateChain = try NIOSSLCertificate.fromPEMFile(certificate).map { .certificate($0) }
                settings.privateKey = .privateKey(try NIOSSLPrivateKey(file: key, format: .pem))
            }
            mode = .require(try NIOSSLContext(configuration: settings))
        }
        var configuration = PostgresConnection.Configuration(
            host: host, port: port, username: role, password: password, database: database, tls: mode)
        configuration.options.tlsServerName = tls.mode == .verifyFull ? host : nil
        configuration.options.connectTimeout = .seconds(5)
        return configuration
    }
}

/// A `chain:` setting that cannot be used, said in one line.
public struct ChainConfigurationError: Error, Sendable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}
