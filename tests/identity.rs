//! Who is behind an address, from the user's own databases (named by
//! option or in the site file), with nothing sent over the network.

use crate::util::run;

fn probe_log(dir: &std::path::Path, src: &str) -> String {
    let path = dir.join("fw.log");
    let line = format!(
        "Mar  1 10:00:00 fw kernel: [UFW BLOCK] IN=eth0 OUT= SRC={src} DST=198.51.100.7 LEN=44 TOS=0x00 PREC=0x00 TTL=50 ID=1 PROTO=TCP SPT=40000 DPT=22 WINDOW=1024 RES=0x00 SYN URGP=0\n"
    );
    std::fs::write(&path, line).unwrap();
    path.to_string_lossy().into_owned()
}

fn identity_of(args: &[&str]) -> String {
    let out = run(
        &args.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
        None,
    );
    crate::util::assert_success(&out);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    report["detects"][0]["identity"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn identity_from_an_asn_table_given_as_an_option() {
    let dir = tempfile::tempdir().unwrap();
    let log = probe_log(dir.path(), "64.0.2.5");
    let tsv = "crates/identity/tests/data/ip2asn.tsv";
    let text = identity_of(&[
        "analyze",
        "--format",
        "json",
        "--year",
        "2024",
        "--asn-tsv",
        tsv,
        &log,
    ]);
    assert!(
        text.contains("AS64510") && text.contains("TableNet") && text.contains("GB"),
        "{text}"
    );
    let bare = identity_of(&["analyze", "--format", "json", "--year", "2024", &log]);
    assert!(!bare.contains("AS64510"), "no database, no owner: {bare}");
}

#[test]
fn identity_from_an_mmdb_named_in_the_site_file() {
    let dir = tempfile::tempdir().unwrap();
    let log = probe_log(dir.path(), "64.0.2.5");
    let mmdb = crate::util::root().join("crates/identity/tests/data/geo-asn.mmdb");
    let site = dir.path().join("site.toml");
    std::fs::write(&site, format!("mmdb = [{:?}]\n", mmdb.to_string_lossy())).unwrap();
    let text = identity_of(&[
        "analyze",
        "--format",
        "json",
        "--year",
        "2024",
        "--site",
        &site.to_string_lossy(),
        &log,
    ]);
    assert!(
        text.contains("AS64500") && text.contains("ExampleNet") && text.contains("NL"),
        "{text}"
    );
}
