//! Restore: originals copied back out of the vault under their original file names, verified on
//! the way, never over an existing file.

use crate::catalogue::Catalogue;
use crate::datadir::DataDir;
use crate::PipelineError;
use chartdex_core::DocId;
use chartdex_vault::Vault;
use std::fs;
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};

/// What became of one document.
#[derive(Debug)]
pub struct Restored {
    pub id: DocId,
    /// Where it was (or would have been) written.
    pub dest: PathBuf,
    /// `None` when the file was written and verified; else why not.
    pub error: Option<chartdex_vault::VaultError>,
}

/// Restores each document's original into `to` (created private if missing), under the file name
/// it was first found with. A document that cannot be restored (its name taken, its original
/// missing or damaged) does not stop the others.
pub fn restore(data: &DataDir, ids: &[DocId], to: &Path) -> Result<Vec<Restored>, PipelineError> {
    let cat = Catalogue::open(&data.catalogue_path())?;
    let vault = Vault::open(data.vault_dir())?;
    if !to.is_dir() {
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(to)
            .map_err(|e| PipelineError::io(to, e))?;
    }
    let mut out = Vec::new();
    for id in ids {
        let doc = cat.document(id)?.ok_or_else(|| PipelineError::NoSuchDocument(id.to_string()))?;
        let first = doc.sources.first();
        let name = first
            .and_then(|s| Path::new(&s.path).file_name().map(|n| n.to_os_string()))
            .unwrap_or_else(|| id.as_str().into());
        let mtime = first.and_then(|s| {
            u64::try_from(s.mtime_ns)
                .ok()
                .filter(|&ns| ns > 0)
                .map(|ns| std::time::UNIX_EPOCH + std::time::Duration::from_nanos(ns))
        });
        let dest = to.join(name);
        let error = vault.restore(id.as_str(), &dest, mtime).err();
        out.push(Restored { id: id.clone(), dest, error });
    }
    Ok(out)
}
