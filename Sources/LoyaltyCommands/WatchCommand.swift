import ArgumentParser
import LoyaltyDomain
import TillClient
import TillProtocol

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// `loyaltyd watch`: card reads and reader changes, live, as the running daemon reports them to tills.
struct WatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Show each card read (reader, kind, masked card, member) live until interrupted.",
        discussion: """
            Subscribes to the running daemon's events over the till socket, as a till does. Card numbers \
            are masked and member names left out; with --json each notification is printed as the daemon \
            sends it (one JSON object per line, card numbers in full). Ctrl-C stops it.
            """
    )

    @OptionGroup var options: CommonOptions
    @Flag(help: "Print each notification as one JSON object per line.") var json = false
    @Option(name: .customLong("till-id"), help: ArgumentHelp("Only the reads of this lane (and of readers without one).", valueName: "id"))
    var tillID: String?

    func run() throws {
        let settings = try options.loadConfiguration()
        let client: TillClient
        do {
            client = try TillClient(path: settings.tillSocket.path)
            _ = try client.result("events.subscribe", tillID.map { .object([("till_id", .string($0))]) })
        } catch {
            printError(daemonUnreachableMessage(socketPath: settings.tillSocket.path, error: error))
            throw ExitCode.failure
        }
        if !json {
            print("watching \(settings.tillSocket.path); Ctrl-C stops")
            fflush(nil)
        }
        while true {
            let message: JSONValue
            do {
                message = try client.nextNotification(timeoutMilliseconds: -1)
            } catch {
                printError("the daemon closed the connection: \(error)")
                throw ExitCode.failure
            }
            print(json ? JSONWriter.string(of: message) : Self.describe(message))
            fflush(nil)  // every stream: a pipe to `grep` sees each read at once
        }
    }

    /// One readable line: no full card number, no name.
    static func describe(_ message: JSONValue) -> String {
        guard case .string(let method)? = message["method"], let params = message["params"] else { return JSONWriter.string(of: message) }
        func text(_ value: JSONValue?) -> String {
            if case .string(let string)? = value { return string }
            return "-"
        }
        var line = "\(method) reader=\"\(text(params["reader"]))\" till=\(text(params["till_id"]))"
        if method == "card.read" {
            var card = "-"
            if case .string(let kind)? = params["card"]?["kind"], case .string(let value)? = params["card"]?["value"],
               let carrierKind = CarrierKind(rawValue: kind), let carrier = try? Carrier(kind: carrierKind, value: value)
            {
                card = carrier.masked
            }
            line += " card=\(card) result=\(text(params["result"])) member=\(text(params["member"]?["member_id"]))"
            if params["problem"] != nil { line += " problem=\"\(text(params["problem"]))\"" }
        }
        return line
    }
}
