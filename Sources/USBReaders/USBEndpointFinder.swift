import CardDecoding
import CLibUSB

/// Finds the interrupt IN endpoint a reader reports on, from its active configuration.
enum USBEndpointFinder {
    struct Endpoint {
        var interface: Int32
        var address: UInt8
        var maxPacketSize: Int
        /// The length of the interface's HID report descriptor, from its HID class descriptor.
        var reportDescriptorLength: Int?
    }

    static func interruptIn(of device: OpaquePointer, interface wanted: Int?) -> Endpoint? {
        var configuration: UnsafeMutablePointer<libusb_config_descriptor>?
        guard libusb_get_active_config_descriptor(device, &configuration) == 0, let configuration else { return nil }
        defer { libusb_free_config_descriptor(configuration) }
        let interfaces = UnsafeBufferPointer(start: configuration.pointee.interface, count: Int(configuration.pointee.bNumInterfaces))
        for interface in interfaces where interface.num_altsetting > 0 {
            let setting = interface.altsetting.pointee
            if let wanted, Int(setting.bInterfaceNumber) != wanted { continue }
            let endpoints = UnsafeBufferPointer(start: setting.endpoint, count: Int(setting.bNumEndpoints))
            for endpoint in endpoints
            where endpoint.bmAttributes & 0x03 == UInt8(LIBUSB_TRANSFER_TYPE_INTERRUPT.rawValue) && endpoint.bEndpointAddress & 0x80 != 0 {
                let extra = setting.extra.map { Array(UnsafeBufferPointer(start: $0, count: Int(setting.extra_length))) } ?? []
                return Endpoint(
                    interface: Int32(setting.bInterfaceNumber), address: endpoint.bEndpointAddress,
                    maxPacketSize: Int(endpoint.wMaxPacketSize), reportDescriptorLength: reportDescriptorLength(inClassDescriptors: extra))
            }
        }
        return nil
    }

    /// The HID class descriptor (type 0x21) among an interface's extra descriptors gives the
    /// length of its report descriptor (type 0x22): HID 1.11 §6.2.1.
    static func reportDescriptorLength(inClassDescriptors bytes: [UInt8]) -> Int? {
        var index = 0
        while index + 1 < bytes.count, bytes[index] >= 2 {
            let length = Int(bytes[index])
            if bytes[index + 1] == 0x21, length >= 9, index + length <= bytes.count {
                let count = Int(bytes[index + 5])
                for entry in 0..<count where 6 + entry * 3 + 2 < length {
                    let at = index + 6 + entry * 3
                    if bytes[at] == 0x22 { return Int(bytes[at + 1]) | Int(bytes[at + 2]) << 8 }
                }
            }
            index += length
        }
        return nil
    }

    /// How many bytes each interrupt transfer asks for: one report of the reader's protocol. A HID
    /// POS report is as long as its descriptor declares, rounded up to whole packets so that a
    /// report filling its last packet exactly still ends the transfer.
    static func transferLength(for reportProtocol: USBReaderSpec.ReportProtocol, maxPacket: Int, scannerReport: Int?) -> Int32 {
        let packet = max(maxPacket, 8)
        return switch reportProtocol {
        case .keyboard: 8
        case .hidPOSBarcode: Int32(((scannerReport ?? 64) + packet - 1) / packet * packet)
        case .magtekHID: Int32(MagTekHIDReport.reportLength)
        }
    }
}
