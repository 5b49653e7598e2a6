//! The catalogue: the SQLite database that records every document, where it was found, its pages
//! and fields, every run and every rejected file. It is the source of truth; the index is derived
//! from it. Every write is one transaction.

use crate::PipelineError;
use chartdex_core::{DocId, Evidence, Fields, MediaType, PageText, TextMethod, Word};
use rusqlite::{params, Connection, OptionalExtension};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS documents (
    id           TEXT PRIMARY KEY,          -- hex SHA-256 of the original
    bytes        INTEGER NOT NULL,
    media_type   TEXT,
    status       TEXT NOT NULL,             -- 'digitized' or 'rejected'
    reason       TEXT,                      -- why it was rejected
    doc_type     TEXT,
    fields       TEXT NOT NULL DEFAULT '{}',-- JSON of chartdex_core::Fields
    evidence     TEXT NOT NULL DEFAULT '[]',-- JSON of [Evidence]: page, box, confidence per value
    needs_review INTEGER NOT NULL DEFAULT 0,
    review_reason TEXT,                     -- why, when needs_review
    page_count   INTEGER NOT NULL DEFAULT 0,
    indexed      INTEGER NOT NULL DEFAULT 0,-- 1 once the index holds its current pages
    first_run    INTEGER,
    ingested_at  TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sources (
    doc_id     TEXT NOT NULL REFERENCES documents(id),
    path       TEXT NOT NULL,               -- absolute path where it was found
    root       TEXT NOT NULL,               -- the ingested root it was found under
    rel_path   TEXT NOT NULL,               -- path relative to root, '/' separated
    size       INTEGER NOT NULL,
    mtime_ns   INTEGER NOT NULL,
    first_seen TEXT NOT NULL,
    last_seen  TEXT NOT NULL,
    PRIMARY KEY (doc_id, path)
);
CREATE INDEX IF NOT EXISTS sources_by_path ON sources(path);
CREATE TABLE IF NOT EXISTS pages (
    doc_id     TEXT NOT NULL REFERENCES documents(id),
    number     INTEGER NOT NULL,
    text       TEXT NOT NULL,
    confidence REAL NOT NULL,
    method     TEXT NOT NULL,
    words      TEXT NOT NULL DEFAULT '[]',  -- JSON of [Word], boxes in original page pixels
    meta       TEXT NOT NULL DEFAULT '{}',  -- JSON of PageMeta: rotation, skew, steps
    error      TEXT,                        -- why the page has no text, if it failed
    PRIMARY KEY (doc_id, number)
);
CREATE TABLE IF NOT EXISTS runs (
    id            INTEGER PRIMARY KEY,
    started_at    TEXT NOT NULL,
    finished_at   TEXT,
    roots         TEXT NOT NULL,
    files_seen    INTEGER,
    documents_new INTEGER,
    duplicates    INTEGER,
    unchanged     INTEGER,
    pages         INTEGER,
    rejected      INTEGER
);
CREATE TABLE IF NOT EXISTS rejects (
    id      INTEGER PRIMARY KEY,
    run_id  INTEGER NOT NULL REFERENCES runs(id),
    path    TEXT NOT NULL,
    doc_id  TEXT,
    reason  TEXT NOT NULL,
    at      TEXT NOT NULL
);
";

/// Where a file was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub path: String,
    pub root: String,
    pub rel_path: String,
    pub size: u64,
    pub mtime_ns: i64,
}

/// A document as it is written after OCR.
#[derive(Debug, Clone)]
pub(crate) struct NewDocument<'a> {
    pub(crate) id: &'a DocId,
    pub(crate) bytes: u64,
    pub(crate) media_type: Option<MediaType>,
    pub(crate) rejected: Option<&'a str>,
    pub(crate) fields: &'a Fields,
    pub(crate) evidence: &'a [Evidence],
    /// Why a person should check it; `None` when nothing is doubtful.
    pub(crate) review: Option<&'a str>,
    pub(crate) pages: &'a [(PageText, Option<String>)],
    pub(crate) run_id: i64,
}

/// A page as read back, with why it has no text if it failed.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredPage {
    pub page: PageText,
    pub error: Option<String>,
}

/// A document as read back from the catalogue.
#[derive(Debug, Clone)]
pub struct DocumentRecord {
    pub id: DocId,
    pub bytes: u64,
    pub media_type: Option<MediaType>,
    pub digitized: bool,
    pub reason: Option<String>,
    pub fields: Fields,
    /// Where each field value was read and how sure the extractor is of it.
    pub evidence: Vec<Evidence>,
    pub needs_review: bool,
    /// Why a person should check it.
    pub review_reason: Option<String>,
    pub page_count: u32,
    pub ingested_at: String,
    /// Where it was found, first-seen first.
    pub sources: Vec<Source>,
}

/// A document waiting for a person to check it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewItem {
    pub id: String,
    pub source: Option<String>,
    pub reason: String,
    pub ingested_at: String,
}

/// Another version of a document: the bytes found at the same path before or after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    pub id: DocId,
    pub rel_path: String,
    /// Found there before this document (else after).
    pub earlier: bool,
}

/// A catalogued document as the audit sees it.
#[derive(Debug, Clone)]
pub(crate) struct AuditRow {
    pub(crate) id: String,
    pub(crate) bytes: u64,
    pub(crate) digitized: bool,
    pub(crate) indexed: bool,
    /// Pages stored in the catalogue.
    pub(crate) pages: u64,
    /// Where it was first found.
    pub(crate) source: Option<String>,
}

/// A file a run could not digitize.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectRecord {
    pub path: String,
    pub doc_id: Option<String>,
    pub reason: String,
    pub at: String,
}

/// The SQLite catalogue of one data directory.
pub struct Catalogue {
    conn: Connection,
}

impl std::fmt::Debug for Catalogue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Catalogue").finish_non_exhaustive()
    }
}

/// The current time as fixed-width RFC 3339 UTC, so stored times sort as text.
pub(crate) fn now() -> String {
    jiff::Timestamp::now().strftime("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

impl Catalogue {
    /// Opens (creating if needed) the catalogue at `path`. A new file is created mode 0600; its
    /// journal files inherit that mode.
    pub fn open(path: &Path) -> Result<Catalogue, PipelineError> {
        if !path.exists() {
            std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(path)
                .map_err(|e| PipelineError::io(path, e))?;
        }
        let conn = Connection::open(path)?;
        conn.busy_timeout(std::time::Duration::from_secs(30))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.execute_batch(SCHEMA)?;
        migrate(&conn)?;
        Ok(Catalogue { conn })
    }

    pub(crate) fn begin_run(&self, roots: &[String]) -> Result<i64, PipelineError> {
        self.conn.execute(
            "INSERT INTO runs (started_at, roots) VALUES (?1, ?2)",
            params![now(), serde_json::to_string(roots).unwrap_or_default()],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    pub(crate) fn finish_run(
        &self,
        run_id: i64,
        s: &crate::RunSummary,
    ) -> Result<(), PipelineError> {
        self.conn.execute(
            "UPDATE runs SET finished_at = ?2, files_seen = ?3, documents_new = ?4, duplicates = ?5,
             unchanged = ?6, pages = ?7, rejected = ?8 WHERE id = ?1",
            params![
                run_id,
                now(),
                s.files_seen,
                s.documents_new,
                s.duplicates,
                s.unchanged,
                s.pages_ocred,
                s.rejected.len() as u64
            ],
        )?;
        Ok(())
    }

    /// The document a file at `path` with this size and mtime was already digitized as, if any.
    pub(crate) fn unchanged_source(
        &self,
        path: &str,
        size: u64,
        mtime_ns: i64,
    ) -> Result<Option<DocId>, PipelineError> {
        let id: Option<String> = self
            .conn
            .query_row(
                "SELECT s.doc_id FROM sources s JOIN documents d ON d.id = s.doc_id
                 WHERE s.path = ?1 AND s.size = ?2 AND s.mtime_ns = ?3 AND d.status = 'digitized'
                 ORDER BY s.last_seen DESC LIMIT 1",
                params![path, size, mtime_ns],
                |r| r.get(0),
            )
            .optional()?;
        Ok(id.and_then(|s| DocId::parse(&s).ok()))
    }

    /// True if the document is catalogued and digitized.
    pub(crate) fn is_digitized(&self, id: &DocId) -> Result<bool, PipelineError> {
        Ok(self
            .conn
            .query_row(
                "SELECT 1 FROM documents WHERE id = ?1 AND status = 'digitized'",
                [id.as_str()],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }

    /// Writes a document, its pages and its first source in one transaction. A document seen
    /// before (a rejected one retried) is replaced.
    pub(crate) fn record_document(
        &mut self,
        doc: &NewDocument<'_>,
        source: &Source,
    ) -> Result<(), PipelineError> {
        let tx = self.conn.transaction()?;
        let fields = serde_json::to_string(doc.fields).unwrap_or_else(|_| "{}".into());
        let evidence = serde_json::to_string(doc.evidence).unwrap_or_else(|_| "[]".into());
        tx.execute(
            "INSERT INTO documents (id, bytes, media_type, status, reason, doc_type, fields,
                                    needs_review, page_count, indexed, first_run, ingested_at,
                                    review_reason, evidence)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 0, ?10, ?11, ?12, ?13)
             ON CONFLICT(id) DO UPDATE SET media_type = excluded.media_type, status = excluded.status,
                 reason = excluded.reason, doc_type = excluded.doc_type, fields = excluded.fields,
                 evidence = excluded.evidence,
                 needs_review = excluded.needs_review, review_reason = excluded.review_reason,
                 page_count = excluded.page_count, indexed = 0,
                 ingested_at = excluded.ingested_at",
            params![
                doc.id.as_str(),
                doc.bytes,
                doc.media_type.map(MediaType::mime),
                if doc.rejected.is_some() { "rejected" } else { "digitized" },
                doc.rejected,
                doc.fields.doc_type.map(|t| t.name()),
                fields,
                doc.review.is_some(),
                doc.pages.len() as u32,
                doc.run_id,
                now(),
                doc.review,
                evidence,
            ],
        )?;
        tx.execute("DELETE FROM pages WHERE doc_id = ?1", [doc.id.as_str()])?;
        {
            let mut insert = tx.prepare(
                "INSERT INTO pages (doc_id, number, text, confidence, method, words, error, meta)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?;
            for (p, error) in doc.pages {
                insert.execute(params![
                    doc.id.as_str(),
                    p.number,
                    p.text,
                    f64::from(p.confidence),
                    p.method.as_str(),
                    serde_json::to_string(&p.words).unwrap_or_else(|_| "[]".into()),
                    error,
                    serde_json::to_string(&p.meta).unwrap_or_else(|_| "{}".into()),
                ])?;
            }
        }
        upsert_source(&tx, doc.id, source)?;
        tx.commit()?;
        Ok(())
    }

    /// Replaces a document's fields, evidence and review flag (after re-extraction), and the
    /// text and word order of the pages in `pages` (rebuilt in reading order), in one
    /// transaction, and marks it for re-indexing. Returns whether the fields changed.
    pub(crate) fn update_fields(
        &mut self,
        id: &DocId,
        fields: &Fields,
        evidence: &[Evidence],
        review: Option<&str>,
        pages: &[&PageText],
    ) -> Result<bool, PipelineError> {
        let json = serde_json::to_string(fields).unwrap_or_else(|_| "{}".into());
        let tx = self.conn.transaction()?;
        let old: Option<String> = tx
            .query_row("SELECT fields FROM documents WHERE id = ?1", [id.as_str()], |r| r.get(0))
            .optional()?;
        let changed =
            old.and_then(|o| serde_json::from_str::<Fields>(&o).ok()).as_ref() != Some(fields);
        tx.execute(
            "UPDATE documents SET doc_type = ?2, fields = ?3, evidence = ?4, needs_review = ?5,
                 review_reason = ?6, indexed = 0 WHERE id = ?1",
            params![
                id.as_str(),
                fields.doc_type.map(|t| t.name()),
                json,
                serde_json::to_string(evidence).unwrap_or_else(|_| "[]".into()),
                review.is_some(),
                review,
            ],
        )?;
        for p in pages {
            tx.execute(
                "UPDATE pages SET text = ?3, words = ?4 WHERE doc_id = ?1 AND number = ?2",
                params![
                    id.as_str(),
                    p.number,
                    p.text,
                    serde_json::to_string(&p.words).unwrap_or_else(|_| "[]".into()),
                ],
            )?;
        }
        tx.commit()?;
        Ok(changed)
    }

    /// Marks every document as not indexed (the index is being rebuilt).
    pub(crate) fn mark_all_unindexed(&self) -> Result<(), PipelineError> {
        self.conn.execute("UPDATE documents SET indexed = 0", [])?;
        Ok(())
    }

    /// Records another place the same bytes were found.
    pub(crate) fn add_source(&self, id: &DocId, source: &Source) -> Result<(), PipelineError> {
        upsert_source(&self.conn, id, source)
    }

    pub(crate) fn record_reject(
        &self,
        run_id: i64,
        path: &str,
        doc_id: Option<&DocId>,
        reason: &str,
    ) -> Result<(), PipelineError> {
        self.conn.execute(
            "INSERT INTO rejects (run_id, path, doc_id, reason, at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![run_id, path, doc_id.map(DocId::as_str), reason, now()],
        )?;
        Ok(())
    }

    pub(crate) fn mark_indexed(&mut self, ids: &[DocId]) -> Result<(), PipelineError> {
        let tx = self.conn.transaction()?;
        {
            let mut stmt = tx.prepare("UPDATE documents SET indexed = 1 WHERE id = ?1")?;
            for id in ids {
                stmt.execute([id.as_str()])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Digitized documents whose pages the index may not hold (a run stopped before its index
    /// commit), or all of them when rebuilding.
    pub(crate) fn documents_to_index(&self, all: bool) -> Result<Vec<DocId>, PipelineError> {
        let sql = if all {
            "SELECT id FROM documents WHERE status = 'digitized' ORDER BY id"
        } else {
            "SELECT id FROM documents WHERE status = 'digitized' AND indexed = 0 ORDER BY id"
        };
        let mut stmt = self.conn.prepare(sql)?;
        let ids = stmt
            .query_map([], |r| r.get::<_, String>(0))?
            .filter_map(|r| r.ok())
            .filter_map(|s| DocId::parse(&s).ok())
            .collect();
        Ok(ids)
    }

    /// The document whose id is `prefix` or starts with it.
    pub fn resolve(&self, prefix: &str) -> Result<DocId, PipelineError> {
        let p = prefix.trim().to_ascii_lowercase();
        if p.len() < 4 || !p.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(PipelineError::BadId(prefix.to_string()));
        }
        let mut stmt = self
            .conn
            .prepare("SELECT id FROM documents WHERE id >= ?1 AND id < ?2 ORDER BY id LIMIT 2")?;
        let upper = format!("{p}g");
        let ids: Vec<String> =
            stmt.query_map(params![p, upper], |r| r.get(0))?.collect::<Result<_, _>>()?;
        match ids.as_slice() {
            [one] => DocId::parse(one).map_err(|_| PipelineError::BadId(one.clone())),
            [] => Err(PipelineError::NoSuchDocument(prefix.to_string())),
            _ => Err(PipelineError::AmbiguousId(prefix.to_string())),
        }
    }

    /// A document's record, or `None` if it is not catalogued.
    pub fn document(&self, id: &DocId) -> Result<Option<DocumentRecord>, PipelineError> {
        let row = self
            .conn
            .query_row(
                "SELECT bytes, media_type, status, reason, fields, needs_review, page_count, ingested_at,
                        review_reason, evidence
                 FROM documents WHERE id = ?1",
                [id.as_str()],
                |r| {
                    Ok((
                        r.get::<_, u64>(0)?,
                        r.get::<_, Option<String>>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, Option<String>>(3)?,
                        r.get::<_, String>(4)?,
                        r.get::<_, bool>(5)?,
                        r.get::<_, u32>(6)?,
                        r.get::<_, String>(7)?,
                        r.get::<_, Option<String>>(8)?,
                        r.get::<_, String>(9)?,
                    ))
                },
            )
            .optional()?;
        let Some((
            bytes,
            media,
            status,
            reason,
            fields,
            needs_review,
            page_count,
            ingested_at,
            review_reason,
            evidence,
        )) = row
        else {
            return Ok(None);
        };
        let mut stmt = self.conn.prepare(
            "SELECT path, root, rel_path, size, mtime_ns FROM sources WHERE doc_id = ?1
             ORDER BY first_seen, rowid",
        )?;
        let sources = stmt
            .query_map([id.as_str()], |r| {
                Ok(Source {
                    path: r.get(0)?,
                    root: r.get(1)?,
                    rel_path: r.get(2)?,
                    size: r.get(3)?,
                    mtime_ns: r.get(4)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(Some(DocumentRecord {
            id: id.clone(),
            bytes,
            media_type: media.as_deref().and_then(MediaType::from_mime),
            digitized: status == "digitized",
            reason,
            fields: serde_json::from_str(&fields).unwrap_or_default(),
            evidence: serde_json::from_str(&evidence).unwrap_or_default(),
            needs_review,
            review_reason,
            page_count,
            ingested_at,
            sources,
        }))
    }

    /// A document's pages in order.
    pub fn pages(&self, id: &DocId) -> Result<Vec<StoredPage>, PipelineError> {
        let mut stmt = self.conn.prepare(
            "SELECT number, text, confidence, method, words, error, meta FROM pages WHERE doc_id = ?1
             ORDER BY number",
        )?;
        let pages = stmt
            .query_map([id.as_str()], |r| {
                let words: String = r.get(4)?;
                let method: String = r.get(3)?;
                Ok(StoredPage {
                    page: PageText {
                        number: r.get(0)?,
                        text: r.get(1)?,
                        confidence: r.get::<_, f64>(2)? as f32,
                        method: TextMethod::parse(&method).unwrap_or(TextMethod::Ocr),
                        words: serde_json::from_str::<Vec<Word>>(&words).unwrap_or_default(),
                        meta: serde_json::from_str(&r.get::<_, String>(6)?).unwrap_or_default(),
                    },
                    error: r.get(5)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(pages)
    }

    /// Calls `each` with every digitized document, in id order, one at a time (nothing is
    /// collected, so an export of any size runs in constant memory).
    pub fn for_each_document(
        &self,
        mut each: impl FnMut(DocumentRecord) -> Result<(), PipelineError>,
    ) -> Result<(), PipelineError> {
        let mut stmt =
            self.conn.prepare("SELECT id FROM documents WHERE status = 'digitized' ORDER BY id")?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let id: String = row.get(0)?;
            let Ok(id) = DocId::parse(&id) else { continue };
            if let Some(doc) = self.document(&id)? {
                each(doc)?;
            }
        }
        Ok(())
    }

    /// Files that are currently not digitized: the rejects of each path's latest attempt, for
    /// paths that have not been digitized since.
    pub fn current_rejects(&self) -> Result<Vec<RejectRecord>, PipelineError> {
        let mut stmt = self.conn.prepare(
            "SELECT r.path, r.doc_id, r.reason, r.at FROM rejects r
             WHERE r.id = (SELECT MAX(id) FROM rejects r2 WHERE r2.path = r.path)
               AND NOT EXISTS (SELECT 1 FROM sources s JOIN documents d ON d.id = s.doc_id
                               WHERE s.path = r.path AND d.status = 'digitized'
                                 AND s.last_seen > r.at)
             ORDER BY r.path",
        )?;
        let rows = stmt
            .query_map([], |r| {
                Ok(RejectRecord {
                    path: r.get(0)?,
                    doc_id: r.get(1)?,
                    reason: r.get(2)?,
                    at: r.get(3)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    /// Documents flagged for a person to check, oldest first, with the reason and where the
    /// original was first found.
    pub fn review_queue(&self) -> Result<Vec<ReviewItem>, PipelineError> {
        let mut stmt = self.conn.prepare(
            "SELECT d.id, COALESCE(d.review_reason, 'flagged for review'), d.ingested_at,
                    (SELECT s.rel_path FROM sources s WHERE s.doc_id = d.id ORDER BY s.first_seen, s.rowid LIMIT 1)
             FROM documents d WHERE d.status = 'digitized' AND d.needs_review = 1
             ORDER BY d.ingested_at, d.id",
        )?;
        let items = stmt
            .query_map([], |r| {
                Ok(ReviewItem {
                    id: r.get(0)?,
                    reason: r.get(1)?,
                    ingested_at: r.get(2)?,
                    source: r.get(3)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(items)
    }

    /// Every catalogued document (digitized or rejected: both keep their original), in id order,
    /// with what the audit checks.
    pub(crate) fn audit_list(&self) -> Result<Vec<AuditRow>, PipelineError> {
        let mut stmt = self.conn.prepare(
            "SELECT d.id, d.bytes, d.status = 'digitized', d.indexed,
                    (SELECT COUNT(*) FROM pages p WHERE p.doc_id = d.id),
                    (SELECT s.path FROM sources s WHERE s.doc_id = d.id ORDER BY s.first_seen, s.rowid LIMIT 1)
             FROM documents d ORDER BY d.id",
        )?;
        let rows = stmt
            .query_map([], |r| {
                Ok(AuditRow {
                    id: r.get(0)?,
                    bytes: r.get(1)?,
                    digitized: r.get(2)?,
                    indexed: r.get(3)?,
                    pages: r.get(4)?,
                    source: r.get(5)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    /// Other documents found at one of this document's paths: the earlier and later versions of
    /// a file that changed (each an original of its own in the vault), oldest first.
    pub fn versions(&self, id: &DocId) -> Result<Vec<Version>, PipelineError> {
        let mut stmt = self.conn.prepare(
            "SELECT o.doc_id, o.rel_path, o.first_seen < s.first_seen FROM sources s
             JOIN sources o ON o.path = s.path AND o.doc_id != s.doc_id
             WHERE s.doc_id = ?1 ORDER BY o.first_seen, o.rowid",
        )?;
        let rows = stmt
            .query_map([id.as_str()], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, bool>(2)?))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows
            .into_iter()
            .filter_map(|(id, rel_path, earlier)| {
                Some(Version { id: DocId::parse(&id).ok()?, rel_path, earlier })
            })
            .collect())
    }

    /// The ids of every digitized document, in id order (what an export writes).
    pub fn digitized_ids(&self) -> Result<Vec<DocId>, PipelineError> {
        self.documents_to_index(true)
    }

    /// How many documents are digitized.
    pub fn document_count(&self) -> Result<u64, PipelineError> {
        Ok(self.conn.query_row(
            "SELECT COUNT(*) FROM documents WHERE status = 'digitized'",
            [],
            |r| r.get(0),
        )?)
    }
}

/// Brings a catalogue made by an earlier version up to the current schema.
fn migrate(conn: &Connection) -> Result<(), PipelineError> {
    let has_review: bool = conn
        .prepare("SELECT 1 FROM pragma_table_info('documents') WHERE name = 'review_reason'")?
        .exists([])?;
    if !has_review {
        conn.execute_batch("ALTER TABLE documents ADD COLUMN review_reason TEXT")?;
    }
    let has_meta: bool =
        conn.prepare("SELECT 1 FROM pragma_table_info('pages') WHERE name = 'meta'")?.exists([])?;
    if !has_meta {
        conn.execute_batch("ALTER TABLE pages ADD COLUMN meta TEXT NOT NULL DEFAULT '{}'")?;
    }
    let has_evidence: bool = conn
        .prepare("SELECT 1 FROM pragma_table_info('documents') WHERE name = 'evidence'")?
        .exists([])?;
    if !has_evidence {
        conn.execute_batch("ALTER TABLE documents ADD COLUMN evidence TEXT NOT NULL DEFAULT '[]'")?;
    }
    Ok(())
}

fn upsert_source(conn: &Connection, id: &DocId, s: &Source) -> Result<(), PipelineError> {
    let now = now();
    conn.execute(
        "INSERT INTO sources (doc_id, path, root, rel_path, size, mtime_ns, first_seen, last_seen)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)
         ON CONFLICT(doc_id, path) DO UPDATE SET size = excluded.size, mtime_ns = excluded.mtime_ns,
             root = excluded.root, rel_path = excluded.rel_path, last_seen = excluded.last_seen",
        params![id.as_str(), s.path, s.root, s.rel_path, s.size, s.mtime_ns, now],
    )?;
    Ok(())
}
