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
}
