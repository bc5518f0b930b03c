import Foundation
import LoyaltyTestSupport
import TillClient
import TillProtocol

/// A USB scan end to end, with the reader emulated by umockdev: from the moment the test plugs
/// the reader in (its capture holds one scan) to the till receiving `card.read`. This bounds the
/// latency from a scan's last report from above: it also holds the hotplug, open and claim.
enum ScanLatency {
    static func measure(scans: Int) throws -> [Double] {
        let daemon = try TemporaryDaemon {
            $0.usbReaders = [(name: "bench-scanner", vendor: "0c2e", product: "0b61", reportProtocol: "keyboard", layout: "us", tillID: nil)]
            $0.repeatWindowMilliseconds = 0
        }
        let control = try USBTestbedControl(directory: daemon.directory)
        try daemon.start(launcher: control.launcher)
        defer { daemon.cleanUp() }
        let till = try daemon.client()
        _ = try till.result("events.subscribe")
        var reader = EmulatedUSBReader(
            vendorID: 0x0C2E, productID: 0x0B61, transferLength: 8,
            reports: EmulatedUSBReader.keyboardReports(EmulatedUSBReader.usKeys("4006381333931")))
        var latencies: [Double] = []
        for scan in 0..<scans {
            reader.port = 1 + scan
            let files = try reader.write(to: daemon.directory, name: "scanner-\(scan)")
            let plugged = ContinuousClock.now
            try control.plug(device: files.device, pcap: files.pcap)
            do {
                try waitFor("card.read", till)
                latencies.append((ContinuousClock.now - plugged).milliseconds)
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
