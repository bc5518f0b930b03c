import LoyaltyConfig
import TillClient
import TillProtocol

/// What the running daemon says of its readers (`status`), for `loyaltyd readers` and `doctor`:
/// whether it answers, and for each reader it lists, the problem that makes it unusable.
struct DaemonReaderStates {
    /// `false` when the daemon does not answer (stopped, or the socket is elsewhere).
    let answered: Bool
    private let problems: [String: String?]

    init(socketPath: String) {
        guard let status = try? TillClient(path: socketPath).result("status") else {
            answered = false
            problems = [:]
            return
        }
        answered = true
        var problems: [String: String?] = [:]
        if case .array(let readers)? = status["readers"] {
            for reader in readers {
                guard case .string(let name)? = reader["name"] else { continue }
                if case .string(let problem)? = reader["problem"] { problems[name] = problem } else { problems[name] = .some(nil) }
            }
        }
        self.problems = problems
    }

    /// Whether the daemon lists the reader at all.
    func lists(_ name: String) -> Bool { problems[name] != nil }

    /// Why the daemon cannot use the reader, when it lists it as unusable.
    func problem(of name: String) -> String? { problems[name] ?? nil }
}
