import ArgumentParser
import TillProtocol

/// A receipt as `till quote` and `till commit` send it.
struct PurchaseOptions: ParsableArguments {
    @OptionGroup var transaction: TillTransactionOptions
    @OptionGroup var member: TillMemberOptions

    @Option(help: ArgumentHelp("The receipt total before any loyalty discount, a decimal string like 12.50.", valueName: "amount"))
    var total: String

    @Option(
        name: .customLong("line"),
        help: ArgumentHelp(
            "A receipt line SKU:CATEGORY:QTY:AMOUNT (CATEGORY and QTY may be empty: 4006381333931::2:3.98); repeat it for each line.",
            valueName: "line"),
        transform: ReceiptLineArgument.parse)
    var lines: [JSONValue] = []

    @Option(name: .customLong("redeem"), help: ArgumentHelp("Points the member pays with (redeem_points).", valueName: "points"))
    var redeemPoints: Int64?

    @Option(
        name: .customLong("reward"),
        help: ArgumentHelp("A catalogue reward taken for points, SKU or SKU:QUANTITY (rewards); repeat it for each.", valueName: "reward"),
        transform: RewardArgument.parse)
    var rewards: [JSONValue] = []

    @Option(
        name: .customLong("code"),
        help: ArgumentHelp(
            "A promotion code the cashier typed or scanned (codes), matched exactly; repeat it for each (at most 20).", valueName: "code"))
    var codes: [String] = []

    var params: [(String, JSONValue)] {
        var params = transaction.params + member.params + [("total", .string(total))]
        if !lines.isEmpty { params.append(("lines", .array(lines))) }
        if let redeemPoints { params.append(("redeem_points", .integer(redeemPoints))) }
        if !rewards.isEmpty { params.append(("rewards", .array(rewards))) }
        if !codes.isEmpty { params.append(("codes", .array(codes.map(JSONValue.string)))) }
        return params
    }
}

/// `--reward SKU[:QUANTITY]` as a `rewards[i]` object; the daemon checks the values.
enum RewardArgument {
    static func parse(_ text: String) throws -> JSONValue {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard (1...2).contains(parts.count), !parts[0].isEmpty else { throw ValidationError("expected SKU or SKU:QUANTITY, like 9000001:2") }
        guard parts.count == 2 else { return .object([("sku", .string(parts[0]))]) }
        guard let quantity = Int64(parts[1]) else { throw ValidationError("the quantity after the SKU is a whole number") }
        return .object([("sku", .string(parts[0])), ("quantity", .integer(quantity))])
    }
}

/// `--line SKU:CATEGORY:QTY:AMOUNT` as a `lines[i]` object; the daemon checks the values.
enum ReceiptLineArgument {
    static func parse(_ text: String) throws -> JSONValue {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 4, !parts[0].isEmpty, !parts[3].isEmpty else {
            throw ValidationError("expected SKU:CATEGORY:QTY:AMOUNT, like 4006381333931:drinks:2:3.98 (CATEGORY and QTY may be empty)")
        }
        var line: [(String, JSONValue)] = [("sku", .string(parts[0]))]
        if !parts[1].isEmpty { line.append(("category", .string(parts[1]))) }
        if !parts[2].isEmpty { line.append(("quantity", .string(parts[2]))) }
        line.append(("amount", .string(parts[3])))
        return .object(line)
    }
}

extension TillCommand {
    /// `till quote`: purchase.quote.
    struct Quote: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Ask what a receipt would give (purchase.quote): discounts, points, what is payable. Writes nothing."
        )

        @OptionGroup var purchase: PurchaseOptions
        @OptionGroup var options: TillOptions

        func run() async throws {
            try options.send("purchase.quote", purchase.params)
        }
    }

    /// `till commit`: purchase.commit.
    struct Commit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Book a receipt (purchase.commit): records the purchase and its points in the ledger.",
            discussion: "Idempotent on --till and --transaction: the same receipt again returns the first result and awards nothing."
        )

        @OptionGroup var purchase: PurchaseOptions
        @OptionGroup var options: TillOptions

        func run() async throws {
            try options.send("purchase.commit", purchase.params)
        }
    }
}
