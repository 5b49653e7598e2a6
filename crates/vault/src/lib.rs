//! The originals vault: a write-once, content-addressed store of every original file, byte for byte.
//!
//! A file's name in the vault is the SHA-256 of its bytes (`vault/ab/abcdef…`). An original is
//! written to a temporary file, synced, renamed into place without overwriting, and made read-only;
//! once stored it is never modified or deleted by chartdex. This crate knows nothing of medicine,
//! OCR or the catalogue.

use sha2::{Digest, Sha256};
use std::fs;
use std::io::{self, Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// Errors of the vault, each naming the path involved.
#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    #[error("vault: {path}")]
    Io { path: PathBuf, source: io::Error },
    #[error("not a vault key (64 hex characters expected): {0:?}")]
    BadKey(String),
    #[error("vault file {path} does not match its name: expected {expected}, found {found}")]
    Corrupt { path: PathBuf, expected: String, found: String },
    #[error("{0} exists; it is not overwritten")]
    Exists(PathBuf),
}

type Result<T> = std::result::Result<T, VaultError>;

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> VaultError + '_ {
    move |source| VaultError::Io { path: path.to_path_buf(), source }
}

/// The lowercase hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(digest: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(digest.len() * 2);
    for b in digest {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// The outcome of storing bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    /// The hex SHA-256 key.
    pub key: String,
    /// True if these bytes were not in the vault before.
    pub new: bool,
}

/// A content-addressed store rooted at one directory.
#[derive(Debug, Clone)]
pub struct Vault {
    root: PathBuf,
}

impl Vault {
    /// Opens the vault at `root`, creating it (mode 0700) if it does not exist.
    pub fn open(root: impl Into<PathBuf>) -> Result<Vault> {
        let root = root.into();
        create_private_dir(&root)?;
        create_private_dir(&root.join("tmp"))?;
        Ok(Vault { root })
    }

    /// The directory the vault lives in.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where the original with this key is (or would be) stored.
    pub fn path_of(&self, key: &str) -> Result<PathBuf> {
        check_key(key)?;
        Ok(self.root.join(&key[..2]).join(key))
    }

    /// True if an original with this key is stored.
    pub fn contains(&self, key: &str) -> Result<bool> {
        Ok(self.path_of(key)?.is_file())
    }

    /// Stores `bytes`, computing their key. Storing bytes already present is a no-op.
    pub fn put(&self, bytes: &[u8]) -> Result<Stored> {
        let key = sha256_hex(bytes);
        self.put_keyed(&key, bytes)
    }

    /// Stores `bytes` under `key`, which the caller has computed with [`sha256_hex`].
    ///
    /// The bytes are written to a temporary file, synced, renamed into place (never replacing an
    /// existing file) and made read-only; the directory entry is synced too.
    pub fn put_keyed(&self, key: &str, bytes: &[u8]) -> Result<Stored> {
        let dest = self.path_of(key)?;
        if let Ok(meta) = fs::metadata(&dest) {
            if meta.len() == bytes.len() as u64 {
                return Ok(Stored { key: key.to_string(), new: false });
            }
            // Same name, wrong size: the stored copy is damaged. Never overwrite it; the audit
            // reports it and the caller learns the bytes could not be kept.
            return Err(VaultError::Corrupt {
                path: dest,
                expected: key.to_string(),
                found: format!("a file of {} bytes instead of {}", meta.len(), bytes.len()),
            });
        }
        let dir = dest.parent().expect("vault paths have a parent");
        create_private_dir(dir)?;
        let tmp_dir = self.root.join("tmp");
        let mut tmp = tempfile::Builder::new()
            .prefix(".put-")
            .tempfile_in(&tmp_dir)
            .map_err(io_err(&tmp_dir))?;
        tmp.write_all(bytes).map_err(io_err(tmp.path()))?;
        tmp.as_file().sync_all().map_err(io_err(tmp.path()))?;
        tmp.as_file()
            .set_permissions(fs::Permissions::from_mode(0o400))
            .map_err(io_err(tmp.path()))?;
        match tmp.persist_noclobber(&dest) {
            Ok(_) => {}
            // Another writer stored the same bytes first: that copy is as good as ours.
            Err(e) if e.error.kind() == io::ErrorKind::AlreadyExists => {
                return Ok(Stored { key: key.to_string(), new: false })
            }
            Err(e) => return Err(io_err(&dest)(e.error)),
        }
        sync_dir(dir)?;
        Ok(Stored { key: key.to_string(), new: true })
    }

    /// Reads a stored original back, checking that its bytes still hash to its key.
    pub fn read_verified(&self, key: &str) -> Result<Vec<u8>> {
        let path = self.path_of(key)?;
        let mut bytes = Vec::new();
        fs::File::open(&path).and_then(|mut f| f.read_to_end(&mut bytes)).map_err(io_err(&path))?;
        let found = sha256_hex(&bytes);
        if found != key {
            return Err(VaultError::Corrupt { path, expected: key.to_string(), found });
        }
        Ok(bytes)
    }
}

/// A file in the vault directory, as [`Vault::entries`] finds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// A stored original: its key and size.
    Original { key: String, size: u64 },
    /// Anything else (a file whose name is not a key, or a key in the wrong folder): the vault
    /// never writes such a file, so something else put it there.
    Stray { path: PathBuf },
}

/// What re-hashing a stored original found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    /// The bytes hash to the key.
    Intact,
    /// No file under this key.
    Missing,
    /// The bytes hash to something else.
    Corrupt { found: String },
}

/// Bytes read at a time when hashing or copying an original (originals are never read whole).
const CHUNK: usize = 1 << 20;

impl Vault {
    /// Every file in the vault except its temporary folder, in key order.
    pub fn entries(&self) -> Result<Vec<Entry>> {
        let mut out = Vec::new();
        for dir in read_dir_sorted(&self.root)? {
            let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or("");
            let meta = fs::symlink_metadata(&dir).map_err(io_err(&dir))?;
            if meta.is_dir() && name == "tmp" {
                continue;
            }
            let is_prefix = name.len() == 2 && name.bytes().all(|b| b.is_ascii_hexdigit());
            if !meta.is_dir() || !is_prefix {
                out.push(Entry::Stray { path: dir });
                continue;
            }
            for file in read_dir_sorted(&dir)? {
                let meta = fs::symlink_metadata(&file).map_err(io_err(&file))?;
                let key = file.file_name().and_then(|n| n.to_str()).unwrap_or("");
                if meta.is_file() && check_key(key).is_ok() && key.starts_with(name) {
                    out.push(Entry::Original { key: key.to_string(), size: meta.len() });
                } else {
                    out.push(Entry::Stray { path: file });
                }
            }
        }
        Ok(out)
    }

    /// Re-hashes the original stored under `key`, reading it in chunks; `progress` is told the
    /// bytes read as they are read.
    pub fn check(&self, key: &str, progress: &dyn Fn(u64)) -> Result<Check> {
        let path = self.path_of(key)?;
        let file = match fs::File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Check::Missing),
            Err(e) => return Err(io_err(&path)(e)),
        };
        let found = hash_reader(file, &path, &mut io::sink(), progress)?;
        Ok(if found == key { Check::Intact } else { Check::Corrupt { found } })
    }

    /// Copies the original stored under `key` to `dest`, which must not exist: the bytes are
    /// hashed on the way into a temporary file beside `dest`, synced, and renamed into place
    /// only if they match the key, never replacing a file. `dest` is given `mtime` if known.
    pub fn restore(
        &self,
        key: &str,
        dest: &Path,
        mtime: Option<std::time::SystemTime>,
    ) -> Result<()> {
        let path = self.path_of(key)?;
        if fs::symlink_metadata(dest).is_ok() {
            return Err(VaultError::Exists(dest.to_path_buf()));
        }
        let file = fs::File::open(&path).map_err(io_err(&path))?;
        let dir = match dest.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let mut tmp =
            tempfile::Builder::new().prefix(".restore-").tempfile_in(dir).map_err(io_err(dir))?;
        let found = {
            let mut out = io::BufWriter::with_capacity(CHUNK, tmp.as_file_mut());
            let found = hash_reader(file, &path, &mut out, &|_| {})?;
            out.flush().map_err(io_err(dest))?;
            found
        };
        if found != key {
            return Err(VaultError::Corrupt { path, expected: key.to_string(), found });
        }
        if let Some(t) = mtime {
            tmp.as_file().set_modified(t).map_err(io_err(tmp.path()))?;
        }
        tmp.as_file().sync_all().map_err(io_err(tmp.path()))?;
        match tmp.persist_noclobber(dest) {
            Ok(_) => {}
            Err(e) if e.error.kind() == io::ErrorKind::AlreadyExists => {
                return Err(VaultError::Exists(dest.to_path_buf()))
            }
            Err(e) => return Err(io_err(dest)(e.error)),
        }
        sync_dir(dir)
    }

    /// Removes temporary files a stopped writer left in the vault's temporary folder. Only for
    /// the holder of the data directory's writer lock: no other writer can be using them.
    pub fn remove_leftovers(&self) -> Result<u64> {
        let tmp = self.root.join("tmp");
        let mut removed = 0;
        for path in read_dir_sorted(&tmp)? {
            fs::remove_file(&path).map_err(io_err(&path))?;
            removed += 1;
        }
        Ok(removed)
    }
}

/// Hashes everything `reader` gives, copying it to `out`; the hex SHA-256.
fn hash_reader(
    mut reader: impl Read,
    path: &Path,
    out: &mut impl Write,
    progress: &dyn Fn(u64),
) -> Result<String> {
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; CHUNK];
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(io_err(path)(e)),
        };
        hasher.update(&buf[..n]);
        out.write_all(&buf[..n]).map_err(io_err(path))?;
        progress(n as u64);
    }
    Ok(hex(&hasher.finalize()))
}

fn read_dir_sorted(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut paths = fs::read_dir(dir)
        .and_then(|rd| rd.map(|e| e.map(|e| e.path())).collect::<io::Result<Vec<_>>>())
        .map_err(io_err(dir))?;
    paths.sort();
    Ok(paths)
}

fn check_key(key: &str) -> Result<()> {
    if key.len() == 64 && key.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        Ok(())
    } else {
        Err(VaultError::BadKey(key.to_string()))
    }
}

/// Creates `dir` (and its parents) if missing, with mode 0700.
fn create_private_dir(dir: &Path) -> Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    if dir.is_dir() {
        return Ok(());
    }
    fs::DirBuilder::new().recursive(true).mode(0o700).create(dir).map_err(io_err(dir))
}

fn sync_dir(dir: &Path) -> Result<()> {
    fs::File::open(dir).and_then(|d| d.sync_all()).map_err(io_err(dir))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_of_known_input() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn put_stores_read_only_byte_identical_copy_once() {
        let dir = tempfile::tempdir().unwrap();
        let vault = Vault::open(dir.path().join("vault")).unwrap();
        let bytes = b"%PDF-1.4 fake chart for Testpatient Alice";
        let first = vault.put(bytes).unwrap();
        assert!(first.new);
        let path = vault.path_of(&first.key).unwrap();
        assert_eq!(fs::read(&path).unwrap(), bytes);
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o400);
        let second = vault.put(bytes).unwrap();
        assert_eq!(second, Stored { key: first.key.clone(), new: false });
        assert_eq!(vault.read_verified(&first.key).unwrap(), bytes);
        let root_mode = fs::metadata(vault.root()).unwrap().permissions().mode() & 0o777;
        assert_eq!(root_mode, 0o700);
        // No temporary files are left behind.
        assert_eq!(fs::read_dir(vault.root().join("tmp")).unwrap().count(), 0);
    }

    #[test]
    fn corruption_is_detected_and_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let vault = Vault::open(dir.path()).unwrap();
        let stored = vault.put(b"original bytes").unwrap();
        let path = vault.path_of(&stored.key).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
        fs::write(&path, b"altered bytes!").unwrap();
        assert!(matches!(vault.read_verified(&stored.key), Err(VaultError::Corrupt { .. })));
        fs::write(&path, b"short").unwrap();
        assert!(matches!(vault.put(b"original bytes"), Err(VaultError::Corrupt { .. })));
        assert_eq!(fs::read(&path).unwrap(), b"short");
    }

    #[test]
    fn rejects_keys_that_are_not_digests() {
        let dir = tempfile::tempdir().unwrap();
        let vault = Vault::open(dir.path()).unwrap();
        assert!(matches!(vault.path_of("../etc/passwd"), Err(VaultError::BadKey(_))));
        assert!(!vault.contains(&"0".repeat(64)).unwrap());
    }

    #[test]
    fn entries_tell_originals_from_strays() {
        let dir = tempfile::tempdir().unwrap();
        let vault = Vault::open(dir.path()).unwrap();
        let a = vault.put(b"chart A").unwrap().key;
        let b = vault.put(b"chart B, longer").unwrap().key;
        fs::write(dir.path().join("tmp/.put-left"), b"half").unwrap();
        let stray = dir.path().join(&a[..2]).join("notes.txt");
        fs::write(&stray, b"x").unwrap();
        let misplaced = dir.path().join(&a[..2]).join("f".repeat(64));
        fs::write(&misplaced, b"y").unwrap();
        let entries = vault.entries().unwrap();
        assert!(entries.contains(&Entry::Original { key: a.clone(), size: 7 }));
        assert!(entries.contains(&Entry::Original { key: b, size: 15 }));
        assert!(entries.contains(&Entry::Stray { path: stray }));
        if !a.starts_with("ff") {
            assert!(entries.contains(&Entry::Stray { path: misplaced }));
        }
        // The temporary folder is not part of the store, and a writer can empty it.
        assert!(!entries.iter().any(
            |e| matches!(e, Entry::Stray { path } if path.starts_with(dir.path().join("tmp")))
        ));
        assert_eq!(vault.remove_leftovers().unwrap(), 1);
    }

    #[test]
    fn check_rehashes_and_reports_missing_and_corrupt() {
        let dir = tempfile::tempdir().unwrap();
        let vault = Vault::open(dir.path()).unwrap();
        let key = vault.put(&vec![7u8; 3 * CHUNK + 5]).unwrap().key;
        let read = std::cell::Cell::new(0);
        assert_eq!(vault.check(&key, &|n| read.set(read.get() + n)).unwrap(), Check::Intact);
        assert_eq!(read.get(), 3 * CHUNK as u64 + 5);
        let path = vault.path_of(&key).unwrap();
        let mut bytes = fs::read(&path).unwrap();
        bytes[CHUNK + 1] ^= 1;
        fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
        fs::write(&path, &bytes).unwrap();
        assert!(
            matches!(vault.check(&key, &|_| {}).unwrap(), Check::Corrupt { found } if found == sha256_hex(&bytes))
        );
        fs::remove_file(&path).unwrap();
        assert_eq!(vault.check(&key, &|_| {}).unwrap(), Check::Missing);
    }

    #[test]
    fn restore_copies_verified_bytes_and_never_overwrites() {
        let dir = tempfile::tempdir().unwrap();
        let vault = Vault::open(dir.path().join("vault")).unwrap();
        let out = dir.path().join("out");
        fs::create_dir(&out).unwrap();
        let bytes = b"II*\0 a fake scan of Testpatient Bob".to_vec();
        let key = vault.put(&bytes).unwrap().key;
        let when = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_600_000_000);
        let dest = out.join("scan.tif");
        vault.restore(&key, &dest, Some(when)).unwrap();
        assert_eq!(fs::read(&dest).unwrap(), bytes);
        assert_eq!(fs::metadata(&dest).unwrap().modified().unwrap(), when);
        // An existing file is left alone.
        assert!(matches!(vault.restore(&key, &dest, None), Err(VaultError::Exists(_))));
        // A damaged original is not restored, and nothing is left behind.
        let path = vault.path_of(&key).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
        fs::write(&path, b"II*\0 a fake scan of Testpatient Rob").unwrap();
        let other = out.join("other.tif");
        assert!(matches!(vault.restore(&key, &other, None), Err(VaultError::Corrupt { .. })));
        assert_eq!(fs::read_dir(&out).unwrap().count(), 1);
    }
}
