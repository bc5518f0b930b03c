import Foundation
import LoyaltyTestSupport
import Testing
import TillClient
import TillProtocol

/// A box reaches the centre over TLS with a client certificate (`sslmode=verify-full`, PostgreSQL's
/// `cert` authentication), as the README's "Running a chain" sets it up: real certificates from
/// `openssl`, a real PostgreSQL that accepts box roles only that way.
@Suite(.serialized) struct ChainTLSTests {
    @Test(.requires(TemporaryPostgres.binaries != nil, "PostgreSQL (apt-get install postgresql-15)"),
          .requires(FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl"), "openssl"))
    func aBoxSyncsOverTLSWithItsCertificateAndNotWithout() throws {
        let certificates = try TemporaryCertificates()
        defer { certificates.remove() }
        let chain = try TemporaryChain(certificates: certificates)
        defer { chain.remove() }
        let client = try certificates.client(role: "box_t1")
        let box = try chain.addBox("t1", store: "store-t", tls: [
            "mode: verify-full", "ca_file: \(certificates.authority)", "cert_file: \(client.certificate)", "key_file: \(client.key)",
        ])
        let card: JSONValue = .object([("kind", "barcode"), ("value", "2900000033333")])
        _ = try box.client().result("member.enroll", .object([("card", card)]))
        #expect(try chain.settled(timeoutSeconds: 20), "the box pushed its member over TLS: \(box.log.suffix(800))")
        #expect(try chain.centralFacts() > 0)
        let encrypted = try chain.centre.psql(
            "SELECT count(*) FROM pg_stat_ssl JOIN pg_stat_activity USING (pid) WHERE usename = 'box_t1' AND ssl", database: TemporaryPostgres.database)
        #expect(encrypted == "1\n", "the box's connection is encrypted")

        // doctor reaches the centre the same way and says how long the certificates last
        // (these were made to last two days, so it warns).
        let doctor = try box.run(["doctor"])
        #expect(doctor.stdout.contains("ok    chain: centre localhost:\(chain.centre.port) reachable as box t1 of store store-t"), "\(doctor.stdout)")
        #expect(doctor.stdout.contains("FAIL  chain certificate: tls.cert_file \(client.certificate) expires in "), "\(doctor.stdout)")
        #expect(doctor.stdout.contains("→ ask head office for a renewed certificate before it expires"), "\(doctor.stdout)")

        // Without a certificate the centre turns the box away; with the wrong authority the box
        // turns the centre away. Both say so, and neither sends anything.
        let stranger = try TemporaryCertificates()
        defer { stranger.remove() }
        let plain = try chain.addBox("t2", store: "store-t", start: false)
        let wrongAuthority = try chain.addBox("t3", store: "store-t", tls: ["mode: verify-full", "ca_file: \(stranger.authority)"], start: false)
        for (refused, text) in [(plain, "pg_hba.conf rejects connection"), (wrongAuthority, "certificate")] {
            #expect(try refused.run(["db", "migrate"]).status == 0)
            let check = try refused.run(["doctor"])
            #expect(check.stdout.contains("FAIL  chain: cannot reach the centre"), "\(check.stdout)")
            #expect(check.stdout.lowercased().contains(text.lowercased()), "\(check.stdout)")
        }
    }
}
