import Foundation
import LoyaltyTestSupport
import Testing

/// The fuzz corpus kept in Tests/Fuzz/corpus, replayed through the fuzz target's checks in every
/// `make test` (the coverage-guided run itself is in `make stress`).
@Suite struct FuzzCorpusTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz/corpus").path

    @Test func theKeptCorpusPassesEveryCheck() throws {
        let replayer = URL(fileURLWithPath: LoyaltydBinary.path).deletingLastPathComponent().appendingPathComponent("loyaltyd-fuzz").path
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.corpus).sorted().map { "\(Self.corpus)/\($0)" }
        #expect(files.count > 50)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: replayer)
        process.arguments = files
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(text)")
        #expect(text.contains("\(files.count) inputs replayed, every check held"))
    }
}
