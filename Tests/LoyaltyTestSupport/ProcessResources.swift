import Foundation

/// What a process holds, from /proc: threads, open file descriptors, resident memory now and at
/// its peak. Reliability tests take it before and after a fault loop to show nothing leaks.
public struct ProcessResources: Sendable, Equatable, CustomStringConvertible {
    public var threads: Int
    public var descriptors: Int
    public var residentKiB: Int
    public var peakResidentKiB: Int

    public init(threads: Int, descriptors: Int, residentKiB: Int, peakResidentKiB: Int) {
        self.threads = threads
        self.descriptors = descriptors
        self.residentKiB = residentKiB
        self.peakResidentKiB = peakResidentKiB
    }

    /// The resources of process `pid`, or `nil` when it is gone.
    public init?(pid: Int32) {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")
        else { return nil }
        func field(_ name: String) -> Int {
            let line = status.split(separator: "\n").first { $0.hasPrefix(name + ":") } ?? ""
            return Int(line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first ?? "") ?? 0
        }
        threads = field("Threads")
        residentKiB = field("VmRSS")
        peakResidentKiB = field("VmHWM")
        descriptors = entries.count
    }

    /// What each open descriptor of `pid` points at (`socket:[…]`, a path), for failure messages.
    public static func openFiles(pid: Int32) -> [String] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")) ?? []
        return entries.compactMap { try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\($0)") }.sorted()
    }

    public var description: String {
        "threads=\(threads) fds=\(descriptors) rss=\(residentKiB / 1024)MiB peak=\(peakResidentKiB / 1024)MiB"
    }

    /// The first process below `ancestor` (at any depth) whose command name is `name`: the daemon
    /// started through a launcher such as umockdev-wrapper.
    public static func descendant(of ancestor: Int32, named name: String) -> Int32? {
        var children: [Int32: [Int32]] = [:]
        var names: [Int32: String] = [:]
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int32(entry), let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")")
            else { continue }
            names[pid] = String(stat[stat.index(after: open)..<close])
            let rest = stat[stat.index(close, offsetBy: 2)...].split(separator: " ")
            if rest.count > 1, let parent = Int32(rest[1]) { children[parent, default: []].append(pid) }
        }
        var queue = children[ancestor] ?? []
        while !queue.isEmpty {
            let pid = queue.removeFirst()
            if names[pid] == name { return pid }
            queue += children[pid] ?? []
        }
        return nil
    }
}
