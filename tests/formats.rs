//! Every format and encoding chartdex reads, every kind of bad file, and real scans from the
//! shared corpus: a mixed folder ingests every good file, lists every bad one with its reason,
//! and a second run changes nothing.

use crate::util::*;
use serde_json::Value;
use std::collections::BTreeMap;
use std::fs;

fn formats() -> Value {
    let text = fs::read_to_string(root().join("fixtures/formats.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn a_mixed_folder_ingests_every_good_file_and_rejects_every_bad_one() {
    let spec = formats();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let good_dir = root().join("fixtures/formats");
    let bad_dir = root().join("fixtures/bad");
    let args = ["ingest", "--json", good_dir.to_str().unwrap(), bad_dir.to_str().unwrap()];

    let out = chartdex(&data, &args);
    assert_code(&out, 3);
    let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let good = spec["good"].as_object().unwrap();
    let bad = spec["bad"].as_object().unwrap();
    assert_eq!(report["documents_new"], good.len());
    assert_eq!(report["files_seen"], good.len() + bad.len());

    // Every bad file, with its reason.
    let rejected: BTreeMap<String, String> = report["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let path = r["path"].as_str().unwrap();
            let name = path.rsplit('/').next().unwrap().to_string();
            (name, r["reason"].as_str().unwrap().to_string())
        })
        .collect();
    assert_eq!(rejected.len(), bad.len(), "{rejected:#?}");
    for (name, reason) in bad {
        let got = rejected.get(name).unwrap_or_else(|| panic!("{name} was not rejected"));
        assert!(got.contains(reason.as_str().unwrap()), "{name}: {got}");
    }

    // Every good file, every page read, by the right method.
    let docs = json_lines(&chartdex(&data, &["export"]));
    assert_eq!(docs.len(), good.len());
    for doc in &docs {
        let name = doc["source"].as_str().unwrap();
        let want = &good[name];
        let pages = doc["pages"].as_array().unwrap();
        assert_eq!(pages.len(), want["pages"].as_u64().unwrap() as usize, "{name}");
        for (i, page) in pages.iter().enumerate() {
            assert_eq!(page["method"], want["methods"][i], "{name} page {}", i + 1);
            let text = page["text"].as_str().unwrap().to_lowercase();
            assert!(
                text.contains("warfarin") && text.contains(&format!("page {}", i + 1)),
                "{name} page {}: {text:?}",
                i + 1
            );
        }
    }

    // Rejected originals are kept too, marked not digitized.
    let rejects = json_lines(&chartdex(&data, &["rejects", "--json"]));
    assert_eq!(rejects.len(), bad.len());
    let kept = rejects.iter().filter(|r| r["id"].is_string()).count();
    assert_eq!(kept, bad.len() - 1, "all but the empty file have an original in the vault");

    // A second run changes nothing.
    let again = chartdex(&data, &args);
    assert_code(&again, 3);
    let second: Value = serde_json::from_str(&stdout(&again)).unwrap();
    assert_eq!(second["documents_new"], 0);
    assert_eq!(second["unchanged"], good.len());
    assert_eq!(second["pages_ocred"], 0);
    assert_eq!(second["rejected"].as_array().unwrap().len(), bad.len());
    assert_eq!(json_lines(&chartdex(&data, &["export"])), docs);
}

#[test]
fn real_scans_from_the_shared_corpus_are_legible() {
    let corpus = root().join("../shared/corpora/ocrmypdf");
    assert!(corpus.is_dir(), "the shared corpus is missing: {}", corpus.display());
    let expect = [
        ("linn.png", "linnsequencer"),
        ("ccitt.pdf", "linnsequencer"),
        ("jbig2.pdf", "linnsequencer"),
        ("epson.pdf", "optical character recognition"),
        ("c02-22.pdf", "tip-toeing"),
        ("francais.pdf", "whisky"),
        ("vector.pdf", "sample vector"),
        ("typewriter.png", "linzensoep"),
        ("masks.pdf", "linux"),
        ("tagged.pdf", "body text"),
    ];
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut args = vec!["ingest".to_string()];
    args.extend(expect.iter().map(|(f, _)| corpus.join(f).to_string_lossy().into_owned()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = chartdex(&data, &args);
    assert_code(&out, 0);
    let docs = json_lines(&chartdex(&data, &["export"]));
    assert_eq!(docs.len(), expect.len());
    for (file, words) in expect {
        let doc =
            docs.iter().find(|d| d["source"] == file).unwrap_or_else(|| panic!("{file} missing"));
        let text: String = doc["pages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["text"].as_str().unwrap().to_lowercase())
            .collect::<Vec<_>>()
            .join(" ");
        assert!(text.contains(words), "{file}: {text:?}");
    }
    // linn.png is two columns of running text: each column reads on, line after line, rather
    // than a line of one column beside a line of the other.
    let linn = docs.iter().find(|d| d["source"] == "linn.png").unwrap();
    let text = linn["pages"][0]["text"].as_str().unwrap().to_lowercase();
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for run in [
        "simply press record and play, then play your midi keyboard in time to the sequencer",
        "simply use locate, fast forward, or rewind to find the desired bar number",
    ] {
        assert!(text.contains(run), "{run:?} not read in column order: {text}");
    }
    let hits = json_lines(&chartdex(&data, &["search", "--json", "LinnSequencer"]));
    let mut sources: Vec<&str> = hits.iter().map(|h| h["source"].as_str().unwrap()).collect();
    sources.sort();
    assert_eq!(sources, ["ccitt.pdf", "jbig2.pdf", "linn.png"]);
}
