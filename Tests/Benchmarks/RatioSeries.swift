/// A ratio between two figures measured in interleaved rounds (baseline, then the measured thing,
/// again and again in the same run), reported as the median of the rounds' ratios with its spread:
/// on a shared, noisy machine one slow moment then spoils one round, not the figure.
struct RatioSeries {
    private(set) var ratios: [Double] = []

    mutating func add(measured: Double, baseline: Double) {
        ratios.append(measured / baseline)
    }

    var median: Double {
        let sorted = ratios.sorted()
        guard !sorted.isEmpty else { return .nan }
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    /// `0.84 (0.71–0.90 over 5 rounds)`.
    var summary: String {
        String(format: "%.2f (%.2f–%.2f over %d rounds)", median, ratios.min() ?? .nan, ratios.max() ?? .nan, ratios.count)
    }
}
