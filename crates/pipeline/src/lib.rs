//! The ingest pipeline: walk the scan folders, keep every original in the vault, decode and OCR
//! every page in parallel, extract fields, and record it all in the catalogue and the index.
//!
//! It never prints: progress and outcomes go to a [`Reporter`]. A bad file never stops a run and
//! no panic crosses a file boundary: each file's failure becomes a rejection with a reason, and
//! the run goes on. The catalogue is written before the index, and the index can always be
//! rebuilt from the catalogue ([`reindex`]).

pub mod access;
mod audit;
mod catalogue;
mod datadir;
mod ingest;
mod restore;

pub use audit::{audit, AuditOptions, AuditProgress, AuditReport, Problem, ProblemKind};
pub use catalogue::{
    Catalogue, DocumentRecord, RejectRecord, ReviewItem, Source, StoredPage, Version,
};
pub use datadir::{DataDir, WriterLock};
pub use ingest::{ingest, reextract, reindex, EngineFactory, IngestOptions, ReextractSummary};
pub use restore::{restore, Restored};

use chartdex_core::DocId;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Errors that stop a whole command (a bad file never does: it becomes a [`Rejected`]).
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error("no chartdex data directory at {0} (run `chartdex ingest PATH` to create one)")]
    NoDataDir(PathBuf),
    #[error("another ingest is already running on {0}; wait for it to finish")]
    Busy(PathBuf),
    #[error("{path}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("catalogue error")]
    Catalogue(#[from] rusqlite::Error),
    #[error(transparent)]
    Index(#[from] chartdex_index::IndexError),
    #[error(transparent)]
    Vault(#[from] chartdex_vault::VaultError),
    #[error("OCR engine")]
    Ocr(#[from] chartdex_ocr::OcrError),
    #[error("not a document id or id prefix (at least 4 hex digits): {0:?}")]
    BadId(String),
    #[error("no document with id {0}")]
    NoSuchDocument(String),
    #[error("id prefix {0} matches more than one document; give more digits")]
    AmbiguousId(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl PipelineError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> PipelineError {
        PipelineError::Io { path: path.to_path_buf(), source }
    }
}

/// A file that could not be digitized, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    pub path: PathBuf,
    pub reason: String,
}

/// What one ingest run did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunSummary {
    /// Files found under the roots.
    pub files_seen: u64,
    /// Documents digitized for the first time.
    pub documents_new: u64,
    /// Files whose bytes were already a document (found again at another path).
    pub duplicates: u64,
    /// Files already digitized at the same path with the same size and time, skipped.
    pub unchanged: u64,
    /// Pages recognised by OCR in this run.
    pub pages_ocred: u64,
    /// Pages found blank and not recognised.
    pub pages_blank: u64,
    /// Pages whose PDF text layer was used instead of OCR.
    pub pages_text: u64,
    /// Documents flagged for a person to check.
    pub needs_review: u64,
    pub rejected: Vec<Rejected>,
    pub elapsed: Duration,
}

/// What happened to one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileOutcome {
    New { id: DocId, pages: u32 },
    Duplicate { id: DocId },
    Unchanged,
    Rejected { reason: String },
}

/// Progress of a run, in the order it happens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event<'a> {
    /// The roots were walked: this many files will be looked at.
    Started { files: u64 },
    /// A page was handed to the OCR workers (it is in flight until recognised).
    PageQueued,
    /// A page was recognised.
    PageDone,
    /// A file is finished.
    FileDone { path: &'a Path, outcome: &'a FileOutcome },
    /// Documents a previous run catalogued but did not index are being indexed.
    Repairing { documents: u64 },
}

/// Receives a run's events, from the walker's thread (`PageQueued`) and the assembler's (the
/// others).
pub trait Reporter: Sync {
    fn event(&self, event: Event<'_>);
}

/// A reporter that ignores everything.
#[derive(Debug, Default)]
pub struct Silent;

impl Reporter for Silent {
    fn event(&self, _: Event<'_>) {}
}
