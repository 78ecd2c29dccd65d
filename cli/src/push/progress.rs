//! Progress on standard error: a bar with rows/s and ETA on a terminal, a plain line every few seconds
//! otherwise (logs, CI), or nothing.

use std::io::{self, IsTerminal, Write};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::summary::Tally;

/// How progress is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Mode {
    /// A bar when standard error is a terminal, else log lines.
    Auto,
    /// Always the bar.
    Bar,
    /// A plain line every few seconds.
    Log,
    /// Nothing but warnings.
    Off,
}

/// Shows progress through the input.
pub struct Progress {
    kind: Kind,
    started: Instant,
    total_bytes: u64,
}

enum Kind {
    Bar(ProgressBar),
    Log { every: Duration, last: Instant },
    Off,
}

impl Progress {
    /// Progress through an input of `total_bytes` bytes (0: unknown, as standard input's); log lines come every
    /// `every`.
    pub fn new(mode: Mode, total_bytes: u64, every: Duration) -> Self {
        let bar = match mode {
            // Log lines (`-v`, `RUST_LOG`) and a bar would overwrite each other: lines then.
            Mode::Auto => io::stderr().is_terminal() && !crate::logging::is_logging(),
            Mode::Bar => true,
            Mode::Log | Mode::Off => false,
        };
        let now = Instant::now();
        let kind = if bar {
            let style = ProgressStyle::with_template(
                "{spinner} {elapsed_precise} [{wide_bar}] {percent:>3}% {msg} ETA {eta}",
            )
            .expect("the template is valid")
            .progress_chars("=> ");
            let total = Some(total_bytes).filter(|total| *total > 0);
            let bar = ProgressBar::with_draw_target(total, ProgressDrawTarget::stderr())
                .with_style(style);
            bar.enable_steady_tick(Duration::from_millis(200));
            Kind::Bar(bar)
        } else if mode == Mode::Off {
            Kind::Off
        } else {
            Kind::Log { every, last: now }
        };
        Progress {
            kind,
            started: now,
            total_bytes,
        }
    }

    /// Updates the display with the rows accounted for and the input bytes they came from.
    pub fn update(&mut self, tally: &Tally, bytes_done: u64) {
        match &mut self.kind {
            Kind::Bar(bar) => {
                bar.set_position(if self.total_bytes > 0 {
                    bytes_done.min(self.total_bytes)
                } else {
                    bytes_done
                });
                bar.set_message(self::message(tally, self.started.elapsed()));
            }
            Kind::Log { every, last } => {
                if last.elapsed() >= *every {
                    *last = Instant::now();
                    let done = match self.total_bytes {
                        0 => String::new(),
                        total => format!("{}% of the input, ", percent(bytes_done, total)),
                    };
                    let line = format!(
                        "salesync push: {done}{}",
                        message(tally, self.started.elapsed())
                    );
                    let _ = writeln!(io::stderr(), "{line}");
                }
            }
            Kind::Off => {}
        }
    }

    /// Prints a line (a warning, a failed batch) without breaking the bar.
    pub fn println(&self, line: &str) {
        match &self.kind {
            Kind::Bar(bar) => bar.println(line),
            Kind::Log { .. } | Kind::Off => {
                let _ = writeln!(io::stderr(), "{line}");
            }
        }
    }

    /// Removes the bar, before the summary is printed.
    pub fn finish(&self) {
        if let Kind::Bar(bar) = &self.kind {
            bar.finish_and_clear();
        }
    }
}

fn percent(done: u64, total: u64) -> u64 {
    (done.min(total) * 100).checked_div(total).unwrap_or(100)
}

/// `12000 rows, 1500 rows/s: 11500 sent, 20 rejected, 0 failed, 480 skipped`.
pub fn message(tally: &Tally, elapsed: Duration) -> String {
    let done = tally.accounted();
    let rate = done as f64 / elapsed.as_secs_f64().max(0.001);
    format!(
        "{done} rows, {rate:.0} rows/s: {} sent, {} rejected, {} failed, {} skipped",
        tally.sent,
        tally.rejected(),
        tally.failed,
        tally.skipped
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_message_shows_rows_per_second() {
        let tally = Tally {
            read: 3000,
            sent: 2000,
            invalid: 10,
            skipped: 990,
            ..Tally::default()
        };
        assert_eq!(
            message(&tally, Duration::from_secs(2)),
            "3000 rows, 1500 rows/s: 2000 sent, 10 rejected, 0 failed, 990 skipped"
        );
        assert_eq!(percent(50, 200), 25);
        assert_eq!(percent(0, 0), 100);
    }
}
