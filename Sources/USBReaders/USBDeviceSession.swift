import CardDecoding
import LoyaltyDomain
import CLibUSB
import Foundation

/// One claimed USB reader: its handle, its interrupt transfer and the decoder for what it sends.
/// Lives on the monitor's event thread; its transfer's callback reaches it through an
/// `Unmanaged` reference taken when the transfer is first submitted and given back when the
/// transfer ends for good (cancelled, or the device gone).
final class USBDeviceSession {
    enum State {
        case reading
        case stopping
        case finished
    }

    let spec: USBReaderSpec
    let device: OpaquePointer
    let handle: OpaquePointer
    let interfaceNumber: Int32
    let detachedKernelDriver: Bool
    private let endpoint: UInt8
    private let transfer: UnsafeMutablePointer<libusb_transfer>
    private let buffer: UnsafeMutablePointer<UInt8>
    private let length: Int32
    private(set) var state = State.reading
    private let emit: (USBReaderEvent) -> Void

    private var keyboard: KeyboardReportDecoder
    /// For HID POS scanners: the decoder built from the scanner's own report descriptor.
    private var scanner: HIDPOSScannerDecoder?
    private(set) var lastReportAt: ContinuousClock.Instant?

    init(
        spec: USBReaderSpec, device: OpaquePointer, handle: OpaquePointer, interfaceNumber: Int32, endpoint: UInt8,
        transferLength: Int32, detachedKernelDriver: Bool, scanner: HIDPOSScannerDecoder?, emit: @escaping (USBReaderEvent) -> Void
    ) {
        self.scanner = scanner
        self.spec = spec
        self.device = device
        self.handle = handle
        self.interfaceNumber = interfaceNumber
        self.endpoint = endpoint
        self.length = transferLength
        self.detachedKernelDriver = detachedKernelDriver
        self.emit = emit
        self.keyboard = KeyboardReportDecoder(layout: spec.layout)
        transfer = libusb_alloc_transfer(0)
        buffer = .allocate(capacity: Int(transferLength))
    }

    deinit {
        libusb_free_transfer(transfer)
        buffer.deallocate()
    }

    /// Submits the interrupt transfer; the session stays alive until the transfer ends.
    func start() -> Int32 {
        let box = Unmanaged.passRetained(self).toOpaque()
        libusb_fill_interrupt_transfer(transfer, handle, endpoint, buffer, length, usbTransferCompleted, box, 0)
        let result = libusb_submit_transfer(transfer)
        if result != 0 {
            Unmanaged<USBDeviceSession>.fromOpaque(box).release()
            state = .finished
        }
        return result
    }

    /// Asks the transfer to end; its callback finishes the session.
    func cancel() {
        guard state == .reading else { return }
        state = .stopping
        libusb_cancel_transfer(transfer)
    }

    /// Called on the event thread when the transfer completes; returns whether it was resubmitted.
    fileprivate func completed() -> Bool {
        let status = transfer.pointee.status
        switch status {
        case LIBUSB_TRANSFER_COMPLETED:
            let report = Array(UnsafeBufferPointer(start: buffer, count: Int(transfer.pointee.actual_length)))
            lastReportAt = .now
            handle(report)
            if state == .reading, libusb_submit_transfer(transfer) == 0 { return true }
        case LIBUSB_TRANSFER_NO_DEVICE:
            if state == .reading { emit(.readerRemoved(spec)) }
        case LIBUSB_TRANSFER_CANCELLED:
            break
        default:
            // A stall or error: try again unless stopping.
            if state == .reading, libusb_submit_transfer(transfer) == 0 { return true }
        }
        state = .finished
        return false
    }

    private func handle(_ report: [UInt8]) {
        switch spec.reportProtocol {
        case .keyboard:
            if let typed = keyboard.feed(report) { emitTyped(typed) }
        case .hidPOSBarcode:
            if let scan = scanner?.feed(report) { emit(.read(spec, .barcode(scan.data))) }
        case .magtekHID:
            emit(.read(spec, .swipe(MagTekHIDReport.swipe(report))))
        }
    }

    /// Ends a keyboard scan that stopped without Enter once the configured gap has passed.
    func finishIfGapPassed(now: ContinuousClock.Instant) {
        guard spec.reportProtocol == .keyboard, keyboard.isTyping, let last = lastReportAt,
              now - last >= .milliseconds(spec.keyGapMilliseconds),
              let typed = keyboard.finish()
        else { return }
        emitTyped(typed)
    }

    /// When the next gap check is due, if a scan is in progress.
    var gapDeadline: ContinuousClock.Instant? {
        guard spec.reportProtocol == .keyboard, keyboard.isTyping, let last = lastReportAt else { return nil }
        return last + .milliseconds(spec.keyGapMilliseconds)
    }

    /// Keyboard text is a magnetic stripe when it looks like one (a track sentinel, or track 1's
    /// `^` and track 2's `=` separators), else a barcode. Erring towards a swipe keeps a bank card
    /// that lost its sentinels from ever passing as a barcode.
    private func emitTyped(_ text: String) {
        if MagneticTrack.looksLikeTrackData(text) {
            let tracks = MagneticTrack.tracks(inTypedText: text)
            emit(.read(spec, .swipe(MagneticTrack.classify(track1: tracks.track1, track2: tracks.track2, track3: tracks.track3))))
        } else {
            emit(.read(spec, .barcode(text)))
        }
    }
}

/// libusb's transfer callback: finds the session through the transfer's user data, and gives
/// back the session's retain when its transfer has ended for good.
private func usbTransferCompleted(_ transfer: UnsafeMutablePointer<libusb_transfer>?) {
    guard let transfer, let userData = transfer.pointee.user_data else { return }
    let session = Unmanaged<USBDeviceSession>.fromOpaque(userData)
    if !session.takeUnretainedValue().completed() {
        session.release()
    }
}
