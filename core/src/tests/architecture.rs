//! The crate's layering, checked: a module names only modules of its own
//! layer or of the layers below it (`ARCHITECTURE.md` draws them). The one
//! sanctioned exception is the composition root `kinds/mod.rs`, whose
//! [`crate::kinds::RecordKind`] and [`crate::kinds::REGISTRY`] every layer
//! may name. To add a top-level module, give it a layer in [`LAYERS`].

use std::path::{Path, PathBuf};

/// Top-level modules by layer, lowest first.
const LAYERS: &[(&str, &[&str])] = &[
    (
        "values",
        &[
            "validate",
            "code_list",
            "values",
            "identity",
            "error",
            "sortkey",
            "calendar",
            "photos",
            "spatial",
        ],
    ),
    ("documents", &["crdt", "entries", "docs", "registry"]),
    ("store", &["store", "db"]),
    ("kinds", &["kinds"]),
    ("views", &["views"]),
    (
        "interchange",
        &["changeset", "sync", "ffi", "roster_import", "self_report"],
    ),
];

/// What a lower layer may name from above.
const ROOT_EXCEPTIONS: &[&str] = &["kinds::RecordKind", "kinds::REGISTRY"];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS
        .iter()
        .position(|(_, modules)| modules.contains(&module))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every `crate::a::b` path a source file names, with `use crate::{a, b}` groups expanded to their first segment.
fn crate_paths(source: &str) -> Vec<String> {
    let mut paths = Vec::new();
    let mut rest = source;
    while let Some(at) = rest.find("crate::") {
        let after = &rest[at + "crate::".len()..];
        let path: String = after
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
            .collect();
        if path.is_empty() && after.starts_with('{') {
            let group: String = after[1..].chars().take_while(|c| *c != '}').collect();
            paths.extend(group.split(',').map(|p| p.trim().to_string()));
        } else {
            paths.push(path.trim_end_matches(':').to_string());
        }
        rest = after;
    }
    paths
}

#[test]
fn no_module_names_a_layer_above_its_own() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut violations = Vec::new();
    for file in files {
        let relative = file
            .strip_prefix(&src)
            .unwrap()
            .to_string_lossy()
            .to_string();
        let top = relative
            .split(['/', '.'])
            .next()
            .unwrap_or_default()
            .to_string();
        // The crate root re-exports everything; the tests use everything.
        if top == "lib" || top == "tests" || relative == "kinds/mod.rs" {
            continue;
        }
        let own = layer_of(&top).unwrap_or_else(|| panic!("{relative}: give `{top}` a layer"));
        let source = std::fs::read_to_string(&file).unwrap();
        for path in crate_paths(&source) {
            let target = path.split("::").next().unwrap_or_default();
            let Some(layer) = layer_of(target) else {
                continue;
            };
            let sanctioned = ROOT_EXCEPTIONS.iter().any(|e| path.starts_with(e));
            if layer > own && !sanctioned {
                violations.push(format!(
                    "{relative} ({}) names crate::{path} ({})",
                    LAYERS[own].0, LAYERS[layer].0
                ));
            }
        }
    }
    assert!(violations.is_empty(), "{}", violations.join("\n"));
}

#[test]
fn the_check_sees_a_violation() {
    let paths = crate_paths(
        "use crate::{kinds::roster::Grid, error::Error};\nlet x = crate::sync::wire::X;",
    );
    assert_eq!(
        paths,
        ["kinds::roster::Grid", "error::Error", "sync::wire::X"]
    );
}
