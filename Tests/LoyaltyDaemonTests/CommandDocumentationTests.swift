import Foundation
import LoyaltyTestSupport
import Testing
import TillProtocol

/// The documentation is a contract: every command the binary has is in the README's table, every
/// till method in docs/protocol.md, and the man page and completions come from the same parser.
@Suite struct CommandDocumentationTests {
    /// The checkout this test was built from.
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Every command path that runs something (`member import`, `config check` …), from the parser's own description.
    func commandPaths() throws -> [String] {
        let dump = try ParserDescription.dump()
        func walk(_ command: JSONValue, _ prefix: [String]) -> [String] {
            guard case .string(let name)? = command["commandName"] else { return [] }
            let path = prefix + [name]
            guard case .array(let children)? = command["subcommands"], !children.isEmpty else { return [path.joined(separator: " ")] }
            return children.flatMap { walk($0, path) }
        }
        return walk(try #require(dump["command"]), []).filter { $0 != "loyaltyd help" }
    }

    @Test func everyCommandIsInTheReadmeTable() throws {
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        let paths = try commandPaths()
        #expect(paths.contains("loyaltyd config check"))
        #expect(paths.contains("loyaltyd member import"))
        let missing = paths.filter { !readme.contains("| `\($0)") }
        #expect(missing.isEmpty, "README's command table lacks \(missing)")
    }

    @Test func everyTillMethodIsInTheProtocolDocument() throws {
        let protocolText = try String(contentsOf: root.appendingPathComponent("docs/protocol.md"), encoding: .utf8)
        for method in TillCall.methods {
            #expect(protocolText.split(separator: "\n").contains { $0.hasPrefix("### ") && $0.contains("`\(method)`") }, "no section for \(method)")
        }
    }

    @Test func completionsAndTheManualComeFromTheParser() throws {
        for shell in ["bash", "zsh", "fish"] {
            let script = try ParserDescription.run(["--generate-completion-script", shell])
            #expect(script.status == 0)
            #expect(script.stdout.contains("member") && script.stdout.contains("skip-invalid"), "\(shell) completion lacks the member commands")
        }
    }
}

/// The parser's description of every command (`--experimental-dump-help`).
enum ParserDescription {
    static func run(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        try LoyaltydBinary.run(arguments)
    }

    static func dump() throws -> JSONValue {
        let output = try run(["--experimental-dump-help"])
        return try JSONParser.parse(Array(output.stdout.trimmingCharacters(in: .whitespacesAndNewlines).utf8))
    }
}
