// SPDX-License-Identifier: GPL-3.0-or-later
// DEB-IX-3C in-vivo solves (GSL msbdf + analytic Jacobian), the figures quoted in Benchmarks/README.md.
import Benchmark
import Chemoembolization

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .throughput],
        warmupIterations: 5,
        maxDuration: .seconds(3),
        maxIterations: 2_000
    )

    /// Builds the treatment outside the measured region.
    func treatment(_ sizes: [String], doseMg: Double) throws -> (DEBTreatment, DEBModelParameters) {
        let p = try DEBModelParameters.load()
        let dc = try BeadCatalogue.load().product("dc-bead")
        return (try DEBTreatment.evenSplit(product: dc, sizes: sizes, loadingMgPerMl: 37.5, doseMg: doseMg), p)
    }

    // What `dosecalc deb` does: msbdf free steps with dense output, default output grid (≈170
    // points), plasma and tissue peaks refined by GSL Brent on the dense output, mass balance.
    Benchmark("deb 28 d, DC Bead 100-300, 150 mg (full: grid + peak refinement)") { benchmark in
        let (t, p) = try treatment(["100-300"], doseMg: 150)
        let model = try ElutionModel(treatment: t, parameters: p)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(try model.simulate(days: 28))
        }
    }

    Benchmark("deb 28 d, DC Bead 300-500 + 500-700, 2 × 75 mg (full)") { benchmark in
        let (t, p) = try treatment(["300-500", "500-700"], doseMg: 150)
        let model = try ElutionModel(treatment: t, parameters: p)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(try model.simulate(days: 28))
        }
    }

    // Every DC Bead size at once (5 classes, 108 states): how the cost grows with the classes.
    Benchmark("deb 28 d, DC Bead all 5 sizes, 5 × 30 mg (full)") { benchmark in
        let (t, p) = try treatment(["70-150", "100-300", "300-500", "500-700", "700-900"], doseMg: 150)
        let model = try ElutionModel(treatment: t, parameters: p)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(try model.simulate(days: 28))
        }
    }

    // Model construction included (what a planner pays per candidate loading/size).
    Benchmark("deb 28 d, DC Bead 100-300, 150 mg (build model + full solve)") { benchmark in
        let (t, p) = try treatment(["100-300"], doseMg: 150)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(try ElutionModel(treatment: t, parameters: p).simulate(days: 28))
        }
    }
}
