//! The mutated-file campaign: copies of the bundled `menus/` and of the
//! `fixtures/` sets, made hostile byte by byte and file by file, run through
//! `lint`, `check`, `fuzz` and `personas` in the JSON and human formats.
//!
//! Accepted: exit 0, 1 or 2. Failures: a panic, a signal, a hang, a JSON
//! report that is not JSON, and a set that loads although one of its files
//! holds bytes YAML forbids (a NUL, invalid UTF-8): such a set loading means
//! some of its text was read as something else or dropped.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::run::{command_line, run};
use super::{keep_case, Config, Failure, Rng, Summary};

/// The sets a case starts from: `menus/` and every fixture set, sorted, so
/// that a seed picks the same set everywhere.
pub fn source_sets(project: &Path) -> Vec<PathBuf> {
    let mut sets = vec![project.join("menus")];
    let mut fixtures: Vec<PathBuf> = std::fs::read_dir(project.join("fixtures"))
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                // `import/` and `mutate/` hold folders of sets, not a set.
                .filter(|p| {
                    p.is_dir()
                        && p.file_name()
                            .is_some_and(|n| n != "import" && n != "mutate")
                })
                .collect()
        })
        .unwrap_or_default();
    fixtures.sort();
    sets.extend(fixtures);
    sets
}

/// Copies a set, leaving out what describes a fixture rather than being
/// part of it.
fn copy_set(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("a case folder");
    let mut entries: Vec<_> = std::fs::read_dir(from)
        .expect("a readable set")
        .filter_map(Result::ok)
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name();
        if name == "expected.json" {
            continue;
        }
        let target = to.join(&name);
        if entry.path().is_dir() {
            copy_set(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("a copy");
        }
    }
}

/// The YAML files of a set, relative to it, sorted.
fn yaml_files(root: &Path) -> Vec<PathBuf> {
    fn walk(root: &Path, dir: &Path, found: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.filter_map(Result::ok) {
            let path = entry.path();
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                walk(root, &path, found);
            } else if kind.is_file() && path.extension().is_some_and(|e| e == "yaml" || e == "yml")
            {
                found.push(path.strip_prefix(root).unwrap().to_path_buf());
            }
        }
    }
    let mut found = Vec::new();
    walk(root, root, &mut found);
    found.sort();
    found
}

/// The mutations, each a way hostile input has broken or could break a
/// loader: see issue 12 for what earlier campaigns found.
const BYTE_MUTATIONS: &[&str] = &[
    "flip-bits",
    "delete-range",
    "insert-punctuation",
    "insert-control",
    "nul-in-comment",
    "bom",
    "tag",
    "huge-repeat",
    "deep-nesting",
    "long-line",
    "duplicate-line",
    "swap-values",
    "regex-metacharacters",
    "alias-bomb",
    "deep-condition",
    "truncate",
    "splice-other-set",
    "unicode",
    "huge-number",
    "reindent",
    "line-endings",
    "hostile-ignore",
    "empty-file",
];

const FILE_MUTATIONS: &[&str] = &[
    "symlink-dev-zero",
    "fifo",
    "symlink-dev-null",
    "dangling-symlink",
    "symlink-loop",
    "directory-named-yaml",
    "sparse-64mib-plus-one",
    "unreadable-file",
];

/// One case: a set copied and mutated 1 to 3 times, then run. Returns its
/// summary; a failing case's folder is kept under `out/failures/`.
pub fn case(config: &Config, number: u64) -> Summary {
    let mut rng = Rng::for_case(config.seed, number);
    let sets = source_sets(&config.project);
    let source = rng.pick(&sets).clone();
    let dir = config.out.join("work").join(format!("mutate-case{number}"));
    let _ = std::fs::remove_dir_all(&dir);
    let set = dir.join("set");
    copy_set(&source, &set);
    let mut done = Vec::new();
    let mut forbidden_bytes = false;
    // Mostly one mutation, so that many cases still load and reach the
    // walk, the fuzzer and personas; sometimes two or three.
    let mutations = match rng.below(10) {
        0..=5 => 1,
        6..=8 => 2,
        _ => 3,
    };
    for _ in 0..mutations {
        let (description, forbidden) =
            mutate_once(&mut rng, config.small, &set, &config.project, &sets);
        forbidden_bytes |= forbidden;
        done.push(description);
    }
    // A file mutation may have replaced a file holding forbidden bytes
    // with something else; judge what the set holds now.
    forbidden_bytes = forbidden_bytes && set_holds_forbidden_bytes(&set);
    let source_name = source
        .strip_prefix(&config.project)
        .unwrap_or(&source)
        .display()
        .to_string();
    let what = format!("set {source_name}, mutations: {}", done.join("; "));

    let files = yaml_files(&set);
    let mut runs: Vec<Vec<String>> = vec![
        args(&["lint", "set", "--format", "json"]),
        args(&["lint", "set"]),
    ];
    let runs_text = config.runs.to_string();
    for _ in 0..2 {
        let command = *rng.pick(&["check", "fuzz", "personas"]);
        // A quarter of the runs name one file of the set, which is read
        // as part of its set.
        let path = if !files.is_empty() && rng.chance(25) {
            format!("set/{}", rng.pick(&files).display())
        } else {
            "set".to_string()
        };
        let mut run_args = args(&[command, &path]);
        if command != "personas" {
            run_args.extend(args(&["--runs", &runs_text, "--seed", &number.to_string()]));
        }
        if rng.chance(50) {
            run_args.extend(args(&["--format", "json"]));
        }
        runs.push(run_args);
    }
    // Now and then, hostile options on a set that loads or not.
    if rng.chance(10) {
        let option: &[&str] = rng.pick::<&[&str]>(&[
            &["fuzz", "set", "--time", "99999999999999999999h"][..],
            &["fuzz", "set", "--time", "0s", "--runs", "5"][..],
            &["fuzz", "set", "--max-steps", "0", "--runs", "5"][..],
            &[
                "fuzz",
                "set",
                "--seed",
                "18446744073709551615",
                "--runs",
                "5",
            ][..],
            &["check", "set", "--shard", "10001/10000"][..],
            &["check", "set", "--runs", "0", "--format", "sarif"][..],
            &["lint", "set", "--format", "markdown"][..],
            &["lint", "set", "--format", "junit"][..],
            &["lint", "set", "--format", "sarif"][..],
        ]);
        runs.push(args(option));
    }

    let mut summary = Summary {
        cases: 1,
        ..Summary::default()
    };
    let mut failures = Vec::new();
    for run_args in &runs {
        let outcome = run(config, &dir, run_args);
        summary.runs += 1;
        let command = command_line(run_args);
        if let Some(code @ 0..=2) = outcome.code() {
            summary.exits[code as usize] += 1;
        }
        let mut class = outcome.failure_class(&run_args[0]);
        let json = run_args
            .windows(2)
            .any(|w| w[0] == "--format" && w[1] == "json");
        if class.is_none()
            && json
            && serde_json::from_slice::<serde_json::Value>(&outcome.stdout).is_err()
        {
            class = Some(format!("{} --format json wrote no JSON", run_args[0]));
        }
        let loads = matches!(outcome.code(), Some(0 | 1));
        let reads_set = run_args.get(1).is_some_and(|p| p == "set");
        if class.is_none() && forbidden_bytes && loads && reads_set {
            class = Some(format!(
                "{}: a set with a NUL or invalid UTF-8 in a file loaded",
                run_args[0]
            ));
        }
        if let Some(class) = class {
            failures.push(Failure {
                case: number,
                class,
                what: format!("{what}\ncommand (in the case folder): {command}"),
                detail: outcome.describe(),
                kept: None,
            });
        }
        // A set that hangs one command hangs the others too, as they load
        // it the same way; one hang is enough to report, and waiting out
        // the rest would spend the campaign's time on one case.
        if outcome.status == super::run::Status::Timeout {
            break;
        }
    }
    if failures.is_empty() {
        let _ = std::fs::remove_dir_all(&dir);
    } else {
        let kept = keep_case(config, "mutate", number, &dir);
        if let Some(kept) = &kept {
            let mut readme = String::new();
            for failure in &failures {
                let _ = writeln!(
                    readme,
                    "{}\n{}\n{}\n",
                    failure.class, failure.what, failure.detail
                );
            }
            let _ = std::fs::write(kept.join("FAILURES.txt"), readme);
        }
        for failure in &mut failures {
            failure.kept.clone_from(&kept);
        }
    }
    summary.failures = failures;
    summary
}

fn args(words: &[&str]) -> Vec<String> {
    words.iter().map(|w| w.to_string()).collect()
}

/// Whether a YAML file of the set holds a byte YAML forbids in a stream: a
/// NUL, or bytes that are not UTF-8.
fn set_holds_forbidden_bytes(set: &Path) -> bool {
    yaml_files(set).iter().any(|file| {
        std::fs::read(set.join(file))
            .is_ok_and(|bytes| bytes.contains(&0) || std::str::from_utf8(&bytes).is_err())
    })
}

/// Applies one mutation to a file of the set (or to the set's folder).
/// Returns its description, and whether it may have left bytes YAML
/// forbids in a file.
fn mutate_once(
    rng: &mut Rng,
    small: bool,
    set: &Path,
    project: &Path,
    sets: &[PathBuf],
) -> (String, bool) {
    let files = yaml_files(set);
    if files.is_empty() || rng.chance(12) {
        let kind = *rng.pick(FILE_MUTATIONS);
        let name = if files.is_empty() || rng.chance(40) {
            PathBuf::from(format!("extra{}.yaml", rng.below(100)))
        } else {
            rng.pick(&files).clone()
        };
        file_mutation(kind, &set.join(&name));
        return (format!("{kind} {}", name.display()), false);
    }
    let file = rng.pick(&files).clone();
    let path = set.join(&file);
    let mut bytes = std::fs::read(&path).unwrap_or_default();
    let kind = *rng.pick(BYTE_MUTATIONS);
    let detail = byte_mutation(kind, rng, small, &mut bytes, project, sets);
    std::fs::write(&path, &bytes).expect("writing a mutated file");
    let forbidden = bytes.contains(&0) || std::str::from_utf8(&bytes).is_err();
    (format!("{kind} {}{detail}", file.display()), forbidden)
}

fn file_mutation(kind: &str, path: &Path) {
    let _ = std::fs::remove_file(path);
    let _ = std::fs::remove_dir_all(path);
    match kind {
        "symlink-dev-zero" => {
            let _ = std::os::unix::fs::symlink("/dev/zero", path);
        }
        "symlink-dev-null" => {
            let _ = std::os::unix::fs::symlink("/dev/null", path);
        }
        "fifo" => {
            let _ = std::process::Command::new("mkfifo").arg(path).status();
        }
        "dangling-symlink" => {
            let _ = std::os::unix::fs::symlink("no-such-file.yaml", path);
        }
        "symlink-loop" => {
            let _ = std::os::unix::fs::symlink(path.file_name().unwrap(), path);
        }
        "directory-named-yaml" => {
            let _ = std::fs::create_dir_all(path.join("inner"));
            let _ = std::fs::write(path.join("inner/x.yaml"), "flow: [\n");
        }
        "sparse-64mib-plus-one" => {
            // Sparse: costs no disk, but says 64 MiB and one byte.
            if let Ok(file) = std::fs::File::create(path) {
                let _ = file.set_len(64 * 1024 * 1024 + 1);
            }
        }
        "unreadable-file" => {
            let _ = std::fs::write(path, "flow: x\n");
            let _ = std::process::Command::new("chmod")
                .arg("000")
                .arg(path)
                .status();
        }
        _ => unreachable!("{kind}"),
    }
}

const PUNCTUATION: &[u8] = b":-[]{}&*!|>'\"#,?%@`\\ \n\t";
const CONTROLS: &[&[u8]] = &[
    b"\0",
    b"\x01",
    b"\x07",
    b"\x08",
    b"\x0b",
    b"\x0c",
    b"\x1b[31m",
    b"\x7f",
    b"\r",
    b"\xff",
    b"\xc3",
    b"\xed\xa0\x80",
    b"\xe2\x80\xa8",
    b"\xef\xbb\xbf",
    b"\xc2\x85",
];
const TAGS: &[&str] = &[
    "!foo ",
    "!!binary ",
    "!!str ",
    "!!map ",
    "!<tag:example.com,2000:x> ",
    "!e!x ",
    "!! ",
];
const REGEX_BITS: &[&str] = &[
    "(",
    ")",
    "[",
    "[^\\s\\S]",
    "[a&&b]",
    "a|[^\\s\\S]",
    "(a*)*b",
    "\\",
    "{99999}",
    "a{1000}{1000}",
    "\\p{Foo}",
    "(?P<x>a)(?P<x>b)",
    "^$",
    "\\b\\B",
    ".*.*.*.*.*=.*",
    "(?i)",
    "[[:alpha:]--a]",
    "\\x{110000}",
    "((((((((((a))))))))))",
    "$",
    "(?",
];
const UNICODE: &[&str] = &[
    "é",
    "ß",
    "ǅ",
    "İ",
    "\u{202e}",
    "\u{200b}",
    "\u{0301}",
    "😀",
    "\u{feff}",
    "\u{fffd}",
    "ﬃ",
    "\u{1f1fa}\u{1f1f8}",
    "\u{10ffff}",
];
const NUMBERS: &[&str] = &[
    "99999999999999999999",
    "-1",
    "0",
    "1e309",
    ".nan",
    "-.inf",
    "0x7fffffffffffffff",
    "18446744073709551616",
    "4294967296",
    "2.5",
    "0o777",
    "~",
];

fn byte_mutation(
    kind: &str,
    rng: &mut Rng,
    small: bool,
    bytes: &mut Vec<u8>,
    project: &Path,
    sets: &[PathBuf],
) -> String {
    let len = bytes.len();
    let at = |rng: &mut Rng| rng.below(len + 1);
    match kind {
        "flip-bits" => {
            for _ in 0..rng.between(1, 8) {
                if !bytes.is_empty() {
                    let i = rng.below(bytes.len());
                    bytes[i] ^= 1 << rng.below(8);
                }
            }
            String::new()
        }
        "delete-range" => {
            let start = at(rng);
            let end = (start + rng.between(1, 64)).min(len);
            bytes.drain(start..end);
            format!(" @{start}..{end}")
        }
        "insert-punctuation" => {
            for _ in 0..rng.between(1, 6) {
                let i = rng.below(bytes.len() + 1);
                bytes.insert(i, *rng.pick(PUNCTUATION));
            }
            String::new()
        }
        "insert-control" => {
            let i = at(rng);
            let control = *rng.pick(CONTROLS);
            bytes.splice(i..i, control.iter().copied());
            format!(" {control:?} @{i}")
        }
        "nul-in-comment" => {
            let i = line_start(bytes, rng);
            bytes.splice(i..i, b"# a comment \0 with a NUL\n".iter().copied());
            format!(" @{i}")
        }
        "bom" => {
            let bom: &[u8] = rng.pick::<&[u8]>(&[&b"\xef\xbb\xbf"[..], b"\xff\xfe", b"\xfe\xff"]);
            bytes.splice(0..0, bom.iter().copied());
            format!(" {bom:?}")
        }
        "tag" => {
            let i = after_colon_space(bytes, rng);
            let tag = *rng.pick(TAGS);
            bytes.splice(i..i, tag.bytes());
            format!(" {tag:?} @{i}")
        }
        "huge-repeat" => {
            let start = at(rng);
            let end = (start + rng.between(1, 200)).min(len);
            let chunk = bytes[start..end].to_vec();
            let times = size(rng, small, &[100, 1_000, 5_000, 20_000]);
            let repeated: Vec<u8> = chunk
                .iter()
                .copied()
                .cycle()
                .take(chunk.len() * times)
                .collect();
            bytes.splice(end..end, repeated);
            format!(" {start}..{end} x{times}")
        }
        "deep-nesting" => {
            let depth = size(rng, small, &[65, 200, 1_000, 10_000, 100_000]);
            let i = after_colon_space(bytes, rng);
            let (open, close): (&[u8], &[u8]) =
                *rng.pick(&[(&b"["[..], &b"]"[..]), (b"{a: ", b"}"), (b"[{x: ", b"}]")]);
            let mut nested = Vec::new();
            for _ in 0..depth {
                nested.extend_from_slice(open);
            }
            nested.push(b'1');
            for _ in 0..depth {
                nested.extend_from_slice(close);
            }
            bytes.splice(i..i, nested);
            format!(" depth {depth} @{i}")
        }
        "long-line" => {
            let items = size(rng, small, &[1_000, 5_000, 20_000, 128_000, 300_000]);
            let i = after_colon_space(bytes, rng);
            let mut line = Vec::new();
            if rng.chance(50) {
                line.push(b'[');
                for n in 0..items {
                    if n > 0 {
                        line.extend_from_slice(b", ");
                    }
                    line.push(b'a' + (n % 26) as u8);
                }
                line.push(b']');
            } else {
                line.extend(std::iter::repeat_n(b'x', items * 4));
            }
            bytes.splice(i..i, line);
            format!(" {items} items @{i}")
        }
        "duplicate-line" => {
            let (start, end) = line_at(bytes, rng);
            let line = bytes[start..end].to_vec();
            bytes.splice(end..end, line);
            format!(" line @{start}")
        }
        "swap-values" => {
            let a = line_at(bytes, rng);
            let b = line_at(bytes, rng);
            let value = |(s, e): (usize, usize), bytes: &[u8]| {
                let line = &bytes[s..e];
                line.windows(2)
                    .position(|w| w == b": ")
                    .map(|p| (s + p + 2, e))
            };
            if let (Some(va), Some(vb)) = (value(a, bytes), value(b, bytes)) {
                let (first, second) = if va.0 < vb.0 { (va, vb) } else { (vb, va) };
                if first.1 <= second.0 {
                    let x = bytes[first.0..first.1].to_vec();
                    let y = bytes[second.0..second.1].to_vec();
                    bytes.splice(second.0..second.1, x);
                    bytes.splice(first.0..first.1, y);
                }
            }
            String::new()
        }
        "regex-metacharacters" => {
            let bit = *rng.pick(REGEX_BITS);
            let i = inside_value(bytes, rng, &["speech", "pattern", "hear", "- "]);
            bytes.splice(i..i, bit.bytes());
            format!(" {bit:?} @{i}")
        }
        "alias-bomb" => {
            let levels = rng.between(3, 12);
            let mut bomb = String::from("\nbomb_0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
            for l in 1..levels {
                let _ = write!(bomb, "bomb_{l}: &a{l} [");
                for n in 0..10 {
                    let _ = write!(bomb, "{}*a{}", if n > 0 { ", " } else { "" }, l - 1);
                }
                bomb.push_str("]\n");
            }
            if rng.chance(50) {
                bytes.extend_from_slice(bomb.as_bytes());
            } else {
                // An alias of an anchor that is not defined, or defined after.
                let i = after_colon_space(bytes, rng);
                bytes.splice(i..i, b"*nowhere ".iter().copied());
            }
            format!(" {levels} levels")
        }
        "deep-condition" => {
            let depth = size(rng, small, &[100, 2_000, 20_000]);
            let mut condition = String::new();
            if rng.chance(50) {
                condition.push_str(&"(".repeat(depth));
                condition.push_str("hours == open");
                condition.push_str(&")".repeat(depth));
            } else {
                condition.push_str(&"not ".repeat(depth));
                condition.push_str("hours == open");
            }
            let text = String::from_utf8_lossy(bytes).into_owned();
            if let Some(p) = text.find("when: ") {
                let start = p + "when: ".len();
                let end = text[start..].find('\n').map_or(text.len(), |e| start + e);
                // The text is read lossily, so its positions may run past
                // the bytes of a file that is no longer UTF-8.
                let (start, end) = (start.min(bytes.len()), end.min(bytes.len()));
                bytes.splice(start..end, format!("\"{condition}\"").into_bytes());
            } else {
                let i = after_colon_space(bytes, rng);
                bytes.splice(i..i, condition.into_bytes());
            }
            format!(" depth {depth}")
        }
        "truncate" => {
            let i = at(rng);
            bytes.truncate(i);
            format!(" at {i}")
        }
        "splice-other-set" => {
            let other = rng.pick(sets);
            let files = yaml_files(other);
            if files.is_empty() {
                return String::new();
            }
            let file = rng.pick(&files);
            let other_bytes = std::fs::read(other.join(file)).unwrap_or_default();
            let (s, e) = line_at(&other_bytes, rng);
            let e = (e + rng.below(400)).min(other_bytes.len());
            let i = line_start(bytes, rng);
            bytes.splice(i..i, other_bytes[s..e].iter().copied());
            format!(
                " from {}",
                other
                    .join(file)
                    .strip_prefix(project)
                    .unwrap_or(other)
                    .display()
            )
        }
        "unicode" => {
            for _ in 0..rng.between(1, 4) {
                let i = char_boundary(bytes, rng);
                bytes.splice(i..i, rng.pick(UNICODE).bytes());
            }
            String::new()
        }
        "huge-number" => {
            let number = *rng.pick(NUMBERS);
            let text = String::from_utf8_lossy(bytes).into_owned();
            let digits: Vec<usize> = text
                .char_indices()
                .filter(|(_, c)| c.is_ascii_digit())
                .map(|(i, _)| i)
                .collect();
            if digits.is_empty() {
                return String::new();
            }
            let i = (*rng.pick(&digits)).min(bytes.len().saturating_sub(1));
            let end = (i + 1).min(bytes.len());
            bytes.splice(i..end, number.bytes());
            format!(" {number} @{i}")
        }
        "reindent" => {
            let i = line_start(bytes, rng);
            let indent: &[u8] = rng.pick::<&[u8]>(&[&b" "[..], b"\t", b"        ", b"  \t"]);
            if rng.chance(50) {
                bytes.splice(i..i, indent.iter().copied());
            } else if bytes.get(i) == Some(&b' ') {
                bytes.remove(i);
            }
            format!(" @{i}")
        }
        "line-endings" => {
            let ending: &[u8] = rng.pick::<&[u8]>(&[&b"\r\n"[..], b"\r", b"\n\n"]);
            let mut out = Vec::with_capacity(bytes.len() * 2);
            for &b in bytes.iter() {
                if b == b'\n' {
                    out.extend_from_slice(ending);
                } else {
                    out.push(b);
                }
            }
            *bytes = out;
            format!(" {ending:?}")
        }
        "hostile-ignore" => {
            let patterns = [
                "*a*a*a*a*a*a*a*a*a*ab",
                "**/**/**/**/**/**/**/**/**",
                "[",
                "{a,b",
                "\\",
                "",
                "/",
                "../**",
                "?*?*?*?*?*?*?*?*?*?*?*x",
            ];
            let pattern = *rng.pick(&patterns);
            let settings = format!("touchpoint:\n  ignore: [\"{pattern}\", \"*.yml\"]\n");
            *bytes = settings.into_bytes();
            format!(" {pattern:?} (file replaced by settings)")
        }
        "empty-file" => {
            let content: &[u8] = rng.pick::<&[u8]>(&[
                &b""[..],
                b"\n",
                b"---\n",
                b"---\n...\n",
                b"~\n",
                b"---\n---\n",
            ]);
            *bytes = content.to_vec();
            format!(" {content:?}")
        }
        _ => unreachable!("{kind}"),
    }
}

/// One of `sizes`, which are in increasing order; with `small`, one of the
/// first two, so that a campaign through the debug binary stays quick.
fn size(rng: &mut Rng, small: bool, sizes: &[usize]) -> usize {
    let choices = if small { &sizes[..2] } else { sizes };
    *rng.pick(choices)
}

/// The start of a random line.
fn line_start(bytes: &[u8], rng: &mut Rng) -> usize {
    let starts: Vec<usize> = std::iter::once(0)
        .chain(
            bytes
                .iter()
                .enumerate()
                .filter(|(_, b)| **b == b'\n')
                .map(|(i, _)| i + 1),
        )
        .collect();
    *rng.pick(&starts)
}

/// A random line, as `(start, end)` with the newline included.
fn line_at(bytes: &[u8], rng: &mut Rng) -> (usize, usize) {
    let start = line_start(bytes, rng);
    let end = bytes[start..]
        .iter()
        .position(|b| *b == b'\n')
        .map_or(bytes.len(), |p| start + p + 1);
    (start, end)
}

/// Just after a random `: ` (where a value starts), or a random place.
fn after_colon_space(bytes: &[u8], rng: &mut Rng) -> usize {
    let places: Vec<usize> = bytes
        .windows(2)
        .enumerate()
        .filter(|(_, w)| *w == b": ")
        .map(|(i, _)| i + 2)
        .collect();
    if places.is_empty() {
        rng.below(bytes.len() + 1)
    } else {
        *rng.pick(&places)
    }
}

/// Inside the value of one of the given keys, else after any `: `.
fn inside_value(bytes: &[u8], rng: &mut Rng, keys: &[&str]) -> usize {
    let text = String::from_utf8_lossy(bytes);
    let mut places = Vec::new();
    for key in keys {
        for (i, _) in text.match_indices(key) {
            // Past the key and its `: ` or list dash, and an opening quote.
            let mut p = i + key.len();
            for _ in 0..3 {
                if matches!(
                    text.as_bytes().get(p),
                    Some(b':' | b' ' | b'"' | b'[' | b'\'')
                ) {
                    p += 1;
                }
            }
            if p <= bytes.len() {
                places.push(p);
            }
        }
    }
    if places.is_empty() {
        after_colon_space(bytes, rng)
    } else {
        *rng.pick(&places)
    }
}

/// A random place that does not split a UTF-8 character.
fn char_boundary(bytes: &[u8], rng: &mut Rng) -> usize {
    let mut i = rng.below(bytes.len() + 1);
    while i < bytes.len() && (bytes[i] & 0xc0) == 0x80 {
        i += 1;
    }
    i
}
