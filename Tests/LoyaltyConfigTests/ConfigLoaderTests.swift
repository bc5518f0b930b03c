import Foundation
import LoyaltyConfig
import LoyaltyDomain
import LoyaltyTestSupport
import Testing

@Suite struct ConfigLoaderTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func theExampleConfigIsValid() throws {
        let configuration = try ConfigLoader.load(path: Self.repository.appendingPathComponent("config/loyaltyd.yaml").path)
        #expect(configuration.storeID == "store-0001")
        #expect(configuration.currency == Currency(code: "EUR", minorUnitDigits: 2))
        #expect(configuration.tillSocket.mode == 0o660)
        #expect(configuration.program.rules.map(\.id) == ["member-discount", "base-points"])
        #expect(configuration.program.pointValue == Money(minorUnits: 1))
    }

    @Test func theTestConfigIsValid() throws {
        let configuration = try ConfigLoader.parse(DaemonConfig(socketPath: "/tmp/x.sock", databasePath: "/tmp/x.sqlite").yaml, file: "test.yaml")
        #expect(configuration.maximumTotal == Money(minorUnits: 100_000_000))
    }

    func error(_ yaml: String) -> ConfigError? { parseError(yaml) }

    let minimal = """
        store:
          id: s1
        currency:
          code: EUR
        """

    @Test func aMinimalConfigTakesTheDefaults() throws {
        let configuration = try ConfigLoader.parse(minimal, file: "x.yaml")
        #expect(configuration.tillSocket.path == "/run/loyaltyd/till.sock")
        #expect(configuration.databasePath == "/var/lib/loyaltyd/loyaltyd.sqlite")
        #expect(configuration.program.rounding == .halfUp)
        #expect(configuration.tillSocket.maximumLineBytes == 65_536)
    }

    @Test func anUnknownKeyIsReportedWithItsLineAndPath() {
        let found = error(minimal + "\ntill_socket:\n  pth: /tmp/x.sock\n")
        #expect(found?.line == 6)
        #expect(found?.keyPath == "till_socket.pth")
        #expect(found?.description.hasPrefix("loyaltyd.yaml:6: till_socket.pth: unknown key") == true)
    }

    @Test func aBadRuleValueIsReportedWithItsLineAndPath() {
        let yaml = minimal + """

            program:
              rules:
                - id: a
                  type: points
                  earn_percent: "3"
                - id: b
                  type: fixed-discount
                  percent: "five"
            """
        let found = error(yaml)
        #expect(found?.keyPath == "program.rules[1].percent")
        #expect(found?.line == 12)
        #expect(found?.message.contains("not a decimal percentage") == true)
    }

    @Test func otherMistakesNameTheirKey() {
        #expect(error(minimal + "\nprogram:\n  rounding: up\n")?.keyPath == "program.rounding")
        #expect(error(minimal + "\ntill_socket:\n  mode: \"0666\"\n")?.keyPath == "till_socket.mode")
        #expect(error(minimal + "\ntill_socket:\n  max_connections: lots\n")?.keyPath == "till_socket.max_connections")
        #expect(error(minimal + "\nprogram:\n  rules:\n    - id: x\n      type: lottery\n")?.keyPath == "program.rules[0].type")
        #expect(error(minimal + "\nprogram:\n  point_value: \"0\"\n")?.keyPath == "program.point_value")
        #expect(error("store:\n  id: s1\n")?.keyPath == "currency")
        #expect(error("store:\n  id: \"bad id!\"\ncurrency:\n  code: EUR\n")?.keyPath == "store.id")
        #expect(error(minimal.replacingOccurrences(of: "EUR", with: "euro"))?.keyPath == "currency.code")
    }

    @Test func connectionTimeoutsHaveDefaultsAndCheckedRanges() throws {
        let defaults = try ConfigLoader.parse(minimal, file: "x.yaml").tillSocket
        #expect(defaults.idleTimeoutMilliseconds == 3_600_000)
        #expect(defaults.stallTimeoutMilliseconds == 10_000)
        let example = try ConfigLoader.load(path: Self.repository.appendingPathComponent("config/loyaltyd.yaml").path).tillSocket
        #expect(example.idleTimeoutMilliseconds == defaults.idleTimeoutMilliseconds && example.stallTimeoutMilliseconds == defaults.stallTimeoutMilliseconds,
                "the example shows the defaults")
        #expect(try ConfigLoader.parse(minimal + "\ntill_socket:\n  idle_timeout_ms: 0\n", file: "x.yaml").tillSocket.idleTimeoutMilliseconds == 0)
        let idle = error(minimal + "\ntill_socket:\n  idle_timeout_ms: 500\n")
        #expect(idle?.description == "loyaltyd.yaml:6: till_socket.idle_timeout_ms: must be 0 (never) or between 1000 and 86400000")
        let stall = error(minimal + "\ntill_socket:\n  path: /tmp/x.sock\n  stall_timeout_ms: 0\n")
        #expect(stall?.description == "loyaltyd.yaml:7: till_socket.stall_timeout_ms: must be between 100 and 600000")
        #expect(error(minimal + "\ntill_socket:\n  stall_timeout_ms: soon\n")?.keyPath == "till_socket.stall_timeout_ms")
    }

    @Test func aSyntaxErrorHasALine() {
        let found = error("store:\n  id: s1\n currency: [\n")
        #expect(found?.line != nil)
        #expect(found?.message.contains("YAML") == true)
    }

    @Test func aMissingFileIsAClearError() {
        #expect(throws: ConfigError.self) { try ConfigLoader.load(path: "/nonexistent/loyaltyd.yaml") }
    }
}

@Suite struct USBReaderConfigTests {
    let minimal = "store:\n  id: s1\ncurrency:\n  code: EUR\n"

    func error(_ yaml: String) -> ConfigError? { parseError(yaml, file: "x.yaml") }

    @Test func usbReadersAndTheMemberBarcodeAreRead() throws {
        let yaml = minimal + """
            readers:
              usb:
                - name: scanner
                  vendor_id: "0c2e"
                  product_id: "0B61"
                  protocol: keyboard
                  layout: fr
                  till_id: lane-1
              member_barcode:
                prefix: "29"
                length: 13
                check_digit: gtin
            """
        let readers = try ConfigLoader.parse(yaml, file: "x.yaml").readers
        #expect(readers.usb.first?.vendorID == 0x0C2E)
        #expect(readers.usb.first?.productID == 0x0B61)
        #expect(readers.usb.first?.layout.name == "fr")
        #expect(readers.memberBarcode?.cardNumber(in: "2900000055551") == "2900000055551")
    }

    @Test func mistakesNameTheirKey() {
        let reader = "readers:\n  usb:\n    - name: s\n      vendor_id: \"0c2e\"\n      product_id: \"0b61\"\n"
        #expect(error(minimal + reader + "      protocol: serial\n")?.keyPath == "readers.usb[0].protocol")
        #expect(error(minimal + reader + "      protocol: keyboard\n      layout: dvorak\n")?.keyPath == "readers.usb[0].layout")
        #expect(error(minimal + reader.replacingOccurrences(of: "0c2e", with: "xyz") + "      protocol: keyboard\n")?.keyPath == "readers.usb[0].vendor_id")
    }
}
