// swift-tools-version: 6.0
// dosecalc — radioembolization and DEB-TACE dosimetry engine and command-line tool.
// SPDX-License-Identifier: GPL-3.0-or-later
import PackageDescription

let package = Package(
    name: "dosecalc",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "dosecalc", targets: ["dosecalc"]),
        .library(name: "GSLKit", targets: ["GSLKit"]),
        .library(name: "DosecalcCore", targets: ["DosecalcCore"]),
        .library(name: "Radioembolization", targets: ["Radioembolization"]),
        .library(name: "PatientAssessment", targets: ["PatientAssessment"]),
        .library(name: "Chemoembolization", targets: ["Chemoembolization"]),
        .library(name: "ClinicalPolicy", targets: ["ClinicalPolicy"]),
        .library(name: "Uncertainty", targets: ["Uncertainty"]),
        .library(name: "Planning", targets: ["Planning"]),
        .library(name: "Validation", targets: ["Validation"]),
        .library(name: "DosecalcCLI", targets: ["DosecalcCLI"]),
        .library(name: "Ledger", targets: ["Ledger"]),
        .library(name: "ImagingIO", targets: ["ImagingIO"]),
        .library(name: "VoxelDosimetry", targets: ["VoxelDosimetry"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        // GNU GSL through pkg-config (Debian: libgsl-dev).
        .systemLibrary(
            name: "CGSL",
            pkgConfig: "gsl",
            providers: [.apt(["libgsl-dev"]), .brew(["gsl"])]
        ),
        // A thin, safe Swift layer over GSL: error handler off, statuses as Swift errors.
        .target(name: "GSLKit", dependencies: ["CGSL"]),
        // Shared vocabulary: checks, status, assumptions with provenance, input errors, reference data.
        .target(name: "DosecalcCore"),
        // Liver reserve scores, BSA, doxorubicin dose rules.
        .target(name: "PatientAssessment"),
        // Y-90 / Ho-166 radioembolization dosimetry.
        .target(name: "Radioembolization", dependencies: ["DosecalcCore", "GSLKit", "PatientAssessment"]),
        // Drug-eluting bead doxorubicin elution and pharmacokinetics.
        .target(name: "Chemoembolization", dependencies: ["DosecalcCore", "GSLKit"]),
        // The one clinical policy: every hard and soft limit, selected by patient facts and evaluated
        // for every command. Typed from reference-data/constraints/constraint-sets.json.
        .target(name: "ClinicalPolicy", dependencies: ["DosecalcCore", "PatientAssessment", "Radioembolization", "Chemoembolization", "VoxelDosimetry"]),
        // NIfTI-1 through Debian's libniftiio (a small C API of ours, so that Swift never imports the library's
        // headers: Debian puts them in /usr/include/nifti, nifti1_io.h includes <znzlib.h> from there, and the
        // library ships no pkg-config file) and FFTW 3 (pkg-config fftw3); ImagingIO is their safe Swift layer.
        .target(name: "CNIfTI", cSettings: [.unsafeFlags(["-I/usr/include/nifti", "-gdwarf-4"])],
                linkerSettings: [.linkedLibrary("niftiio"), .linkedLibrary("znz"), .linkedLibrary("m")]),
        .systemLibrary(name: "CFFTW", path: "Sources/CFFTW", pkgConfig: "fftw3", providers: [.apt(["libfftw3-dev"])]),
        .target(name: "ImagingIO", dependencies: ["CNIfTI", "CFFTW"]),
        // Image-based dosimetry: voxel dose maps, dose-volume statistics.
        .target(name: "VoxelDosimetry", dependencies: ["DosecalcCore", "ImagingIO"]),
        // Monte Carlo propagation of input uncertainty through the prescriptions and the policy's limits.
        .target(name: "Uncertainty", dependencies: ["DosecalcCore", "GSLKit", "Radioembolization", "ClinicalPolicy"]),
        // Patient-specific optimisation over both modalities.
        .target(name: "Planning", dependencies: ["DosecalcCore", "GSLKit", "PatientAssessment", "Radioembolization", "Chemoembolization", "ClinicalPolicy", "Uncertainty", "VoxelDosimetry"]),
        // Reference-case loading, comparison and reporting.
        .target(name: "Validation", dependencies: ["DosecalcCore", "Chemoembolization"]),
        // The treatment ledger: delivered treatments per patient in a SQLite file (GRDB), read back
        // as prior treatments by the planner.
        .target(name: "Ledger", dependencies: ["DosecalcCore", "ClinicalPolicy", "Planning", .product(name: "GRDB", package: "GRDB.swift")]),
        // The command-line interface as a library, so that `validate` and the tests run the same code paths.
        .target(name: "DosecalcCLI", dependencies: [
            "DosecalcCore", "GSLKit", "PatientAssessment", "Radioembolization", "Chemoembolization", "ClinicalPolicy", "Planning", "Validation",
            "Ledger", "Uncertainty", "ImagingIO", "VoxelDosimetry",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "dosecalc", dependencies: ["DosecalcCLI"]),

        .testTarget(name: "DosecalcCoreTests", dependencies: ["DosecalcCore", "TestSupport"]),
        .testTarget(name: "GSLKitTests", dependencies: ["GSLKit"]),
        // Shared by the tests: a seeded generator, and NIfTI files written byte by byte from the format
        // (independent of libniftiio).
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "VoxelDosimetryTests", dependencies: ["VoxelDosimetry", "ImagingIO", "DosecalcCore", "TestSupport"]),
        .testTarget(name: "UncertaintyTests", dependencies: ["Uncertainty", "Radioembolization", "ClinicalPolicy", "DosecalcCore", "GSLKit"]),
        .testTarget(name: "ClinicalPolicyTests", dependencies: ["ClinicalPolicy", "DosecalcCore"]),
        .testTarget(name: "PatientAssessmentTests", dependencies: ["PatientAssessment"]),
        .testTarget(name: "RadioembolizationTests", dependencies: ["Radioembolization", "DosecalcCore", "ClinicalPolicy"]),
        .testTarget(name: "ChemoembolizationTests", dependencies: ["Chemoembolization", "TestSupport", "DosecalcCore", "GSLKit"]),
        .testTarget(name: "PlanningTests", dependencies: ["Planning", "Chemoembolization", "DosecalcCore", "ClinicalPolicy", "Uncertainty", "GSLKit", .product(name: "PropertyBased", package: "swift-property-based")]),
        .testTarget(name: "LedgerTests", dependencies: ["Ledger", "DosecalcCLI", "Planning", "ClinicalPolicy", "DosecalcCore", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "DosecalcCLITests", dependencies: ["DosecalcCLI", "Validation", "DosecalcCore", "TestSupport", .product(name: "PropertyBased", package: "swift-property-based")]),
    ]
)
