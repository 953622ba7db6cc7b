// SPDX-License-Identifier: GPL-3.0-or-later
import Testing
@testable import GSLKit

/// Status codes and texts from GSL 2.7.1: gsl_errno.h (the enum) and err/strerror.c (the texts).
@Suite("GSLKit errors")
struct GSLErrorTests {
    @Test("name and message of the common GSL statuses",
          arguments: [
            (Int32(-2), "GSL_CONTINUE", "the iteration has not converged yet"),
            (-1, "GSL_FAILURE", "failure"),
            (1, "GSL_EDOM", "input domain error"),
            (4, "GSL_EINVAL", "invalid argument supplied by user"),
            (8, "GSL_ENOMEM", "malloc failed"),
            (9, "GSL_EBADFUNC", "problem with user-supplied function"),
            (11, "GSL_EMAXITER", "exceeded max number of iterations"),
            (13, "GSL_EBADTOL", "specified tolerance is invalid or theoretically unattainable"),
            (27, "GSL_ENOPROG", "iteration is not making progress towards solution"),
            (28, "GSL_ENOPROGJ", "jacobian evaluations are not improving the solution"),
          ])
    func common(code: Int32, name: String, message: String) {
        let e = GSLError(code: code, context: "test context")
        #expect(e.name == name)
        #expect(e.message == message)
        #expect(e.description.contains("test context"))
        #expect(e.description.contains(name))
    }

    /// Every code in gsl_errno.h has a symbolic name; QAGS, for example, can return GSL_ESING (21)
    /// and GSL_EDIVERGE (22), and a log line should say so rather than "GSL_STATUS_22".
    @Test("every gsl_errno.h status has its symbolic name",
          arguments: [
            (Int32(2), "GSL_ERANGE"), (3, "GSL_EFAULT"), (5, "GSL_EFAILED"), (6, "GSL_EFACTOR"), (7, "GSL_ESANITY"),
            (10, "GSL_ERUNAWAY"), (12, "GSL_EZERODIV"), (14, "GSL_ETOL"), (15, "GSL_EUNDRFLW"), (16, "GSL_EOVRFLW"),
            (17, "GSL_ELOSS"), (18, "GSL_EROUND"), (19, "GSL_EBADLEN"), (20, "GSL_ENOTSQR"), (21, "GSL_ESING"),
            (22, "GSL_EDIVERGE"), (23, "GSL_EUNSUP"), (24, "GSL_EUNIMPL"), (25, "GSL_ECACHE"), (26, "GSL_ETABLE"),
            (29, "GSL_ETOLF"), (30, "GSL_ETOLX"), (31, "GSL_ETOLG"), (32, "GSL_EOF"),
          ])
    func allNames(code: Int32, name: String) {
        #expect(GSLError(code: code, context: "").name == name)
    }

    @Test("an unknown code keeps its number")
    func unknown() {
        let e = GSLError(code: 999, context: "x")
        #expect(e.name.contains("999"))
        #expect(e.message == "unknown error code")
    }

    @Test("GSLKitError descriptions say what went wrong")
    func kitErrors() {
        #expect(GSLKitError.bracketHasNoSignChange(lower: 0, upper: 1, fLower: 1, fUpper: 2).description.contains("[0.0, 1.0]"))
        #expect(GSLKitError.noConvergence(what: "Brent", iterations: 5).description.contains("5"))
        #expect(GSLKitError.invalidArgument("bad").description.contains("bad"))
        #expect(GSLError(code: 4, context: "a") == GSLError(code: 4, context: "a"))
        #expect(GSLError(code: 4, context: "a") != GSLError(code: 11, context: "a"))
    }

    @Test("the GSL version is 2.x")
    func version() {
        #expect(GSL.version.hasPrefix("2."))
    }
}
