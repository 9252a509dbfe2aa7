//! `touchpoint init`: the starter set it writes passes `check` clean, every
//! file of it fits the JSON Schema, and it never replaces a file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::common::{project, touchpoint, touchpoint_in};

/// Every file under `root`, by its path relative to `root` (with `/`), with
/// its bytes.
fn files_under(root: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, folder: &Path, files: &mut BTreeMap<String, Vec<u8>>) {
        for entry in std::fs::read_dir(folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, files);
            } else {
                let relative = path.strip_prefix(root).unwrap();
                let name = relative
                    .components()
                    .map(|part| part.as_os_str().to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join("/");
                files.insert(name, std::fs::read(&path).unwrap());
            }
        }
    }
    let mut files = BTreeMap::new();
    if root.exists() {
        walk(root, root, &mut files);
    }
    files
}

#[test]
fn init_writes_the_starter_files_exactly_and_names_the_next_command() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("new-project");
    let (code, stdout, stderr) = touchpoint(&["init", dir.to_str().unwrap()]);
    assert_eq!(code, 0, "{stdout}{stderr}");

    // What is written is exactly what the repository holds under
    // templates/init: a template file left out of the command, or one
    // written from elsewhere, fails here.
    let written = files_under(&dir);
    let templates = files_under(&project().join("templates/init"));
    assert_eq!(
        written.keys().collect::<Vec<_>>(),
        templates.keys().collect::<Vec<_>>()
    );
    assert_eq!(written, templates);
    for name in written.keys() {
        let shown = dir.join(name);
        assert!(
            stdout.contains(&shown.display().to_string()),
            "{name} is not listed:\n{stdout}"
        );
    }
    let next = format!("touchpoint check {}", dir.join("menus").display());
    assert!(stdout.contains(&next), "no `{next}` in:\n{stdout}");
}

#[test]
fn init_in_the_current_folder_then_check_passes_clean() {
    let temp = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) = touchpoint_in(temp.path(), &["init"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("  menus/phone/main.yaml\n"), "{stdout}");
    assert!(stdout.contains("\n  touchpoint check\n"), "{stdout}");

    // The command it names, as it names it: `check` reads `menus` by default.
    let (code, stdout, stderr) = touchpoint_in(temp.path(), &["check", "--format", "json"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["findings"], Value::Array(vec![]), "{stdout}");
    assert_eq!(report["notes"], Value::Array(vec![]), "{stdout}");
    assert_eq!(report["summary"]["personas_failed"], 0, "{stdout}");
    assert_eq!(report["summary"]["personas_passed"], 2, "{stdout}");
    let personas = report["personas"].as_array().unwrap();
    assert_eq!(personas.len(), 2, "{stdout}");
    assert!(personas.iter().all(|run| run["passed"] == true), "{stdout}");
    // Both channels and both flows of the phone line are in the set.
    let flows: Vec<&str> = report["coverage"]["flows"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|flow| flow["flow"].as_str())
        .collect();
    for flow in ["main", "verify", "selfservice"] {
        assert!(flows.contains(&flow), "no flow {flow} in {flows:?}");
    }
}

#[test]
fn init_refuses_to_replace_an_existing_file_and_writes_nothing() {
    let temp = tempfile::tempdir().unwrap();
    let kept = temp.path().join("menus/intents.yaml");
    std::fs::create_dir_all(kept.parent().unwrap()).unwrap();
    std::fs::write(&kept, "intents: {}\n").unwrap();

    let (code, stdout, stderr) = touchpoint(&["init", temp.path().to_str().unwrap()]);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(
        stderr.contains(&format!("`{}` already exists", kept.display())),
        "{stderr}"
    );
    // Not one file was written, and the existing one is as it was, though
    // it comes after others in the order init writes them.
    let files = files_under(temp.path());
    assert_eq!(files.keys().collect::<Vec<_>>(), ["menus/intents.yaml"]);
    assert_eq!(files["menus/intents.yaml"], b"intents: {}\n");
}

#[test]
fn init_refuses_a_workflow_that_is_already_there() {
    let temp = tempfile::tempdir().unwrap();
    let workflow = temp.path().join(".github/workflows/touchpoint.yml");
    std::fs::create_dir_all(workflow.parent().unwrap()).unwrap();
    std::fs::write(&workflow, "name: ours\n").unwrap();

    let (code, _, stderr) = touchpoint_in(temp.path(), &["init"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("`.github/workflows/touchpoint.yml` already exists"),
        "{stderr}"
    );
    assert_eq!(
        files_under(temp.path()).keys().collect::<Vec<_>>(),
        [".github/workflows/touchpoint.yml"]
    );
}

#[test]
fn init_refuses_a_file_where_a_folder_goes_and_writes_nothing() {
    let temp = tempfile::tempdir().unwrap();
    std::fs::write(temp.path().join("menus"), "not a folder\n").unwrap();

    let (code, _, stderr) = touchpoint_in(temp.path(), &["init"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("`menus` is not a folder"), "{stderr}");
    assert_eq!(
        files_under(temp.path()).keys().collect::<Vec<_>>(),
        ["menus"]
    );
}

/// Whether `value` fits `schema`, as far as the keys and the shape go:
/// `$ref`, `oneOf`/`anyOf`, `type`, `properties` with `additionalProperties`
/// and `required`, `items`, `enum` and `const`. Patterns and bounds are the
/// loader's to check; what this tests is that an editor using the schema
/// offers and accepts every key the starter files use.
fn fits(value: &Value, schema: &Value, root: &Value) -> bool {
    let Some(schema) = schema.as_object() else {
        return schema != &Value::Bool(false);
    };
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let name = reference.strip_prefix("#/$defs/").expect("a local $ref");
        if !fits(value, &root["$defs"][name], root) {
            return false;
        }
    }
    for any in ["oneOf", "anyOf"] {
        if let Some(branches) = schema.get(any).and_then(Value::as_array) {
            if !branches.iter().any(|branch| fits(value, branch, root)) {
                return false;
            }
        }
    }
    if let Some(kind) = schema.get("type") {
        let kinds: Vec<&str> = match kind {
            Value::Array(kinds) => kinds.iter().filter_map(Value::as_str).collect(),
            kind => vec![kind.as_str().unwrap()],
        };
        let is = |name: &str| match name {
            "object" => value.is_object(),
            "array" => value.is_array(),
            "string" => value.is_string(),
            "boolean" => value.is_boolean(),
            "integer" => value.is_i64() || value.is_u64(),
            "number" => value.is_number(),
            "null" => value.is_null(),
            other => panic!("type {other}"),
        };
        if !kinds.into_iter().any(is) {
            return false;
        }
    }
    if let Some(allowed) = schema.get("enum").and_then(Value::as_array) {
        if !allowed.contains(value) {
            return false;
        }
    }
    if let Some(constant) = schema.get("const") {
        if constant != value {
            return false;
        }
    }
    if let Some(object) = value.as_object() {
        let properties = schema.get("properties").and_then(Value::as_object);
        for (key, item) in object {
            let item_schema = properties
                .and_then(|properties| properties.get(key))
                .or_else(|| schema.get("additionalProperties"));
            // A key with neither is allowed: JSON Schema's default.
            if item_schema.is_some_and(|item_schema| !fits(item, item_schema, root)) {
                return false;
            }
        }
        if let Some(required) = schema.get("required").and_then(Value::as_array) {
            if !required
                .iter()
                .all(|key| object.contains_key(key.as_str().unwrap()))
            {
                return false;
            }
        }
    }
    if let (Some(items), Some(array)) = (schema.get("items"), value.as_array()) {
        if !array.iter().all(|item| fits(item, items, root)) {
            return false;
        }
    }
    true
}

#[test]
fn every_starter_file_fits_the_json_schema() {
    let (code, schema, stderr) = touchpoint(&["schema"]);
    assert_eq!(code, 0, "{stderr}");
    let schema: Value = serde_json::from_str(&schema).unwrap();

    let set: PathBuf = project().join("templates/init/menus");
    let files = files_under(&set);
    assert!(files.len() >= 7, "{:?}", files.keys());
    for (name, bytes) in files {
        let document: Value = serde_yaml::from_slice(&bytes).unwrap();
        assert!(
            fits(&document, &schema, &schema),
            "{name} does not fit the schema"
        );
        // The validator is not one that accepts anything: a key the format
        // does not have fails it.
        let mut wrong = document.clone();
        wrong
            .as_object_mut()
            .unwrap()
            .insert("colour".to_string(), Value::from("blue"));
        assert!(
            !fits(&wrong, &schema, &schema),
            "{name} with `colour:` fits the schema"
        );
    }
}

#[test]
fn the_starter_workflow_checks_menus_and_uploads_sarif() {
    let text =
        std::fs::read_to_string(project().join("templates/init/.github/workflows/touchpoint.yml"))
            .unwrap();
    let workflow: Value = serde_yaml::from_str(&text).unwrap();
    let steps = workflow["jobs"]["check"]["steps"].as_array().unwrap();
    let runs: Vec<&str> = steps
        .iter()
        .filter_map(|step| step["run"].as_str())
        .collect();
    assert!(
        runs.iter()
            .any(|run| run.starts_with("touchpoint check menus --format sarif -o touchpoint.sarif")),
        "{runs:?}"
    );
    let uploads_sarif = steps.iter().any(|step| {
        step["uses"]
            .as_str()
            .is_some_and(|uses| uses.starts_with("github/codeql-action/upload-sarif"))
            && step["with"]["sarif_file"] == "touchpoint.sarif"
    });
    assert!(uploads_sarif, "{text}");
}

/// The phone flow's opening comment names a replay; it plays as it says, in
/// the folder where `init` ran.
#[test]
fn the_replay_the_phone_flow_suggests_pays_the_bill() {
    let temp = tempfile::tempdir().unwrap();
    assert_eq!(touchpoint_in(temp.path(), &["init"]).0, 0);
    let main = std::fs::read_to_string(temp.path().join("menus/phone/main.yaml")).unwrap();
    let suggested = "touchpoint replay --flow main --inputs 1,12345678,1234";
    assert!(main.contains(suggested), "{main}");

    let args: Vec<&str> = suggested.split(' ').skip(1).collect();
    let (code, stdout, stderr) = touchpoint_in(temp.path(), &args);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("ended at end `payment_taken`"), "{stdout}");
}

/// A link by a starter file's name is not replaced, even one that points
/// nowhere (writing through it would create a file elsewhere).
#[cfg(unix)]
#[test]
fn init_refuses_a_dangling_link_by_a_starter_file_name() {
    let temp = tempfile::tempdir().unwrap();
    std::fs::create_dir(temp.path().join("menus")).unwrap();
    let link = temp.path().join("menus/touchpoint.yaml");
    std::os::unix::fs::symlink(temp.path().join("elsewhere.yaml"), &link).unwrap();

    let (code, _, stderr) = touchpoint_in(temp.path(), &["init"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("`menus/touchpoint.yaml` already exists"),
        "{stderr}"
    );
    // Nothing was written: the folder holds the link alone, which still
    // points nowhere.
    let names = |folder: &Path| -> Vec<String> {
        std::fs::read_dir(folder)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect()
    };
    assert_eq!(names(temp.path()), ["menus"]);
    assert_eq!(names(&temp.path().join("menus")), ["touchpoint.yaml"]);
    assert!(!temp.path().join("elsewhere.yaml").exists());
}
