//! The user documentation (`README.md` and `docs/`) kept in step with the
//! code: every finding code with its default level, every key the loader
//! accepts, every option of every command, examples that load, and links
//! that resolve inside the repository.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use clap::CommandFactory;

use crate::common::project;
use touchpoint::finding::{code_list, Code, CODES};
use touchpoint::loader::{
    load_set, node_extra_keys, DEFAULTS_KEYS, DOCUMENT_KEYS, EXPECT_KEYS, FLOW_KEYS, HANDLER_KEYS,
    INTENT_KEYS, LIMITS_KEYS, MATRIX_KEYS, NODE_KIND_KEYS, OPTION_KEYS, PATIENCE_KEYS,
    PERSONA_KEYS, SETTINGS_KEYS, STEP_KEYS, TIMING_KEYS,
};

fn read(relative: &str) -> String {
    std::fs::read_to_string(project().join(relative))
        .unwrap_or_else(|e| panic!("cannot read {relative}: {e}"))
}

/// `README.md` and every page under `docs/`, as (path relative to the
/// repository, text).
fn pages() -> Vec<(PathBuf, String)> {
    let mut paths = vec![PathBuf::from("README.md")];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(project().join("docs"))
        .expect("docs/ exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .map(|p| p.strip_prefix(project()).unwrap().to_path_buf())
        .collect();
    docs.sort();
    paths.extend(docs);
    paths
        .into_iter()
        .map(|p| {
            let text = read(p.to_str().unwrap());
            (p, text)
        })
        .collect()
}

/// The text of a page without its fenced code blocks, so that YAML and
/// sample output are not read as links or headings.
fn prose(text: &str) -> String {
    let mut out = String::new();
    let mut in_code = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if !in_code {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// The anchor GitHub gives a heading: lower case, spaces to hyphens, and
/// every other character but letters, digits, `-` and `_` dropped.
fn anchor(heading: &str) -> String {
    heading
        .trim()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            '-' | '_' => Some(c),
            c if c.is_alphanumeric() => Some(c.to_ascii_lowercase()),
            _ => None,
        })
        .collect()
}

fn anchors(text: &str) -> BTreeSet<String> {
    prose(text)
        .lines()
        .filter(|l| l.starts_with('#'))
        .map(|l| anchor(l.trim_start_matches('#')))
        .collect()
}

/// Every `](target)` of a markdown text.
fn link_targets(text: &str) -> Vec<String> {
    let text = prose(text);
    let mut out = Vec::new();
    let mut rest = text.as_str();
    while let Some(start) = rest.find("](") {
        rest = &rest[start + 2..];
        if let Some(end) = rest.find(')') {
            out.push(rest[..end].to_string());
            rest = &rest[end..];
        }
    }
    out
}

#[test]
fn every_finding_code_is_in_the_report_reference_with_its_default_level() {
    let report = read("docs/report.md");
    let missing: Vec<String> = Code::ALL
        .iter()
        .filter(|code| {
            let row = format!("| `{}` | {}", code.name(), code.default_level().name());
            !report.lines().any(|line| line.starts_with(&row))
        })
        .map(|code| format!("{} ({})", code.name(), code.default_level().name()))
        .collect();
    assert!(
        missing.is_empty(),
        "docs/report.md's finding-code table lacks these codes or gives another default level: {missing:?}"
    );
}

/// The one-line summaries are the finding-code table's: docs/report.md
/// shows the list `--help` prints, word for word, and each code's anchor
/// is a heading there.
#[test]
fn the_report_reference_and_help_list_each_code_with_its_summary() {
    let report = read("docs/report.md");
    let list = code_list();
    assert!(
        report.contains(&format!("```text\n{list}```\n")),
        "docs/report.md should show the finding codes as `finding::code_list` writes them:\n{list}"
    );
    let mut cli = touchpoint::cli::Cli::command();
    let help = cli
        .find_subcommand_mut("lint")
        .expect("there is a lint command")
        .render_long_help()
        .to_string();
    let help_lines: Vec<&str> = help.lines().map(str::trim).collect();
    for line in list.lines() {
        assert!(
            help_lines.contains(&line.trim()),
            "`touchpoint lint --help` lacks the line `{line}`"
        );
    }
    let headings = anchors(&report);
    for code in CODES {
        assert!(
            headings.contains(code.anchor),
            "`{}` is documented at `docs/report.md#{}`, which is no heading there",
            code.name,
            code.anchor
        );
    }
}

/// The README has no table of finding codes today; a row it gains for a
/// code must give that code's default level, as docs/report.md does.
#[test]
fn the_readme_gives_a_code_only_with_its_default_level() {
    let readme = read("README.md");
    let wrong: Vec<&str> = readme
        .lines()
        .filter(|line| {
            CODES.iter().any(|code| {
                line.starts_with(&format!("| `{}` |", code.name))
                    && !line.starts_with(&format!(
                        "| `{}` | {}",
                        code.name,
                        code.default_level.name()
                    ))
            })
        })
        .collect();
    assert!(
        wrong.is_empty(),
        "README.md gives these codes another default level than the code table: {wrong:#?}"
    );
}

#[test]
fn every_key_the_loader_accepts_is_in_the_format_reference() {
    let format = read("docs/format.md");
    let tables: [&[&str]; 16] = [
        &DOCUMENT_KEYS,
        &FLOW_KEYS,
        &NODE_KIND_KEYS,
        &OPTION_KEYS,
        &HANDLER_KEYS,
        &DEFAULTS_KEYS,
        &INTENT_KEYS,
        &PERSONA_KEYS,
        &PATIENCE_KEYS,
        &MATRIX_KEYS,
        &EXPECT_KEYS,
        &STEP_KEYS,
        &SETTINGS_KEYS,
        &LIMITS_KEYS,
        &TIMING_KEYS,
        // The keys of switch entries and opaque branches have no table of
        // their own in the loader.
        &["when", "goto", "on", "branches"],
    ];
    let mut keys: BTreeSet<&str> = tables.iter().flat_map(|t| t.iter().copied()).collect();
    for kind in NODE_KIND_KEYS {
        keys.extend(node_extra_keys(kind));
    }
    let missing: Vec<&str> = keys
        .into_iter()
        .filter(|key| {
            !format.contains(&format!("`{key}`"))
                && !format.contains(&format!("`{key}:"))
                && !format.contains(&format!("`limits.{key}`"))
        })
        .collect();
    assert!(
        missing.is_empty(),
        "docs/format.md does not document these keys the loader accepts: {missing:?}"
    );
}

/// The section of docs/report.md about one command: from its heading to the
/// next heading of the same or a higher level.
fn command_section<'a>(report: &'a str, command: &str) -> Option<&'a str> {
    let heading = format!("### `touchpoint {command}`");
    let start = report.find(&heading)?;
    let body = &report[start + heading.len()..];
    let end = ["\n## ", "\n### "]
        .iter()
        .filter_map(|h| body.find(h))
        .min()
        .unwrap_or(body.len());
    Some(&body[..end])
}

/// Whether `text` names the option `--long` as a whole word, so that
/// `--max-calls-x` does not count as `--max-calls`.
fn mentions_option(text: &str, long: &str) -> bool {
    let option = format!("--{long}");
    text.match_indices(&option).any(|(at, _)| {
        let after = text[at + option.len()..].chars().next();
        !after.is_some_and(|c| c.is_alphanumeric() || c == '-' || c == '_')
    })
}

#[test]
fn every_option_of_every_command_is_in_its_section_of_the_report_reference() {
    let report = read("docs/report.md");
    let cli = touchpoint::cli::Cli::command();
    let mut problems = Vec::new();
    for command in cli.get_subcommands() {
        let name = command.get_name();
        let Some(section) = command_section(&report, name) else {
            problems.push(format!("no section `### `touchpoint {name}`` for `{name}`"));
            continue;
        };
        for arg in command.get_arguments() {
            let Some(long) = arg.get_long() else {
                continue;
            };
            if long == "help" || long == "version" {
                continue;
            }
            if !mentions_option(section, long) {
                problems.push(format!("`touchpoint {name}` does not mention `--{long}`"));
            }
        }
    }
    assert!(problems.is_empty(), "docs/report.md: {problems:#?}");
}

#[test]
fn the_format_reference_examples_load_and_lint_clean_as_one_set() {
    let format = read("docs/format.md");
    let dir = tempfile::tempdir().unwrap();
    let mut documents = 0;
    let mut rest = format.as_str();
    while let Some(start) = rest.find("```yaml\n") {
        rest = &rest[start + "```yaml\n".len()..];
        let end = rest.find("```").expect("every code block is closed");
        let block = &rest[..end];
        rest = &rest[end + 3..];
        // Fragments (a node, a matrix) are shown inside prose; only whole
        // documents, which start with a document key, make up the set.
        let first = block
            .lines()
            .find(|l| !l.trim().is_empty() && !l.starts_with('#'));
        let is_document = first.is_some_and(|line| {
            DOCUMENT_KEYS
                .iter()
                .any(|key| line.starts_with(&format!("{key}:")))
        });
        if is_document {
            documents += 1;
            std::fs::write(
                dir.path().join(format!("example-{documents:02}.yaml")),
                block,
            )
            .unwrap();
        }
    }
    assert!(
        documents >= 6,
        "docs/format.md should show a flow, a called flow, a web flow, intents, a persona and settings; found {documents} documents"
    );
    let set = load_set(dir.path()).unwrap_or_else(|e| {
        panic!(
            "the examples of docs/format.md do not load:\n{}",
            e.plain_lines().join("\n")
        );
    });
    let report = touchpoint::run::lint_report(&set, "lint", 42).expect("the examples compile");
    let findings: Vec<String> = report
        .findings
        .iter()
        .map(|f| format!("{} at {}: {}", f.code, f.node, f.message))
        .collect();
    assert!(
        findings.is_empty(),
        "the examples of docs/format.md should lint clean: {findings:#?}"
    );
}

#[test]
fn links_in_the_readme_and_docs_resolve_inside_the_repository() {
    let root = project().canonicalize().unwrap();
    let pages = pages();
    let mut problems = Vec::new();
    for (page, text) in &pages {
        // The folder beside a developer's checkout that holds the real
        // exports is not in a user's clone, so no page may send anyone
        // there. Spelt in two parts so that this test is not itself a
        // mention of it.
        let outside = format!("{}/shared", "..");
        if text.contains(&outside) {
            problems.push(format!("{}: mentions `{outside}`", page.display()));
        }
        let dir = page.parent().unwrap_or(Path::new(""));
        for target in link_targets(text) {
            if target.starts_with("http://") || target.starts_with("https://") {
                continue;
            }
            let (path, fragment) = match target.split_once('#') {
                Some((path, fragment)) => (path, Some(fragment)),
                None => (target.as_str(), None),
            };
            let file = if path.is_empty() {
                page.clone()
            } else {
                dir.join(path)
            };
            let resolved = match project().join(&file).canonicalize() {
                Ok(resolved) => resolved,
                Err(_) => {
                    problems.push(format!("{}: `{target}` does not exist", page.display()));
                    continue;
                }
            };
            if !resolved.starts_with(&root) {
                problems.push(format!(
                    "{}: `{target}` points outside the repository",
                    page.display()
                ));
                continue;
            }
            if let Some(fragment) = fragment {
                let linked = std::fs::read_to_string(&resolved).unwrap_or_default();
                if !anchors(&linked).contains(fragment) {
                    problems.push(format!(
                        "{}: `{target}` names no heading of {}",
                        page.display(),
                        file.display()
                    ));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn the_readme_opens_with_the_two_set_up_commands() {
    let readme = read("README.md");
    let first_section = readme
        .find("\n## ")
        .map_or(readme.as_str(), |end| &readme[..end]);
    for command in ["cargo run --release -- check", "cargo test"] {
        assert!(
            first_section.lines().any(|line| line.trim() == command),
            "README.md should give `{command}` before its first section"
        );
    }
}

/// The README's first menu set, as written there: the files its YAML blocks
/// are introduced with (`/tmp/first-set/FILE`), and the block that no file
/// introduces, which is the fix.
fn readme_first_set() -> (Vec<(String, String)>, String) {
    let readme = read("README.md");
    let section = readme
        .split("\n## ")
        .find(|s| s.starts_with("Your first menu set"))
        .expect("README.md has a section `Your first menu set`");
    let mut files = Vec::new();
    let mut fix = None;
    let mut introduced: Option<String> = None;
    let mut block: Option<String> = None;
    for line in section.lines() {
        match &mut block {
            Some(text) if line.starts_with("```") => {
                let text = std::mem::take(text);
                block = None;
                match introduced.take() {
                    Some(file) => files.push((file, text)),
                    None => fix = Some(text),
                }
            }
            Some(text) => {
                text.push_str(line);
                text.push('\n');
            }
            None if line.starts_with("```yaml") => block = Some(String::new()),
            None => {
                if let Some(at) = line.find("`/tmp/first-set/") {
                    let rest = &line[at + "`/tmp/first-set/".len()..];
                    introduced = rest.split('`').next().map(str::to_string);
                }
            }
        }
    }
    (
        files,
        fix.expect("the section shows the fix as a YAML block"),
    )
}

#[test]
fn the_readme_first_menu_set_gives_the_finding_it_shows_and_the_fix_clears_it() {
    let readme = read("README.md");
    let (files, fix) = readme_first_set();
    let names: Vec<&str> = files.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(
        names,
        ["main.yaml", "intents.yaml", "personas/pays-bill.yaml"],
        "the first menu set is one flow, one intent and one persona"
    );
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    for (name, text) in &files {
        write(name, text);
    }

    let set = load_set(dir.path()).unwrap_or_else(|e| panic!("{}", e.plain_lines().join("\n")));
    let before = touchpoint::run::lint_report(&set, "lint", 42).unwrap();
    let [finding] = before.findings.as_slice() else {
        panic!(
            "the first menu set should have exactly one finding: {:#?}",
            before.findings
        );
    };
    let shown = format!("[{}:{}:{}]", finding.file, finding.line, finding.column);
    assert!(
        readme.contains(&format!("× {}", finding.message)) && readme.contains(&shown),
        "README.md should show the finding `{}` at {shown}",
        finding.message
    );
    let personas = touchpoint::personas::run_personas(&set, 42, None, None).unwrap();
    assert!(
        personas.results.iter().all(|run| run.passed),
        "the persona passes before the fix, as README.md shows"
    );

    // The fix goes into the menu node, under its prompt.
    let (_, flow) = &files[0];
    let fixed: String = flow
        .lines()
        .flat_map(|line| {
            let fix_here = line.trim_start().starts_with("menu:");
            std::iter::once(format!("{line}\n")).chain(fix_here.then(|| fix.clone()))
        })
        .collect();
    write("main.yaml", &fixed);
    let set = load_set(dir.path()).unwrap_or_else(|e| panic!("{}", e.plain_lines().join("\n")));
    let after = touchpoint::run::lint_report(&set, "lint", 42).unwrap();
    assert!(
        after.findings.is_empty(),
        "the README's fix should clear every finding: {:#?}",
        after.findings
    );
}
