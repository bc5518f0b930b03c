import LoyaltyConfig
import Synchronization
import TillProtocol

/// The card readers in use, the lane each serves, and the state of each reader subsystem, for
/// `status` and for routing reads.
public final class ReaderDirectory: Sendable {
    public struct Reader: Sendable, Hashable {
        public var name: String
        /// `contactless` (PC/SC); USB readers come with their own kinds.
        public var kind: String
        public var tillID: String?
        /// Why a reader that is present cannot be used (permissions, another driver); `nil` when in use.
        public var problem: String?
        /// The device's serial number, when known: what binds identical readers to their lanes.
        public var serialNumber: String?
        /// The USB port of the device (`1-1.2`), when known.
        public var portPath: String?
    }

    /// A reader subsystem's health: `ok`, `degraded` (its service is away and being retried) or `disabled`.
    public struct Subsystem: Sendable, Hashable {
        public var state: String
        public var reason: String?
    }

    private struct State {
        var readers: [String: Reader] = [:]
        var subsystems: [String: Subsystem] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    func add(_ reader: Reader) { state.withLock { $0.readers[reader.name] = reader } }
    func remove(_ name: String) { _ = state.withLock { $0.readers.removeValue(forKey: name) } }
    func reader(named name: String) -> Reader? { state.withLock { $0.readers[name] } }
    func set(_ kind: String, _ subsystem: Subsystem) { state.withLock { $0.subsystems[kind] = subsystem } }

    public var readers: [Reader] { state.withLock { $0.readers.values.sorted { $0.name < $1.name } } }
    public var subsystems: [String: Subsystem] { state.withLock { $0.subsystems } }

    /// The `readers` and `reader_services` members of the `status` result.
    var statusJSON: [(String, JSONValue)] {
        let readers = readers.map { reader -> JSONValue in
            .object([
                ("name", .string(reader.name)), ("kind", .string(reader.kind)),
                ("till_id", reader.tillID.map(JSONValue.string) ?? .null),
                ("state", .string(reader.problem == nil ? "in_use" : "unusable")),
                ("problem", reader.problem.map(JSONValue.string) ?? .null),
                ("serial", reader.serialNumber.map(JSONValue.string) ?? .null),
                ("port", reader.portPath.map(JSONValue.string) ?? .null),
            ])
        }
        let services = subsystems.sorted { $0.key < $1.key }.map { kind, subsystem -> (String, JSONValue) in
            (kind, .object([("state", .string(subsystem.state)), ("reason", subsystem.reason.map(JSONValue.string) ?? .null)]))
        }
        return [("readers", .array(readers)), ("reader_services", .object(services))]
    }
}
