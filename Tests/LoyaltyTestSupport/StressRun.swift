import Foundation

/// The size of a reliability run: the short version in `make test`, the long one in `make stress`
/// (which sets `LOYALTYD_STRESS=1`). The same test code runs both, only its figures change.
public enum StressRun {
    public static var isOn: Bool { ProcessInfo.processInfo.environment["LOYALTYD_STRESS"] == "1" }

    /// `test` in a normal run, `stress` under `make stress`.
    public static func count(test: Int, stress: Int) -> Int { isOn ? stress : test }

    /// Prints one item's figures as a line `figures[item] key=value …` and appends it to the file
    /// named by `$LOYALTYD_FIGURES` (the Makefile prints that file once the whole run is over).
    public static func report(_ item: String, _ figures: KeyValuePairs<String, any CustomStringConvertible>) {
        let line = "figures[\(item)] " + figures.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        print(line)
        guard let path = ProcessInfo.processInfo.environment["LOYALTYD_FIGURES"], !path.isEmpty else { return }
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        let bytes = Array((line + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
    }
}
