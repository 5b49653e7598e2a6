//! Search over the ingested fixtures: the right document and page come first.

use crate::util::*;
use serde_json::Value;
use std::collections::BTreeSet;

/// The first JSON hit for a query.
fn top_hit(query: &str) -> Value {
    let run = ingested_fixtures();
    let out = chartdex(&run.data, &["search", "--json", query]);
    assert_code(&out, 0);
    json_lines(&out).into_iter().next().unwrap_or_else(|| panic!("no hit for {query:?}"))
}

#[test]
fn words_find_the_right_document_and_page() {
    for (query, source, page) in [
        ("venipuncture", "lab_report.jpg", 1),
        ("smoker", "box2/history_and_physical.pdf", 2),
        ("guarding", "box2/history_and_physical.pdf", 3),
        ("\"daily weights\"", "discharge_summary.tif", 2),
        ("lumbar spine", "referral_fax.tif", 1),
        ("pneumonia", "box2/radiology_report.png", 1),
    ] {
        let hit = top_hit(query);
        assert_eq!(hit["source"], source, "{query}");
        assert_eq!(hit["page"], page, "{query}");
        assert_eq!(hit["id"], sha256_file(&charts().join(source)), "{query}");
    }
}

#[test]
fn json_hits_have_stable_keys_and_highlights_that_point_at_the_match() {
    let hit = top_hit("venipuncture");
    let keys: BTreeSet<&str> = hit.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        BTreeSet::from([
            "doc_type",
            "fuzzy",
            "highlights",
            "id",
            "page",
            "pages_matched",
            "patient",
            "score",
            "service_date",
            "snippet",
            "source"
        ])
    );
    let snippet = hit["snippet"].as_str().unwrap();
    let [s, e] =
        [&hit["highlights"][0][0], &hit["highlights"][0][1]].map(|v| v.as_u64().unwrap() as usize);
    assert_eq!(snippet[s..e].to_lowercase(), "venipuncture");
    assert_eq!(hit["doc_type"], "lab_report");
    assert_eq!(hit["fuzzy"], false);
    assert_eq!(hit["pages_matched"], 1);
}

#[test]
fn plain_output_marks_the_matched_terms() {
    let run = ingested_fixtures();
    let out = chartdex(&run.data, &["search", "pneumonia"]);
    assert_code(&out, 0);
    let text = stdout(&out);
    assert!(text.contains("page 1  box2/radiology_report.png"), "{text}");
    assert!(text.to_lowercase().contains("**pneumonia**"), "{text}");
}

#[test]
fn mrn_and_patient_names_are_searchable() {
    let truth = &truth()["files"]["charts/referral_fax.tif"];
    let mrn = truth["patient"]["mrn"].as_str().unwrap();
    let hit = top_hit(mrn);
    assert_eq!(hit["source"], "referral_fax.tif");
    let family = truth["patient"]["family"].as_str().unwrap();
    let run = ingested_fixtures();
    let hits =
        json_lines(&chartdex(&run.data, &["search", "--json", &format!("patient:{family}")]));
    assert!(hits.iter().any(|h| h["source"] == "referral_fax.tif"), "{hits:?}");
}

#[test]
fn no_match_is_not_an_error() {
    let run = ingested_fixtures();
    let out = chartdex(&run.data, &["search", "xylophonist"]);
    assert_code(&out, 0);
    assert_eq!(stdout(&out), "");
    assert!(stderr(&out).contains("no matches"));
    let limited =
        json_lines(&chartdex(&run.data, &["search", "--json", "--limit", "2", "patient"]));
    assert_eq!(limited.len(), 2);
}

/// The sources of the hits of `chartdex search --json ARGS…`, in order.
fn sources(args: &[&str]) -> Vec<String> {
    let run = ingested_fixtures();
    let out = chartdex(&run.data, &[&["search", "--json", "--limit", "50"], args].concat());
    assert_code(&out, 0);
    json_lines(&out).iter().map(|h| h["source"].as_str().unwrap().to_string()).collect()
}

fn fixture(source: &str) -> &'static Value {
    &truth()["files"][format!("charts/{source}")]
}

#[test]
fn every_filter_narrows_to_the_right_documents() {
    let all = sources(&["--from", "1900"]);
    let dated: Vec<String> =
        chart_files().into_iter().filter(|f| fixture(f)["service_date"].is_string()).collect();
    assert_eq!(all.len(), dated.len(), "{all:?}");
    for file in chart_files() {
        let t = fixture(&file);
        let mrn = t["patient"]["mrn"].as_str().unwrap();
        assert_eq!(sources(&["--mrn", mrn]), std::slice::from_ref(&file), "--mrn {mrn}");
        let family = t["patient"]["family"].as_str().unwrap();
        assert!(sources(&["--patient", family]).contains(&file), "--patient {family}");
        let kind = t["doc_type"].as_str().unwrap();
        assert!(sources(&["--type", kind]).contains(&file), "--type {kind}");
        assert!(
            sources(&["--type", kind]).iter().all(|s| fixture(s)["doc_type"] == kind),
            "--type {kind}"
        );
        if let Some(date) = t["service_date"].as_str() {
            assert_eq!(
                sources(&["--from", date, "--to", date]),
                std::slice::from_ref(&file),
                "{date}"
            );
            let year = &date[..4];
            assert!(sources(&["--from", year, "--to", year]).contains(&file), "{year}");
        }
        for code in t["icd10"].as_array().unwrap() {
            let code = code.as_str().unwrap();
            assert!(sources(&["--code", code]).contains(&file), "--code {code}");
            // Without the dot, in lower case.
            let loose = code.replace('.', "").to_lowercase();
            assert!(sources(&["--code", &loose]).contains(&file), "--code {loose}");
        }
    }
    // Filters combine with words and with each other.
    let lab = fixture("lab_report.jpg");
    let mrn = lab["patient"]["mrn"].as_str().unwrap();
    assert_eq!(sources(&["venipuncture", "--mrn", mrn]), ["lab_report.jpg"]);
    assert!(sources(&["venipuncture", "--type", "progress_note"]).is_empty());
    assert!(sources(&["--mrn", mrn, "--from", "2999"]).is_empty());
}

#[test]
fn one_letter_wrong_still_finds_the_right_document_first() {
    // OCR-style errors in a patient's name: a dropped letter, two letters swapped.
    for file in ["lab_report.jpg", "discharge_summary.tif", "box2/radiology_report.png"] {
        let p = &fixture(file)["patient"];
        let (given, family) = (p["given"].as_str().unwrap(), p["family"].as_str().unwrap());
        assert_eq!(sources(&[&format!("{given} {family}")])[0], file, "exact");
        for wrong in [drop_letter(family, 3), swap_letters(family, 3)] {
            let query = format!("{given} {wrong}");
            let run = ingested_fixtures();
            let hits = json_lines(&chartdex(&run.data, &["search", "--json", &query]));
            assert_eq!(hits.first().map(|h| &h["source"]), Some(&Value::from(file)), "{query}");
            assert_eq!(hits[0]["fuzzy"], true, "{query}");
        }
    }
    // And in a drug's name.
    for (file, drug) in [("medication_list.png", "lisinopril"), ("progress_note.png", "sertraline")]
    {
        let names: Vec<String> = fixture(file)["medications"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["name"].as_str().unwrap().to_lowercase())
            .collect();
        assert!(names.contains(&drug.to_string()), "{file}: {names:?}");
        for wrong in [drop_letter(drug, 4), swap_letters(drug, 4)] {
            assert_eq!(sources(&[&wrong]).first().map(String::as_str), Some(file), "{wrong}");
        }
    }
    // Exact hits rank above close ones.
    let run = ingested_fixtures();
    let hits = json_lines(&chartdex(&run.data, &["search", "--json", "metformin"]));
    assert_eq!(hits[0]["fuzzy"], false);
    let first_fuzzy = hits.iter().position(|h| h["fuzzy"] == true).unwrap_or(hits.len());
    assert!(first_fuzzy > 0);
    assert!(hits[first_fuzzy..].iter().all(|h| h["fuzzy"] == true));
}

fn drop_letter(w: &str, at: usize) -> String {
    w.chars().enumerate().filter(|&(i, _)| i != at).map(|(_, c)| c).collect()
}

fn swap_letters(w: &str, at: usize) -> String {
    let mut c: Vec<char> = w.chars().collect();
    c.swap(at, at + 1);
    c.into_iter().collect()
}

#[test]
fn a_patients_timeline_is_in_date_order_by_mrn_or_by_name_and_birth_date() {
    let run = ingested_fixtures();
    let t = fixture("lab_report.jpg");
    let mrn = t["patient"]["mrn"].as_str().unwrap();
    let out = chartdex(&run.data, &["patient", mrn, "--json"]);
    assert_code(&out, 0);
    let docs = json_lines(&out);
    assert_eq!(docs.len(), 1);
    let keys: BTreeSet<&str> = docs[0].as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        BTreeSet::from([
            "dob",
            "doc_type",
            "id",
            "mrn",
            "pages",
            "patient",
            "service_date",
            "source"
        ])
    );
    assert_eq!(docs[0]["source"], "lab_report.jpg");
    assert_eq!(docs[0]["service_date"], t["service_date"]);
    assert_eq!(docs[0]["pages"], 1);
    // By name and date of birth.
    let name = format!(
        "{} {}",
        t["patient"]["given"].as_str().unwrap(),
        t["patient"]["family"].as_str().unwrap()
    );
    let dob = t["patient"]["dob"].as_str().unwrap();
    let out = chartdex(&run.data, &["patient", "--name", &name, "--dob", dob, "--json"]);
    assert_eq!(json_lines(&out)[0]["id"], docs[0]["id"]);
    let text = stdout(&chartdex(&run.data, &["patient", mrn]));
    assert!(text.contains(&format!("MRN {mrn}")) && text.contains("lab_report.jpg"), "{text}");
}

/// The ids of the hits of `chartdex search --json ARGS…` over the data directory `data`.
fn ids_in(data: &std::path::Path, args: &[&str]) -> Vec<String> {
    let out = chartdex(data, &[&["search", "--json", "--limit", "50"], args].concat());
    assert_code(&out, 0);
    json_lines(&out).iter().map(|h| h["id"].as_str().unwrap().to_string()).collect()
}

#[test]
fn a_name_lists_that_patients_charts_first_in_one_order_whatever_the_ingest_order() {
    // "LAST, FIRST": that patient's chart first.
    let p = &fixture("progress_note.png")["patient"];
    let (given, family) = (p["given"].as_str().unwrap(), p["family"].as_str().unwrap());
    let last_first = format!("{family}, {given}");
    assert_eq!(sources(&[&last_first])[0], "progress_note.png");
    // A given name four patients share: their charts before any chart that only mentions it.
    let run = ingested_fixtures();
    let hits = json_lines(&chartdex(&run.data, &["search", "--json", given]));
    let name = given.to_lowercase();
    let theirs: Vec<bool> = hits
        .iter()
        .map(|h| h["patient"].as_str().is_some_and(|p| p.to_lowercase().contains(&name)))
        .collect();
    assert!(theirs.iter().filter(|&&t| t).count() >= 3, "{hits:?}");
    assert!(theirs.windows(2).all(|w| w[0] || !w[1]), "{theirs:?}");
    // The same files ingested in the other order (renamed so the walk meets them the other way
    // round) list the same documents in the same order.
    let dir = tempfile::tempdir().unwrap();
    let scans = dir.path().join("scans");
    std::fs::create_dir(&scans).unwrap();
    let files = chart_files();
    for (i, file) in files.iter().enumerate() {
        let name = format!("{}-{}", files.len() - i, file.replace('/', "-"));
        std::fs::copy(charts().join(file), scans.join(name)).unwrap();
    }
    let data = dir.path().join("data");
    assert_code(&chartdex(&data, &["ingest", scans.to_str().unwrap()]), 0);
    for query in [
        &[given][..],
        &[family],
        &[last_first.as_str()],
        &["Testpatient"],
        &["patient"],
        &["metformin"],
        &["--from", "1900"],
    ] {
        let first = ids_in(&run.data, query);
        assert!(!first.is_empty(), "{query:?}");
        assert_eq!(ids_in(&data, query), first, "{query:?}");
    }
}
