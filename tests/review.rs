//! The review queue: pages OCR could not read well are listed for a person to check.

use crate::util::*;

#[test]
fn an_illegible_page_is_queued_for_review_with_its_reason() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let scans = root().join("fixtures/review");
    let out = chartdex(&data, &["ingest", "--json", scans.to_str().unwrap()]);
    assert_code(&out, 0);
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(report["needs_review"], 1);

    let queue = json_lines(&chartdex(&data, &["review", "--json"]));
    assert_eq!(queue.len(), 1);
    assert_eq!(queue[0]["source"], "illegible.png");
    let reason = queue[0]["reason"].as_str().unwrap();
    assert!(reason.starts_with("page 1: low OCR confidence"), "{reason}");

    let id = queue[0]["id"].as_str().unwrap();
    let show = stdout(&chartdex(&data, &["show", id]));
    assert!(show.contains("needs review: yes: page 1: low OCR confidence"), "{show}");
    let doc = json_lines(&chartdex(&data, &["export"]));
    assert_eq!(doc[0]["needs_review"], true);
}

#[test]
fn legible_charts_are_not_queued() {
    let run = ingested_fixtures();
    let out = chartdex(&run.data, &["review"]);
    assert_code(&out, 0);
    assert_eq!(stdout(&out), "");
    assert!(stderr(&out).contains("nothing to review"));
}
