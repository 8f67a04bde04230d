//! `genie new TYPE TITLE`: a document from its type's template, with the next free
//! doc_id of the type, in the type's folder; optionally linked to an issue (whose
//! DocSet is updated or created), a PR, and a document it supersedes.

use std::collections::BTreeSet;

use serde::Serialize;

use super::{Env, OpError, Plan, Work, slug, usage};
use crate::config::did_you_mean;
use crate::edit::{Op, Val};
use crate::model::docset::Kind;
use crate::model::frontmatter::{self, Split};
use crate::render::{self, Source, Vars};
use crate::repo::Repo;
use crate::repo::git::Git;

/// Which other tree's ids count as taken.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Against {
    /// The upstream of the current branch, when there is one.
    #[default]
    Upstream,
    /// A revision (`origin/main`, a commit, a tag).
    Rev(String),
    /// Only the working tree.
    Nothing,
}

#[derive(Debug, Clone, Default)]
pub struct NewOptions {
    pub doc_type: String,
    pub title: String,
    pub issue: Option<u64>,
    pub pr: Option<u64>,
    pub supersedes: Option<String>,
    pub owner_role: Option<String>,
    pub against: Against,
}

/// One file written, with what happened to it.
#[derive(Debug, Clone, Serialize)]
pub struct Written {
    pub path: String,
    pub action: super::Action,
    pub what: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct NewReport {
    pub doc_id: String,
    pub path: String,
    #[serde(rename = "type")]
    pub doc_type: String,
    pub title: String,
    pub owner_role: String,
    pub template: Source,
    /// The revision whose ids also counted, when one did.
    pub against: Option<String>,
    pub files: Vec<Written>,
}

/// Plan a new document.
pub fn new(repo: &mut Repo, env: &Env, opts: &NewOptions) -> Result<(NewReport, Plan), OpError> {
    let config = &repo.config;
    let ty = opts.doc_type.trim();
    let Some(tc) = config.types.get(ty) else {
        return usage(format!(
            "unknown document type `{ty}`{}; `genie templates list` shows the types",
            did_you_mean(ty, config.types.keys())
        ));
    };
    let prefix = tc.prefix.clone();
    let type_dir = tc.dir.clone();
    let title = opts.title.trim().to_string();
    if title.is_empty() {
        return usage("the title is empty");
    }
    if title.contains(['\n', '\r']) {
        return usage("the title must be one line");
    }
    let slug = slug::slug(&title);
    if slug.is_empty() {
        return usage(format!(
            "the title `{title}` gives no file name (it has no letters or digits genie can spell in ASCII)"
        ));
    }
    let owner_role = match &opts.owner_role {
        Some(r) => match config
            .owner_roles
            .iter()
            .find(|o| o.eq_ignore_ascii_case(r))
        {
            Some(o) => o.clone(),
            None => {
                return usage(format!(
                    "unknown owner role `{r}`{} (roles: {})",
                    did_you_mean(r, &config.owner_roles),
                    config.owner_roles.join(", ")
                ));
            }
        },
        None => render::default_owner_role(config, ty),
    };
    let template = render::find(&repo.root, config, ty).map_err(|e| match e {
        render::RenderError::UnknownType(..) => OpError::Usage(e.to_string()),
        other => OpError::Io(other.to_string()),
    })?;

    // The issue's DocSet: updated when it exists, created when not (a file that
    // exists but cannot be read stops everything).
    let issue_ds = match opts.issue {
        Some(n) => {
            let existing = repo
                .docsets
                .iter()
                .position(|d| d.kind == Kind::Issue && d.number() == Some(n));
            let path = super::docset_path(config, Kind::Issue, n);
            if existing.is_none() && repo.root.join(&path).exists() {
                return Err(OpError::Io(format!(
                    "{path} cannot be read as a DocSet; fix it first (`genie check` says why)"
                )));
            }
            existing
        }
        None => None,
    };

    let mut w = Work::new(repo);
    let superseded = match &opts.supersedes {
        Some(id) => Some(w.find_doc(id.trim())?),
        None => None,
    };

    // The next free number: ids in the working tree and in the other revision.
    let (taken, against) = taken_numbers(w.repo, &prefix, &opts.against)?;
    let number = taken.iter().next_back().map_or(1, |n| n + 1);
    let width = w.repo.config.docs.id_width;
    let doc_id = format!("{prefix}-{number:0width$}");
    let dir = {
        let d = type_dir.trim_end_matches('/');
        if d.is_empty() {
            format!(
                "{}/{ty}",
                w.repo
                    .config
                    .docs
                    .roots
                    .first()
                    .map_or("docs", |r| r.as_str())
            )
        } else {
            d.to_string()
        }
    };
    let rel = format!("{dir}/{}-{number:0width$}-{slug}.md", prefix.to_lowercase());
    if w.repo.root.join(&rel).symlink_metadata().is_ok() {
        return usage(format!(
            "{rel} already exists; genie does not write over it"
        ));
    }
    if w.repo
        .docs
        .iter()
        .any(|d| d.fields.doc_id.as_ref().is_some_and(|i| i.value == doc_id))
    {
        return usage(format!("{doc_id} is already taken"));
    }

    let release = issue_ds
        .and_then(|i| w.repo.docsets[i].file.release.clone())
        .unwrap_or_else(|| "unreleased".to_string());
    let vars = Vars {
        doc_id: doc_id.clone(),
        doc_type: ty.to_string(),
        title: title.clone(),
        owner_role: owner_role.clone(),
        today: env.today.clone(),
        author: env.author.clone(),
        issue: opts.issue,
        pr: opts.pr,
        supersedes: superseded.map(|_| {
            opts.supersedes
                .clone()
                .unwrap_or_default()
                .trim()
                .to_string()
        }),
        release,
    };
    let rendered = render::render(&template, &vars).map_err(|e| OpError::Io(e.to_string()))?;
    let text = complete(&w, &rel, rendered, &vars, &template.source)?;
    let new_idx = w.add_doc(&rel, text);
    let mut files = vec![Written {
        path: rel.clone(),
        action: super::Action::Create,
        what: format!("{doc_id} ({ty})"),
    }];

    let mut retouched = Vec::new();
    if let (Some(old), Some(old_id)) = (superseded, &opts.supersedes) {
        let old_id = old_id.trim();
        let f = &w.repo.docs[old].fields;
        let mut ops = Vec::new();
        if f.key_line("superseded_by").is_none() {
            ops.push(Op::set("superseded_by", Val::str(&doc_id)));
        } else if !f.superseded_by.iter().any(|s| s.value == doc_id) {
            ops.push(Op::append("superseded_by", Val::str(&doc_id)));
        }
        ops.push(Op::set("status", Val::str("superseded")));
        if f.key_line("updated_at").is_some() {
            ops.push(Op::set("updated_at", Val::str(&env.today)));
        }
        let path = w.repo.docs[old].path.clone();
        w.edit_doc(old, &ops)?;
        files.push(Written {
            path,
            action: super::Action::Update,
            what: format!("{old_id} superseded by {doc_id}"),
        });
        retouched.push(old);
    }

    if let Some(n) = opts.issue {
        match issue_ds {
            Some(i) => {
                w.sync_docset(i)?;
                files.push(Written {
                    path: w.repo.docsets[i].path.clone(),
                    action: super::Action::Update,
                    what: format!("issue #{n} lists {doc_id}"),
                });
            }
            None => {
                let (text, profile, stage) = super::docset::new_issue_docset(w.repo, n)?;
                let path = w.docset_path(Kind::Issue, n);
                w.plan.create(&path, text);
                files.push(Written {
                    path,
                    action: super::Action::Create,
                    what: format!(
                        "new DocSet for issue #{n} (profile {profile}, stage {stage}) listing {doc_id}"
                    ),
                });
            }
        }
    }
    if let Some(n) = opts.pr
        && let Some(i) = w
            .repo
            .docsets
            .iter()
            .position(|d| d.kind == Kind::Pr && d.number() == Some(n))
    {
        w.sync_docset(i)?;
        files.push(Written {
            path: w.repo.docsets[i].path.clone(),
            action: super::Action::Update,
            what: format!("PR #{n} lists {doc_id}"),
        });
    }
    // DocSets that list the superseded document show its new status.
    for path in w.sync_affected(&retouched)? {
        if !files.iter().any(|f| f.path == path) {
            files.push(Written {
                path,
                action: super::Action::Update,
                what: "status of a superseded document".into(),
            });
        }
    }
    let _ = new_idx;
    Ok((
        NewReport {
            doc_id,
            path: rel,
            doc_type: ty.to_string(),
            title,
            owner_role,
            template: template.source,
            against,
            files,
        },
        w.plan,
    ))
}

/// Make the rendered text carry what `genie new` promises whatever the template
/// says: the doc_id, type and date, and the links asked for.
fn complete(
    w: &Work,
    rel: &str,
    text: String,
    vars: &Vars,
    source: &Source,
) -> Result<String, OpError> {
    let origin = match source {
        Source::Repository { path } => path.clone(),
        _ => format!("the built-in template of `{}`", vars.doc_type),
    };
    let fm = crate::edit::front_matter_json(&text).ok_or_else(|| {
        OpError::Io(format!(
            "{origin} does not render YAML front-matter that genie can read"
        ))
    })?;
    let doc = w.parse(rel, &text);
    let mut ops = Vec::new();
    let set_if = |ops: &mut Vec<Op>, key: &str, want: &str| {
        if fm.get(key).and_then(|v| v.as_str()) != Some(want) {
            ops.push(Op::set(key, Val::str(want)));
        }
    };
    set_if(&mut ops, "doc_id", &vars.doc_id);
    set_if(&mut ops, "type", &vars.doc_type);
    if fm.get("title").is_none() && doc.fields.title.is_none() {
        ops.push(Op::set("title", Val::str(&vars.title)));
    }
    if fm.get("created_at").and_then(|v| v.as_str()).is_none() {
        ops.push(Op::set("created_at", Val::str(&vars.today)));
    }
    if let Some(n) = vars.issue
        && !doc
            .fields
            .related_issues
            .iter()
            .any(|r| r.value.number == n && r.value.repo.is_none())
    {
        ops.push(Op::append("related_issues", Val::Int(n as i64)));
    }
    if let Some(n) = vars.pr
        && !doc
            .fields
            .related_prs
            .iter()
            .any(|r| r.value.number == n && r.value.repo.is_none())
    {
        ops.push(Op::append("related_prs", Val::Int(n as i64)));
    }
    if let Some(old) = &vars.supersedes
        && !doc.fields.supersedes.iter().any(|s| &s.value == old)
    {
        ops.push(Op::append("supersedes", Val::str(old)));
    }
    if ops.is_empty() {
        return Ok(text);
    }
    crate::edit::edit_document(&text, &ops).map_err(|e| OpError::Io(format!("{origin}: {e}")))
}

/// Numbers of `prefix` already taken: by documents of the working tree (their
/// doc_ids and file names) and, when asked, by the files of another revision.
fn taken_numbers(
    repo: &Repo,
    prefix: &str,
    against: &Against,
) -> Result<(BTreeSet<u64>, Option<String>), OpError> {
    let mut taken = BTreeSet::new();
    for d in &repo.docs {
        if let Some(n) = d
            .fields
            .doc_id
            .as_ref()
            .and_then(|i| id_number(&i.value, prefix))
        {
            taken.insert(n);
        }
        if let Some(n) = file_number(&d.path, prefix) {
            taken.insert(n);
        }
    }
    let rev = match against {
        Against::Nothing => return Ok((taken, None)),
        Against::Rev(r) => Some(r.as_str()),
        Against::Upstream => None,
    };
    let git = match Git::open(&repo.root) {
        Ok(g) => g,
        Err(e) if rev.is_some() => return Err(OpError::Usage(format!("--against: {e}"))),
        Err(_) => return Ok((taken, None)),
    };
    let base = match rev {
        Some(r) => git
            .base(Some(r))
            .map_err(|e| OpError::Usage(format!("--against: {e}")))?,
        None => match git.base(Some("@{upstream}")) {
            Ok(b) => b,
            Err(_) => return Ok((taken, None)),
        },
    };
    let described = rev.map_or_else(|| "the upstream branch".to_string(), str::to_string);
    let roots: Vec<&str> = repo.config.docs.roots.iter().map(String::as_str).collect();
    let files = git
        .files(&base, &roots)
        .map_err(|e| OpError::Io(format!("--against {described}: {e}")))?;
    let needle = format!("{prefix}-");
    for (path, id) in files {
        if !(path.ends_with(".md") || path.ends_with(".markdown")) {
            continue;
        }
        if let Some(n) = file_number(&path, prefix) {
            taken.insert(n);
        }
        let Ok(bytes) = git.blob(id) else { continue };
        if memchr::memmem::find(&bytes, needle.as_bytes()).is_none() {
            continue;
        }
        let Ok(text) = std::str::from_utf8(&bytes) else {
            continue;
        };
        if let Some(n) = blob_doc_id(text).and_then(|i| id_number(&i, prefix)) {
            taken.insert(n);
        }
    }
    Ok((taken, Some(described)))
}

fn blob_doc_id(text: &str) -> Option<String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let Split::Found {
        format,
        text: fm,
        first_line,
        ..
    } = frontmatter::split(text)
    else {
        return None;
    };
    let (root, _) = frontmatter::parse(format, fm, first_line).ok()?;
    root.get("doc_id")?.scalar_text()
}

/// `ADR-0012` → 12 for prefix `ADR` (and not `ALT-ALR-0001` for `ALT`).
fn id_number(id: &str, prefix: &str) -> Option<u64> {
    let digits = id.trim().strip_prefix(prefix)?.strip_prefix('-')?;
    (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
        .then(|| digits.parse().ok())
        .flatten()
}

/// `docs/adr/adr-0012-use-x.md` → 12 for prefix `ADR`.
fn file_number(path: &str, prefix: &str) -> Option<u64> {
    let name = path.rsplit('/').next()?;
    let lower = prefix.to_lowercase();
    let rest = name.strip_prefix(&lower)?.strip_prefix('-')?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let after = &rest[digits.len()..];
    if digits.is_empty() || !(after.starts_with('-') || after.starts_with('.')) {
        return None;
    }
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_from_ids_and_names() {
        assert_eq!(id_number("ADR-0012", "ADR"), Some(12));
        assert_eq!(id_number("ALT-ALR-0001", "ALT"), None);
        assert_eq!(id_number("ALT-ALR-0003", "ALT-ALR"), Some(3));
        assert_eq!(file_number("docs/a/adr-0007-use-x.md", "ADR"), Some(7));
        assert_eq!(file_number("docs/a/alt-alr-0002-x.md", "ALT"), None);
        assert_eq!(file_number("docs/a/adr-notes.md", "ADR"), None);
    }
}
