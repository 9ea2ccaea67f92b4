//! Writing to standard output. A reader that goes away (`toolsmith tools list | head`)
//! ends the command quietly with status 0, where `println!` would panic on the broken
//! pipe; any other write failure is reported on standard error with status 1.
//!
//! Commands print with [`outln!`] and [`out!`], which take `println!`'s arguments.

use std::fmt;
use std::io::{self, Write};

/// Prints a line to standard output (see the module docs).
macro_rules! outln {
    () => {
        $crate::out::write(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::out::write(format_args!("{}\n", format_args!($($arg)*)))
    };
}

/// Prints to standard output without a newline (see the module docs).
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::out::write(format_args!($($arg)*))
    };
}

pub(crate) use {out, outln};

/// Writes `text` to standard output, or ends the process as the module docs say.
pub(crate) fn write(text: fmt::Arguments<'_>) {
    let mut stdout = io::stdout().lock();
    if let Err(e) = stdout.write_fmt(text) {
        finish(&e);
    }
}

/// Flushes standard output, or ends the process as the module docs say.
pub(crate) fn flush() {
    if let Err(e) = io::stdout().lock().flush() {
        finish(&e);
    }
}

fn finish(error: &io::Error) -> ! {
    if error.kind() == io::ErrorKind::BrokenPipe {
        std::process::exit(0);
    }
    eprintln!("toolsmith: cannot write to standard output: {error}");
    std::process::exit(1);
}
