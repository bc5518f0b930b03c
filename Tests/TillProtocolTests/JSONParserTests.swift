import Testing
import TillProtocol

@Suite struct JSONParserTests {
    func parse(_ text: String) throws -> JSONValue { try JSONParser.parse(Array(text.utf8)) }

    @Test func parsesDocumentsKeepingNumbersAsText() throws {
        let value = try parse(#" {"a": [1, -2.50, 3e10, true, false, null], "b": "x\"\\\/\n\u00e9\ud83d\ude00"} "#)
        #expect(value["a"] == .array([.number("1"), .number("-2.50"), .number("3e10"), true, false, .null]))
        #expect(value["b"] == .string("x\"\\/\né😀"))
    }

    @Test(arguments: [
        "", "{", "[1,]", "{\"a\":1,}", "{'a':1}", "01", "1.", "-", "tru", "\"\\x\"", "\"a", "{} {}", "[1 2]",
        "{\"a\" 1}", "\"\\ud800\"", "NaN", "\"tab\there\"",
    ])
    func refusesMalformedJSON(text: String) {
        #expect(throws: JSONParseError.self) { try parse(text) }
    }

    @Test func refusesInvalidUTF8() {
        #expect(throws: JSONParseError.self) { try JSONParser.parse([0x22, 0xFF, 0xFE, 0x22]) }
        #expect(throws: JSONParseError.self) { try JSONParser.parse([0x22, 0xC3, 0x22]) }
    }

    @Test func refusesDeepNestingWithoutExhaustingTheStack() throws {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONParseError.self) { try parse(deep) }
        let allowed = String(repeating: "[", count: JSONParser.maximumDepth) + String(repeating: "]", count: JSONParser.maximumDepth)
        _ = try parse(allowed)
    }

    @Test func refusesDuplicateKeysAndHugeNumbers() {
        #expect(throws: JSONParseError.self) { try parse(#"{"total":"1.00","total":"1000.00"}"#) }
        #expect(throws: JSONParseError.self) { try parse(String(repeating: "9", count: 65)) }
    }

    @Test func writerOutputParsesBackToTheSameValue() throws {
        let value: JSONValue = .object([
            ("s", .string("quote \" backslash \\ newline \n control \u{1} unicode ü")),
            ("n", .number("-12.50")), ("a", .array([.null, true, .integer(Int64.max)])), ("o", .object([])),
        ])
        #expect(try JSONParser.parse(JSONWriter.bytes(of: value)) == value)
        #expect(!JSONWriter.bytes(of: value).contains(UInt8(ascii: "\n")), "one frame is one line")
    }
}

@Suite struct RPCFrameTests {
    func failure(_ text: String) -> RPCError? {
        switch RPCFrame.decode(Array(text.utf8)) {
        case .unusable(let failure): failure.error
        case .single(.failure(let failure)): failure.error
        default: nil
        }
    }

    @Test func readsARequest() throws {
        guard case .single(.success(let request)) = RPCFrame.decode(Array(#"{"jsonrpc":"2.0","id":"a-1","method":"status"}"#.utf8)) else {
            Issue.record("not a request")
            return
        }
        #expect(request == RPCRequest(id: .string("a-1"), method: "status", params: nil))
    }

    @Test func classifiesBadFrames() {
        #expect(failure("{nope")?.reason == .parseError)
        #expect(failure("[]")?.reason == .invalidRequest)
        #expect(failure("42")?.reason == .invalidRequest)
        #expect(failure(#"{"id":1,"method":"status"}"#)?.reason == .invalidRequest)
        #expect(failure(#"{"jsonrpc":"2.0","id":1,"method":5}"#)?.reason == .invalidRequest)
        #expect(failure(#"{"jsonrpc":"2.0","id":{},"method":"status"}"#)?.reason == .invalidRequest)
        #expect(failure(#"{"jsonrpc":"2.0","id":1,"method":"status","params":"x"}"#)?.reason == .invalidRequest)
        #expect(failure(#"{"jsonrpc":"2.0","id":1,"method":"status","extra":1}"#)?.reason == .invalidRequest)
    }

    @Test func anInvalidRequestKeepsItsIDSoTheTillCanMatchIt() {
        guard case .single(.failure(let failure)) = RPCFrame.decode(Array(#"{"jsonrpc":"1.0","id":7,"method":"status"}"#.utf8)) else {
            Issue.record("expected a failure")
            return
        }
        #expect(failure.id == .number("7"))
    }

    @Test func readsBatches() {
        guard case .batch(let items) = RPCFrame.decode(Array(#"[{"jsonrpc":"2.0","id":1,"method":"status"}, 5]"#.utf8)) else {
            Issue.record("expected a batch")
            return
        }
        #expect(items.count == 2)
        if case .success = items[0] {} else { Issue.record("first should be fine") }
        if case .failure = items[1] {} else { Issue.record("second should fail") }
    }
}
