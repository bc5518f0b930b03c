import Foundation
import Synchronization
import TillClient
import TillProtocol

/// Simulated tills: each on its own thread and connection, sending requests back to back.
final class TillLoad: Sendable {
    let socketPath: String
    let members: Int
    /// The daemon whose CPU time each run reports per request; `nil`: not reported.
    let daemonPID: Int32?
    private let sequence = Atomic<Int>(0)

    init(socketPath: String, members: Int, daemonPID: Int32? = nil) {
        self.socketPath = socketPath
        self.members = members
        self.daemonPID = daemonPID
    }

    struct Result {
        var latencies: [Double]  // milliseconds
        var seconds: Double
        /// The daemon's user and system CPU time over the run: unlike latency, hardly moved by
        /// other work on a shared machine.
        var daemonCPUSeconds: Double?

        var perSecond: Double { Double(latencies.count) / seconds }

        func percentile(_ p: Double) -> Double {
            let sorted = latencies.sorted()
            return sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
        }

        var summary: String {
            String(format: "p50 %.3f ms  p99 %.3f ms  p99.9 %.3f ms  %.0f/s", percentile(0.5), percentile(0.99), percentile(0.999), perSecond)
                + (daemonCPUSeconds.map { String(format: "  daemon CPU %.0f µs/request", $0 * 1e6 / Double(latencies.count)) } ?? "")
        }

        /// The latencies and time of several runs together.
        static func + (lhs: Result, rhs: Result) -> Result {
            let cpu = lhs.daemonCPUSeconds.flatMap { left in rhs.daemonCPUSeconds.map { left + $0 } }
            return Result(latencies: lhs.latencies + rhs.latencies, seconds: lhs.seconds + rhs.seconds, daemonCPUSeconds: cpu)
        }
    }

    /// Runs the load. With `expectError`, requests carry a parameter the method refuses, so the
    /// daemon answers with an error before any database work: the protocol's own cost.
    func run(method: String, tills: Int, requestsPerTill: Int, expectError: Bool = false) throws -> Result {
        let collected = Mutex<[Double]>([])
        let failures = Mutex<[String]>([])
        let group = DispatchGroup()
        let cpuBefore = daemonPID.map(ProcessMemory.cpuSeconds(of:))
        let start = ContinuousClock.now
        for till in 0..<tills {
            group.enter()
            let thread = Thread { [self] in
                defer { group.leave() }
                do {
                    let client = try TillClient(path: socketPath)
                    var latencies: [Double] = []
                    latencies.reserveCapacity(requestsPerTill)
                    for _ in 0..<requestsPerTill {
                        let number = sequence.wrappingAdd(1, ordering: .relaxed).newValue
                        let request = expectError ? .object([("unknown", "x")]) : params(till: till, number: number)
                        let began = ContinuousClock.now
                        let response = try client.call(method, request)
                        guard (response["error"] != nil) == expectError else {
                            throw BenchmarkError(description: "unexpected answer: \(JSONWriter.string(of: response))")
                        }
                        let elapsed = ContinuousClock.now - began
                        latencies.append(Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000)
                    }
                    collected.withLock { $0.append(contentsOf: latencies) }
                } catch {
                    failures.withLock { $0.append("\(error)") }
                }
            }
            thread.start()
        }
        group.wait()
        let elapsed = ContinuousClock.now - start
        if let failure = failures.withLock({ $0.first }) { throw BenchmarkError(description: "a till failed: \(failure)") }
        let cpu = daemonPID.map(ProcessMemory.cpuSeconds(of:)).flatMap { after in cpuBefore.map { after - $0 } }
        return Result(latencies: collected.withLock { $0 }, seconds: elapsed.seconds, daemonCPUSeconds: cpu)
    }

    /// A purchase by a member spread over the whole database.
    private func params(till: Int, number: Int) -> JSONValue {
        let member = (number * 7_919) % members + 1
        return .object([
            ("till_id", .string("bench-\(till)")),
            ("transaction_id", .string("T\(number)")),
            ("card", .object([("kind", "uid"), ("value", .string(String(format: "04%012X", member)))])),
            ("total", .string("\(10 + number % 90).\(number % 10)0")),
        ])
    }
}
