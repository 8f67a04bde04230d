//! A small line diff for `--check` output (DocSets are short files).

/// Unified-style diff of `old` and `new` with `context` lines around changes;
/// empty when they are equal.
pub fn unified(path: &str, old: &str, new: &str, context: usize) -> String {
    if old == new {
        return String::new();
    }
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    // Longest common subsequence table (files are small).
    let (n, m) = (a.len(), b.len());
    let mut lcs = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let mut ops: Vec<(char, &str)> = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            ops.push((' ', a[i]));
            i += 1;
            j += 1;
        } else if i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1]) {
            ops.push(('-', a[i]));
            i += 1;
        } else {
            ops.push(('+', b[j]));
            j += 1;
        }
    }
    let changed: Vec<usize> = ops
        .iter()
        .enumerate()
        .filter(|(_, (c, _))| *c != ' ')
        .map(|(k, _)| k)
        .collect();
    let mut out = format!("--- {path}\n+++ {path} (synced)\n");
    if changed.is_empty() {
        out.push_str("  (line endings or the final newline differ)\n");
        return out;
    }
    let mut last_shown: Option<usize> = None;
    for (k, (c, line)) in ops.iter().enumerate() {
        let near = changed
            .iter()
            .any(|&x| k + context >= x && k <= x + context);
        if !near {
            continue;
        }
        if last_shown.is_some_and(|l| l + 1 != k) {
            out.push_str("@@\n");
        }
        out.push(*c);
        out.push(' ');
        out.push_str(line);
        out.push('\n');
        last_shown = Some(k);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn shows_changes_with_context() {
        let d = super::unified("x", "a\nb\nc\n", "a\nB\nc\n", 1);
        assert_eq!(d, "--- x\n+++ x (synced)\n  a\n- b\n+ B\n  c\n");
        assert_eq!(super::unified("x", "a\n", "a\n", 1), "");
    }
}
