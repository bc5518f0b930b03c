import ChainSync
import ArgumentParser
import Foundation
import LoyaltyConfig
import LoyaltyDomain
import TillProtocol

/// `loyaltyd config …`: the configuration file.
struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Work with the configuration file.",
        subcommands: [Check.self]
    )

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a configuration file; on a mistake print its file, line and key and exit with 78.",
            discussion: """
                Run it before installing a changed file or sending SIGHUP (systemctl reload loyaltyd).
                With --explain FILE.json it also prints the quote the program would give a sample receipt, \
                rule by rule, without a database: the file holds what a till sends to purchase.quote \
                (total, lines, redeem_points, rewards), optionally "at" (a UTC time such as \
                "2026-06-13T10:00:00Z"; default now) and "member" with the member's state: balance, pending, \
                spend and visits (all time), window_spend and window_visits (within the tier window; default: \
                the all-time figures), birthday (YYYY-MM-DD), group, coupons ([{"rule_id": "…", "percent": "20"}]).
                Exit status 1 when the sample cannot be read or quoted.
                """
        )

        @OptionGroup var options: CommonOptions

        @Option(name: .long, help: ArgumentHelp("A sample receipt (JSON) to quote rule by rule.", valueName: "receipt.json"), completion: .file())
        var explain: String?

        @Flag(name: .long, help: "With --explain: print the quote as the till would receive it (JSON).")
        var json = false

        func run() async throws {
            let settings = try options.loadConfiguration()
            guard let explain else {
                print("\(options.configPath): ok")
                print("store \(settings.storeID), currency \(settings.currency.code), \(settings.program.rules.count) rule(s), rules version \(settings.program.version)")
                if let chain = settings.chain {
                    // The URL and files are checked as the daemon will use them (not the connection).
                    do {
                        let centre = try CentralDatabaseAddress(chain)
                        print("chain: box role \(centre.role) at \(centre.host):\(centre.port)/\(centre.database), TLS \(chain.tls.mode.rawValue)")
                    } catch {
                        printError("invalid configuration: \(error)")
                        throw ExitCode(78)
                    }
                }
                if let metrics = settings.metrics { try Self.describe(metrics, configPath: options.configPath) }
                return
            }
            let quote: Quote
            let sample: ReceiptSample
            do {
                guard let text = try? String(contentsOfFile: explain, encoding: .utf8) else { throw SampleError("cannot read the file") }
                sample = try ReceiptSample(json: text, currency: settings.currency, nowMilliseconds: WallClock.system.now())
                quote = try settings.program.quote(sample.request, member: sample.member, nowMilliseconds: sample.atMilliseconds)
            } catch {
                printError("\(explain): \(error)")
                throw ExitCode.failure
            }
            let encoder = TillResultEncoder(currency: settings.currency)
            if json {
                print(JSONWriter.string(of: encoder.quote(quote, memberID: sample.member.id)))
            } else {
                print(QuoteExplanation(quote: quote, sample: sample, settings: settings).text)
            }
        }
    }
}
