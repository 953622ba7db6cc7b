// SPDX-License-Identifier: GPL-3.0-or-later

/// The printable HTML report of a plan (placeholder until the report lands).
public enum PlanReport {
    public static func html(_ result: PlanResult, input: PlanInput) -> String {
        "<!doctype html><html><body><h1>Plan \(result.patientId)</h1></body></html>"
    }
}
