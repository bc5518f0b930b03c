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

    public let uid: [UInt8]
    private let descriptor: Int32
    private let lock = NSLock()
    private var getDataCount = 0
    private static let atr: [UInt8] = [0x3B, 0x8F, 0x80, 0x01, 0x80, 0x4F, 0x0C, 0xA0, 0x00, 0x00, 0x03, 0x06, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x6A]

    /// Puts a card on the reader whose vpcd port is `port` (reader index 0 or 1 of ``VirtualPCSC``).
    public init(reader index: Int, uid: [UInt8], behaviour: Behaviour = .answersUID, timeoutSeconds: Double = 10) throws {
        self.uid = uid
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
                if message[0] == 4 { send(Self.atr) }
                continue
            }
            if message.starts(with: [0xFF, 0xCA]) {
                lock.withLock { getDataCount += 1 }
                send(behaviour == .answersUID ? uid + [0x90, 0x00] : [0x6A, 0x81])
            } else {
                send([0x6D, 0x00])  // instruction not supported
            }
        }
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
