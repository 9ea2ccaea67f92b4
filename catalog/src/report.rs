//! Rendering diagnostics for people (miette, with the offending YAML lines) and for
//! machines (JSON).

use std::fmt::Write as _;

use miette::{GraphicalReportHandler, GraphicalTheme};

use crate::{Diagnostic, Severity};

/// How human-readable output looks.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    /// ANSI colours.
    pub color: bool,
    /// Wrap width.
    pub width: usize,
}

impl Default for Style {
    fn default() -> Self {
        Style { color: false, width: 100 }
    }
}

/// Renders diagnostics as miette reports, followed by a one-line count.
///
/// ```
/// use toolsmith_catalog::{render_human, Code, Diagnostic, Style};
/// let text = render_human(&[Diagnostic::new(Code::NoToolkit, "x: no such file or folder")], Style::default());
/// assert!(text.contains("E028 no-toolkit"));
/// assert!(text.ends_with("1 error, 0 warnings\n"));
/// ```
pub fn render_human(diagnostics: &[Diagnostic], style: Style) -> String {
    let theme = if style.color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(style.width).with_links(false);
    let mut out = String::new();
    for d in diagnostics {
        if d.file.is_some() && d.location.is_none() {
            // Without a span miette prints no file name; say it in the message.
            let mut d = d.clone();
            d.message = format!("{}: {}", d.position().unwrap_or_default(), d.message);
            d.file = None;
            let _ = handler.render_report(&mut out, &d);
        } else {
            let _ = handler.render_report(&mut out, d);
        }
        out.push('\n');
    }
    let (errors, warnings) = count(diagnostics);
    let _ = writeln!(out, "{} {}, {} {}", errors, plural(errors, "error"), warnings, plural(warnings, "warning"));
    out
}

/// Renders diagnostics as a JSON array (one object per diagnostic: code, name,
/// severity, file, line, column, message, help).
pub fn render_json(diagnostics: &[Diagnostic]) -> String {
    let list: Vec<serde_json::Value> = diagnostics.iter().map(Diagnostic::to_json).collect();
    serde_json::to_string_pretty(&list).unwrap_or_else(|_| "[]".to_owned())
}

/// Errors and warnings among `diagnostics`.
pub fn count(diagnostics: &[Diagnostic]) -> (usize, usize) {
    let errors = diagnostics.iter().filter(|d| d.severity() == Severity::Error).count();
    (errors, diagnostics.len() - errors)
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        word.to_owned()
    } else {
        format!("{word}s")
    }
}
