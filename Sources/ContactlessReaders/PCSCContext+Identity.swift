import Foundation
import CPCSCLite

extension PCSCContext {
    /// What identifies `reader` beyond its name, read on the calling (PC/SC) thread: the driver is
    /// asked through a direct connection, which needs no card and does not touch one on the reader,
    /// for its serial number and its channel (USB bus and address, turned into a port path with
    /// `sysfs`). A driver that answers neither (vpcd) leaves the serial pcsc-lite put in the name.
    func identity(of reader: String, sysfs: USBSysfsDevices = .system) -> PCSCReaderIdentity {
        var serialNumber: String?
        var portPath: String?
        var card = SCARDHANDLE()
        var protocolInUse = DWORD(0)
        if SCardConnect(handle, reader, DWORD(SCARD_SHARE_DIRECT), 0, &card, &protocolInUse) == LONG(SCARD_S_SUCCESS) {
            defer { SCardDisconnect(card, DWORD(SCARD_LEAVE_CARD)) }
            if let bytes = Self.attribute(loyaltyd_scard_attr_vendor_ifd_serial_no, of: card) {
                let text = String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                serialNumber = text.isEmpty ? nil : text
            }
            if let bytes = Self.attribute(loyaltyd_scard_attr_channel_id, of: card), bytes.count == 4 {
                let channel = bytes.reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }  // a DWORD, little-endian
                portPath = USBSysfsDevices.usbDevice(channelID: channel).flatMap { sysfs.portPath(bus: $0.bus, address: $0.address) }
            }
        }
        if let serialNumber { return PCSCReaderIdentity(name: reader, serialNumber: serialNumber, serialSource: .attribute, portPath: portPath) }
        return PCSCReaderIdentity(name: reader, serialNumber: PCSCReaderName.serialNumber(in: reader), serialSource: .name, portPath: portPath)
    }

    /// An attribute's bytes, or `nil` when the driver does not give it.
    private static func attribute(_ id: DWORD, of card: SCARDHANDLE) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: 264)
        var length = DWORD(buffer.count)
        guard SCardGetAttrib(card, id, &buffer, &length) == LONG(SCARD_S_SUCCESS), length > 0 else { return nil }
        return Array(buffer.prefix(Int(length)))
    }
}
