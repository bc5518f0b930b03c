import Foundation

/// Searches files byte for byte for something that must not be there (a card number, a card
/// holder's name): the database, its WAL and -shm, the daemon's output, whatever a test left.
public enum TraceSearch {
    /// The files directly in `directory` (except those whose name ends with one of `skipping`)
    /// holding any of `secrets`, as "FILE holds SECRET".
    public static func files(in directory: String, holding secrets: [String], skipping: [String] = []) -> [String] {
        var found: [String] = []
        for file in ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
        where !skipping.contains(where: file.hasSuffix) {
            let bytes = (try? Data(contentsOf: URL(fileURLWithPath: "\(directory)/\(file)"))) ?? Data()
            for secret in secrets where bytes.range(of: Data(secret.utf8)) != nil { found.append("\(file) holds \(secret)") }
        }
        return found
    }
}
