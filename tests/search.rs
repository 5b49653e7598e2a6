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
            "highlights",
            "id",
            "page",
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
