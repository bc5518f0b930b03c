import Foundation

/// A box whose wall clock is off by hours, for one process: a tiny preload library, compiled for
/// the test with the C compiler beside the Swift toolchain, that adds a fixed offset to the
/// real-time clock (`clock_gettime(CLOCK_REALTIME…)`, `gettimeofday`, `time`) and leaves every
/// other clock alone, so the daemon's sleeps, deadlines and timers run on true time.
///
/// A stand-in, named as such: this machine's clock cannot be set for one process. libfaketime
/// would be the usual tool, but its `clock_nanosleep` wrapper fails with EINVAL here (glibc 2.36),
/// which stops every sleeping task of the daemon.
public final class SkewedClock: @unchecked Sendable {
    private let directory: TemporaryDirectory
    /// The environment that starts a process with its real-time clock `offsetSeconds` off.
    public let environment: [String: String]

    /// The C compiler used, or `nil` when there is none (a test then says it needs one).
    public static var compiler: String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") + ["/usr/bin"] {
            for name in ["clang", "cc"] where FileManager.default.isExecutableFile(atPath: "\(directory)/\(name)") {
                return "\(directory)/\(name)"
            }
        }
        return nil
    }

    public init(offsetSeconds: Int) throws {
        guard let compiler = Self.compiler else { throw TemporaryPostgresError("no C compiler (clang or cc) for the skewed clock") }
        directory = try TemporaryDirectory(prefix: "lyd-clock")
        let source = directory.file("skew.c"), library = directory.file("skew.so")
        try Self.source.write(toFile: source, atomically: true, encoding: .utf8)
        try SystemCommand.run([compiler, "-shared", "-fPIC", "-O2", "-o", library, source, "-ldl"])
        environment = ["LD_PRELOAD": library, "LOYALTYD_TEST_CLOCK_SKEW_SECONDS": String(offsetSeconds)]
    }

    public func remove() { directory.remove() }

    private static let source = #"""
        #define _GNU_SOURCE
        #include <dlfcn.h>
        #include <stdlib.h>
        #include <sys/time.h>
        #include <time.h>

        static time_t skew(void) {
            static int known;
            static time_t seconds;
            if (!known) {
                const char *text = getenv("LOYALTYD_TEST_CLOCK_SKEW_SECONDS");
                seconds = text ? (time_t)atoll(text) : 0;
                known = 1;
            }
            return seconds;
        }

        int clock_gettime(clockid_t clock, struct timespec *now) {
            static int (*real)(clockid_t, struct timespec *);
            if (!real) real = (int (*)(clockid_t, struct timespec *))dlsym(RTLD_NEXT, "clock_gettime");
            int result = real(clock, now);
            if (result == 0 && (clock == CLOCK_REALTIME || clock == CLOCK_REALTIME_COARSE)) now->tv_sec += skew();
            return result;
        }

        int gettimeofday(struct timeval *restrict now, void *restrict zone) {
            static int (*real)(struct timeval *restrict, void *restrict);
            if (!real) real = (int (*)(struct timeval *restrict, void *restrict))dlsym(RTLD_NEXT, "gettimeofday");
            int result = real(now, zone);
            if (result == 0) now->tv_sec += skew();
            return result;
        }

        time_t time(time_t *out) {
            struct timespec now;
            clock_gettime(CLOCK_REALTIME, &now);
            if (out) *out = now.tv_sec;
            return now.tv_sec;
        }
        """#
}
