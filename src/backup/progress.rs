//! A one-line progress display on stderr for long operations, shown only when stderr is a
//! terminal and the caller did not ask for quiet (the server's scheduled runs are quiet).

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

const REDRAW_EVERY: Duration = Duration::from_millis(200);

pub struct Progress {
    label: &'static str,
    total: u64,
    current: u64,
    enabled: bool,
    last_draw: Option<Instant>,
}

impl Progress {
    /// `total` of 0 means unknown; `quiet` turns the display off regardless of the terminal.
    pub fn new(label: &'static str, total: u64, quiet: bool) -> Self {
        Progress {
            label,
            total,
            current: 0,
            enabled: !quiet && std::io::stderr().is_terminal(),
            last_draw: None,
        }
    }

    pub fn set(&mut self, current: u64) {
        self.current = current;
        if !self.enabled {
            return;
        }
        let due = self.last_draw.is_none_or(|t| t.elapsed() >= REDRAW_EVERY);
        if due {
            self.draw();
            self.last_draw = Some(Instant::now());
        }
    }

    pub fn add(&mut self, delta: u64) {
        self.set(self.current + delta);
    }

    /// Draws the final state and ends the line.
    pub fn done(&mut self) {
        if self.enabled && self.last_draw.is_some() {
            if self.total > 0 {
                self.current = self.total;
            }
            self.draw();
            eprintln!();
            self.last_draw = None;
        }
    }

    fn draw(&self) {
        let mib = |b: u64| b as f64 / (1024.0 * 1024.0);
        let line = if self.total > 0 {
            let pct = (self.current as f64 / self.total as f64 * 100.0).min(100.0);
            format!(
                "\r{}: {pct:5.1}% ({:.1} / {:.1} MiB)",
                self.label,
                mib(self.current),
                mib(self.total)
            )
        } else {
            format!("\r{}: {:.1} MiB", self.label, mib(self.current))
        };
        let mut err = std::io::stderr().lock();
        let _ = err.write_all(line.as_bytes());
        let _ = err.flush();
    }
}

/// Prints a step name on a terminal ("taking snapshot..."), nothing otherwise.
pub fn step(message: &str, quiet: bool) {
    if !quiet && std::io::stderr().is_terminal() {
        eprintln!("{message}");
    }
}
