// SPDX-License-Identifier: GPL-3.0-or-later
// Whether an order can be delivered: the activity against the product's largest vial or order, the
// treatment time against the product's usable time after calibration. A failed deliverability check is
// `infeasible` (exit 3), never `ok`. The vendor facts are data (products/radioembolization.json), each
// with its source; a window marked unverified can be replaced in the planner input.
import DosecalcCore
import Radioembolization

public enum Deliverability {
    /// The activity that must be in the vial(s) at calibration against the largest the product offers.
    /// `vials` is how many vials of the largest size may be combined (resin: the dose is drawn from them).
    public static func orderCheck(device: Device, activityAtCalibrationGBq: Double, vials: Int = 1) -> Check {
        let limit = device.largestOrderGBq * Double(vials)
        return Check(name: "activityAvailable", value: activityAtCalibrationGBq, limit: limit, unit: "GBq", kind: .atMost,
                     severity: .hard, source: device.largestOrderSource + (vials > 1 ? " × \(vials) vials" : ""),
                     category: .deliverability,
                     note: "activity needed at the vial's calibration time, residual included")
    }

    /// The time from calibration to treatment against the product's usable window: two checks, so that
    /// the output says which end was crossed.
    public static func windowChecks(device: Device, hoursAfterCalibration: Double, window: UsableWindow? = nil) -> [Check] {
        let w = window ?? device.usableWindow
        let source = window != nil ? w.source + ", instead of the product's window: " + device.usableWindow.source : w.source
        return [
            Check(name: "usableFromCalibration", value: hoursAfterCalibration, limit: w.earliestHoursAfterCalibration, unit: "h",
                  kind: .atLeast, severity: .hard, source: source, category: .deliverability,
                  note: "hours from the vial's calibration time to the treatment"),
            Check(name: "usableUntilAfterCalibration", value: hoursAfterCalibration, limit: w.latestHoursAfterCalibration, unit: "h",
                  kind: .atMost, severity: .hard, source: source, category: .deliverability,
                  note: "hours from the vial's calibration time to the treatment"),
        ]
    }

    /// Resin: the share of the vial(s) that must be drawn at the treatment time, in percent of what the
    /// vials hold then; above 100 % the dose cannot be drawn.
    public static func drawCheck(drawPercent: Double, vials: Int, source: String) -> Check {
        Check(name: "vialDraw", value: drawPercent, limit: 100 * Double(vials), unit: "% of one vial", kind: .atMost,
              severity: .hard, source: source, category: .deliverability,
              note: "activity to draw at the treatment time, residual included, as a share of one vial's activity then")
    }

    /// Glass: the time at which the smallest sufficient vial, given whole, holds exactly the need. A time
    /// outside the product's usable window is no usable suggestion: a soft check (warning) says so, on
    /// whichever end it falls.
    public static func wholeVialTimeCheck(device: Device, hoursAfterCalibration h: Double, window: UsableWindow? = nil) -> Check {
        let w = window ?? device.usableWindow
        let late = h > w.latestHoursAfterCalibration
        var c = Check(name: "wholeVialTime", value: h, limit: late ? w.latestHoursAfterCalibration : w.earliestHoursAfterCalibration, unit: "h",
                      kind: late ? .atMost : .atLeast, severity: .soft, source: w.source, category: .deliverability,
                      note: "hours from calibration at which the whole vial holds the activity needed")
        c.label = "time the whole vial matches the need, inside the product's usable time"
        return c
    }
}
