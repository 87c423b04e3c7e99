//! The generated log (crates/loggen): every labelled scenario is found with
//! the right kind and scan type, and no background noise source is
//! escalated into a scan, a flood or a compromise.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::util::{detects, run, strings};

#[test]
fn every_scenario_is_found_and_noise_stays_noise() {
    score(None);
}

/// Past the tracking limits, background noise goes to crowds: the
/// scenarios must still be found, and the crowds stay noise.
#[test]
fn past_the_tracking_limits_every_scenario_is_still_found() {
    score(Some(
        "[thresholds]\nmax_sources = 1000\nmax_kept_packets = 20000\n",
    ));
}

/// Generates the labelled log, analyses it (with `site` as the site file
/// when given) and checks the report against the labels.
fn score(site: Option<&str>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("generated.log");
    let mut file = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    let options = picket_loggen::Options {
        lines: 30_000,
        sources: 10_000,
        seed: 11,
        scenarios: true,
    };
    let labels = picket_loggen::generate(&options, &mut file).unwrap();
    drop(file);
    let mut args: Vec<String> = [
        "analyze", "--format", "json", "--year", "2024", "--tz", "UTC",
    ]
    .iter()
    .map(|s| s.to_string())
    .chain([path.to_string_lossy().into_owned()])
    .collect();
    if let Some(site) = site {
        let site_path = dir.path().join("site.toml");
        std::fs::write(&site_path, site).unwrap();
        args.extend([
            "--site".to_string(),
            site_path.to_string_lossy().into_owned(),
        ]);
    }
    let out = run(&args, None);
    crate::util::assert_success(&out);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["inputs"][0]["unrecognized"], 0);
    let beyond = report["summary"]["sources_beyond_limits"].as_u64().unwrap();
    assert_eq!(
        site.is_some(),
        beyond > 0,
        "limits reached: {beyond} sources"
    );

    let mut by_source: BTreeMap<String, Vec<&Value>> = BTreeMap::new();
    for d in detects(&report) {
        for s in strings(&d["sources"]) {
            by_source.entry(s).or_default().push(d);
        }
    }
    let mut labelled = std::collections::BTreeSet::new();
    for label in &labels {
        labelled.extend(label.sources.iter().cloned());
        let first = &label.sources[0];
        let found = by_source.get(first).map(Vec::as_slice).unwrap_or(&[]);
        assert!(
            found.iter().any(|d| d["kind"] == label.kind.as_str()
                && label
                    .scan_type
                    .as_deref()
                    .is_none_or(|t| d["scan_type"] == t)),
            "{}: {first} should be {} {:?}, got {:?}",
            label.scenario,
            label.kind,
            label.scan_type,
            found
                .iter()
                .map(|d| (d["kind"].clone(), d["scan_type"].clone()))
                .collect::<Vec<_>>()
        );
    }
    // The distributed scan's sources are related to each other.
    let distributed: Vec<&String> = labels
        .iter()
        .filter(|l| l.scenario == "distributed-scan")
        .map(|l| &l.sources[0])
        .collect();
    assert_eq!(distributed.len(), 4);
    for source in &distributed {
        let d = by_source[*source]
            .iter()
            .find(|d| d["kind"] == "port-scan")
            .unwrap();
        assert_eq!(
            d["related"].as_array().unwrap().len(),
            3,
            "{}: {:#}",
            source,
            d["related"]
        );
        assert!(d["observations"].to_string().contains("distributed scan"));
    }
    // The compromised inside host sends from the site's own network (here a
    // documentation range): it is the site's address, not a forged one.
    for label in labels.iter().filter(|l| l.kind.as_str() == "compromise") {
        for d in &by_source[&label.sources[0]] {
            assert_eq!(d["spoofed"], "unlikely", "{}", d["title"]);
            assert!(
                !d["identity"].as_str().unwrap().contains("forged"),
                "{}",
                d["identity"]
            );
        }
    }
    for d in detects(&report) {
        let sources = strings(&d["sources"]);
        if sources.iter().any(|s| labelled.contains(s)) {
            continue;
        }
        let kind = d["kind"].as_str().unwrap();
        assert!(
            ["service-probe", "trojan-probe", "worm"].contains(&kind),
            "a noise source was escalated to {kind}: {}",
            d["title"]
        );
        assert!(
            ["none", "low"].contains(&d["severity"]["level"].as_str().unwrap()),
            "noise stays low: {}",
            d["title"]
        );
    }
}
