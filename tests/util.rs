//! Helpers shared by the end-to-end tests: a command builder, the fixture paths and their truth.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// The repository root.
pub(crate) fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The committed fixture charts.
pub(crate) fn charts() -> PathBuf {
    root().join("fixtures/charts")
}

/// The ground truth of the fixtures, keyed by path relative to `fixtures/`.
pub(crate) fn truth() -> &'static Value {
    static TRUTH: OnceLock<Value> = OnceLock::new();
    TRUTH.get_or_init(|| {
        let text = std::fs::read_to_string(root().join("fixtures/truth.json")).unwrap();
        serde_json::from_str(&text).unwrap()
    })
}

/// `chartdex --data DATA args…`, with a clean environment.
pub(crate) fn chartdex(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_chartdex"))
        .arg("--data")
        .arg(data)
        .args(args)
        .env_remove("CHARTDEX_DATA")
        .env_remove("CHARTDEX_LOG")
        .env("NO_COLOR", "1")
        .output()
        .expect("chartdex runs")
}

pub(crate) fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub(crate) fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Asserts the exit code, showing the output when it differs.
#[track_caller]
pub(crate) fn assert_code(out: &Output, code: i32) {
    assert_eq!(out.status.code(), Some(code), "stdout:\n{}\nstderr:\n{}", stdout(out), stderr(out));
}

/// Parses JSON Lines output.
pub(crate) fn json_lines(out: &Output) -> Vec<Value> {
    stdout(out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad JSON line {l:?}: {e}")))
        .collect()
}

/// A data directory holding the fixtures, ingested once and shared by the read-only tests.
pub(crate) struct Ingested {
    _dir: tempfile::TempDir,
    pub(crate) data: PathBuf,
    pub(crate) report: Output,
}

pub(crate) fn ingested_fixtures() -> &'static Ingested {
    static ONCE: OnceLock<Ingested> = OnceLock::new();
    ONCE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let charts = charts();
        let report = chartdex(&data, &["ingest", charts.to_str().unwrap()]);
        Ingested { _dir: dir, data, report }
    })
}

/// Hex SHA-256 of a file.
pub(crate) fn sha256_file(path: &Path) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(std::fs::read(path).unwrap());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Every fixture chart file, relative to `fixtures/charts`, sorted.
pub(crate) fn chart_files() -> Vec<String> {
    let mut files: Vec<String> = truth()["files"]
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.strip_prefix("charts/").unwrap().to_string())
        .collect();
    files.sort();
    files
}
