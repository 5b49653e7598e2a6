//! Chart fields end to end: export and show carry them with where they were read, the index
//! filters on them, and `reextract` reads them again without OCR.

use crate::util::*;
use serde_json::Value;

fn export(data: &std::path::Path, extra: &[&str]) -> Vec<Value> {
    let mut args = vec!["export"];
    args.extend_from_slice(extra);
    let out = chartdex(data, &args);
    assert_code(&out, 0);
    json_lines(&out)
}

#[test]
fn export_carries_every_header_field_and_the_medications_of_the_fixtures() {
    let run = ingested_fixtures();
    for doc in export(&run.data, &[]) {
        let source = doc["source"].as_str().unwrap();
        let truth = &truth()["files"][format!("charts/{source}")];
        for key in ["given", "family", "mrn", "dob", "sex"] {
            assert_eq!(doc["patient"][key], truth["patient"][key], "{source}: patient.{key}");
        }
        assert_eq!(doc["service_date"], truth["service_date"], "{source}");
        assert_eq!(doc["provider"], truth["provider"], "{source}");
        assert_eq!(doc["facility"], truth["facility"], "{source}");
        let meds = |v: &Value| -> Vec<String> {
            v.as_array()
                .unwrap()
                .iter()
                .map(|m| m["name"].as_str().unwrap().to_lowercase())
                .collect()
        };
        assert_eq!(meds(&doc["medications"]), meds(&truth["medications"]), "{source}");
        // Nothing invented: documents without codes or medications have none.
        assert_eq!(doc["cpt"], Value::from(Vec::<String>::new()), "{source}");
        assert!(doc.get("evidence").is_none(), "the default export keeps the contract's keys");
    }
}

#[test]
fn evidence_says_where_each_value_was_read() {
    let run = ingested_fixtures();
    let docs = export(&run.data, &["--evidence"]);
    let note = docs.iter().find(|d| d["source"] == "box2/history_and_physical.pdf").unwrap();
    let evidence = note["evidence"].as_array().unwrap();
    let mrn = evidence.iter().find(|e| e["field"] == "patient.mrn").unwrap();
    assert_eq!(mrn["value"], note["patient"]["mrn"]);
    assert_eq!(mrn["page"], 1);
    let conf = mrn["confidence"].as_f64().unwrap();
    assert!((0.6..=1.0).contains(&conf), "{mrn}");
    let bbox = &mrn["bbox"];
    assert!(bbox["w"].as_u64().unwrap() > 0 && bbox["h"].as_u64().unwrap() > 0, "{mrn}");
    // One entry per code and medication.
    let codes = evidence.iter().filter(|e| e["field"] == "icd10").count();
    assert_eq!(codes, note["icd10"].as_array().unwrap().len());
    // The medications of this chart are on page 3.
    let med = evidence.iter().find(|e| e["field"] == "medications").unwrap();
    assert_eq!(med["page"], 3, "{med}");

    let id = note["id"].as_str().unwrap();
    let show = stdout(&chartdex(&run.data, &["show", id]));
    let mrn_value = note["patient"]["mrn"].as_str().unwrap();
    assert!(show.contains(&format!("mrn:          {mrn_value}  (page 1, confidence ")), "{show}");
    assert!(show.contains("medications:  "), "{show}");
    let json: Value =
        serde_json::from_str(&stdout(&chartdex(&run.data, &["show", id, "--json"]))).unwrap();
    assert_eq!(json["evidence"], note["evidence"]);
}

#[test]
fn fields_are_filters_in_the_index() {
    let run = ingested_fixtures();
    let note = &truth()["files"]["charts/progress_note.png"];
    let mrn = note["patient"]["mrn"].as_str().unwrap();
    let dob = note["patient"]["dob"].as_str().unwrap();
    let family = note["patient"]["family"].as_str().unwrap().to_lowercase();
    let code = note["icd10"][0].as_str().unwrap();
    let med = note["medications"][0]["name"].as_str().unwrap().to_lowercase();
    for query in [
        format!("mrn:{mrn}"),
        format!("dob:{dob}"),
        format!("patient:{family} type:progress_note"),
        format!("icd10:\"{code}\" type:progress_note"),
        format!("med:{med} type:progress_note"),
    ] {
        let hits = json_lines(&chartdex(&run.data, &["search", "--json", &query]));
        assert!(!hits.is_empty(), "{query}");
        for hit in &hits {
            assert_eq!(hit["source"], "progress_note.png", "{query}");
        }
    }
    // A date range on the service date.
    let day = note["service_date"].as_str().unwrap();
    let hits = json_lines(&chartdex(
        &run.data,
        &["search", "--json", &format!("type:progress_note AND service_date:[{day} TO {day}]")],
    ));
    assert_eq!(hits.len(), 1);
    let none = json_lines(&chartdex(
        &run.data,
        &["search", "--json", "type:progress_note AND service_date:[1900-01-01 TO 1900-12-31]"],
    ));
    assert!(none.is_empty());
}

#[test]
fn a_page_just_read_has_the_text_reextract_would_give_it() {
    // Ingest writes each page as `reextract` would read it again from its stored words, so
    // reading an archive again changes nothing: the charts, and a page of scattered specks
    // whose words tesseract gave in an order of lines that the stored order does not keep.
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let review = charts().parent().unwrap().join("review");
    for scans in [charts(), review] {
        assert_code(&chartdex(&data, &["ingest", scans.to_str().unwrap()]), 0);
    }
    let before = export(&data, &[]);
    let report: Value =
        serde_json::from_str(&stdout(&chartdex(&data, &["reextract", "--json"]))).unwrap();
    assert!(report["documents"].as_u64().unwrap() >= 6, "{report}");
    assert_eq!(report["pages_reordered"], 0, "{report}");
    assert_eq!(report["changed"], 0, "{report}");
    assert_eq!(export(&data, &[]), before);
}

#[test]
fn reextract_reads_fields_again_without_ocr_and_keeps_the_index_in_step() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let scans = dir.path().join("scans");
    std::fs::create_dir_all(&scans).unwrap();
    std::fs::copy(charts().join("progress_note.png"), scans.join("progress_note.png")).unwrap();
    assert_code(&chartdex(&data, &["ingest", scans.to_str().unwrap()]), 0);
    let before = export(&data, &[]);

    // Fields stored by an older chartdex (here: wiped) are read again from the stored text, and
    // page text it stored in another order (here: lines and words reversed, as tesseract's
    // blocks can come) is put in reading order again from the words.
    let db = rusqlite::Connection::open(data.join("catalogue.sqlite")).unwrap();
    db.execute("UPDATE documents SET fields = '{}', evidence = '[]'", []).unwrap();
    let (text, words): (String, String) =
        db.query_row("SELECT text, words FROM pages", [], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    lines.reverse();
    let mut words: Vec<Value> = serde_json::from_str(&words).unwrap();
    words.reverse();
    let words = serde_json::to_string(&words).unwrap();
    db.execute("UPDATE pages SET text = ?1, words = ?2", [lines.join("\n"), words]).unwrap();
    drop(db);
    let out = chartdex(&data, &["reextract", "--json"]);
    assert_code(&out, 0);
    let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(report["documents"], 1);
    assert_eq!(report["changed"], 1);
    assert_eq!(report["pages_reordered"], 1);
    assert_eq!(export(&data, &[]), before);
    let mrn = before[0]["patient"]["mrn"].as_str().unwrap();
    let hits = json_lines(&chartdex(&data, &["search", "--json", &format!("mrn:{mrn}")]));
    assert_eq!(hits.len(), 1);

    // Nothing changed the second time.
    let again: Value =
        serde_json::from_str(&stdout(&chartdex(&data, &["reextract", "--json"]))).unwrap();
    assert_eq!(again["changed"], 0);
    assert_eq!(again["pages_reordered"], 0);
}
