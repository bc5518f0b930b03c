import Foundation
import LoyaltyTestSupport
import Testing
import TillClient
import TillProtocol

/// Identical PC/SC readers bound to lanes by serial number (issue 12), against the real pcscd.
///
/// vpcd answers neither `SCARD_ATTR_VENDOR_IFD_SERIAL_NO` nor `SCARD_ATTR_CHANNEL_ID` (0x8010001F),
/// so here the serial comes from the reader name, written in reader.conf as pcsc-lite's USB hotplug
/// names a reader with a serial number; the driver-attribute and port paths need a CCID reader.
extension ContactlessReaderTests {
    static let identicalReaders: [(name: String, firstIndex: Int)] = [
        ("ACS ACR122U PICC Interface (RR0001)", 0), ("ACS ACR122U PICC Interface (RR0002)", 2),
    ]

    /// The readers `status` lists, as (name, till_id, serial, port).
    func listedReaders(_ till: TillClient) -> [(name: String, till: JSONValue?, serial: JSONValue?, port: JSONValue?)] {
        guard case .array(let readers)? = try? till.result("status")["readers"] else { return [] }
        return readers.compactMap { reader in
            guard case .string(let name)? = reader["name"] else { return nil }
            return (name, reader["till_id"], reader["serial"], reader["port"])
        }
    }

    @Test func identicalReadersKeepTheirLanesBySerialWhenOneIsUnplugged() throws {
        pcsc.stop()
        let readers = try VirtualPCSC(readers: Self.identicalReaders)
        defer { readers.stop() }
        try readers.start()
        let daemon = try TemporaryDaemon {
            $0.contactlessEnabled = true
            $0.contactlessLanes = [(pattern: "ACS ACR122U PICC Interface*", tillID: "lane-1"), (pattern: "ACS ACR122U PICC Interface*", tillID: "lane-2")]
            $0.contactlessLaneBindings = [0: (serial: "RR0001", port: nil), 1: (serial: "RR0002", port: nil)]
        }
        defer { daemon.cleanUp() }
        try daemon.start()
        let lane1 = try daemon.client()
        let lane2 = try daemon.client()
        _ = try lane1.result("member.enroll", .object([("card", .object([("kind", "uid"), ("value", "04A1B2C3D4E5F6")])), ("consent", true)]))
        _ = try lane1.result("events.subscribe", .object([("till_id", "lane-1")]))
        _ = try lane2.result("events.subscribe", .object([("till_id", "lane-2")]))
        // Each vpcd entry is a reader of two slots, both carrying its serial: both serve its lane.
        #expect(waitUntil(timeoutSeconds: 10) { listedReaders(lane1).count == 4 })
        for reader in listedReaders(lane1) {
            let serial = reader.name.contains("(RR0001)") ? "RR0001" : "RR0002"
            #expect(reader.serial == .string(serial), "\(reader)")
            #expect(reader.till == .string(serial == "RR0001" ? "lane-1" : "lane-2"), "\(reader)")
            #expect(reader.port == .null, "vpcd does not say which USB device it is")
        }
        var card = try VirtualCard(reader: 2, uid: Self.anna)
        #expect(try nextCardRead(lane2)["till_id"] == "lane-2")
        #expect(try noMoreCardReads(lane1, withinMilliseconds: 1_000), "lane 1 does not hear lane 2's reader")
        card.remove()

        let listing = try LoyaltydBinary.run(["readers", "--json", "--config", daemon.configPath])
        #expect(listing.status == 0, "\(listing.stderr)")
        let json = try JSONParser.parse(Array(listing.stdout.utf8))
        guard case .array(let entries)? = json["readers"] else { Issue.record("no readers in \(listing.stdout)"); return }
        let first = try #require(entries.first { $0["name"] == .string(Self.identicalReaders[0].name + " 00 00") })
        #expect(first["serial"] == "RR0001")
        #expect(first["serial_from"] == "name", "vpcd answers no SCARD_ATTR_VENDOR_IFD_SERIAL_NO")
        #expect(first["port"] == .null)
        #expect(first["lane"] == "lane-1")
        let text = try LoyaltydBinary.run(["readers", "--config", daemon.configPath]).stdout
        #expect(text.contains("serial: \"RR0002\" (from the name pcscd gave it)"), "\(text)")

        // RR0001 unplugged (pcscd comes back with RR0002 alone, now its first reader): RR0002 keeps lane 2.
        try readers.restart(readers: [Self.identicalReaders[1]])
        #expect(waitUntil(timeoutSeconds: 10) {
            let listed = listedReaders(lane1)
            return listed.count == 2 && listed.allSatisfy { $0.name.contains("(RR0002)") && $0.till == "lane-2" }
        })
        card = try VirtualCard(reader: 2, uid: Self.anna)
        let read = try nextCardRead(lane2)
        #expect(read["till_id"] == "lane-2")
        #expect(read["result"] == "member")
        #expect(try noMoreCardReads(lane1, withinMilliseconds: 1_000))
        card.remove()

        // Plugged back in after the other: each reader is on its own lane again.
        try readers.restart(readers: [Self.identicalReaders[1], Self.identicalReaders[0]])
        #expect(waitUntil(timeoutSeconds: 10) { listedReaders(lane1).count == 4 })
        card = try VirtualCard(reader: 0, uid: Self.anna)
        #expect(try nextCardRead(lane1)["till_id"] == "lane-1")
        #expect(try noMoreCardReads(lane2, withinMilliseconds: 1_000), "lane 2 does not hear lane 1's reader")
        card.remove()
    }
}
