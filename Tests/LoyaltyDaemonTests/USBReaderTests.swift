import Foundation
import LoyaltyTestSupport
import Testing
import TillClient
import TillProtocol

/// Magnetic stripe and barcode readers through the real libusb, with devices emulated by umockdev
/// (descriptors and a usbmon capture of their reports, replayed to the unmodified daemon).
@Suite(.requires(USBTestbedControl.prerequisites.ok, USBTestbedControl.prerequisites.missing))
struct USBReaderTests {
    // A test card number (the well-known Visa test PAN), never a real account.
    static let bankPAN = "4111111111111111"

    struct Lane {
        let daemon: TemporaryDaemon
        let till: TillClient
        let control: USBTestbedControl
    }

    /// A daemon inside an umockdev testbed with one configured reader, a member enrolled with
    /// `carrier`, and a subscribed till; the reader is not plugged in yet.
    func lane(reportProtocol: String, layout: String = "us", vendor: String = "0c2e", product: String = "0b61", carrier: JSONValue) throws -> Lane {
        let daemon = try TemporaryDaemon {
            $0.usbReaders = [(name: "counter-reader", vendor: vendor, product: product, reportProtocol: reportProtocol, layout: layout, tillID: "lane-1")]
        }
        let control = try USBTestbedControl(directory: daemon.directory)
        try daemon.start(launcher: control.launcher)
        let till = try daemon.client()
        _ = try till.result("member.enroll", .object([("card", carrier), ("name", "Anna"), ("consent", true)]))
        _ = try till.result("events.subscribe", .object([("till_id", "lane-1")]))
        return Lane(daemon: daemon, till: till, control: control)
    }

    func plug(_ lane: Lane, _ reader: EmulatedUSBReader) throws {
        let files = try reader.write(to: lane.daemon.directory, name: "reader")
        try lane.control.plug(device: files.device, pcap: files.pcap)
    }

    func next(_ method: String, _ till: TillClient) throws -> JSONValue {
        while true {
            let message = try till.nextNotification(timeoutMilliseconds: 10_000)
            if message["method"] == .string(method) { return message["params"] ?? .null }
        }
    }

    static func keyboard(_ text: String) -> EmulatedUSBReader {
        EmulatedUSBReader(vendorID: 0x0C2E, productID: 0x0B61, transferLength: 8, reports: EmulatedUSBReader.keyboardReports(EmulatedUSBReader.usKeys(text)))
    }

    @Test func aKeyboardWedgeScannerTypesAMemberBarcode() throws {
        let lane = try lane(reportProtocol: "keyboard", carrier: .object([("kind", "barcode"), ("value", "4006381333931")]))
        defer { lane.daemon.cleanUp() }
        try plug(lane, Self.keyboard("4006381333931"))
        #expect(try next("reader.added", lane.till)["reader"] == "counter-reader")
        let read = try next("card.read", lane.till)
        #expect(read["result"] == "member")
        #expect(read["card"]?["kind"] == "barcode")
        #expect(read["member"]?["name"] == "Anna")
        #expect(read["till_id"] == "lane-1")
    }

    @Test func aMagstripeReaderInKeyboardModeSwipesAStoreCard() throws {
        let lane = try lane(reportProtocol: "keyboard", carrier: .object([("kind", "track"), ("value", "6001234567")]))
        defer { lane.daemon.cleanUp() }
        try plug(lane, Self.keyboard(";6001234567?"))
        let read = try next("card.read", lane.till)
        #expect(read["result"] == "member")
        #expect(read["card"]?["value"] == "6001234567")
    }

    @Test func aBankCardIsRejectedAndLeavesNoTrace() throws {
        let lane = try lane(reportProtocol: "keyboard", carrier: .object([("kind", "track"), ("value", "6001234567")]))
        defer { lane.daemon.cleanUp() }
        try plug(lane, Self.keyboard("%B\(Self.bankPAN)^DOE/JOHN^2512101000000000?;\(Self.bankPAN)=2512101000000000?"))
        let read = try next("card.read", lane.till)
        #expect(read["result"] == "bank_card_rejected")
        #expect(read["card"] == .null)
        #expect(lane.daemon.stop() == 0)
        // Nothing of the number anywhere: the database, its WAL, the event log, the daemon's output.
        let traces = TraceSearch.files(in: lane.daemon.directory.path, holding: [Self.bankPAN, "DOE/JOHN"], skipping: [".pcap", ".umockdev"])
        #expect(traces.isEmpty, "\(traces)")
        #expect(SQLiteShell(path: lane.daemon.databasePath).run("SELECT detail FROM events WHERE kind = 'card.read';").contains("bank_card_rejected"))
    }

    @Test func aMagTekReaderInHIDMode() throws {
        let lane = try lane(reportProtocol: "magtek-hid", carrier: .object([("kind", "track"), ("value", "6001234567")]))
        defer { lane.daemon.cleanUp() }
        var report = [UInt8](repeating: 0, count: 337)
        let track2 = Array(";6001234567?".utf8)
        report[0] = 1  // track 1 not read
        report[2] = 1  // track 3 not read
        report[4] = UInt8(track2.count)
        report.replaceSubrange((7 + 110)..<(7 + 110 + track2.count), with: track2)
        try plug(lane, EmulatedUSBReader(vendorID: 0x0C2E, productID: 0x0B61, transferLength: 337, reports: [report]))
        #expect(try next("card.read", lane.till)["card"]?["value"] == "6001234567")
    }

    @Test func aScannerSetToFrenchAZERTYIsReadRight() throws {
        let lane = try lane(reportProtocol: "keyboard", layout: "fr", carrier: .object([("kind", "barcode"), ("value", "96385074")]))
        defer { lane.daemon.cleanUp() }
        // On AZERTY the digits are the shifted top row.
        let digits: [(usage: UInt8, shift: Bool)] = "96385074".map { (UInt8($0 == "0" ? 0x27 : 0x1D + Int(String($0))!), true) }
        try plug(lane, EmulatedUSBReader(vendorID: 0x0C2E, productID: 0x0B61, transferLength: 8, reports: EmulatedUSBReader.keyboardReports(digits)))
        #expect(try next("card.read", lane.till)["card"]?["value"] == "96385074")
    }

    /// A Honeywell scanner in HID POS mode, read through its own report descriptor: a UPC-A scan
    /// (one report, not held back) and a 73-character member code over two reports.
    @Test func aHoneywellScannerInHIDPOSModeIsReadByItsDescriptor() throws {
        let code = "M" + String(repeating: "0123456789", count: 7) + "42"  // 73 characters
        let lane = try lane(reportProtocol: "hid-pos-barcode", vendor: "0c2e", product: "0b87", carrier: .object([("kind", "barcode"), ("value", .string(code))]))
        defer { lane.daemon.cleanUp() }
        let scanner = HIDPOSScannerFixture.honeywell
        try plug(lane, scanner.device(reports: scanner.reports("036000291452", symbology: "]E0") + scanner.reports(code, symbology: "]C0")))
        let product = try next("card.read", lane.till)
        #expect(product["card"]?["value"] == "036000291452")
        #expect(product["result"] == "unknown_card")
        let member = try next("card.read", lane.till)
        #expect(member["result"] == "member")
        #expect(member["card"]?["value"] == .string(code))
        #expect(member["kind"] == "usb-hid-pos-barcode")
        #expect(member["till_id"] == "lane-1")
    }

    /// A Newland scanner puts its data at byte 2, not 5: a QR member code over three reports arrives
    /// whole (a carrier holds up to 128 characters; longer QR codes are covered by the decoder's tests).
    @Test func aNewlandScannerSendsAQRCodeOverThreeReports() throws {
        let code = "QR-" + String(repeating: "2900000055551", count: 9)  // 120 characters
        let lane = try lane(reportProtocol: "hid-pos-barcode", vendor: "1eab", product: "8003", carrier: .object([("kind", "barcode"), ("value", .string(code))]))
        defer { lane.daemon.cleanUp() }
        let scanner = HIDPOSScannerFixture.newland
        try plug(lane, scanner.device(reports: scanner.reports(code, symbology: "]Q1")))
        let read = try next("card.read", lane.till)
        #expect(read["result"] == "member")
        #expect(read["card"]?["value"] == .string(code))
    }

    /// A Zebra-layout scanner: 61-byte reports (a short packet in a 64-byte transfer) with no length
    /// field, the data NUL-padded; a code over two reports arrives whole.
    @Test func aZebraScannerWithoutALengthFieldIsRead() throws {
        let code = "2900000055551" + String(repeating: "0123456789", count: 5)  // 63 characters
        let lane = try lane(reportProtocol: "hid-pos-barcode", vendor: "05e0", product: "1300", carrier: .object([("kind", "barcode"), ("value", .string(code))]))
        defer { lane.daemon.cleanUp() }
        let scanner = HIDPOSScannerFixture.zebra
        try plug(lane, scanner.device(reports: scanner.reports(code, symbology: "]C0")))
        let read = try next("card.read", lane.till)
        #expect(read["result"] == "member")
        #expect(read["card"]?["value"] == .string(code))
    }

    /// A scanner left in keyboard mode but configured as HID POS: refused with the reason, which
    /// `status` and `loyaltyd readers` show.
    @Test func aScannerWhoseDescriptorLacksHIDPOSIsRefusedWithTheReason() throws {
        let lane = try lane(reportProtocol: "hid-pos-barcode", carrier: .object([("kind", "barcode"), ("value", "4006381333931")]))
        defer { lane.daemon.cleanUp() }
        var reader = Self.keyboard("4006381333931")
        reader.reportDescriptor = HIDPOSScannerFixture.keyboardModeDescriptor
        try plug(lane, reader)
        var problem: JSONValue?
        #expect(waitUntil(timeoutSeconds: 10) {
            guard case .array(let readers)? = try? lane.till.result("status")["readers"], let first = readers.first else { return false }
            problem = first["problem"]
            return first["state"] == "unusable"
        })
        guard case .string(let reason)? = problem else {
            Issue.record("status gives the reason: \(String(describing: problem))")
            return
        }
        #expect(reason.contains("not in HID POS mode"), "\(reason)")
        let listing = try lane.control.run(
            [LoyaltydBinary.path, "readers", "--config", lane.daemon.configPath], outputPath: lane.daemon.directory.file("readers.txt"))
        #expect(listing.contains("present, not usable: its HID report descriptor declares no Bar Code Scanner"), "\(listing)")
        let doctor = try lane.control.run(
            [LoyaltydBinary.path, "doctor", "--config", lane.daemon.configPath], outputPath: lane.daemon.directory.file("doctor.txt"))
        #expect(doctor.contains("the daemon cannot use it: its HID report descriptor declares no Bar Code Scanner"), "\(doctor)")
    }

    /// Two identical scanners (same vendor and product) on two lanes, bound by their serial
    /// numbers: each scan reaches its own lane whatever the plug order, and
    /// unplugging one leaves the other claimed and listed. (umockdev replays a capture as soon as
    /// the device is claimed, so the remaining reader's scans come before the unplug.)
    @Test func identicalScannersAreBoundToTheirLanesBySerialOrPort() throws {
        let daemon = try TemporaryDaemon {
            $0.usbReaders = [
                (name: "lane-1-scanner", vendor: "0c2e", product: "0b87", reportProtocol: "hid-pos-barcode", layout: "us", tillID: "lane-1"),
                (name: "lane-2-scanner", vendor: "0c2e", product: "0b87", reportProtocol: "hid-pos-barcode", layout: "us", tillID: "lane-2"),
            ]
            $0.usbReaderBindings = ["lane-1-scanner": (serial: "18123B0041", port: nil), "lane-2-scanner": (serial: "18123B0077", port: nil)]
        }
        let control = try USBTestbedControl(directory: daemon.directory)
        try daemon.start(launcher: control.launcher)
        defer { daemon.cleanUp() }
        let laneOne = try daemon.client()
        let laneTwo = try daemon.client()
        for (card, name) in [("2900000011112", "Anna"), ("2900000022224", "Ben")] {
            _ = try laneOne.result("member.enroll", .object([("card", .object([("kind", "barcode"), ("value", .string(card))])), ("name", .string(name)), ("consent", true)]))
        }
        _ = try laneOne.result("events.subscribe", .object([("till_id", "lane-1")]))
        _ = try laneTwo.result("events.subscribe", .object([("till_id", "lane-2")]))
        let scanner = HIDPOSScannerFixture.honeywell
        // The lane-2 scanner (port 4) is plugged in first, so plug order would give it the first entry.
        var second = scanner.device(reports: scanner.reports("2900000022224", symbology: "]E0"))
        second.port = 4
        second.serialNumber = "18123B0077"
        var first = scanner.device(reports: scanner.reports("2900000011112", symbology: "]E0"))
        first.port = 2
        first.serialNumber = "18123B0041"
        for (reader, name) in [(second, "second"), (first, "first")] {
            let files = try reader.write(to: daemon.directory, name: name)
            try control.plug(device: files.device, pcap: files.pcap)
        }
        let readOne = try next("card.read", laneOne)
        #expect(readOne["reader"] == "lane-1-scanner")
        #expect(readOne["member"]?["name"] == "Anna")
        let readTwo = try next("card.read", laneTwo)
        #expect(readTwo["reader"] == "lane-2-scanner")
        #expect(readTwo["member"]?["name"] == "Ben")

        // `loyaltyd readers` shows each device's serial and port and which entry it is.
        let listing = try control.run([LoyaltydBinary.path, "readers", "--config", daemon.configPath], outputPath: daemon.directory.file("readers.txt"))
        #expect(listing.contains("0c2e:0b87 port: \"1-2\" serial: \"18123B0041\" (bus 1 device 3): is \"lane-1-scanner\""), "\(listing)")
        #expect(listing.contains("0c2e:0b87 port: \"1-4\" serial: \"18123B0077\" (bus 1 device 5): is \"lane-2-scanner\""), "\(listing)")
        // `status` says which device each reader is: its serial number and port.
        guard case .array(let claimed)? = try laneOne.result("status")["readers"] else {
            Issue.record("status lists readers")
            return
        }
        #expect(claimed.map { [$0["name"], $0["serial"], $0["port"]] } == [
            ["lane-1-scanner", "18123B0041", "1-2"], ["lane-2-scanner", "18123B0077", "1-4"],
        ])
        let statusText = try LoyaltydBinary.run(["status", "--config", daemon.configPath]).stdout
        #expect(statusText.contains(#""name":"lane-1-scanner","kind":"usb-hid-pos-barcode","till_id":"lane-1","state":"in_use","problem":null,"serial":"18123B0041","port":"1-2""#), "\(statusText)")

        try control.unplug(portPath: "1-2")
        #expect(try next("reader.removed", laneOne)["reader"] == "lane-1-scanner")
        guard case .array(let readers)? = try laneTwo.result("status")["readers"] else {
            Issue.record("status lists readers")
            return
        }
        #expect(readers.map { $0["name"] } == ["lane-2-scanner"])
        #expect(readers.first?["state"] == "in_use")
    }

    @Test func aReaderPresentBeforeAnyTillSubscribedIsClaimedAndListed() throws {
        let lane = try lane(reportProtocol: "keyboard", carrier: .object([("kind", "barcode"), ("value", "4006381333931")]))
        defer { lane.daemon.cleanUp() }
        let idle = try lane.daemon.client()  // no subscription: the scan is only in the event log
        try plug(lane, Self.keyboard("4006381333931"))
        #expect(waitUntil(timeoutSeconds: 10) {
            SQLiteShell(path: lane.daemon.databasePath).run("SELECT detail FROM events WHERE kind = 'card.read';").contains("member")
        })
        guard case .array(let readers)? = try idle.result("status")["readers"] else {
            Issue.record("status lists readers")
            return
        }
        #expect(readers.first?["name"] == "counter-reader")
        #expect(readers.first?["state"] == "in_use")
        // `loyaltyd readers`, run where it sees the same (emulated) bus, says the daemon has it.
        let listing = try lane.control.run(
            [LoyaltydBinary.path, "readers", "--config", lane.daemon.configPath], outputPath: lane.daemon.directory.file("readers.txt"))
        #expect(listing.contains("counter-reader 0c2e:0b61 bus 1 device 2"), "\(listing)")
        #expect(listing.contains("lane: lane-1; claimed by the daemon"), "\(listing)")
    }

    /// Issue 7, item 7: the reader unplugged and plugged in again and again (10 times in `make
    /// stress`), a scan each time; the daemon holds no more threads, descriptors or memory after.
    @Test func usbFaultLoopLeaksNothing() throws {
        let lane = try lane(reportProtocol: "keyboard", carrier: .object([("kind", "barcode"), ("value", "4006381333931")]))
        defer { lane.daemon.cleanUp() }
        let rounds = StressRun.count(test: 2, stress: 10)
        /// One cycle on hub port `port`: plugged, a scan of `barcode`, unplugged.
        func cycle(port: Int, barcode: String) throws -> Bool {
            var reader = Self.keyboard(barcode)
            reader.port = port
            try plug(lane, reader)
            _ = try next("reader.added", lane.till)
            let read = try next("card.read", lane.till)
            try lane.control.unplug()
            _ = try next("reader.removed", lane.till)
            return read["card"]?["value"] == .string(barcode)
        }
        #expect(try cycle(port: 1, barcode: "4006381333931"))
        let before = try #require(lane.daemon.resources)
        var scans = 0
        for round in 0..<rounds where try cycle(port: round + 2, barcode: String(format: "29000000%05d", round)) { scans += 1 }
        #expect(scans == rounds, "every scan after a replug is read")
        usleep(500_000)
        let after = try #require(lane.daemon.resources)
        #expect(after.descriptors <= before.descriptors, "no descriptor leaks: before \(before), after \(after)")
        #expect(after.threads <= before.threads + 2, "no thread leaks: before \(before), after \(after)")
        #expect(after.residentKiB <= before.residentKiB + 16 * 1024, "no memory leak: before \(before), after \(after)")
        StressRun.report("usb_fault_loop", [
            "replugs": rounds, "scans_read": scans, "threads_before": before.threads, "threads_after": after.threads,
            "fds_before": before.descriptors, "fds_after": after.descriptors,
            "rss_before_KiB": before.residentKiB, "rss_after_KiB": after.residentKiB,
        ])
    }

    @Test func unpluggingTheReaderIsReportedAndTheDaemonGoesOn() throws {
        let lane = try lane(reportProtocol: "keyboard", carrier: .object([("kind", "barcode"), ("value", "4006381333931")]))
        defer { lane.daemon.cleanUp() }
        try plug(lane, Self.keyboard("4006381333931"))
        _ = try next("card.read", lane.till)
        try lane.control.unplug()
        #expect(try next("reader.removed", lane.till)["reader"] == "counter-reader")
        #expect(try lane.till.result("status")["readers"] == .array([]))
        let stopped = lane.daemon.stop()
        #expect(stopped == 0, "\(lane.daemon.log)")
    }
}
