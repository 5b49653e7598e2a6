//! The ingest run: a walker thread reads, hashes, stores and decodes files; OCR workers (a rayon
//! pool, one engine each) recognise pages; this thread assembles documents and writes the
//! catalogue and the index.
//!
//! Memory stays bounded whatever the number of files: pages travel through bounded channels (at
//! most two per worker wait for OCR), and only the text of documents still being recognised is
//! held here.

use crate::catalogue::{Catalogue, NewDocument, Source};
use crate::{DataDir, Event, FileOutcome, PipelineError, Rejected, Reporter, RunSummary};
use chartdex_core::{DocId, Fields, MediaType, PageText, Raster, TextMethod};
use chartdex_decode::Limits;
use chartdex_decode::PageContent;
use chartdex_extract::Extraction;
use chartdex_index::{IndexError, PageEntry, SearchIndex, Writer};
use chartdex_ocr::{OcrError, Recognized, Recognizer};
use chartdex_vault::{Vault, VaultError};
use crossbeam_channel::{bounded, Receiver, RecvTimeoutError, Sender};
use std::collections::{HashMap, HashSet};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};
use std::{fs, io};
use walkdir::WalkDir;

/// Makes OCR engines, one per worker.
pub trait EngineFactory: Sync {
    fn create(&self) -> Result<Box<dyn Recognizer>, OcrError>;
}

impl<F> EngineFactory for F
where
    F: Fn() -> Result<Box<dyn Recognizer>, OcrError> + Sync,
{
    fn create(&self) -> Result<Box<dyn Recognizer>, OcrError> {
        self()
    }
}

/// Settings of an ingest run.
#[derive(Debug, Clone)]
pub struct IngestOptions {
    /// OCR workers (one engine each).
    pub jobs: usize,
    /// Decoding limits per file.
    pub limits: Limits,
    /// Documents whose mean word confidence is below this (0..1) are flagged for review.
    pub review_threshold: f32,
    /// How long decoding one page may take before the file is given up as hung.
    pub decode_timeout: Duration,
}

impl Default for IngestOptions {
    fn default() -> Self {
        IngestOptions {
            jobs: std::thread::available_parallelism().map_or(1, |n| n.get()),
            limits: Limits::default(),
            review_threshold: 0.6,
            decode_timeout: Duration::from_secs(120),
        }
    }
}

/// How often the index is committed during a run (whichever comes first).
const COMMIT_EVERY_DOCS: usize = 64;
const COMMIT_EVERY: Duration = Duration::from_secs(10);

/// A page's text and how it was obtained.
struct PageOut {
    recognized: Recognized,
    method: TextMethod,
}

struct PageJob {
    seq: u64,
    number: u32,
    raster: Raster,
}

struct DocDone {
    seq: u64,
    id: DocId,
    bytes: u64,
    media: Option<MediaType>,
    source: Source,
    path: PathBuf,
    pages_sent: u32,
    failure: Option<String>,
}

enum Msg {
    Page {
        seq: u64,
        number: u32,
        result: Result<PageOut, String>,
    },
    Doc(Box<DocDone>),
    Duplicate {
        id: DocId,
        source: Source,
        path: PathBuf,
    },
    Unchanged {
        path: PathBuf,
    },
    /// A file that never became a document (unreadable, empty, vanished).
    Rejected {
        path: PathBuf,
        reason: String,
    },
    Fatal(PipelineError),
}

/// A root as given and as resolved.
struct Root {
    /// The directory paths are made relative to.
    base: PathBuf,
    /// What to walk (the root itself, or one file).
    walk: PathBuf,
}

/// Ingests every file under `roots` into the data directory.
pub fn ingest(
    data: &DataDir,
    roots: &[PathBuf],
    engines: &dyn EngineFactory,
    opts: &IngestOptions,
    reporter: &dyn Reporter,
) -> Result<RunSummary, PipelineError> {
    let started = Instant::now();
    let _lock = data.lock_writer()?;
    let mut cat = Catalogue::open(&data.catalogue_path())?;
    let vault = Vault::open(data.vault_dir())?;
    // A run killed while storing an original leaves its temporary file; we hold the lock now.
    let leftovers = vault.remove_leftovers()?;
    if leftovers > 0 {
        tracing::info!("removed {leftovers} temporary files a stopped run left in the vault");
    }
    let index = open_index(data, &cat)?;
    let mut writer = index.writer()?;
    let mut summary = RunSummary::default();

    // A run that stopped between its catalogue and index commits left documents unindexed.
    let unindexed = cat.documents_to_index(false)?;
    if !unindexed.is_empty() {
        reporter.event(Event::Repairing { documents: unindexed.len() as u64 });
        index_from_catalogue(&mut cat, &mut writer, &unindexed)?;
    }

    let mut resolved = Vec::new();
    for root in roots {
        match resolve_root(root) {
            Ok(r) => resolved.push(r),
            Err(e) => summary.rejected.push(Rejected { path: root.clone(), reason: io_reason(&e) }),
        }
    }
    let root_names: Vec<String> = roots.iter().map(|r| r.display().to_string()).collect();
    let run_id = cat.begin_run(&root_names)?;
    for r in &summary.rejected {
        cat.record_reject(run_id, &r.path.display().to_string(), None, &r.reason)?;
    }
    let files = resolved
        .iter()
        .map(|r| {
            walker(&r.walk)
                .into_iter()
                .filter_map(Result::ok)
                .filter(|e| e.file_type().is_file())
                .count() as u64
        })
        .sum();
    reporter.event(Event::Started { files });

    let jobs = opts.jobs.max(1);
    let recognizers = (0..jobs).map(|_| engines.create()).collect::<Result<Vec<_>, _>>()?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .thread_name(|i| format!("chartdex-ocr-{i}"))
        .build()
        .map_err(|e| PipelineError::Internal(format!("cannot start OCR workers: {e}")))?;
    let in_flight = Mutex::new(HashSet::new());
    let catalogue_path = data.catalogue_path();

    let result = std::thread::scope(|s| {
        let (job_tx, job_rx) = bounded::<PageJob>(jobs * 2);
        let (msg_tx, msg_rx) = bounded::<Msg>(256);
        let producer_tx = msg_tx.clone();
        let (vault, in_flight, resolved) = (&vault, &in_flight, &resolved);
        let (limits, decode_timeout) = (opts.limits, opts.decode_timeout);
        let catalogue_path = &catalogue_path;
        std::thread::Builder::new()
            .name("chartdex-walk".into())
            .spawn_scoped(s, move || {
                let walk = Walk {
                    vault,
                    in_flight,
                    limits,
                    decode_timeout,
                    jobs: job_tx,
                    msgs: producer_tx.clone(),
                    reporter,
                };
                if let Err(e) = walk.run(catalogue_path, resolved) {
                    let _ = producer_tx.send(Msg::Fatal(e));
                }
            })
            .map_err(|e| PipelineError::Internal(format!("cannot start walker: {e}")))?;
        let pool = &pool;
        std::thread::Builder::new()
            .name("chartdex-ocr".into())
            .spawn_scoped(s, move || {
                pool.scope(|ps| {
                    for engine in recognizers {
                        let (jobs, out) = (job_rx.clone(), msg_tx.clone());
                        ps.spawn(move |_| ocr_worker(engine, jobs, out, engines));
                    }
                });
            })
            .map_err(|e| PipelineError::Internal(format!("cannot start OCR workers: {e}")))?;
        let mut assembler = Assembler {
            cat: &mut cat,
            writer: &mut writer,
            in_flight,
            run_id,
            opts,
            reporter,
            summary: &mut summary,
            pending: HashMap::new(),
            by_id: HashMap::new(),
            uncommitted: Vec::new(),
            last_commit: Instant::now(),
        };
        // On error the receiver is dropped on return, which stops the walker and the workers.
        assembler.run(msg_rx)
    });
    result?;
    summary.elapsed = started.elapsed();
    cat.finish_run(run_id, &summary)?;
    Ok(summary)
}

/// Opens the index for writing; one written by another version of chartdex is deleted and every
/// document marked for indexing again (the caller holds the writer lock, and its repair step
/// rebuilds the index from the catalogue).
fn open_index(data: &DataDir, cat: &Catalogue) -> Result<SearchIndex, PipelineError> {
    match SearchIndex::open(&data.index_dir()) {
        Err(IndexError::Outdated(_)) => {
            tracing::info!("search index is of another version: rebuilding it from the catalogue");
            cat.mark_all_unindexed()?;
            Ok(SearchIndex::recreate(&data.index_dir())?)
        }
        other => Ok(other?),
    }
}

/// Rebuilds the whole index from the catalogue, without OCR. Returns the documents indexed.
pub fn reindex(data: &DataDir) -> Result<u64, PipelineError> {
    let _lock = data.lock_writer()?;
    let mut cat = Catalogue::open(&data.catalogue_path())?;
    let index = SearchIndex::recreate(&data.index_dir())?;
    let mut writer = index.writer()?;
    let ids = cat.documents_to_index(true)?;
    index_from_catalogue(&mut cat, &mut writer, &ids)?;
    Ok(ids.len() as u64)
}

/// What a re-extraction did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReextractSummary {
    /// Documents whose fields were read again.
    pub documents: u64,
    /// Of those, the documents whose fields changed.
    pub changed: u64,
    /// Documents flagged for review after it.
    pub needs_review: u64,
    /// OCR pages whose text was put in reading order anew (stored in another order).
    pub pages_reordered: u64,
}

/// Reads the fields of every digitized document again from its stored pages (no OCR), updates
/// the catalogue and the review queue, and re-indexes the documents. OCR pages are first put in
/// reading order from their stored words ([`chartdex_core::reading::reassemble`]), so an archive
/// read by an earlier chartdex gets the text a new ingest would write.
pub fn reextract(data: &DataDir, review_threshold: f32) -> Result<ReextractSummary, PipelineError> {
    let _lock = data.lock_writer()?;
    let mut cat = Catalogue::open(&data.catalogue_path())?;
    let index = open_index(data, &cat)?;
    let mut writer = index.writer()?;
    let ids = cat.documents_to_index(true)?;
    let mut summary = ReextractSummary::default();
    for id in &ids {
        let mut pages: Vec<(PageText, Option<String>)> =
            cat.pages(id)?.into_iter().map(|p| (p.page, p.error)).collect();
        // OCR pages stored in another order (tesseract's blocks, by an earlier chartdex) are
        // read again in reading order, from their words.
        let mut rebuilt = Vec::new();
        for (i, (page, _)) in pages.iter_mut().enumerate() {
            if let Some((text, words)) = chartdex_core::reading::reassemble(page) {
                if text != page.text || words != page.words {
                    page.text = text;
                    page.words = words;
                    rebuilt.push(i);
                }
            }
        }
        let texts: Vec<PageText> = pages.iter().map(|(p, _)| p.clone()).collect();
        let extraction = chartdex_extract::extract(&texts);
        let review = review_reason(&pages, review_threshold, &extraction);
        let rebuilt: Vec<&PageText> = rebuilt.iter().map(|&i| &texts[i]).collect();
        let changed = cat.update_fields(
            id,
            &extraction.fields,
            &extraction.evidence,
            review.as_deref(),
            &rebuilt,
        )?;
        summary.documents += 1;
        summary.changed += u64::from(changed);
        summary.needs_review += u64::from(review.is_some());
        summary.pages_reordered += rebuilt.len() as u64;
    }
    // Documents are marked indexed only once the index holds their new fields.
    index_from_catalogue(&mut cat, &mut writer, &ids)?;
    Ok(summary)
}

fn index_from_catalogue(
    cat: &mut Catalogue,
    writer: &mut Writer,
    ids: &[DocId],
) -> Result<(), PipelineError> {
    for id in ids {
        let Some(doc) = cat.document(id)? else {
            continue;
        };
        let pages: Vec<PageText> = cat.pages(id)?.into_iter().map(|p| p.page).collect();
        let source = doc.sources.first().map(|s| s.rel_path.as_str()).unwrap_or("");
        index_document(writer, id, &doc.fields, source, &pages)?;
    }
    writer.commit()?;
    cat.mark_indexed(ids)?;
    Ok(())
}

/// Replaces a document's pages in the index (not yet committed).
fn index_document(
    writer: &mut Writer,
    id: &DocId,
    fields: &Fields,
    source: &str,
    pages: &[PageText],
) -> Result<(), PipelineError> {
    writer.delete_document(id.as_str());
    let patient = fields.patient.display_name();
    let provider = [fields.provider.given.as_deref(), fields.provider.family.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let meds: Vec<String> = fields.medications.iter().map(|m| m.name.clone()).collect();
    for page in pages {
        writer.add_page(&PageEntry {
            doc_id: id.as_str(),
            page: page.number,
            source,
            text: &page.text,
            doc_type: fields.doc_type.map(|t| t.name()),
            patient: patient.as_deref(),
            mrn: fields.patient.mrn.as_deref(),
            dob: fields.patient.dob.as_deref(),
            service_date: fields.service_date.as_deref(),
            icd10: &fields.icd10,
            cpt: &fields.cpt,
            meds: &meds,
            provider: (!provider.is_empty()).then_some(provider.as_str()),
        })?;
    }
    Ok(())
}

fn walker(path: &Path) -> WalkDir {
    WalkDir::new(path).follow_links(false).sort_by_file_name()
}

fn resolve_root(root: &Path) -> io::Result<Root> {
    let abs = fs::canonicalize(root)?;
    if abs.is_dir() {
        Ok(Root { base: abs.clone(), walk: abs })
    } else {
        let base = abs.parent().map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("/"));
        Ok(Root { base, walk: abs })
    }
}

/// A reason for an IO failure, in words.
fn io_reason(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::NotFound => {
            "no such file or directory (it may have been moved or deleted during the run)".into()
        }
        io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => format!("cannot read: {e}"),
    }
}

fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    p.downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}

/// The walker thread's state.
struct Walk<'a> {
    vault: &'a Vault,
    in_flight: &'a Mutex<HashSet<DocId>>,
    limits: Limits,
    decode_timeout: Duration,
    jobs: Sender<PageJob>,
    msgs: Sender<Msg>,
    reporter: &'a dyn Reporter,
}

/// The assembler has gone away (it failed); stop quietly.
struct Stop;

impl Walk<'_> {
    fn run(&self, catalogue: &Path, roots: &[Root]) -> Result<(), PipelineError> {
        let cat = Catalogue::open(catalogue)?;
        let mut seq = 0u64;
        for root in roots {
            for entry in walker(&root.walk) {
                let step = match entry {
                    Ok(e) if e.file_type().is_file() => {
                        seq += 1;
                        self.file(&cat, root, e.path(), seq)
                    }
                    Ok(_) => Ok(Ok(())),
                    Err(e) => {
                        let path =
                            e.path().map(Path::to_path_buf).unwrap_or_else(|| root.walk.clone());
                        let reason = e.io_error().map(io_reason).unwrap_or_else(|| e.to_string());
                        Ok(self.send(Msg::Rejected { path, reason }))
                    }
                };
                match step? {
                    Ok(()) => {}
                    Err(Stop) => return Ok(()),
                }
            }
        }
        Ok(())
    }

    fn send(&self, msg: Msg) -> Result<(), Stop> {
        self.msgs.send(msg).map_err(|_| Stop)
    }

    /// One file. The outer error stops the run; the inner one means the assembler is gone.
    fn file(
        &self,
        cat: &Catalogue,
        root: &Root,
        path: &Path,
        seq: u64,
    ) -> Result<Result<(), Stop>, PipelineError> {
        let reject =
            |reason: String| Ok(self.send(Msg::Rejected { path: path.to_path_buf(), reason }));
        let meta = match fs::metadata(path) {
            Ok(m) => m,
            Err(e) => return reject(io_reason(&e)),
        };
        let mtime_ns = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos() as i64);
        let path_str = path.to_string_lossy().into_owned();
        if cat.unchanged_source(&path_str, meta.len(), mtime_ns)?.is_some() {
            return Ok(self.send(Msg::Unchanged { path: path.to_path_buf() }));
        }
        let bytes = match fs::read(path) {
            Ok(b) => b,
            Err(e) => return reject(io_reason(&e)),
        };
        if bytes.is_empty() {
            return reject("empty file".into());
        }
        let rel = path.strip_prefix(&root.base).unwrap_or(path);
        let source = Source {
            path: path_str,
            root: root.base.to_string_lossy().into_owned(),
            rel_path: rel.to_string_lossy().into_owned(),
            size: bytes.len() as u64,
            mtime_ns,
        };
        let id = DocId::parse(&chartdex_vault::sha256_hex(&bytes)).expect("sha256 hex is a doc id");
        match self.vault.put_keyed(id.as_str(), &bytes) {
            Ok(_) => {}
            Err(e @ VaultError::Corrupt { .. }) => {
                return reject(format!("cannot keep the original: {e}"))
            }
            Err(e) => return Err(e.into()),
        }
        // In-flight first, then the catalogue: the assembler commits before it clears in-flight,
        // so a document is always seen by one of the two checks.
        let known =
            self.in_flight.lock().expect("in-flight set").contains(&id) || cat.is_digitized(&id)?;
        if known {
            return Ok(self.send(Msg::Duplicate { id, source, path: path.to_path_buf() }));
        }
        self.in_flight.lock().expect("in-flight set").insert(id.clone());
        let media = chartdex_decode::sniff(&bytes);
        let size = bytes.len() as u64;
        let (pages_sent, failure) = match media {
            None => (0, Some(chartdex_decode::DecodeError::UnknownType.to_string())),
            Some(media) => match self.decode(bytes, media, seq) {
                Ok(done) => done,
                Err(Stop) => return Ok(Err(Stop)),
            },
        };
        Ok(self.send(Msg::Doc(Box::new(DocDone {
            seq,
            id,
            bytes: size,
            media,
            source,
            path: path.to_path_buf(),
            pages_sent,
            failure,
        }))))
    }

    /// Decodes a file on a thread of its own, forwarding each page as it comes: rasters to the
    /// OCR workers, text layers straight to the assembler. A decoder that panics fails the file;
    /// one that takes longer than the timeout for a page is abandoned (its thread is left to
    /// finish or die with the process) and fails the file. Returns the pages sent and the
    /// failure, if any.
    fn decode(
        &self,
        bytes: Vec<u8>,
        media: MediaType,
        seq: u64,
    ) -> Result<(u32, Option<String>), Stop> {
        let (tx, rx) = bounded::<Result<PageContent, String>>(1);
        let limits = self.limits;
        let spawned = std::thread::Builder::new().name("chartdex-decode".into()).spawn(move || {
            let run = catch_unwind(AssertUnwindSafe(|| {
                let pages = match chartdex_decode::open(&bytes, media, limits) {
                    Ok(pages) => pages,
                    Err(e) => return Err(e.to_string()),
                };
                for page in pages {
                    let failed = page.is_err();
                    if tx.send(page.map_err(|e| e.to_string())).is_err() || failed {
                        break;
                    }
                }
                Ok(())
            }));
            let failure = match run {
                Ok(Ok(())) => return,
                Ok(Err(reason)) => reason,
                Err(panic) => format!("decoder crashed: {}", panic_message(&*panic)),
            };
            let _ = tx.send(Err(failure));
        });
        if let Err(e) = spawned {
            return Ok((0, Some(format!("cannot start a decoder thread: {e}"))));
        }
        let mut sent = 0u32;
        loop {
            let number = sent + 1;
            match rx.recv_timeout(self.decode_timeout) {
                Ok(Ok(PageContent::Raster(raster))) => {
                    self.jobs.send(PageJob { seq, number, raster }).map_err(|_| Stop)?;
                    self.reporter.event(Event::PageQueued);
                }
                Ok(Ok(PageContent::Text(text))) => {
                    let page = PageOut {
                        recognized: Recognized {
                            text,
                            confidence: 1.0,
                            words: Vec::new(),
                            meta: Default::default(),
                        },
                        method: TextMethod::TextLayer,
                    };
                    self.send(Msg::Page { seq, number, result: Ok(page) })?;
                }
                Ok(Err(reason)) => return Ok((sent, Some(reason))),
                Err(RecvTimeoutError::Disconnected) if sent == 0 => {
                    return Ok((0, Some("no pages".into())))
                }
                Err(RecvTimeoutError::Disconnected) => return Ok((sent, None)),
                Err(RecvTimeoutError::Timeout) => {
                    let reason = format!(
                        "page {number}: decoding took longer than {} s and was abandoned",
                        self.decode_timeout.as_secs()
                    );
                    return Ok((sent, Some(reason)));
                }
            }
            sent += 1;
        }
    }
}

fn ocr_worker(
    mut engine: Box<dyn Recognizer>,
    jobs: Receiver<PageJob>,
    out: Sender<Msg>,
    engines: &dyn EngineFactory,
) {
    for job in jobs.iter() {
        let result = match catch_unwind(AssertUnwindSafe(|| engine.recognize(&job.raster))) {
            Ok(Ok(recognized)) => Ok(PageOut { recognized, method: TextMethod::Ocr }),
            Ok(Err(e)) => Err(e.to_string()),
            Err(panic) => {
                // The engine's state is unknown after a panic: start a fresh one.
                if let Ok(fresh) = engines.create() {
                    engine = fresh;
                }
                Err(format!("OCR crashed: {}", panic_message(&*panic)))
            }
        };
        let msg = Msg::Page { seq: job.seq, number: job.number, result };
        if out.send(msg).is_err() {
            return;
        }
    }
}

#[derive(Default)]
struct Assembly {
    pages: Vec<(u32, Result<PageOut, String>)>,
    done: Option<Box<DocDone>>,
    extra_sources: Vec<Source>,
}

/// Collects page results into documents and writes them, on the calling thread.
struct Assembler<'a> {
    cat: &'a mut Catalogue,
    writer: &'a mut Writer,
    in_flight: &'a Mutex<HashSet<DocId>>,
    run_id: i64,
    opts: &'a IngestOptions,
    reporter: &'a dyn Reporter,
    summary: &'a mut RunSummary,
    pending: HashMap<u64, Assembly>,
    by_id: HashMap<DocId, u64>,
    uncommitted: Vec<DocId>,
    last_commit: Instant,
}

impl Assembler<'_> {
    fn run(&mut self, msgs: Receiver<Msg>) -> Result<(), PipelineError> {
        for msg in msgs {
            match msg {
                Msg::Page { seq, number, result } => {
                    match &result {
                        Ok(PageOut { method: TextMethod::Ocr, recognized }) => {
                            if recognized.meta.blank {
                                self.summary.pages_blank += 1
                            } else {
                                self.summary.pages_ocred += 1
                            }
                        }
                        Ok(PageOut { method: TextMethod::TextLayer, .. }) => {
                            self.summary.pages_text += 1
                        }
                        Err(_) => {}
                    }
                    self.reporter.event(Event::PageDone);
                    self.pending.entry(seq).or_default().pages.push((number, result));
                    self.try_finish(seq)?;
                }
                Msg::Doc(done) => {
                    let seq = done.seq;
                    self.by_id.insert(done.id.clone(), seq);
                    self.pending.entry(seq).or_default().done = Some(done);
                    self.try_finish(seq)?;
                }
                Msg::Duplicate { id, source, path } => {
                    match self.by_id.get(&id).and_then(|seq| self.pending.get_mut(seq)) {
                        Some(assembly) => assembly.extra_sources.push(source),
                        None => self.cat.add_source(&id, &source)?,
                    }
                    self.summary.duplicates += 1;
                    self.file_done(&path, FileOutcome::Duplicate { id });
                }
                Msg::Unchanged { path } => {
                    self.summary.unchanged += 1;
                    self.file_done(&path, FileOutcome::Unchanged);
                }
                Msg::Rejected { path, reason } => {
                    self.cat.record_reject(self.run_id, &path.to_string_lossy(), None, &reason)?;
                    self.reject(path, reason);
                }
                Msg::Fatal(e) => return Err(e),
            }
            if !self.uncommitted.is_empty()
                && (self.uncommitted.len() >= COMMIT_EVERY_DOCS
                    || self.last_commit.elapsed() >= COMMIT_EVERY)
            {
                self.commit()?;
            }
        }
        self.summary.files_seen = self.summary.documents_new
            + self.summary.duplicates
            + self.summary.unchanged
            + self.rejected_files();
        self.commit()
    }

    fn rejected_files(&self) -> u64 {
        self.summary.rejected.len() as u64
    }

    fn commit(&mut self) -> Result<(), PipelineError> {
        self.writer.commit()?;
        self.cat.mark_indexed(&self.uncommitted)?;
        self.uncommitted.clear();
        self.last_commit = Instant::now();
        Ok(())
    }

    fn file_done(&self, path: &Path, outcome: FileOutcome) {
        self.reporter.event(Event::FileDone { path, outcome: &outcome });
    }

    fn reject(&mut self, path: PathBuf, reason: String) {
        self.file_done(&path, FileOutcome::Rejected { reason: reason.clone() });
        self.summary.rejected.push(Rejected { path, reason });
    }

    fn try_finish(&mut self, seq: u64) -> Result<(), PipelineError> {
        let ready = self
            .pending
            .get(&seq)
            .and_then(|a| a.done.as_ref().map(|d| d.pages_sent as usize == a.pages.len()))
            .unwrap_or(false);
        if !ready {
            return Ok(());
        }
        let mut assembly = self.pending.remove(&seq).expect("ready assembly exists");
        let done = assembly.done.take().expect("ready assembly is done");
        self.by_id.remove(&done.id);
        let outcome = self.write(&done, assembly);
        self.in_flight.lock().expect("in-flight set").remove(&done.id);
        outcome
    }

    fn write(&mut self, done: &DocDone, mut assembly: Assembly) -> Result<(), PipelineError> {
        assembly.pages.sort_by_key(|(n, _)| *n);
        let pages: Vec<(PageText, Option<String>)> = assembly
            .pages
            .into_iter()
            .map(|(number, result)| match result {
                Ok(PageOut { recognized: r, method }) => (
                    PageText {
                        number,
                        text: r.text,
                        confidence: r.confidence,
                        method,
                        words: r.words,
                        meta: r.meta,
                    },
                    None,
                ),
                Err(e) => (
                    PageText {
                        number,
                        text: String::new(),
                        confidence: 0.0,
                        method: TextMethod::Ocr,
                        words: vec![],
                        meta: Default::default(),
                    },
                    Some(e),
                ),
            })
            .collect();
        let texts: Vec<PageText> = pages.iter().map(|(p, _)| p.clone()).collect();
        let extraction = if done.failure.is_none() {
            chartdex_extract::extract(&texts)
        } else {
            Extraction::default()
        };
        let fields = &extraction.fields;
        let review = if done.failure.is_none() {
            review_reason(&pages, self.opts.review_threshold, &extraction)
        } else {
            None
        };
        let needs_review = review.is_some();
        let record = NewDocument {
            id: &done.id,
            bytes: done.bytes,
            media_type: done.media,
            rejected: done.failure.as_deref(),
            fields,
            evidence: &extraction.evidence,
            review: review.as_deref(),
            pages: if done.failure.is_some() { &[] } else { &pages },
            run_id: self.run_id,
        };
        self.cat.record_document(&record, &done.source)?;
        for extra in &assembly.extra_sources {
            self.cat.add_source(&done.id, extra)?;
        }
        if let Some(reason) = &done.failure {
            self.cat.record_reject(self.run_id, &done.source.path, Some(&done.id), reason)?;
            for extra in &assembly.extra_sources {
                self.cat.record_reject(self.run_id, &extra.path, Some(&done.id), reason)?;
            }
            self.reject(done.path.clone(), reason.clone());
            return Ok(());
        }
        index_document(self.writer, &done.id, fields, &done.source.rel_path, &texts)?;
        self.uncommitted.push(done.id.clone());
        self.summary.documents_new += 1;
        if needs_review {
            self.summary.needs_review += 1;
        }
        tracing::info!(doc = done.id.short(), pages = texts.len(), "document digitized");
        self.file_done(
            &done.path,
            FileOutcome::New { id: done.id.clone(), pages: texts.len() as u32 },
        );
        Ok(())
    }
}

/// Why a person should check a document, if they should: a page that failed, a page read with
/// low confidence or whose text looks garbled, no patient to file it under, or a key field
/// (patient, MRN, dates) read with low confidence.
pub(crate) fn review_reason(
    pages: &[(PageText, Option<String>)],
    threshold: f32,
    extraction: &Extraction,
) -> Option<String> {
    let mut reasons: Vec<String> = pages
        .iter()
        .filter_map(|(p, error)| {
            if let Some(e) = error {
                return Some(format!("page {}: no text ({e})", p.number));
            }
            if p.method != TextMethod::Ocr || p.words.is_empty() {
                return None;
            }
            if p.confidence < threshold {
                return Some(format!(
                    "page {}: low OCR confidence ({:.2})",
                    p.number, p.confidence
                ));
            }
            garbled(&p.text).then(|| format!("page {}: text looks garbled", p.number))
        })
        .collect();
    if pages.iter().any(|(p, _)| !p.text.trim().is_empty()) {
        reasons.extend(extraction.doubts(threshold));
    }
    (!reasons.is_empty()).then(|| reasons.join("; "))
}

/// True when most of a page's words hold characters no chart text has (OCR of noise, or of a
/// page tesseract could not make out).
fn garbled(text: &str) -> bool {
    let tokens: Vec<&str> = text.split_whitespace().collect();
    if tokens.len() < 8 {
        return false;
    }
    let odd = tokens
        .iter()
        .filter(|t| {
            t.chars().any(|c| !(c.is_alphanumeric() || ".,:;/-()'\"%#&+*°$@!?[]".contains(c)))
        })
        .count();
    odd * 10 > tokens.len() * 4
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Silent;
    use chartdex_core::Raster;
    use chartdex_index::SearchQuery;
    use image::{GrayImage, Luma};

    /// Reads a page's "text" off its size, so tests know what each page says without tesseract.
    struct FakeOcr;

    impl Recognizer for FakeOcr {
        fn recognize(&mut self, page: &Raster) -> Result<Recognized, OcrError> {
            if page.width == 13 {
                panic!("fake engine crash");
            }
            Ok(Recognized {
                meta: Default::default(),
                text: format!(
                    "Patient: Testpatient, Alice\nMRN: 0012345\npage width {}",
                    page.width
                ),
                confidence: 0.9,
                words: vec![],
            })
        }
    }

    fn fake() -> Result<Box<dyn Recognizer>, OcrError> {
        Ok(Box::new(FakeOcr))
    }

    fn png(path: &Path, width: u32) {
        let img = GrayImage::from_fn(width, 20, |x, _| Luma([(x * 7 % 256) as u8]));
        img.save(path).unwrap();
    }

    fn opts() -> IngestOptions {
        IngestOptions { jobs: 2, ..IngestOptions::default() }
    }

    /// A slow engine that counts the pages it has finished.
    struct SlowOcr(&'static std::sync::atomic::AtomicU64);

    impl Recognizer for SlowOcr {
        fn recognize(&mut self, _: &Raster) -> Result<Recognized, OcrError> {
            std::thread::sleep(Duration::from_millis(3));
            self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            Ok(Recognized {
                meta: Default::default(),
                text: "Patient: Testpatient, Alice".into(),
                confidence: 0.9,
                words: vec![],
            })
        }
    }

    /// Counts the pages handed to the workers and the most ever waiting or being read.
    struct InFlight {
        queued: std::sync::atomic::AtomicU64,
        done: &'static std::sync::atomic::AtomicU64,
        max: std::sync::atomic::AtomicU64,
    }

    impl crate::Reporter for InFlight {
        fn event(&self, event: Event<'_>) {
            use std::sync::atomic::Ordering::SeqCst;
            if event == Event::PageQueued {
                let queued = self.queued.fetch_add(1, SeqCst) + 1;
                let waiting = queued.saturating_sub(self.done.load(SeqCst));
                self.max.fetch_max(waiting, SeqCst);
            }
        }
    }

    #[test]
    fn pages_in_flight_stay_bounded_however_many_files() {
        use std::sync::atomic::{AtomicU64, Ordering::SeqCst};
        static DONE: AtomicU64 = AtomicU64::new(0);
        let tmp = tempfile::tempdir().unwrap();
        let scans = tmp.path().join("scans");
        fs::create_dir_all(&scans).unwrap();
        // Files decode far faster than the engine reads them.
        let files = 150;
        for i in 0..files {
            png(&scans.join(format!("{i:03}.png")), 20 + i);
        }
        let data = DataDir::create(tmp.path().join("data")).unwrap();
        let engines = || -> Result<Box<dyn Recognizer>, OcrError> { Ok(Box::new(SlowOcr(&DONE))) };
        let jobs = 2;
        let report = InFlight { queued: AtomicU64::new(0), done: &DONE, max: AtomicU64::new(0) };
        let opts = IngestOptions { jobs, ..IngestOptions::default() };
        let s = ingest(&data, std::slice::from_ref(&scans), &engines, &opts, &report).unwrap();
        assert_eq!(s.documents_new, u64::from(files));
        assert_eq!(report.queued.load(SeqCst), u64::from(files));
        // The job queue holds two pages per worker and each worker one: never more, whatever
        // the number of files.
        let max = report.max.load(SeqCst);
        assert!(max >= 1 && max <= 3 * jobs as u64, "{max} pages in flight");
    }

    #[test]
    fn ingests_dedupes_rejects_and_skips_unchanged() {
        let tmp = tempfile::tempdir().unwrap();
        let scans = tmp.path().join("scans");
        fs::create_dir_all(scans.join("box2")).unwrap();
        png(&scans.join("a.png"), 30);
        png(&scans.join("box2/b.png"), 40);
        fs::copy(scans.join("a.png"), scans.join("box2/a-copy.png")).unwrap();
        fs::write(scans.join("empty.pdf"), b"").unwrap();
        fs::write(scans.join("notes.txt"), b"not a scan").unwrap();
        fs::write(scans.join("broken.png"), b"\x89PNG\r\n\x1a\nbroken").unwrap();
        let data = DataDir::create(tmp.path().join("data")).unwrap();

        let s = ingest(&data, std::slice::from_ref(&scans), &fake, &opts(), &Silent).unwrap();
        assert_eq!(s.files_seen, 6);
        assert_eq!(s.documents_new, 2);
        assert_eq!(s.duplicates, 1);
        assert_eq!(s.pages_ocred, 2);
        let mut reasons: Vec<(String, String)> = s
            .rejected
            .iter()
            .map(|r| (r.path.file_name().unwrap().to_string_lossy().into_owned(), r.reason.clone()))
            .collect();
        reasons.sort();
        assert_eq!(reasons[0].0, "broken.png");
        assert!(reasons[0].1.starts_with("corrupt or truncated PNG"), "{}", reasons[0].1);
        assert_eq!(reasons[1], ("empty.pdf".into(), "empty file".into()));
        assert_eq!(reasons[2].0, "notes.txt");
        assert!(reasons[2].1.contains("not a supported file type"));

        let cat = Catalogue::open(&data.catalogue_path()).unwrap();
        assert_eq!(cat.document_count().unwrap(), 2);
        let a = fs::read(scans.join("a.png")).unwrap();
        let id = DocId::parse(&chartdex_vault::sha256_hex(&a)).unwrap();
        let doc = cat.document(&id).unwrap().unwrap();
        let rels: Vec<&str> = doc.sources.iter().map(|s| s.rel_path.as_str()).collect();
        assert_eq!(rels, ["a.png", "box2/a-copy.png"]);
        assert_eq!(doc.fields.patient.family.as_deref(), Some("Testpatient"));
        assert_eq!(doc.fields.patient.mrn.as_deref(), Some("0012345"));
        let pages = cat.pages(&id).unwrap();
        assert_eq!(pages[0].page.text.lines().last(), Some("page width 30"));
        // The original is kept byte for byte.
        let vault = Vault::open(data.vault_dir()).unwrap();
        assert_eq!(vault.read_verified(id.as_str()).unwrap(), a);
        // The rejected text file is kept too, as a record that is not digitized.
        let txt = DocId::parse(&chartdex_vault::sha256_hex(b"not a scan")).unwrap();
        assert!(vault.contains(txt.as_str()).unwrap());
        assert!(!cat.document(&txt).unwrap().unwrap().digitized);
        assert_eq!(cat.current_rejects().unwrap().len(), 3);

        // The index agrees.
        let index = SearchIndex::open(&data.index_dir()).unwrap();
        let hits = index.search(&SearchQuery::text("width 40", 10)).unwrap();
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].source, "box2/b.png");

        // A second run adds nothing and re-tries only the rejects.
        let again = ingest(&data, &[scans], &fake, &opts(), &Silent).unwrap();
        assert_eq!(again.documents_new, 0);
        assert_eq!(again.duplicates, 0);
        assert_eq!(again.unchanged, 3);
        assert_eq!(again.rejected.len(), 3);
        assert_eq!(again.pages_ocred, 0);
        assert_eq!(index.page_count().unwrap(), 2);
    }

    #[test]
    fn an_engine_panic_costs_one_page_not_the_run() {
        let tmp = tempfile::tempdir().unwrap();
        let scans = tmp.path().join("scans");
        fs::create_dir_all(&scans).unwrap();
        png(&scans.join("crash.png"), 13);
        png(&scans.join("fine.png"), 50);
        let data = DataDir::create(tmp.path().join("data")).unwrap();
        let s = ingest(&data, std::slice::from_ref(&scans), &fake, &opts(), &Silent).unwrap();
        assert_eq!(s.documents_new, 2);
        assert_eq!(s.needs_review, 1);
        let cat = Catalogue::open(&data.catalogue_path()).unwrap();
        let crash =
            DocId::parse(&chartdex_vault::sha256_hex(&fs::read(scans.join("crash.png")).unwrap()))
                .unwrap();
        let doc = cat.document(&crash).unwrap().unwrap();
        assert!(doc.needs_review);
        let pages = cat.pages(&crash).unwrap();
        assert!(pages[0].error.as_deref().unwrap().contains("fake engine crash"));
    }

    #[test]
    fn missing_root_is_rejected_and_reindex_restores_the_index() {
        let tmp = tempfile::tempdir().unwrap();
        let scans = tmp.path().join("scans");
        fs::create_dir_all(&scans).unwrap();
        png(&scans.join("one.png"), 60);
        let data = DataDir::create(tmp.path().join("data")).unwrap();
        let s =
            ingest(&data, &[scans, tmp.path().join("absent")], &fake, &opts(), &Silent).unwrap();
        assert_eq!(s.documents_new, 1);
        assert_eq!(s.rejected.len(), 1);
        assert!(s.rejected[0].reason.starts_with("no such file"));
        fs::remove_dir_all(data.index_dir()).unwrap();
        assert_eq!(reindex(&data).unwrap(), 1);
        let index = SearchIndex::open(&data.index_dir()).unwrap();
        assert_eq!(index.search(&SearchQuery::text("testpatient", 10)).unwrap().len(), 1);
    }

    #[test]
    fn garbled_text_is_told_from_chart_text() {
        assert!(!garbled(
            "Patient: Testpatient, Alice MRN: 00123456 DOB: 03/14/1961 Sex: F E11.9 (diabetes)"
        ));
        assert!(garbled("=~ Patert {PLACEWCLOER} ~~ GO8 L|| §§ a~b ¬x ~~~ <<>> {} ]|["));
        assert!(!garbled("too ~short~"));
    }

    #[test]
    fn io_failures_read_as_reasons() {
        use std::io::{Error, ErrorKind};
        assert_eq!(io_reason(&Error::from(ErrorKind::PermissionDenied)), "permission denied");
        assert!(io_reason(&Error::from(ErrorKind::NotFound))
            .contains("moved or deleted during the run"));
        assert!(io_reason(&Error::other("disk on fire")).contains("disk on fire"));
    }

    /// A walker on its own, with the receiving ends of its channels.
    fn walker_for_test<'a>(
        vault: &'a Vault,
        in_flight: &'a Mutex<HashSet<DocId>>,
        decode_timeout: Duration,
    ) -> (Walk<'a>, Receiver<PageJob>, Receiver<Msg>) {
        let (jobs, job_rx) = bounded(1);
        let (msgs, msg_rx) = bounded(4);
        let walk = Walk {
            vault,
            in_flight,
            limits: Limits::default(),
            decode_timeout,
            jobs,
            msgs,
            reporter: &Silent,
        };
        (walk, job_rx, msg_rx)
    }

    #[test]
    fn a_file_that_vanishes_before_it_is_read_is_rejected() {
        let tmp = tempfile::tempdir().unwrap();
        let data = DataDir::create(tmp.path().join("data")).unwrap();
        let vault = Vault::open(data.vault_dir()).unwrap();
        let cat = Catalogue::open(&data.catalogue_path()).unwrap();
        let in_flight = Mutex::new(HashSet::new());
        let (walk, _job_rx, msg_rx) = walker_for_test(&vault, &in_flight, Duration::from_secs(5));
        let root = Root { base: tmp.path().to_path_buf(), walk: tmp.path().to_path_buf() };
        let gone = tmp.path().join("gone.png");
        assert!(walk.file(&cat, &root, &gone, 1).unwrap().is_ok());
        match msg_rx.try_recv().unwrap() {
            Msg::Rejected { path, reason } => {
                assert_eq!(path, gone);
                assert!(reason.starts_with("no such file"), "{reason}");
            }
            _ => panic!("expected a rejection"),
        }
    }

    #[test]
    fn a_hung_decoder_is_abandoned_after_the_timeout() {
        // A letter page to render, under a timeout far shorter than rendering takes: the decoder
        // is still busy when the walker gives up on it (and finishes alone soon after).
        let tmp = tempfile::tempdir().unwrap();
        let data = DataDir::create(tmp.path().join("data")).unwrap();
        let vault = Vault::open(data.vault_dir()).unwrap();
        let in_flight = Mutex::new(HashSet::new());
        let (walk, _job_rx, _msg_rx) =
            walker_for_test(&vault, &in_flight, Duration::from_millis(1));
        let pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n\
2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n\
3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >> endobj\n\
trailer << /Root 1 0 R >>\n%%EOF\n";
        let (sent, failure) = match walk.decode(pdf.to_vec(), MediaType::Pdf, 1) {
            Ok(done) => done,
            Err(Stop) => panic!("the run did not stop"),
        };
        assert_eq!(sent, 0);
        let failure = failure.unwrap();
        assert!(failure.contains("took longer than"), "{failure}");
    }

    #[test]
    fn a_second_writer_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let data = DataDir::create(tmp.path().join("data")).unwrap();
        let _held = data.lock_writer().unwrap();
        let err = ingest(&data, &[tmp.path().to_path_buf()], &fake, &opts(), &Silent).unwrap_err();
        assert!(matches!(err, PipelineError::Busy(_)));
    }
}
