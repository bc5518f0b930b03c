import Foundation
import LoyaltyTestSupport

/// `loyaltyd member import` of a generated member list, run as a technician runs it: the time
/// it takes and the import process's peak resident memory (its VmHWM, sampled every 20 ms until
/// it exits), which must not grow with the file (streamed reading, batched transactions, the
/// dry run's keys on disk).
enum MemberImport {
    struct Result {
        var seconds: Double
        var peakMegabytes: Double
    }

    /// Imports `members` generated members into a fresh database; then, with `again`, the same file once more.
    static func measure(members: Int, again: Bool = false) throws -> (first: Result, again: Result?) {
        let database = try TemporaryDatabase()
        defer { database.remove() }
        let list = database.directory.file("members.csv")
        try MemberListCSV.write(to: list, members: 1...members)
        let first = try run(list, database: database, expecting: "\(members) new member(s) created")
        let second = again ? try run(list, database: database, expecting: "\(members) row(s) already in the database") : nil
        let count = database.sql("SELECT COUNT(*) FROM members; SELECT COUNT(*) FROM carriers;")
        guard count == "\(members)\n\(members)" else { throw BenchmarkError(description: "the database holds \(count), not \(members) members and cards") }
        return (first, second)
    }

    private static func run(_ list: String, database: TemporaryDatabase, expecting summary: String) throws -> Result {
        let output = database.directory.file("import.log")
        let start = ContinuousClock.now
        let process = try SpawnedProcess(
            [LoyaltydBinary.path, "member", "import", list, "--consent", "--config", database.configPath],
            environment: ProcessInfo.processInfo.environment, outputPath: output)
        // VmHWM only grows, so the last sample is the peak up to 20 ms before the end. (`wait4`'s
        // ru_maxrss would not do: after posix_spawn it starts from this benchmark's own peak.)
        var peakKilobytes = 0
        while process.isRunning {
            peakKilobytes = max(peakKilobytes, ProcessMemory.peakResidentKilobytes(of: process.processIdentifier))
            usleep(20_000)
        }
        let status = process.waitForExit(timeoutSeconds: 1)
        let seconds = (ContinuousClock.now - start).seconds
        let log = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(atPath: output)
        guard status == 0, log.contains(summary) else {
            throw BenchmarkError(description: "member import ended with \(status.map(String.init) ?? "no exit"): \(log.suffix(500))")
        }
        return Result(seconds: seconds, peakMegabytes: Double(peakKilobytes) / 1024)
    }
}
