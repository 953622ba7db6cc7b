// SPDX-License-Identifier: GPL-3.0-or-later
// The planner end to end (assessment, constraint selection, GSL searches), per patient, as
// `dosecalc plan` runs it minus process start-up and JSON printing.
import Benchmark
import Foundation
import Planning

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .throughput],
        warmupIterations: 5,
        maxDuration: .seconds(3),
        maxIterations: 5_000
    )

    /// reference-data/patients/<name>.json of the checkout, decoded outside the measured region.
    func patient(_ name: String) throws -> PlanInput {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        return try PlanInput.decode(Data(contentsOf: root.appendingPathComponent("reference-data/patients/\(name).json")))
    }

    Benchmark("plan y90 glass, 2 territories, 3 tumours (MULTI-01)") { benchmark in
        let input = try patient("multi-01-glass-two-territories")
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { blackHole(try Planner.plan(input)) }
    }

    Benchmark("plan y90 glass, vial and time in a 72 h window (VIAL-GLASS-01)") { benchmark in
        let input = try patient("vial-glass-01-window")
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { blackHole(try Planner.plan(input)) }
    }

    Benchmark("plan DEB, DC Bead 2 sizes, loading search (DEB-01)") { benchmark in
        let input = try patient("deb-01-hcc-dc-bead")
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { blackHole(try Planner.plan(input)) }
    }
}
