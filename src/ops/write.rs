//! Planned file writes, applied all together: every new content is first written
//! to a temporary file in the target's directory, and only when all of them are
//! written are they renamed into place. New files never replace an existing one.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::OpError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Create,
    Update,
}

/// One planned write, as reports show it.
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    /// Repository-relative, `/`-separated.
    pub path: String,
    pub action: Action,
    #[serde(skip)]
    pub content: String,
    /// Unix permission bits for a new file (e.g. an executable hook).
    #[serde(skip)]
    pub mode: Option<u32>,
}

/// The files an operation writes.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub changes: Vec<Change>,
}

impl Plan {
    pub fn content(&self, rel: &str) -> Option<&str> {
        self.changes
            .iter()
            .find(|c| c.path == rel)
            .map(|c| c.content.as_str())
    }

    /// Plan a new file (one planned earlier in this plan is replaced).
    pub fn create(&mut self, rel: &str, content: String) {
        self.put(rel, content, Action::Create, None);
    }

    pub fn create_with_mode(&mut self, rel: &str, content: String, mode: u32) {
        self.put(rel, content, Action::Create, Some(mode));
    }

    /// Plan new content for an existing file.
    pub fn update(&mut self, rel: &str, content: String) {
        self.put(rel, content, Action::Update, None);
    }

    fn put(&mut self, rel: &str, content: String, action: Action, mode: Option<u32>) {
        if let Some(c) = self.changes.iter_mut().find(|c| c.path == rel) {
            // A file created by this plan stays a creation when edited again.
            c.content = content;
            return;
        }
        self.changes.push(Change {
            path: rel.to_string(),
            action,
            content,
            mode,
        });
    }

    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// Write every planned file under `root`: all or (as far as the file system
    /// allows) nothing.
    pub fn apply(&self, root: &Path) -> Result<(), OpError> {
        let io = |rel: &str, what: &str, e: std::io::Error| {
            OpError::Io(format!("{rel}: cannot {what}: {e}"))
        };
        // Preconditions first: nothing is touched when one fails.
        for c in &self.changes {
            let abs = root.join(&c.path);
            match c.action {
                Action::Create => {
                    if abs.symlink_metadata().is_ok() {
                        return Err(OpError::Usage(format!(
                            "{} already exists; genie does not write over it",
                            c.path
                        )));
                    }
                }
                Action::Update => {
                    let meta = abs.metadata().map_err(|e| io(&c.path, "read", e))?;
                    if meta.permissions().readonly() {
                        return Err(OpError::Io(format!(
                            "{} is read-only; nothing was written",
                            c.path
                        )));
                    }
                }
            }
        }
        let mut temps: Vec<(PathBuf, PathBuf, &Change)> = Vec::new();
        let cleanup = |temps: &[(PathBuf, PathBuf, &Change)]| {
            for (t, _, _) in temps {
                let _ = std::fs::remove_file(t);
            }
        };
        for (i, c) in self.changes.iter().enumerate() {
            let abs = root.join(&c.path);
            let dir = abs.parent().unwrap_or(root).to_path_buf();
            if let Err(e) = std::fs::create_dir_all(&dir) {
                cleanup(&temps);
                return Err(io(&c.path, "create its folder", e));
            }
            let name = abs
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let tmp = dir.join(format!(".{name}.genie-{}-{i}.tmp", std::process::id()));
            if let Err(e) = write_temp(&tmp, c, &abs) {
                let _ = std::fs::remove_file(&tmp);
                cleanup(&temps);
                return Err(io(&c.path, "write", e));
            }
            temps.push((tmp, abs, c));
        }
        for (n, (tmp, abs, c)) in temps.iter().enumerate() {
            let r = match c.action {
                Action::Update => std::fs::rename(tmp, abs),
                Action::Create => link_new(tmp, abs),
            };
            if let Err(e) = r {
                cleanup(&temps[n..]);
                let done: Vec<&str> = temps[..n].iter().map(|(_, _, c)| c.path.as_str()).collect();
                let also = if done.is_empty() {
                    String::new()
                } else {
                    format!(" (already written: {})", done.join(", "))
                };
                return Err(OpError::Io(format!("{}: cannot write: {e}{also}", c.path)));
            }
        }
        Ok(())
    }
}

fn write_temp(tmp: &Path, c: &Change, target: &Path) -> std::io::Result<()> {
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(tmp)?;
    f.write_all(c.content.as_bytes())?;
    f.sync_all()?;
    drop(f);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = match (c.action, c.mode) {
            (_, Some(m)) => Some(m),
            (Action::Update, None) => target.metadata().ok().map(|m| m.permissions().mode()),
            (Action::Create, None) => None,
        };
        if let Some(m) = mode {
            std::fs::set_permissions(tmp, std::fs::Permissions::from_mode(m))?;
        }
    }
    #[cfg(not(unix))]
    let _ = target;
    Ok(())
}

/// Move `tmp` to `dest` unless `dest` exists (a hard link fails on an existing
/// name, so two writers cannot both create the same file).
fn link_new(tmp: &Path, dest: &Path) -> std::io::Result<()> {
    match std::fs::hard_link(tmp, dest) {
        Ok(()) => {
            let _ = std::fs::remove_file(tmp);
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            let _ = std::fs::remove_file(tmp);
            Err(e)
        }
        Err(_) => {
            if dest.symlink_metadata().is_ok() {
                let _ = std::fs::remove_file(tmp);
                return Err(std::io::Error::new(
                    std::io::ErrorKind::AlreadyExists,
                    "the file already exists",
                ));
            }
            std::fs::rename(tmp, dest)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_or_nothing() {
        let dir = tempfile_dir();
        std::fs::write(dir.join("a.md"), "old").unwrap();
        let mut plan = Plan::default();
        plan.update("a.md", "new".into());
        plan.create("sub/b.md", "b".into());
        plan.apply(&dir).unwrap();
        assert_eq!(std::fs::read_to_string(dir.join("a.md")).unwrap(), "new");
        assert_eq!(std::fs::read_to_string(dir.join("sub/b.md")).unwrap(), "b");
        // Creating over an existing file fails before anything is written.
        let mut plan = Plan::default();
        plan.update("a.md", "newer".into());
        plan.create("sub/b.md", "b2".into());
        assert!(plan.apply(&dir).is_err());
        assert_eq!(std::fs::read_to_string(dir.join("a.md")).unwrap(), "new");
        let leftovers: Vec<_> = std::fs::read_dir(dir.join("sub")).unwrap().collect();
        assert_eq!(leftovers.len(), 1);
        let _ = std::fs::remove_dir_all(&dir);
    }

    fn tempfile_dir() -> PathBuf {
        let d = std::env::temp_dir().join(format!(
            "genie-write-test-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }
}
