//! The access log: an append-only, hash-chained record of every read of, or change to, the
//! archive (who, when, what, how many results).
//!
//! `DATA/access.log` holds one JSON record per line. Each record carries the SHA-256 of the one
//! before it (`prev`) and its own (`hash`, over `prev` and the record's other keys), so changing,
//! removing or reordering any record breaks the chain from there on. `DATA/access.head` names the
//! last record (its number, hash and the log's length after it), so cutting records off the end
//! is found too. Appends from concurrent processes are serialised by a lock on the log file.
//!
//! The log holds patient data (query texts, document ids): it is created 0600 in the private
//! data directory, like everything else there.

use crate::datadir::DataDir;
use crate::PipelineError;
use serde::{Deserialize, Serialize};
use std::fs;
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::PathBuf;

const LOG: &str = "access.log";
const HEAD: &str = "access.head";
/// The `prev` of the first record.
const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One access, as the caller describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct Access {
    /// What was done: `search`, `show`, `export`, `restore`, `ingest`, ….
    pub action: String,
    /// What it was done to: the query and its filters, document ids, paths.
    pub what: serde_json::Value,
    /// How many results (hits, documents) it gave.
    pub results: u64,
}

/// One record of the log, as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccessRecord {
    /// 1 for the first record, then one more each.
    pub seq: u64,
    /// RFC 3339 UTC.
    pub at: String,
    /// The OS user's name, and number.
    pub user: String,
    pub uid: u32,
    pub action: String,
    pub what: serde_json::Value,
    pub results: u64,
    /// The previous record's hash (64 zeros for the first).
    pub prev: String,
    /// SHA-256 over `prev` and the record without this key.
    #[serde(default)]
    pub hash: String,
}

impl AccessRecord {
    fn compute_hash(&self) -> String {
        let mut body = self.clone();
        body.hash = String::new();
        let json = serde_json::to_string(&body).expect("a record serialises");
        chartdex_vault::sha256_hex(format!("{}\n{json}", self.prev).as_bytes())
    }
}

/// Something wrong with the log, as [`verify`] finds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogProblem {
    /// The line of `access.log` (1-based), if the problem is at one.
    pub line: Option<u64>,
    pub detail: String,
}

/// What [`verify`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogCheck {
    pub records: u64,
    /// The last record's hash: write it down elsewhere, and a rewritten log shows.
    pub head: Option<String>,
    pub problems: Vec<LogProblem>,
}

/// The head file: the last record's number and hash, and the log's length after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Head<'a> {
    seq: u64,
    hash: &'a str,
    len: u64,
}

fn parse_head(text: &str) -> Option<(u64, String, u64)> {
    let mut parts = text.split_whitespace();
    let seq = parts.next()?.parse().ok()?;
    let hash = parts.next()?.to_string();
    let len = parts.next()?.parse().ok()?;
    (hash.len() == 64 && parts.next().is_none()).then_some((seq, hash, len))
}

fn log_path(data: &DataDir) -> PathBuf {
    data.root().join(LOG)
}

fn head_path(data: &DataDir) -> PathBuf {
    data.root().join(HEAD)
}

/// Appends a record of `access` to the data directory's log.
pub fn record(data: &DataDir, access: Access) -> Result<AccessRecord, PipelineError> {
    let path = log_path(data);
    let io = |e| PipelineError::io(&path, e);
    let mut file = fs::OpenOptions::new()
        .create(true)
        .append(true)
        .read(true)
        .mode(0o600)
        .open(&path)
        .map_err(io)?;
    file.lock().map_err(io)?;
    let len = file.metadata().map_err(io)?.len();
    let (seq, prev, torn) = last_record(data, &mut file, len)?;
    let (user, uid) = os_user();
    let mut rec = AccessRecord {
        seq: seq + 1,
        at: crate::catalogue::now(),
        user,
        uid,
        action: access.action,
        what: access.what,
        results: access.results,
        prev,
        hash: String::new(),
    };
    rec.hash = rec.compute_hash();
    let mut line = serde_json::to_string(&rec).expect("a record serialises");
    line.push('\n');
    if torn {
        // A write cut short by a crash: end that line, so this record starts its own.
        line.insert(0, '\n');
    }
    file.write_all(line.as_bytes()).map_err(io)?;
    file.sync_data().map_err(io)?;
    let head = Head { seq: rec.seq, hash: &rec.hash, len: len + line.len() as u64 };
    write_head(data, head)?;
    Ok(rec)
}

/// The last record's number and hash, and whether the log ends in a partial line. Read from the
/// head file, then from any records appended after it (by a process stopped before it could
/// update the head).
fn last_record(
    data: &DataDir,
    file: &mut fs::File,
    len: u64,
) -> Result<(u64, String, bool), PipelineError> {
    let path = log_path(data);
    let io = |e| PipelineError::io(&path, e);
    let head = fs::read_to_string(head_path(data)).ok().and_then(|t| parse_head(&t));
    let (mut seq, mut hash, from) = match head {
        Some((seq, hash, at)) => (seq, hash, at.min(len)),
        // No head: a new log (or a lost head file): read the whole log.
        None => (0, GENESIS.to_string(), 0),
    };
    // Records appended after the head (a process stopped before updating it). A log shorter
    // than the head says was cut: the chain goes on from the head, so the audit keeps seeing
    // the gap.
    let start = if from < len { from.saturating_sub(1) } else { len.saturating_sub(1) };
    file.seek(SeekFrom::Start(start)).map_err(io)?;
    let mut tail = Vec::new();
    file.take(len - start).read_to_end(&mut tail).map_err(io)?;
    let torn = !tail.is_empty() && !tail.ends_with(b"\n");
    if from < len {
        for line in tail.split(|&b| b == b'\n') {
            if let Ok(rec) = serde_json::from_slice::<AccessRecord>(line) {
                seq = rec.seq;
                hash = rec.hash;
            }
        }
    }
    Ok((seq, hash, torn))
}

fn write_head(data: &DataDir, head: Head<'_>) -> Result<(), PipelineError> {
    let path = head_path(data);
    let io = |e| PipelineError::io(&path, e);
    let tmp = data.root().join(".access.head.tmp");
    let mut f = fs::OpenOptions::new()
        .create(true)
        .write(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)
        .map_err(io)?;
    writeln!(f, "{} {} {}", head.seq, head.hash, head.len).map_err(io)?;
    f.sync_data().map_err(io)?;
    fs::rename(&tmp, &path).map_err(io)
}

/// Every record of the log, in order (lines that are not records are skipped; [`verify`] reports
/// them).
pub fn read(data: &DataDir) -> Result<Vec<AccessRecord>, PipelineError> {
    let path = log_path(data);
    let text = match fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(PipelineError::io(&path, e)),
    };
    Ok(text.lines().filter_map(|l| serde_json::from_str(l).ok()).collect())
}

/// Checks the whole chain: every line a record, numbered in order, each hash right and each
/// `prev` the hash before it, and the log at least as long as the head file says.
pub fn verify(data: &DataDir) -> Result<LogCheck, PipelineError> {
    let path = log_path(data);
    let bytes = match fs::read(&path) {
        Ok(b) => Some(b),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(PipelineError::io(&path, e)),
    };
    let head_text = fs::read_to_string(head_path(data)).ok();
    let mut check = LogCheck::default();
    let problem = |line: Option<u64>, detail: String| LogProblem { line, detail };
    let Some(bytes) = bytes else {
        if head_text.is_some() {
            check
                .problems
                .push(problem(None, "the access log is gone (its head file remains)".into()));
        }
        return Ok(check);
    };
    let mut prev = GENESIS.to_string();
    let mut expected_seq = 1;
    let mut offset = 0u64;
    // (seq, hash, length of the log after it) of each record, to match the head against.
    let mut ends = Vec::new();
    for (i, line) in bytes.split_inclusive(|&b| b == b'\n').enumerate() {
        offset += line.len() as u64;
        let n = Some(i as u64 + 1);
        let text = line.strip_suffix(b"\n").unwrap_or(line);
        let Ok(rec) = serde_json::from_slice::<AccessRecord>(text) else {
            check.problems.push(problem(
                n,
                "not a readable record (altered, or cut short by a crash)".into(),
            ));
            continue;
        };
        check.records += 1;
        if rec.seq != expected_seq {
            check.problems.push(problem(
                n,
                format!(
                    "record {} where {expected_seq} was expected (records removed or reordered)",
                    rec.seq
                ),
            ));
        }
        if rec.hash != rec.compute_hash() {
            check.problems.push(problem(
                n,
                format!("record {} was altered (its hash does not match)", rec.seq),
            ));
        } else if rec.prev != prev {
            check.problems.push(problem(
                n,
                format!(
                    "record {} does not follow the one before it (a record was removed or altered)",
                    rec.seq
                ),
            ));
        }
        expected_seq = rec.seq + 1;
        prev = rec.hash.clone();
        ends.push((rec.seq, rec.hash, offset));
    }
    check.head = ends.last().map(|(_, h, _)| h.clone());
    match head_text.as_deref().map(parse_head) {
        None if check.records > 0 => {
            check.problems.push(problem(None, "the access log's head file is gone".into()))
        }
        None => {}
        Some(None) => {
            check.problems.push(problem(None, "the access log's head file is unreadable".into()))
        }
        Some(Some((seq, hash, len)))
            if !ends.iter().any(|(s, h, end)| *s == seq && *h == hash && *end == len) =>
        {
            check.problems.push(problem(
                None,
                format!(
                    "the log no longer holds record {seq} as it was written \
                     (records at the end removed or altered)"
                ),
            ));
        }
        Some(Some(_)) => {}
    }
    Ok(check)
}

/// The OS user running this process: name (from the password database, else `$USER`) and uid.
fn os_user() -> (String, u32) {
    let uid = rustix::process::getuid().as_raw();
    let from_passwd = fs::read_to_string("/etc/passwd").ok().and_then(|text| {
        text.lines().find_map(|l| {
            let mut f = l.split(':');
            let name = f.next()?;
            let id: u32 = f.nth(1)?.parse().ok()?;
            (id == uid).then(|| name.to_string())
        })
    });
    let name = from_passwd
        .or_else(|| std::env::var("USER").ok().filter(|u| !u.is_empty()))
        .unwrap_or_else(|| format!("uid {uid}"));
    (name, uid)
}

/// The data directory's log file, for messages.
pub fn log_file(data: &DataDir) -> PathBuf {
    log_path(data)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn data() -> (tempfile::TempDir, DataDir) {
        let dir = tempfile::tempdir().unwrap();
        let data = DataDir::create(dir.path().join("data")).unwrap();
        (dir, data)
    }

    fn search(q: &str, n: u64) -> Access {
        Access { action: "search".into(), what: json!({ "query": q }), results: n }
    }

    fn lines(data: &DataDir) -> Vec<String> {
        fs::read_to_string(log_file(data)).unwrap().lines().map(String::from).collect()
    }

    fn write_lines(data: &DataDir, lines: &[String]) {
        fs::write(log_file(data), lines.iter().map(|l| format!("{l}\n")).collect::<String>())
            .unwrap();
    }

    #[test]
    fn records_chain_and_verify() {
        let (_d, data) = data();
        let a = record(&data, search("Testpatient", 2)).unwrap();
        let b = record(&data, search("I50.9", 0)).unwrap();
        assert_eq!((a.seq, b.seq), (1, 2));
        assert_eq!(a.prev, GENESIS);
        assert_eq!(b.prev, a.hash);
        assert!(!a.user.is_empty());
        let read = read(&data).unwrap();
        assert_eq!(read, vec![a, b.clone()]);
        let check = verify(&data).unwrap();
        assert_eq!(check.records, 2);
        assert_eq!(check.head, Some(b.hash));
        assert!(check.problems.is_empty(), "{:?}", check.problems);
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(log_file(&data)).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }

    #[test]
    fn an_edited_record_is_found() {
        let (_d, data) = data();
        for n in 0..3 {
            record(&data, search("Testpatient", n)).unwrap();
        }
        let mut l = lines(&data);
        l[1] = l[1].replace("\"results\":1", "\"results\":9");
        write_lines(&data, &l);
        let check = verify(&data).unwrap();
        assert_eq!(check.problems.len(), 1, "{:?}", check.problems);
        assert_eq!(check.problems[0].line, Some(2));
        assert!(check.problems[0].detail.contains("altered"));
    }

    #[test]
    fn a_removed_record_is_found_in_the_middle_and_at_the_end() {
        let (_d, data) = data();
        for n in 0..3 {
            record(&data, search("Testpatient", n)).unwrap();
        }
        let all = lines(&data);
        write_lines(&data, &[all[0].clone(), all[2].clone()]);
        let check = verify(&data).unwrap();
        assert!(check.problems.iter().any(|p| p.line == Some(2)), "{:?}", check.problems);
        write_lines(&data, &all[..2]);
        let check = verify(&data).unwrap();
        assert_eq!(check.problems.len(), 1, "{:?}", check.problems);
        assert!(check.problems[0].detail.contains("record 3"), "{:?}", check.problems);
    }

    #[test]
    fn a_stale_head_or_a_torn_line_from_a_crash_keeps_the_chain() {
        let (_d, data) = data();
        record(&data, search("one", 1)).unwrap();
        let head = fs::read_to_string(head_path(&data)).unwrap();
        record(&data, search("two", 1)).unwrap();
        // A process stopped after appending but before updating the head.
        fs::write(head_path(&data), &head).unwrap();
        let third = record(&data, search("three", 1)).unwrap();
        assert_eq!(third.seq, 3);
        assert!(verify(&data).unwrap().problems.is_empty());
        // A write cut short: the partial line is reported, the next record still chains on.
        let mut f = fs::OpenOptions::new().append(true).open(log_file(&data)).unwrap();
        f.write_all(b"{\"seq\":4,\"at\":").unwrap();
        let fourth = record(&data, search("four", 1)).unwrap();
        assert_eq!((fourth.seq, fourth.prev), (4, third.hash));
        let check = verify(&data).unwrap();
        assert_eq!(check.records, 4);
        assert_eq!(check.problems.len(), 1, "{:?}", check.problems);
        assert_eq!(check.problems[0].line, Some(4));
    }

    #[test]
    fn records_cut_off_the_end_stay_found_after_later_appends() {
        let (_d, data) = data();
        for n in 0..3 {
            record(&data, search("Testpatient", n)).unwrap();
        }
        let all = lines(&data);
        write_lines(&data, &all[..2]);
        let next = record(&data, search("after", 1)).unwrap();
        assert_eq!(next.seq, 4);
        let check = verify(&data).unwrap();
        assert!(!check.problems.is_empty());
        assert!(check.problems.iter().any(|p| p.line == Some(3)), "{:?}", check.problems);
    }

    #[test]
    fn a_deleted_log_is_found() {
        let (_d, data) = data();
        record(&data, search("one", 1)).unwrap();
        fs::remove_file(log_file(&data)).unwrap();
        assert_eq!(verify(&data).unwrap().problems.len(), 1);
    }
}
