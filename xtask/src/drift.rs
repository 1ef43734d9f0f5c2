//! Comparing the committed generated file with a fresh generation, as a readable diff.

use similar::{ChangeTag, TextDiff};

/// Lines of unchanged context shown around each change.
const CONTEXT_LINES: usize = 3;

/// Returns `None` when `committed` equals `generated`, else a unified diff from the committed
/// text (`-`) to the generated one (`+`).
pub fn compare(committed: &str, generated: &str) -> Option<String> {
    if committed == generated {
        return None;
    }
    let diff = TextDiff::from_lines(committed, generated);
    let mut out = String::new();
    for group in diff.grouped_ops(CONTEXT_LINES) {
        let first = group
            .first()
            .map(|op| op.old_range().start + 1)
            .unwrap_or(1);
        out.push_str(&format!("@@ near line {first} @@\n"));
        for op in group {
            for change in diff.iter_changes(&op) {
                let sign = match change.tag() {
                    ChangeTag::Delete => '-',
                    ChangeTag::Insert => '+',
                    ChangeTag::Equal => ' ',
                };
                out.push(sign);
                out.push_str(change.value());
                if change.missing_newline() {
                    out.push_str("\n\\ no newline at end of file\n");
                }
            }
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::compare;

    #[test]
    fn equal_texts_have_no_diff() {
        assert_eq!(compare("a\nb\n", "a\nb\n"), None);
    }

    #[test]
    fn a_changed_line_shows_both_sides() {
        let diff = compare("a\nb\nc\n", "a\nB\nc\n").expect("texts differ");
        assert!(diff.contains("-b\n"), "{diff}");
        assert!(diff.contains("+B\n"), "{diff}");
        assert!(diff.contains(" a\n"), "{diff}");
    }

    #[test]
    fn a_missing_file_shows_every_generated_line_as_added() {
        let diff = compare("", "x\ny\n").expect("texts differ");
        assert!(diff.contains("+x\n+y\n"), "{diff}");
    }
}
