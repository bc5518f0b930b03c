import ChainSync
import LoyaltyConfig
import LoyaltyDomain
import LoyaltyStore

extension Diagnostics {
    /// The chain's health for this box: the centre reachable as the box's role, how far behind the
    /// box is, its clock offset, and nothing quarantined. Skipped for a single store.
    func chain(_ configuration: LoyaltyConfiguration) async -> [DoctorCheck] {
        guard let options = configuration.chain else { return [.skip("chain", "no chain: section (a single store)")] }
        let address: CentralDatabaseAddress
        let transport: PostgresChainTransport
        do {
            address = try CentralDatabaseAddress(options)
            transport = try options.boxTransport()
        } catch {
            return [.fail("chain", error.description, remedy: "fix the chain: section (README \"Running a chain\")")]
        }
        var checks = certificates(options.tls)
        let report = try? await LoyaltyStore(path: configuration.databasePath, storeID: configuration.storeID, migrate: false, createIfMissing: false)
            .chainReport()
        do {
            let hello = try await transport.hello(
                rulesVersion: nil, daemonVersion: nil, boxTimeMilliseconds: WallClock.system.now())
            let lag = report.map { max(0, hello.headSequence - $0.cursor) }
            checks.append(.pass("chain", "centre \(address.host):\(address.port) reachable as box \(hello.boxID) of store \(hello.storeID)"
                + (lag.map { ", \($0) fact(s) behind" } ?? "") + ", clock \(hello.clockOffsetMilliseconds) ms off"))
            if abs(hello.clockOffsetMilliseconds) > 60_000 {
                checks.append(.fail("chain clock", "this box's clock is \(hello.clockOffsetMilliseconds / 1000) s off the centre's",
                                    remedy: "enable time sync (timedatectl set-ntp true); tier windows and expiry use the box's clock"))
            }
        } catch {
            checks.append(.fail("chain", "cannot reach the centre \(address.host):\(address.port): \(ChainErrorText.of(error))",
                                remedy: "check chain.url and the password or certificate, the network, and the systemd drop-in that allows the centre's address (systemd/chain.conf)"))
        }
        await transport.close()
        if let report {
            checks.append(report.quarantined.isEmpty
                ? .pass("chain queue", "\(report.pending) fact(s) waiting to be pushed, none quarantined")
                : .fail("chain queue", "\(report.quarantined.count) fact(s) quarantined: \(report.quarantined.prefix(3).map { "\($0.direction) \($0.factID): \($0.reason)" }.joined(separator: "; "))",
                        remedy: "loyaltyd chain status lists them; report them to head office with the reasons"))
        }
        return checks
    }

    /// A certificate the box logs in with or checks the centre by, two weeks or less from expiry:
    /// once expired the box is cut off from the centre.
    private func certificates(_ tls: ChainOptions.TLSOptions) -> [DoctorCheck] {
        let validities: [CertificateValidity]
        do {
            validities = try CertificateValidity.of(tls)
        } catch {
            return [.fail("chain certificate", error.description, remedy: "install the files head office issued for this box (README \"Running a chain\")")]
        }
        let now = WallClock.system.now() / 1000
        return validities.map { validity in
            let days = validity.daysLeft(nowSeconds: now)
            let name = "chain certificate"
            let what = "tls.\(validity.key) \(validity.path)"
            if days < 0 { return .fail(name, "\(what) expired \(-days) day(s) ago", remedy: "install a renewed certificate; until then this box cannot reach the centre") }
            if days < 14 { return .fail(name, "\(what) expires in \(days) day(s)", remedy: "ask head office for a renewed certificate before it expires") }
            return .pass(name, "\(what) valid for \(days) more day(s)")
        }
    }
}
