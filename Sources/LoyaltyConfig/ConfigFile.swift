/// The configuration file exactly as written, before its values are checked. Every section has
/// defaults (see config/loyaltyd.yaml) and refuses keys it does not know.
struct ConfigFile: Decodable {
    var store: StoreSection
    var currency: CurrencySection
    var tillSocket: TillSocketSection
    var database: DatabaseSection
    var program: ProgramSection
    var readers: ReadersSection
    var logging: LoggingSection

    enum CodingKeys: String, CodingKey, CaseIterable {
        // `program`, `chain` and `metrics` are read by ConfigNode readers; they are named here so
        // that the check for unknown keys accepts them.
        case store, currency, database, program, readers, logging, chain, metrics
        case tillSocket = "till_socket"
    }

    init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        store = try container.decode(StoreSection.self, forKey: .store)
        currency = try container.decode(CurrencySection.self, forKey: .currency)
        tillSocket = try container.decodeIfPresent(TillSocketSection.self, forKey: .tillSocket) ?? TillSocketSection()
        database = try container.decodeIfPresent(DatabaseSection.self, forKey: .database) ?? DatabaseSection()
        program = try container.decodeIfPresent(ProgramSection.self, forKey: .program) ?? ProgramSection()
        readers = try container.decodeIfPresent(ReadersSection.self, forKey: .readers) ?? ReadersSection()
        logging = try container.decodeIfPresent(LoggingSection.self, forKey: .logging) ?? LoggingSection()
    }

    struct StoreSection: Decodable {
        var id: String
        var timeZone = "UTC"

        enum CodingKeys: String, CodingKey, CaseIterable {
            case id
            case timeZone = "time_zone"
        }

        init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let container = try decoder.container(keyedBy: CodingKeys.self)
            id = try container.decode(String.self, forKey: .id)
            timeZone = try container.decodeIfPresent(String.self, forKey: .timeZone) ?? timeZone
        }
    }

    struct CurrencySection: Decodable {
        var code: String
        var minorUnits = 2
        var maximumTotal: String?

        enum CodingKeys: String, CodingKey, CaseIterable {
            case code
            case minorUnits = "minor_units"
            case maximumTotal = "max_total"
        }

        init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let container = try decoder.container(keyedBy: CodingKeys.self)
            code = try container.decode(String.self, forKey: .code)
            minorUnits = try container.decodeIfPresent(Int.self, forKey: .minorUnits) ?? minorUnits
            maximumTotal = try container.decodeIfPresent(String.self, forKey: .maximumTotal)
        }
    }

    struct TillSocketSection: Decodable {
        var path = "/run/loyaltyd/till.sock"
        var group = ""
        var mode = "0660"
        var allowedUIDs: [UInt32] = []
        var allowedGIDs: [UInt32] = []
        var maximumConnections = 64
        var maximumLineBytes = 65_536
        var idleTimeoutMilliseconds = 3_600_000
        var stallTimeoutMilliseconds = 10_000

        enum CodingKeys: String, CodingKey, CaseIterable {
            case path, group, mode
            case allowedUIDs = "allowed_uids"
            case allowedGIDs = "allowed_gids"
            case maximumConnections = "max_connections"
            case maximumLineBytes = "max_line_bytes"
            case idleTimeoutMilliseconds = "idle_timeout_ms"
            case stallTimeoutMilliseconds = "stall_timeout_ms"
        }

        init() {}

        init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let container = try decoder.container(keyedBy: CodingKeys.self)
            path = try container.decodeIfPresent(String.self, forKey: .path) ?? path
            group = try container.decodeIfPresent(String.self, forKey: .group) ?? group
            mode = try container.decodeIfPresent(String.self, forKey: .mode) ?? mode
            allowedUIDs = try container.decodeIfPresent([UInt32].self, forKey: .allowedUIDs) ?? allowedUIDs
            allowedGIDs = try container.decodeIfPresent([UInt32].self, forKey: .allowedGIDs) ?? allowedGIDs
            maximumConnections = try container.decodeIfPresent(Int.self, forKey: .maximumConnections) ?? maximumConnections
            maximumLineBytes = try container.decodeIfPresent(Int.self, forKey: .maximumLineBytes) ?? maximumLineBytes
            idleTimeoutMilliseconds = try container.decodeIfPresent(Int.self, forKey: .idleTimeoutMilliseconds) ?? idleTimeoutMilliseconds
            stallTimeoutMilliseconds = try container.decodeIfPresent(Int.self, forKey: .stallTimeoutMilliseconds) ?? stallTimeoutMilliseconds
        }
    }

    struct DatabaseSection: Decodable {
        var path = "/var/lib/loyaltyd/loyaltyd.sqlite"

        enum CodingKeys: String, CodingKey, CaseIterable {
            case path
        }

        init() {}

        init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let container = try decoder.container(keyedBy: CodingKeys.self)
            path = try container.decodeIfPresent(String.self, forKey: .path) ?? path
        }
    }

    /// The program is read from the YAML node itself by ``ProgramReader`` (its rules are too varied
    /// for Codable); here it is only accepted.
    struct ProgramSection: Decodable {
        init() {}

        init(from decoder: any Decoder) throws {}
    }

    struct ReadersSection: Decodable {
        var repeatWindowMilliseconds = 3_000
        var contactless = ContactlessSection()
        var usb: [USBEntry] = []
        var memberBarcode: MemberBarcodeEntry?

        enum CodingKeys: String, CodingKey, CaseIterable {
            case contactless, usb
            case repeatWindowMilliseconds = "repeat_window_ms"
            case memberBarcode = "member_barcode"
        }

        init() {}

        init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let container = try decoder.container(keyedBy: CodingKeys.self)
            repeatWindowMilliseconds = try container.decodeIfPresent(Int.self, forKey: .repeatWindowMilliseconds) ?? repeatWindowMilliseconds
            contactless = try container.decodeIfPresent(ContactlessSection.self, forKey: .contactless) ?? contactless
            usb = try container.decodeIfPresent([USBEntry].self, forKey: .usb) ?? usb
            memberBarcode = try container.decodeIfPresent(MemberBarcodeEntry.self, forKey: .memberBarcode)
        }
    }

    /// A USB reader: which device, how it reports, which till it serves.
    struct USBEntry: Decodable {
        var name: String
        var vendorID: String
        var productID: String
        var interface: Int?
        var reportProtocol: String
        var layout = "us"
        var keyGapMilliseconds = 100
        var tillID: String?
        var serial: String?
        var port: String?

        enum CodingKeys: String, CodingKey, CaseIterable {
            case name, interface, layout, serial, port
            case vendorID = "vendor_id"
            case productID = "product_id"
            case reportProtocol = "protocol"
            case keyGapMilliseconds = "key_gap_ms"
            case tillID = "till_id"
        }

        init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decode(String.self, forKey: .name)
            vendorID = try container.decode(String.self, forKey: .vendorID)
            productID = try container.decode(String.self, forKey: .productID)
            interface = try container.decodeIfPresent(Int.self, forKey: .interface)
            reportProtocol = try container.decode(String.self, forKey: .reportProtocol)
            layout = try container.decodeIfPresent(String.self, forKey: .layout) ?? layout
            keyGapMilliseconds = try container.decodeIfPresent(Int.self, forKey: .keyGapMilliseconds) ?? keyGapMilliseconds
            tillID = try container.decodeIfPresent(String.self, forKey: .tillID)
            serial = try container.decodeIfPresent(String.self, forKey: .serial)
            port = try container.decodeIfPresent(String.self, forKey: .port)
        }
    }

    /// Which scanned barcodes are member cards.
    struct MemberBarcodeEntry: Decodable {
        var prefix = ""
        var length: Int?
        var checkDigit = "none"

        enum CodingKeys: String, CodingKey, CaseIterable {
            case prefix, length
            case checkDigit = "check_digit"
        }

        init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let container = try decoder.container(keyedBy: CodingKeys.self)
            prefix = try container.decodeIfPresent(String.self, forKey: .prefix) ?? prefix
            length = try container.decodeIfPresent(Int.self, forKey: .length)
            checkDigit = try container.decodeIfPresent(String.self, forKey: .checkDigit) ?? checkDigit
        }
    }

    struct ContactlessSection: Decodable {
        var enabled = true
        var identifyBy = ContactlessIdentity.uid.rawValue
        var readers: [LaneEntry] = []

        enum CodingKeys: String, CodingKey, CaseIterable {
            case enabled, readers
            case identifyBy = "identify_by"
        }

        init() {}

        init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let container = try decoder.container(keyedBy: CodingKeys.self)
            enabled = try container.decodeIfPresent(Bool.self, forKey: .enabled) ?? enabled
            identifyBy = try container.decodeIfPresent(String.self, forKey: .identifyBy) ?? identifyBy
            readers = try container.decodeIfPresent([LaneEntry].self, forKey: .readers) ?? readers
        }
    }

    /// A reader selected by name pattern, serial number and port, and the till (lane) its reads go to.
    struct LaneEntry: Decodable {
        var name: String?
        var tillID: String?
        var serial: String?
        var port: String?

        enum CodingKeys: String, CodingKey, CaseIterable {
            case name, serial, port
            case tillID = "till_id"
        }

        init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decodeIfPresent(String.self, forKey: .name)
            tillID = try container.decodeIfPresent(String.self, forKey: .tillID)
            serial = try container.decodeIfPresent(String.self, forKey: .serial)
            port = try container.decodeIfPresent(String.self, forKey: .port)
        }
    }

    struct LoggingSection: Decodable {
        var level = "info"

        enum CodingKeys: String, CodingKey, CaseIterable {
            case level
        }

        init() {}

        init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let container = try decoder.container(keyedBy: CodingKeys.self)
            level = try container.decodeIfPresent(String.self, forKey: .level) ?? level
        }
    }
}
