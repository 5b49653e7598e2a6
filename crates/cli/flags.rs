//! Command-line flags: parsing and validation only (no filesystem access here).

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Digitize scanned paper medical charts: OCR, fields, search, and a verified vault of originals.
#[derive(Debug, Parser)]
#[command(name = "chartdex", version, about, max_term_width = 100)]
pub(crate) struct Cli {
    /// The data directory (catalogue, vault of originals, index).
    #[arg(
        long,
        global = true,
        env = "CHARTDEX_DATA",
        default_value = "chartdex-data",
        value_name = "DIR"
    )]
    pub(crate) data: PathBuf,

    /// More log output on stderr (-v info, -vv debug). Logs never contain page text or fields.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub(crate) verbose: u8,

    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Walk folders of scans, keep every original in the vault, OCR and index every page.
    Ingest(IngestArgs),
    /// Search the page text and fields; documents best first (a patient's name lists that
    /// patient's charts first; equal scores, the most recent first).
    Search(SearchArgs),
    /// A patient's documents in date order, by MRN (or by name and date of birth).
    Patient(PatientArgs),
    /// Show one document: metadata, fields, and its text page by page.
    Show(ShowArgs),
    /// Write every digitized document out, one record per document.
    Export(ExportArgs),
    /// List the files that are not digitized, with the reason.
    Rejects(JsonArg),
    /// List the documents a person should check (failed or low-confidence pages), with the reason.
    Review(JsonArg),
    /// Prove the vault: re-hash every original, find missing, corrupt and unknown files,
    /// unindexed documents and access-log tampering. Exit 4 when anything is wrong.
    Audit(AuditArgs),
    /// Copy originals back out of the vault, verified, under their original file names.
    Restore(RestoreArgs),
    /// Show the access log: who searched, showed, exported, restored or ingested what, and when.
    Log(JsonArg),
    /// Rebuild the search index from the catalogue (no OCR).
    Reindex,
    /// Read every document's fields again from its stored text (no OCR), then re-index it.
    Reextract(JsonArg),
}

#[derive(Debug, Args)]
pub(crate) struct IngestArgs {
    /// Files or folders to ingest (folders are walked recursively; symlinks are not followed).
    #[arg(required = true, value_name = "PATH")]
    pub(crate) paths: Vec<PathBuf>,
    /// OCR workers; default: the number of cores.
    #[arg(short, long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=256))]
    pub(crate) jobs: Option<u16>,
    /// Tesseract language(s), e.g. eng or eng+spa.
    #[arg(long, default_value = "eng", value_name = "LANG")]
    pub(crate) lang: String,
    /// Print the run's report as one JSON object.
    #[arg(long)]
    pub(crate) json: bool,
    /// Largest page accepted, in megapixels; bigger pages (or decompression bombs) are rejected
    /// before any pixel is allocated.
    #[arg(long, default_value_t = 200, value_name = "MP", value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub(crate) max_page_megapixels: u64,
    /// Largest total of decoded pages per file, in MiB.
    #[arg(long, default_value_t = 8192, value_name = "MIB", value_parser = clap::value_parser!(u64).range(1..=1_048_576))]
    pub(crate) max_file_decoded_mib: u64,
    /// Do not detect and correct 90/180/270° page rotation before OCR.
    #[arg(long)]
    pub(crate) no_orientation: bool,
    /// Do not measure and remove the skew of text lines before OCR.
    #[arg(long)]
    pub(crate) no_deskew: bool,
    /// Do not clean pages before OCR (scan borders, edge shadows, streaks, speckle, uneven paper).
    #[arg(long)]
    pub(crate) no_clean: bool,
    /// Do not enlarge low-resolution pages (a fax, a scan whose text is too small) before OCR.
    #[arg(long)]
    pub(crate) no_upsample: bool,
    /// Do not read again, on their own, the stretches of a page OCR read with low confidence
    /// (a form's small captions).
    #[arg(long)]
    pub(crate) no_reread: bool,
    /// Do not read a form's check boxes, radio buttons and circled options from the page's
    /// pixels (they are then read by OCR as whatever letters they look like).
    #[arg(long)]
    pub(crate) no_marks: bool,
    /// Seconds decoding one page may take before the file is given up as hung.
    #[arg(long, default_value_t = 120, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub(crate) decode_timeout: u64,
}

#[derive(Debug, Args)]
pub(crate) struct SearchArgs {
    /// Words (all required), "a phrase", AND, OR, NOT, or field:value (patient:, mrn:, type:,
    /// icd10:, cpt:, codes:, med:, provider:, dob:, service_date:[2019-01-01 TO 2019-12-31]).
    #[arg(value_name = "QUERY", required_unless_present_any = ["mrn", "patient", "doc_type", "from", "to", "code"])]
    pub(crate) query: Vec<String>,
    /// Only this patient's documents (MRN).
    #[arg(long, value_name = "MRN")]
    pub(crate) mrn: Option<String>,
    /// Only documents whose patient name has these words (any case, accents or not).
    #[arg(long, value_name = "NAME")]
    pub(crate) patient: Option<String>,
    /// Only documents of this type (progress_note, lab_report, …).
    #[arg(long = "type", value_name = "TYPE")]
    pub(crate) doc_type: Option<String>,
    /// Only documents with a date of service on or after DATE (YYYY-MM-DD, YYYY-MM or YYYY).
    #[arg(long, value_name = "DATE", value_parser = date)]
    pub(crate) from: Option<String>,
    /// Only documents with a date of service on or before DATE (YYYY-MM-DD, YYYY-MM or YYYY).
    #[arg(long, value_name = "DATE", value_parser = date)]
    pub(crate) to: Option<String>,
    /// Only documents with this ICD-10-CM or CPT code (I50.9, I509, 99213).
    #[arg(long, value_name = "CODE")]
    pub(crate) code: Option<String>,
    /// Most documents to show.
    #[arg(short = 'n', long, default_value_t = 10, value_name = "N")]
    pub(crate) limit: usize,
    /// One JSON object per document.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct PatientArgs {
    /// The patient's MRN.
    #[arg(value_name = "MRN", required_unless_present = "name", conflicts_with = "name")]
    pub(crate) mrn: Option<String>,
    /// The patient's name instead of an MRN (with --dob), for documents where none was read.
    #[arg(long, value_name = "NAME", requires = "dob")]
    pub(crate) name: Option<String>,
    /// The patient's date of birth (YYYY-MM-DD), with --name.
    #[arg(long, value_name = "DATE", value_parser = full_date)]
    pub(crate) dob: Option<String>,
    /// One JSON object per document.
    #[arg(long)]
    pub(crate) json: bool,
}

/// YYYY-MM-DD, YYYY-MM or YYYY.
fn date(s: &str) -> Result<String, String> {
    let parts: Vec<&str> = s.trim().split('-').collect();
    let ok = match parts.as_slice() {
        [y] => y.len() == 4,
        [y, m] => y.len() == 4 && m.len() == 2,
        [y, m, d] => y.len() == 4 && m.len() == 2 && d.len() == 2,
        _ => false,
    } && parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_digit()));
    if ok {
        Ok(s.trim().to_string())
    } else {
        Err("a date as YYYY-MM-DD, YYYY-MM or YYYY".into())
    }
}

/// YYYY-MM-DD.
fn full_date(s: &str) -> Result<String, String> {
    date(s).and_then(|d| if d.len() == 10 { Ok(d) } else { Err("a date as YYYY-MM-DD".into()) })
}

#[derive(Debug, Args)]
pub(crate) struct ShowArgs {
    /// A document id (SHA-256), or a unique prefix of it (at least 4 hex digits).
    #[arg(value_name = "ID")]
    pub(crate) id: String,
    /// The document as one JSON object (the export record, with the `evidence` key).
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ExportFormat {
    /// One JSON object per line.
    Jsonl,
}

#[derive(Debug, Args)]
pub(crate) struct ExportArgs {
    /// The output format.
    #[arg(long, value_enum, default_value = "jsonl")]
    pub(crate) format: ExportFormat,
    /// Write to FILE (created mode 0600) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub(crate) out: Option<PathBuf>,
    /// Add an `evidence` key: where each field value was read (page, box, confidence).
    #[arg(long)]
    pub(crate) evidence: bool,
}

#[derive(Debug, Args)]
pub(crate) struct AuditArgs {
    /// Re-hash only this percentage of the originals, chosen at random (every original is still
    /// checked for presence and size).
    #[arg(long, value_name = "PERCENT", value_parser = percent)]
    pub(crate) sample: Option<f64>,
    /// Print the report as one JSON object.
    #[arg(long)]
    pub(crate) json: bool,
    /// Threads reading and hashing; default: the number of cores.
    #[arg(short, long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=256))]
    pub(crate) jobs: Option<u16>,
}

fn percent(s: &str) -> Result<f64, String> {
    let v: f64 = s.trim_end_matches('%').parse().map_err(|_| format!("not a number: {s}"))?;
    if v > 0.0 && v <= 100.0 {
        Ok(v)
    } else {
        Err("a percentage above 0 and at most 100".into())
    }
}

#[derive(Debug, Args)]
pub(crate) struct RestoreArgs {
    /// Document ids (SHA-256), or unique prefixes of them (at least 4 hex digits).
    #[arg(required = true, value_name = "ID")]
    pub(crate) ids: Vec<String>,
    /// The folder to restore into (created if missing); existing files are never overwritten.
    #[arg(long, required = true, value_name = "DIR")]
    pub(crate) to: PathBuf,
}

#[derive(Debug, Args)]
pub(crate) struct JsonArg {
    /// JSON output.
    #[arg(long)]
    pub(crate) json: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_are_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }

    #[test]
    fn sample_is_a_percentage() {
        let parse = |v: &str| Cli::try_parse_from(["chartdex", "audit", "--sample", v]);
        assert!(parse("0").is_err());
        assert!(parse("101").is_err());
        assert!(parse("ten").is_err());
        let Command::Audit(a) = parse("10%").unwrap().command else { panic!("not audit") };
        assert_eq!(a.sample, Some(10.0));
    }

    #[test]
    fn search_needs_words_or_a_filter_and_dates_are_checked() {
        let parse = |args: &[&str]| Cli::try_parse_from([&["chartdex", "search"], args].concat());
        assert!(parse(&[]).is_err());
        assert!(parse(&["--mrn", "MR1"]).is_ok());
        assert!(parse(&["x", "--from", "2019"]).is_ok());
        assert!(parse(&["x", "--from", "2019-3-1"]).is_err());
        assert!(parse(&["x", "--to", "03/14/2019"]).is_err());
        let patient =
            |args: &[&str]| Cli::try_parse_from([&["chartdex", "patient"], args].concat());
        assert!(patient(&[]).is_err());
        assert!(patient(&["MR1"]).is_ok());
        assert!(patient(&["--name", "Zoe Testpatient"]).is_err(), "a name needs a date of birth");
        assert!(patient(&["--name", "Zoe", "--dob", "1961-03-14"]).is_ok());
        assert!(patient(&["--name", "Zoe", "--dob", "1961"]).is_err());
    }

    #[test]
    fn jobs_must_be_positive() {
        assert!(Cli::try_parse_from(["chartdex", "ingest", "--jobs", "0", "x"]).is_err());
        let cli =
            Cli::try_parse_from(["chartdex", "--data", "d", "ingest", "-j", "2", "x"]).unwrap();
        assert_eq!(cli.data, PathBuf::from("d"));
    }
}
