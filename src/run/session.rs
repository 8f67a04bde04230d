//! The session record of a task: a `session` document in the main worktree
//! (`docs/sessions/ses-NNNN-<task>.md` by default), so that what agents did is
//! searchable and shows up in the next run's context.
//!
//! The document is made the way `genie new session` makes one ([`crate::ops::new`]:
//! the next free `SES-` number, the repository's template, its front-matter), then
//! given the run's facts. Numbers are allocated under a mutex over one loaded
//! repository, to which every record written is added, so tasks ending at the same
//! moment never get the same id. When the task names an issue whose DocSet
//! exists, the DocSet lists the record (as `genie new --issue` does; `genie check`
//! requires it); no DocSet is created.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::config::Config;
use crate::edit::{Op, Val};
use crate::ops::new::{Against, NewOptions};
use crate::ops::{Env, OpError, Work};
use crate::repo::Repo;

use super::state::{SessionRef, TaskState, TaskStatus};

/// One dependency, as the record relates it.
#[derive(Debug, Clone)]
pub struct Relation {
    pub task: String,
    pub status: TaskStatus,
    pub session: Option<SessionRef>,
}

/// What the record says.
#[derive(Debug, Clone)]
pub struct Record<'a> {
    pub run: &'a str,
    pub state: &'a TaskState,
    pub issue: Option<u64>,
    pub command: &'a str,
    /// The base revision as asked, and the commit it named.
    pub base: &'a str,
    pub base_commit: &'a str,
    pub depends_on: Vec<Relation>,
    /// The task whose branch this one started from.
    pub continues: Option<Relation>,
    /// The agent's final message.
    pub summary: Option<String>,
}

/// Writes session records, one at a time.
pub struct Sessions {
    root: PathBuf,
    config: Config,
    dir: String,
    repo: Mutex<Option<Repo>>,
}

impl Sessions {
    /// Records go to `dir` (repository-relative) under `root`.
    pub fn new(root: &Path, config: &Config, dir: &str) -> Sessions {
        Sessions {
            root: root.to_path_buf(),
            config: config.clone(),
            dir: dir.trim_end_matches('/').to_string(),
            repo: Mutex::new(None),
        }
    }

    /// Write the record; its doc_id and path.
    pub fn write(&self, rec: &Record) -> Result<SessionRef, String> {
        let mut guard = self.repo.lock().unwrap_or_else(|p| p.into_inner());
        for attempt in 0..2 {
            if guard.is_none() {
                let repo =
                    Repo::load(&self.root, self.config.clone()).map_err(|e| e.to_string())?;
                *guard = Some(repo);
            }
            let Some(repo) = guard.as_mut() else {
                continue;
            };
            match self.write_in(repo, rec) {
                Ok(r) => return Ok(r),
                // Someone else wrote a file with that name meanwhile: read the
                // repository again and take the next number.
                Err(OpError::Usage(m)) if attempt == 0 && m.contains("already") => {
                    *guard = None;
                }
                Err(e) => return Err(e.to_string()),
            }
        }
        Err("cannot allocate a session doc_id".into())
    }

    fn write_in(&self, repo: &mut Repo, rec: &Record) -> Result<SessionRef, OpError> {
        let env = Env::detect(&self.root)?;
        let opts = NewOptions {
            doc_type: "session".into(),
            // The title gives the file name: `ses-0007-<task>.md`.
            title: rec.state.name.clone(),
            owner_role: Some("dev".to_string()).filter(|r| repo.config.is_role(r)),
            against: Against::Upstream,
            ..NewOptions::default()
        };
        let (report, plan) = crate::ops::new::new(repo, &env, &opts)?;
        let created = plan
            .content(&report.path)
            .ok_or_else(|| OpError::Io("genie new planned no document".into()))?
            .to_string();
        let file_name = report
            .path
            .rsplit('/')
            .next()
            .unwrap_or(&report.path)
            .to_string();
        let rel = format!("{}/{file_name}", self.dir);
        let text = self.finish(&created, &report.doc_id, rec)?;
        let doc = crate::ops::parse_doc(&repo.config, &rel, &text);
        match repo.docs.iter().position(|d| d.path == report.path) {
            Some(i) => repo.docs[i] = doc,
            None => repo.docs.push(doc),
        }
        let mut w = Work::new(repo);
        w.plan.create(&rel, text);
        if let Some(n) = rec.issue
            && let Some(i) = w.issue_docset(n)
        {
            w.sync_docset(i)?;
        }
        let applied = w.plan.apply(&self.root);
        if applied.is_err() {
            // Not written: forget it, so the number is not skipped next time.
            repo.docs.retain(|d| d.path != rel);
        }
        applied?;
        Ok(SessionRef {
            doc_id: report.doc_id,
            path: rel,
        })
    }

    /// The template's front-matter with the run's facts, and genie's body.
    fn finish(&self, created: &str, doc_id: &str, rec: &Record) -> Result<String, OpError> {
        let st = rec.state;
        let title = format!("Task {} (genie run {})", st.name, rec.run);
        let mut ops = vec![Op::set("title", Val::str(&title))];
        if let Some(n) = rec.issue {
            ops.push(Op::set(
                "related_issues",
                Val::List(vec![Val::Int(n as i64)]),
            ));
        }
        let mut related: Vec<Val> = Vec::new();
        for r in rec.continues.iter().chain(&rec.depends_on) {
            if let Some(s) = &r.session
                && !related.contains(&Val::str(&s.doc_id))
            {
                related.push(Val::str(&s.doc_id));
            }
        }
        if !related.is_empty() {
            ops.push(Op::set("related_docs", Val::List(related)));
        }
        ops.push(Op::set(
            "tags",
            Val::List(vec![Val::str("session"), Val::str("genie-run")]),
        ));
        let edited = crate::edit::edit_document(created, &ops)
            .map_err(|e| OpError::Io(format!("the session template: {e}")))?;
        let front = match crate::model::frontmatter::split(&edited) {
            crate::model::frontmatter::Split::Found { body, .. } => {
                &edited[..edited.len() - body.len()]
            }
            _ => {
                return Err(OpError::Io(
                    "the session template has no front-matter".into(),
                ));
            }
        };
        let mut out = front.to_string();
        if !out.ends_with('\n') {
            out.push('\n');
        }
        out.push('\n');
        out.push_str(&body(&title, doc_id, rec));
        Ok(out)
    }
}

/// A fence longer than any run of backticks in `text`.
fn fence(text: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    "`".repeat(longest.max(2) + 1)
}

fn code(s: &str) -> String {
    if s.contains('`') {
        format!("`` {s} ``")
    } else {
        format!("`{s}`")
    }
}

fn short(commit: &str) -> &str {
    &commit[..commit.len().min(12)]
}

/// `12.3 s`, `4 min 05 s`.
pub fn duration_text(ms: u64) -> String {
    if ms < 60_000 {
        format!("{:.1} s", ms as f64 / 1000.0)
    } else {
        let s = ms / 1000;
        if s < 3600 {
            format!("{} min {:02} s", s / 60, s % 60)
        } else {
            format!("{} h {:02} min", s / 3600, s % 3600 / 60)
        }
    }
}

fn body(title: &str, doc_id: &str, rec: &Record) -> String {
    let st = rec.state;
    let mut b = format!("# {title}\n\n");
    b.push_str(&format!(
        "Record of task {} of `genie run` {}, written by genie when the task ended ({doc_id}).\n\n",
        code(&st.name),
        code(rec.run)
    ));
    b.push_str("## Run\n\n| field | value |\n|---|---|\n");
    let mut row =
        |k: &str, v: String| b.push_str(&format!("| {k} | {} |\n", v.replace('|', "\\|")));
    row("task", code(&st.name));
    row("run", code(rec.run));
    row("status", st.status.word().to_string());
    if let Some(r) = &st.reason {
        row("reason", r.replace('\n', " "));
    }
    row(
        "exit code",
        st.exit_code.map_or_else(|| "-".into(), |c| c.to_string()),
    );
    row("attempts", st.attempts.to_string());
    row("start", st.started.clone().unwrap_or_else(|| "-".into()));
    row("end", st.finished.clone().unwrap_or_else(|| "-".into()));
    row(
        "duration",
        st.duration_ms.map_or_else(|| "-".into(), duration_text),
    );
    row("branch", code(&st.branch));
    row(
        "base",
        format!("{} ({})", code(rec.base), code(short(rec.base_commit))),
    );
    if let Some(s) = &st.start_commit {
        row("start commit", code(short(s)));
    }
    row(
        "head commit",
        st.head
            .as_deref()
            .map_or_else(|| "-".into(), |h| code(short(h))),
    );
    if let Some(n) = rec.issue {
        row("issue", format!("#{n}"));
    }
    row("command", code(&rec.command.replace('\n', " ")));
    row("log", code(&st.log));
    if let Some(u) = &st.usage {
        let mut parts = Vec::new();
        if let Some(i) = u.input_tokens {
            parts.push(format!("input {i}"));
        }
        if let Some(o) = u.output_tokens {
            parts.push(format!("output {o}"));
        }
        if let Some(t) = u.total_tokens {
            parts.push(format!("total {t}"));
        }
        row("tokens", parts.join(", "));
    }

    b.push_str("\n## Files changed\n\n");
    if st.files_changed.is_empty() {
        b.push_str("None.\n");
    } else {
        const SHOWN: usize = 100;
        for f in st.files_changed.iter().take(SHOWN) {
            b.push_str(&format!("- {} {}\n", f.status, code(&f.path)));
        }
        if st.files_changed.len() > SHOWN {
            b.push_str(&format!(
                "- … and {} more\n",
                st.files_changed.len() - SHOWN
            ));
        }
    }

    b.push_str("\n## Relations\n\n");
    if rec.depends_on.is_empty() && rec.continues.is_none() {
        b.push_str("None: the task depends on no other task.\n");
    }
    let rel_text = |r: &Relation| {
        let session = r
            .session
            .as_ref()
            .map_or_else(String::new, |s| format!(", {}", s.doc_id));
        format!("{} ({}{session})", code(&r.task), r.status.word())
    };
    for r in &rec.depends_on {
        b.push_str(&format!("- depends on {}\n", rel_text(r)));
    }
    if let Some(r) = &rec.continues {
        b.push_str(&format!(
            "- continues {} (started from its branch)\n",
            rel_text(r)
        ));
    }

    b.push_str("\n## Summary\n\n");
    match rec
        .summary
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(s) => {
            // Cut long messages; a fence keeps the agent's Markdown (links,
            // headings) from becoming part of the document.
            let lines: Vec<&str> = s.lines().collect();
            let mut text = lines[..lines.len().min(80)].join("\n");
            if lines.len() > 80 {
                text.push_str(&format!("\n[… {} more lines]", lines.len() - 80));
            }
            let f = fence(&text);
            b.push_str(&format!("{f}text\n{text}\n{f}\n"));
        }
        None => b.push_str("The agent reported nothing.\n"),
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fences_and_durations() {
        assert_eq!(fence("a ``` b"), "````");
        assert_eq!(fence("plain"), "```");
        assert_eq!(duration_text(1500), "1.5 s");
        assert_eq!(duration_text(125_000), "2 min 05 s");
        assert_eq!(duration_text(3_720_000), "1 h 02 min");
    }
}
