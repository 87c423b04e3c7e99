//! The command line: raw arguments are parsed by clap, then turned into
//! validated [`RunOptions`]; the rest of the program sees only the latter.

use std::io::Write;
use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};
use jiff::tz::TimeZone;
use picket_analyze::Site;
use picket_knowledge::PortTable;
use picket_model::SeverityLevel;
use picket_parse::Format;
use picket_report::{RenderOptions, sanitize};

use crate::pipeline::{self, RunOptions};

/// Exit status when the run completed (even with unreadable lines).
pub const EXIT_OK: i32 = 0;
/// Exit status for usage errors and inputs that could not be read.
pub const EXIT_TROUBLE: i32 = 2;

/// picket reads firewall and IDS logs and tells you, in plain words, what hit
/// you and whether to care.
#[derive(Debug, Parser)]
#[command(
    name = "picket",
    version,
    about,
    long_about = "picket reads firewall and IDS logs (netfilter/iptables/nftables/ufw, ipchains, pf, \
                  SunScreen, Snort), merges what several sensors saw of the same packet, groups \
                  packets into detects (scans, sweeps, trojan probes, spoofed traffic, \
                  misconfigurations...) and writes an analyst's assessment of each: active \
                  targeting, intent, technique, history, identity, spoofing, severity and \
                  recommendations, backed by the log lines.\n\nNothing is sent over the network.",
    after_help = "Examples:\n  picket analyze /var/log/kern.log\n  picket analyze --format json --year 2000 examples/paper/*/*\n  zcat fw.log.1.gz | picket analyze -"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// What earlier runs stored: recent detects, a source's record, recurring sources.
    #[command(
        after_help = "Examples:\n  picket history\n  picket history 203.0.113.9 --format json\n  picket history --since 2024-03-01\n  picket history prune --older-than 90d"
    )]
    History(HistoryArgs),
    /// Analyse log files and report the detects found in them.
    #[command(
        after_help = "Examples:\n  picket analyze /var/log/ufw.log\n  picket analyze --site site.toml --format markdown fw.log snort.alert > report.md\n  picket analyze --input-format snort-full --year 2000 --tz UTC alert\n  journalctl -k -o short-iso | picket analyze -"
    )]
    Analyze(AnalyzeArgs),
}

/// Report formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum OutputFormat {
    /// Plain text for a terminal.
    Text,
    /// Markdown, for tickets and wikis.
    Markdown,
    /// JSON, the stable contract for scripts (docs/detect-json.md).
    Json,
    /// CSV for spreadsheets: one row per detect, every detect; no cell starts a formula.
    Csv,
    /// One standalone HTML page (no scripts, loads nothing) to share or attach.
    Html,
}

#[derive(Debug, clap::Args)]
struct AnalyzeArgs {
    /// Log files, directories (read recursively) or packet captures (pcap, pcapng) to read; `-`
    /// reads standard input. Formats are sniffed line by line; gzip, bzip2, zstd and xz are
    /// decompressed; rotated sets (fw.log.2.gz, fw.log.1, fw.log) are read oldest first.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<String>,

    /// Report format.
    #[arg(long, short = 'f', value_enum, default_value = "text")]
    format: OutputFormat,

    /// Read every input as this format instead of sniffing (netfilter, ipchains, pf,
    /// sunscreen, snort-full, snort-fast, snort-syslog). Example: --input-format snort-full
    #[arg(long, value_name = "NAME")]
    input_format: Option<String>,

    /// A TOML description of the site: home networks, host roles, operating systems,
    /// services offered, known servers, authorized scanners, thresholds. Example: --site site.toml
    #[arg(long, value_name = "FILE")]
    site: Option<PathBuf>,

    /// Extra ports, services and trojans (TOML, the shape of the built-in table), added to
    /// or replacing built-in entries. Example: --ports local-ports.toml
    #[arg(long, value_name = "FILE")]
    ports: Option<PathBuf>,

    /// Year of timestamps that lack one (syslog, Snort). Without it the year comes from each
    /// file's modification time, and a December-to-January rollover is handled. Example: --year 2000
    #[arg(long, value_name = "YYYY")]
    year: Option<i16>,

    /// Time zone of timestamps that lack one, and of the report: an IANA name, `UTC` or
    /// `local` (the default). Example: --tz Europe/London
    #[arg(long, value_name = "ZONE", default_value = "local")]
    tz: String,

    /// Show only detects at or above this severity in text, Markdown and HTML (none, low, medium,
    /// high, critical); the rest are counted. JSON and CSV always have all. Example: --min-severity medium
    #[arg(long, value_name = "LEVEL", default_value = "none")]
    min_severity: String,

    /// Evidence lines shown per detect in text, Markdown and HTML. Example: --evidence 20
    #[arg(long, value_name = "N", default_value_t = 8)]
    evidence: usize,

    /// Threads for parsing and analysis (default: all cores). Example: --threads 2
    #[arg(long, value_name = "N")]
    threads: Option<usize>,

    /// Only read and parse the inputs: count records and unreadable lines per input and
    /// format, analyse nothing. For checking what picket makes of a log, and for timing.
    #[arg(long)]
    parse_only: bool,

    /// After the report, print on standard error how long each stage took, lines per
    /// second and peak memory.
    #[arg(long)]
    stats: bool,

    /// Never draw the progress bar (it is drawn on standard error only when that is a
    /// terminal).
    #[arg(long)]
    no_progress: bool,

    /// The history database (default: $XDG_DATA_HOME/picket/history.db). Every run stores its
    /// detects there, and a detect's history says what earlier runs saw. Example: --db fw-history.db
    #[arg(long, value_name = "PATH")]
    db: Option<PathBuf>,

    /// Neither read nor write the history database. Example: --no-history
    #[arg(long)]
    no_history: bool,

    /// A MaxMind or DB-IP database (.mmdb) for country, ASN and owner of addresses; may be
    /// repeated. Example: --mmdb GeoLite2-ASN.mmdb
    #[arg(long, value_name = "FILE")]
    mmdb: Vec<PathBuf>,

    /// An iptoasn-style TSV (range start, range end, ASN, country, owner); may be repeated.
    /// Example: --asn-tsv ip2asn-combined.tsv
    #[arg(long, value_name = "FILE")]
    asn_tsv: Vec<PathBuf>,

    /// Look up reverse DNS for addresses (and check it forward), with a 2 s timeout and at most
    /// 8 queries at once, using the servers of /etc/resolv.conf. Off by default: without it
    /// picket sends nothing over the network. Example: --resolve
    #[arg(long)]
    resolve: bool,
}

#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
struct HistoryArgs {
    #[command(subcommand)]
    action: Option<HistoryAction>,

    /// One source's record (an address or a name); without it, recent detects and the top
    /// recurring sources. Example: picket history 203.0.113.9
    #[arg(value_name = "SOURCE")]
    source: Option<String>,

    /// Only what was seen since this date (YYYY-MM-DD). Example: --since 2024-03-01
    #[arg(long, value_name = "DATE")]
    since: Option<String>,

    /// Output format. Example: --format json
    #[arg(long, short = 'f', value_enum, default_value = "text")]
    format: HistoryFormat,

    /// The history database (default: $XDG_DATA_HOME/picket/history.db). Example: --db fw-history.db
    #[arg(long, value_name = "PATH")]
    db: Option<PathBuf>,

    /// How many entries each list shows. Example: --limit 50
    #[arg(long, value_name = "N", default_value_t = 20)]
    limit: usize,
}

#[derive(Debug, Subcommand)]
enum HistoryAction {
    /// Remove what is older than an age (90d, 12w, 36h). Example: picket history prune --older-than 90d
    Prune {
        /// The age past which records go. Example: --older-than 90d
        #[arg(long, value_name = "AGE")]
        older_than: String,
        /// The history database. Example: --db fw-history.db
        #[arg(long, value_name = "PATH")]
        db: Option<PathBuf>,
    },
}

/// Formats of `picket history`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum HistoryFormat {
    /// Plain text.
    Text,
    /// JSON.
    Json,
}

/// Runs the command line; returns the exit status.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                EXIT_TROUBLE
            } else {
                EXIT_OK
            };
        }
    };
    match cli.command {
        Command::Analyze(args) => analyze(args),
        Command::History(args) => crate::history::command(
            args.db,
            args.source,
            args.since,
            args.format == HistoryFormat::Json,
            args.limit,
            args.action
                .map(|HistoryAction::Prune { older_than, db }| (older_than, db)),
        ),
    }
}

fn usage_error(message: &str) -> i32 {
    eprintln!("picket: {}", sanitize::terminal(message));
    EXIT_TROUBLE
}

fn analyze(args: AnalyzeArgs) -> i32 {
    let format = match args.input_format.as_deref().map(|n| (n, Format::parse(n))) {
        None => None,
        Some((_, Some(f))) => Some(f),
        Some((name, None)) => {
            let names: Vec<&str> = Format::ALL.iter().map(|f| f.as_str()).collect();
            return usage_error(&format!(
                "unknown input format {name:?}; known: {}",
                names.join(", ")
            ));
        }
    };
    let zone = match args.tz.as_str() {
        "local" => TimeZone::system(),
        "UTC" | "utc" => TimeZone::UTC,
        name => match TimeZone::get(name) {
            Ok(z) => z,
            Err(e) => return usage_error(&format!("unknown time zone {name:?}: {e}")),
        },
    };
    let Some(min_severity) = SeverityLevel::parse(&args.min_severity) else {
        return usage_error(&format!(
            "unknown severity {:?}; use none, low, medium, high or critical",
            args.min_severity
        ));
    };
    let site = match &args.site {
        None => Site::default(),
        Some(path) => match std::fs::read_to_string(path)
            .map_err(|e| e.to_string())
            .and_then(|t| Site::from_toml(&t))
        {
            Ok(mut site) => {
                site.resolve_paths(path.parent().unwrap_or(std::path::Path::new(".")));
                site
            }
            Err(e) => return usage_error(&format!("site file {}: {e}", path.display())),
        },
    };
    let ports = match &args.ports {
        None => PortTable::builtin().clone(),
        Some(path) => match std::fs::read_to_string(path)
            .map_err(|e| e.to_string())
            .and_then(|t| PortTable::with_overrides(&t).map_err(|e| e.to_string()))
        {
            Ok(table) => table,
            Err(e) => return usage_error(&format!("ports file {}: {e}", path.display())),
        },
    };
    if let Some(year) = args.year
        && !(1970..=9999).contains(&year)
    {
        return usage_error(&format!("year {year} is out of range"));
    }
    let mut identity = picket_identity::IdentityService::offline();
    for path in site.mmdb.iter().chain(&args.mmdb) {
        identity = match identity.with_mmdb(path) {
            Ok(i) => i,
            Err(e) => return usage_error(&e.to_string()),
        };
    }
    for path in site.asn_tsv.iter().chain(&args.asn_tsv) {
        identity = match identity.with_asn_tsv(path) {
            Ok(i) => i,
            Err(e) => return usage_error(&e.to_string()),
        };
    }
    if args.resolve {
        let mut resolver = match picket_identity::DnsConfig::system()
            .and_then(picket_identity::DnsResolver::new)
        {
            Ok(resolver) => resolver,
            Err(e) => return usage_error(&format!("--resolve: {e}")),
        };
        // Answers are cached in the history database, unless history is off.
        let db = args
            .db
            .clone()
            .or_else(picket_history::HistoryStore::default_path);
        if let (false, Some(db)) = (args.no_history, db) {
            match picket_history::DnsCache::open(&db) {
                Ok(cache) => resolver = resolver.with_cache(std::sync::Arc::new(cache)),
                Err(e) => eprintln!(
                    "picket: DNS answers will not be cached: {}",
                    sanitize::terminal(&e.to_string())
                ),
            }
        }
        identity = identity.with_resolver(Box::new(resolver));
    }
    let history = (!args.no_history).then(|| crate::history::HistoryOptions {
        db: args.db.clone(),
    });
    let threads = args
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let outcome = pipeline::run(RunOptions {
        inputs: args.files,
        format,
        year: args.year,
        zone,
        site,
        ports,
        threads,
        identity,
        history,
        parse_only: args.parse_only,
        progress: !args.no_progress,
    });
    report_problems(&outcome);
    let summary = &outcome.report.summary;
    if summary.sources_beyond_limits > 0 {
        eprintln!(
            "picket: {} sources past the tracking limits sent {} packets; they are counted \
             together by target and port (max_sources and max_kept_packets in the site file)",
            picket_report::thousands(summary.sources_beyond_limits),
            picket_report::thousands(summary.packets_beyond_limits)
        );
    }
    for message in &outcome.history_messages {
        eprintln!("picket: {}", sanitize::terminal(message));
    }
    let render = RenderOptions {
        min_severity,
        evidence_lines: args.evidence,
    };
    let rendering = std::time::Instant::now();
    // JSON is written as it is serialized: it can run to gigabytes.
    let text = match args.format {
        OutputFormat::Text => Some(picket_report::render_text(&outcome.report, &render)),
        OutputFormat::Markdown => Some(picket_report::render_markdown(&outcome.report, &render)),
        OutputFormat::Json => None,
        OutputFormat::Csv => Some(picket_report::render_csv(&outcome.report)),
        OutputFormat::Html => Some(picket_report::render_html(&outcome.report, &render)),
    };
    let mut out = std::io::stdout().lock();
    let written = match &text {
        Some(text) => out.write_all(text.as_bytes()).and_then(|()| out.flush()),
        None => picket_report::write_json(&outcome.report, &mut out),
    };
    if let Err(e) = written
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        eprintln!("picket: cannot write the report: {e}");
        return EXIT_TROUBLE;
    }
    let rendered = rendering.elapsed();
    drop(out);
    if args.stats {
        let mut stages = outcome.stages.clone();
        stages.push(("report", rendered));
        for line in crate::stats::describe(&outcome.report, &stages, crate::stats::peak_memory()) {
            eprintln!("picket: {line}");
        }
    }
    let status = if outcome.input_failed {
        EXIT_TROUBLE
    } else {
        EXIT_OK
    };
    // The process ends here: freeing every detect and packet one by one
    // would only delay the exit (a second for a million-line log).
    std::mem::forget(outcome);
    std::mem::forget(text);
    status
}

/// Quotes unreadable lines and warnings on standard error, a few per input,
/// and says how many there were in all.
fn report_problems(outcome: &pipeline::RunOutcome) {
    let stderr = std::io::stderr();
    let mut err = stderr.lock();
    for p in &outcome.problems {
        let what = if p.kept { "warning" } else { "unreadable" };
        let _ = writeln!(
            err,
            "picket: {}:{}: {what}: {}",
            sanitize::terminal(&p.input),
            p.line,
            sanitize::terminal(&p.message)
        );
    }
    for input in &outcome.report.inputs {
        if let Some(error) = &input.error {
            let _ = writeln!(
                err,
                "picket: {}: cannot read: {}",
                sanitize::terminal(&input.path),
                sanitize::terminal(error)
            );
        }
        let quoted = outcome
            .problems
            .iter()
            .filter(|p| p.input == input.path)
            .count() as u64;
        let total = input.unrecognized + input.warnings;
        if total > quoted {
            let _ = writeln!(
                err,
                "picket: {}: {} unreadable line(s) and {} warning(s) in all",
                sanitize::terminal(&input.path),
                input.unrecognized,
                input.warnings
            );
        }
    }
}
