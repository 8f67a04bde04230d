//! Shared test harness: run the genie binary, copy fixtures to temporary folders.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_genie"))
}

pub fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A genie command with a clean environment for output that does not depend on the host.
pub fn genie(cwd: &Path) -> Command {
    let mut c = Command::new(bin());
    c.current_dir(cwd)
        .env_remove("GITHUB_STEP_SUMMARY")
        .env_remove("NO_COLOR")
        .env("GIT_CONFIG_NOSYSTEM", "1");
    c
}

pub fn run(cwd: &Path, args: &[&str]) -> Output {
    genie(cwd).args(args).output().expect("genie runs")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Copy a directory tree (symlinks are recreated as symlinks).
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let ft = entry.file_type().unwrap();
        let dest = to.join(entry.file_name());
        if ft.is_dir() {
            copy_tree(&entry.path(), &dest);
        } else if ft.is_symlink() {
            let target = std::fs::read_link(entry.path()).unwrap();
            std::os::unix::fs::symlink(target, dest).unwrap();
        } else {
            std::fs::copy(entry.path(), dest).unwrap();
        }
    }
}

/// A temporary copy of a folder of the repository (e.g. `examples/broken`).
pub fn fixture(rel: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&manifest_dir().join(rel), dir.path());
    dir
}

/// Write files (path, content) under `root`.
pub fn write_files(root: &Path, files: &[(&str, &str)]) {
    for (path, content) in files {
        let p = root.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, content).unwrap();
    }
}

/// `genie check --format json` parsed.
pub fn check_json(root: &Path, extra: &[&str]) -> (i32, serde_json::Value) {
    let mut args = vec!["check", "--format", "json"];
    args.extend_from_slice(extra);
    let o = run(root, &args);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("json: {e}\nstdout: {}\nstderr: {}", stdout(&o), stderr(&o)));
    (o.status.code().unwrap_or(-1), v)
}

/// (code, path, line) of every diagnostic.
pub fn findings(v: &serde_json::Value) -> Vec<(String, String, u64)> {
    v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["path"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// A minimal valid document.
pub fn doc(id: &str, ty: &str, extra: &str) -> String {
    format!(
        "---\ndoc_id: {id}\ntype: {ty}\ntitle: {id} title\nstatus: draft\nowner_role: pm\ncreated_at: 2026-01-05\n{extra}---\n\n# {id} title\n\nBody.\n"
    )
}

/// Compare `actual` with the snapshot file `tests/snapshots/<name>`; with
/// `GENIE_BLESS=1` the file is rewritten instead.
pub fn snapshot(name: &str, actual: &str) {
    let path = manifest_dir().join("tests/snapshots").join(name);
    if std::env::var_os("GENIE_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "missing snapshot {}; run with GENIE_BLESS=1 to create it",
            path.display()
        )
    });
    if expected != actual {
        let mut diff = String::new();
        for (i, (e, a)) in expected.lines().zip(actual.lines()).enumerate() {
            if e != a {
                diff.push_str(&format!(
                    "line {}:\n  expected: {e}\n  actual:   {a}\n",
                    i + 1
                ));
                if diff.len() > 4000 {
                    break;
                }
            }
        }
        panic!(
            "snapshot {} differs ({} vs {} lines; GENIE_BLESS=1 to update):\n{diff}",
            name,
            expected.lines().count(),
            actual.lines().count()
        );
    }
}
