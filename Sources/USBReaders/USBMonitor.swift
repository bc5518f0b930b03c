import CardDecoding
import CLibUSB
import Foundation
import Logging
import Synchronization

/// Takes over the configured USB readers through libusb, on one dedicated event thread.
///
/// Hotplug is registered with `LIBUSB_HOTPLUG_ENUMERATE`, so readers present at start and readers
/// plugged in later are handled alike. Each claimed reader has one asynchronous interrupt transfer,
/// resubmitted as reports arrive; a transfer failing with `LIBUSB_ERROR_NO_DEVICE` (or a hotplug
/// departure) removes the reader and frees everything. `stop()` wakes the event thread with
/// `libusb_interrupt_event_handler`, cancels the transfers, gives the interfaces back to the kernel
/// and closes the context.
public final class USBMonitor: Sendable {
    /// Hotplug callbacks run inside libusb calls on the event thread; they only queue devices here,
    /// which the event loop then opens or forgets.
    final class HotplugQueue: Sendable {
        /// Devices by address (a `libusb_device *` as an integer: pointers are not Sendable).
        let changes = Mutex<[(device: UInt, arrived: Bool)]>([])
    }

    private let specs: [USBReaderSpec]
    private let logger: Logger
    private let sink: @Sendable (USBReaderEvent) -> Void
    private let stopping = Atomic<Bool>(false)
    /// The libusb context's address, while the event thread runs.
    private let context = Mutex<UInt?>(nil)
    private let finished = DispatchSemaphore(value: 0)

    public init(specs: [USBReaderSpec], logger: Logger, sink: @escaping @Sendable (USBReaderEvent) -> Void) {
        self.specs = specs
        self.logger = logger
        self.sink = sink
    }

    /// Starts the event thread; throws when libusb cannot be initialised or lacks hotplug.
    public func start() throws(USBError) {
        var created: OpaquePointer?
        try USBError.check(libusb_init(&created), "libusb_init")
        guard let created else { throw USBError(code: Int32(LIBUSB_ERROR_OTHER.rawValue), call: "libusb_init") }
        guard libusb_has_capability(UInt32(LIBUSB_CAP_HAS_HOTPLUG.rawValue)) != 0 else {
            libusb_exit(created)
            throw USBError(code: Int32(LIBUSB_ERROR_NOT_SUPPORTED.rawValue), call: "hotplug")
        }
        // The context goes to the event thread as an address: OpaquePointer is not Sendable.
        let address = UInt(bitPattern: created)
        context.withLock { $0 = address }
        let thread = Thread { [self] in
            run(OpaquePointer(bitPattern: address)!)
            finished.signal()
        }
        thread.name = "usb-events"
        thread.start()
    }

    /// Stops reading, gives the readers back to the kernel and ends the event thread.
    public func stop() {
        // Under the lock, so the event thread cannot free the context while it is being woken.
        let running = context.withLock { address -> Bool in
            guard let address else { return false }
            stopping.store(true, ordering: .sequentiallyConsistent)
            libusb_interrupt_event_handler(OpaquePointer(bitPattern: address))
            return true
        }
        if running { finished.wait() }
    }

    private func run(_ context: OpaquePointer) {
        let queue = HotplugQueue()
        let queueBox = Unmanaged.passRetained(queue)
        var callbackHandle = libusb_hotplug_callback_handle()
        let registered = libusb_hotplug_register_callback(
            context,
            Int32(LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED.rawValue | LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT.rawValue),
            Int32(LIBUSB_HOTPLUG_ENUMERATE.rawValue), LIBUSB_HOTPLUG_MATCH_ANY, LIBUSB_HOTPLUG_MATCH_ANY,
            LIBUSB_HOTPLUG_MATCH_ANY, usbHotplugChanged, queueBox.toOpaque(), &callbackHandle)
        if registered != 0 {
            logger.error("USB hotplug registration failed", metadata: ["error": "\(USBError(code: registered, call: "hotplug"))"])
        }

        var sessions: [OpaquePointer: USBDeviceSession] = [:]
        // Configured readers present but unusable, each holding a reference to its device, so that
        // only their own departure (not another device's) reports them removed.
        var unusableDevices: [OpaquePointer: USBReaderSpec] = [:]
        while !stopping.load(ordering: .sequentiallyConsistent) {
            for change in queue.changes.withLock({ changes in defer { changes = [] }; return changes }) {
                let device = OpaquePointer(bitPattern: change.device)!
                if change.arrived {
                    let taken = Set(sessions.values.map(\.spec.name)).union(unusableDevices.values.map(\.name))
                    if sessions[device] == nil, unusableDevices[device] == nil, let spec = configuredSpec(of: device, taken: taken) {
                        if let session = open(device, as: spec) {
                            sessions[device] = session
                        } else {
                            unusableDevices[device] = spec
                            libusb_ref_device(device)
                        }
                    }
                } else if let session = sessions[device] {
                    session.cancel()
                    if session.state != .finished { sink(.readerRemoved(session.spec)) }
                } else if let spec = unusableDevices.removeValue(forKey: device) {
                    sink(.readerRemoved(spec))
                    libusb_unref_device(device)
                }
                libusb_unref_device(device)
            }
            for (device, session) in sessions where session.state == .finished {
                release(session)
                sessions[device] = nil
            }
            // Sleep in libusb until a transfer or hotplug event, or until a scan's key gap is due.
            let now = ContinuousClock.now
            sessions.values.forEach { $0.finishIfGapPassed(now: now) }
            let deadline = sessions.values.compactMap(\.gapDeadline).min()
            let wait = deadline.map { max($0 - now, .milliseconds(1)) } ?? .seconds(3_600)
            var timeout = timeval(tv_sec: Int(wait.components.seconds), tv_usec: Int(wait.components.attoseconds / 1_000_000_000_000))
            libusb_handle_events_timeout_completed(context, &timeout, nil)
        }

        libusb_hotplug_deregister_callback(context, callbackHandle)
        for session in sessions.values { session.cancel() }
        // Let the cancelled transfers call back before their sessions are released.
        var zero = timeval(tv_sec: 0, tv_usec: 100_000)
        for _ in 0..<20 where sessions.values.contains(where: { $0.state != .finished }) {
            libusb_handle_events_timeout_completed(context, &zero, nil)
        }
        for session in sessions.values { release(session) }
        for device in unusableDevices.keys { libusb_unref_device(device) }
        for change in queue.changes.withLock({ $0 }) { libusb_unref_device(OpaquePointer(bitPattern: change.device)) }
        self.context.withLock { $0 = nil }  // waits for a stop() still waking us
        // Hotplug callbacks run only inside libusb_handle_events on this thread: none can come now.
        queueBox.release()
        // libusb_exit is deliberately not called: tearing down libusb's own udev monitor thread races
        // with a uevent it is still delivering (a reader unplugged just before the stop crashed there
        // under test). stop() is called only when the daemon exits, which ends that thread anyway.
        _ = context
    }

    /// The configured reader a device is, if any: vendor and product, and serial number and port
    /// where the entry names them (`config check` lets no two entries match one device). A second
    /// device matching a reader that already has one (an entry without serial or port, and two
    /// identical readers plugged in) is left alone, so neither's lane changes with plug order.
    private func configuredSpec(of device: OpaquePointer, taken: Set<String>) -> USBReaderSpec? {
        var descriptor = libusb_device_descriptor()
        guard libusb_get_device_descriptor(device, &descriptor) == 0,
              specs.contains(where: { $0.vendorID == descriptor.idVendor && $0.productID == descriptor.idProduct }),
              let identity = USBDeviceIdentification.identity(of: device), let spec = specs.first(where: { $0.matches(identity) })
        else { return nil }  // not a configured model: its serial number is not even read
        guard !taken.contains(spec.name) else {
            logger.warning("a second USB device matches a reader that already has one; left alone", metadata: [
                "reader": "\(spec.name)", "device": "\(identity.portPath)",
                "remedy": "bind each identical reader by serial or port (loyaltyd readers prints them)",
            ])
            return nil
        }
        return spec
    }

    /// Opens a device that matches a configured reader and starts reading it; `nil` when it is
    /// unusable (reported with the reason).
    private func open(_ device: OpaquePointer, as spec: USBReaderSpec) -> USBDeviceSession? {
        let bus = Int(libusb_get_bus_number(device))
        let address = Int(libusb_get_device_address(device))
        func unusable(_ reason: String) -> USBDeviceSession? {
            logger.warning("USB reader present but unusable", metadata: ["reader": "\(spec.name)", "reason": "\(reason)"])
            sink(.readerUnusable(spec, reason: reason))
            return nil
        }
        guard let endpoint = USBEndpointFinder.interruptIn(of: device, interface: spec.interface) else {
            return unusable("no interrupt IN endpoint on interface \(spec.interface.map(String.init) ?? "any")")
        }
        var handle: OpaquePointer?
        let opened = libusb_open(device, &handle)
        guard opened == 0, let handle else {
            return unusable("cannot open it: \(USBError(code: opened, call: "libusb_open")); are the udev rules installed?")
        }
        // Detach a kernel driver only when one is bound; where the kernel cannot say (an error),
        // claim without detaching, which is also right when no driver is bound.
        var detached = false
        if libusb_kernel_driver_active(handle, endpoint.interface) == 1 {
            let result = libusb_detach_kernel_driver(handle, endpoint.interface)
            guard result == 0 else {
                libusb_close(handle)
                return unusable("cannot take it from its kernel driver: \(USBError(code: result, call: "detach"))")
            }
            detached = true
        }
        let claimed = libusb_claim_interface(handle, endpoint.interface)
        guard claimed == 0 else {
            if detached { libusb_attach_kernel_driver(handle, endpoint.interface) }
            libusb_close(handle)
            return unusable("cannot claim interface \(endpoint.interface): \(USBError(code: claimed, call: "claim"))")
        }
        // A HID POS scanner is read as its own report descriptor lays its reports out; one that
        // declares no readable scanned-data report is refused with the reason.
        var scanner: HIDPOSScannerDecoder?
        if spec.reportProtocol == .hidPOSBarcode {
            switch HIDReportDescriptorReader.scannerLayout(handle: handle, interface: endpoint.interface, length: endpoint.reportDescriptorLength) {
            case .success(let layout):
                scanner = HIDPOSScannerDecoder(layout: layout)
            case .failure(let problem):
                libusb_release_interface(handle, endpoint.interface)
                if detached { libusb_attach_kernel_driver(handle, endpoint.interface) }
                libusb_close(handle)
                return unusable(problem.description)
            }
        }
        let length = USBEndpointFinder.transferLength(
            for: spec.reportProtocol, maxPacket: endpoint.maxPacketSize, scannerReport: scanner?.layout.reportLength)
        let session = USBDeviceSession(
            spec: spec, device: libusb_ref_device(device), handle: handle, interfaceNumber: endpoint.interface,
            endpoint: endpoint.address, transferLength: length, detachedKernelDriver: detached, scanner: scanner, emit: sink)
        let started = session.start()
        guard started == 0 else {
            release(session)
            return unusable("cannot read it: \(USBError(code: started, call: "submit"))")
        }
        logger.info("USB reader claimed", metadata: ["reader": "\(spec.name)", "bus": "\(bus)", "address": "\(address)"])
        sink(.readerAdded(spec, device: USBDeviceIdentification.identity(of: device), bus: bus, address: address))
        return session
    }

    /// Gives the interface back (to the kernel driver when one was detached) and closes the device.
    private func release(_ session: USBDeviceSession) {
        libusb_release_interface(session.handle, session.interfaceNumber)
        if session.detachedKernelDriver { libusb_attach_kernel_driver(session.handle, session.interfaceNumber) }
        libusb_close(session.handle)
        libusb_unref_device(session.device)
    }
}

/// libusb's hotplug callback: queues the device (with a reference of its own) for the event loop.
private func usbHotplugChanged(
    _ context: OpaquePointer?, _ device: OpaquePointer?, _ event: libusb_hotplug_event, _ userData: UnsafeMutableRawPointer?
) -> Int32 {
    guard let device, let userData else { return 0 }
    let queue = Unmanaged<USBMonitor.HotplugQueue>.fromOpaque(userData).takeUnretainedValue()
    let arrived = event == LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED
    queue.changes.withLock { $0.append((UInt(bitPattern: libusb_ref_device(device)), arrived)) }
    return 0  // stay registered
}
