// swift-tools-version: 6.2
import PackageDescription

/// Sluice: a GitOps continuous-training service.
///
/// Arrows point down only: `sluice -> SluiceServer -> SluiceCore -> Git, Curl -> CGit2, CCurl`.
/// `Git` and `Curl` know nothing of Sluice.
let package = Package(
    name: "Sluice",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "sluice", targets: ["sluice"]),
        .executable(name: "sluice-bench", targets: ["sluice-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
    ],
    targets: [
        .systemLibrary(name: "CGit2", pkgConfig: "libgit2", providers: [.apt(["libgit2-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .target(name: "Git", dependencies: ["CGit2"]),
        .target(
            name: "Curl",
            dependencies: [
                "CCurl",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(name: "SluiceCore", dependencies: ["Git", "Curl"]),
        .target(
            name: "SluiceServer",
            dependencies: ["SluiceCore", .product(name: "Hummingbird", package: "hummingbird")]
        ),
        .executableTarget(
            name: "sluice",
            dependencies: [
                "SluiceServer", "SluiceCore", "Git", "Curl",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "sluice-bench",
            dependencies: [
                "Git", "SluiceTesting",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .target(name: "SluiceTesting", dependencies: ["Git"]),
        .testTarget(name: "GitTests", dependencies: ["Git", "SluiceTesting"]),
        .testTarget(
            name: "SluiceServerTests",
            dependencies: [
                "SluiceServer",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
        .testTarget(name: "EndToEndTests", dependencies: ["sluice"]),
        .testTarget(
            name: "CurlTests",
            dependencies: ["Curl", "SluiceTesting", .product(name: "Hummingbird", package: "hummingbird")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
