//! The commands that prove and use the vault: `audit`, `restore`, and `log` (the access log).

use crate::commands::{log_access, open_existing, stdout};
use crate::flags::{AuditArgs, RestoreArgs};
use crate::Outcome;
use anyhow::Result;
use chartdex_pipeline::{access, AuditOptions, AuditProgress, AuditReport, DataDir};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::{self, Write};
use std::path::Path;

/// The re-hashing progress bar on stderr (hidden when stderr is not a terminal).
struct HashProgress {
    bar: ProgressBar,
}

impl AuditProgress for HashProgress {
    fn start(&self, originals: u64, bytes: u64) {
        self.bar.set_length(bytes);
        self.bar.set_message(format!("{originals} originals"));
    }

    fn read(&self, bytes: u64) {
        self.bar.inc(bytes);
    }
}

pub(crate) fn audit(data: &Path, args: AuditArgs) -> Result<Outcome> {
    let (dir, _cat) = open_existing(data)?;
    let mut opts = AuditOptions { sample_percent: args.sample, ..AuditOptions::default() };
    if let Some(jobs) = args.jobs {
        opts.jobs = usize::from(jobs);
    }
    let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} {bytes_per_sec} {msg} ETA {eta}",
        )
        .expect("progress template is valid")
        .progress_chars("=> "),
    );
    let progress = HashProgress { bar };
    let result = chartdex_pipeline::audit(&dir, &opts, &progress);
    progress.bar.finish_and_clear();
    let report = result?;
    let what = serde_json::json!({ "sample_percent": args.sample });
    log_access(&dir, "audit", what, report.problems.len() as u64)?;
    let mut out = stdout();
    if args.json {
        serde_json::to_writer(&mut out, &report_json(&report))?;
        writeln!(out)?;
    } else {
        write_report(&mut out, &report)?;
    }
    out.flush()?;
    Ok(if report.clean() { Outcome::Success } else { Outcome::AuditProblems })
}

fn mb_per_second(r: &AuditReport) -> f64 {
    let secs = r.hashing.as_secs_f64();
    if secs > 0.0 {
        r.bytes_read as f64 / 1e6 / secs
    } else {
        0.0
    }
}

fn report_json(r: &AuditReport) -> serde_json::Value {
    let round = |v: f64| (v * 1000.0).round() / 1000.0;
    serde_json::json!({
        "clean": r.clean(),
        "documents": r.documents,
        "vault_files": r.vault_files,
        "rehashed": r.rehashed,
        "sample_percent": r.sample_percent,
        "bytes_read": r.bytes_read,
        "hash_seconds": round(r.hashing.as_secs_f64()),
        "mb_per_second": round(mb_per_second(r)),
        "elapsed_seconds": round(r.elapsed.as_secs_f64()),
        "indexed_documents": r.indexed,
        "access_log": { "records": r.access_log.records, "head": r.access_log.head },
        "problems": r.problems.iter().map(|p| serde_json::json!({
            "kind": p.kind.name(),
            "id": p.id,
            "path": p.path,
            "detail": p.detail,
        })).collect::<Vec<_>>(),
    })
}

fn write_report(out: &mut impl Write, r: &AuditReport) -> io::Result<()> {
    writeln!(
        out,
        "documents:   {} catalogued, {} originals in the vault",
        r.documents, r.vault_files
    )?;
    let sample = r.sample_percent.map(|p| format!(" (a random {p}%)")).unwrap_or_default();
    writeln!(
        out,
        "re-hashed:   {} originals{sample}, {:.1} MB in {:.2} s ({:.0} MB/s)",
        r.rehashed,
        r.bytes_read as f64 / 1e6,
        r.hashing.as_secs_f64(),
        mb_per_second(r)
    )?;
    writeln!(out, "index:       {} documents", r.indexed)?;
    let log_ok = !r.problems.iter().any(|p| p.kind == chartdex_pipeline::ProblemKind::AccessLog);
    writeln!(
        out,
        "access log:  {} records, {}{}",
        r.access_log.records,
        if log_ok { "chain intact" } else { "CHAIN BROKEN" },
        r.access_log.head.as_deref().map(|h| format!(", head {h}")).unwrap_or_default()
    )?;
    if r.clean() {
        return writeln!(out, "problems:    none");
    }
    writeln!(out, "problems:    {}", r.problems.len())?;
    for p in &r.problems {
        let what = [p.id.as_deref(), p.path.as_deref()].into_iter().flatten().collect::<Vec<_>>();
        writeln!(out, "  {:<10} {}: {}", p.kind.name(), what.join("  "), p.detail)?;
    }
    Ok(())
}

pub(crate) fn restore(data: &Path, args: RestoreArgs) -> Result<Outcome> {
    let (dir, cat) = open_existing(data)?;
    let ids = args.ids.iter().map(|p| cat.resolve(p)).collect::<Result<Vec<_>, _>>()?;
    drop(cat);
    let what = serde_json::json!({
        "ids": ids.iter().map(|id| id.as_str()).collect::<Vec<_>>(),
        "to": args.to.display().to_string(),
    });
    log_access(&dir, "restore", what, ids.len() as u64)?;
    let restored = chartdex_pipeline::restore(&dir, &ids, &args.to)?;
    let mut out = stdout();
    let mut failed = 0;
    for r in &restored {
        match &r.error {
            None => writeln!(out, "{}  {}", r.id, r.dest.display())?,
            Some(e) => {
                failed += 1;
                out.flush()?;
                eprintln!("error: {}: {e}", r.id);
            }
        }
    }
    out.flush()?;
    if failed > 0 {
        anyhow::bail!("{failed} of {} documents were not restored", restored.len());
    }
    Ok(Outcome::Success)
}

pub(crate) fn log(data: &Path, json: bool) -> Result<Outcome> {
    let dir = DataDir::open_existing(data)?;
    let records = access::read(&dir)?;
    log_access(&dir, "log", serde_json::json!({}), records.len() as u64)?;
    let mut out = stdout();
    for r in &records {
        if json {
            serde_json::to_writer(&mut out, r)?;
            writeln!(out)?;
        } else {
            writeln!(
                out,
                "{:>6}  {}  {}  {:<8} {:>6} results  {}",
                r.seq,
                r.at,
                r.user,
                r.action,
                r.results,
                describe(&r.what)
            )?;
        }
    }
    out.flush()?;
    Ok(Outcome::Success)
}

/// A record's `what` on one line: the query, or the first few ids and how many, or the paths.
fn describe(what: &serde_json::Value) -> String {
    let mut parts = Vec::new();
    if let Some(q) = what.get("query").and_then(|q| q.as_str()) {
        parts.push(format!("query {q:?}"));
    }
    if let Some(ids) = what.get("ids").and_then(|v| v.as_array()) {
        let shown: Vec<&str> = ids
            .iter()
            .filter_map(|i| i.as_str())
            .take(3)
            .map(|i| i.get(..12).unwrap_or(i))
            .collect();
        let more =
            if ids.len() > 3 { format!(" … ({} documents)", ids.len()) } else { String::new() };
        parts.push(format!("{}{more}", shown.join(" ")));
    }
    if let Some(paths) = what.get("paths").and_then(|v| v.as_array()) {
        let p: Vec<&str> = paths.iter().filter_map(|p| p.as_str()).collect();
        parts.push(p.join(" "));
    }
    for key in ["to", "out"] {
        if let Some(v) = what.get(key).and_then(|v| v.as_str()) {
            parts.push(format!("{key} {v}"));
        }
    }
    parts.join("  ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_described_on_one_line() {
        let w = serde_json::json!({ "query": "Testpatient", "limit": 10 });
        assert_eq!(describe(&w), "query \"Testpatient\"");
        let ids: Vec<String> = (0..5).map(|i| format!("{i}").repeat(64)).collect();
        let w = serde_json::json!({ "ids": ids, "to": "out" });
        assert_eq!(describe(&w), "000000000000 111111111111 222222222222 … (5 documents)  to out");
    }
}
