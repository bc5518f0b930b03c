/// A program of 50 promotion rules for `make bench`: per ten, a discount with a shared code, a
/// free-items rule, money off with a minimum and a per-member usage limit (a count per quote), a
/// discount on the cheapest item with a minimum quantity, and money off with single-use codes;
/// the tenth group's voucher is the program's earning rule instead (one point per 1.00), as every
/// real program has one, and the member's long history needs points to write.
/// Quote p99 with it is printed beside the plain program's, under the same member and database.
enum PromotionRules {
    static var program: String {
        var lines = ["  rounding: half-up", "  point_value: \"0.01\"", "  rules:"]
        for number in 0..<10 {
            let last = number == 9
            lines += [
                "    - {id: code-\(number), type: discount, percent: \"5\", when: {code: BENCH-\(number)}}",
                "    - {id: free-\(number), type: free-items, skus: [SKU-\(number)], buy: 2, free: 1}",
                "    - {id: off-\(number), type: money-off, amount: \"1.00\", when: {min_total: \"\(100 + number).00\", max_uses_per_member: 1000000}}",
                "    - {id: cheap-\(number), type: discount, percent: \"1\", applies_to: cheapest, when: {min_quantity: \"2\"}}",
                last ? "    - {id: one-per-euro, type: points, points_per_amount: {amount: \"1.00\", points: 1}}"
                    : "    - {id: voucher-\(number), type: money-off, amount: \"2.00\", when: {single_use_codes: true}}",
            ]
        }
        return lines.joined(separator: "\n")
    }
}
