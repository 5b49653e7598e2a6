//! The data directory: where the catalogue, vault and index of one archive live.

use crate::PipelineError;
use std::fs;
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// The layout of a data directory. Created private (0700).
#[derive(Debug, Clone)]
pub struct DataDir {
    root: PathBuf,
}

/// Holds the data directory's writer lock until dropped.
#[derive(Debug)]
pub struct WriterLock {
    _file: fs::File,
}

impl DataDir {
    /// Opens the data directory at `root`, creating it (mode 0700) if it does not exist.
    pub fn create(root: impl Into<PathBuf>) -> Result<DataDir, PipelineError> {
        let root = root.into();
        if !root.is_dir() {
            fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(&root)
                .map_err(|e| PipelineError::io(&root, e))?;
        }
        Ok(DataDir { root })
    }

    /// Opens an existing data directory; a missing one is an error that says how to make one.
    pub fn open_existing(root: impl Into<PathBuf>) -> Result<DataDir, PipelineError> {
        let root = root.into();
        if !root.join(CATALOGUE).is_file() {
            return Err(PipelineError::NoDataDir(root));
        }
        Ok(DataDir { root })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn catalogue_path(&self) -> PathBuf {
        self.root.join(CATALOGUE)
    }

    pub fn vault_dir(&self) -> PathBuf {
        self.root.join("vault")
    }

    pub fn index_dir(&self) -> PathBuf {
        self.root.join("index")
    }

    /// True if the directory can be read by users other than its owner.
    pub fn is_shared(&self) -> bool {
        fs::metadata(&self.root).map(|m| m.permissions().mode() & 0o077 != 0).unwrap_or(false)
    }

    /// Takes the one-writer lock, or fails at once if another process holds it.
    pub fn lock_writer(&self) -> Result<WriterLock, PipelineError> {
        let path = self.root.join("lock");
        let file = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| PipelineError::io(&path, e))?;
        match file.try_lock() {
            Ok(()) => Ok(WriterLock { _file: file }),
            Err(fs::TryLockError::WouldBlock) => Err(PipelineError::Busy(self.root.clone())),
            Err(fs::TryLockError::Error(e)) => Err(PipelineError::io(&path, e)),
        }
    }
}

const CATALOGUE: &str = "catalogue.sqlite";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn created_private_and_locked_once() {
        let dir = tempfile::tempdir().unwrap();
        let data = DataDir::create(dir.path().join("data")).unwrap();
        let mode = fs::metadata(data.root()).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700);
        assert!(!data.is_shared());
        let lock = data.lock_writer().unwrap();
        assert!(matches!(data.lock_writer(), Err(PipelineError::Busy(_))));
        drop(lock);
        assert!(data.lock_writer().is_ok());
    }

    #[test]
    fn missing_data_dir_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let err = DataDir::open_existing(dir.path().join("nope")).unwrap_err();
        assert!(err.to_string().contains("chartdex ingest"), "{err}");
    }
}
