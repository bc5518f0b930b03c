import CardDecoding
import LoyaltyTestSupport
import Testing

/// HID POS scanners read as their own report descriptors declare: three brands' layouts
/// (HIDPOSScannerFixture cites where each comes from), one-report and multi-report scans.
@Suite struct HIDPOSDecodingTests {
    static let qrText = String(repeating: "https://example.com/m/2900000055551?", count: 9)  // 324 bytes

    func decoder(_ scanner: HIDPOSScannerFixture) throws -> HIDPOSScannerDecoder {
        HIDPOSScannerDecoder(layout: try HIDPOSScannerLayout(descriptor: HIDReportDescriptor(scanner.reportDescriptor)))
    }

    /// Feeds every report; returns the scans completed, in order.
    func scans(_ reports: [[UInt8]], _ decoder: inout HIDPOSScannerDecoder) -> [(symbology: String, data: String)] {
        reports.compactMap { decoder.feed($0) }
    }

    @Test func eachBrandsLayoutIsFoundByUsage() throws {
        let honeywell = try HIDPOSScannerLayout(descriptor: HIDReportDescriptor(HIDPOSScannerFixture.honeywell.reportDescriptor))
        #expect(HIDPOSScannerFixture.honeywell.reportDescriptor.count == 0x90, "Honeywell's wDescriptorLength")
        #expect(honeywell.reportID == 2)
        #expect(honeywell.reportLength == 64)
        #expect(honeywell.lengthField == .init(offset: 1, bytes: 1))
        #expect(honeywell.symbologyOffsets == [2, 3, 4])
        #expect(honeywell.dataOffset == 5)
        #expect(honeywell.dataCapacity == 56)
        #expect(honeywell.continuation == .init(byte: 63, bit: 0), "not byte 61, Honeywell's Code ID")

        let newland = try HIDPOSScannerLayout(descriptor: HIDReportDescriptor(HIDPOSScannerFixture.newland.reportDescriptor))
        #expect(newland.dataOffset == 2)
        #expect(newland.symbologyOffsets == [62])
        #expect(newland.continuation == .init(byte: 63, bit: 0))
        #expect(newland.reportLength == 64)

        let zebra = try HIDPOSScannerLayout(descriptor: HIDReportDescriptor(HIDPOSScannerFixture.zebra.reportDescriptor))
        #expect(zebra.lengthField == nil)
        #expect(zebra.symbologyOffsets == [1, 2, 3], "a usage range is one usage per element")
        #expect(zebra.dataOffset == 4)
        #expect(zebra.continuation == .init(byte: 60, bit: 0))
        #expect(zebra.reportLength == 61)
    }

    @Test(arguments: HIDPOSScannerFixture.all.map(\.brand))
    func aScanInOneReport(brand: String) throws {
        let scanner = try #require(HIDPOSScannerFixture.all.first { $0.brand == brand })
        var decoder = try decoder(scanner)
        let found = scans(scanner.reports("4006381333931", symbology: "]E0") + scanner.reports("036000291452", symbology: "]E0"), &decoder)
        #expect(found.map(\.data) == ["4006381333931", "036000291452"], "a UPC-A scan is not held back for the next one")
        if brand != "Newland" { #expect(found.first?.symbology == "]E0") }
    }

    @Test(arguments: HIDPOSScannerFixture.all.map(\.brand))
    func a73CharacterCodeOverTwoReports(brand: String) throws {
        let scanner = try #require(HIDPOSScannerFixture.all.first { $0.brand == brand })
        var decoder = try decoder(scanner)
        let code = "2900000055551" + String(repeating: "0123456789", count: 6)  // 73 characters
        let reports = scanner.reports(code, symbology: "]C0")
        #expect(reports.count == 2)
        #expect(decoder.feed(reports[0]) == nil, "the first report continues")
        #expect(decoder.feed(reports[1])?.data == code)
    }

    @Test(arguments: HIDPOSScannerFixture.all.map(\.brand))
    func aQRCodeOfSomeHundredBytes(brand: String) throws {
        let scanner = try #require(HIDPOSScannerFixture.all.first { $0.brand == brand })
        var decoder = try decoder(scanner)
        let reports = scanner.reports(Self.qrText, symbology: "]Q1")
        #expect(reports.count == 6)
        let found = scans(reports + scanner.reports("4006381333931", symbology: "]E0"), &decoder)
        #expect(found.map(\.data) == [Self.qrText, "4006381333931"])
    }

    @Test func reportsOfOtherReportIDsAreIgnored() throws {
        var decoder = try decoder(.honeywell)
        var trigger = [UInt8](repeating: 0, count: 64)
        trigger[0] = 4
        trigger[1] = 13
        #expect(decoder.feed(trigger) == nil)
        #expect(decoder.feed(HIDPOSScannerFixture.honeywell.reports("4006381333931", symbology: "]E0")[0])?.data == "4006381333931")
    }

    @Test func aScannerInKeyboardModeIsRefusedWithTheReason() throws {
        let descriptor = try HIDReportDescriptor(HIDPOSScannerFixture.keyboardModeDescriptor)
        #expect(descriptor.inputs.count == 3)
        #expect(throws: HIDDescriptorError.self) { try HIDPOSScannerLayout(descriptor: descriptor) }
        do {
            _ = try HIDPOSScannerLayout(descriptor: descriptor)
        } catch {
            #expect(error.description.contains("not in HID POS mode"))
        }
    }

    @Test func aScannerWithoutDecodedDataIsRefused() throws {
        // The Bar Code Scanner collection with only a trigger report: nothing to read a scan from.
        let bytes: [UInt8] = [
            0x05, 0x8C, 0x09, 0x02, 0xA1, 0x01, 0x09, 0x14, 0xA1, 0x02, 0x85, 0x04, 0x15, 0x00, 0x25, 0x01,
            0x75, 0x01, 0x95, 0x08, 0x09, 0x60, 0x81, 0x02, 0xC0, 0xC0,
        ]
        do {
            _ = try HIDPOSScannerLayout(descriptor: HIDReportDescriptor(bytes))
            Issue.record("a descriptor without Decoded Data is accepted")
        } catch {
            #expect(error.description.contains("no Decoded Data (usage 0x8C:0xFE)"))
        }
    }

    @Test func brokenDescriptorsSayWhere() {
        func problem(_ bytes: [UInt8]) -> HIDDescriptorError? {
            do {
                _ = try HIDReportDescriptor(bytes)
                return nil
            } catch {
                return error
            }
        }
        #expect(problem([0x05, 0x8C, 0x09]) == HIDDescriptorError(offset: 2, problem: "an item is cut short"))
        #expect(problem([0x05, 0x8C, 0xC0])?.offset == 2, "End Collection without a Collection")
        #expect(problem([0xA1, 0x01])?.problem == "1 collection(s) not closed")
        #expect(problem([0x85, 0x00])?.problem == "report ID 0 is out of 1...255")
        #expect(problem([0xB4])?.problem == "Pop without Push")
    }

    @Test func anOverlongScanIsDroppedNotGluedToTheNext() throws {
        var decoder = try decoder(.honeywell)
        let endless = HIDPOSScannerFixture.honeywell.reports(String(repeating: "A", count: 56 * 400), symbology: "]C0").dropLast()
        #expect(scans(Array(endless) + HIDPOSScannerFixture.honeywell.reports("B", symbology: "]C0"), &decoder).isEmpty)
        #expect(decoder.feed(HIDPOSScannerFixture.honeywell.reports("4006381333931", symbology: "]E0")[0])?.data == "4006381333931")
    }
}
