import CardDecoding
import LoyaltyConfig
import Testing

/// `readers.usb` entries bound by serial number or port: read, and refused (file, line, key)
/// when two could match one device or one can never match.
@Suite struct USBReaderBindingTests {
    let minimal = "store:\n  id: s1\ncurrency:\n  code: EUR\nreaders:\n  usb:\n"

    func entry(_ name: String, _ extra: String = "", vendor: String = "0c2e") -> String {
        "    - name: \(name)\n      vendor_id: \"\(vendor)\"\n      product_id: \"0b87\"\n      protocol: hid-pos-barcode\n" + extra
    }

    func error(_ yaml: String) -> ConfigError? { parseError(yaml) }

    @Test func serialAndPortAreRead() throws {
        let configuration = try ConfigLoader.parse(
            minimal + entry("a", "      serial: \"18123B0041\"\n      port: \"1-1.1\"\n") + entry("b", "      port: \"1-1.2\"\n      till_id: lane-2\n"), file: "x.yaml")
        #expect(configuration.readers.usb.map(\.serialNumber) == ["18123B0041", nil])
        #expect(configuration.readers.usb.map(\.portPath) == ["1-1.1", "1-1.2"])
        let device = USBReaderSpec.DeviceIdentity(vendorID: 0x0C2E, productID: 0x0B87, serialNumber: "X9", portPath: "1-1.2")
        #expect(configuration.readers.usb.map { $0.matches(device) } == [false, true])
    }

    @Test func twoEntriesThatCouldMatchOneDeviceAreRefused() {
        // Same model, neither bound: the second could never get a device of its own.
        let unbound = error(minimal + entry("a") + entry("b"))
        #expect(unbound?.keyPath == "readers.usb[1].product_id")
        #expect(unbound?.line == 13)
        #expect(unbound?.message.contains("could match the same device as readers.usb[0] (\"a\"") == true)
        // One by serial, one by port: a device with that serial on that port matches both.
        #expect(error(minimal + entry("a", "      serial: \"S1\"\n") + entry("b", "      port: \"1-2\"\n"))?.keyPath == "readers.usb[1].port")
        #expect(error(minimal + entry("a", "      serial: \"S1\"\n") + entry("b", "      serial: \"S1\"\n"))?.keyPath == "readers.usb[1].serial")
        // Told apart: different serials, different ports, or another model.
        #expect(error(minimal + entry("a", "      serial: \"S1\"\n") + entry("b", "      serial: \"S2\"\n")) == nil)
        #expect(error(minimal + entry("a", "      port: \"1-1\"\n") + entry("b", "      port: \"1-2\"\n")) == nil)
        #expect(error(minimal + entry("a") + entry("b", vendor: "05e0")) == nil)
    }

    @Test func entriesThatCanNeverMatchAreRefused() {
        #expect(error(minimal + entry("a", "      port: \"1.2\"\n"))?.keyPath == "readers.usb[0].port")
        #expect(error(minimal + entry("a", "      port: \"1-0\"\n"))?.keyPath == "readers.usb[0].port")
        #expect(error(minimal + entry("a", "      port: \"1-1.2.3.4.5.6.7.8\"\n"))?.keyPath == "readers.usb[0].port", "USB has seven tiers")
        #expect(error(minimal + entry("a", "      serial: \"\"\n"))?.keyPath == "readers.usb[0].serial")
        #expect(error(minimal + entry("a", "      serial: \"AB*\"\n"))?.message.contains("bind this reader by port") == true)
        #expect(error(minimal + entry("a", vendor: "0000"))?.keyPath == "readers.usb[0].vendor_id")
        #expect(error(minimal + entry("a", "      serial: \"S1\"\n") + entry("a", "      serial: \"S2\"\n"))?.keyPath == "readers.usb[1].name")
        #expect(error(minimal + entry("a", "      port: \"2-1.4.2\"\n")) == nil)
    }
}
