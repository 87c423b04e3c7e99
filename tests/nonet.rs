//! picket sends nothing over the network unless told to: a run without
//! `--resolve` opens no Internet socket at all, as the README promises.
//!
//! The proof watches the system calls of the real binary with strace. So
//! that a quiet trace means something, the same test also runs with
//! `--resolve` against a stub DNS server on the loopback interface, and that
//! run must show its socket. `--resolve` asks the servers of
//! `/etc/resolv.conf`; the control run gets its own copy of that file, naming
//! the stub, through a private mount namespace (so it needs root, as CI has).

use std::net::{SocketAddr, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use crate::util::{fixture, root};

/// A fixture whose sources are public addresses, which `--resolve` looks up.
const PUBLIC_SOURCES: &str = "samples/psad/iptables_reputation_scan";

/// The strace binary, or a failure that says how to get one.
fn strace() -> PathBuf {
    std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .map(|dir| dir.join("strace"))
        .find(|path| path.is_file())
        .unwrap_or_else(|| {
            panic!(
                "strace is missing: this test watches picket's system calls with it \
                 (Debian: apt-get install strace; .ci/run installs it)"
            )
        })
}

/// Runs `prefix... strace -f -e trace=... -o TRACE picket ARGS` with a fresh
/// data folder; returns the output and the trace.
fn traced(prefix: &[&str], args: &[&str]) -> (Output, String) {
    let dir = tempfile::tempdir().unwrap();
    let trace = dir.path().join("trace");
    let mut words: Vec<String> = prefix.iter().map(|s| s.to_string()).collect();
    words.extend([
        strace().to_string_lossy().into_owned(),
        "-f".into(),
        "-e".into(),
        "trace=socket,connect,sendto,sendmsg,sendmmsg".into(),
        "-o".into(),
        trace.to_string_lossy().into_owned(),
        env!("CARGO_BIN_EXE_picket").into(),
    ]);
    words.extend(args.iter().map(|s| s.to_string()));
    let out = Command::new(&words[0])
        .args(&words[1..])
        .current_dir(root())
        .env("TZ", "UTC")
        .env("XDG_DATA_HOME", dir.path())
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("{}: {e}", words[0]));
    let text = std::fs::read_to_string(&trace).unwrap_or_else(|e| {
        panic!(
            "no trace ({e}); strace said: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out, text)
}

/// The trace lines that open an Internet (or raw packet) socket.
fn inet_sockets(trace: &str) -> Vec<&str> {
    trace
        .lines()
        .filter(|l| {
            ["socket(AF_INET,", "socket(AF_INET6,", "socket(AF_PACKET,"]
                .iter()
                .any(|call| l.contains(call))
        })
        .collect()
}

/// A DNS server on `addr` that answers every query "no such name" and
/// counts them, until dropped.
struct StubDns {
    queries: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl StubDns {
    fn start(addr: SocketAddr) -> StubDns {
        let socket = UdpSocket::bind(addr)
            .unwrap_or_else(|e| panic!("the stub DNS server needs {addr} (and root): {e}"));
        socket
            .set_read_timeout(Some(Duration::from_millis(50)))
            .unwrap();
        let queries = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (counted, stopped) = (queries.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            let mut buf = [0u8; 512];
            while !stopped.load(Ordering::SeqCst) {
                let Ok((len, from)) = socket.recv_from(&mut buf) else {
                    continue;
                };
                if len < 12 {
                    continue;
                }
                counted.fetch_add(1, Ordering::SeqCst);
                // The query back, as a response (QR, RA) with NXDOMAIN and
                // no records: id, flags and question kept.
                let mut reply = buf[..len].to_vec();
                reply[2] |= 0x80;
                reply[3] = 0x80 | 3;
                reply[6..12].fill(0);
                let _ = socket.send_to(&reply, from);
            }
        });
        StubDns {
            queries,
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for StubDns {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A loopback address of this process's own, so that parallel test runs
/// do not compete for port 53.
fn stub_address() -> SocketAddr {
    let pid = std::process::id();
    let addr = std::net::Ipv4Addr::new(127, 53, (pid >> 8) as u8, (pid as u8).max(1));
    SocketAddr::new(addr.into(), 53)
}

/// The `--resolve` run, in a mount namespace whose `/etc/resolv.conf` names
/// only the stub at `addr`.
fn resolve_via_stub(addr: SocketAddr, conf_dir: &Path) -> (Output, String) {
    let conf = conf_dir.join("resolv.conf");
    std::fs::write(&conf, format!("nameserver {}\n", addr.ip())).unwrap();
    let script = format!(
        "mount --bind '{}' /etc/resolv.conf && exec \"$@\"",
        conf.display()
    );
    let prefix = ["unshare", "--mount", "sh", "-c", &script, "sh"];
    traced(
        &prefix,
        &[
            "analyze",
            "--resolve",
            "--no-history",
            "--format",
            "json",
            &fixture(PUBLIC_SOURCES),
        ],
    )
}

#[test]
fn a_run_without_resolve_opens_no_socket_and_one_with_it_does() {
    // The default run: history on (a local SQLite file), no --resolve.
    let (out, trace) = traced(
        &[],
        &["analyze", "--format", "json", &fixture(PUBLIC_SOURCES)],
    );
    crate::util::assert_success(&out);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        !crate::util::detects(&report).is_empty(),
        "the run analysed something"
    );
    assert!(
        trace.contains("+++ exited with 0 +++"),
        "strace followed picket to its end: {trace}"
    );
    let opened = inet_sockets(&trace);
    assert!(opened.is_empty(), "sockets without --resolve: {opened:#?}");

    // The control: the same watch sees the sockets of --resolve.
    let addr = stub_address();
    let stub = StubDns::start(addr);
    let conf_dir = tempfile::tempdir().unwrap();
    let (out, trace) = resolve_via_stub(addr, conf_dir.path());
    crate::util::assert_success(&out);
    assert!(
        !inet_sockets(&trace).is_empty(),
        "the trace shows --resolve's sockets:\n{trace}"
    );
    assert!(
        trace.contains(&format!("{}", addr.ip())),
        "they went to the stub: {trace}"
    );
    assert!(
        stub.queries.load(Ordering::SeqCst) > 0,
        "the stub was asked"
    );
}
