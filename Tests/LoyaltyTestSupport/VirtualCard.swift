import Foundation

/// A contactless card on one of ``VirtualPCSC``'s readers, written for these tests.
///
/// It speaks the card side of vpcd: a TCP connection to the reader's port, every message both
/// ways a 2-byte big-endian length and its bytes; a 1-byte message is a control (0 power off,
/// 1 power on, 2 reset, 4 send the ATR), anything longer an APDU to answer. Closing the
/// connection takes the card off the reader.
public final class VirtualCard: @unchecked Sendable {
    /// How the card answers GET DATA (`FF CA 00 00 00`).
    public enum Behaviour: Sendable {
        case answersUID
        /// Answers `6A 81` (function not supported), as a broken or exotic card might.
        case failsGetData
    }

    /// The ATR a PC/SC reader (ACR122U) gives a memory card, here a MIFARE Classic 1K: PC/SC part 3
    /// storage card, registered application provider A0 00 00 03 06.
    public static let storageCardATR: [UInt8] = [0x3B, 0x8F, 0x80, 0x01, 0x80, 0x4F, 0x0C, 0xA0, 0x00, 0x00, 0x03, 0x06, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x6A]
    /// The ATR a PC/SC reader (ACR122U) gives an ISO 14443-4 card without historical bytes: a
    /// contactless bank card, a phone, a DESFire card.
    public static let isoDepATR: [UInt8] = [0x3B, 0x80, 0x80, 0x01, 0x01]

    /// The FCI a Mastercard contactless card answers to SELECT 2PAY.SYS.DDF01: the PPSE's name
    /// and one directory entry (AID A0 00 00 00 04 10 10, priority 1).
    static let paymentEnvironmentFCI: [UInt8] = [0x6F, 0x23, 0x84, 0x0E] + Array("2PAY.SYS.DDF01".utf8)
        + [0xA5, 0x11, 0xBF, 0x0C, 0x0E, 0x61, 0x0C, 0x4F, 0x07, 0xA0, 0x00, 0x00, 0x00, 0x04, 0x10, 0x10, 0x87, 0x01, 0x01]

    public let uid: [UInt8]
    private let atr: [UInt8]
    private let paymentEnvironment: Bool
    private let memory: [UInt8]?
    private let descriptor: Int32
    private let lock = NSLock()
    private var getDataCount = 0
    private var selectCount = 0

    /// Puts a card on the reader whose vpcd port is `port` (reader index 0 or 1 of ``VirtualPCSC``).
    /// - Parameters:
    ///   - atr: what the reader reports for it; a memory card (``storageCardATR``) by default.
    ///   - paymentEnvironment: answers SELECT of the PPSE with a bank card's FCI and 90 00;
    ///     otherwise `6A 82` (file not found), as any other card with applications.
    ///   - memory: a Type 2 tag's pages (4 bytes each, from page 0), answered to READ BINARY
    ///     (`FF B0 00 <page> <length>`) as an ACR122U answers for an NTAG; without it READ BINARY
    ///     gets `6A 81`.
    public init(
        reader index: Int, uid: [UInt8], behaviour: Behaviour = .answersUID, atr: [UInt8] = storageCardATR,
        paymentEnvironment: Bool = false, memory: [UInt8]? = nil, timeoutSeconds: Double = 10
    ) throws {
        self.uid = uid
        self.atr = atr
        self.paymentEnvironment = paymentEnvironment
        self.memory = memory
        let port = VirtualPCSC.firstPort + UInt16(index)
        var connected: Int32 = -1
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while connected < 0, Date() < deadline {
            connected = Self.connect(port: port)
            if connected < 0 { usleep(50_000) }
        }
        guard connected >= 0 else { throw VirtualPCSCError(description: "vpcd does not listen on port \(port)") }
        descriptor = connected
        let thread = Thread { [self] in serve(behaviour) }
        thread.name = "virtual-card"
        thread.start()
    }

    /// Takes the card off the reader.
    public func remove() {
        shutdown(descriptor, Int32(SHUT_RDWR))
    }

    /// How many GET DATA commands the card has answered.
    public var getDataRequests: Int { lock.withLock { getDataCount } }

    /// How many SELECT by name commands (`00 A4 04 00`) the card was sent.
    public var selectRequests: Int { lock.withLock { selectCount } }

    /// An NTAG213's memory (45 pages) holding `message` as its NDEF message: capability container
    /// `E1 10 12 00` in page 3, then from page 4 a lock control TLV, the NDEF message TLV and the
    /// terminator TLV, as NFC Tools writes it.
    public static func ntag213(ndefMessage message: [UInt8]) -> [UInt8] {
        let header: [UInt8] = [0x04, 0x5B, 0x1E, 0xB1, 0x72, 0x6A, 0x5E, 0x80, 0xC0, 0x48, 0x00, 0x00, 0xE1, 0x10, 0x12, 0x00]
        let lengthField: [UInt8] = message.count < 0xFF ? [UInt8(message.count)] : [0xFF, UInt8(message.count >> 8), UInt8(message.count & 0xFF)]
        let data: [UInt8] = [0x01, 0x03, 0xA0, 0x0C, 0x34, 0x03] + lengthField + message + [0xFE]
        return header + data + [UInt8](repeating: 0, count: max(0, 180 - header.count - data.count))
    }

    /// An NDEF message of one well-known text record (UTF-8, language `en`).
    public static func textRecord(_ text: String) -> [UInt8] {
        let payload: [UInt8] = [0x02] + Array("en".utf8) + Array(text.utf8)
        return [0xD1, 0x01, UInt8(payload.count), 0x54] + payload
    }

    /// A phone with a wallet-less NFC stack (or a card emulating one): ISO 14443-4, no payment
    /// environment, and an ISO 14443-3 random UID, `08` and three bytes drawn afresh for each tap.
    public static func phone(reader index: Int) throws -> VirtualCard {
        var generator = SystemRandomNumberGenerator()
        let uid: [UInt8] = [0x08] + (0..<3).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return try VirtualCard(reader: index, uid: uid, atr: isoDepATR)
    }

    deinit {
        shutdown(descriptor, Int32(SHUT_RDWR))
        close(descriptor)
    }

    private static func connect(port: UInt16) -> Int32 {
        let socketDescriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketDescriptor >= 0 else { return -1 }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(socketDescriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if result != 0 {
            close(socketDescriptor)
            return -1
        }
        var on: Int32 = 1
        setsockopt(socketDescriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
        return socketDescriptor
    }

    private func serve(_ behaviour: Behaviour) {
        while let message = receive() {
            if message.count == 1 {
                if message[0] == 4 { send(atr) }
                continue
            }
            if message.starts(with: [0xFF, 0xCA]) {
                lock.withLock { getDataCount += 1 }
                send(behaviour == .answersUID ? uid + [0x90, 0x00] : [0x6A, 0x81])
            } else if message.starts(with: [0xFF, 0xB0, 0x00]), message.count == 5 {
                send(readBinary(page: Int(message[3]), length: message[4] == 0 ? 256 : Int(message[4])))
            } else if message.starts(with: [0x00, 0xA4, 0x04, 0x00]) {
                lock.withLock { selectCount += 1 }
                let selectsPaymentEnvironment = message.count > 5 && Array(message.dropFirst(5).prefix(Int(message[4]))) == Array("2PAY.SYS.DDF01".utf8)
                send(paymentEnvironment && selectsPaymentEnvironment ? Self.paymentEnvironmentFCI + [0x90, 0x00] : [0x6A, 0x82])
            } else {
                send([0x6D, 0x00])  // instruction not supported
            }
        }
    }

    private func readBinary(page: Int, length: Int) -> [UInt8] {
        guard let memory else { return [0x6A, 0x81] }
        guard page * 4 < memory.count else { return [0x6B, 0x00] }
        let bytes = Array(memory[(page * 4)..<min(memory.count, page * 4 + length)])
        return bytes + [UInt8](repeating: 0, count: length - bytes.count) + [0x90, 0x00]
    }

    private func receive() -> [UInt8]? {
        guard let header = receive(count: 2) else { return nil }
        return receive(count: Int(header[0]) << 8 | Int(header[1]))
    }

    private func receive(count: Int) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: count)
        var received = 0
        while received < count {
            let result = bytes[received...].withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            guard result > 0 else { return nil }
            received += result
            // vpcd writes a message's length and its bytes separately: acknowledge at once, or the
            // kernel's delayed ACK holds every APDU back by up to 40 ms (a card reader has no such delay).
            var on: Int32 = 1
            setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_QUICKACK, &on, socklen_t(MemoryLayout<Int32>.size))
        }
        return bytes
    }

    private func send(_ payload: [UInt8]) {
        let frame = [UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)] + payload
        _ = frame.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }
}
