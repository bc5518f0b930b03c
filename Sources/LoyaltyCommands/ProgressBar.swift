import Foundation

/// A one-line progress bar on standard error, drawn only when standard error is a terminal (so
/// pipes, logs and tests never see it), redrawn at most ten times a second.
struct ProgressBar {
    private let label: String
    private let total: Int64
    private let enabled: Bool
    private var lastDrawn = ContinuousClock.now - .seconds(1)
    private var drawn = false

    init(_ label: String, total: Int64) {
        self.label = label
        self.total = max(total, 1)
        enabled = isatty(STDERR_FILENO) == 1
    }

    mutating func update(done: Int64, rows: Int) {
        guard enabled, ContinuousClock.now - lastDrawn >= .milliseconds(100) else { return }
        lastDrawn = ContinuousClock.now
        // Whole numbers only: the bar's cells and the percentage are both rounded down.
        let done = min(max(done, 0), total)
        let width: Int64 = 30
        let filled = Int(done * width / total)
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: Int(width) - filled)
        var standardError = StandardError()
        standardError.write("\r\u{1B}[K\(label) [\(bar)] \(done * 100 / total)% \(rows) rows")
        drawn = true
    }

    /// Clears the bar, so what is printed next starts on a clean line.
    mutating func finish() {
        guard drawn else { return }
        var standardError = StandardError()
        standardError.write("\r\u{1B}[K")
        drawn = false
    }
}
