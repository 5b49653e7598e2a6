//! Reads the fields of a document from its pages, as `chartdex reextract` does, and prints
//! them with the evidence for each value: for looking into how a page was read.
//!
//! `cargo run -p chartdex-extract --example fields -- PAGES.json`, where PAGES.json holds the
//! document's pages as a JSON array of `PageText` (text, words with boxes, meta), as the
//! catalogue stores them.
#![allow(clippy::print_stdout)]

use chartdex_core::PageText;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).ok_or("usage: fields PAGES.json")?;
    let pages: Vec<PageText> = serde_json::from_str(&std::fs::read_to_string(path)?)?;
    let e = chartdex_extract::extract(&pages);
    println!("{}", serde_json::to_string_pretty(&e.fields)?);
    for ev in &e.evidence {
        println!(
            "{:<16} {:<28} {:.2} page {} {:?}",
            ev.field, ev.value, ev.confidence, ev.page, ev.bbox
        );
    }
    for d in &e.diagnostics {
        println!("page {}: {}", d.page, d.message);
    }
    Ok(())
}
