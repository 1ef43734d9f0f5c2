//! Writing to the terminal the way Unix tools do: when the reader of stdout goes away
//! (`nanobanana credits --json | head -1`) the command stops quietly instead of panicking, and a
//! closed stderr never stops a command that is waiting for a paid task.

use std::fmt;
use std::io::Write as _;

use nanobanana_api::Error;

/// Writes `text` to stdout. A closed stdout ends the process quietly with exit code 0: the
/// work is done and nobody is reading.
pub fn print(text: &str) -> Result<(), Error> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
        Err(source) => Err(Error::Io {
            action: "cannot write to standard output",
            path: "<stdout>".into(),
            source,
        }),
    }
}

/// `value` as pretty JSON and a newline on stdout (see [`print`]).
pub fn print_json(value: &impl serde::Serialize) -> Result<(), Error> {
    let text = serde_json::to_string_pretty(value).expect("values serialize to JSON");
    print(&format!("{text}\n"))
}

/// One line on stderr; a closed stderr is ignored.
pub fn write_note(line: fmt::Arguments<'_>) {
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

/// `note!("...", args)`: one line on stderr, never panicking.
macro_rules! note {
    ($($arg:tt)*) => {
        $crate::output::write_note(format_args!($($arg)*))
    };
}
pub(crate) use note;
