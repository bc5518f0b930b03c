import Foundation
import LoyaltyTestSupport
import Testing

/// `loyaltyd udev-rules`, run as the real binary: one rule per configured USB reader, matching what
/// binds it (serial number or port), and a file of comments only without readers.
@Suite struct UdevRulesTests {
    func rules(_ configure: (inout DaemonConfig) -> Void, arguments: [String] = []) throws -> (status: Int32, stdout: String, stderr: String) {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var config = DaemonConfig(socketPath: directory.file("till.sock"), databasePath: directory.file("db.sqlite"))
        configure(&config)
        let path = directory.file("loyaltyd.yaml")
        try config.yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return try LoyaltydBinary.run(["udev-rules", "--config", path] + arguments)
    }

    @Test func oneRulePerReaderMatchingItsSerialOrPort() throws {
        let output = try rules {
            $0.usbReaders = [
                (name: "lane-1-scanner", vendor: "0c2e", product: "0b87", reportProtocol: "hid-pos-barcode", layout: "us", tillID: "lane-1"),
                (name: "lane-2-scanner", vendor: "0c2e", product: "0b87", reportProtocol: "hid-pos-barcode", layout: "us", tillID: "lane-2"),
                (name: "swipe", vendor: "0801", product: "0002", reportProtocol: "magtek-hid", layout: "us", tillID: nil),
            ]
            $0.usbReaderBindings = [
                "lane-1-scanner": (serial: nil, port: "1-1.2"), "lane-2-scanner": (serial: nil, port: "1-1.3"), "swipe": (serial: "B04117C", port: nil),
            ]
        }
        #expect(output.status == 0, "\(output.stderr)")
        let rules = output.stdout.split(separator: "\n").filter { !$0.hasPrefix("#") && !$0.isEmpty }
        #expect(rules == [
            #"SUBSYSTEM=="usb", ENV{DEVTYPE}=="usb_device", ATTR{idVendor}=="0c2e", ATTR{idProduct}=="0b87", KERNEL=="1-1.2", GROUP="loyaltyd", MODE="0660", TAG+="systemd""#,
            #"SUBSYSTEM=="usb", ENV{DEVTYPE}=="usb_device", ATTR{idVendor}=="0c2e", ATTR{idProduct}=="0b87", KERNEL=="1-1.3", GROUP="loyaltyd", MODE="0660", TAG+="systemd""#,
            #"SUBSYSTEM=="usb", ENV{DEVTYPE}=="usb_device", ATTR{idVendor}=="0801", ATTR{idProduct}=="0002", ATTR{serial}=="B04117C", GROUP="loyaltyd", MODE="0660", TAG+="systemd""#,
        ])
        #expect(output.stdout.contains("# lane-2-scanner: 0c2e:0b87 port 1-1.3, hid-pos-barcode, lane lane-2"))
        #expect(output.stdout.contains("sudo tee /etc/udev/rules.d/70-loyaltyd-readers.rules"))
    }

    @Test func anotherGroupAndNoReaders() throws {
        let output = try rules({ _ in }, arguments: ["--group", "pos-readers"])
        #expect(output.status == 0)
        #expect(output.stdout.split(separator: "\n").allSatisfy { $0.hasPrefix("#") || $0.isEmpty })
        #expect(output.stdout.contains("No USB reader is configured"))
        let refused = try rules({ _ in }, arguments: ["--group", "a\"b"])
        #expect(refused.status == 64, "a group that would break the rule is a usage error")
    }
}
