//! `.genie/run.lock`: one `genie run` at a time in a repository.
//!
//! An OS file lock (`flock` on Unix, through [`std::fs::File::try_lock`]), held
//! for the whole run: a crashed or killed genie releases it with its file
//! descriptors, so there is never a stale lock to delete by hand. The file holds
//! the run id and pid of the holder, for the message a second run prints.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Repository-relative path of the lock file.
pub const LOCK_FILE: &str = ".genie/run.lock";

/// Who holds the lock, as the holder wrote it.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct Holder {
    pub run: Option<String>,
    pub pid: Option<u32>,
}

impl std::fmt::Display for Holder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (&self.run, self.pid) {
            (Some(r), Some(p)) => write!(f, "run {r}, pid {p}"),
            (Some(r), None) => write!(f, "run {r}"),
            (None, Some(p)) => write!(f, "pid {p}"),
            (None, None) => write!(f, "holder unknown"),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("another genie run ({holder}) holds {LOCK_FILE}")]
    Held { holder: Holder },
    #[error("{LOCK_FILE}: {0}")]
    Io(String),
}

/// The held lock; dropping it releases the lock.
#[derive(Debug)]
pub struct RunLock {
    file: File,
}

impl Drop for RunLock {
    fn drop(&mut self) {
        // Empty the file, then let closing the descriptor release the lock.
        let _ = self.file.set_len(0);
    }
}

fn lock_path(root: &Path) -> PathBuf {
    root.join(LOCK_FILE)
}

fn open(root: &Path) -> Result<File, LockError> {
    let path = lock_path(root);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| LockError::Io(e.to_string()))?;
        super::ensure_gitignore(dir);
    }
    OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(|e| LockError::Io(e.to_string()))
}

fn read_holder(file: &mut File) -> Holder {
    let mut text = String::new();
    let _ = file.rewind();
    let _ = file.take(4096).read_to_string(&mut text);
    let mut h = Holder::default();
    for line in text.lines() {
        if let Some(r) = line.strip_prefix("run ") {
            h.run = Some(r.trim().to_string());
        } else if let Some(p) = line.strip_prefix("pid ") {
            h.pid = p.trim().parse().ok();
        }
    }
    h
}

/// Take the lock for run `run`, waiting up to `wait` for another holder to let go.
pub fn acquire(root: &Path, run: &str, wait: Duration) -> Result<RunLock, LockError> {
    let mut file = open(root)?;
    let deadline = Instant::now() + wait;
    loop {
        match file.try_lock() {
            Ok(()) => break,
            Err(TryLockError::WouldBlock) => {
                // Interrupted while waiting (SIGINT): give up now.
                if Instant::now() >= deadline || super::process::cancelled() {
                    return Err(LockError::Held {
                        holder: read_holder(&mut file),
                    });
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            Err(TryLockError::Error(e)) => return Err(LockError::Io(e.to_string())),
        }
    }
    let _ = file.set_len(0);
    let _ = file.rewind();
    let _ = write!(file, "run {run}\npid {}\n", std::process::id());
    let _ = file.flush();
    Ok(RunLock { file })
}

/// Who holds the lock now, if anyone (`None`: free).
pub fn holder(root: &Path) -> Result<Option<Holder>, LockError> {
    if !lock_path(root).exists() {
        return Ok(None);
    }
    let mut file = open(root)?;
    match file.try_lock_shared() {
        Ok(()) => {
            let _ = file.unlock();
            Ok(None)
        }
        Err(TryLockError::WouldBlock) => Ok(Some(read_holder(&mut file))),
        Err(TryLockError::Error(e)) => Err(LockError::Io(e.to_string())),
    }
}

/// Block until no run holds the lock, or `timeout` passes (`None`: no limit).
/// Whether the lock is free.
pub fn wait_free(root: &Path, timeout: Option<Duration>) -> Result<bool, LockError> {
    if !lock_path(root).exists() {
        return Ok(true);
    }
    let file = open(root)?;
    let Some(t) = timeout else {
        file.lock_shared()
            .map_err(|e| LockError::Io(e.to_string()))?;
        let _ = file.unlock();
        return Ok(true);
    };
    let deadline = Instant::now() + t;
    loop {
        match file.try_lock_shared() {
            Ok(()) => {
                let _ = file.unlock();
                return Ok(true);
            }
            Err(TryLockError::WouldBlock) => {
                if Instant::now() >= deadline {
                    return Ok(false);
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            Err(TryLockError::Error(e)) => return Err(LockError::Io(e.to_string())),
        }
    }
}
