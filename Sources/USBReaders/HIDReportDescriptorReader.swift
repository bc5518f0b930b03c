import CardDecoding
import CLibUSB

/// Reads a claimed interface's HID report descriptor from the device (a standard GET_DESCRIPTOR
/// request to the interface, descriptor type 0x22: HID 1.11 §7.1.1). A blocking control transfer:
/// called only on the USB monitor's own event thread.
enum HIDReportDescriptorReader {
    static let timeoutMilliseconds: UInt32 = 1_000

    /// The HID POS layout the scanner on `interface` declares, or why there is none to read.
    static func scannerLayout(handle: OpaquePointer, interface: Int32, length: Int?) -> Result<HIDPOSScannerLayout, HIDDescriptorError> {
        guard let length, length > 0 else {
            return .failure(HIDDescriptorError(offset: nil, problem: "interface \(interface) has no HID class descriptor naming a report descriptor: it is not a HID POS scanner"))
        }
        var bytes = [UInt8](repeating: 0, count: length)
        let requestType = UInt8(LIBUSB_ENDPOINT_IN.rawValue) | UInt8(LIBUSB_REQUEST_TYPE_STANDARD.rawValue) | UInt8(LIBUSB_RECIPIENT_INTERFACE.rawValue)
        let read = bytes.withUnsafeMutableBufferPointer { buffer in
            libusb_control_transfer(
                handle, requestType, UInt8(LIBUSB_REQUEST_GET_DESCRIPTOR.rawValue), UInt16(0x22) << 8, UInt16(interface),
                buffer.baseAddress, UInt16(length), timeoutMilliseconds)
        }
        guard read > 0 else {
            return .failure(HIDDescriptorError(offset: nil, problem: "cannot read its HID report descriptor: \(USBError(code: read, call: "GET_DESCRIPTOR"))"))
        }
        do {
            return .success(try HIDPOSScannerLayout(descriptor: HIDReportDescriptor(Array(bytes.prefix(Int(read))))))
        } catch {
            return .failure(error)
        }
    }
}
