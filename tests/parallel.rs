//! Reading on every core changes nothing: a log large enough to be read in
//! parallel blocks gives the same report with one thread and with several,
//! including the unreadable lines it quotes, and `--parse-only` counts the
//! same records without analysing.

use serde_json::Value;

use crate::util::run;

/// Writes a generated log of `lines` lines with a few damaged lines spread
/// through it, and returns its path (kept alive by `dir`).
fn generated_log(dir: &tempfile::TempDir, lines: u64) -> String {
    let mut text = Vec::new();
    let options = picket_loggen::Options {
        lines,
        sources: 5_000,
        seed: 5,
        scenarios: true,
    };
    picket_loggen::generate(&options, &mut text).unwrap();
    // Damage every 7,919th line: cut in the middle of a field.
    let mut damaged = Vec::with_capacity(text.len());
    for (i, line) in text.split(|b| *b == b'\n').enumerate() {
        if i > 0 {
            damaged.push(b'\n');
        }
        if i % 7_919 == 7_918 {
            damaged.extend_from_slice(&line[..line.len() / 3]);
        } else {
            damaged.extend_from_slice(line);
        }
    }
    let path = dir.path().join("big.log");
    std::fs::write(&path, damaged).unwrap();
    path.to_string_lossy().into_owned()
}

fn analyze(path: &str, threads: &str, extra: &[&str]) -> (Value, String) {
    let mut args: Vec<String> = [
        "analyze",
        "--format",
        "json",
        "--year",
        "2024",
        "--tz",
        "UTC",
        "--no-history",
        "--threads",
        threads,
    ]
    .iter()
    .chain(extra)
    .map(|s| s.to_string())
    .collect();
    args.push(path.to_string());
    let out = run(&args, None);
    assert_eq!(out.status.code(), Some(0));
    (
        serde_json::from_slice(&out.stdout).unwrap(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn one_thread_and_several_give_the_same_report() {
    let dir = tempfile::tempdir().unwrap();
    // About 11 MB: past the first block read in order, then parallel blocks.
    let path = generated_log(&dir, 45_000);
    let (one, one_err) = analyze(&path, "1", &[]);
    let (three, three_err) = analyze(&path, "3", &[]);
    assert_eq!(one, three);
    assert_eq!(one_err, three_err);
    let input = &one["inputs"][0];
    assert_eq!(input["lines"], 45_000);
    assert!(input["warnings"].as_u64().unwrap() + input["unrecognized"].as_u64().unwrap() >= 5);
    assert!(one["summary"]["detects"].as_u64().unwrap() > 10);
    // The first damaged line is quoted with its place.
    assert!(one_err.contains("big.log:7919"), "{one_err}");
    // Standard error is not a terminal here: no progress bar.
    assert!(
        !one_err.contains("analysing") && !one_err.contains('\r'),
        "{one_err}"
    );

    // On a terminal (`script` gives the run one), the stages show.
    let command = format!(
        "{} analyze --no-history --year 2024 --threads 2 {path} > /dev/null",
        env!("CARGO_BIN_EXE_picket")
    );
    let shown = std::process::Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .env("TERM", "xterm")
        .output()
        .expect("script (util-linux) runs");
    let drawn = String::from_utf8_lossy(&shown.stdout);
    assert!(drawn.contains("analysing"), "{drawn}");
}

#[test]
fn parse_only_counts_records_and_analyses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = generated_log(&dir, 12_000);
    let (full, _) = analyze(&path, "2", &[]);
    let (parsed, _) = analyze(&path, "2", &["--parse-only"]);
    assert_eq!(parsed["inputs"], full["inputs"]);
    assert_eq!(parsed["summary"]["detects"], 0);
    assert!(parsed["detects"].as_array().unwrap().is_empty());
    assert_eq!(parsed["summary"]["records"], full["summary"]["records"]);
    assert_eq!(
        parsed["summary"]["home_network_basis"],
        "not analysed (--parse-only)"
    );
    // The text report does not claim the log is harmless.
    let out = run(
        &[
            "analyze".into(),
            "--parse-only".into(),
            "--year".into(),
            "2024".into(),
            "--no-history".into(),
            path.clone(),
        ],
        None,
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("read but not analysed (--parse-only)"),
        "{text}"
    );
    assert!(!text.contains("needs attention"), "{text}");
}
