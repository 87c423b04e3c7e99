//! `--stats`: where a run's time went and how much memory it took, on
//! standard error, for analysts sizing a job and for benchmarks.

use std::time::Duration;

use picket_model::Report;
use picket_report::thousands;

/// The process's peak resident memory in bytes, where the system tells it
/// (Linux: `VmHWM` in `/proc/self/status`).
pub fn peak_memory() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// The lines of the `--stats` summary.
pub fn describe(
    report: &Report,
    stages: &[(&'static str, Duration)],
    peak: Option<u64>,
) -> Vec<String> {
    let lines: u64 = report.inputs.iter().map(|i| i.lines).sum();
    let total: Duration = stages.iter().map(|(_, d)| *d).sum();
    let mut out = Vec::new();
    let read = stages
        .iter()
        .find(|(name, _)| *name == "read and parse")
        .map(|(_, d)| *d);
    if let Some(read) = read {
        out.push(format!(
            "read {} lines in {:.2} s ({} lines/s)",
            thousands(lines),
            read.as_secs_f64(),
            thousands(per_second(lines, read))
        ));
    }
    let parts: Vec<String> = stages
        .iter()
        .map(|(name, d)| format!("{name} {:.2} s", d.as_secs_f64()))
        .collect();
    out.push(format!(
        "{} in all: {} ({} lines/s)",
        format_args!("{:.2} s", total.as_secs_f64()),
        parts.join(", "),
        thousands(per_second(lines, total))
    ));
    if let Some(peak) = peak {
        out.push(format!("peak memory {} MiB", thousands(peak >> 20)));
    }
    out
}

fn per_second(count: u64, time: Duration) -> u64 {
    let secs = time.as_secs_f64();
    if secs <= 0.0 {
        return 0;
    }
    (count as f64 / secs) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_and_rates_are_described() {
        let mut report = Report {
            schema: 1,
            generator: "picket".into(),
            inputs: vec![],
            detects: vec![],
            summary: Default::default(),
        };
        report.inputs.push(picket_model::InputSummary {
            lines: 2_000_000,
            ..Default::default()
        });
        let stages = [
            ("read and parse", Duration::from_secs(1)),
            ("analysis", Duration::from_secs(3)),
        ];
        let lines = describe(&report, &stages, Some(64 << 20));
        assert_eq!(
            lines[0],
            "read 2,000,000 lines in 1.00 s (2,000,000 lines/s)"
        );
        assert_eq!(
            lines[1],
            "4.00 s in all: read and parse 1.00 s, analysis 3.00 s (500,000 lines/s)"
        );
        assert_eq!(lines[2], "peak memory 64 MiB");
    }

    #[test]
    fn peak_memory_is_read_on_linux() {
        if cfg!(target_os = "linux") {
            assert!(peak_memory().is_some_and(|b| b > 1 << 20));
        }
    }
}
