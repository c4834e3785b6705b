//! Embeds the demo study's transcripts (`demo/sources/*`), its manifest
//! (`demo/manifest.json`) and its coders' work (`demo/coding.json`) in the
//! binary, so `verbatim demo` works from any directory with nothing else
//! installed.

use std::path::{Path, PathBuf};

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default()).join("demo");
    println!("cargo:rerun-if-changed=demo");
    let mut files: Vec<PathBuf> = std::fs::read_dir(root.join("sources"))
        .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.sort();
    let mut code = String::from("/// The bundled demo transcripts: (file name, bytes).\n");
    code.push_str("pub const DEMO_FILES: &[(&str, &[u8])] = &[\n");
    for path in files.iter().filter(|p| p.is_file()) {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        code.push_str(&format!(
            "    ({name:?}, include_bytes!({})),\n",
            in_crate(&root, path)
        ));
    }
    code.push_str("];\n");
    let manifest = root.join("manifest.json");
    code.push_str("/// The demo manifest: kind, site, language and date per file.\n");
    if manifest.is_file() {
        code.push_str(&format!(
            "pub const DEMO_MANIFEST: &str = include_str!({});\n",
            in_crate(&root, &manifest)
        ));
    } else {
        code.push_str("pub const DEMO_MANIFEST: &str = \"[]\";\n");
    }
    let coding = root.join("coding.json");
    code.push_str("/// The demo coders, their theme trees and codings (`demo/coding.json`).\n");
    if coding.is_file() {
        code.push_str(&format!(
            "pub const DEMO_CODING: &str = include_str!({});\n",
            in_crate(&root, &coding)
        ));
    } else {
        code.push_str("pub const DEMO_CODING: &str = \"{\\\"coders\\\":[]}\";\n");
    }
    for (name, file, doc, empty) in [
        (
            "DEMO_SITES",
            "sites.csv",
            "The demo sites: code and name (`demo/sites.csv`).",
            "code,name\n",
        ),
        (
            "DEMO_ROSTER",
            "roster.csv",
            "The demo participant roster (`demo/roster.csv`).",
            "code\n",
        ),
        (
            "DEMO_JOURNAL",
            "journal.json",
            "The demo coders' preconceptions and notes (`demo/journal.json`).",
            r#"{"coders":[]}"#,
        ),
        (
            "DEMO_CONSENSUS",
            "consensus.json",
            "The demo team's reconciliation decisions (`demo/consensus.json`).",
            r#"{"revealed_by":"","decided_by":"","merges":[]}"#,
        ),
        (
            "DEMO_MEMOS",
            "memos.json",
            "The demo coders' memos (`demo/memos.json`).",
            r#"{"coders":[]}"#,
        ),
    ] {
        let path = root.join(file);
        code.push_str(&format!("/// {doc}\n"));
        if path.is_file() {
            code.push_str(&format!(
                "pub const {name}: &str = include_str!({});\n",
                in_crate(&root, &path)
            ));
        } else {
            code.push_str(&format!("pub const {name}: &str = {empty:?};\n"));
        }
    }
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap_or_default()).join("demo_files.rs");
    if let Err(err) = std::fs::write(&out, code) {
        panic!("cannot write {}: {err}", out.display());
    }
}

/// Returns the path of `path` (under the crate's `demo/` folder `root`) as
/// an expression resolved when the crate compiles, not when this script
/// ran: the generated file names no absolute path, so a target directory
/// shared by two clones in different folders never points one clone's
/// build at the other's (now perhaps deleted) files.
fn in_crate(root: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(root).unwrap_or(path);
    format!(
        "concat!(env!(\"CARGO_MANIFEST_DIR\"), {:?})",
        format!("/demo/{}", relative.to_string_lossy())
    )
}
