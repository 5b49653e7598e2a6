//! One function per subcommand. Data goes to stdout; progress, warnings and errors to stderr.

use crate::flags::{
    Cli, Command, ExportArgs, ExportFormat, IngestArgs, PatientArgs, SearchArgs, ShowArgs,
};
use crate::progress::Progress;
use crate::record::Record;
use crate::Outcome;
use anyhow::{Context, Result};
use chartdex_index::{SearchIndex, SearchQuery};
use chartdex_ocr::{OcrError, Preprocess, Recognizer, TesseractConfig, TesseractEngine};
use chartdex_pipeline::access::{self, Access};
use chartdex_pipeline::{Catalogue, DataDir, IngestOptions, RunSummary};
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::Path;

pub(crate) fn run(cli: Cli) -> Result<Outcome> {
    let data = cli.data;
    match cli.command {
        Command::Ingest(args) => ingest(&data, args),
        Command::Search(args) => search(&data, args),
        Command::Patient(args) => patient(&data, args),
        Command::Show(args) => show(&data, args),
        Command::Export(args) => export(&data, args),
        Command::Rejects(args) => rejects(&data, args.json),
        Command::Review(args) => review(&data, args.json),
        Command::Audit(args) => crate::audit::audit(&data, args),
        Command::Restore(args) => crate::audit::restore(&data, args),
        Command::Log(args) => crate::audit::log(&data, args.json),
        Command::Reindex => reindex(&data),
        Command::Reextract(args) => reextract(&data, args.json),
    }
}

pub(crate) fn stdout() -> BufWriter<io::StdoutLock<'static>> {
    BufWriter::new(io::stdout().lock())
}

/// Appends a record to the access log. Called before any patient data is shown or written, so
/// nothing leaves the archive without its record; if the record cannot be written, nothing does.
pub(crate) fn log_access(
    dir: &DataDir,
    action: &str,
    what: serde_json::Value,
    results: u64,
) -> Result<()> {
    let access = Access { action: action.to_string(), what, results };
    access::record(dir, access).with_context(|| {
        format!("cannot write the access log {}", access::log_file(dir).display())
    })?;
    Ok(())
}

pub(crate) fn open_existing(data: &Path) -> Result<(DataDir, Catalogue)> {
    let dir = DataDir::open_existing(data)?;
    warn_if_shared(&dir);
    let cat = Catalogue::open(&dir.catalogue_path()).context("cannot open the catalogue")?;
    Ok((dir, cat))
}

fn warn_if_shared(dir: &DataDir) {
    if dir.is_shared() {
        eprintln!(
            "warning: {} can be read by other users; it holds patient data\nhint: chmod 700 {}",
            dir.root().display(),
            dir.root().display()
        );
    }
}

fn ingest(data: &Path, args: IngestArgs) -> Result<Outcome> {
    let dir = DataDir::create(data).context("cannot create the data directory")?;
    warn_if_shared(&dir);
    let config = TesseractConfig {
        language: args.lang,
        datapath: None,
        preprocess: Preprocess {
            orientation: !args.no_orientation,
            deskew: !args.no_deskew,
            clean: !args.no_clean,
            upsample: !args.no_upsample,
            reread: !args.no_reread,
            marks: !args.no_marks,
        },
    };
    let engines = move || -> Result<Box<dyn Recognizer>, OcrError> {
        Ok(Box::new(TesseractEngine::new(config.clone())?))
    };
    let mut opts = IngestOptions::default();
    if let Some(jobs) = args.jobs {
        opts.jobs = usize::from(jobs);
    }
    opts.limits.max_page_pixels = args.max_page_megapixels * 1_000_000;
    opts.limits.max_file_bytes = args.max_file_decoded_mib << 20;
    opts.decode_timeout = std::time::Duration::from_secs(args.decode_timeout);
    let progress = Progress::new();
    let result = chartdex_pipeline::ingest(&dir, &args.paths, &engines, &opts, &progress);
    progress.finish();
    let summary = result?;
    let paths: Vec<String> = args.paths.iter().map(|p| p.display().to_string()).collect();
    let what = serde_json::json!({ "paths": paths, "files_seen": summary.files_seen });
    log_access(&dir, "ingest", what, summary.documents_new)?;
    let mut out = stdout();
    if args.json {
        serde_json::to_writer(&mut out, &summary_json(&summary))?;
        writeln!(out)?;
    } else {
        write_report(&mut out, &summary)?;
    }
    out.flush()?;
    Ok(if summary.rejected.is_empty() { Outcome::Success } else { Outcome::SomeRejected })
}

fn summary_json(s: &RunSummary) -> serde_json::Value {
    serde_json::json!({
        "files_seen": s.files_seen,
        "documents_new": s.documents_new,
        "duplicates": s.duplicates,
        "unchanged": s.unchanged,
        "pages_ocred": s.pages_ocred,
        "pages_blank": s.pages_blank,
        "pages_text_layer": s.pages_text,
        "needs_review": s.needs_review,
        "rejected": s.rejected.iter().map(|r| serde_json::json!({
            "path": r.path.display().to_string(),
            "reason": r.reason,
        })).collect::<Vec<_>>(),
        "elapsed_seconds": (s.elapsed.as_secs_f64() * 1000.0).round() / 1000.0,
    })
}

fn write_report(out: &mut impl Write, s: &RunSummary) -> io::Result<()> {
    let secs = s.elapsed.as_secs_f64();
    writeln!(out, "files seen:      {}", s.files_seen)?;
    writeln!(out, "documents new:   {}", s.documents_new)?;
    writeln!(out, "duplicates:      {}", s.duplicates)?;
    writeln!(out, "unchanged:       {}", s.unchanged)?;
    writeln!(
        out,
        "pages OCRed:     {} ({:.2} pages/s)",
        s.pages_ocred,
        s.pages_ocred as f64 / secs.max(0.001)
    )?;
    if s.pages_blank > 0 {
        writeln!(out, "pages blank:     {} (not read)", s.pages_blank)?;
    }
    if s.pages_text > 0 {
        writeln!(out, "pages from text: {}", s.pages_text)?;
    }
    if s.needs_review > 0 {
        writeln!(out, "needs review:    {}", s.needs_review)?;
    }
    writeln!(out, "files rejected:  {}", s.rejected.len())?;
    for r in &s.rejected {
        writeln!(out, "  {}: {}", r.path.display(), r.reason)?;
    }
    writeln!(out, "elapsed:         {secs:.1}s")
}

fn search(data: &Path, args: SearchArgs) -> Result<Outcome> {
    let (dir, _cat) = open_existing(data)?;
    let index = SearchIndex::open(&dir.index_dir())?;
    let query = SearchQuery {
        text: args.query.join(" "),
        mrn: args.mrn,
        patient: args.patient,
        dob: None,
        doc_type: args.doc_type,
        from: args.from,
        to: args.to,
        code: args.code,
        limit: args.limit,
    };
    let hits = index.search(&query)?;
    let what = serde_json::json!({
        "query": query.text,
        "mrn": query.mrn,
        "patient": query.patient,
        "type": query.doc_type,
        "from": query.from,
        "to": query.to,
        "code": query.code,
        "limit": query.limit,
    });
    log_access(&dir, "search", what, hits.len() as u64)?;
    let mut out = stdout();
    let color = io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    for hit in &hits {
        if args.json {
            serde_json::to_writer(&mut out, &hit_json(hit))?;
            writeln!(out)?;
        } else {
            let short = hit.doc_id.get(..12).unwrap_or(&hit.doc_id);
            let fuzzy = if hit.fuzzy { "  [close match]" } else { "" };
            let more = match hit.pages_matched {
                0 | 1 => String::new(),
                n => format!(", {n} pages match"),
            };
            writeln!(
                out,
                "{short}  page {}  {}  (score {:.2}{more}){fuzzy}",
                hit.page, hit.source, hit.score
            )?;
            let details: Vec<String> =
                [hit.patient.clone(), hit.doc_type.clone(), hit.service_date.clone()]
                    .into_iter()
                    .flatten()
                    .collect();
            if !details.is_empty() {
                writeln!(out, "    {}", details.join(" · "))?;
            }
            writeln!(out, "    {}", marked(&hit.snippet, &hit.highlights, color))?;
        }
    }
    out.flush()?;
    if hits.is_empty() && !args.json {
        eprintln!("no matches");
    }
    Ok(Outcome::Success)
}

/// A hit as one JSON object; its keys are a contract for scripts.
fn hit_json(hit: &chartdex_index::Hit) -> serde_json::Value {
    serde_json::json!({
        "id": hit.doc_id,
        "page": hit.page,
        "pages_matched": hit.pages_matched,
        "fuzzy": hit.fuzzy,
        "source": hit.source,
        "score": hit.score,
        "snippet": hit.snippet,
        "highlights": hit.highlights.iter().map(|(s, e)| [s, e]).collect::<Vec<_>>(),
        "patient": hit.patient,
        "doc_type": hit.doc_type,
        "service_date": hit.service_date,
    })
}

fn patient(data: &Path, args: PatientArgs) -> Result<Outcome> {
    let (dir, _cat) = open_existing(data)?;
    let index = SearchIndex::open(&dir.index_dir())?;
    let query = SearchQuery {
        mrn: args.mrn.clone(),
        patient: args.name.clone(),
        dob: args.dob.clone(),
        ..SearchQuery::default()
    };
    let docs = index.documents(&query)?;
    let what = serde_json::json!({ "mrn": args.mrn, "name": args.name, "dob": args.dob });
    log_access(&dir, "patient", what, docs.len() as u64)?;
    let mut out = stdout();
    if args.json {
        for d in &docs {
            let v = serde_json::json!({
                "id": d.doc_id,
                "service_date": d.service_date,
                "doc_type": d.doc_type,
                "pages": d.pages,
                "source": d.source,
                "patient": d.patient,
                "mrn": d.mrn,
                "dob": d.dob,
            });
            serde_json::to_writer(&mut out, &v)?;
            writeln!(out)?;
        }
        out.flush()?;
        return Ok(Outcome::Success);
    }
    let Some(first) = docs.first() else {
        eprintln!("no documents for this patient");
        return Ok(Outcome::Success);
    };
    let dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
    writeln!(
        out,
        "{}  MRN {}  DOB {}  ({} documents)",
        dash(&first.patient),
        dash(&first.mrn),
        dash(&first.dob),
        docs.len()
    )?;
    for d in &docs {
        let short = d.doc_id.get(..12).unwrap_or(&d.doc_id);
        let pages = if d.pages == 1 { "1 page".to_string() } else { format!("{} pages", d.pages) };
        writeln!(
            out,
            "{:<10}  {:<22}  {:>8}  {short}  {}",
            dash(&d.service_date),
            dash(&d.doc_type),
            pages,
            d.source
        )?;
    }
    out.flush()?;
    Ok(Outcome::Success)
}

/// The snippet on one line with the matched terms marked: bold red on a colour terminal,
/// `**term**` otherwise.
fn marked(snippet: &str, highlights: &[(usize, usize)], color: bool) -> String {
    let (open, close) = if color { ("\x1b[1;31m", "\x1b[0m") } else { ("**", "**") };
    let mut out = String::with_capacity(snippet.len() + highlights.len() * 8);
    let mut at = 0;
    for &(s, e) in highlights {
        if s < at
            || e > snippet.len()
            || !snippet.is_char_boundary(s)
            || !snippet.is_char_boundary(e)
        {
            continue;
        }
        out.push_str(&snippet[at..s]);
        out.push_str(open);
        out.push_str(&snippet[s..e]);
        out.push_str(close);
        at = e;
    }
    out.push_str(&snippet[at..]);
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn show(data: &Path, args: ShowArgs) -> Result<Outcome> {
    let (dir, cat) = open_existing(data)?;
    let id = cat.resolve(&args.id)?;
    log_access(&dir, "show", serde_json::json!({ "ids": [id.as_str()] }), 1)?;
    let doc =
        cat.document(&id)?.with_context(|| format!("document {id} vanished from the catalogue"))?;
    let pages = cat.pages(&id)?;
    let mut out = stdout();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &Record::new(&doc, &pages, true))?;
        writeln!(out)?;
        out.flush()?;
        return Ok(Outcome::Success);
    }
    let f = &doc.fields;
    let none = || "-".to_string();
    writeln!(out, "id:           {}", doc.id)?;
    writeln!(
        out,
        "media type:   {} ({} bytes)",
        doc.media_type.map(|m| m.mime()).unwrap_or("unknown"),
        doc.bytes
    )?;
    for (i, s) in doc.sources.iter().enumerate() {
        let label = if i == 0 { "source:" } else { "" };
        writeln!(out, "{label:<13} {}", s.rel_path)?;
    }
    for v in cat.versions(&id)? {
        let which = if v.earlier { "earlier version:" } else { "later version:" };
        writeln!(out, "{which} {}  ({})", v.id, v.rel_path)?;
    }
    if !doc.digitized {
        writeln!(
            out,
            "status:       not digitized: {}",
            doc.reason.as_deref().unwrap_or("unknown reason")
        )?;
    }
    writeln!(out, "ingested:     {}", doc.ingested_at)?;
    let seen = |field: &str| where_read(&doc.evidence, field);
    let field = |value: Option<String>, key: &str| match value {
        Some(v) => format!("{v}{}", seen(key)),
        None => none(),
    };
    writeln!(out, "type:         {}", field(f.doc_type.map(|t| t.name().to_string()), "doc_type"))?;
    writeln!(out, "patient:      {}", field(f.patient.display_name(), "patient.family"))?;
    writeln!(out, "mrn:          {}", field(f.patient.mrn.clone(), "patient.mrn"))?;
    writeln!(out, "dob:          {}", field(f.patient.dob.clone(), "patient.dob"))?;
    writeln!(out, "sex:          {}", field(f.patient.sex.clone(), "patient.sex"))?;
    writeln!(out, "service date: {}", field(f.service_date.clone(), "service_date"))?;
    let provider = [f.provider.given.clone(), f.provider.family.clone()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    writeln!(
        out,
        "provider:     {}",
        field((!provider.is_empty()).then_some(provider), "provider.family")
    )?;
    writeln!(out, "npi:          {}", field(f.provider.npi.clone(), "provider.npi"))?;
    writeln!(out, "facility:     {}", field(f.facility.clone(), "facility"))?;
    writeln!(out, "icd10:        {}", join_or_dash(&f.icd10))?;
    writeln!(out, "cpt:          {}", join_or_dash(&f.cpt))?;
    if f.medications.is_empty() {
        writeln!(out, "medications:  -")?;
    }
    for (i, m) in f.medications.iter().enumerate() {
        let label = if i == 0 { "medications:" } else { "" };
        let parts: Vec<&str> =
            [Some(m.name.as_str()), m.dose.as_deref(), m.route.as_deref(), m.frequency.as_deref()]
                .into_iter()
                .flatten()
                .collect();
        writeln!(out, "{label:<13} {}", parts.join(" "))?;
    }
    match (&doc.review_reason, doc.needs_review) {
        (Some(reason), true) => writeln!(out, "needs review: yes: {reason}")?,
        (None, true) => writeln!(out, "needs review: yes")?,
        _ => writeln!(out, "needs review: no")?,
    }
    writeln!(out, "pages:        {}", pages.len())?;
    for p in &pages {
        let m = &p.page.meta;
        let mut prep = Vec::new();
        if m.rotation != 0 {
            prep.push(format!("turned {}°", m.rotation));
        }
        if m.deskewed {
            prep.push(format!("deskewed {:.1}°", m.skew.unwrap_or(0.0)));
        }
        if m.blank {
            prep.push("blank, not read".to_string());
        }
        let prep = if prep.is_empty() { String::new() } else { format!(", {}", prep.join(", ")) };
        writeln!(
            out,
            "\n--- page {} ({}, confidence {:.2}{prep}) ---",
            p.page.number,
            p.page.method.as_str(),
            p.page.confidence
        )?;
        if let Some(e) = &p.error {
            writeln!(out, "[no text: {e}]")?;
        }
        writeln!(out, "{}", p.page.text)?;
    }
    out.flush()?;
    Ok(Outcome::Success)
}

/// "  (page 1, 0.96)": where a field was read and how sure, from its evidence.
fn where_read(evidence: &[chartdex_core::Evidence], field: &str) -> String {
    match evidence.iter().find(|e| e.field == field) {
        Some(e) => {
            let read_as =
                e.read_as.as_deref().map(|r| format!(", read as {r:?}")).unwrap_or_default();
            format!("  (page {}, confidence {:.2}{read_as})", e.page, e.confidence)
        }
        None => String::new(),
    }
}

fn join_or_dash(v: &[String]) -> String {
    if v.is_empty() {
        "-".into()
    } else {
        v.join(", ")
    }
}

fn export(data: &Path, args: ExportArgs) -> Result<Outcome> {
    let (dir, cat) = open_existing(data)?;
    let ids = cat.digitized_ids()?;
    let what = serde_json::json!({
        "format": format!("{:?}", args.format).to_lowercase(),
        "out": args.out.as_ref().map(|p| p.display().to_string()),
        "ids": ids.iter().map(|id| id.as_str()).collect::<Vec<_>>(),
    });
    log_access(&dir, "export", what, ids.len() as u64)?;
    let mut out: Box<dyn Write> = match &args.out {
        Some(path) => {
            use std::os::unix::fs::OpenOptionsExt;
            let file = std::fs::OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(true)
                .mode(0o600)
                .open(path)
                .with_context(|| format!("cannot create {}", path.display()))?;
            Box::new(BufWriter::new(file))
        }
        None => Box::new(stdout()),
    };
    let mut count = 0u64;
    match args.format {
        ExportFormat::Jsonl => {
            let mut write_err = None;
            cat.for_each_document(|doc| {
                let pages = cat.pages(&doc.id)?;
                let res =
                    serde_json::to_writer(&mut out, &Record::new(&doc, &pages, args.evidence))
                        .map_err(io::Error::from)
                        .and_then(|()| writeln!(out));
                if let Err(e) = res {
                    write_err = Some(e);
                    return Err(chartdex_pipeline::PipelineError::Internal(
                        "export stopped".into(),
                    ));
                }
                count += 1;
                Ok(())
            })
            .map_err(|e| match write_err.take() {
                Some(io) => anyhow::Error::from(io),
                None => e.into(),
            })?;
        }
    }
    out.flush()?;
    if let Some(path) = &args.out {
        eprintln!("exported {count} documents to {}", path.display());
    }
    Ok(Outcome::Success)
}

fn rejects(data: &Path, json: bool) -> Result<Outcome> {
    let (dir, cat) = open_existing(data)?;
    let rejects = cat.current_rejects()?;
    log_access(&dir, "rejects", serde_json::json!({}), rejects.len() as u64)?;
    let mut out = stdout();
    for r in &rejects {
        if json {
            let v = serde_json::json!({ "path": r.path, "id": r.doc_id, "reason": r.reason, "at": r.at });
            serde_json::to_writer(&mut out, &v)?;
            writeln!(out)?;
        } else {
            writeln!(out, "{}: {}", r.path, r.reason)?;
        }
    }
    out.flush()?;
    Ok(Outcome::Success)
}

fn review(data: &Path, json: bool) -> Result<Outcome> {
    let (dir, cat) = open_existing(data)?;
    let items = cat.review_queue()?;
    let what =
        serde_json::json!({ "ids": items.iter().map(|i| i.id.as_str()).collect::<Vec<_>>() });
    log_access(&dir, "review", what, items.len() as u64)?;
    let mut out = stdout();
    for item in &items {
        if json {
            let v = serde_json::json!({
                "id": item.id, "source": item.source, "reason": item.reason, "ingested_at": item.ingested_at,
            });
            serde_json::to_writer(&mut out, &v)?;
            writeln!(out)?;
        } else {
            let short = item.id.get(..12).unwrap_or(&item.id);
            writeln!(out, "{short}  {}  {}", item.source.as_deref().unwrap_or("-"), item.reason)?;
        }
    }
    out.flush()?;
    if items.is_empty() && !json {
        eprintln!("nothing to review");
    }
    Ok(Outcome::Success)
}

fn reextract(data: &Path, json: bool) -> Result<Outcome> {
    let dir = DataDir::open_existing(data)?;
    let s = chartdex_pipeline::reextract(&dir, IngestOptions::default().review_threshold)?;
    let mut out = stdout();
    if json {
        let v = serde_json::json!({
            "documents": s.documents, "changed": s.changed, "needs_review": s.needs_review,
            "pages_reordered": s.pages_reordered,
        });
        serde_json::to_writer(&mut out, &v)?;
        writeln!(out)?;
    } else {
        writeln!(out, "documents:       {}", s.documents)?;
        writeln!(out, "fields changed:  {}", s.changed)?;
        writeln!(out, "needs review:    {}", s.needs_review)?;
        writeln!(out, "pages reordered: {}", s.pages_reordered)?;
    }
    out.flush()?;
    Ok(Outcome::Success)
}

fn reindex(data: &Path) -> Result<Outcome> {
    let dir = DataDir::open_existing(data)?;
    let n = chartdex_pipeline::reindex(&dir)?;
    eprintln!("indexed {n} documents");
    Ok(Outcome::Success)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_mark_matches_on_one_line() {
        let s = "start metformin\n500 mg";
        assert_eq!(marked(s, &[(6, 15)], false), "start **metformin** 500 mg");
        assert_eq!(marked(s, &[(6, 15)], true), "start \x1b[1;31mmetformin\x1b[0m 500 mg");
        // Out-of-range highlights are ignored rather than panicking.
        assert_eq!(marked("abc", &[(1, 99)], false), "abc");
    }
}
