//! Running the real `picket` binary in tests.

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

/// Path of a fixture, relative to the repository root (where tests run
/// picket), so that reports name files the same on every machine.
pub fn fixture(relative: &str) -> String {
    format!("tests/fixtures/{relative}")
}

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The trace files of one paper folder (`02-subseven`), sorted.
pub fn paper(folder: &str) -> Vec<String> {
    let dir = root().join(fixture("paper")).join(folder);
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| {
            format!(
                "{}/{}/{}",
                fixture("paper"),
                folder,
                e.unwrap().file_name().to_string_lossy()
            )
        })
        .collect();
    files.sort();
    files
}

/// Every paper trace file.
pub fn all_paper() -> Vec<String> {
    let mut folders: Vec<String> = std::fs::read_dir(root().join(fixture("paper")))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    folders.sort();
    folders.iter().flat_map(|f| paper(f)).collect()
}

/// Runs picket with `args`, feeding `stdin`. Each run gets an empty data
/// folder, so the default history store never carries one test into another.
pub fn run(args: &[String], stdin: Option<&[u8]>) -> Output {
    let data = tempfile::tempdir().expect("a temporary data folder");
    run_with_data(args, stdin, data.path())
}

/// Runs picket with `args` and `XDG_DATA_HOME` set to `data`.
pub fn run_with_data(args: &[String], stdin: Option<&[u8]>, data: &std::path::Path) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_picket"));
    cmd.args(args)
        .current_dir(root())
        .env("TZ", "UTC")
        .env("XDG_DATA_HOME", data)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("picket runs");
    if let Some(bytes) = stdin {
        use std::io::Write;
        let mut pipe = child.stdin.take().unwrap();
        pipe.write_all(bytes).unwrap();
    }
    child.wait_with_output().unwrap()
}

/// `picket analyze --format json --year 2000 --tz UTC [--site paper-site] FILES`, parsed.
pub fn analyze_json(files: &[String], site: bool) -> Value {
    let mut args: Vec<String> = [
        "analyze", "--format", "json", "--year", "2000", "--tz", "UTC",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    if site {
        args.push("--site".into());
        args.push(fixture("paper-site.toml"));
    }
    args.extend(files.iter().cloned());
    let out = run(&args, None);
    assert_eq!(
        out.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("the report is JSON")
}

/// The detects of a report.
pub fn detects(report: &Value) -> &Vec<Value> {
    report["detects"].as_array().expect("detects is an array")
}

/// The detects whose sources include `source`.
pub fn from<'a>(report: &'a Value, source: &str) -> Vec<&'a Value> {
    detects(report)
        .iter()
        .filter(|d| strings(&d["sources"]).iter().any(|s| s == source))
        .collect()
}

/// A JSON array of strings as a Vec.
pub fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

/// All observations of a detect, joined, for searching.
pub fn observations(d: &Value) -> String {
    strings(&d["observations"]).join("\n")
}

/// A `picket` command set up as [`run_with_data`] sets one up (repository
/// root as working folder, `TZ=UTC`, `XDG_DATA_HOME` at `data`, no standard
/// input, output captured), for tests that spawn, watch or kill the process
/// themselves.
pub fn command(data: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_picket"));
    cmd.current_dir(root())
        .env("TZ", "UTC")
        .env("XDG_DATA_HOME", data)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

/// Asserts that a picket run exited with 0, showing its standard error if
/// not.
pub fn assert_success(out: &Output) {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A xorshift64 generator: small and seedable, so that generated inputs
/// are the same on every machine (and a failing seed can be replayed).
pub struct XorShift(pub u64);

impl XorShift {
    /// The next number.
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number in `0.0..1.0`.
    pub fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A global-looking IPv4 address, `1.0.0.1` to `223.255.255.254`.
    pub fn address(&mut self) -> String {
        let n = self.next();
        format!(
            "{}.{}.{}.{}",
            1 + n % 223,
            (n >> 8) & 0xff,
            (n >> 16) & 0xff,
            1 + (n >> 24) % 254
        )
    }
}
