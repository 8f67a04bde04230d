//! The repository model: documents, their standard fields and DocSets.

pub mod docset;
pub mod frontmatter;

use crate::markdown::Link;

/// A value with the 1-based line and column it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spanned<T> {
    pub value: T,
    pub line: u32,
    pub col: u32,
}

impl<T> Spanned<T> {
    pub fn new(value: T, line: u32, col: u32) -> Self {
        Spanned { value, line, col }
    }
}

/// An issue or PR reference: `123`, `#123`, `owner/repo#123` or an issue/PR URL.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IssueRef {
    /// `owner/repo` when the reference names a repository.
    pub repo: Option<String>,
    pub number: u64,
}

impl IssueRef {
    pub fn parse(s: &str) -> Option<IssueRef> {
        let s = s.trim();
        let number = |t: &str| -> Option<u64> {
            if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            t.parse().ok().filter(|&n| n > 0)
        };
        if let Some(n) = s.strip_prefix('#') {
            return number(n).map(|number| IssueRef { repo: None, number });
        }
        if let Some(n) = number(s) {
            return Some(IssueRef {
                repo: None,
                number: n,
            });
        }
        if let Some(rest) = s
            .strip_prefix("https://")
            .or_else(|| s.strip_prefix("http://"))
        {
            // host/owner/repo/(issues|pull)/N[#…]
            let mut parts = rest.split('/');
            let _host = parts.next()?;
            let owner = parts.next()?;
            let repo = parts.next()?;
            let kind = parts.next()?;
            let n = parts.next()?.split(['#', '?']).next()?;
            if !matches!(kind, "issues" | "pull" | "pulls" | "merge_requests")
                || owner.is_empty()
                || repo.is_empty()
            {
                return None;
            }
            return number(n).map(|number| IssueRef {
                repo: Some(format!("{owner}/{repo}")),
                number,
            });
        }
        let (repo, n) = s.split_once('#')?;
        let (owner, name) = repo.split_once('/')?;
        let ok = |p: &str| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        };
        if !ok(owner) || !ok(name) {
            return None;
        }
        number(n).map(|number| IssueRef {
            repo: Some(repo.to_string()),
            number,
        })
    }

    /// Whether the reference is to this repository.
    pub fn is_local(&self, repository: Option<&str>) -> bool {
        match (&self.repo, repository) {
            (None, _) => true,
            (Some(r), Some(here)) => r.eq_ignore_ascii_case(here),
            (Some(_), None) => false,
        }
    }
}

/// A calendar date check: `Ok` for a real `YYYY-MM-DD`, else why not.
pub fn check_date(s: &str) -> Result<(), String> {
    let b = s.as_bytes();
    let shaped = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shaped {
        // Common other spellings, with the fix.
        let parts: Vec<&str> = s.split(['/', '.', '-']).collect();
        if parts.len() == 3
            && parts
                .iter()
                .all(|p| !p.is_empty() && p.bytes().all(|c| c.is_ascii_digit()))
        {
            let n: Vec<u32> = parts.iter().map(|p| p.parse().unwrap_or(0)).collect();
            if parts[2].len() == 4 && s.contains('/') && n[0] <= 12 {
                return Err(format!(
                    "`{s}` is not YYYY-MM-DD (an American date? that would be {:04}-{:02}-{:02})",
                    n[2], n[0], n[1]
                ));
            }
            if parts[2].len() == 4 {
                return Err(format!(
                    "`{s}` is not YYYY-MM-DD (day first? that would be {:04}-{:02}-{:02})",
                    n[2], n[1], n[0]
                ));
            }
        }
        return Err(format!("`{s}` is not a date written YYYY-MM-DD"));
    }
    let year: u32 = s[0..4].parse().unwrap_or(0);
    let month: u32 = s[5..7].parse().unwrap_or(0);
    let day: u32 = s[8..10].parse().unwrap_or(0);
    if !(1..=12).contains(&month) {
        let hint = if (1..=12).contains(&day) && month <= days_in_month(year, day) {
            format!(" (month and day swapped? that would be {year:04}-{day:02}-{month:02})")
        } else {
            String::new()
        };
        return Err(format!("`{s}`: there is no month {month}{hint}"));
    }
    let max = days_in_month(year, month);
    if day == 0 || day > max {
        return Err(format!("`{s}`: month {month} of {year} has {max} days"));
    }
    Ok(())
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        2 => 28,
        _ => 0,
    }
}

/// The standard fields of a document, as far as they could be read.
#[derive(Debug, Clone, Default)]
pub struct Fields {
    pub doc_id: Option<Spanned<String>>,
    pub doc_type: Option<Spanned<String>>,
    pub title: Option<String>,
    /// The status as written.
    pub status: Option<Spanned<String>>,
    /// The canonical status (aliases resolved), when the status is known.
    pub canonical_status: Option<String>,
    pub owner_role: Option<String>,
    pub related_issues: Vec<Spanned<IssueRef>>,
    pub related_prs: Vec<Spanned<IssueRef>>,
    pub related_docs: Vec<Spanned<String>>,
    pub supersedes: Vec<Spanned<String>>,
    pub superseded_by: Vec<Spanned<String>>,
    /// `approvals.status`, when present.
    pub approvals_status: Option<String>,
    /// `incident: true` (postdeploy reviews that record an incident).
    pub incident: bool,
    /// `release.version`.
    pub release: Option<String>,
    /// Line of each standard key, for diagnostics about a field as a whole.
    pub key_lines: Vec<(&'static str, u32)>,
}

impl Fields {
    pub fn key_line(&self, key: &str) -> Option<u32> {
        self.key_lines
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, l)| *l)
    }

    /// Approved: status approved and, when approvals are recorded, approved there too.
    pub fn is_approved(&self) -> bool {
        self.canonical_status.as_deref() == Some("approved")
            && self
                .approvals_status
                .as_deref()
                .is_none_or(|s| s == "approved")
    }
}

/// One markdown document of the repository.
#[derive(Debug, Clone, Default)]
pub struct Doc {
    /// Repository-relative, `/`-separated.
    pub path: String,
    /// Whether front-matter was found and read.
    pub has_front_matter: bool,
    pub fields: Fields,
    /// Anchors the body defines.
    pub anchors: Vec<String>,
    pub links: Vec<Link>,
    pub line_count: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue_refs_in_every_spelling() {
        let local = |n| {
            Some(IssueRef {
                repo: None,
                number: n,
            })
        };
        assert_eq!(IssueRef::parse("123"), local(123));
        assert_eq!(IssueRef::parse("#123"), local(123));
        assert_eq!(
            IssueRef::parse("acme/shop#7"),
            Some(IssueRef {
                repo: Some("acme/shop".into()),
                number: 7
            })
        );
        assert_eq!(
            IssueRef::parse("https://github.com/acme/shop/pull/9"),
            Some(IssueRef {
                repo: Some("acme/shop".into()),
                number: 9
            })
        );
        assert_eq!(IssueRef::parse("not-an-issue"), None);
        assert_eq!(IssueRef::parse("#0"), None);
        assert_eq!(IssueRef::parse("acme#3"), None);
    }

    #[test]
    fn dates_are_real_calendar_dates() {
        assert!(check_date("2024-02-29").is_ok());
        assert!(check_date("2023-02-29").unwrap_err().contains("28 days"));
        assert!(check_date("2023-14-05").unwrap_err().contains("2023-05-14"));
        assert!(check_date("11/21/2025").unwrap_err().contains("2025-11-21"));
        assert!(check_date("21.11.2025").unwrap_err().contains("2025-11-21"));
        assert!(check_date("yesterday").is_err());
        assert!(check_date("2025-1-2").is_err());
    }
}
