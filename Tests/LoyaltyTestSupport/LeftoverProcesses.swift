import Foundation

/// Processes a test started (a daemon, pcscd, PostgreSQL) that outlived the test process: it was
/// killed or crashed before its cleanup ran. Every ``TemporaryDirectory`` records the test
/// process that made it in `.owner`, and whatever runs from such a directory names it on its
/// command line (config, data directory, socket). A directory whose owner is gone is therefore
/// a leftover, with its processes; one whose owner lives belongs to a run still going (a second
/// `make test` on the same machine) and is left alone.
public enum LeftoverProcesses {
    static let ownerFile = ".owner"

    /// Marks a new temporary directory as this test process's.
    static func claim(_ directory: String) {
        try? String(getpid()).write(toFile: "\(directory)/\(ownerFile)", atomically: false, encoding: .utf8)
    }

    /// Run once per test process, before its first temporary directory: ends what earlier test
    /// processes left behind, so their daemons and servers do not pile up run after run.
    static let reapedAtStart: [String] = {
        let killed = reap()
        for line in killed { FileHandle.standardError.write(Data("killed, left running by an earlier test process: \(line)\n".utf8)) }
        return killed
    }()

    /// Kills the processes of every temporary directory whose owner is gone and removes the
    /// directory; returns a line for each process killed. `.ci/leftover-processes` does the same
    /// after `make test` and fails the run if it finds any.
    @discardableResult
    public static func reap() -> [String] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/tmp")) ?? []
        var killed: [String] = []
        for name in entries where name.hasPrefix("loyaltyd") || name.hasPrefix("lyd-") {
            let directory = "/tmp/\(name)"
            guard let owner = try? String(contentsOfFile: "\(directory)/\(ownerFile)", encoding: .utf8),
                  let pid = Int32(owner.trimmingCharacters(in: .whitespacesAndNewlines)),
                  pid != getpid(), !FileManager.default.fileExists(atPath: "/proc/\(pid)")
            else { continue }
            for (process, command) in commandLines() where command.contains(directory) {
                kill(process, SIGKILL)
                killed.append("pid \(process): \(command)")
            }
            try? FileManager.default.removeItem(atPath: directory)
        }
        return killed
    }

    /// Every process's command line, arguments joined by spaces.
    private static func commandLines() -> [(Int32, String)] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry in
            guard let pid = Int32(entry), let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline"), !data.isEmpty else { return nil }
            return (pid, String(decoding: data.map { $0 == 0 ? UInt8(ascii: " ") : $0 }, as: UTF8.self))
        }
    }
}
