import CardDecoding
import CLibUSB

/// Finds the interrupt IN endpoint a reader reports on, from its active configuration.
enum USBEndpointFinder {
    struct Endpoint {
        var interface: Int32
        var address: UInt8
        var maxPacketSize: Int
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
                return Endpoint(
                    interface: Int32(setting.bInterfaceNumber), address: endpoint.bEndpointAddress,
                    maxPacketSize: Int(endpoint.wMaxPacketSize))
            }
        }
        return nil
    }

    /// How many bytes each interrupt transfer asks for: one report of the reader's protocol.
    static func transferLength(for reportProtocol: USBReaderSpec.ReportProtocol, maxPacket: Int) -> Int32 {
        switch reportProtocol {
        case .keyboard: 8
        case .hidPOSBarcode: Int32(max(maxPacket, 64))
        case .magtekHID: Int32(MagTekHIDReport.reportLength)
        }
    }
}
