//! An adversarial corpus, generated here: binary data, NUL bytes, a 10 MB
//! line, CRLF, mixed encodings, lines cut inside a field, absurd numbers,
//! clocks that run backwards or roll over the year, IPv6 zone ids, names with
//! spaces, and text meant to fool a terminal, a Markdown viewer or a
//! spreadsheet. Whatever a log holds, picket finishes with a report, counts
//! what it could not read, never reports a value the log did not hold, and
//! never passes hostile text through raw.

use serde_json::Value;

use crate::util::{detects, fixture, root, run, strings};

mod meaning;

/// What one run said.
struct Outcome {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Outcome {
    /// The JSON report.
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("the report is JSON ({e}); stderr: {}", self.stderr))
    }
}

/// Writes `files` (name, bytes) into a fresh folder and runs `picket analyze
/// --no-history --tz UTC --format FORMAT EXTRA... FILES...` there. The report
/// names the files as given (`name` alone), since picket runs from `dir`.
fn analyze(files: &[(&str, &[u8])], format: &str, extra: &[&str]) -> Outcome {
    let dir = tempfile::tempdir().unwrap();
    analyze_in(dir.path(), files, format, extra)
}

fn analyze_in(
    dir: &std::path::Path,
    files: &[(&str, &[u8])],
    format: &str,
    extra: &[&str],
) -> Outcome {
    let mut args: Vec<String> = ["analyze", "--no-history", "--tz", "UTC", "--format", format]
        .iter()
        .chain(extra)
        .map(|s| s.to_string())
        .collect();
    for (name, bytes) in files {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        args.push(path.to_string_lossy().into_owned());
    }
    let out = run(&args, None);
    let prefix = format!("{}/", dir.display());
    let clean = |bytes: &[u8]| String::from_utf8_lossy(bytes).replace(&prefix, "");
    Outcome {
        code: out.status.code().unwrap_or(-1),
        stdout: clean(&out.stdout),
        stderr: clean(&out.stderr),
    }
}

/// A ufw SYN line as the kernel logs it, from `src` to port `dpt`, at `time`
/// (`Mar  1 10:00:00`), with the rule's log `prefix`.
fn nf(time: &str, prefix: &str, src: &str, dpt: u32) -> String {
    format!(
        "{time} fw kernel: {prefix} IN=eth0 OUT= SRC={src} DST=198.51.100.7 LEN=44 TOS=0x00 PREC=0x00 TTL=50 ID=7 PROTO=TCP SPT=40000 DPT={dpt} WINDOW=1024 RES=0x00 SYN URGP=0\n"
    )
}

/// Ten SYNs, one a second from 10:00:00 on `day` (`Mar  1`), to ports 1000-1009.
fn scan(day: &str, prefix: &str, src: &str) -> String {
    (0..10)
        .map(|i| nf(&format!("{day} 10:00:{i:02}"), prefix, src, 1000 + i))
        .collect()
}

/// The input entry of `path` in a report.
fn input<'a>(report: &'a Value, path: &str) -> &'a Value {
    report["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["path"] == path)
        .unwrap_or_else(|| panic!("no input {path}: {report:#}"))
}

fn count(v: &Value, field: &str) -> u64 {
    v[field]
        .as_u64()
        .unwrap_or_else(|| panic!("{field} in {v}"))
}

fn ports(d: &Value) -> Vec<u64> {
    d["target_ports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_u64().unwrap())
        .collect()
}

/// Deterministic pseudo-random bytes (xorshift64).
pub(crate) fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut rng = crate::util::XorShift(seed);
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        out.extend_from_slice(&rng.next().to_le_bytes());
    }
    out.truncate(len);
    out
}

#[test]
fn binary_data_and_nul_bytes_are_counted_and_the_rest_analysed() {
    let mut lines: Vec<String> = scan("Mar  1", "DROP", "203.0.113.9")
        .lines()
        .map(String::from)
        .collect();
    lines[3] = lines[3].replace("SRC=", "S\0RC=");
    lines[5] = lines[5].replace("PROTO=TCP", "PROTO=T\0CP");
    lines[7] = lines[7].replace(" OUT=", " \0\0\0OUT=");
    let nul = lines.join("\n") + "\n";
    let out = analyze(
        &[
            ("nul.log", nul.as_bytes()),
            ("noise.bin", &noise(1 << 20, 0x9e37_79b9_7f4a_7c15)),
        ],
        "json",
        &["--year", "2024"],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let report = out.json();
    let nul = input(&report, "nul.log");
    assert_eq!(
        (count(nul, "lines"), count(nul, "records")),
        (10, 8),
        "{nul}"
    );
    assert_eq!(count(nul, "unrecognized"), 2);
    assert!(
        out.stderr.contains("nul.log:4: unreadable"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("nul.log:6: unreadable"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains('\0'), "NUL bytes are not echoed");
    let noise = input(&report, "noise.bin");
    assert!(count(noise, "unrecognized") > 1000, "{noise}");
    assert_eq!(count(noise, "records"), 0, "{noise}");
    let found = crate::util::from(&report, "203.0.113.9");
    assert_eq!(found.len(), 1, "{report:#}");
    assert_eq!(count(found[0], "packets"), 8);
    assert_eq!(
        ports(found[0]),
        vec![1000, 1001, 1002, 1004, 1006, 1007, 1008, 1009]
    );
}

#[test]
fn a_10_mb_line_is_counted_with_its_place_and_its_neighbours_analysed() {
    let mut text = String::new();
    for i in 0..11u32 {
        if i == 5 {
            text.push_str(&nf("Mar  1 10:00:30", "DROP", "203.0.113.9", 2000).replace('\n', " "));
            text.push_str(&"A".repeat(10 << 20));
            text.push('\n');
        } else {
            let at = format!("Mar  1 10:00:{i:02}");
            text.push_str(&nf(&at, "DROP", "203.0.113.9", 1000 + i));
        }
    }
    let out = analyze(
        &[("long.log", text.as_bytes())],
        "json",
        &["--year", "2024"],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains("long.log:6: unreadable") && out.stderr.contains("too long"),
        "the long line is named by file and line: {}",
        out.stderr
    );
    assert!(out.stderr.len() < 4096, "the long line is not echoed");
    let report = out.json();
    let long = input(&report, "long.log");
    assert_eq!(
        (
            count(long, "lines"),
            count(long, "records"),
            count(long, "unrecognized")
        ),
        (11, 10, 1)
    );
    let d = &detects(&report)[0];
    assert_eq!(count(d, "packets"), 10);
    assert!(
        !ports(d).contains(&2000),
        "nothing of the long line is used"
    );
    let lines: Vec<u64> = d["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["line"].as_u64().unwrap())
        .collect();
    assert_eq!(
        lines,
        vec![1, 2, 3, 4, 5, 7, 8, 9, 10, 11],
        "line numbers stay true"
    );
}

#[test]
fn crlf_line_endings_give_the_same_analysis_as_lf() {
    let samples = [
        "samples/psad/iptables_syn_scan_1000_1500",
        "paper/02-subseven/ipchains.log",
        "paper/06-wingate/snort.alert",
        "paper/10-port81-sweep/sunscreen.log",
        "samples/psad/pf_syn_scan_1100_1500",
        "samples/elastic/snort_test-log-fast.log",
    ];
    let lf: Vec<(String, Vec<u8>)> = samples
        .iter()
        .map(|s| {
            let bytes = std::fs::read(root().join(fixture(s))).unwrap();
            (s.replace('/', "_"), bytes)
        })
        .collect();
    let crlf: Vec<(String, Vec<u8>)> = lf
        .iter()
        .map(|(name, bytes)| {
            let text = String::from_utf8_lossy(bytes).replace("\r\n", "\n");
            (name.clone(), text.replace('\n', "\r\n").into_bytes())
        })
        .collect();
    let as_files = |set: &[(String, Vec<u8>)]| -> Outcome {
        let files: Vec<(&str, &[u8])> = set.iter().map(|(n, b)| (n.as_str(), &b[..])).collect();
        analyze(&files, "json", &["--year", "2000"])
    };
    let (a, b) = (as_files(&lf), as_files(&crlf));
    assert_eq!((a.code, b.code), (0, 0), "{}{}", a.stderr, b.stderr);
    let (a, b) = (a.json(), b.json());
    assert!(detects(&a).len() >= samples.len(), "{a:#}");
    assert_eq!(a["inputs"], b["inputs"], "same counts per input");
    assert_eq!(
        a["detects"], b["detects"],
        "same detects, evidence text included"
    );
}

#[test]
fn latin1_prefixes_are_analysed_and_utf16_is_counted_unreadable() {
    let latin1: Vec<u8> = scan(
        "Mar  1",
        "Pare-feu: rejet\u{e9} (r\u{e8}gle \u{ab}7\u{bb})",
        "203.0.113.9",
    )
    .chars()
    .map(|c| u8::try_from(u32::from(c)).unwrap())
    .collect();
    let utf16: Vec<u8> = [0xff, 0xfe]
        .into_iter()
        .chain(
            scan("Mar  1", "DROP", "203.0.113.10")
                .encode_utf16()
                .flat_map(u16::to_le_bytes),
        )
        .collect();
    let files = [("latin1.log", &latin1[..]), ("utf16.log", &utf16[..])];
    let out = analyze(&files, "json", &["--year", "2024"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let report = out.json();
    let l1 = input(&report, "latin1.log");
    assert_eq!(
        (count(l1, "records"), count(l1, "unrecognized")),
        (10, 0),
        "{l1}"
    );
    assert_eq!(crate::util::from(&report, "203.0.113.9").len(), 1);
    let u16 = input(&report, "utf16.log");
    assert_eq!(count(u16, "records"), 0, "{u16}");
    assert!(count(u16, "unrecognized") >= 10, "{u16}");
    assert!(crate::util::from(&report, "203.0.113.10").is_empty());
    let text = analyze(&files, "text", &["--year", "2024"]);
    assert_eq!(text.code, 0);
    assert!(text.stdout.contains("Pare-feu"), "the evidence is shown");
}

/// Every prefix of `line`, one a line (a record per prefix for Snort's
/// multi-line full alerts).
fn all_cuts(line: &str, separator: &str) -> String {
    line.char_indices()
        .skip(1)
        .map(|(at, _)| format!("{}{separator}", &line[..at]))
        .chain([format!("{line}{separator}")])
        .collect()
}

#[test]
fn lines_cut_inside_a_field_are_counted_and_keep_no_value_cut_short() {
    let ipchains = "Apr 21 17:04:13 unbeliever kernel: Packet log: input DENY eth0 PROTO=6 user.dsl.ma:60000 me.at.home:2140 L=30 S=0x00 I=2320 F=0x0000 T=50 SYN (#3)";
    let sunscreen = "197118 qfe0 (deny rule or no pass rule)2000/4/23 23:40:41.799467 somewhere.uk -> www.xxx.yyy.65 TCP D=81 S=35039 Syn Seq=1630776701 Len=0 Win=8760";
    let fast = "05/30-19:09:28.472094  [**] [1:2012811:2] ET DNS Query [**] [Priority: 2] {UDP} 192.168.88.10:1029 -> 4.2.2.3:53";
    let full = "[**] WinGate 8080 Attempt [**]\n04/22-03:20:05.164500 dial.uu.net:4615 -> me.at.home:8080\nTCP TTL:54 TOS:0x0 ID:36113 DF\n**S***** Seq: 0x91ED9D Ack: 0x0 Win: 0x860";
    let pf = "Mar 01 10:00:00.123456 rule 0/(match) block in on em0: 203.0.113.5.40000 > 198.51.100.7.1025: S 1234:1234(0) win 1024";
    let files = [
        ("ipchains.log", all_cuts(ipchains, "\n")),
        ("sunscreen.log", all_cuts(sunscreen, "\n")),
        ("fast.alert", all_cuts(fast, "\n")),
        ("full.alert", all_cuts(full, "\n\n")),
        ("pf.log", all_cuts(pf, "\n")),
    ];
    let files: Vec<(&str, &[u8])> = files.iter().map(|(n, t)| (*n, t.as_bytes())).collect();
    let out = analyze(&files, "json", &["--year", "2000"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let report = out.json();
    for (name, _) in &files {
        let i = input(&report, name);
        assert!(
            count(i, "records") > 0 && count(i, "unrecognized") > 0,
            "{i}"
        );
        if *name != "full.alert" {
            let accounted = count(i, "records") + count(i, "unrecognized") + count(i, "skipped");
            assert_eq!(accounted, count(i, "lines"), "every line counted once: {i}");
        }
    }
    // The whole lines are analysed.
    for (source, port) in [
        ("user.dsl.ma", 2140),
        ("somewhere.uk", 81),
        ("dial.uu.net", 8080),
        ("203.0.113.5", 1025),
    ] {
        let found = crate::util::from(&report, source);
        assert!(
            found.iter().any(|d| ports(d).contains(&port)),
            "{source}: {found:#?}"
        );
    }
    // Formats whose lines end with a known field keep nothing cut short: no
    // port 2, 21 or 214 of 2140, no host `www.xxx.yyy.6`.
    for (source, target, port) in [
        ("user.dsl.ma", "me.at.home", 2140),
        ("somewhere.uk", "www.xxx.yyy.65", 81),
    ] {
        for d in crate::util::from(&report, source) {
            assert_eq!(strings(&d["targets"]), vec![target.to_string()], "{d:#}");
            assert!(
                ports(d).iter().all(|p| *p == port),
                "{source}: {:?}",
                ports(d)
            );
        }
    }
}

#[test]
fn a_netfilter_line_cut_inside_its_port_reports_no_cut_port() {
    let line = nf("Mar  1 10:00:00", "DROP", "203.0.113.9", 1025);
    let out = analyze(
        &[("cut.log", all_cuts(line.trim_end(), "\n").as_bytes())],
        "json",
        &["--year", "2024"],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let report = out.json();
    for d in detects(&report) {
        assert!(
            ports(d).iter().all(|p| *p == 1025),
            "ports {:?} were never logged",
            ports(d)
        );
    }
}

/// Every number the analysis wrote about a detect (titles, sentences,
/// observations, ports), without the ids and the quoted log lines.
fn analysis_text(report: &Value) -> String {
    detects(report)
        .iter()
        .map(|d| {
            let mut d = d.clone();
            let map = d.as_object_mut().unwrap();
            map.remove("id");
            map.remove("evidence");
            map.remove("related");
            Value::Object(map.clone()).to_string()
        })
        .collect()
}

/// `line` with the value of its field `key` (` KEY=`) replaced.
fn with_field(line: &str, key: &str, value: &str) -> String {
    let at = line.find(&format!(" {key}=")).unwrap() + key.len() + 2;
    let end = at + line[at..].find(' ').unwrap();
    format!("{}{value}{}", &line[..at], &line[end..])
}

#[test]
fn absurd_numbers_are_left_out_with_a_warning_never_wrapped() {
    let absurd = [
        ("SPT", "99999"),
        ("DPT", "99999"),
        ("TTL", "999"),
        ("LEN", "-1"),
        ("LEN", "99999999999999999999"),
        ("ID", "70000"),
    ];
    let netfilter: String = absurd
        .iter()
        .enumerate()
        .map(|(i, (key, value))| {
            let line = nf(
                "Mar  1 10:00:00",
                "DROP",
                &format!("203.0.113.{}", i + 1),
                1025,
            );
            with_field(&line, key, value)
        })
        .collect();
    let files: [(&str, &[u8]); 5] = [
        ("netfilter.log", netfilter.as_bytes()),
        ("ipchains.log", b"Apr 21 17:04:13 u kernel: Packet log: input - eth0 PROTO=17 user.dsl.ma:60000 me.at.home:99999 L=99999999999999999999 S=0x00 I=70000 F=0x0000 T=999\n"),
        ("sunscreen.log", b"197118 qfe0 (deny rule or no pass rule)2000/4/23 23:40:41.799467 somewhere.uk -> www.xxx.yyy.65 TCP D=99999 S=99999 Syn Seq=1630776701 Len=-1 Win=99999999999\n"),
        ("fast.alert", b"05/30-19:09:28.472094  [**] [1:2012811:2] ET DNS Query [**] [Priority: 2] {UDP} 192.168.88.10:99999 -> 4.2.2.3:99999\n"),
        ("full.alert", b"[**] WinGate 8080 Attempt [**]\n04/22-03:20:05.164500 dial.uu.net:99999 -> me.at.home:99999\nTCP TTL:999 TOS:0x0 ID:36113 DF\n**S***** Seq: 0x91ED9D Ack: 0x0 Win: 0x860\n\n"),
    ];
    let out = analyze(&files, "json", &["--year", "2000"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let report = out.json();
    for (name, _) in &files {
        let i = input(&report, name);
        let expected = if *name == "netfilter.log" { 6 } else { 1 };
        assert_eq!(count(i, "records"), expected, "kept: {i}");
        assert_eq!(count(i, "warnings"), expected, "each record warns: {i}");
    }
    for d in detects(&report) {
        assert!(
            ports(d).iter().all(|p| *p == 1025),
            "only the real port: {d:#}"
        );
    }
    let said = analysis_text(&report);
    // 99999 wraps to 34463 in 16 bits, 70000 to 4464, 999 to 231 in 8 bits,
    // -1 to 65535 or 4294967295.
    for wrapped in ["34463", "4464", "TTL 231", "65535", "4294967295", "99999"] {
        assert!(!said.contains(wrapped), "{wrapped} in {said}");
    }
}
