import Foundation
import LoyaltyTestSupport
import Testing
import TillClient
import TillProtocol

/// docs/protocol.md is a contract: every request example in it is replayed against the real binary
/// (example config, fresh database), and every answer must equal the documented one field by field.
/// Only what differs from run to run is normalised: member ids (mapped, so the same member must
/// come back as the same id), `version`, `rules_version` and `uptime_seconds`, and in `status` the
/// parts that depend on the machine (readers, paths, counts).
@Suite struct ProtocolDocumentTests {
    /// One `-->` line and the `<--` lines that follow it (none for a notification).
    struct Example {
        var line: Int
        var request: String
        var answers: [String]
        /// The order the examples are replayed in: the request's id (the document numbers them in
        /// the order they were captured), then its place in the document.
        var order: (Double, Int)
    }

    static let document: [String] = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let text = (try? String(contentsOf: root.appendingPathComponent("docs/protocol.md"), encoding: .utf8)) ?? ""
        return text.components(separatedBy: "\n")
    }()

    /// The examples of sections 2 to 4 (section 1's are about connections, section 5's are
    /// notifications, checked below by their member objects).
    static func examples() -> [Example] {
        let lines = document
        guard let start = lines.firstIndex(of: "## 2. JSON-RPC rules"), let end = lines.firstIndex(of: "## 5. Notifications") else { return [] }
        var examples: [Example] = []
        var index = start
        while index < end {
            defer { index += 1 }
            guard lines[index].hasPrefix("--> ") else { continue }
            var answers: [String] = []
            var next = index + 1
            while next < end, lines[next].hasPrefix("<-- ") {
                answers.append(String(lines[next].dropFirst(4)))
                next += 1
            }
            let request = String(lines[index].dropFirst(4))
            examples.append(Example(line: index + 1, request: request, answers: answers, order: (Self.requestID(request), index)))
        }
        // A request without an id (a notification) runs just before the request after it.
        for position in examples.indices.reversed() where examples[position].order.0.isNaN {
            let following = position + 1 < examples.count ? examples[position + 1].order.0 : 1_000_000
            examples[position].order.0 = following - 0.5
        }
        return examples.sorted { $0.order.0 != $1.order.0 ? $0.order.0 < $1.order.0 : $0.order.1 < $1.order.1 }
    }

    static func requestID(_ request: String) -> Double {
        let first = request.hasPrefix("[") ? request.dropFirst() : Substring(request)
        guard let range = first.range(of: #""id":([0-9]+)"#, options: .regularExpression) else { return .nan }
        return Double(first[range].dropFirst(5)) ?? .nan
    }

    static let memberIDPattern = #"^store-0001-[0-9A-HJKMNP-TV-Z]{26}$"#

    /// Member ids of the document and of this run, learned as answers come in.
    final class IDMap {
        var documentToRun: [String: String] = [:]

        func rewrite(_ text: String) -> String {
            documentToRun.reduce(text) { $0.replacingOccurrences(of: $1.key, with: $1.value) }
        }
    }

    /// Where `actual` differs from `expected`, as `path: expected ≠ actual` lines.
    static func differences(_ expected: JSONValue, _ actual: JSONValue, path: String, ids: IDMap, inStatus: Bool = false) -> [String] {
        let machineDependent: Set<String> = ["readers", "reader_services", "path", "members", "purchases", "connections", "subscribers"]
        let normalised: Set<String> = ["version", "rules_version", "uptime_seconds"]
        switch (expected, actual) {
        case (.object(let documented), .object(let answered)):
            var found: [String] = []
            let documentedKeys = documented.map(\.0)
            let answeredKeys = answered.map(\.0)
            if documentedKeys != answeredKeys {
                found.append("\(path): fields \(documentedKeys) ≠ \(answeredKeys)")
            }
            let isStatus = inStatus || documentedKeys.contains("reader_services")
            for (key, value) in documented {
                guard let other = answered.first(where: { $0.0 == key })?.1 else { continue }
                if normalised.contains(key) || (isStatus && machineDependent.contains(key)) {
                    if value.typeName != other.typeName { found.append("\(path).\(key): \(value.typeName) ≠ \(other.typeName)") }
                    continue
                }
                found += differences(value, other, path: "\(path).\(key)", ids: ids, inStatus: isStatus)
            }
            return found
        case (.array(let documented), .array(let answered)):
            guard documented.count == answered.count else { return ["\(path): \(documented.count) element(s) ≠ \(answered.count)"] }
            return zip(documented, answered).enumerated().flatMap { differences($1.0, $1.1, path: "\(path)[\($0)]", ids: ids, inStatus: inStatus) }
        case (.string(let documented), .string(let answered)) where documented.range(of: memberIDPattern, options: .regularExpression) != nil:
            if let known = ids.documentToRun[documented] {
                return known == answered ? [] : ["\(path): member \(documented) is \(known) in this run, answered \(answered)"]
            }
            ids.documentToRun[documented] = answered
            return []
        default:
            return expected == actual ? [] : ["\(path): \(JSONWriter.string(of: expected)) ≠ \(JSONWriter.string(of: actual))"]
        }
    }

    static func parse(_ text: String) throws -> JSONValue { try JSONParser.parse(Array(text.utf8)) }

    @Test func everyRequestExampleGetsTheDocumentedAnswer() throws {
        let examples = Self.examples()
        #expect(examples.count >= 55, "the examples of sections 2 to 4 were found (\(examples.count))")
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let daemon = try TemporaryDaemon()
        defer { daemon.cleanUp() }
        // The example config, as `make run` uses it, with this test's socket and database.
        try FileManager.default.removeItem(atPath: daemon.configPath)
        try FileManager.default.copyItem(atPath: root.appendingPathComponent("config/loyaltyd.yaml").path, toPath: daemon.configPath)
        try daemon.start(extraArguments: ["--socket", daemon.socketPath, "--database", daemon.databasePath])
        let till = try daemon.client()
        // The lost card and the blocked member some examples show are store data, set up as a
        // technician would.
        _ = try till.result("member.enroll", .object([("card", .object([("kind", "track"), ("value", ";6009123456789012=2512?")]))]))
        let blocked = try till.result("member.enroll", .object([("card", .object([("kind", "barcode"), ("value", "2900000077777")]))]))
        guard case .string(let blockedID)? = blocked["member_id"] else { Issue.record("no member id"); return }
        #expect(try daemon.run(["card", "block", "--lost", "--card", "track:;6009123456789012=2512?", "--database", daemon.databasePath]).status == 0)
        #expect(try daemon.run(["member", "block", "--member", blockedID, "--database", daemon.databasePath]).status == 0)

        let ids = IDMap()
        var problems: [String] = []
        for example in examples {
            try till.sendLine(Array(ids.rewrite(example.request).utf8))
            for documented in example.answers {
                let answer = try till.readMessage()
                let found = Self.differences(try Self.parse(documented), answer, path: "line \(example.line)", ids: ids)
                problems += found
            }
        }
        #expect(problems.isEmpty, "docs/protocol.md differs from the binary:\n\(problems.joined(separator: "\n"))")
    }

    /// A notification carries the same member object as `member.lookup`: the `card.read` examples
    /// must show every field of it.
    @Test func notificationExamplesShowTheMemberObjectTheTillGets() throws {
        let lookup = try #require(Self.document.first { $0.hasPrefix("<-- {") && $0.contains(#""result":{"member_id""#) })
        guard case .object(let fields)? = try Self.parse(String(lookup.dropFirst(4)))["result"] else {
            Issue.record("no member object in \(lookup)")
            return
        }
        let reads = Self.document.filter { $0.hasPrefix("<-- ") && $0.contains(#""method":"card.read""#) }
        #expect(reads.count >= 5)
        for line in reads {
            let read = try Self.parse(String(line.dropFirst(4)))
            guard case .object(let shown)? = read["params"]?["member"] else { continue }
            #expect(shown.map(\.0) == fields.map(\.0), "card.read member fields in: \(line)")
        }
    }
}
