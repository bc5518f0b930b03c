/// An invalid configuration: where (file, line, key path) and why, in one line a technician can act on.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    /// The dotted key path, such as `program.rules[1].percent`; empty for the whole file.
    public var keyPath: String
    public var message: String

    public init(file: String, line: Int?, keyPath: String, message: String) {
        self.file = file
        self.line = line
        self.keyPath = keyPath
        self.message = message
    }

    public var description: String {
        let location = line.map { "\(file):\($0)" } ?? file
        return keyPath.isEmpty ? "\(location): \(message)" : "\(location): \(keyPath): \(message)"
    }
}

/// A problem found while checking decoded values, before the file and line are known.
struct ConfigProblem: Error {
    var path: [String]
    var message: String

    init(_ path: [String], _ message: String) {
        self.path = path
        self.message = message
    }
}
