import Foundation

/// A private certificate authority made with `openssl` for one test: the centre's server
/// certificate (for `localhost`) and client certificates whose common name is a box's role, as
/// PostgreSQL's `cert` authentication expects.
public final class TemporaryCertificates: @unchecked Sendable {
    public let directory: TemporaryDirectory
    /// The authority that signed everything here (PEM).
    public var authority: String { directory.file("ca.crt") }
    public var serverCertificate: String { directory.file("server.crt") }
    public var serverKey: String { directory.file("server.key") }

    public init() throws {
        directory = try TemporaryDirectory(prefix: "lyd-tls")
        try openssl(["req", "-x509", "-new", "-nodes", "-newkey", "rsa:2048", "-days", "3", "-subj", "/CN=loyaltyd test authority",
                     "-keyout", directory.file("ca.key"), "-out", authority])
        try sign(name: "server", subject: "/CN=localhost", extensions: "subjectAltName=DNS:localhost")
    }

    /// A client certificate and key for `role`, signed by ``authority``; returns (certificate, key).
    public func client(role: String) throws -> (certificate: String, key: String) {
        try sign(name: role, subject: "/CN=\(role)", extensions: "extendedKeyUsage=clientAuth")
        return (directory.file("\(role).crt"), directory.file("\(role).key"))
    }

    private func sign(name: String, subject: String, extensions: String) throws {
        let key = directory.file("\(name).key"), request = directory.file("\(name).csr"), extra = directory.file("\(name).ext")
        try extensions.write(toFile: extra, atomically: true, encoding: .utf8)
        try openssl(["req", "-new", "-nodes", "-newkey", "rsa:2048", "-subj", subject, "-keyout", key, "-out", request])
        try openssl(["x509", "-req", "-in", request, "-CA", authority, "-CAkey", directory.file("ca.key"), "-CAcreateserial",
                     "-days", "2", "-extfile", extra, "-out", directory.file("\(name).crt")])
        // Readable by the server's user (PostgreSQL refuses a key others can read: it gets its own copy).
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: key)
    }

    private func openssl(_ arguments: [String]) throws {
        try SystemCommand.run(["/usr/bin/openssl"] + arguments)
    }

    public func remove() { directory.remove() }
}
