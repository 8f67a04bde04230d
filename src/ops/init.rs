//! `genie init`: a commented genie.toml, the docs layout with a README index,
//! `docs/_docset/`, `.genie/` in .gitignore; optionally a pre-commit hook and a
//! GitHub workflow. Idempotent: what exists is kept unless `--force`.

use std::path::Path;

use serde::Serialize;

use super::{Action, OpError, Plan, usage};
use crate::config::{Config, did_you_mean};

#[derive(Debug, Clone, Default)]
pub struct InitOptions {
    pub profile: Option<String>,
    pub with_hooks: bool,
    pub with_github: bool,
    pub force: bool,
}

/// What happened to one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum InitAction {
    Created,
    Overwritten,
    Updated,
    Kept,
    Skipped,
}

#[derive(Debug, Clone, Serialize)]
pub struct InitFile {
    pub path: String,
    pub action: InitAction,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub note: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct InitReport {
    pub profile: String,
    pub files: Vec<InitFile>,
}

const HOOK: &str = "#!/bin/sh\n# Installed by `genie init --with-hooks`: check the documents before each commit.\nexec genie check -q\n";

const WORKFLOW: &str = "# Written by `genie init --with-github`: check documents and DocSets on every\n# pull request, with annotations on the diff.\nname: genie\non:\n  pull_request:\n  push:\n    branches: [main]\njobs:\n  check:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - name: Install genie\n        run: cargo install --locked genie-cli\n      - name: Check documents\n        run: genie check --format github\n";

fn genie_toml(profile: &str) -> String {
    format!(
        r#"# genie configuration. Everything not set here comes from genie's built-in
# defaults: `genie config --dump` prints them all, `genie rules` lists the rules.

# "owner/name" of this repository: references such as owner/name#12 count as local.
# repository = "acme/shop"

# Profile of a new DocSet (`genie new … --issue N`): new-service, feature, quick-fix.
default_profile = "{profile}"

[docs]
# Folders that hold documents.
roots = ["docs"]
# Index pages may go without front-matter.
optional_front_matter = ["**/README.md"]
# Template overrides for `genie new`: <type>.md in this folder.
# templates_dir = "docs/templates"

# Change the level of a rule by name or code: "error", "warning" or "off".
[rules]
# document-too-long = "off"

# A type of your own:
# [types.memo]
# prefix = "MEMO"
# dir = "docs/memos"

# A profile of your own:
# [profiles.spike]
# stages = ["intake", "plan", "dev"]
"#
    )
}

fn readme(config: &Config) -> String {
    let mut dirs: Vec<(String, Vec<String>)> = Vec::new();
    for (name, t) in &config.types {
        if t.dir.is_empty() {
            continue;
        }
        match dirs.iter_mut().find(|(d, _)| *d == t.dir) {
            Some((_, types)) => types.push(name.clone()),
            None => dirs.push((t.dir.clone(), vec![name.clone()])),
        }
    }
    dirs.sort();
    let mut s = String::from(
        "# Documents\n\nThe team's documents, checked by genie (`genie check`). Each has YAML\nfront-matter (doc_id, type, title, status, owner_role, created_at, …); start a\nnew one with `genie new TYPE \"Title\"`, which picks the next free doc_id and\nthe folder below.\n\n| folder | types |\n|---|---|\n",
    );
    for (d, types) in &dirs {
        s.push_str(&format!("| `{d}` | {} |\n", types.join(", ")));
    }
    s.push_str(&format!(
        "\nOne DocSet per issue lives in `{}/issues/` (`issue-<N>.yaml`): its profile,\nstage and documents. `genie stage status N` shows where an issue stands,\n`genie approve DOC_ID --by NAME` approves a document and `genie stage advance N`\nmoves the issue on once its stage's documents are approved.\n\nTemplates for `genie new` can be overridden with `{}/<type>.md`\n(`genie templates show TYPE` prints the built-in one to start from).\n",
        config.docset.dir, config.docs.templates_dir
    ));
    s
}

fn templates_readme() -> String {
    "# Templates\n\nA file `<type>.md` here replaces genie's built-in template for that type in\n`genie new` (`genie templates list` shows which apply; `genie templates show TYPE`\nprints the built-in one). Templates are rendered with minijinja; the variables are\n`doc_id`, `type`, `title`, `owner_role`, `today`, `author`, `issue`, `pr`,\n`supersedes` and `release`, and `{{ title | yaml }}` quotes a value for YAML.\nFiles here are not checked as documents.\n".to_string()
}

/// Plan `genie init` in `root`.
pub fn init(root: &Path, opts: &InitOptions) -> Result<(InitReport, Plan), OpError> {
    let toml_path = root.join(crate::config::FILE_NAME);
    let existing = toml_path.is_file();
    let base = if existing && !opts.force {
        Config::load(&toml_path).map_err(|e| OpError::Usage(e.to_string()))?
    } else {
        Config::builtin()
    };
    let profile = opts
        .profile
        .clone()
        .unwrap_or_else(|| base.default_profile.clone());
    if !base.profiles.contains_key(&profile) {
        return usage(format!(
            "unknown profile `{profile}`{} (profiles: {})",
            did_you_mean(&profile, base.profiles.keys()),
            base.profiles.keys().cloned().collect::<Vec<_>>().join(", ")
        ));
    }
    let toml_text = genie_toml(&profile);
    // The configuration the new files are laid out by.
    let config = if existing && !opts.force {
        base
    } else {
        Config::parse(&toml_text, None).map_err(|e| OpError::Usage(e.to_string()))?
    };

    let mut plan = Plan::default();
    let mut files: Vec<InitFile> = Vec::new();
    let force = opts.force;
    let put = |plan: &mut Plan,
               files: &mut Vec<InitFile>,
               rel: &str,
               content: String,
               force_ok: bool,
               note: &str| {
        let exists = root.join(rel).symlink_metadata().is_ok();
        let action = match (exists, force && force_ok) {
            (false, _) => {
                plan.create(rel, content);
                InitAction::Created
            }
            (true, true) => {
                if std::fs::read_to_string(root.join(rel)).ok().as_deref() == Some(content.as_str())
                {
                    InitAction::Kept
                } else {
                    plan.update(rel, content);
                    InitAction::Overwritten
                }
            }
            (true, false) => InitAction::Kept,
        };
        files.push(InitFile {
            path: rel.to_string(),
            action,
            note: note.to_string(),
        });
    };

    if existing && opts.profile.is_some() && !opts.force {
        let current = config.default_profile.clone();
        if current != profile {
            files.push(InitFile {
                path: crate::config::FILE_NAME.into(),
                action: InitAction::Skipped,
                note: format!(
                    "exists with default_profile `{current}`; --force rewrites it with `{profile}`"
                ),
            });
        }
    }
    if !files.iter().any(|f| f.path == crate::config::FILE_NAME) {
        put(
            &mut plan,
            &mut files,
            crate::config::FILE_NAME,
            toml_text,
            true,
            "",
        );
    }

    let root_dir = config
        .docs
        .roots
        .first()
        .cloned()
        .unwrap_or_else(|| "docs".to_string());
    let readme_rel = format!("{}/README.md", root_dir.trim_end_matches('/'));
    let ctx = crate::check::Context::new(&config).map_err(|e| OpError::Usage(e.to_string()))?;
    if ctx.optional_front_matter.is_match(&readme_rel) || ctx.excludes.is_match(&readme_rel) {
        put(
            &mut plan,
            &mut files,
            &readme_rel,
            readme(&config),
            true,
            "",
        );
    } else {
        files.push(InitFile {
            path: readme_rel.clone(),
            action: InitAction::Skipped,
            note: "an index page has no front-matter, and docs.optional_front_matter does not allow that here".into(),
        });
    }
    let ds_dir = config.docset.dir.trim_end_matches('/').to_string();
    for sub in ["issues", "prs"] {
        put(
            &mut plan,
            &mut files,
            &format!("{ds_dir}/{sub}/.gitkeep"),
            String::new(),
            false,
            "",
        );
    }
    put(
        &mut plan,
        &mut files,
        &format!(
            "{}/README.md",
            config.docs.templates_dir.trim_end_matches('/')
        ),
        templates_readme(),
        true,
        "",
    );

    // .gitignore: add `.genie/` (the cache), keep everything else.
    let gi = root.join(".gitignore");
    match std::fs::read_to_string(&gi) {
        Ok(text) => {
            let has = text
                .lines()
                .map(str::trim)
                .any(|l| matches!(l, ".genie" | ".genie/" | "/.genie" | "/.genie/"));
            if has {
                files.push(InitFile {
                    path: ".gitignore".into(),
                    action: InitAction::Kept,
                    note: String::new(),
                });
            } else {
                let eol = if text.contains("\r\n") { "\r\n" } else { "\n" };
                let mut new = text.clone();
                if !new.is_empty() && !new.ends_with('\n') {
                    new.push_str(eol);
                }
                new.push_str(&format!("# genie's cache{eol}.genie/{eol}"));
                plan.update(".gitignore", new);
                files.push(InitFile {
                    path: ".gitignore".into(),
                    action: InitAction::Updated,
                    note: "added `.genie/`".into(),
                });
            }
        }
        Err(_) if gi.exists() => {
            return Err(OpError::Io(".gitignore: cannot read it".into()));
        }
        Err(_) => put(
            &mut plan,
            &mut files,
            ".gitignore",
            "# genie's cache\n.genie/\n".into(),
            false,
            "",
        ),
    }

    if opts.with_hooks {
        match hooks_dir(root) {
            Some(rel) => {
                let path = format!("{rel}/pre-commit");
                if root.join(&path).symlink_metadata().is_ok() {
                    files.push(InitFile {
                        path,
                        action: InitAction::Kept,
                        note: "a pre-commit hook exists; add `genie check -q` to it".into(),
                    });
                } else {
                    plan.create_with_mode(&path, HOOK.to_string(), 0o755);
                    files.push(InitFile {
                        path,
                        action: InitAction::Created,
                        note: String::new(),
                    });
                }
            }
            None => files.push(InitFile {
                path: ".git/hooks/pre-commit".into(),
                action: InitAction::Skipped,
                note: "not the top of a git work tree".into(),
            }),
        }
    }
    if opts.with_github {
        put(
            &mut plan,
            &mut files,
            ".github/workflows/genie.yml",
            WORKFLOW.to_string(),
            false,
            "",
        );
    }
    debug_assert!(
        plan.changes
            .iter()
            .all(|c| c.action == Action::Create || c.action == Action::Update)
    );
    Ok((InitReport { profile, files }, plan))
}

/// The hooks folder of the git repository whose work tree is `root`, relative to it.
fn hooks_dir(root: &Path) -> Option<String> {
    let repo = gix::discover(root).ok()?;
    let work = std::fs::canonicalize(repo.workdir()?).ok()?;
    let here = std::fs::canonicalize(root).ok()?;
    if work != here {
        return None;
    }
    let common = std::fs::canonicalize(repo.common_dir()).ok()?;
    let rel = common.strip_prefix(&here).ok()?;
    let rel = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/");
    Some(format!("{rel}/hooks"))
}
