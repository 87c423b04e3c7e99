//! `picket-loggen`: writes a deterministic, realistic netfilter log with
//! labelled scenarios amid background noise, for tests and benchmarks.
//!
//! ```text
//! picket-loggen --lines 1000000 --sources 100000 --seed 7 --labels labels.json > fw.log
//! ```
//! The log spans one day from March 1 (run picket with `--year 2024`).

use std::io::{self, BufWriter};

use picket_loggen::{Options, generate};

fn parse_args() -> Result<(Options, Option<String>), String> {
    let mut o = Options::default();
    let mut labels = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "--lines" => {
                o.lines = value("--lines")?
                    .parse()
                    .map_err(|e| format!("--lines: {e}"))?
            }
            "--sources" => {
                o.sources = value("--sources")?
                    .parse()
                    .map_err(|e| format!("--sources: {e}"))?
            }
            "--seed" => {
                o.seed = value("--seed")?
                    .parse()
                    .map_err(|e| format!("--seed: {e}"))?
            }
            "--labels" => labels = Some(value("--labels")?),
            "--no-scenarios" => o.scenarios = false,
            "-h" | "--help" => {
                return Err("usage: picket-loggen [--lines N] [--sources N] [--seed N] \
                            [--labels FILE] [--no-scenarios]"
                    .into());
            }
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok((o, labels))
}

fn main() {
    let (options, labels_path) = match parse_args() {
        Ok(x) => x,
        Err(e) => {
            eprintln!("picket-loggen: {e}");
            std::process::exit(2);
        }
    };
    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(1 << 20, stdout.lock());
    let result = generate(&options, &mut out).and_then(|labels| match &labels_path {
        Some(path) => std::fs::write(
            path,
            serde_json::to_string_pretty(&labels).map_err(io::Error::other)?,
        ),
        None => Ok(()),
    });
    if let Err(e) = result
        && e.kind() != io::ErrorKind::BrokenPipe
    {
        eprintln!("picket-loggen: {e}");
        std::process::exit(1);
    }
}
