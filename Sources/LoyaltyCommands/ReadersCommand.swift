import ArgumentParser
import ContactlessReaders
import LoyaltyConfig
import TillClient
import TillProtocol
import USBReaders

/// `loyaltyd readers`: the card readers this machine has, asked directly (not through the daemon),
/// so it works when the daemon is stopped too.
struct ReadersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "readers",
        abstract: "List the card readers: PC/SC readers from pcscd (state, ATR of a card) and the configured USB readers.",
        discussion: """
            Asks pcscd and the USB bus directly, and the running daemon (when it answers) whether it \
            has claimed each USB reader. Shows which till (lane) each reader serves under the \
            configuration, and for each reader the serial number and USB port that bind it to a lane \
            (`serial:`/`port:` in readers.contactless.readers or readers.usb), so identical readers keep \
            their lanes whatever the plug order. Exit status 1 when pcscd is not reachable.
            """
    )

    @OptionGroup var options: CommonOptions
    @Flag(help: "Print one JSON object instead of a table.") var json = false

    func run() throws {
        // Lanes come from the configuration when it can be read; the readers are listed either way.
        let configuration = try? ConfigLoader.load(path: options.configPath).overriding(socketPath: options.socketOverride, databasePath: options.databaseOverride)
        let readerOptions = configuration?.readers
        if !json, let configuration { printUSBReaders(configuration) }
        let snapshots: [ReaderSnapshot]
        do {
            snapshots = try ContactlessMonitor.snapshot()
        } catch {
            if json {
                print(JSONWriter.string(of: .object([("pcscd", .string("unreachable")), ("error", .string(error.description))])))
            } else {
                printError("""
                    PC/SC: \(error)
                      pcscd must run for contactless readers: `systemctl status pcscd.socket pcscd.service`,
                      or `sudo systemctl enable --now pcscd.socket`.
                    """)
            }
            throw ExitCode.failure
        }
        let rows = snapshots.map { snapshot -> (ReaderSnapshot, String) in
            let lane = readerOptions.map { options -> String in
                guard options.contactlessEnabled else { return "contactless disabled" }
                let (used, tillID) = options.contactlessLaneFor(
                    snapshot.name, serialNumber: snapshot.identity.serialNumber, portPath: snapshot.identity.portPath)
                return used ? (tillID ?? "all tills") : "not selected"
            } ?? "unknown (configuration not readable)"
            return (snapshot, lane)
        }
        if json {
            print(JSONWriter.string(of: .object([
                ("pcscd", "reachable"),
                ("readers", .array(rows.map { snapshot, lane in
                    .object([
                        ("name", .string(snapshot.name)), ("kind", "contactless"), ("card_present", .bool(snapshot.cardPresent)),
                        ("atr", .string(CardUID.hex(snapshot.atr))), ("states", .array(snapshot.states.map(JSONValue.string))),
                        ("lane", .string(lane)),
                        ("serial", snapshot.identity.serialNumber.map(JSONValue.string) ?? .null),
                        ("serial_from", snapshot.identity.serialSource.map { .string($0.rawValue) } ?? .null),
                        ("port", snapshot.identity.portPath.map(JSONValue.string) ?? .null),
                    ])
                })),
            ])))
            return
        }
        guard !rows.isEmpty else {
            print("""
                PC/SC: pcscd is running but lists no readers.
                  Is the reader plugged in (`lsusb`)? The kernel's NFC drivers (pn533, pn533_usb, nfc) take
                  ACR122U-type readers away from pcscd: see udev/README.md for the blacklist file.
                """)
            return
        }
        print("PC/SC readers (pcscd reachable; to bind identical readers, copy serial or port into readers.contactless.readers):")
        for (snapshot, lane) in rows {
            let card = snapshot.cardPresent ? "card present, ATR \(CardUID.hex(snapshot.atr))" : "no card"
            print("  \(snapshot.name)\n    \(card); state: \(snapshot.states.joined(separator: ", ")); lane: \(lane)")
            print("    \(Self.binding(snapshot.identity))")
        }
    }

    /// The serial and port of a PC/SC reader as a `readers.contactless.readers` entry takes them,
    /// and where they come from.
    static func binding(_ identity: PCSCReaderIdentity) -> String {
        let serial = identity.serialNumber.map { serial in
            "serial: \"\(serial)\" (" + (identity.serialSource == .attribute ? "from the driver" : "from the name pcscd gave it") + ")"
        } ?? "no serial number (the driver gives none and the name holds none)"
        let port = identity.portPath.map { "port: \"\($0)\"" } ?? "port unknown (the driver does not say which USB device it is)"
        return serial + "; " + port
    }

    /// The configured USB readers: on the bus or not, and claimed by the daemon or why not; then
    /// every device of a configured model with its serial number and port, the values that bind
    /// identical readers to their lanes.
    private func printUSBReaders(_ configuration: LoyaltyConfiguration) {
        guard !configuration.readers.usb.isEmpty else {
            print("USB readers: none configured (readers.usb)")
            return
        }
        let present = (try? USBDeviceList.present()) ?? []
        let daemon = DaemonReaderStates(socketPath: configuration.tillSocket.path)
        print("USB readers (configured):")
        for reader in configuration.readers.usb {
            let onBus = present.first { reader.matches($0.identity) }
            var state: String
            if onBus == nil {
                state = "not plugged in"
            } else if !daemon.answered {
                state = "present; the daemon does not answer, so whether it claimed it is unknown"
            } else if daemon.lists(reader.name) {
                state = daemon.problem(of: reader.name).map { "present, not usable: \($0)" } ?? "claimed by the daemon"
            } else {
                state = "present, not claimed (is the daemon's user allowed to open it? see udev/README.md)"
            }
            let location = onBus.map { " bus \($0.bus) device \($0.address), port \($0.portPath)" } ?? ""
            print("  \(reader.name) \(reader.deviceDescription)\(location)\n    protocol \(reader.reportProtocol.rawValue); lane: \(reader.tillID ?? "all tills"); \(state)")
        }
        let models = Set(configuration.readers.usb.map { [$0.vendorID, $0.productID] })
        let devices = present.filter { models.contains([$0.vendorID, $0.productID]) }.sorted { $0.portPath < $1.portPath }
        guard !devices.isEmpty else { return }
        print("USB devices of the configured models (to bind identical readers, copy serial or port into their readers.usb entries):")
        for device in devices {
            let serial = device.serialNumber.map { "serial: \"\($0)\"" } ?? "no serial number"
            let entry = configuration.readers.usb.first { $0.matches(device.identity) }
            let binding = entry.map { "is \"\($0.name)\"" } ?? "matches no entry; bind it with " + (device.serialNumber.map { "serial: \"\($0)\" or " } ?? "") + "port: \"\(device.portPath)\""
            print("  \(String(format: "%04x:%04x", device.vendorID, device.productID)) port: \"\(device.portPath)\" \(serial) (bus \(device.bus) device \(device.address)): \(binding)")
        }
    }
}
