// SPDX-License-Identifier: GPL-3.0-or-later
// How every Monte Carlo computation of dosecalc is run, so that a seed gives the same numbers on any
// number of cores: the samples are cut into blocks of `blockSize`; block b draws from its own MT19937
// stream seeded with `RandomStream.seed(seed, block: b)`; blocks run on every core (or one after the
// other) and their results are returned in block order.
import DosecalcCore
import Foundation
import GSLKit

public enum SampleBlocks {
    public static let blockSize = 1_000

    /// Runs `body(stream, sampleCount)` for each block of `samples` and returns the results in block
    /// order; the first error of a block (in block order) is thrown.
    public static func run<T: Sendable>(samples: Int, seed: UInt64, serial: Bool = false,
                                        _ body: @escaping @Sendable (_ stream: RandomStream, _ count: Int) throws -> T) throws -> [T] {
        let count = (samples + blockSize - 1) / blockSize
        let store = IndexedResults<Result<T, any Error>>(count)
        let one: @Sendable (Int) -> Void = { b in
            let stream = RandomStream(seed: RandomStream.seed(seed, block: b))
            let n = min(samples, (b + 1) * blockSize) - b * blockSize
            store.set(b, Result { try body(stream, n) })
        }
        if serial { for b in 0..<count { one(b) } } else { DispatchQueue.concurrentPerform(iterations: count, execute: one) }
        return try (0..<count).map { try store.get($0).get() }
    }
}

/// Values by index, written once each from the workers, read after they have all finished.
public final class IndexedResults<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [T?]
    public init(_ count: Int) { values = Array(repeating: nil, count: count) }
    public func set(_ i: Int, _ v: T) { lock.lock(); values[i] = v; lock.unlock() }
    public func get(_ i: Int) -> T { lock.lock(); defer { lock.unlock() }; return values[i]! }
}

extension UncertaintySpecification {
    /// A true lung shunt (percent) around the measured one: normal, redrawn until it lies in [0, 100).
    public func drawLungShuntPercent(_ stream: RandomStream, measured: Double) throws -> Double {
        guard lungShuntPercentSd > 0 else { return measured }
        for _ in 0..<100_000 {
            let x = stream.normal(mean: measured, sd: lungShuntPercentSd)
            if x >= 0 && x < 100 { return x }
        }
        throw InputError(field: UncertaintyField.lungShuntPercentSd.rawValue, "leaves almost no lung shunt inside [0, 100) %; give a smaller standard deviation")
    }

    /// A true mass around the measured one (lognormal, `massCvPercent`).
    public func drawMass(_ stream: RandomStream, measured: Double) -> Double {
        massCvPercent > 0 ? stream.lognormal(median: measured, sigmaLn: Self.sigmaLn(cvPercent: massCvPercent)) : measured
    }

    /// A true T/N ratio around the measured one (lognormal, `tnRatioCvPercent`).
    public func drawTNRatio(_ stream: RandomStream, measured: Double) -> Double {
        tnRatioCvPercent > 0 ? stream.lognormal(median: measured, sigmaLn: Self.sigmaLn(cvPercent: tnRatioCvPercent)) : measured
    }

    /// The delivered activity around the prescribed one (lognormal, `activityCvPercent`).
    public func drawActivity(_ stream: RandomStream, prescribed: Double) -> Double {
        activityCvPercent > 0 ? stream.lognormal(median: prescribed, sigmaLn: Self.sigmaLn(cvPercent: activityCvPercent)) : prescribed
    }
}
