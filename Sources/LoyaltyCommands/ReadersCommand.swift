import ArgumentParser
import ContactlessReaders
import LoyaltyConfig
import TillProtocol

/// `loyaltyd readers`: the card readers this machine has, asked directly (not through the daemon),
/// so it works when the daemon is stopped too.
struct ReadersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "readers",
        abstract: "List the card readers: PC/SC readers from pcscd, with their state and the ATR of a card on them.",
        discussion: """
            Asks pcscd directly. Shows which till (lane) each reader serves under the configuration, \
            or that the configuration does not select it. Exit status 1 when pcscd is not reachable.
            """
    )

    @OptionGroup var options: CommonOptions
    @Flag(help: "Print one JSON object instead of a table.") var json = false

    func run() throws {
        // Lanes come from the configuration when it can be read; the readers are listed either way.
        let readerOptions = try? ConfigLoader.load(path: options.config).readers
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
                let (used, tillID) = options.contactlessLaneFor(snapshot.name)
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
        print("PC/SC readers (pcscd reachable):")
        for (snapshot, lane) in rows {
            let card = snapshot.cardPresent ? "card present, ATR \(CardUID.hex(snapshot.atr))" : "no card"
            print("  \(snapshot.name)\n    \(card); state: \(snapshot.states.joined(separator: ", ")); lane: \(lane)")
        }
    }
}
