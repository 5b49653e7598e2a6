//! Ingest, show and export over the fixture charts; re-runs, duplicates and the vault.

use crate::util::*;
use serde_json::Value;
use std::collections::BTreeSet;
use std::fs;
use std::os::unix::fs::PermissionsExt;

const EXPORT_KEYS: [&str; 16] = [
    "bytes",
    "cpt",
    "doc_type",
    "facility",
    "icd10",
    "id",
    "media_type",
    "medications",
    "needs_review",
    "pages",
    "patient",
    "provider",
    "service_date",
    "source",
    "sources",
    "bytes",
];

#[test]
fn ingest_reports_every_fixture_as_a_new_document() {
    let run = ingested_fixtures();
    assert_code(&run.report, 0);
    let report = stdout(&run.report);
    let n = chart_files().len();
    assert!(report.contains(&format!("files seen:      {n}\n")), "{report}");
    assert!(report.contains(&format!("documents new:   {n}\n")), "{report}");
    assert!(report.contains("files rejected:  0\n"), "{report}");
    let pages: usize = truth()["files"]
        .as_object()
        .unwrap()
        .values()
        .map(|f| f["pages"].as_array().unwrap().len())
        .sum();
    assert!(report.contains(&format!("pages OCRed:     {pages} (")), "{report}");
}

#[test]
fn export_has_the_contract_keys_and_the_ocr_text() {
    let run = ingested_fixtures();
    let out = chartdex(&run.data, &["export", "--format", "jsonl"]);
    assert_code(&out, 0);
    let docs = json_lines(&out);
    assert_eq!(docs.len(), chart_files().len());
    let want: BTreeSet<&str> = EXPORT_KEYS.into_iter().collect();
    let mut sources = Vec::new();
    for doc in &docs {
        let keys: BTreeSet<&str> = doc.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys, want);
        let patient: BTreeSet<&str> =
            doc["patient"].as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(patient, BTreeSet::from(["dob", "family", "given", "mrn", "sex"]));
        let provider: BTreeSet<&str> =
            doc["provider"].as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(provider, BTreeSet::from(["family", "given", "npi"]));

        let source = doc["source"].as_str().unwrap();
        sources.push(source.to_string());
        let truth = &truth()["files"][format!("charts/{source}")];
        let pages = doc["pages"].as_array().unwrap();
        assert_eq!(pages.len(), truth["pages"].as_array().unwrap().len(), "{source}");
        for (i, page) in pages.iter().enumerate() {
            assert_eq!(page["number"], i + 1);
            assert_eq!(page["method"], "ocr");
            let conf = page["confidence"].as_f64().unwrap();
            assert!((0.5..=1.0).contains(&conf), "{source} page {}: {conf}", i + 1);
            // The page's first heading line is read back.
            let text = page["text"].as_str().unwrap().to_lowercase();
            let first_line =
                truth["pages"][i].as_str().unwrap().lines().next().unwrap().to_lowercase();
            assert!(text.contains(&first_line), "{source} page {}: {text}", i + 1);
        }
        let path = charts().join(source);
        assert_eq!(doc["id"], sha256_file(&path));
        assert_eq!(doc["bytes"], fs::metadata(&path).unwrap().len());
        assert_eq!(doc["sources"], Value::from(vec![source]));
        assert_eq!(doc["needs_review"], false);
        // The document type and patient are read off the page.
        assert_eq!(doc["doc_type"], truth["doc_type"], "{source}");
        assert_eq!(doc["patient"]["mrn"], truth["patient"]["mrn"], "{source}");
        assert_eq!(doc["patient"]["family"], truth["patient"]["family"], "{source}");
        // ICD-10 codes validated against the official list; the progress note's "I50.9" is
        // read by OCR as "150.9" and corrected.
        assert_eq!(doc["icd10"], truth["icd10"], "{source}");
    }
    sources.sort();
    assert_eq!(sources, chart_files());
    // Sources are relative to the ingested folder, with '/' separators.
    assert!(sources.contains(&"box2/face_sheet.pdf".to_string()));
    let media: BTreeSet<&str> = docs.iter().map(|d| d["media_type"].as_str().unwrap()).collect();
    assert_eq!(media, BTreeSet::from(["application/pdf", "image/jpeg", "image/png", "image/tiff"]));
}

#[test]
fn show_prints_fields_and_text_page_by_page() {
    let run = ingested_fixtures();
    let id = sha256_file(&charts().join("box2/history_and_physical.pdf"));
    let out = chartdex(&run.data, &["show", &id[..10]]);
    assert_code(&out, 0);
    let text = stdout(&out);
    let truth = &truth()["files"]["charts/box2/history_and_physical.pdf"];
    assert!(text.contains(&format!("id:           {id}")), "{text}");
    assert!(text.contains("source:       box2/history_and_physical.pdf"), "{text}");
    assert!(text.contains("type:         history_and_physical"), "{text}");
    assert!(text.contains(&format!("mrn:          {}", truth["patient"]["mrn"].as_str().unwrap())));
    for n in 1..=3 {
        assert!(text.contains(&format!("--- page {n} (ocr, confidence ")), "{text}");
    }
    assert!(text.contains("Never smoker"), "{text}");

    let json = chartdex(&run.data, &["show", &id, "--json"]);
    assert_code(&json, 0);
    let doc: Value = serde_json::from_str(&stdout(&json)).unwrap();
    assert_eq!(doc["id"], id);
    assert_eq!(doc["pages"].as_array().unwrap().len(), 3);
}

#[test]
fn the_vault_holds_byte_identical_read_only_originals() {
    let run = ingested_fixtures();
    for file in chart_files() {
        let original = charts().join(&file);
        let hash = sha256_file(&original);
        let stored = run.data.join("vault").join(&hash[..2]).join(&hash);
        assert_eq!(fs::read(&stored).unwrap(), fs::read(&original).unwrap(), "{file}");
        let mode = fs::metadata(&stored).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o400, "{file}");
    }
    let mode = |p: &std::path::Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&run.data), 0o700);
    assert_eq!(mode(&run.data.join("catalogue.sqlite")), 0o600);
}

#[test]
fn a_second_ingest_of_the_same_folder_adds_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let scans = dir.path().join("scans");
    fs::create_dir_all(&scans).unwrap();
    for f in ["progress_note.png", "discharge_summary.tif"] {
        fs::copy(charts().join(f), scans.join(f)).unwrap();
    }
    let first = chartdex(&data, &["ingest", scans.to_str().unwrap()]);
    assert_code(&first, 0);
    assert!(stdout(&first).contains("documents new:   2\n"));
    let before = json_lines(&chartdex(&data, &["export"]));

    let second = chartdex(&data, &["ingest", scans.to_str().unwrap(), "--json"]);
    assert_code(&second, 0);
    let report: Value = serde_json::from_str(&stdout(&second)).unwrap();
    assert_eq!(report["documents_new"], 0);
    assert_eq!(report["unchanged"], 2);
    assert_eq!(report["pages_ocred"], 0);
    assert_eq!(report["rejected"], Value::Array(vec![]));
    assert_eq!(json_lines(&chartdex(&data, &["export"])), before);
    // The index did not gain copies either.
    let hits = json_lines(&chartdex(&data, &["search", "--json", "--limit", "50", "patient"]));
    assert_eq!(hits.len(), 2, "one hit per document");
    let pages: u64 = hits.iter().map(|h| h["pages_matched"].as_u64().unwrap()).sum();
    assert_eq!(pages, 3, "one index entry per page");
}

#[test]
fn the_same_bytes_at_two_paths_are_one_document_with_two_sources() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let scans = dir.path().join("scans");
    fs::create_dir_all(scans.join("copies")).unwrap();
    fs::copy(charts().join("lab_report.jpg"), scans.join("lab.jpg")).unwrap();
    fs::copy(charts().join("lab_report.jpg"), scans.join("copies/lab-again.jpg")).unwrap();
    let out = chartdex(&data, &["ingest", "--json", scans.to_str().unwrap()]);
    assert_code(&out, 0);
    let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(report["files_seen"], 2);
    assert_eq!(report["documents_new"], 1);
    assert_eq!(report["duplicates"], 1);
    assert_eq!(report["pages_ocred"], 1);
    let docs = json_lines(&chartdex(&data, &["export"]));
    assert_eq!(docs.len(), 1);
    assert_eq!(docs[0]["sources"], serde_json::json!(["copies/lab-again.jpg", "lab.jpg"]));
}

#[test]
fn export_to_a_file_is_private() {
    let run = ingested_fixtures();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("charts.jsonl");
    let out = chartdex(&run.data, &["export", "--out", path.to_str().unwrap()]);
    assert_code(&out, 0);
    assert_eq!(fs::read_to_string(&path).unwrap().lines().count(), chart_files().len());
    assert_eq!(fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
    assert!(stderr(&out).contains(&format!("exported {} documents", chart_files().len())));
}

#[test]
fn a_blank_page_is_recorded_and_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let scans = dir.path().join("scans");
    fs::create_dir_all(&scans).unwrap();
    // A separator sheet at 300 dpi: white, a dark scan edge, a few specks.
    let mut img = image::GrayImage::from_pixel(2550, 3300, image::Luma([248]));
    for y in 0..3300 {
        for x in 0..50 {
            img.put_pixel(x, y, image::Luma([15]));
        }
    }
    for i in 0..300u32 {
        img.put_pixel(100 + (i * 7919) % 2300, 100 + (i * 104_729) % 3000, image::Luma([0]));
    }
    img.save(scans.join("separator.png")).unwrap();
    fs::copy(charts().join("progress_note.png"), scans.join("note.png")).unwrap();
    let out = chartdex(&data, &["ingest", "--json", scans.to_str().unwrap()]);
    assert_code(&out, 0);
    let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(report["pages_blank"], 1);
    assert_eq!(report["pages_ocred"], 1);
    assert_eq!(report["documents_new"], 2);
    // The blank page's document is kept and says so; it is not sent for review.
    let id = sha256_file(&scans.join("separator.png"));
    let show = stdout(&chartdex(&data, &["show", &id]));
    assert!(show.contains("blank, not read"), "{show}");
    assert!(show.contains("needs review: no"), "{show}");
}
