import Foundation
import LoyaltyTestSupport
import TillClient
import TillProtocol

/// A USB scan end to end, with the reader emulated by umockdev: a HID POS scanner is plugged in with
/// one scan in its capture, a single report; the till hears `reader.added` once it is claimed and
/// `card.read` once that report went through umockdev's emulated transfer, the decoder, the member
/// lookup and the notification. That interval bounds the latency from a scan's last report from above.
enum ScanLatency {
    static func measure(scans: Int) throws -> [Double] {
        let daemon = try TemporaryDaemon {
            $0.usbReaders = [(name: "bench-scanner", vendor: "0c2e", product: "0b87", reportProtocol: "hid-pos-barcode", layout: "us", tillID: nil)]
            $0.repeatWindowMilliseconds = 0
        }
        let control = try USBTestbedControl(directory: daemon.directory)
        try daemon.start(launcher: control.launcher)
        defer { daemon.cleanUp() }
        let till = try daemon.client()
        _ = try till.result("events.subscribe")
        var reader = HIDPOSScannerFixture.honeywell.device(reports: HIDPOSScannerFixture.honeywell.reports("4006381333931", symbology: "]E0"))
        var latencies: [Double] = []
        for scan in 0..<scans {
            reader.port = 1 + scan
            let files = try reader.write(to: daemon.directory, name: "scanner-\(scan)")
            try control.plug(device: files.device, pcap: files.pcap)
            do {
                try waitFor("reader.added", till)
                let claimed = ContinuousClock.now
                try waitFor("card.read", till)
                latencies.append((ContinuousClock.now - claimed).milliseconds)
                try control.unplug()
                try waitFor("reader.removed", till)
            } catch {
                FileHandle.standardError.write(Data("scan \(latencies.count): \(error)\n\(daemon.log)\n".utf8))
                throw error
            }
        }
        return latencies
    }

    private static func waitFor(_ method: String, _ till: TillClient) throws {
        while try till.nextNotification(timeoutMilliseconds: 10_000)["method"] != .string(method) {}
    }
}
