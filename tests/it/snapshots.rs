//! Snapshots of what people read: the human report, a load failure and a
//! replay transcript. Rendering goes through the library with colour off,
//! so the snapshots do not depend on the terminal.

use std::path::Path;

use touchpoint::input::Input;
use touchpoint::loader::load_set;

fn fixture(name: &str) -> std::path::PathBuf {
    // Relative, so that the printed set path is the same on every machine.
    Path::new("fixtures").join(name)
}

/// Runs `f` in the package root. The current directory belongs to the whole
/// test process, which every area's tests share; this sets it only to the
/// directory cargo already runs tests in, so no other test sees a change,
/// while a test binary started from elsewhere still finds the fixtures.
fn in_project<T>(f: impl FnOnce() -> T) -> T {
    std::env::set_current_dir(env!("CARGO_MANIFEST_DIR")).unwrap();
    f()
}

fn human(name: &str) -> String {
    in_project(|| {
        let set = load_set(&fixture(name)).unwrap();
        let report = touchpoint::run::lint_report(&set, "lint", 42).unwrap();
        touchpoint::render::human::render(&report, Some(&set), false)
    })
}

#[test]
fn human_report_of_an_unhandled_silence() {
    insta::assert_snapshot!(human("unhandled-input"));
}

#[test]
fn human_report_of_a_guarded_dead_end() {
    insta::assert_snapshot!(human("dead-end"));
}

#[test]
fn human_report_of_a_trap() {
    insta::assert_snapshot!(human("trap"));
}

#[test]
fn load_errors_show_every_problem_with_its_line() {
    let text = in_project(|| {
        let error = load_set(&fixture("load-multiple-errors")).unwrap_err();
        touchpoint::render::load_error_text(&error, false)
    });
    insta::assert_snapshot!(text);
}

#[test]
fn replay_transcript() {
    let transcript = in_project(|| {
        let set = load_set(&fixture("unhandled-input")).unwrap();
        let inputs = Input::parse_list("1,wait").unwrap();
        touchpoint::replay::replay(&set, None, "main", &inputs, &Default::default()).unwrap()
    });
    insta::assert_json_snapshot!(transcript);
}

/// The problems of a set that does not load, as `--format` writes them.
fn load_errors_report() -> touchpoint::report::ErrorReport {
    in_project(|| {
        let path = fixture("load-multiple-errors");
        let error = load_set(&path).unwrap_err();
        touchpoint::report::ErrorReport::new("lint", path.display().to_string(), &error)
    })
}

#[test]
fn load_errors_as_sarif() {
    insta::assert_snapshot!(touchpoint::render::sarif::load_errors(&load_errors_report()));
}

#[test]
fn load_errors_as_junit() {
    insta::assert_snapshot!(touchpoint::render::junit::load_errors(&load_errors_report()));
}

#[test]
fn load_errors_as_markdown() {
    insta::assert_snapshot!(touchpoint::render::markdown::load_errors(
        &load_errors_report()
    ));
}

#[test]
fn load_errors_as_json() {
    insta::assert_snapshot!(touchpoint::render::json::render_value(&load_errors_report()));
}

/// One mistake, one load error, pointed at where it is: a tab in a flow's
/// indentation (not the scalar above it, and not the intents and personas
/// that need the flow), and a misspelt key (not the menu it leaves without
/// options, nor the options that lead to that menu).
#[test]
fn one_mistake_is_one_load_error() {
    let text = in_project(|| {
        ["load-tab-in-app-flow", "load-misspelt-options"]
            .map(|name| {
                let error = load_set(&fixture(name)).unwrap_err();
                touchpoint::render::load_error_text(&error, false)
            })
            .join("\n")
    });
    insta::assert_snapshot!(text);
}

/// Two findings in one flow, each a block of its own with a blank line
/// between them.
#[test]
fn human_report_of_two_findings_in_one_flow() {
    insta::assert_snapshot!(human("duplicate-key"));
}

/// The demand table and the costliest intents, weighted by customer type
/// (fixtures/demand-weighted/main.yaml has the arithmetic), in the human
/// report.
#[test]
fn human_report_of_weighted_demand() {
    insta::assert_snapshot!(human("demand-weighted"));
}

/// The same figures in the markdown report.
#[test]
fn markdown_report_of_weighted_demand() {
    let text = in_project(|| {
        let set = load_set(&fixture("demand-weighted")).unwrap();
        let report = touchpoint::run::lint_report(&set, "lint", 42).unwrap();
        touchpoint::render::markdown::report(&report, false)
    });
    insta::assert_snapshot!(text);
}

/// Without volumes, the human report says every intent counts once.
#[test]
fn human_report_of_demand_without_volumes() {
    insta::assert_snapshot!(human("journeys-hours"));
}
