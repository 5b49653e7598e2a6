//! Bad input and misuse: clear reasons, the right exit codes, and the run goes on.

use crate::util::*;
use serde_json::Value;
use std::fs;

#[test]
fn bad_files_are_rejected_with_reasons_and_the_good_ones_ingested() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let scans = dir.path().join("scans");
    fs::create_dir_all(&scans).unwrap();
    fs::copy(charts().join("progress_note.png"), scans.join("good.png")).unwrap();
    fs::write(scans.join("empty.pdf"), b"").unwrap();
    fs::write(scans.join("notes.txt"), b"Patient: Testpatient, Alice").unwrap();
    let png = fs::read(charts().join("medication_list.png")).unwrap();
    fs::write(scans.join("truncated.png"), &png[..png.len() / 3]).unwrap();
    fs::write(scans.join("broken.pdf"), b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog").unwrap();

    let out = chartdex(&data, &["ingest", scans.to_str().unwrap()]);
    assert_code(&out, 3);
    let report = stdout(&out);
    assert!(report.contains("documents new:   1\n"), "{report}");
    assert!(report.contains("files rejected:  4\n"), "{report}");
    for (file, reason) in [
        ("empty.pdf", "empty file"),
        ("notes.txt", "not a supported file type"),
        ("truncated.png", "corrupt or truncated PNG"),
        ("broken.pdf", "corrupt or truncated PDF"),
    ] {
        let line = report
            .lines()
            .find(|l| l.contains(file))
            .unwrap_or_else(|| panic!("{file} not in report:\n{report}"));
        assert!(line.contains(reason), "{line}");
    }

    let rejects = json_lines(&chartdex(&data, &["rejects", "--json"]));
    assert_eq!(rejects.len(), 4);
    assert!(rejects.iter().all(|r| r["reason"].as_str().is_some_and(|s| !s.is_empty())));

    // Re-running retries the rejects (and still rejects them), without re-OCRing the good file.
    let again = chartdex(&data, &["ingest", "--json", scans.to_str().unwrap()]);
    assert_code(&again, 3);
    let summary: Value = serde_json::from_str(&stdout(&again)).unwrap();
    assert_eq!(summary["unchanged"], 1);
    assert_eq!(summary["pages_ocred"], 0);
    assert_eq!(summary["rejected"].as_array().unwrap().len(), 4);

    // Once fixed, a rejected file is digitized and leaves the reject list.
    fs::write(scans.join("truncated.png"), &png).unwrap();
    let fixed = chartdex(&data, &["ingest", scans.to_str().unwrap()]);
    assert_code(&fixed, 3);
    assert!(stdout(&fixed).contains("documents new:   1\n"));
    let rejects = json_lines(&chartdex(&data, &["rejects", "--json"]));
    assert_eq!(rejects.len(), 3, "{rejects:?}");
}

#[test]
fn a_missing_path_is_reported_and_the_rest_ingested() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let good = charts().join("referral_fax.tif");
    let missing = dir.path().join("no-such-folder");
    let out = chartdex(&data, &["ingest", good.to_str().unwrap(), missing.to_str().unwrap()]);
    assert_code(&out, 3);
    let report = stdout(&out);
    assert!(report.contains("documents new:   1\n"), "{report}");
    assert!(report.contains("no-such-folder: no such file or directory"), "{report}");
    // A single file's source is its name.
    let docs = json_lines(&chartdex(&data, &["export"]));
    assert_eq!(docs[0]["source"], "referral_fax.tif");
}

#[test]
fn a_second_ingest_on_the_same_data_directory_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let scan = charts().join("referral_fax.tif");
    assert_code(&chartdex(&data, &["ingest", scan.to_str().unwrap()]), 0);
    // Hold the writer lock as a running ingest would.
    let lock = fs::OpenOptions::new().write(true).open(data.join("lock")).unwrap();
    lock.try_lock().unwrap();
    let out = chartdex(&data, &["ingest", scan.to_str().unwrap()]);
    assert_code(&out, 1);
    assert!(stderr(&out).contains("another ingest is already running"), "{}", stderr(&out));
    // Searches keep working meanwhile.
    let hits = json_lines(&chartdex(&data, &["search", "--json", "lumbar"]));
    assert_eq!(hits.len(), 1);
}

#[test]
fn a_data_directory_that_is_a_file_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("not-a-dir");
    fs::write(&data, b"x").unwrap();
    let scan = charts().join("referral_fax.tif");
    let out = chartdex(&data, &["ingest", scan.to_str().unwrap()]);
    assert_code(&out, 1);
    assert!(stderr(&out).contains("not-a-dir"), "{}", stderr(&out));
}

#[test]
fn usage_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    for args in [&["ingest"][..], &["frobnicate"], &["search"], &["ingest", "--jobs", "0", "x"]] {
        let out = chartdex(&data, args);
        assert_code(&out, 2);
        assert!(stderr(&out).starts_with("error: "), "{args:?}: {}", stderr(&out));
    }
    assert!(!data.exists(), "a usage error creates nothing");
}

#[test]
fn commands_without_a_data_directory_exit_1_with_a_hint() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("nothing-here");
    let commands = [
        &["search", "x"][..],
        &["show", "abcd"],
        &["export"],
        &["rejects"],
        &["reindex"],
        &["audit"],
        &["restore", "abcd", "--to", "out"],
        &["log"],
    ];
    for args in commands {
        let out = chartdex(&data, args);
        assert_code(&out, 1);
        assert!(stderr(&out).contains("chartdex ingest"), "{args:?}: {}", stderr(&out));
    }
}

#[test]
fn unknown_and_malformed_ids_exit_1() {
    let run = ingested_fixtures();
    let out = chartdex(&run.data, &["show", "ffffffffffff"]);
    assert_code(&out, 1);
    assert!(stderr(&out).contains("no document with id ffffffffffff"), "{}", stderr(&out));
    let out = chartdex(&run.data, &["show", "not-hex"]);
    assert_code(&out, 1);
    assert!(stderr(&out).contains("not a document id"), "{}", stderr(&out));
}

#[test]
fn reindex_rebuilds_search_from_the_catalogue() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let scan = charts().join("box2/radiology_report.png");
    assert_code(&chartdex(&data, &["ingest", scan.to_str().unwrap()]), 0);
    fs::remove_dir_all(data.join("index")).unwrap();
    assert!(json_lines(&chartdex(&data, &["search", "--json", "pneumonia"])).is_empty());
    let out = chartdex(&data, &["reindex"]);
    assert_code(&out, 0);
    assert!(stderr(&out).contains("indexed 1 documents"));
    let hits = json_lines(&chartdex(&data, &["search", "--json", "pneumonia"]));
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0]["source"], "radiology_report.png");
}
