//! Values that are well-formed bytes but tricky in meaning: clocks that run
//! backwards or roll over the year, February 29 without a year, IPv6 zone
//! ids, host names with spaces, and text meant to act on the reader's tools
//! (terminal escapes, direction overrides, Markdown and HTML, spreadsheet
//! formulas).

use std::collections::BTreeSet;

use serde_json::Value;

use super::{analyze, count, input, nf, ports, scan};
use crate::util::{detects, run, strings};

#[test]
fn clocks_that_run_backwards_or_roll_over_give_true_spans() {
    let backwards: String = (0..10)
        .map(|i| {
            nf(
                &format!("Mar  1 10:00:{:02}", 59 - i * 5),
                "DROP",
                "203.0.113.9",
                1000 + i,
            )
        })
        .collect();
    let rollover = nf("Dec 31 23:59:59", "DROP", "203.0.113.10", 27374)
        + &nf("Jan  1 00:00:01", "DROP", "203.0.113.10", 27374);
    let files = [
        ("backwards.log", backwards.as_bytes()),
        ("rollover.log", rollover.as_bytes()),
    ];
    let out = analyze(&files, "json", &["--year", "2023"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let report = out.json();
    let span = |source: &str| {
        let found = crate::util::from(&report, source);
        assert_eq!(found.len(), 1, "{source}: {report:#}");
        let at = |f: &str| {
            found[0][f]
                .as_str()
                .unwrap()
                .parse::<jiff::Timestamp>()
                .unwrap()
        };
        (at("first_seen"), at("last_seen"))
    };
    let (first, last) = span("203.0.113.9");
    assert_eq!(first.to_string(), "2023-03-01T10:00:14Z");
    assert_eq!(last.to_string(), "2023-03-01T10:00:59Z");
    let (first, last) = span("203.0.113.10");
    assert_eq!(first.to_string(), "2023-12-31T23:59:59Z");
    assert_eq!(
        last.to_string(),
        "2024-01-01T00:00:01Z",
        "January is in the next year"
    );
    assert_eq!(last.duration_since(first).as_secs(), 2);
    // Without --year, the file's modification time settles the year the same way.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rollover.log");
    std::fs::write(&path, &rollover).unwrap();
    let when = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_704_110_400); // 2024-01-01T12:00Z
    std::fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(when)
        .unwrap();
    let out = run(
        &[
            "analyze".into(),
            "--no-history".into(),
            "--tz".into(),
            "UTC".into(),
            "--format".into(),
            "json".into(),
            path.to_string_lossy().into_owned(),
        ],
        None,
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let d = &detects(&report)[0];
    assert_eq!(
        (d["first_seen"].as_str(), d["last_seen"].as_str()),
        (
            Some("2023-12-31T23:59:59+00:00"),
            Some("2024-01-01T00:00:01+00:00")
        )
    );
}

#[test]
fn february_29_is_kept_in_a_leap_year_and_never_becomes_march_1() {
    let feb29 = scan("Feb 29", "DROP", "203.0.113.9");
    let leap = analyze(
        &[("feb29.log", feb29.as_bytes())],
        "json",
        &["--year", "2024"],
    );
    assert_eq!(leap.code, 0, "{}", leap.stderr);
    let report = leap.json();
    assert_eq!(count(&report["inputs"][0], "warnings"), 0);
    assert_eq!(
        detects(&report)[0]["first_seen"],
        "2024-02-29T10:00:00+00:00"
    );
    // 2023 has no February 29: each packet is kept without a time, with a
    // warning naming its line, as for any unreadable time.
    let plain = analyze(
        &[("feb29.log", feb29.as_bytes())],
        "json",
        &["--year", "2023"],
    );
    assert_eq!(plain.code, 0, "{}", plain.stderr);
    assert!(
        plain.stderr.contains("feb29.log:1: warning"),
        "{}",
        plain.stderr
    );
    let report = plain.json();
    let i = &report["inputs"][0];
    assert_eq!((count(i, "records"), count(i, "warnings")), (10, 10), "{i}");
    assert_eq!(count(&detects(&report)[0], "packets"), 10);
    assert!(
        !plain.stdout.contains("2023-03-01"),
        "no day was invented: {}",
        plain.stdout
    );
    assert!(!plain.stdout.contains("2023-02-28"), "no day was invented");
}

#[test]
fn a_detect_without_times_keeps_the_json_contract() {
    let feb29 = scan("Feb 29", "DROP", "203.0.113.9");
    let out = analyze(
        &[("feb29.log", feb29.as_bytes())],
        "json",
        &["--year", "2023"],
    );
    let report = out.json();
    for field in ["first_seen", "last_seen"] {
        let value = &detects(&report)[0][field];
        let ok = value.is_null()
            || value
                .as_str()
                .is_some_and(|s| s.parse::<jiff::Timestamp>().is_ok());
        assert!(ok, "{field}: {value}");
    }
}

#[test]
fn ipv6_zone_ids_and_names_with_spaces_are_read_whole_or_counted() {
    let zone =
        scan("Mar  1", "DROP", "fe80::1%eth0").replace("DST=198.51.100.7", "DST=fe80::2%eth0");
    let files: [(&str, &[u8]); 6] = [
        ("zone.log", zone.as_bytes()),
        ("zone.alert", b"05/30-19:09:28.472094  [**] [1:1:1] Test [**] [Priority: 2] {TCP} fe80::1%eth0:1029 -> fe80::2%eth0:80\n"),
        ("zone.json", b"{\"timestamp\":\"2000-05-30T19:09:29.000000+0000\",\"event_type\":\"alert\",\"src_ip\":\"fe80::1%eth0\",\"src_port\":1029,\"dest_ip\":\"fe80::2%eth0\",\"dest_port\":80,\"proto\":\"TCP\",\"alert\":{\"signature\":\"x\",\"signature_id\":1,\"severity\":2}}\n"),
        ("space.ipchains", b"Apr 21 17:04:13 u kernel: Packet log: input - eth0 PROTO=17 user dsl.ma:60000 me.at.home:2140 L=30 S=0x00 I=2320 F=0x0000 T=50\n"),
        ("space.sunscreen", b"197118 qfe0 (deny rule or no pass rule)2000/4/23 23:40:41.799467 some where.uk -> www.xxx.yyy.65 TCP D=81 S=35039 Syn Seq=1630776701 Len=0 Win=8760\n"),
        ("space.alert", b"05/30-19:09:28.472094  [**] [1:1:1] Test [**] [Priority: 2] {TCP} my host:1029 -> 4.2.2.3:80\n"),
    ];
    let out = analyze(&files, "json", &["--year", "2000"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let report = out.json();
    // The kernel never prints a zone: such a line is no netfilter line.
    let nf = input(&report, "zone.log");
    assert_eq!(
        (count(nf, "records"), count(nf, "unrecognized")),
        (0, 10),
        "{nf}"
    );
    assert!(
        out.stderr.contains("zone.log:1: unreadable"),
        "{}",
        out.stderr
    );
    let zoned = crate::util::from(&report, "fe80::1%eth0");
    assert_eq!(zoned.len(), 1, "{report:#}");
    assert_eq!(
        strings(&zoned[0]["sensors"]).len(),
        2,
        "Snort's and Suricata's records"
    );
    assert_eq!(
        ports(zoned[0]),
        vec![80],
        "the port is not glued to the address"
    );
    assert_eq!(strings(&zoned[0]["targets"]), vec!["fe80::2%eth0"]);
    // A name with a space: counted where the format cannot tell, kept whole where it can.
    let ipchains = input(&report, "space.ipchains");
    assert_eq!(count(ipchains, "unrecognized"), 1, "{ipchains}");
    for (source, port) in [("some where.uk", 81), ("my host", 80)] {
        let found = crate::util::from(&report, source);
        assert_eq!(found.len(), 1, "{source}: {report:#}");
        assert_eq!(ports(found[0]), vec![port]);
    }
    for cut in ["where.uk", "host", "dsl.ma"] {
        assert!(
            crate::util::from(&report, cut).is_empty(),
            "no source {cut:?} made up"
        );
    }
}

/// Text meant to act on a terminal, a Markdown viewer or a spreadsheet,
/// between the markers `ZQX` and `XQZ`.
const HOSTILE: &str = "ZQX \x1b[31mRED\x1b[0m \x1b]8;;http://e.example/\x07link\x1b]8;;\x07 \u{202e}gnp.exe\u{202c} \u{2066}iso\u{2069} \u{200f} \u{61c} \u{9b}31m \x07\x08\x7f <b>b</b> <img src=x onerror=alert(1)> &#x202e; **s** _e_ ~~d~~ [l](http://e.example) ![i](http://e.example/i.png) `c` | t | =HYPERLINK(\"http://e.example\",\"x\") +1 -1 @SUM(A1) XQZ";

/// Characters that must never reach a terminal raw: C0 and C1 controls but
/// the newline, DEL, and the Unicode direction marks and overrides.
fn is_unsafe(c: char) -> bool {
    (c < ' ' && c != '\n')
        || ('\u{7f}'..='\u{9f}').contains(&c)
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{61c}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Asserts that no log text between the markers is live Markdown: outside
/// fenced code blocks, every character that opens markup (HTML, entities,
/// links, images, emphasis, code, tables) is backslash-escaped.
fn assert_inert_markdown(markdown: &str) {
    let mut fence: Option<(char, usize)> = None;
    for line in markdown.lines() {
        let trimmed = line.trim_start();
        let mark = trimmed.chars().next().filter(|c| *c == '`' || *c == '~');
        if let Some(c) = mark {
            let run = trimmed.chars().take_while(|x| *x == c).count();
            if run >= 3 {
                match fence {
                    Some((open, len))
                        if open == c && run >= len && trimmed[run..].trim().is_empty() =>
                    {
                        fence = None
                    }
                    None => fence = Some((c, run)),
                    _ => {}
                }
                continue;
            }
        }
        if fence.is_some() {
            continue;
        }
        for part in line.split("ZQX").skip(1) {
            let span = part.split("XQZ").next().unwrap();
            let mut chars = span.chars();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => {
                        chars.next();
                    }
                    '<' | '>' | '&' | '[' | ']' | '*' | '_' | '`' | '~' | '|' | '!' => {
                        panic!("unescaped {c:?} in Markdown: {line}")
                    }
                    _ => {}
                }
            }
        }
    }
    assert!(fence.is_none(), "every fence is closed");
}

#[test]
fn hostile_text_in_prefixes_messages_and_names_stays_inert() {
    let netfilter = scan("Mar  1", HOSTILE, "203.0.113.9");
    let fast: String = (0..3)
        .map(|i| format!("03/01-10:00:0{i}.000000  [**] [1:2000:1] {HOSTILE} [**] [Classification: {HOSTILE}] [Priority: 2] {{TCP}} 203.0.113.10:4000 -> 198.51.100.7:80\n"))
        .collect();
    let full = format!(
        "[**] [1:2001:1] {HOSTILE} [**]\n[Classification: Misc] [Priority: 2]\n03/01-10:00:00.000000 203.0.113.11:4000 -> 198.51.100.7:8080\nTCP TTL:54 TOS:0x0 ID:1 DF\n```\n{HOSTILE}\n**S***** Seq: 0x1 Ack: 0x0 Win: 0x860\n\n"
    );
    let sunscreen = format!(
        "1 qfe0 ({HOSTILE})2000/3/1 10:00:00.000000 203.0.113.12 -> 198.51.100.7 TCP D=81 S=1 Syn Seq=1 Len=0 Win=8760\n"
    );
    let name = "ZQX\n```\n<img src=x onerror=alert(2)>\n[y](http:e)\u{202e}\x1b[2J XQZ.log";
    let files: [(&str, &[u8]); 5] = [
        (name, netfilter.as_bytes()),
        ("fast.alert", fast.as_bytes()),
        ("full.alert", full.as_bytes()),
        ("sunscreen.log", sunscreen.as_bytes()),
        ("garbage.log", HOSTILE.as_bytes()),
    ];
    for format in ["text", "markdown"] {
        let out = analyze(&files, format, &["--year", "2000"]);
        assert_eq!(out.code, 0, "{}", out.stderr);
        assert!(
            out.stdout.contains("ZQX"),
            "{format}: the hostile text is shown"
        );
        for (stream, text) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
            let bad: BTreeSet<char> = text.chars().filter(|c| is_unsafe(*c)).collect();
            assert!(bad.is_empty(), "{format} {stream}: raw {bad:?}:\n{text}");
        }
        if format == "markdown" {
            assert_inert_markdown(&out.stdout);
        }
    }
}
