//! The command line as a user meets it: help, errors, exit codes, standard
//! input, and the text report.

use crate::util::{all_paper, fixture, paper, run};

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

#[test]
fn help_explains_every_option_with_an_example() {
    let out = run(&args(&["analyze", "--help"]), None);
    assert_eq!(out.status.code(), Some(0));
    let help = String::from_utf8_lossy(&out.stdout);
    for option in [
        "--format",
        "--input-format",
        "--site",
        "--ports",
        "--year",
        "--tz",
        "--min-severity",
        "--evidence",
        "--threads",
    ] {
        assert!(help.contains(option), "{option} is explained");
    }
    assert!(
        help.matches("Example").count() >= 7,
        "options carry examples:\n{help}"
    );
    let out = run(&args(&["--help"]), None);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("picket analyze"));
}

#[test]
fn usage_errors_exit_2() {
    for bad in [
        vec!["analyze", "--input-format", "bogus", "x"],
        vec!["analyze", "--tz", "Not/AZone", "x"],
        vec!["analyze", "--min-severity", "extreme", "x"],
        vec!["analyze"],
        vec!["frobnicate"],
    ] {
        let out = run(&args(&bad), None);
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
        assert!(!out.stderr.is_empty(), "{bad:?} says why");
    }
}

#[test]
fn a_missing_file_fails_the_run_but_not_the_others() {
    let mut list = args(&[
        "analyze", "--format", "json", "--year", "2000", "--tz", "UTC",
    ]);
    list.push("tests/fixtures/no-such-file.log".into());
    list.extend(paper("04-deep-throat"));
    let out = run(&list, None);
    assert_eq!(out.status.code(), Some(2));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        report["detects"].as_array().unwrap().len(),
        1,
        "the others were analysed"
    );
    assert!(
        report["inputs"][0]["error"].is_string(),
        "the report says which failed"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such-file.log"));
}

#[test]
fn standard_input_is_read_and_evidence_quoted() {
    let bytes = std::fs::read(crate::util::root().join(&paper("06-wingate")[0])).unwrap();
    let out = run(
        &args(&["analyze", "--year", "2000", "--tz", "UTC", "-"]),
        Some(&bytes),
    );
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("dial.uu.net"), "{text}");
    assert!(
        text.contains("-:1"),
        "evidence names standard input: {text}"
    );
    assert!(
        text.contains("Packet log: input - eth0 PROTO=6 dial.uu.net:4615"),
        "{text}"
    );
}

#[test]
fn unreadable_lines_are_counted_and_quoted_with_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mixed.log");
    let mut text = String::from_utf8(
        std::fs::read(crate::util::root().join(&paper("04-deep-throat")[0])).unwrap(),
    )
    .unwrap();
    text.push_str("this is not a packet log\n\x00\x01\x02 binary junk\n");
    std::fs::write(&path, text).unwrap();
    let list = args(&[
        "analyze",
        "--format",
        "json",
        "--year",
        "2000",
        "--tz",
        "UTC",
        path.to_str().unwrap(),
    ]);
    let out = run(&list, None);
    assert_eq!(
        out.status.code(),
        Some(0),
        "unreadable lines do not fail a run"
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["inputs"][0]["unrecognized"], 2);
    assert_eq!(report["inputs"][0]["records"], 1);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("mixed.log:2:"), "{stderr}");
    assert!(stderr.contains("mixed.log:3:"), "{stderr}");
}

#[test]
fn text_report_of_the_paper() {
    let mut list = args(&[
        "analyze",
        "--year",
        "2000",
        "--tz",
        "UTC",
        "--site",
        &fixture("paper-site.toml"),
    ]);
    list.extend(all_paper());
    let out = run(&list, None);
    assert_eq!(out.status.code(), Some(0));
    insta::assert_snapshot!(String::from_utf8_lossy(&out.stdout));
}

#[test]
fn markdown_report_of_the_paper() {
    let mut list = args(&[
        "analyze", "--format", "markdown", "--year", "2000", "--tz", "UTC",
    ]);
    list.extend(all_paper());
    let out = run(&list, None);
    assert_eq!(out.status.code(), Some(0));
    insta::assert_snapshot!(String::from_utf8_lossy(&out.stdout));
}
