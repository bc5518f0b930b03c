import ArgumentParser
import LoyaltyDomain
import TillClient
import TillProtocol

/// `loyaltyd till …`: a till simulator. Each subcommand sends one request of the real protocol
/// (docs/protocol.md) to the running daemon over its till socket, as the till software would.
struct TillCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "till",
        abstract: "Act as a till: send one protocol request to the running daemon and print its answer.",
        discussion: """
            For testing a lane without the till software. Each subcommand is one request of the till \
            protocol (docs/protocol.md) over the till socket: lookup (member.lookup), quote \
            (purchase.quote), commit (purchase.commit), refund (purchase.refund), void (purchase.void) \
            and sale (sale.record). The answer is printed field by field, arrays of objects such as a \
            quote's rules as tables; --json prints the result object as the daemon sent it. \
            A commit, refund, void or sale is real: it changes the ledger like a till's. \
            Exit status 1 when the daemon answers with an error (its code, reason and message are \
            printed) or does not answer.
            """,
        subcommands: [Lookup.self, Quote.self, Commit.self, Refund.self, VoidTransaction.self, Sale.self]
    )
}

/// The connection options and output mode every `till` subcommand shares.
struct TillOptions: ParsableArguments {
    @OptionGroup var common: CommonOptions
    @Flag(help: "Print the daemon's result as one JSON object, as sent (on an error, the error object).") var json = false

    /// Sends one request and prints the answer; exit status 1 on an error answer or when the daemon does not answer.
    func send(_ method: String, _ params: [(String, JSONValue)]) throws {
        let settings = try common.loadConfiguration()
        let response: JSONValue
        do {
            let client = try TillClient(path: settings.tillSocket.path)
            response = try client.call(method, .object(params))
        } catch {
            printError(daemonUnreachableMessage(socketPath: settings.tillSocket.path, error: error))
            throw ExitCode.failure
        }
        if let result = response["result"] {
            print(json ? JSONWriter.string(of: result) : JSONTextFormat.lines(result).joined(separator: "\n"))
            return
        }
        let error = response["error"] ?? .null
        if json { print(JSONWriter.string(of: error)) }
        let code = error["code"].map(JSONTextFormat.scalar) ?? "?"
        let reason = error["data"]?["reason"].map(JSONTextFormat.scalar) ?? "?"
        let message = error["message"].map(JSONTextFormat.scalar) ?? "?"
        // What else the error carries (refund_exceeds_purchase's remaining_refundable …) is part of the answer.
        var details: [String] = []
        if case .object(let data)? = error["data"] {
            for (key, value) in data where key != "reason" { details.append("\(key): \(JSONTextFormat.scalar(value))") }
        }
        printError("\(method): error \(code) \(reason): \(message)\(details.isEmpty ? "" : " (\(details.joined(separator: ", ")))")")
        throw ExitCode.failure
    }
}

/// The member a till request names: a card (a `phone:` card is sent as the `phone` parameter) or a member id.
struct TillMemberOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The card presented: \(CarrierArgument.help).", valueName: "kind:value"))
    var card: CardArgument?

    @Option(name: .customLong("member"), help: ArgumentHelp("The member's id (member_id).", valueName: "id"))
    var memberID: String?

    func validate() throws {
        guard (card == nil) != (memberID == nil) else { throw ValidationError("name the member with exactly one of --card or --member") }
        _ = try card?.carrier()
        if let memberID { _ = try TextArgument.identifier(memberID, .memberID, option: "--member") }
    }

    var params: [(String, JSONValue)] {
        if let card = try? card?.carrier() {
            if card.kind == .phone { return [("phone", .string(card.value))] }
            return [("card", .object([("kind", .string(card.kind.rawValue)), ("value", .string(card.value))]))]
        }
        return [("member_id", .string(memberID ?? ""))]
    }
}

/// The till and transaction a request is about.
struct TillTransactionOptions: ParsableArguments {
    @Option(name: .customLong("till"), help: ArgumentHelp("The till or lane (till_id).", valueName: "id"))
    var tillID: String

    @Option(name: .customLong("transaction"), help: ArgumentHelp("The receipt's id on this till (transaction_id).", valueName: "id"))
    var transactionID: String

    func validate() throws {
        _ = try TextArgument.identifier(tillID, .tillID, option: "--till")
        _ = try TextArgument.identifier(transactionID, .transactionID, option: "--transaction")
    }

    var params: [(String, JSONValue)] { [("till_id", .string(tillID)), ("transaction_id", .string(transactionID))] }
}
