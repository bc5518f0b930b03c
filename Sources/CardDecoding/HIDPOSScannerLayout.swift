/// Where a HID POS barcode scanner puts a scan in its input reports, found by usage in its own
/// report descriptor (HID Point of Sale Usage Tables 1.02, Bar Code Scanner page 0x8C), so that
/// every brand's layout is read as the scanner declares it:
///
/// - the scanned-data report: the report holding Decoded Data (0x8C:0xFE), with its report ID;
/// - the data field: that field's byte offset and capacity;
/// - the data length: a Byte Count (Generic Desktop 0x01:0x3B) input in the same report, where the
///   brand gives one; without it the data ends at its trailing NUL padding;
/// - the symbology identifier: Symbology Identifier 1–3 (0x8C:0xFB–0xFD) elements, in order;
/// - the continuation flag: the first Decode Data Continued (0x8C:0xFF) bit, set while the barcode
///   goes on in the next report. Without it every report is a whole scan.
public struct HIDPOSScannerLayout: Sendable, Hashable {
    /// The byte offsets in this struct count from the first byte of the report as read, which is
    /// the report ID when the device uses report IDs.
    public var reportID: UInt8?
    public var reportLength: Int
    public var dataOffset: Int
    public var dataCapacity: Int
    /// The Byte Count field, where the brand declares one.
    public var lengthField: ByteField?
    public var symbologyOffsets: [Int]
    /// The Decode Data Continued bit, where the brand declares one.
    public var continuation: BitPosition?

    /// A little-endian number of `bytes` bytes at `offset`.
    public struct ByteField: Sendable, Hashable {
        public var offset: Int
        public var bytes: Int

        public init(offset: Int, bytes: Int) {
            self.offset = offset
            self.bytes = bytes
        }
    }

    /// Bit `bit` (0 is the least significant) of byte `byte`.
    public struct BitPosition: Sendable, Hashable {
        public var byte: Int
        public var bit: Int

        public init(byte: Int, bit: Int) {
            self.byte = byte
            self.bit = bit
        }
    }

    static let barCodeScannerPage: UInt16 = 0x8C
    static let decodedData = HIDReportDescriptor.usage(page: 0x8C, id: 0xFE)
    static let decodeDataContinued = HIDReportDescriptor.usage(page: 0x8C, id: 0xFF)
    static let symbologyIdentifiers = (0xFB...0xFD).map { HIDReportDescriptor.usage(page: 0x8C, id: $0) }
    static let byteCount = HIDReportDescriptor.usage(page: 0x01, id: 0x3B)

    /// Reads the layout from a parsed descriptor; throws, saying what is missing, when the scanner
    /// does not declare a scanned-data report this decoder can read.
    public init(descriptor: HIDReportDescriptor) throws(HIDDescriptorError) {
        guard descriptor.inputs.contains(where: { field in
            field.usages.contains { $0 >> 16 == Self.barCodeScannerPage } || field.collections.contains { $0 >> 16 == Self.barCodeScannerPage }
        }) else {
            throw HIDDescriptorError(offset: nil, problem: "its HID report descriptor declares no Bar Code Scanner (usage page 0x8C) input: the scanner is not in HID POS mode (set it to HID POS, or configure protocol keyboard)")
        }
        guard let data = descriptor.inputs.first(where: { !$0.isConstant && $0.usages.contains(Self.decodedData) }) else {
            throw HIDDescriptorError(offset: nil, problem: "its HID report descriptor has no Decoded Data (usage 0x8C:0xFE) input, so there is no scanned-data report to read")
        }
        guard data.bitSize == 8, data.bitOffset % 8 == 0, data.count > 0 else {
            throw HIDDescriptorError(offset: nil, problem: "its Decoded Data (0x8C:0xFE) field is \(data.count) × \(data.bitSize) bits at bit \(data.bitOffset), not whole bytes")
        }
        let idBytes = descriptor.usesReportIDs ? 1 : 0
        let sameReport = descriptor.inputs.filter { $0.reportID == data.reportID && !$0.isConstant }
        reportID = data.reportID
        reportLength = descriptor.inputReportLengths[data.reportID ?? 0] ?? 0
        dataOffset = idBytes + data.bitOffset / 8
        dataCapacity = data.count
        if let length = sameReport.first(where: { $0.usage(ofElement: 0) == Self.byteCount }),
           length.bitOffset % 8 == 0, [8, 16].contains(length.bitSize) {
            lengthField = ByteField(offset: idBytes + length.bitOffset / 8, bytes: length.bitSize / 8)
        }
        symbologyOffsets = []
        for field in sameReport where field.bitSize == 8 && field.bitOffset % 8 == 0 {
            for element in 0..<field.count where Self.symbologyIdentifiers.contains(field.usage(ofElement: element) ?? 0) {
                symbologyOffsets.append(idBytes + field.bitOffset / 8 + element)
            }
        }
        for field in sameReport {
            guard let element = (0..<field.count).first(where: { field.usage(ofElement: $0) == Self.decodeDataContinued }) else { continue }
            let bit = field.bitOffset + element * field.bitSize
            continuation = BitPosition(byte: idBytes + bit / 8, bit: bit % 8)
            break
        }
    }
}
