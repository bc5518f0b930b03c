import PostgresNIO

/// An error of the link to the centre in one line a technician can act on. PostgresNIO keeps the
/// server's message out of its errors' descriptions (they may hold data); this takes the server's
/// message and SQL state, or the connection failure underneath, and never the query's values.
public enum ChainErrorText {
    public static func of(_ error: any Error) -> String {
        guard let error = error as? PSQLError else { return String(describing: error) }
        if let info = error.serverInfo, let message = info[.message] {
            let state = info[.sqlState].map { " (SQLSTATE \($0))" } ?? ""
            return "the centre answered: \(message)\(state)"
        }
        if let underlying = error.underlying {
            return "\(error.code): \(underlying)"
        }
        return "\(error.code)"
    }
}
