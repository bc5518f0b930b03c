import Foundation
import CardDecoding
import LoyaltyDomain
import Yams

/// Reads and checks a configuration file. Errors name the file, the line and the key path.
public enum ConfigLoader {
    /// Loads the file at `path`.
    public static func load(path: String) throws(ConfigError) -> LoyaltyConfiguration {
        if let reason = unreadableReason(path: path) {
            throw ConfigError(file: path, line: nil, keyPath: "", message: "cannot read the file: \(reason)")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(file: path, line: nil, keyPath: "", message: "cannot read the file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(file: path, line: nil, keyPath: "", message: "the file is not UTF-8 text")
        }
        return try parse(text, file: path)
    }

    /// Why the file at `path` cannot be read, in a few plain words ("it does not exist", "it is a
    /// directory", "permission denied"), or nil when it can be; Foundation's own message says neither.
    public static func unreadableReason(path: String) -> String? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return "it does not exist" }
        if isDirectory.boolValue { return "it is a directory, not a file" }
        if !FileManager.default.isReadableFile(atPath: path) { return "permission denied" }
        return nil
    }

    /// Checks YAML text; `file` names it in errors.
    public static func parse(_ text: String, file: String) throws(ConfigError) -> LoyaltyConfiguration {
        let node: Node
        do {
            guard let composed = try Yams.compose(yaml: text) else {
                throw ConfigError(file: file, line: nil, keyPath: "", message: "the file is empty")
            }
            node = composed
        } catch let error as ConfigError {
            throw error
        } catch let error as YamlError {
            throw syntaxError(error, file: file)
        } catch {
            throw ConfigError(file: file, line: nil, keyPath: "", message: "\(error)")
        }

        let raw: ConfigFile
        do {
            raw = try YAMLDecoder().decode(ConfigFile.self, from: node)
        } catch let error as DecodingError {
            throw decodingError(error, root: node, file: file)
        } catch {
            throw ConfigError(file: file, line: nil, keyPath: "", message: "\(error)")
        }

        do {
            var configuration = try validate(raw, program: ConfigNode(node: node["program"], path: ["program"]), file: file)
            configuration.chain = try ChainReader.read(ConfigNode(node: node["chain"], path: ["chain"]))
            configuration.metrics = try MetricsReader.read(ConfigNode(node: node["metrics"], path: ["metrics"]))
            return configuration
        } catch {
            throw ConfigError(
                file: file, line: line(of: error.path, in: node), keyPath: keyPath(error.path), message: error.message)
        }
    }

    // MARK: Checking values

    private static func validate(_ raw: ConfigFile, program programNode: ConfigNode, file: String) throws(ConfigProblem) -> LoyaltyConfiguration {
        guard ConfigText.isName(raw.store.id, maximumLength: 32, inner: "_-", ends: "_") else {
            throw ConfigProblem(["store", "id"], "\"\(raw.store.id)\" must be 1 to 32 letters, digits, '_' or '-' (not at the ends)")
        }
        guard ConfigText.isTimeZone(raw.store.timeZone) else {
            throw ConfigProblem(["store", "time_zone"], "unknown time zone \"\(raw.store.timeZone)\" (use a name like Europe/Berlin)")
        }
        guard raw.currency.code.utf8.count == 3, raw.currency.code.allSatisfy({ ("A"..."Z").contains($0) }) else {
            throw ConfigProblem(["currency", "code"], "\"\(raw.currency.code)\" is not an ISO 4217 code like EUR")
        }
        guard (0...4).contains(raw.currency.minorUnits) else {
            throw ConfigProblem(["currency", "minor_units"], "must be between 0 and 4")
        }
        let currency = Currency(code: raw.currency.code, minorUnitDigits: raw.currency.minorUnits)
        var maximumTotal = Money(minorUnits: 10_000_000 * currency.minorUnitsPerMajor)
        if let text = raw.currency.maximumTotal {
            do { maximumTotal = try currency.parse(text) } catch { throw ConfigProblem(["currency", "max_total"], error.description) }
            guard maximumTotal.minorUnits > 0 else { throw ConfigProblem(["currency", "max_total"], "must be greater than zero") }
        }

        let socket = raw.tillSocket
        guard socket.path.hasPrefix("/") || socket.path.hasPrefix("."), socket.path.utf8.count < 108 else {
            throw ConfigProblem(["till_socket", "path"], "must be an absolute path shorter than 108 bytes")
        }
        guard let mode = UInt32(socket.mode, radix: 8), mode <= 0o777 else {
            throw ConfigProblem(["till_socket", "mode"], "\"\(socket.mode)\" is not an octal mode like \"0660\"")
        }
        guard mode & 0o007 == 0 else {
            throw ConfigProblem(["till_socket", "mode"], "\"\(socket.mode)\" lets any local user talk to the till socket; use \"0660\"")
        }
        guard (1...4096).contains(socket.maximumConnections) else {
            throw ConfigProblem(["till_socket", "max_connections"], "must be between 1 and 4096")
        }
        guard (1024...65_536).contains(socket.maximumLineBytes) else {
            throw ConfigProblem(["till_socket", "max_line_bytes"], "must be between 1024 and 65536")
        }
        guard socket.idleTimeoutMilliseconds == 0 || (1_000...86_400_000).contains(socket.idleTimeoutMilliseconds) else {
            throw ConfigProblem(["till_socket", "idle_timeout_ms"], "must be 0 (never) or between 1000 and 86400000")
        }
        guard (100...600_000).contains(socket.stallTimeoutMilliseconds) else {
            throw ConfigProblem(["till_socket", "stall_timeout_ms"], "must be between 100 and 600000")
        }
        guard !raw.database.path.isEmpty else { throw ConfigProblem(["database", "path"], "must not be empty") }

        let program = try ProgramReader(currency: currency, timeZone: try timeZone(raw.store.timeZone), storeID: raw.store.id).program(programNode)

        guard (0...3_600_000).contains(raw.readers.repeatWindowMilliseconds) else {
            throw ConfigProblem(["readers", "repeat_window_ms"], "must be between 0 and 3600000")
        }
        guard let contactlessIdentity = ContactlessIdentity(rawValue: raw.readers.contactless.identifyBy) else {
            let names = ContactlessIdentity.allCases.map(\.rawValue).joined(separator: ", ")
            throw ConfigProblem(["readers", "contactless", "identify_by"], "\"\(raw.readers.contactless.identifyBy)\" is not one of \(names)")
        }
        var lanes: [LoyaltyConfiguration.Lane] = []
        for (index, entry) in raw.readers.contactless.readers.enumerated() {
            let path = ["readers", "contactless", "readers", String(index)]
            guard entry.name != nil || entry.serial != nil || entry.port != nil else {
                throw ConfigProblem(path + ["name"], "is missing: an entry selects readers by name, serial or port (`loyaltyd readers` prints them)")
            }
            let pattern = entry.name ?? "*"
            guard !pattern.isEmpty, pattern.utf8.count <= 128 else { throw ConfigProblem(path + ["name"], "must be 1 to 128 characters") }
            if let tillID = entry.tillID, tillID.isEmpty || tillID.utf8.count > 64 {
                throw ConfigProblem(path + ["till_id"], "must be 1 to 64 characters")
            }
            let lane = LoyaltyConfiguration.Lane(pattern: pattern, tillID: entry.tillID, serialNumber: entry.serial, portPath: entry.port)
            try ContactlessLaneBindingCheck.check(lane, at: path, against: lanes)
            lanes.append(lane)
        }
        var usbReaders: [LoyaltyConfiguration.USBReader] = []
        for (index, entry) in raw.readers.usb.enumerated() {
            let path = ["readers", "usb", String(index)]
            guard !entry.name.isEmpty, entry.name.utf8.count <= 64 else { throw ConfigProblem(path + ["name"], "must be 1 to 64 characters") }
            guard let vendor = UInt16(entry.vendorID, radix: 16), entry.vendorID.count == 4 else {
                throw ConfigProblem(path + ["vendor_id"], "\"\(entry.vendorID)\" is not 4 hex digits like \"0c2e\" (as lsusb shows)")
            }
            guard let product = UInt16(entry.productID, radix: 16), entry.productID.count == 4 else {
                throw ConfigProblem(path + ["product_id"], "\"\(entry.productID)\" is not 4 hex digits like \"0b61\" (as lsusb shows)")
            }
            guard let reportProtocol = ReaderReportProtocol(rawValue: entry.reportProtocol) else {
                let names = ReaderReportProtocol.allCases.map(\.rawValue).joined(separator: ", ")
                throw ConfigProblem(path + ["protocol"], "\"\(entry.reportProtocol)\" is not one of \(names)")
            }
            guard let layout = KeyboardLayout.named(entry.layout) else {
                throw ConfigProblem(path + ["layout"], "unknown keyboard layout \"\(entry.layout)\" (known: \(KeyboardLayout.names.joined(separator: ", ")))")
            }
            guard (10...5_000).contains(entry.keyGapMilliseconds) else { throw ConfigProblem(path + ["key_gap_ms"], "must be between 10 and 5000") }
            if let interface = entry.interface, !(0...255).contains(interface) { throw ConfigProblem(path + ["interface"], "must be between 0 and 255") }
            if let tillID = entry.tillID, tillID.isEmpty || tillID.utf8.count > 64 { throw ConfigProblem(path + ["till_id"], "must be 1 to 64 characters") }
            let reader = LoyaltyConfiguration.USBReader(
                name: entry.name, vendorID: vendor, productID: product, interface: entry.interface, reportProtocol: reportProtocol,
                layout: layout, keyGapMilliseconds: entry.keyGapMilliseconds, tillID: entry.tillID,
                serialNumber: entry.serial, portPath: entry.port)
            try USBReaderBindingCheck.check(reader, at: path, against: usbReaders)
            usbReaders.append(reader)
        }
        var memberBarcode: MemberBarcodePattern?
        if let entry = raw.readers.memberBarcode {
            let path = ["readers", "member_barcode"]
            guard let checkDigit = MemberBarcodePattern.CheckDigit(rawValue: entry.checkDigit) else {
                throw ConfigProblem(path + ["check_digit"], "\"\(entry.checkDigit)\" is not one of gtin, luhn, none")
            }
            if let length = entry.length, !(1...128).contains(length) { throw ConfigProblem(path + ["length"], "must be between 1 and 128") }
            memberBarcode = MemberBarcodePattern(prefix: entry.prefix, length: entry.length, checkDigit: checkDigit)
        }

        let levels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
        guard levels.contains(raw.logging.level) else {
            throw ConfigProblem(["logging", "level"], "\"\(raw.logging.level)\" is not one of \(levels.joined(separator: ", "))")
        }

        return LoyaltyConfiguration(
            file: file, storeID: raw.store.id, timeZone: raw.store.timeZone, currency: currency,
            maximumTotal: maximumTotal,
            tillSocket: .init(
                path: socket.path, group: socket.group, mode: mode, allowedUIDs: Set(socket.allowedUIDs),
                allowedGIDs: Set(socket.allowedGIDs), maximumConnections: socket.maximumConnections,
                maximumLineBytes: socket.maximumLineBytes,
                idleTimeoutMilliseconds: socket.idleTimeoutMilliseconds, stallTimeoutMilliseconds: socket.stallTimeoutMilliseconds),
            databasePath: raw.database.path,
            program: program,
            readers: .init(
                repeatWindowMilliseconds: Int64(raw.readers.repeatWindowMilliseconds),
                contactlessEnabled: raw.readers.contactless.enabled, contactlessLanes: lanes,
                contactlessIdentity: contactlessIdentity, usb: usbReaders,
                memberBarcode: memberBarcode),
            logLevel: raw.logging.level)
    }

    /// The store's time zone from the system's tz database.
    private static func timeZone(_ name: String) throws(ConfigProblem) -> StoreTimeZone {
        if name == "UTC" { return .utc }
        guard let data = FileManager.default.contents(atPath: "/usr/share/zoneinfo/\(name)") else {
            throw ConfigProblem(["store", "time_zone"], "cannot read /usr/share/zoneinfo/\(name) (is the tzdata package installed?)")
        }
        do {
            return try StoreTimeZone(name: name, tzif: Array(data))
        } catch {
            throw ConfigProblem(["store", "time_zone"], "/usr/share/zoneinfo/\(name): \(error)")
        }
    }

    // MARK: Turning errors into file, line and key path

    private static func syntaxError(_ error: YamlError, file: String) -> ConfigError {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return ConfigError(file: file, line: mark.line, keyPath: "", message: "YAML syntax error: \(problem)")
        case .duplicatedKeysInMapping(let duplicates, _):
            return ConfigError(file: file, line: nil, keyPath: "", message: "duplicate keys: \(duplicates.joined(separator: ", "))")
        default:
            return ConfigError(file: file, line: nil, keyPath: "", message: "YAML error: \(error)")
        }
    }

    private static func decodingError(_ error: DecodingError, root: Node, file: String) -> ConfigError {
        let path: [String]
        let message: String
        switch error {
        case .typeMismatch(let type, let context):
            path = context.codingPath.map(component)
            message = "expected \(describe(type))"
        case .valueNotFound(let type, let context):
            path = context.codingPath.map(component)
            message = "expected \(describe(type)), found nothing"
        case .keyNotFound(let key, let context):
            let parent = context.codingPath.map(component)
            return ConfigError(
                file: file, line: line(of: parent, in: root), keyPath: keyPath(parent + [key.stringValue]),
                message: "required key is missing")
        case .dataCorrupted(let context):
            path = context.codingPath.map(component)
            message = context.debugDescription
        @unknown default:
            path = []
            message = "\(error)"
        }
        return ConfigError(file: file, line: line(of: path, in: root), keyPath: keyPath(path), message: message)
    }

    private static func component(_ key: any CodingKey) -> String {
        key.intValue.map(String.init) ?? key.stringValue
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "text (quote numbers such as percentages: \"5\")"
        case is Int.Type, is UInt32.Type: "a whole number"
        case is [UInt32].Type: "a list of whole numbers"
        default: "a \(type)"
        }
    }

    /// `["program", "rules", "1", "percent"]` → `program.rules[1].percent`.
    static func keyPath(_ path: [String]) -> String {
        var text = ""
        for part in path {
            if Int(part) != nil {
                text += "[\(part)]"
            } else {
                text += text.isEmpty ? part : ".\(part)"
            }
        }
        return text
    }

    /// The line of the deepest node on `path` that exists in the document.
    static func line(of path: [String], in root: Node) -> Int? {
        var node = root
        var line = root.mark?.line
        for part in path {
            let next: Node?
            if case .sequence(let sequence) = node, let index = Int(part) {
                next = index < sequence.count ? sequence[index] : nil
            } else {
                next = node[part]
            }
            guard let next else { break }
            node = next
            line = next.mark?.line ?? line
        }
        return line
    }
}
