import CLibUSB

/// A libusb error code with libusb's own name for it.
public struct USBError: Error, Sendable, Hashable, CustomStringConvertible {
    public var code: Int32
    public var call: String

    public var description: String {
        "\(call): \(String(cString: libusb_error_name(code)))"
    }

    static func check(_ result: Int32, _ call: String) throws(USBError) {
        guard result >= 0 else { throw USBError(code: result, call: call) }
    }
}
