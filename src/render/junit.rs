//! JUnit XML (via quick-junit): one test case per persona run and one per
//! finding code, so that a CI test tab lists what failed.

use quick_junit::{NonSuccessKind, Report as Junit, TestCase, TestCaseStatus, TestSuite};

use crate::finding::Code;
use crate::model::Level;
use crate::report::{ErrorReport, Report};

/// A set that could not be loaded: a failed test case per problem, named
/// by where it is, so that a CI test tab shows why nothing was checked.
pub fn load_errors(report: &ErrorReport) -> String {
    let mut junit = Junit::new("touchpoint");
    let mut suite = TestSuite::new(format!(
        "touchpoint {} {}: load",
        report.command, report.set
    ));
    for error in &report.errors {
        let place = match (&error.file, error.line, error.column) {
            (Some(file), Some(line), Some(column)) => format!("{file}:{line}:{column}"),
            (Some(file), ..) => file.clone(),
            (None, ..) => report.set.clone(),
        };
        let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
        status
            .set_message(error.message.clone())
            .set_type("load-error")
            .set_description(match &error.help {
                Some(help) => format!("{place}: {}\nhelp: {help}\n", error.message),
                None => format!("{place}: {}\n", error.message),
            });
        let mut case = TestCase::new(place, status);
        case.set_classname("touchpoint.load");
        suite.add_test_case(case);
    }
    junit.add_test_suite(suite);
    finish(&junit)
}

/// The XML of a JUnit report, ending with a line break.
pub(crate) fn finish(junit: &Junit) -> String {
    let mut text = junit
        .to_string()
        .unwrap_or_else(|e| format!("<!-- {e} -->"));
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text
}

pub fn render(report: &Report, deny_warnings: bool) -> String {
    let mut junit = Junit::new("touchpoint");
    let mut findings = TestSuite::new(format!(
        "touchpoint {} {}: findings",
        report.command, report.set
    ));
    for code in Code::ALL {
        let of_code: Vec<_> = report.findings.iter().filter(|f| f.code == code).collect();
        let failing = of_code
            .iter()
            .any(|f| f.level == Level::Error || (deny_warnings && f.level == Level::Warning));
        let listing: String = of_code
            .iter()
            .map(|f| {
                let when = super::vars_text(f);
                let when = if when.is_empty() {
                    String::new()
                } else {
                    format!(" (when {when})")
                };
                // A finding about the menu as written has no inputs to show.
                let inputs = if f.inputs.is_empty() {
                    String::new()
                } else {
                    format!(" (inputs: {})", f.inputs.join(","))
                };
                format!(
                    "{}:{}:{}: [{}] {}{when}{inputs}\n",
                    f.file,
                    f.line,
                    f.column,
                    f.level.name(),
                    f.message,
                )
            })
            .collect();
        let mut status = if failing {
            let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
            s.set_message(format!("{} {} finding(s)", of_code.len(), code.name()))
                .set_type(code.name())
                .set_description(listing.clone());
            s
        } else {
            TestCaseStatus::success()
        };
        if !failing && !of_code.is_empty() {
            // Warnings that do not fail still show up in the test's output.
            status = TestCaseStatus::success();
        }
        let mut case = TestCase::new(code.name(), status);
        case.set_classname("touchpoint.findings");
        if !failing && !listing.is_empty() {
            case.set_system_out(listing);
        }
        findings.add_test_case(case);
    }
    junit.add_test_suite(findings);
    if !report.personas.is_empty() {
        let mut personas = TestSuite::new(format!(
            "touchpoint {} {}: personas",
            report.command, report.set
        ));
        // A failed persona fails its test case only as far as the level of
        // `persona-failed` says: its findings carry that level (all of them
        // the same), and with the code set to `off` there are none.
        let persona_level = report
            .findings
            .iter()
            .find(|f| f.code == Code::PersonaFailed)
            .map_or(Level::Off, |f| f.level);
        let personas_fail =
            persona_level == Level::Error || (deny_warnings && persona_level == Level::Warning);
        for p in &report.personas {
            let status = if p.passed || !personas_fail {
                TestCaseStatus::success()
            } else {
                let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                s.set_message(p.failures.join("; "))
                    .set_type("persona-failed")
                    .set_description(p.transcript.join("\n"));
                s
            };
            let mut case = TestCase::new(p.name(), status);
            case.set_classname(format!("touchpoint.personas.{}", p.channel.name()));
            case.set_system_out(p.transcript.join("\n"));
            personas.add_test_case(case);
        }
        junit.add_test_suite(personas);
    }
    if let Some(mutation) = &report.mutation {
        junit.add_test_suite(super::mutation::junit_suite(
            mutation,
            format!(
                "touchpoint {} {}: mutation score {}",
                report.command,
                report.set,
                super::mutation::percent(mutation.score)
            ),
            mutation.below_min_score(),
        ));
    }
    finish(&junit)
}
