//! An offline identity service opens no socket, whatever it is asked.
//!
//! This file holds a single test so that its process runs nothing else:
//! the socket count in /proc/self/fd then belongs to these lookups alone.

use std::path::Path;

use picket_identity::IdentityService;
use picket_model::Host;

/// The sockets this process holds open.
#[cfg(target_os = "linux")]
fn open_sockets() -> usize {
    let entries = std::fs::read_dir("/proc/self/fd").unwrap_or_else(|err| panic!("{err}"));
    entries
        .filter_map(Result::ok)
        .filter_map(|entry| std::fs::read_link(entry.path()).ok())
        .filter(|target| target.to_string_lossy().starts_with("socket:"))
        .count()
}

#[cfg(target_os = "linux")]
#[test]
fn offline_lookups_open_no_socket() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let before = open_sockets();
    let service = IdentityService::offline()
        .with_mmdb(data.join("geo-asn.mmdb"))
        .and_then(|service| service.with_asn_tsv(data.join("ip2asn.tsv")))
        .unwrap_or_else(|err| panic!("{err}"));
    assert!(!service.resolves());
    let hosts = [
        "64.0.2.7",
        "2a0b:4000::1",
        "10.0.0.1",
        "dial1.netcom",
        "user.dsl.ma",
        "host7.dsl.example.net",
        "www.google.com",
        "localhost",
    ];
    // Sockets are checked while the lookups run, not only after, so that a
    // socket opened and closed again would still be caught by a watcher thread.
    let watching = std::sync::atomic::AtomicBool::new(true);
    let most = std::thread::scope(|scope| {
        let watcher = scope.spawn(|| {
            let mut most = 0;
            while watching.load(std::sync::atomic::Ordering::SeqCst) {
                most = most.max(open_sockets());
            }
            most
        });
        for _ in 0..200 {
            for text in hosts {
                let host = Host::parse(text).unwrap_or_else(|| panic!("{text}"));
                let identity = service.lookup(&host);
                assert_eq!(identity.reverse_name, None);
                assert!(identity.forward_addrs.is_empty());
            }
        }
        let all: Vec<Host> = hosts.iter().filter_map(|text| Host::parse(text)).collect();
        assert_eq!(service.lookup_all(&all).len(), hosts.len());
        watching.store(false, std::sync::atomic::Ordering::SeqCst);
        watcher
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    });
    assert_eq!(most, before);
    assert_eq!(open_sockets(), before);
}
