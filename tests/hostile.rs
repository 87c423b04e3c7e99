//! Bad input is normal input: garbage, damage and hostile fields never crash
//! picket, never go uncounted, and never reach the terminal raw.

use crate::util::run;

fn analyze_file(bytes: &[u8], extra: &[&str]) -> (i32, serde_json::Value, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("input.log");
    std::fs::write(&path, bytes).unwrap();
    let mut list: Vec<String> = vec![
        "analyze".into(),
        "--format".into(),
        "json".into(),
        "--tz".into(),
        "UTC".into(),
        "--year".into(),
        "2000".into(),
    ];
    list.extend(extra.iter().map(|s| s.to_string()));
    list.push(path.to_string_lossy().into_owned());
    let out = run(&list, None);
    let report = serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
    (
        out.status.code().unwrap_or(-1),
        report,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const REAL_LINES: &[&str] = &[
    "Mar 11 20:35:11 linux kernel: [463490.251762] DROP IN=eth1 OUT= MAC=23:87:fc:c6:24:58:00:21:3f:98:99:78:09:00 SRC=192.168.10.55 DST=192.168.10.1 LEN=44 TOS=0x00 PREC=0x00 TTL=53 ID=15270 PROTO=TCP SPT=56247 DPT=1025 WINDOW=3072 RES=0x00 SYN URGP=0 OPT (020405B4)",
    "Apr 21 17:04:13 unbeliever kernel: Packet log: input - eth0 PROTO=17 user.dsl.ma:60000 me.at.home:2140 L=30 S=0x00 I=2320 F=0x0000 T=50",
    "197118 qfe0 (deny rule or no pass rule)2000/4/23 23:40:41.799467 somewhere.uk -> www.xxx.yyy.65 TCP D=81 S=35039 Syn Seq=1630776701 Len=0 Win=8760",
    "[**] WinGate 8080 Attempt [**]\n04/22-03:20:05.164500 dial.uu.net:4615 -> me.at.home:8080\nTCP TTL:54 TOS:0x0 ID:36113 DF\n**S***** Seq: 0x91ED9D Ack: 0x0 Win: 0x860\nTCP Options => MSS: 536 NOP NOP SackOK\n",
    "05/30-19:09:28.472094  [**] [1:2012811:2] ET DNS DNS Query to a .tk domain - Likely Hostile [**] [Classification: Potentially Bad Traffic] [Priority: 2] {UDP} 192.168.88.10:1029 -> 4.2.2.3:53",
];

const FORMATS: [&str; 7] = [
    "netfilter",
    "ipchains",
    "sunscreen",
    "snort-full",
    "snort-fast",
    "snort-syslog",
    "pf",
];

#[test]
fn garbage_in_every_format_is_counted_not_fatal() {
    let mut garbage: Vec<Vec<u8>> = vec![
        Vec::new(),
        (0..=255u8).cycle().take(100_000).collect(),
        vec![b'A'; 1_000_000],
        b"\xff\xfe\xfd invalid utf-8 \xc3\x28\n\xa0\xa1\n".to_vec(),
    ];
    for line in REAL_LINES {
        // Truncated records: every line cut in half, and in thirds.
        let bytes = line.as_bytes();
        garbage.push(bytes[..bytes.len() / 2].to_vec());
        garbage.push(bytes[..bytes.len() / 3].to_vec());
    }
    for format in FORMATS {
        for (i, input) in garbage.iter().enumerate() {
            let (code, report, stderr) = analyze_file(input, &["--input-format", format]);
            assert_eq!(code, 0, "{format} #{i}: {stderr}");
            let inp = &report["inputs"][0];
            let lines = inp["lines"].as_u64().unwrap();
            let accounted =
                inp["records"].as_u64().unwrap() + inp["unrecognized"].as_u64().unwrap();
            assert!(
                lines == 0 || accounted >= 1 || input.iter().all(|b| b.is_ascii_whitespace()),
                "{format} #{i}: nothing read and nothing counted: {inp:#}"
            );
        }
    }
}

#[test]
fn hostile_fields_never_reach_the_terminal_raw() {
    let evil = "\x1b[2J\x1b]0;pwned\x07\u{202e}<script>alert(1)</script>[x](http://e)|a|b|`=cmd";
    let lines = format!(
        "Mar 11 20:35:11 linux kernel: {evil} IN=eth1 OUT= SRC=203.0.113.9 DST=192.0.2.1 LEN=44 TTL=53 ID=1 PROTO=TCP SPT=1 DPT=27374 WINDOW=3072 RES=0x00 SYN URGP=0\n\
         Apr 21 17:04:13 unbeliever kernel: Packet log: input - eth0 PROTO=17 evil{evil}.example:60000 me.at.home:2140 L=30 S=0x00 I=2320 F=0x0000 T=50\n"
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("evil\x1b[31m.log");
    std::fs::write(&path, lines).unwrap();
    for format in ["text", "markdown"] {
        let out = run(
            &[
                "analyze".into(),
                "--format".into(),
                format.into(),
                "--year".into(),
                "2000".into(),
                path.to_string_lossy().into_owned(),
            ],
            None,
        );
        assert_eq!(out.status.code(), Some(0));
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(
            !text.bytes().any(|b| b < 0x20 && b != b'\n'),
            "{format}: a raw control character:\n{text}"
        );
        assert!(
            !text.contains('\u{202e}'),
            "{format}: a raw direction override"
        );
        if format == "markdown" {
            // Outside fenced code blocks (where nothing is rendered), no log text
            // may open a tag or a link.
            let mut fence: Option<String> = None;
            for line in text.lines() {
                let ticks: String = line.chars().take_while(|c| *c == '`').collect();
                if ticks.len() >= 3 {
                    match &fence {
                        Some(open) if *open == ticks => fence = None,
                        None => fence = Some(ticks),
                        _ => {}
                    }
                    continue;
                }
                if fence.is_none() {
                    assert!(!line.contains("<script>"), "markdown escapes HTML: {line}");
                    assert!(
                        !line.contains("[x](http://e)"),
                        "markdown escapes links: {line}"
                    );
                }
            }
            assert!(fence.is_none(), "every fence is closed");
        }
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(
            !stderr.bytes().any(|b| b == 0x1b),
            "stderr escapes too: {stderr}"
        );
    }
}
