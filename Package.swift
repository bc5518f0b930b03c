// swift-tools-version:6.1
import PackageDescription

/// Every target builds in Swift 6 language mode (complete strict concurrency).
/// Warnings in our own code are errors in CI (`make test` passes `-warnings-as-errors`).
let package = Package(
    name: "loyaltyd",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "loyaltyd", targets: ["loyaltyd"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // MARK: The executable: parses arguments, nothing else.
        .executableTarget(
            name: "loyaltyd",
            dependencies: ["LoyaltyCommands"],
            // Read by the linker of the shipped build (Makefile: SHIPPED_FLAGS).
            exclude: ["startup.order"]
        ),

        // MARK: C libraries, as the system has them.
        /// pcsc-lite's <winscard.h>: contactless readers through pcscd.
        .systemLibrary(name: "CPCSCLite", pkgConfig: "libpcsclite", providers: [.apt(["libpcsclite-dev"])]),
        /// libusb-1.0's <libusb.h>: magnetic stripe and barcode readers.
        .systemLibrary(name: "CLibUSB", pkgConfig: "libusb-1.0", providers: [.apt(["libusb-1.0-0-dev"])]),

        // MARK: Libraries, from the pure core outwards.
        /// Members, carriers (and the bank card check every door shares), identifiers, money, points,
        /// rules, quotes and refund plans, the wall clock. No I/O.
        .target(name: "LoyaltyDomain"),
        /// What magnetic stripe and barcode readers send, decoded: HID keyboard reports under a
        /// keyboard layout, HID POS scanners, MagTek HID, EAN/UPC; ISO 7813 tracks are classified by
        /// the domain's MagneticTrack, so bank cards are masked before anything else sees them. No I/O.
        .target(
            name: "CardDecoding",
            dependencies: ["LoyaltyDomain"],
            resources: [
                .embedInCode("Layouts/us.layout"), .embedInCode("Layouts/de.layout"),
                .embedInCode("Layouts/fr.layout"), .embedInCode("Layouts/ru.layout"),
                .embedInCode("Layouts/uk.layout"), .embedInCode("Layouts/es.layout"), .embedInCode("Layouts/it.layout"),
                .embedInCode("Layouts/ch_de.layout"), .embedInCode("Layouts/ch_fr.layout"),
                .embedInCode("Layouts/se_fi.layout"), .embedInCode("Layouts/pl.layout"),
            ]
        ),
        /// The till protocol: JSON-RPC 2.0 messages and line framing. No I/O. Every value a till sends
        /// is checked by the domain's constructors (carriers, identifiers, money).
        .target(name: "TillProtocol", dependencies: ["LoyaltyDomain"]),
        /// The configuration file: YAML decoded into checked Codable structs.
        .target(
            name: "LoyaltyConfig",
            dependencies: ["LoyaltyDomain", "CardDecoding", .product(name: "Yams", package: "Yams")]
        ),
        /// SQLite: migrations, members, carriers, purchases, the append-only ledger, the event log.
        .target(
            name: "LoyaltyStore",
            dependencies: ["LoyaltyDomain", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        /// systemd without libsystemd: sd_notify, socket activation, journald log lines.
        .target(
            name: "SystemdSupport",
            dependencies: [.product(name: "Logging", package: "swift-log")]
        ),
        /// The chain: the central PostgreSQL schema (numbered SQL migrations, SECURITY DEFINER
        /// functions), the transport that reaches it, and the push/pull service of each box.
        .target(
            name: "ChainSync",
            dependencies: [
                "LoyaltyDomain", "LoyaltyStore", "LoyaltyConfig",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            resources: [
                .embedInCode("CentralSchema/chain-001-facts.sql"), .embedInCode("CentralSchema/chain-002-numbered-at-insert.sql"),
                .embedInCode("CentralSchema/chain-003-chain-overview.sql"), .embedInCode("CentralSchema/chain-004-promotion-uses.sql"),
            ]
        ),
        /// The till socket: a Unix stream socket speaking line-delimited JSON-RPC.
        .target(
            name: "TillServer",
            dependencies: [
                "TillProtocol",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        /// Contactless readers through pcsc-lite: a dedicated thread per PC/SC context, card UIDs.
        .target(
            name: "ContactlessReaders",
            dependencies: ["CPCSCLite", "LoyaltyDomain", .product(name: "Logging", package: "swift-log")]
        ),
        /// Magnetic stripe and barcode readers through libusb: one event thread, hotplug, interrupt transfers.
        .target(
            name: "USBReaders",
            dependencies: ["CLibUSB", "CardDecoding", "LoyaltyDomain", .product(name: "Logging", package: "swift-log")]
        ),
        /// A blocking client of the till socket, for the technician commands, the tests and the benchmark.
        .target(name: "TillClient", dependencies: ["TillProtocol"]),
        /// Metrics in the Prometheus text format (swift-metrics over swift-prometheus): written
        /// atomically to a node_exporter textfile and optionally served over HTTP on loopback or a Unix socket.
        .target(
            name: "LoyaltyMetrics",
            dependencies: [
                "LoyaltyConfig",
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        /// The daemon: composes store, rules, till server and systemd glue into one ServiceGroup.
        .target(
            name: "LoyaltyDaemon",
            dependencies: [
                "LoyaltyDomain", "LoyaltyConfig", "LoyaltyStore", "TillProtocol", "TillServer", "SystemdSupport",
                "ContactlessReaders", "USBReaders", "CardDecoding", "ChainSync", "LoyaltyMetrics",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        /// The subcommands technicians and systemd run.
        .target(
            name: "LoyaltyCommands",
            dependencies: [
                "LoyaltyDaemon", "LoyaltyConfig", "LoyaltyStore", "SystemdSupport", "TillProtocol", "TillClient",
                "ContactlessReaders", "USBReaders", "LoyaltyDomain", "ChainSync",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // MARK: Tests mirror the modules; shared helpers live in LoyaltyTestSupport.
        .target(
            name: "LoyaltyTestSupport",
            dependencies: ["LoyaltyStore", "LoyaltyDomain", "LoyaltyConfig", "TillProtocol", "TillClient", "ContactlessReaders"],
            path: "Tests/LoyaltyTestSupport",
            exclude: ["usb_testbed.py"]
        ),
        .testTarget(
            name: "LoyaltyDomainTests",
            dependencies: ["LoyaltyDomain", .product(name: "PropertyBased", package: "swift-property-based")]
        ),
        .testTarget(name: "TillProtocolTests", dependencies: ["TillProtocol", "LoyaltyDomain"]),
        .testTarget(name: "TillServerTests", dependencies: ["TillServer"]),
        .testTarget(name: "ContactlessReadersTests", dependencies: ["ContactlessReaders", "CPCSCLite"]),
        .testTarget(name: "CardDecodingTests", dependencies: ["CardDecoding", "LoyaltyDomain", "LoyaltyTestSupport"]),
        .testTarget(name: "LoyaltyConfigTests", dependencies: ["LoyaltyConfig", "LoyaltyTestSupport"]),
        .testTarget(
            name: "LoyaltyStoreTests",
            dependencies: [
                "LoyaltyStore", "LoyaltyDomain", "LoyaltyTestSupport", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        .testTarget(
            name: "SystemdSupportTests",
            dependencies: ["SystemdSupport", "LoyaltyTestSupport", .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(
            name: "ChainSyncTests",
            dependencies: [
                "ChainSync", "LoyaltyStore", "LoyaltyTestSupport",
                .product(name: "Logging", package: "swift-log"), .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "LoyaltyDaemonTests",
            dependencies: ["loyaltyd", "LoyaltyDaemon", "LoyaltyTestSupport", "TillProtocol", "LoyaltyStore"]
        ),

        // MARK: The fuzz target for the till protocol's decoder (see Tests/Fuzz/TillProtocolFuzzer.swift):
        // a corpus replayer here, a libFuzzer binary in `make stress`'s sanitizer build.
        .executableTarget(
            name: "loyaltyd-fuzz",
            dependencies: ["TillProtocol", "LoyaltyDomain"],
            path: "Tests/Fuzz",
            exclude: ["corpus", "till-protocol.dict"]
        ),

        // MARK: `make bench`: figures measured in one run against the real binary.
        .executableTarget(
            name: "loyaltyd-bench",
            dependencies: [
                "LoyaltyTestSupport", "LoyaltyStore", "LoyaltyDomain", "LoyaltyConfig", "TillClient", "TillProtocol", "CPCSCLite",
                "CardDecoding", "ChainSync",
                .product(name: "PostgresNIO", package: "postgres-nio"), .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            path: "Tests/Benchmarks",
            exclude: ["startup-order"]
        ),
    ]
)
