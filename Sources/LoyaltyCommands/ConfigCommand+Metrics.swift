import ArgumentParser
import Foundation
import LoyaltyConfig

extension ConfigCommand.Check {
    /// Prints the `metrics:` section as the daemon will use it, and refuses a textfile whose
    /// directory does not exist (the daemon would log a failure every interval instead).
    static func describe(_ metrics: MetricsOptions, configPath: String) throws {
        if let textfile = metrics.textfile {
            let directory = (textfile as NSString).deletingLastPathComponent
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
                printError("invalid configuration: \(configPath): metrics.textfile: the directory \(directory) does not exist (node_exporter's --collector.textfile.directory)")
                throw ExitCode(78)
            }
        }
        var parts: [String] = []
        if let textfile = metrics.textfile { parts.append("textfile \(textfile) every \(metrics.intervalSeconds) s") }
        if let endpoint = metrics.endpoint { parts.append("served on \(endpoint)") }
        print("metrics: \(parts.joined(separator: "; "))")
    }
}
