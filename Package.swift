// swift-tools-version: 6.1
import PackageDescription

/// Settings every Swift target shares: Swift 6 mode with strict concurrency, and the upcoming features that
/// hummingbird also turns on, so that `any` is always spelled out and imports stay honest.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

/// Linked with lld and packed relative relocations (DT_RELR, glibc 2.36+): the loader then reads a few kilobytes
/// of relocations at start instead of hundreds, which is part of the idle-memory budget.
let leanLinking: [LinkerSetting] = [
    .unsafeFlags(["-use-ld=lld", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs"], .when(platforms: [.linux])),
]

/// A plugin exports its entry symbol only (Sources/PluginABI/plugin.exports). Otherwise the public symbols of the
/// modules linked into it (swift-crypto's BoringSSL, EmuPluginKit) fill its dynamic symbol table, which dlopen
/// reads and relocates, and a plugin could bind to another plugin's copy of them.
let pluginLinking: [LinkerSetting] = leanLinking + [
    .unsafeFlags(["-Xlinker", "--version-script=\(packageRoot)Sources/PluginABI/plugin.exports"],
                 .when(platforms: [.linux])),
]

/// The folder of this manifest, for the linker flags above that name a file.
var packageRoot: String { String(#filePath.dropLast("Package.swift".count)) }

let package = Package(
    name: "awsemu",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "awsemu", targets: ["EmuHost"]),
        .library(name: "KMSPlugin", type: .dynamic, targets: ["KMSPlugin"]),
        .library(name: "STSPlugin", type: .dynamic, targets: ["STSPlugin"]),
        .library(name: "SecretsManagerPlugin", type: .dynamic, targets: ["SecretsManagerPlugin"]),
        .library(name: "S3Plugin", type: .dynamic, targets: ["S3Plugin"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
    ],
    targets: [
        /// The one contract between host and plugins: a header-only C module (a module map, no .c file, so
        /// nothing is compiled into every image).
        .systemLibrary(name: "PluginABI", path: "Sources/PluginABI"),
        /// OpenSSL 3 from Debian's libssl-dev, for all classical cryptography.
        .systemLibrary(
            name: "COpenSSL",
            path: "Sources/COpenSSL",
            pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"])]
        ),
        /// SQLite 3 from Debian's libsqlite3-dev, for the host's state store.
        .systemLibrary(
            name: "CSQLite",
            path: "Sources/CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        /// libyaml from Debian's libyaml-dev, for KMS's seed file.
        .systemLibrary(
            name: "CYAML",
            path: "Sources/CYAML",
            pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"])]
        ),
        /// libxml2 from Debian's libxml2-dev, for S3's XML request bodies.
        .systemLibrary(
            name: "CLibXML2",
            path: "Sources/CLibXML2",
            pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"])]
        ),
        /// zlib from Debian's zlib1g-dev, for S3's CRC32 checksums.
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        /// Intel ISA-L from Debian's libisal-dev, for S3's CRC32C checksums.
        .systemLibrary(name: "CISAL", path: "Sources/CISAL", pkgConfig: "libisal", providers: [.apt(["libisal-dev"])]),
        /// xxHash from Debian's libxxhash-dev, for S3's XXHASH64, XXHASH3 and XXHASH128 checksums.
        .systemLibrary(
            name: "CXXHash", path: "Sources/CXXHash", pkgConfig: "libxxhash", providers: [.apt(["libxxhash-dev"])]),
        .systemLibrary(name: "CURing", path: "Sources/CURing", pkgConfig: "liburing", providers: [.apt(["liburing-dev"])]),
        .target(
            name: "EmuHostCore",
            dependencies: [
                "PluginABI",
                "CURing",
                "EmuPluginKit",
                "EmuCrypto",
                "CSQLite",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "EmuHost",
            dependencies: [
                "EmuHostCore",
                "EmuPluginKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings,
            linkerSettings: leanLinking
        ),
        /// OpenSSL-backed primitives more than one plugin needs (AES-256-GCM, random bytes); a static library
        /// linked into each plugin, so no plugin links another plugin's module.
        .target(
            name: "EmuCrypto",
            dependencies: ["COpenSSL"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "EmuPluginKit",
            dependencies: ["PluginABI"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "KMSPlugin",
            dependencies: [
                "EmuPluginKit",
                "EmuCrypto",
                "COpenSSL",
                .product(name: "Crypto", package: "swift-crypto"),
                "CYAML",
            ],
            swiftSettings: swiftSettings,
            linkerSettings: pluginLinking
        ),
        .target(
            name: "STSPlugin",
            dependencies: ["EmuPluginKit"],
            swiftSettings: swiftSettings,
            linkerSettings: pluginLinking
        ),
        /// Secrets Manager: every secret value is encrypted at rest under a data key from KMS, reached over the
        /// service bus (never by linking the KMS plugin).
        .target(
            name: "SecretsManagerPlugin",
            dependencies: ["EmuPluginKit", "EmuCrypto"],
            swiftSettings: swiftSettings,
            linkerSettings: pluginLinking
        ),
        /// S3 (REST-XML): every object body is encrypted at rest, under a KMS data key reached over the service bus
        /// (SSE-KMS) or under a host-managed key (SSE-S3); COpenSSL for MD5 ETags and SHA checksums, zlib, ISA-L
        /// and xxHash for the other additional checksums.
        .target(
            name: "S3Plugin",
            dependencies: ["EmuPluginKit", "EmuCrypto", "COpenSSL", "CLibXML2", "CZlib", "CISAL", "CXXHash"],
            swiftSettings: swiftSettings,
            linkerSettings: pluginLinking
        ),
        /// libFuzzer target for request decoding and plugin inputs (see Sources/FuzzRequests); built normally, a
        /// replayer of the seed corpus in Fuzz/corpus.
        .executableTarget(
            name: "FuzzRequests",
            dependencies: [
                "EmuHostCore",
                "EmuPluginKit",
                "EmuCrypto",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "EmuHostTests",
            dependencies: [
                "EmuHostCore",
                "EmuPluginKit",
                "EmuCrypto",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "S3PluginTests",
            dependencies: ["S3Plugin", "EmuPluginKit", "EmuCrypto"],
            swiftSettings: swiftSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)
