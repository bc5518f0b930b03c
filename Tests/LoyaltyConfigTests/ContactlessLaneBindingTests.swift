import LoyaltyConfig
import Testing

/// `readers.contactless.readers` entries bound by name, serial number and port: read, matched, and
/// refused (file, line, key) when two could take one reader or one can never match one.
@Suite struct ContactlessLaneBindingTests {
    let minimal = "store:\n  id: s1\ncurrency:\n  code: EUR\nreaders:\n  contactless:\n    readers:\n"

    func entry(_ fields: String...) -> String {
        "      - " + fields.joined(separator: "\n        ") + "\n"
    }

    func error(_ yaml: String) -> ConfigError? { parseError(yaml) }

    @Test func serialAndPortBindIdenticalReadersWhateverTheirIndex() throws {
        let configuration = try ConfigLoader.parse(
            minimal + entry("name: \"ACS ACR122U PICC Interface*\"", "port: \"1-1.2\"", "till_id: lane-1")
                + entry("name: \"ACS ACR122U PICC Interface*\"", "port: \"1-1.3\"", "till_id: lane-2")
                + entry("name: \"ACS ACR1252*\"", "serial: \"RR1234\"", "till_id: lane-3"),
            file: "x.yaml")
        let readers = configuration.readers
        #expect(readers.contactlessLanes.map(\.pattern) == ["ACS ACR122U PICC Interface*", "ACS ACR122U PICC Interface*", "ACS ACR1252*"])
        // Plugged in the other order, the reader on port 1-1.3 is index 00 and keeps lane-2.
        #expect(readers.contactlessLaneFor("ACS ACR122U PICC Interface 00 00", portPath: "1-1.3") == (true, "lane-2"))
        #expect(readers.contactlessLaneFor("ACS ACR122U PICC Interface 01 00", portPath: "1-1.2") == (true, "lane-1"))
        #expect(readers.contactlessLaneFor("ACS ACR122U PICC Interface 00 00", portPath: "1-4") == (false, nil))
        #expect(readers.contactlessLaneFor("ACS ACR122U PICC Interface 00 00") == (false, nil), "port unknown: no entry bound by port takes it")
        #expect(readers.contactlessLaneFor("ACS ACR1252 (RR1234) 02 00", serialNumber: "RR1234") == (true, "lane-3"))
        #expect(readers.contactlessLaneFor("ACS ACR1252 (RR9999) 02 00", serialNumber: "RR9999") == (false, nil))
    }

    @Test func twoEntriesThatCouldTakeOneReaderAreRefused() {
        let overlapping = error(minimal + entry("name: \"ACS*\"", "till_id: lane-1") + entry("name: \"* 01 00\"", "till_id: lane-2"))
        #expect(overlapping?.keyPath == "readers.contactless.readers[1].name")
        #expect(overlapping?.line == 10)
        #expect(overlapping?.message.contains("could match the same reader as readers.contactless.readers[0] (name \"ACS*\")") == true)
        // Same name pattern: a serial on one and a port on the other do not tell them apart.
        #expect(error(minimal + entry("name: \"ACS*\"", "serial: \"S1\"") + entry("name: \"ACS*\"", "port: \"1-2\""))?.keyPath
            == "readers.contactless.readers[1].port")
        #expect(error(minimal + entry("serial: \"S1\"") + entry("serial: \"S1\"", "till_id: lane-2"))?.keyPath
            == "readers.contactless.readers[1].serial")
        #expect(error(minimal + entry("name: \"*[0-3] 00\"") + entry("name: \"*[2-9] 00\""))?.keyPath == "readers.contactless.readers[1].name")
        // Told apart: by serial, by port, or by names no reader can have both of.
        #expect(error(minimal + entry("serial: \"S1\"") + entry("serial: \"S2\"")) == nil)
        #expect(error(minimal + entry("name: \"ACS*\"", "port: \"1-1\"") + entry("name: \"ACS*\"", "port: \"1-2\"")) == nil)
        #expect(error(minimal + entry("name: \"*00 00\"") + entry("name: \"*00 01\"")) == nil)
        #expect(error(minimal + entry("name: \"ACS*\"") + entry("name: \"Gemalto*\"")) == nil)
        #expect(error(minimal + entry("name: \"*[0-3] 00\"") + entry("name: \"*[!0-3] 00\"")) == nil)
    }

    @Test func entriesThatCanNeverMatchAreRefused() {
        // pcscd always ends a name with the reader and slot index.
        let noIndex = error(minimal + entry("name: \"ACS ACR122U PICC Interface\""))
        #expect(noIndex?.keyPath == "readers.contactless.readers[0].name")
        #expect(noIndex?.message.contains("end the pattern with *") == true)
        #expect(error(minimal + entry("name: \"ACS * 0x 00\"")) != nil, "indexes are hex digits in uppercase")
        #expect(error(minimal + entry("name: \"ACS ACR122U PICC Interface ?? ??\"")) == nil)
        #expect(error(minimal + entry("port: \"1.2\""))?.keyPath == "readers.contactless.readers[0].port")
        #expect(error(minimal + entry("port: \"1-0\""))?.keyPath == "readers.contactless.readers[0].port")
        #expect(error(minimal + entry("serial: \"\""))?.keyPath == "readers.contactless.readers[0].serial")
        #expect(error(minimal + entry("serial: \" S1\""))?.keyPath == "readers.contactless.readers[0].serial")
        #expect(error(minimal + entry("till_id: lane-1"))?.message.contains("selects readers by name, serial or port") == true)
    }
}
