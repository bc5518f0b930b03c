import ContactlessReaders
import Foundation
import LoyaltyConfig
import LoyaltyStore
import TillClient
import USBReaders

/// The checks `loyaltyd doctor` runs, each independent, so one broken part never hides another.
struct Diagnostics {
    let configPath: String
    let socketOverride: String?
    let databaseOverride: String?

    func run() async -> [DoctorCheck] {
        let configuration: LoyaltyConfiguration
        do {
            configuration = try ConfigLoader.load(path: configPath).overriding(socketPath: socketOverride, databasePath: databaseOverride)
        } catch {
            return [.fail("config", "\(error)", remedy: "fix the file (loyaltyd config check --config \(configPath)) and reload")]
        }
        var checks: [DoctorCheck] = [.pass("config", "\(configPath) is valid; rules version \(configuration.program.version)")]
        checks += await database(configuration)
        checks.append(diskSpace(configuration.databasePath))
        checks.append(tillSocket(configuration))
        checks += await chain(configuration)
        checks += contactless(configuration)
        checks += usb(configuration)
        checks.append(clock())
        return checks
    }

    private func database(_ configuration: LoyaltyConfiguration) async -> [DoctorCheck] {
        let path = configuration.databasePath
        guard FileManager.default.fileExists(atPath: path) else {
            return [.fail("database", "\(path) does not exist", remedy: "start the daemon once (it creates it) or check database.path")]
        }
        let store: LoyaltyStore
        do {
            store = try LoyaltyStore(path: path, storeID: configuration.storeID, migrate: false)
        } catch {
            return [.fail("database", "cannot open \(path): \(error)", remedy: "restore the latest backup; the file is damaged or not a loyaltyd database")]
        }
        defer { try? store.close() }
        var checks: [DoctorCheck] = []
        do {
            let pending = try store.pendingMigrations()
            checks.append(pending.isEmpty
                ? .pass("migrations", "schema current")
                : .fail("migrations", "pending: \(pending.joined(separator: ", "))", remedy: "loyaltyd db migrate (the daemon also migrates when it starts)"))
        } catch {
            checks.append(.fail("migrations", "cannot read the schema: \(error)", remedy: "restore the latest backup"))
        }
        do {
            let report = try await store.verify()
            checks.append(report.integrity == ["ok"]
                ? .pass("integrity", "PRAGMA integrity_check ok")
                : .fail("integrity", report.integrity.prefix(3).joined(separator: "; "), remedy: "stop the daemon and restore the latest backup"))
            checks.append(report.mismatches.isEmpty
                ? .pass("balances", "\(report.membersChecked) balance(s) equal the sum of their ledger")
                : .fail("balances", "\(report.mismatches.count) cached balance(s) differ from the ledger", remedy: "loyaltyd db verify lists them; report it: the ledger is the truth"))
            checks.append(report.bankCards.isEmpty
                ? .pass("bank cards", "no bank card number stored")
                : .fail("bank cards", "\(report.bankCards.count) bank card number(s) stored as cards: \(report.bankCards.prefix(3).map(\.masked).joined(separator: ", "))",
                        remedy: "loyaltyd db migrate blocks them and keeps only a masked marker"))
        } catch {
            checks.append(.fail("integrity", "cannot read the database: \(error)", remedy: "stop the daemon and restore the latest backup"))
        }
        checks.append(await randomUIDCarriers(store))
        return checks
    }

    private func diskSpace(_ databasePath: String) -> DoctorCheck {
        let directory = (databasePath as NSString).deletingLastPathComponent
        var status = statvfs()
        guard statvfs(directory.isEmpty ? "." : directory, &status) == 0 else {
            return .fail("disk", "cannot read the free space of \(directory)", remedy: "check that the directory exists")
        }
        let free = Double(status.f_bavail) * Double(status.f_frsize) / 1_048_576
        return free >= 100
            ? .pass("disk", String(format: "%.0f MB free beside the database", free))
            : .fail("disk", String(format: "only %.0f MB free beside the database", free), remedy: "free space: commits fail when the disk is full")
    }

    private func tillSocket(_ configuration: LoyaltyConfiguration) -> DoctorCheck {
        let path = configuration.tillSocket.path
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else {
            return .fail("till socket", "\(path) does not exist", remedy: "start the daemon: systemctl start loyaltyd.socket loyaltyd.service")
        }
        let mode = (attributes[.posixPermissions] as? Int) ?? 0
        let owner = "\(attributes[.ownerAccountName] as? String ?? "?"):\(attributes[.groupOwnerAccountName] as? String ?? "?")"
        guard mode & 0o007 == 0 else {
            return .fail("till socket", "\(path) has mode \(String(mode, radix: 8)): any local user can reach it", remedy: "set till_socket.mode to 0660 (or SocketMode= in loyaltyd.socket) and restart")
        }
        do {
            let status = try TillClient(path: path).result("status", timeoutMilliseconds: 5_000)
            let version = if case .string(let text)? = status["version"] { text } else { "?" }
            return .pass("till socket", "\(path) \(owner) mode \(String(mode, radix: 8)) answers status (loyaltyd \(version))")
        } catch {
            return .fail("till socket", "\(path) exists but does not answer: \(error)", remedy: "systemctl status loyaltyd; journalctl -u loyaltyd")
        }
    }

    private func contactless(_ configuration: LoyaltyConfiguration) -> [DoctorCheck] {
        guard configuration.readers.contactlessEnabled else { return [.skip("pcscd", "contactless readers are disabled")] }
        var checks: [DoctorCheck] = []
        do {
            let readers = try ContactlessMonitor.snapshot()
            checks.append(readers.isEmpty
                ? .fail("pcscd", "reachable, but no reader", remedy: "plug the reader in; see the NFC module check below")
                : .pass("pcscd", "reachable; readers: \(readers.map(\.name).joined(separator: ", "))"))
        } catch {
            checks.append(.fail("pcscd", "\(error)", remedy: "sudo systemctl enable --now pcscd.socket"))
        }
        let loaded = ((try? String(contentsOfFile: "/proc/modules", encoding: .utf8)) ?? "")
            .split(separator: "\n").compactMap { $0.split(separator: " ").first.map(String.init) }
            .filter { ["pn533", "pn533_usb", "nfc"].contains($0) }
        checks.append(loaded.isEmpty
            ? .pass("nfc modules", "pn533, pn533_usb and nfc are not loaded")
            : .fail("nfc modules", "loaded: \(loaded.joined(separator: ", ")); they take ACR122U-type readers from pcscd", remedy: "install udev/blacklist-nfc-pn533.conf in /etc/modprobe.d and rmmod \(loaded.joined(separator: " "))"))
        return checks
    }

    private func usb(_ configuration: LoyaltyConfiguration) -> [DoctorCheck] {
        guard !configuration.readers.usb.isEmpty else { return [.skip("usb readers", "none configured")] }
        let present: [USBDeviceList.Device]
        do {
            present = try USBDeviceList.present()
        } catch {
            return [.fail("usb readers", "cannot list USB devices: \(error)", remedy: "check that /sys/bus/usb is readable")]
        }
        let daemon = DaemonReaderStates(socketPath: configuration.tillSocket.path)
        return configuration.readers.usb.map { reader in
            let name = "usb \(reader.name)"
            guard let device = present.first(where: { reader.matches($0.identity) }) else {
                return .fail(name, "\(reader.deviceDescription) is not plugged in", remedy: "plug it in; `loyaltyd readers` lists the serial numbers and ports of the devices of this model")
            }
            // The daemon refused it (a HID POS scanner whose report descriptor lacks what is needed, a claim that failed).
            if let problem = daemon.problem(of: reader.name) {
                return .fail(name, "on bus \(device.bus) device \(device.address), but the daemon cannot use it: \(problem)", remedy: "set the reader to the mode its protocol names (HID POS for hid-pos-barcode), or change protocol")
            }
            let node = String(format: "/dev/bus/usb/%03d/%03d", device.bus, device.address)
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: node) else {
                return .pass(name, "on bus \(device.bus) device \(device.address)")
            }
            let group = attributes[.groupOwnerAccountName] as? String ?? "?"
            let mode = (attributes[.posixPermissions] as? Int) ?? 0
            return group == "loyaltyd" && mode & 0o060 == 0o060
                ? .pass(name, "on bus \(device.bus) device \(device.address); \(node) is group loyaltyd, read-write")
                : .fail(name, "\(node) is group \(group) mode \(String(mode, radix: 8)): the daemon's user may not open it", remedy: "install udev/70-loyaltyd-readers.rules with this reader's ids and reload udev")
        }
    }

    private func clock() -> DoctorCheck {
        let now = Date()
        let year = Calendar(identifier: .gregorian).component(.year, from: now)
        return (2024...2100).contains(year)
            ? .pass("clock", "\(now) (UTC)")
            : .fail("clock", "the system clock says \(now)", remedy: "set the time (timedatectl; enable NTP): receipts and point expiry depend on it")
    }
}
