// swift-tools-version: 6.1
// Benchmarks of dosecalc, kept out of the main package so that `swift build` / `swift test` and CI
// never resolve or build the benchmark dependencies. Run: cd Benchmarks && swift package benchmark
// SPDX-License-Identifier: GPL-3.0-or-later
import Foundation
import PackageDescription

/// SwiftPM names a path dependency after its folder, so the main package's identity is the name of
/// the checkout's folder ("main", "dosecalc", …), not its manifest name.
let mainPackage = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .lastPathComponent.lowercased()

let package = Package(
    name: "dosecalc-benchmarks",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "DEBBench",
            dependencies: [
                .product(name: "Chemoembolization", package: mainPackage),
                .product(name: "GSLKit", package: mainPackage),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/DEBBench",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "PlanBench",
            dependencies: [
                .product(name: "Planning", package: mainPackage),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/PlanBench",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // Ad-hoc timing/accuracy sweep (tolerances, output grids): `swift run -c release DEBProfile`.
        .executableTarget(
            name: "DEBProfile",
            dependencies: [
                .product(name: "Chemoembolization", package: mainPackage),
                .product(name: "GSLKit", package: mainPackage),
            ],
            path: "Sources/DEBProfile"
        ),
        // In-process timings for Benchmarks/run (a JSON-lines worker alternated with the Python peers):
        // `swift build -c release --scratch-path .build-bench --product InProcessBench`.
        .executableTarget(
            name: "InProcessBench",
            dependencies: [
                .product(name: "Chemoembolization", package: mainPackage),
                .product(name: "ClinicalPolicy", package: mainPackage),
                .product(name: "DosecalcCLI", package: mainPackage),
                .product(name: "DosecalcCore", package: mainPackage),
                .product(name: "GSLKit", package: mainPackage),
                .product(name: "ImagingIO", package: mainPackage),
                .product(name: "Planning", package: mainPackage),
                .product(name: "Radioembolization", package: mainPackage),
            ],
            path: "Sources/InProcessBench"
        ),
    ]
)
