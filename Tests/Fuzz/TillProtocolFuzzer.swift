#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LoyaltyDomain
import TillProtocol

/// The fuzz target for what a till's bytes go through before any method runs: the strict JSON
/// parser, JSON-RPC framing (`RPCFrame.decode`) and the parameter checks (`TillCall.parse`).
///
/// Built with `-sanitize=fuzzer,address -DFUZZING` (`make stress` does it, in `.build-fuzz`), it is
/// a libFuzzer binary: coverage-guided, growing the corpus in Tests/Fuzz/corpus. Built normally it
/// replays the files it is given, so `make test` runs the corpus through the same checks and a
/// crash file can be reproduced without the sanitizers.
///
/// Besides not crashing, every input must keep these promises, or the target traps:
/// - a document that parses is written back by `JSONWriter` to a document that parses to the same value;
/// - every error the daemon would answer with is itself one valid JSON line.
enum TillProtocolFuzzer {
    static let limits = TillCall.Limits(currency: Currency(code: "EUR", minorUnitDigits: 2), maximumTotal: Money(minorUnits: 100_000_000))

    static func check(_ bytes: UnsafeRawBufferPointer) {
        if let value = try? JSONParser.parse(bytes) {
            let written = JSONWriter.bytes(of: value)
            guard let again = try? JSONParser.parse(written), again == value else {
                fatalError("JSONWriter's output does not parse back to the same value")
            }
        }
        let requests: [Result<RPCRequest, RPCFailure>]
        switch RPCFrame.decode(bytes) {
        case .unusable(let failure): requests = [.failure(failure)]
        case .single(let request): requests = [request]
        case .batch(let batch): requests = batch
        }
        for request in requests {
            let answer: JSONValue
            switch request {
            case .failure(let failure):
                answer = RPCResponse.failure(id: failure.id, error: failure.error)
            case .success(let request):
                do {
                    _ = try TillCall.parse(request, limits: limits, nowMilliseconds: 1_700_000_000_000)
                    continue
                } catch {
                    answer = RPCResponse.failure(id: request.id ?? .null, error: error)
                }
            }
            let line = JSONWriter.bytes(of: answer)
            guard !line.contains(UInt8(ascii: "\n")), (try? JSONParser.parse(line)) != nil else {
                fatalError("an error answer is not one valid JSON line")
            }
        }
    }
}

#if FUZZING
/// libFuzzer's entry point.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    TillProtocolFuzzer.check(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}

@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32

/// SwiftPM links an executable's `main` to `<module>_main`: hand over to libFuzzer's driver there.
@_cdecl("loyaltyd_fuzz_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var count = argc
    var arguments = argv
    return runFuzzerDriver(&count, &arguments) { data, size in fuzzOneInput(data, size) }
}
#else
/// Replays files through the fuzz checks: `loyaltyd-fuzz FILE…`.
@main struct FuzzReplay {
    static func main() {
        var count = 0
        for path in CommandLine.arguments.dropFirst() {
            guard let file = fopen(path, "rb") else {
                print("loyaltyd-fuzz: cannot open \(path)")
                exit(1)
            }
            var bytes: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 65_536)
            while true {
                let read = fread(&chunk, 1, chunk.count, file)
                if read <= 0 { break }
                bytes += chunk[..<read]
            }
            fclose(file)
            bytes.withUnsafeBytes { TillProtocolFuzzer.check($0) }
            count += 1
        }
        print("loyaltyd-fuzz: \(count) inputs replayed, every check held")
    }
}
#endif
