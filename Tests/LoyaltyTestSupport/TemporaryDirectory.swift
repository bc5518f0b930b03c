import Foundation

/// A fresh directory under /tmp, removed with everything in it by ``remove()``.
/// Paths stay short: Unix socket paths must fit in 108 bytes.
public final class TemporaryDirectory: Sendable {
    public let path: String

    public init(prefix: String = "loyaltyd") throws {
        var template = Array("/tmp/\(prefix).XXXXXX".utf8CString)
        guard let created = mkdtemp(&template) else {
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
        }
        path = String(cString: created)
    }

    /// `name` inside the directory.
    public func file(_ name: String) -> String { "\(path)/\(name)" }

    public func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}
