/// A HID report descriptor, parsed into the Input fields it declares (HID 1.11 §6.2.2): for each,
/// the report it belongs to, where it sits in that report and which usages its elements carry.
///
/// Only what reading a device's input needs is kept: Output and Feature items are walked (they
/// share the item state) but not recorded. Usages are 32-bit, usage page in the high half. Pure:
/// the bytes come from the device (libusb GET_DESCRIPTOR, type 0x22), read once when it is claimed.
public struct HIDReportDescriptor: Sendable, Hashable {
    /// One Input main item: `count` elements of `bitSize` bits each, from `bitOffset`.
    public struct InputField: Sendable, Hashable {
        /// The report ID that precedes this report on the wire; `nil` when the device uses none.
        public var reportID: UInt8?
        /// Bits from the start of the report's data, after its report ID byte.
        public var bitOffset: Int
        public var bitSize: Int
        public var count: Int
        /// The usages of the elements in order; the last one stands for the elements beyond it.
        public var usages: [UInt32]
        /// Constant fields are padding or reserved bytes.
        public var isConstant: Bool
        /// The usages of the collections around the field, outermost first.
        public var collections: [UInt32]

        /// The usage of element `index` (HID 1.11 §6.2.2.8: the last usage repeats).
        public func usage(ofElement index: Int) -> UInt32? {
            usages.isEmpty ? nil : usages[min(index, usages.count - 1)]
        }
    }

    public let inputs: [InputField]
    /// Whether the device numbers its reports (and so sends the report ID as the first byte).
    public let usesReportIDs: Bool

    /// The bytes of each Input report, report ID included, by report ID (`0` without report IDs).
    public var inputReportLengths: [UInt8: Int] {
        var bits: [UInt8: Int] = [:]
        for field in inputs {
            let key = field.reportID ?? 0
            bits[key] = max(bits[key] ?? 0, field.bitOffset + field.bitSize * field.count)
        }
        return bits.mapValues { ($0 + 7) / 8 + (usesReportIDs ? 1 : 0) }
    }

    /// Parses `bytes`; throws with the offset of the first item that cannot be read.
    public init(_ bytes: [UInt8]) throws(HIDDescriptorError) {
        var parser = Parser()
        try parser.parse(bytes)
        inputs = parser.inputs
        usesReportIDs = parser.usesReportIDs
    }

    public static func usage(page: UInt16, id: UInt16) -> UInt32 { UInt32(page) << 16 | UInt32(id) }
}

/// The item state machine of HID 1.11 §6.2.2: global items (with Push/Pop), local items reset
/// after each main item, and running bit offsets per input report.
private struct Parser {
    struct Globals {
        var usagePage: UInt16 = 0
        var reportSize = 0
        var reportCount = 0
        var reportID: UInt8?
    }

    var globals = Globals()
    var globalStack: [Globals] = []
    var usages: [UInt32] = []
    var usageMinimum: UInt32?
    var collections: [UInt32] = []
    var inputBits: [UInt8: Int] = [:]
    var inputs: [HIDReportDescriptor.InputField] = []
    var usesReportIDs = false

    /// Reports larger than this (64 KiB) are refused: no reader declares anything near it.
    static let maximumReportBits = 65_536 * 8

    mutating func parse(_ bytes: [UInt8]) throws(HIDDescriptorError) {
        var index = 0
        while index < bytes.count {
            let prefix = bytes[index]
            if prefix == 0xFE {  // a long item: skipped whole
                guard index + 2 < bytes.count else { throw HIDDescriptorError(offset: index, problem: "a long item is cut short") }
                index += 3 + Int(bytes[index + 1])
                continue
            }
            let size = [0, 1, 2, 4][Int(prefix & 0x03)]
            guard index + size < bytes.count else { throw HIDDescriptorError(offset: index, problem: "an item is cut short") }
            let data = bytes[(index + 1)..<(index + 1 + size)].reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            try item(tag: prefix >> 4, type: (prefix >> 2) & 0x03, data: data, size: size, at: index)
            index += 1 + size
        }
        guard collections.isEmpty else { throw HIDDescriptorError(offset: bytes.count, problem: "\(collections.count) collection(s) not closed") }
    }

    private mutating func item(tag: UInt8, type: UInt8, data: UInt32, size: Int, at offset: Int) throws(HIDDescriptorError) {
        switch (type, tag) {
        case (0, 0x8): try input(flags: data, at: offset)  // Input
        case (0, 0x9), (0, 0xB): try skipReport(at: offset)  // Output, Feature: same state, not recorded
        case (0, 0xA): collections.append(usages.first ?? usageMinimum ?? 0); resetLocals()  // Collection
        case (0, 0xC):  // End Collection
            guard collections.popLast() != nil else { throw HIDDescriptorError(offset: offset, problem: "End Collection without a Collection") }
            resetLocals()
        case (1, 0x0): globals.usagePage = UInt16(truncatingIfNeeded: data)
        case (1, 0x7): globals.reportSize = Int(data)
        case (1, 0x8):
            guard data > 0, data <= 0xFF else { throw HIDDescriptorError(offset: offset, problem: "report ID \(data) is out of 1...255") }
            globals.reportID = UInt8(data)
            usesReportIDs = true
        case (1, 0x9): globals.reportCount = Int(data)
        case (1, 0xA): globalStack.append(globals)  // Push
        case (1, 0xB):  // Pop
            guard let saved = globalStack.popLast() else { throw HIDDescriptorError(offset: offset, problem: "Pop without Push") }
            globals = saved
        case (2, 0x0): usages.append(fullUsage(data, size: size))
        case (2, 0x1): usageMinimum = fullUsage(data, size: size)
        case (2, 0x2):  // Usage Maximum: the range becomes usages, one per element
            guard let minimum = usageMinimum else { throw HIDDescriptorError(offset: offset, problem: "Usage Maximum without Usage Minimum") }
            let maximum = fullUsage(data, size: size)
            guard maximum >= minimum, maximum - minimum < 65_536 else { throw HIDDescriptorError(offset: offset, problem: "a usage range is reversed or too wide") }
            usages.append(contentsOf: minimum...maximum)
            usageMinimum = nil
        default: break  // logical/physical extents, units, designators, strings, delimiters
        }
    }

    /// A 4-byte usage names its page; a shorter one is on the current usage page.
    private func fullUsage(_ data: UInt32, size: Int) -> UInt32 {
        size == 4 ? data : HIDReportDescriptor.usage(page: globals.usagePage, id: UInt16(truncatingIfNeeded: data))
    }

    private mutating func input(flags: UInt32, at offset: Int) throws(HIDDescriptorError) {
        let bits = try fieldBits(at: offset)
        let key = globals.reportID ?? 0
        let start = inputBits[key] ?? 0
        guard start + bits <= Self.maximumReportBits else { throw HIDDescriptorError(offset: offset, problem: "input report \(key) is larger than 64 KiB") }
        inputs.append(.init(
            reportID: globals.reportID, bitOffset: start, bitSize: globals.reportSize, count: globals.reportCount,
            usages: usages, isConstant: flags & 0x01 != 0, collections: collections))
        inputBits[key] = start + bits
        resetLocals()
    }

    private mutating func skipReport(at offset: Int) throws(HIDDescriptorError) {
        _ = try fieldBits(at: offset)
        resetLocals()
    }

    private func fieldBits(at offset: Int) throws(HIDDescriptorError) -> Int {
        guard (0...32 * 65_536).contains(globals.reportSize), (0...65_536).contains(globals.reportCount) else {
            throw HIDDescriptorError(offset: offset, problem: "report size \(globals.reportSize) × count \(globals.reportCount) is out of range")
        }
        return globals.reportSize * globals.reportCount
    }

    private mutating func resetLocals() {
        usages = []
        usageMinimum = nil
    }
}
