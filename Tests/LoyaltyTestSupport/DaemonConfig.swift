/// The configuration tests run the daemon with: the example program (5% discount, points at 3% of
/// the amount paid, a point worth 0.01 EUR, half-up rounding), with paths in a temporary directory.
public struct DaemonConfig: Sendable {
    public var storeID = "test-store"
    public var socketPath: String
    public var databasePath: String
    public var group = ""
    public var allowedUIDs: [UInt32] = []
    public var allowedGIDs: [UInt32] = []
    public var maximumConnections = 64
    public var maximumLineBytes = 65_536
    public var idleTimeoutMilliseconds = 3_600_000
    public var stallTimeoutMilliseconds = 10_000
    public var discountPercent = "5"
    public var earnPercent = "3"
    /// The whole `program` section (indented by two spaces), instead of the default discount and points.
    public var program: String?
    public var logLevel = "info"
    /// Off unless a test is about contactless readers: pcscd is shared by the whole machine.
    public var contactlessEnabled = false
    public var contactlessLanes: [(pattern: String, tillID: String)] = []
    /// For contactless lanes by index: the serial number and port that bind them (`serial`, `port`).
    public var contactlessLaneBindings: [Int: (serial: String?, port: String?)] = [:]
    /// `readers.contactless.identify_by`: `uid` or `ndef`.
    public var contactlessIdentity = "uid"
    public var repeatWindowMilliseconds = 3_000
    /// USB readers, as `(name, vendor, product, protocol, layout, till)`.
    public var usbReaders: [(name: String, vendor: String, product: String, reportProtocol: String, layout: String, tillID: String?)] = []
    /// For USB readers by name: the serial number and port path that bind them (`serial`, `port`).
    public var usbReaderBindings: [String: (serial: String?, port: String?)] = [:]
    /// The `chain:` section's lines (indented by two spaces), for a box of a chain.
    public var chain: String?

    public init(socketPath: String, databasePath: String) {
        self.socketPath = socketPath
        self.databasePath = databasePath
    }

    public var yaml: String {
        """
        store:
          id: \(storeID)
          time_zone: Europe/Berlin
        currency:
          code: EUR
          minor_units: 2
          max_total: "1000000.00"
        till_socket:
          path: \(socketPath)
          group: "\(group)"
          mode: "0660"
          allowed_uids: [\(allowedUIDs.map(String.init).joined(separator: ", "))]
          allowed_gids: [\(allowedGIDs.map(String.init).joined(separator: ", "))]
          max_connections: \(maximumConnections)
          max_line_bytes: \(maximumLineBytes)
          idle_timeout_ms: \(idleTimeoutMilliseconds)
          stall_timeout_ms: \(stallTimeoutMilliseconds)
        database:
          path: \(databasePath)
        program:
        \(program ?? """
          rounding: half-up
          point_value: "0.01"
          rules:
            - id: member-discount
              type: fixed-discount
              percent: "\(discountPercent)"
            - id: base-points
              type: points
              earn_percent: "\(earnPercent)"
        """)
        readers:
          repeat_window_ms: \(repeatWindowMilliseconds)
          contactless:
            enabled: \(contactlessEnabled)
            identify_by: \(contactlessIdentity)
            readers:\(contactlessLanes.isEmpty ? " []" : "")
        \(contactlessLanes.enumerated().map { index, lane in
            "      - name: \"\(lane.pattern)\"\n        till_id: \(lane.tillID)"
                + (contactlessLaneBindings[index]?.serial.map { "\n        serial: \"\($0)\"" } ?? "")
                + (contactlessLaneBindings[index]?.port.map { "\n        port: \"\($0)\"" } ?? "")
        }.joined(separator: "\n"))
          usb:\(usbReaders.isEmpty ? " []" : "")
        \(usbReaders.map { reader in
            "    - name: \(reader.name)\n      vendor_id: \"\(reader.vendor)\"\n      product_id: \"\(reader.product)\"\n"
                + "      protocol: \(reader.reportProtocol)\n      layout: \(reader.layout)\n"
                + (reader.tillID.map { "      till_id: \($0)\n" } ?? "") + usbBindingLines(reader.name)
        }.joined())
        logging:
          level: \(logLevel)
        \(chain.map { "chain:\n" + $0 } ?? "")
        """
    }

    /// The `serial:` and `port:` lines of a USB reader's entry, where `usbReaderBindings` has them.
    private func usbBindingLines(_ name: String) -> String {
        let binding = usbReaderBindings[name]
        let serial: String = binding?.serial.map { "      serial: \"\($0)\"\n" } ?? ""
        let port: String = binding?.port.map { "      port: \"\($0)\"\n" } ?? ""
        return serial + port
    }
}
