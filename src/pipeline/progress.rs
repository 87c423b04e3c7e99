//! A progress bar on standard error for long runs: bytes read of all
//! inputs, lines per second and time left. Nothing is drawn when standard
//! error is not a terminal, so scripts and logs never see it.

use std::cell::Cell;
use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// The run's progress, drawn only on a terminal.
pub struct Progress {
    bar: Option<ProgressBar>,
    bytes_before: Cell<u64>,
    lines_before: Cell<u64>,
    lines_now: Cell<u64>,
    started: Instant,
}

impl Progress {
    /// A bar over `total` bytes (the inputs' sizes on disk), drawn when
    /// `wanted` and standard error is a terminal.
    pub fn new(wanted: bool, total: u64) -> Progress {
        let bar = (wanted && std::io::stderr().is_terminal()).then(|| {
            let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
            if let Ok(style) =
                ProgressStyle::with_template("{bar:32} {bytes}/{total_bytes} {msg} ({eta} left)")
            {
                bar.set_style(style.progress_chars("=> "));
            }
            bar
        });
        Progress {
            bar,
            bytes_before: Cell::new(0),
            lines_before: Cell::new(0),
            lines_now: Cell::new(0),
            started: Instant::now(),
        }
    }

    /// A counter of the bytes read from one input's file.
    pub fn input_counter(&self) -> Arc<AtomicU64> {
        Arc::new(AtomicU64::new(0))
    }

    /// Shows how far the current input is: `bytes` read from its file,
    /// `lines` read from it.
    pub fn update(&self, bytes: &AtomicU64, lines: u64) {
        let Some(bar) = &self.bar else { return };
        self.lines_now.set(lines);
        bar.set_position(self.bytes_before.get() + bytes.load(Ordering::Relaxed));
        let total_lines = self.lines_before.get() + lines;
        let secs = self.started.elapsed().as_secs_f64().max(1e-3);
        bar.set_message(format!(
            "{total_lines} lines, {:.0} lines/s",
            total_lines as f64 / secs
        ));
    }

    /// The current input is done.
    pub fn finish_input(&self, bytes: &AtomicU64) {
        self.bytes_before
            .set(self.bytes_before.get() + bytes.load(Ordering::Relaxed));
        self.lines_before
            .set(self.lines_before.get() + self.lines_now.replace(0));
    }

    /// Reading is over and `what` is under way: a spinner with the time
    /// spent, since the later stages cannot tell how far they are.
    pub fn phase(&self, what: &str) {
        let Some(bar) = &self.bar else { return };
        if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} ({elapsed})") {
            bar.set_style(style);
        }
        bar.set_message(what.to_string());
        bar.enable_steady_tick(std::time::Duration::from_millis(150));
    }

    /// The run is over: the bar goes away.
    pub fn done(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
