import Foundation

/// A fresh directory under /tmp, removed with everything in it by ``remove()``.
/// Paths stay short: Unix socket paths must fit in 108 bytes. It records the test process that
/// made it, so what a killed test leaves behind is found later (``LeftoverProcesses``).
public final class TemporaryDirectory: Sendable {
    public let path: String

    public init(prefix: String = "loyaltyd") throws {
        var template = Array("/tmp/\(prefix).XXXXXX".utf8CString)
        guard let created = mkdtemp(&template) else {
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
        }
        path = String(cString: created)
        _ = LeftoverProcesses.reapedAtStart
        LeftoverProcesses.claim(path)
    }

    /// `name` inside the directory.
    public func file(_ name: String) -> String { "\(path)/\(name)" }

    public func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}
