/// One JSON-RPC 2.0 request or notification read from a frame.
public struct RPCRequest: Sendable, Hashable {
    /// `nil` for a notification, which gets no response.
    public var id: JSONValue?
    public var method: String
    public var params: JSONValue?

    public init(id: JSONValue?, method: String, params: JSONValue?) {
        self.id = id
        self.method = method
        self.params = params
    }
}

/// What one frame (one line) held.
public enum RPCFrame: Sendable {
    case single(Result<RPCRequest, RPCFailure>)
    case batch([Result<RPCRequest, RPCFailure>])
    /// The whole frame was unusable: not JSON, or an empty batch.
    case unusable(RPCFailure)

    /// Reads a frame. Never throws: every problem becomes the error response it deserves.
    public static func decode<Bytes: Collection<UInt8>>(_ line: Bytes) -> RPCFrame {
        let document: JSONValue
        do {
            document = try JSONParser.parse(line)
        } catch {
            return .unusable(RPCFailure(id: .null, error: RPCError(.parseError, "parse error: \(error)")))
        }
        if case .array(let elements) = document {
            guard !elements.isEmpty else {
                return .unusable(RPCFailure(id: .null, error: RPCError(.invalidRequest, "invalid request: empty batch")))
            }
            guard elements.count <= 100 else {
                return .unusable(RPCFailure(id: .null, error: RPCError(.invalidRequest, "invalid request: a batch holds at most 100 requests")))
            }
            return .batch(elements.map(request(from:)))
        }
        return .single(request(from: document))
    }

    private static func request(from value: JSONValue) -> Result<RPCRequest, RPCFailure> {
        guard case .object(let members) = value else {
            return .failure(RPCFailure(id: .null, error: RPCError(.invalidRequest, "invalid request: expected an object")))
        }
        // The id is echoed even when something else is wrong, so the till can match the error.
        let rawID = value["id"]
        let id: JSONValue?
        switch rawID {
        case nil: id = nil
        case .string?, .number?, .null?: id = rawID
        default:
            return .failure(RPCFailure(id: .null, error: RPCError(.invalidRequest, "invalid request: id must be a string, a number or null")))
        }
        func fail(_ message: String) -> Result<RPCRequest, RPCFailure> {
            .failure(RPCFailure(id: id ?? .null, error: RPCError(.invalidRequest, "invalid request: \(message)")))
        }
        guard value["jsonrpc"] == .string("2.0") else { return fail("jsonrpc must be \"2.0\"") }
        guard case .string(let method)? = value["method"] else { return fail("method must be a string") }
        let params = value["params"]
        switch params {
        case nil, .object?, .array?: break
        default: return fail("params must be an object or an array")
        }
        if let unknown = members.first(where: { !["jsonrpc", "id", "method", "params"].contains($0.0) }) {
            return fail("unknown member \"\(unknown.0)\"")
        }
        return .success(RPCRequest(id: id, method: method, params: params))
    }
}

/// A request that failed before a method could run, with the id to answer it under.
public struct RPCFailure: Error, Sendable, Hashable {
    public var id: JSONValue
    public var error: RPCError

    public init(id: JSONValue, error: RPCError) {
        self.id = id
        self.error = error
    }
}

/// Builds the response and notification objects the daemon writes.
public enum RPCResponse {
    public static func success(id: JSONValue, result: JSONValue) -> JSONValue {
        .object([("jsonrpc", "2.0"), ("id", id), ("result", result)])
    }

    public static func failure(id: JSONValue, error: RPCError) -> JSONValue {
        var errorMembers: [(String, JSONValue)] = [("code", .integer(Int64(error.code))), ("message", .string(error.message))]
        if let data = error.data { errorMembers.append(("data", data)) }
        return .object([("jsonrpc", "2.0"), ("id", id), ("error", .object(errorMembers))])
    }

    /// The response line for a success whose result may be JSON text already written (a stored
    /// commit or refund result): that text is sent as it is, never parsed and written again.
    public static func successLine(id: JSONValue, result: RPCResult) -> [UInt8] {
        switch result {
        case .value(let value):
            return JSONWriter.bytes(of: success(id: id, result: value))
        case .encoded(let text):
            var output: [UInt8] = []
            output.reserveCapacity(text.utf8.count + 48)
            output.append(contentsOf: #"{"jsonrpc":"2.0","id":"#.utf8)
            JSONWriter.append(id, to: &output)
            output.append(contentsOf: #","result":"#.utf8)
            output.append(contentsOf: text.utf8)
            output.append(UInt8(ascii: "}"))
            return output
        }
    }

    /// The lines of a batch's answers as one JSON array line.
    public static func batchLine(_ answers: [[UInt8]]) -> [UInt8] {
        var output: [UInt8] = [UInt8(ascii: "[")]
        for (position, answer) in answers.enumerated() {
            if position > 0 { output.append(UInt8(ascii: ",")) }
            output.append(contentsOf: answer)
        }
        output.append(UInt8(ascii: "]"))
        return output
    }

    /// A server-to-till notification (no id), such as `card.read`.
    public static func notification(method: String, params: JSONValue) -> JSONValue {
        .object([("jsonrpc", "2.0"), ("method", .string(method)), ("params", params)])
    }

    /// The single line to send for an error on a frame that could not be read at all.
    public static func line(for failure: RPCFailure) -> [UInt8] {
        JSONWriter.bytes(of: self.failure(id: failure.id, error: failure.error))
    }
}

/// A method's result: a value to write, or JSON text ``JSONWriter`` wrote earlier (the result
/// stored at a first commit or refund), which a retry gets again byte for byte.
public enum RPCResult: Sendable {
    case value(JSONValue)
    case encoded(String)
}
