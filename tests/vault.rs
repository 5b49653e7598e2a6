//! The vault, audit, restore, access log, crash safety and incremental runs.

use crate::util::*;
use serde_json::Value;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// A fresh data directory holding the fixtures, for a test that changes it.
fn ingested_copy(dir: &Path) -> PathBuf {
    let data = dir.join("data");
    assert_code(&chartdex(&data, &["ingest", charts().to_str().unwrap()]), 0);
    data
}

fn audit(data: &Path) -> (i32, Value) {
    let out = chartdex(data, &["audit", "--json"]);
    let report = serde_json::from_str(&stdout(&out))
        .unwrap_or_else(|e| panic!("audit JSON: {e}\n{}\n{}", stdout(&out), stderr(&out)));
    (out.status.code().unwrap(), report)
}

/// The problems of an audit as (kind, id) pairs.
fn problems(report: &Value) -> Vec<(String, Option<String>)> {
    report["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["kind"].as_str().unwrap().to_string(), p["id"].as_str().map(String::from)))
        .collect()
}

fn vault_file(data: &Path, id: &str) -> PathBuf {
    data.join("vault").join(&id[..2]).join(id)
}

fn copy_dir(from: &Path, to: &Path) {
    let ok = Command::new("cp").arg("-a").arg(from).arg(to).status().unwrap().success();
    assert!(ok, "cp -a {} {}", from.display(), to.display());
}

fn log_lines(data: &Path) -> Vec<String> {
    fs::read_to_string(data.join("access.log")).unwrap().lines().map(String::from).collect()
}

fn write_log(data: &Path, lines: &[String]) {
    fs::write(data.join("access.log"), lines.iter().map(|l| format!("{l}\n")).collect::<String>())
        .unwrap();
}

#[test]
fn audit_finds_every_kind_of_damage_and_exits_non_zero() {
    let dir = tempfile::tempdir().unwrap();
    let data = ingested_copy(dir.path());
    // Some reads, so the access log has records in the middle to tamper with.
    assert_code(&chartdex(&data, &["search", "metformin"]), 0);
    assert_code(&chartdex(&data, &["search", "lumbar"]), 0);
    let (code, clean) = audit(&data);
    assert_eq!(code, 0, "{clean}");
    assert_eq!(clean["clean"], true);
    let n = chart_files().len() as u64;
    assert_eq!((clean["documents"].as_u64(), clean["rehashed"].as_u64()), (Some(n), Some(n)));
    assert_eq!(clean["indexed_documents"].as_u64(), Some(n));
    assert!(clean["bytes_read"].as_u64().unwrap() > 1_000_000);
    let id = sha256_file(&charts().join("lab_report.jpg"));

    // Each case damages its own copy of the data directory.
    type Damage = fn(&Path, &str);
    let cases: [(&str, Damage, &str); 7] = [
        (
            "one byte flipped",
            |d, id| {
                let path = vault_file(d, id);
                let mut bytes = fs::read(&path).unwrap();
                let mid = bytes.len() / 2;
                bytes[mid] ^= 0x01;
                fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
                fs::write(&path, bytes).unwrap();
            },
            "corrupt",
        ),
        ("original deleted", |d, id| fs::remove_file(vault_file(d, id)).unwrap(), "missing"),
        (
            "stray file",
            |d, _| fs::write(d.join("vault/ab/stray.pdf"), b"%PDF-1.4").unwrap(),
            "orphan",
        ),
        ("index removed", |d, _| fs::remove_dir_all(d.join("index")).unwrap(), "unindexed"),
        (
            "log record edited",
            |d, _| {
                let mut l = log_lines(d);
                l[1] = l[1].replace("metformin", "aspirin");
                write_log(d, &l);
            },
            "access-log",
        ),
        (
            "log record deleted",
            |d, _| {
                let mut l = log_lines(d);
                l.remove(1);
                write_log(d, &l);
            },
            "access-log",
        ),
        (
            "last log record deleted",
            |d, _| {
                let mut l = log_lines(d);
                l.pop();
                write_log(d, &l);
            },
            "access-log",
        ),
    ];
    fs::create_dir_all(data.join("vault/ab")).unwrap();
    for (i, (name, damage, kind)) in cases.into_iter().enumerate() {
        let copy = dir.path().join(format!("case{i}"));
        copy_dir(&data, &copy);
        damage(&copy, &id);
        let (code, report) = audit(&copy);
        assert_eq!(code, 4, "{name}: {report}");
        assert_eq!(report["clean"], false, "{name}");
        let found = problems(&report);
        assert!(found.iter().any(|(k, _)| k == kind), "{name}: {found:?}");
        if matches!(kind, "corrupt" | "missing") {
            // Exactly the damaged original, named by its id and its source.
            assert_eq!(found, [(kind.to_string(), Some(id.clone()))], "{name}");
            let p = &report["problems"][0];
            assert!(p["path"].as_str().unwrap().ends_with("lab_report.jpg"), "{name}: {p}");
        }
        if kind == "unindexed" {
            assert_eq!(found.len() as u64, n, "{name}: every document");
            // The index is rebuilt from the catalogue, and the audit is clean again.
            assert_code(&chartdex(&copy, &["reindex"]), 0);
            assert_eq!(audit(&copy).0, 0, "{name}: after reindex");
        }
    }

    // A sample re-hashes a part, and still checks every original is there.
    let out = chartdex(&data, &["audit", "--json", "--sample", "30"]);
    assert_code(&out, 0);
    let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(report["rehashed"].as_u64(), Some((n as f64 * 0.3).ceil() as u64));
    assert_eq!(report["documents"].as_u64(), Some(n));
    // The text report gives the read speed.
    let out = chartdex(&data, &["audit"]);
    assert_code(&out, 0);
    assert!(stdout(&out).contains("MB/s"), "{}", stdout(&out));
    assert!(stdout(&out).contains("problems:    none"), "{}", stdout(&out));
}

#[test]
fn restore_gives_back_byte_identical_files_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let data = ingested_copy(dir.path());
    let to = dir.path().join("restored");
    let files = chart_files();
    let ids: Vec<String> = files.iter().map(|f| sha256_file(&charts().join(f))).collect();
    let mut args = vec!["restore", "--to", to.to_str().unwrap()];
    // Full ids and a short prefix both work.
    args.extend(ids.iter().map(|i| if i == &ids[0] { &i[..8] } else { i.as_str() }));
    let out = chartdex(&data, &args);
    assert_code(&out, 0);
    for f in &files {
        let name = Path::new(f).file_name().unwrap();
        let original = fs::read(charts().join(f)).unwrap();
        assert_eq!(fs::read(to.join(name)).unwrap(), original, "{f}");
        let mode = fs::metadata(to.join(name)).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{f}");
    }
    assert_eq!(fs::read_dir(&to).unwrap().count(), files.len());

    // A second restore into the same folder leaves every file as it is.
    let name = Path::new(&files[0]).file_name().unwrap();
    fs::write(to.join(name), b"someone's edits").unwrap();
    let out = chartdex(&data, &["restore", "--to", to.to_str().unwrap(), &ids[0]]);
    assert_code(&out, 1);
    assert!(stderr(&out).contains("is not overwritten"), "{}", stderr(&out));
    assert_eq!(fs::read(to.join(name)).unwrap(), b"someone's edits");
    assert_eq!(fs::read_dir(&to).unwrap().count(), files.len(), "no temporary file left");

    // A damaged original is not restored.
    let path = vault_file(&data, &ids[1]);
    fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
    fs::write(&path, b"damaged").unwrap();
    let elsewhere = dir.path().join("elsewhere");
    let out = chartdex(&data, &["restore", "--to", elsewhere.to_str().unwrap(), &ids[1]]);
    assert_code(&out, 1);
    assert!(stderr(&out).contains("does not match"), "{}", stderr(&out));
    assert_eq!(fs::read_dir(&elsewhere).unwrap().count(), 0);
}

#[test]
fn every_access_is_logged_with_who_what_and_how_many() {
    let dir = tempfile::tempdir().unwrap();
    let data = ingested_copy(dir.path());
    let id = sha256_file(&charts().join("lab_report.jpg"));
    let to = dir.path().join("out");
    assert_code(&chartdex(&data, &["search", "Testpatient", "OR", "metformin"]), 0);
    assert_code(&chartdex(&data, &["show", &id[..10]]), 0);
    assert_code(&chartdex(&data, &["export"]), 0);
    assert_code(&chartdex(&data, &["restore", &id, "--to", to.to_str().unwrap()]), 0);
    let out = chartdex(&data, &["log", "--json"]);
    assert_code(&out, 0);
    let records = json_lines(&out);
    let actions: Vec<&str> = records.iter().map(|r| r["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["ingest", "search", "show", "export", "restore"]);
    let n = chart_files().len() as u64;
    assert_eq!(records[0]["results"].as_u64(), Some(n));
    assert_eq!(records[1]["what"]["query"], "Testpatient OR metformin");
    assert!(records[1]["results"].as_u64().unwrap() >= 1);
    assert_eq!(records[2]["what"]["ids"], serde_json::json!([id]));
    assert_eq!(records[3]["what"]["ids"].as_array().unwrap().len() as u64, n);
    assert_eq!(records[3]["results"].as_u64(), Some(n));
    assert_eq!(records[4]["what"]["ids"], serde_json::json!([id]));
    let uid = rustix_uid();
    for (i, r) in records.iter().enumerate() {
        assert_eq!(r["seq"].as_u64(), Some(i as u64 + 1));
        assert_eq!(r["uid"].as_u64(), Some(uid), "{r}");
        assert!(!r["user"].as_str().unwrap().is_empty());
        assert!(r["at"].as_str().unwrap().starts_with("20"));
        if i > 0 {
            assert_eq!(r["prev"], records[i - 1]["hash"]);
        }
    }
    // The log is private, and reading it is an access too.
    assert_eq!(fs::metadata(data.join("access.log")).unwrap().permissions().mode() & 0o777, 0o600);
    let text = stdout(&chartdex(&data, &["log"]));
    assert!(text.contains("search") && text.contains("\"Testpatient OR metformin\""), "{text}");
    assert_eq!(log_lines(&data).len(), 7);
}

fn rustix_uid() -> u64 {
    // The uid of this process, as `id -u` prints it.
    let out = Command::new("id").arg("-u").output().unwrap();
    String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
}

/// Documents in the catalogue (0 before there is one), read as a second process would.
fn catalogued(data: &Path) -> i64 {
    let path = data.join("catalogue.sqlite");
    if !path.exists() {
        return 0;
    }
    let flags = rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY;
    rusqlite::Connection::open_with_flags(&path, flags)
        .and_then(|c| c.query_row("SELECT COUNT(*) FROM documents", [], |r| r.get(0)))
        .unwrap_or(0)
}

/// Runs `chartdex ingest` in the background.
fn spawn_ingest(data: &Path, root: &Path) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_chartdex"))
        .arg("--data")
        .arg(data)
        .args(["ingest", "--jobs", "2"])
        .arg(root)
        .env("OMP_THREAD_LIMIT", "1")
        .env_remove("CHARTDEX_DATA")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap()
}

#[test]
fn an_ingest_killed_at_any_point_is_completed_by_the_next_run() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let root = charts();
    // Kill -9 real ingests at points spread over a whole run, each next run starting from what
    // the killed one left: three early (start-up, walking, storing originals), then each right
    // after the run catalogued another document, so kills land mid-run however fast the machine.
    let n = chart_files().len();
    let mut partial = Vec::new();
    let mut finished = false;
    for round in 0..(3 + n) {
        let before = catalogued(&data);
        let mut child = spawn_ingest(&data, &root);
        let started = std::time::Instant::now();
        loop {
            if child.try_wait().unwrap().is_some() {
                finished = true;
                break;
            }
            let early = [20, 80, 200].get(round).map(|&ms| Duration::from_millis(ms));
            let due = match early {
                Some(after) => started.elapsed() >= after,
                None => catalogued(&data) > before,
            };
            if due || started.elapsed() > Duration::from_secs(120) {
                child.kill().unwrap(); // SIGKILL
                child.wait().unwrap();
                break;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        if finished {
            break;
        }
        // Whatever it left can be read.
        if data.join("catalogue.sqlite").exists() {
            assert_code(&chartdex(&data, &["search", "--json", "patient"]), 0);
            let out = chartdex(&data, &["export"]);
            assert_code(&out, 0);
            partial.push(json_lines(&out).len());
        }
    }
    // Runs were killed with part of the work done, not only before or after it.
    assert!(partial.iter().any(|&k| k > 0 && k < n), "killed with {partial:?} of {n} documents");
    let out = chartdex(&data, &["ingest", "--json", root.to_str().unwrap()]);
    assert_code(&out, 0);
    // Every file once, under the hash of its bytes.
    let docs = json_lines(&chartdex(&data, &["export"]));
    let mut ids: Vec<String> = docs.iter().map(|d| d["id"].as_str().unwrap().to_string()).collect();
    let mut expected: Vec<String> =
        chart_files().iter().map(|f| sha256_file(&root.join(f))).collect();
    ids.sort();
    expected.sort();
    assert_eq!(ids, expected);
    for d in &docs {
        assert_eq!(d["sources"].as_array().unwrap().len(), 1, "{}", d["id"]);
    }
    // The vault, catalogue and index agree: no orphan, nothing missing, nothing unindexed, every
    // page indexed once.
    let (code, report) = audit(&data);
    assert_eq!(code, 0, "{report}");
    let hits = json_lines(&chartdex(&data, &["search", "--json", "--limit", "100", "patient"]));
    let pages: std::collections::HashSet<(String, u64)> = hits
        .iter()
        .map(|h| (h["id"].as_str().unwrap().to_string(), h["page"].as_u64().unwrap()))
        .collect();
    assert_eq!(pages.len(), hits.len(), "a page indexed twice");
    assert!(fs::read_dir(data.join("vault/tmp")).unwrap().next().is_none(), "leftovers removed");
}

#[test]
fn a_concurrent_ingest_is_refused_while_searches_keep_working() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let one = charts().join("referral_fax.tif");
    assert_code(&chartdex(&data, &["ingest", one.to_str().unwrap()]), 0);
    let mut first = spawn_ingest(&data, &charts());
    // Wait until the first run holds the writer lock.
    let lock = fs::OpenOptions::new().write(true).open(data.join("lock")).unwrap();
    let mut held = false;
    for _ in 0..200 {
        match lock.try_lock() {
            Err(fs::TryLockError::WouldBlock) => {
                held = true;
                break;
            }
            Ok(()) => {
                lock.unlock().unwrap();
                std::thread::sleep(Duration::from_millis(10));
            }
            Err(e) => panic!("{e:?}"),
        }
    }
    assert!(held, "the first ingest never took the lock");
    let second = chartdex(&data, &["ingest", charts().to_str().unwrap()]);
    let searched = chartdex(&data, &["search", "--json", "lumbar"]);
    let status = first.wait().unwrap();
    assert_code(&second, 1);
    assert!(stderr(&second).contains("another ingest is already running"), "{}", stderr(&second));
    assert_code(&searched, 0);
    assert_eq!(json_lines(&searched).len(), 1);
    assert!(status.success());
}

#[test]
fn a_changed_file_is_a_new_version_and_the_old_original_stays() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let scans = dir.path().join("scans");
    fs::create_dir_all(&scans).unwrap();
    let file = scans.join("chart.png");
    fs::copy(charts().join("progress_note.png"), &file).unwrap();
    let old = sha256_file(&file);
    assert_code(&chartdex(&data, &["ingest", scans.to_str().unwrap()]), 0);

    // Touched, same bytes: read and hashed again, nothing new; the next run skips it unread.
    let f = fs::File::options().write(true).open(&file).unwrap();
    f.set_modified(std::time::SystemTime::now() + Duration::from_secs(5)).unwrap();
    drop(f);
    let out = chartdex(&data, &["ingest", "--json", scans.to_str().unwrap()]);
    let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(
        (report["documents_new"].as_u64(), report["pages_ocred"].as_u64()),
        (Some(0), Some(0))
    );
    let out = chartdex(&data, &["ingest", "--json", scans.to_str().unwrap()]);
    let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(report["unchanged"].as_u64(), Some(1));

    // Changed bytes: a new document; the old original stays in the vault, unaltered.
    fs::copy(charts().join("box2/radiology_report.png"), &file).unwrap();
    let new = sha256_file(&file);
    let out = chartdex(&data, &["ingest", "--json", scans.to_str().unwrap()]);
    let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(report["documents_new"].as_u64(), Some(1));
    let ids: Vec<String> = json_lines(&chartdex(&data, &["export"]))
        .iter()
        .map(|d| d["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids.len(), 2);
    assert!(ids.contains(&old) && ids.contains(&new));
    assert_eq!(sha256_file(&vault_file(&data, &old)), old);
    let show = stdout(&chartdex(&data, &["show", &new]));
    assert!(show.contains(&format!("earlier version: {}", &old)), "{show}");
    let show = stdout(&chartdex(&data, &["show", &old]));
    assert!(show.contains(&format!("later version: {}", &new)), "{show}");
    assert_eq!(audit(&data).0, 0);
}
