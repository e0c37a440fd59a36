//! Standard output for people and for pipes: `epoint codes | head -5` must end quietly when the
//! reader closes the pipe, not panic as `println!` does.

use std::io::{self, Write};
use std::process;

/// Prints one line on stdout, like `println!`; a closed pipe ends the program quietly.
macro_rules! out {
    () => {
        $crate::output::line(format_args!(""))
    };
    ($($arg:tt)*) => {
        $crate::output::line(format_args!($($arg)*))
    };
}

/// Prints one line on stdout for a server's banner; a closed stdout is ignored (the server keeps
/// serving: `epoint sandbox --port 0 | head -n 1` takes the base URL and leaves it running).
macro_rules! note {
    () => {
        $crate::output::note_line(format_args!(""))
    };
    ($($arg:tt)*) => {
        $crate::output::note_line(format_args!($($arg)*))
    };
}

/// Writes `args` and a newline to stdout; see [`out!`].
pub(crate) fn line(args: std::fmt::Arguments<'_>) {
    if let Err(e) = write_line(args) {
        stop(&e);
    }
}

/// Writes `args` and a newline to stdout, ignoring failures; see [`note!`].
pub(crate) fn note_line(args: std::fmt::Arguments<'_>) {
    let _ = write_line(args);
}

/// Writes raw bytes to stdout (shell completions); a closed pipe ends the program quietly.
pub(crate) fn bytes(bytes: &[u8]) {
    let mut out = io::stdout().lock();
    if let Err(e) = out.write_all(bytes).and_then(|()| out.flush()) {
        stop(&e);
    }
}

fn write_line(args: std::fmt::Arguments<'_>) -> io::Result<()> {
    let mut out = io::stdout().lock();
    out.write_fmt(args)?;
    out.write_all(b"\n")?;
    // stdout is line-buffered: the line is out (or the pipe is known closed) when this returns.
    out.flush()
}

/// The reader is gone: a closed pipe is how `head` says "enough", so exit 0 without a word;
/// any other write failure (disk full behind a redirect) is an error.
fn stop(e: &io::Error) -> ! {
    if e.kind() == io::ErrorKind::BrokenPipe {
        process::exit(0);
    }
    eprintln!("epoint: cannot write to standard output: {e}");
    process::exit(1);
}
