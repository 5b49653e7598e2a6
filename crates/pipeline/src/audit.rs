//! The audit: proves that every catalogued original is in the vault, whole and unaltered, that
//! the vault holds nothing the catalogue does not know, that the index holds every document, and
//! that the access log's chain is intact.

use crate::access::{self, LogCheck};
use crate::catalogue::{AuditRow, Catalogue};
use crate::datadir::DataDir;
use crate::PipelineError;
use chartdex_index::{IndexError, SearchIndex};
use chartdex_vault::{Check, Entry, Vault};
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

/// How much to re-hash, and with how many threads.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AuditOptions {
    /// Re-hash only this percentage of the originals, chosen at random (every original is still
    /// checked for presence and size). `None`: all of them.
    pub sample_percent: Option<f64>,
    /// Threads reading and hashing.
    pub jobs: usize,
}

impl Default for AuditOptions {
    fn default() -> Self {
        AuditOptions {
            sample_percent: None,
            jobs: std::thread::available_parallelism().map_or(1, |n| n.get()),
        }
    }
}

/// Receives the audit's progress; called from several threads.
pub trait AuditProgress: Sync {
    /// Re-hashing starts: this many originals, this many bytes.
    fn start(&self, originals: u64, bytes: u64);
    /// This many more bytes were read.
    fn read(&self, bytes: u64);
}

impl AuditProgress for crate::Silent {
    fn start(&self, _: u64, _: u64) {}
    fn read(&self, _: u64) {}
}

/// What is wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ProblemKind {
    /// A catalogued document's original is not in the vault.
    Missing,
    /// An original's bytes (or size) no longer match its hash.
    Corrupt,
    /// A file in the vault the catalogue does not know.
    Orphan,
    /// A digitized document the index does not hold (or holds only in part).
    Unindexed,
    /// The index holds a document the catalogue does not.
    Stale,
    /// The access log was altered, cut, or removed.
    AccessLog,
}

impl ProblemKind {
    pub fn name(self) -> &'static str {
        match self {
            ProblemKind::Missing => "missing",
            ProblemKind::Corrupt => "corrupt",
            ProblemKind::Orphan => "orphan",
            ProblemKind::Unindexed => "unindexed",
            ProblemKind::Stale => "stale",
            ProblemKind::AccessLog => "access-log",
        }
    }
}

/// One problem found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub kind: ProblemKind,
    /// The document (or vault key) concerned.
    pub id: Option<String>,
    /// The file concerned: the vault file, or where the original was first found.
    pub path: Option<String>,
    pub detail: String,
}

/// What the audit did and found.
#[derive(Debug, Clone, Default)]
pub struct AuditReport {
    /// Documents in the catalogue (digitized and rejected: both keep their original).
    pub documents: u64,
    /// Originals in the vault.
    pub vault_files: u64,
    /// Originals re-hashed.
    pub rehashed: u64,
    pub bytes_read: u64,
    /// The time spent re-hashing.
    pub hashing: Duration,
    pub elapsed: Duration,
    pub sample_percent: Option<f64>,
    /// Documents the index holds.
    pub indexed: u64,
    pub access_log: LogCheck,
    /// Sorted by kind, then id.
    pub problems: Vec<Problem>,
}

impl AuditReport {
    pub fn clean(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Audits the data directory. Holds the writer lock, so no ingest changes it meanwhile.
pub fn audit(
    data: &DataDir,
    opts: &AuditOptions,
    progress: &dyn AuditProgress,
) -> Result<AuditReport, PipelineError> {
    let started = Instant::now();
    let _lock = data.lock_writer()?;
    let cat = Catalogue::open(&data.catalogue_path())?;
    let vault = Vault::open(data.vault_dir())?;
    let mut report = AuditReport { sample_percent: opts.sample_percent, ..AuditReport::default() };
    let rows = cat.audit_list()?;
    report.documents = rows.len() as u64;
    let problem = |kind, row: &AuditRow, detail: String| Problem {
        kind,
        id: Some(row.id.clone()),
        path: row.source.clone(),
        detail,
    };

    // The vault against the catalogue.
    let mut stored: HashMap<String, u64> = HashMap::new();
    for entry in vault.entries()? {
        match entry {
            Entry::Original { key, size } => {
                stored.insert(key, size);
            }
            Entry::Stray { path } => report.problems.push(Problem {
                kind: ProblemKind::Orphan,
                id: None,
                path: Some(path.display().to_string()),
                detail: "a file in the vault that is not an original".into(),
            }),
        }
    }
    report.vault_files = stored.len() as u64;
    let known: HashSet<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    let mut orphans: Vec<&String> = stored.keys().filter(|k| !known.contains(k.as_str())).collect();
    orphans.sort();
    for key in orphans {
        report.problems.push(Problem {
            kind: ProblemKind::Orphan,
            id: Some(key.clone()),
            path: vault.path_of(key).ok().map(|p| p.display().to_string()),
            detail: "an original the catalogue does not know".into(),
        });
    }
    let mut to_hash = Vec::new();
    for row in &rows {
        match stored.get(&row.id) {
            None => report.problems.push(problem(
                ProblemKind::Missing,
                row,
                "the original is not in the vault".into(),
            )),
            Some(&size) if size != row.bytes => report.problems.push(problem(
                ProblemKind::Corrupt,
                row,
                format!("the original is {size} bytes; {} were stored", row.bytes),
            )),
            Some(_) => to_hash.push(row),
        }
    }

    // Re-hash every original, or a random sample.
    if let Some(p) = opts.sample_percent {
        let keep = ((to_hash.len() as f64 * p / 100.0).ceil() as usize).min(to_hash.len());
        let seed = random_seed();
        to_hash.sort_by_cached_key(|r| {
            chartdex_vault::sha256_hex(format!("{seed}{}", r.id).as_bytes())
        });
        to_hash.truncate(keep);
        to_hash.sort_by(|a, b| a.id.cmp(&b.id));
    }
    report.rehashed = to_hash.len() as u64;
    report.bytes_read = to_hash.iter().map(|r| r.bytes).sum();
    progress.start(report.rehashed, report.bytes_read);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.jobs.max(1))
        .thread_name(|i| format!("chartdex-audit-{i}"))
        .build()
        .map_err(|e| PipelineError::Internal(format!("cannot start audit threads: {e}")))?;
    let hashing = Instant::now();
    let found: Vec<Problem> = pool.install(|| {
        to_hash
            .par_iter()
            .filter_map(|row| match vault.check(&row.id, &|n| progress.read(n)) {
                Ok(Check::Intact) => None,
                Ok(Check::Missing) => Some(problem(
                    ProblemKind::Missing,
                    row,
                    "the original is not in the vault".into(),
                )),
                Ok(Check::Corrupt { found }) => Some(problem(
                    ProblemKind::Corrupt,
                    row,
                    format!("the original's bytes changed: they now hash to {found}"),
                )),
                Err(e) => Some(problem(
                    ProblemKind::Corrupt,
                    row,
                    format!("the original cannot be read: {}", error_chain(&e)),
                )),
            })
            .collect()
    });
    report.hashing = hashing.elapsed();
    report.problems.extend(found);

    // The index against the catalogue.
    match SearchIndex::open(&data.index_dir()) {
        Ok(index) => {
            let held = index.indexed_documents()?;
            report.indexed = held.len() as u64;
            for row in rows.iter().filter(|r| r.digitized) {
                let pages = held.get(&row.id).copied().unwrap_or(0);
                if !row.indexed || pages != row.pages {
                    report.problems.push(problem(
                        ProblemKind::Unindexed,
                        row,
                        format!(
                            "the index holds {pages} of its {} pages (run `chartdex reindex`)",
                            row.pages
                        ),
                    ));
                }
            }
            let digitized: HashSet<&str> =
                rows.iter().filter(|r| r.digitized).map(|r| r.id.as_str()).collect();
            let mut stale: Vec<&String> =
                held.keys().filter(|k| !digitized.contains(k.as_str())).collect();
            stale.sort();
            for id in stale {
                report.problems.push(Problem {
                    kind: ProblemKind::Stale,
                    id: Some(id.clone()),
                    path: None,
                    detail:
                        "the index holds a document the catalogue does not (run `chartdex reindex`)"
                            .into(),
                });
            }
        }
        Err(IndexError::Outdated(_)) => {
            for row in rows.iter().filter(|r| r.digitized) {
                report.problems.push(problem(
                    ProblemKind::Unindexed,
                    row,
                    "the index is of another chartdex version (run `chartdex reindex`)".into(),
                ));
            }
        }
        Err(e) => return Err(e.into()),
    }

    // The access log.
    report.access_log = access::verify(data)?;
    for p in &report.access_log.problems {
        report.problems.push(Problem {
            kind: ProblemKind::AccessLog,
            id: None,
            path: Some(match p.line {
                Some(n) => format!("{}:{n}", access::log_file(data).display()),
                None => access::log_file(data).display().to_string(),
            }),
            detail: p.detail.clone(),
        });
    }
    report.problems.sort_by(|a, b| (a.kind, &a.id, &a.path).cmp(&(b.kind, &b.id, &b.path)));
    report.elapsed = started.elapsed();
    Ok(report)
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut source = e.source();
    while let Some(c) = source {
        s.push_str(": ");
        s.push_str(&c.to_string());
        source = c.source();
    }
    s
}

/// A seed for choosing the sample: different on every run.
fn random_seed() -> String {
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{t}-{}", std::process::id())
}
