//! Writing to the terminal the way Unix tools do: when the reader of stdout goes away
//! (`nanobanana credits --json | head -1`) the command stops quietly instead of panicking, and a
//! closed stderr never stops a command that is waiting for a paid task.

use std::borrow::Cow;
use std::fmt;
use std::io::Write as _;

use crate::error::CliError;

/// `text` safe to show on a terminal: every control character but the newline and the tab
/// (an escape sequence that would retitle or clear the terminal, a carriage return that would
/// overwrite the line, NUL…) and every bidirectional override shown as its `\u{…}` escape. Used
/// for every line printed, so text from the network (task ids, messages, suggestions) can
/// never drive the terminal.
pub fn printable(text: &str) -> Cow<'_, str> {
    let hidden = |c: char| {
        (c.is_control() && c != '\n' && c != '\t')
            || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    };
    if !text.contains(hidden) {
        return Cow::Borrowed(text);
    }
    let mut shown = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if hidden(c) {
            shown.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            shown.push(c);
        }
    }
    Cow::Owned(shown)
}

/// Writes `text` to stdout (made [`printable`]). A closed stdout is [`CliError::StdoutClosed`],
/// which ends the command quietly with exit code 0: the work is done and nobody is reading.
pub fn print(text: &str) -> Result<(), CliError> {
    let text = printable(text);
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Err(CliError::StdoutClosed),
        Err(source) => Err(CliError::Stdout(source)),
    }
}

/// `value` as pretty JSON and a newline on stdout (see [`print`]).
pub fn print_json(value: &impl serde::Serialize) -> Result<(), CliError> {
    let text = serde_json::to_string_pretty(value).expect("values serialize to JSON");
    print(&format!("{text}\n"))
}

/// One line on stderr (made [`printable`]); a closed stderr is ignored.
pub fn write_note(line: fmt::Arguments<'_>) {
    let line = match line.as_str() {
        Some(text) => printable(text).into_owned(),
        None => printable(&line.to_string()).into_owned(),
    };
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

/// `note!("...", args)`: one line on stderr, never panicking.
macro_rules! note {
    ($($arg:tt)*) => {
        $crate::output::write_note(format_args!($($arg)*))
    };
}
pub(crate) use note;

#[cfg(test)]
mod tests {
    use super::printable;

    #[test]
    fn escape_sequences_from_the_network_are_shown_not_run() {
        let id = "task-unified-\u{1b}]0;PWNED\u{7}\u{1b}[2J\r\0x\u{202e}y";
        assert_eq!(
            printable(id),
            "task-unified-\\u{1b}]0;PWNED\\u{7}\\u{1b}[2J\\u{d}\\u{0}x\\u{202e}y"
        );
        assert!(!printable(id).contains(|c: char| c.is_control()));
        // Our own line breaks and tabs stay; plain text is not copied.
        assert_eq!(printable("a\tb\nc"), "a\tb\nc");
        assert!(matches!(printable("ok"), std::borrow::Cow::Borrowed(_)));
    }
}
