//! A stub DNS server for the tests: bound to 127.0.0.1 on an ephemeral
//! port, it answers queries from a table, can delay or withhold answers,
//! and counts what it receives. Nothing here leaves the loopback interface.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr, UdpSocket};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::wire::{
    CLASS_IN, RCODE_NX_DOMAIN, TYPE_A, TYPE_AAAA, TYPE_CNAME, TYPE_PTR, TYPE_SOA, encode_name,
    read_name,
};

/// One record the stub puts in an answer section.
#[derive(Clone, Debug)]
pub(crate) struct StubRecord {
    pub owner: String,
    pub rtype: u16,
    pub ttl: u32,
    pub rdata: Vec<u8>,
}

fn wire_name(name: &str) -> Vec<u8> {
    encode_name(name).unwrap_or_else(|| panic!("stub name {name:?} does not encode"))
}

impl StubRecord {
    /// A PTR record.
    pub fn ptr(owner: &str, target: &str) -> StubRecord {
        StubRecord::raw(owner, TYPE_PTR, wire_name(target))
    }

    /// A CNAME record.
    pub fn cname(owner: &str, target: &str) -> StubRecord {
        StubRecord::raw(owner, TYPE_CNAME, wire_name(target))
    }

    /// An A or AAAA record, after the address's family.
    pub fn addr(owner: &str, addr: &str) -> StubRecord {
        match addr.parse::<IpAddr>() {
            Ok(IpAddr::V4(v4)) => StubRecord::raw(owner, TYPE_A, v4.octets().to_vec()),
            Ok(IpAddr::V6(v6)) => StubRecord::raw(owner, TYPE_AAAA, v6.octets().to_vec()),
            Err(err) => panic!("stub address {addr:?}: {err}"),
        }
    }

    /// A record with data bytes given as they go on the wire.
    pub fn raw(owner: &str, rtype: u16, rdata: Vec<u8>) -> StubRecord {
        StubRecord {
            owner: owner.to_owned(),
            rtype,
            ttl: 3600,
            rdata,
        }
    }
}

/// A whole response: code, answers, and an SOA (ttl, minimum) for negative answers.
#[derive(Clone, Debug, Default)]
pub(crate) struct StubReply {
    pub rcode: u8,
    pub answers: Vec<StubRecord>,
    pub soa: Option<(u32, u32)>,
}

impl StubReply {
    /// A NOERROR reply with these answers.
    pub fn records(answers: Vec<StubRecord>) -> StubReply {
        StubReply {
            answers,
            ..StubReply::default()
        }
    }

    /// An NXDOMAIN reply with an SOA.
    pub fn nx_domain() -> StubReply {
        StubReply {
            rcode: RCODE_NX_DOMAIN,
            answers: Vec::new(),
            soa: Some((3600, 900)),
        }
    }
}

/// Builds the response to a query for (`qname`, `qtype`) with this `id`.
pub(crate) fn build_response(id: u16, qname: &str, qtype: u16, reply: &StubReply) -> Vec<u8> {
    let mut packet = Vec::new();
    packet.extend_from_slice(&id.to_be_bytes());
    packet.extend_from_slice(&[0x81, 0x80 | reply.rcode]);
    packet.extend_from_slice(&1u16.to_be_bytes());
    packet.extend_from_slice(&(reply.answers.len() as u16).to_be_bytes());
    packet.extend_from_slice(&u16::from(reply.soa.is_some()).to_be_bytes());
    packet.extend_from_slice(&0u16.to_be_bytes());
    packet.extend_from_slice(&wire_name(qname));
    packet.extend_from_slice(&qtype.to_be_bytes());
    packet.extend_from_slice(&CLASS_IN.to_be_bytes());
    for record in &reply.answers {
        push_record(
            &mut packet,
            &record.owner,
            record.rtype,
            record.ttl,
            &record.rdata,
        );
    }
    if let Some((ttl, minimum)) = reply.soa {
        let mut rdata = wire_name("ns.example");
        rdata.extend_from_slice(&wire_name("hostmaster.example"));
        for field in [1u32, 7200, 900, 1_209_600, minimum] {
            rdata.extend_from_slice(&field.to_be_bytes());
        }
        push_record(&mut packet, "example", TYPE_SOA, ttl, &rdata);
    }
    packet
}

fn push_record(packet: &mut Vec<u8>, owner: &str, rtype: u16, ttl: u32, rdata: &[u8]) {
    packet.extend_from_slice(&wire_name(owner));
    packet.extend_from_slice(&rtype.to_be_bytes());
    packet.extend_from_slice(&CLASS_IN.to_be_bytes());
    packet.extend_from_slice(&ttl.to_be_bytes());
    packet.extend_from_slice(&(rdata.len() as u16).to_be_bytes());
    packet.extend_from_slice(rdata);
}

/// How the stub behaves.
#[derive(Clone, Debug, Default)]
pub(crate) struct StubConfig {
    /// Replies by (name, type); other queries get NXDOMAIN.
    pub table: HashMap<(String, u16), StubReply>,
    /// How long each answer is held back.
    pub delay: Duration,
    /// Never answer at all.
    pub silent: bool,
    /// Send these bytes before the real answer (a forged or garbled packet).
    pub noise_first: Option<Vec<u8>>,
}

/// A running stub server; stops when dropped.
pub(crate) struct StubServer {
    pub addr: SocketAddr,
    queries: Arc<AtomicUsize>,
    most_pending: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl StubServer {
    /// Starts a server on 127.0.0.1 with an ephemeral port.
    pub fn start(config: StubConfig) -> StubServer {
        let socket = UdpSocket::bind("127.0.0.1:0").unwrap_or_else(|err| panic!("bind: {err}"));
        socket
            .set_read_timeout(Some(Duration::from_millis(5)))
            .unwrap_or_else(|err| panic!("timeout: {err}"));
        let addr = socket
            .local_addr()
            .unwrap_or_else(|err| panic!("local_addr: {err}"));
        let queries = Arc::new(AtomicUsize::new(0));
        let most_pending = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (queries, most_pending, stop) =
                (queries.clone(), most_pending.clone(), stop.clone());
            std::thread::spawn(move || serve(socket, config, &queries, &most_pending, &stop))
        };
        StubServer {
            addr,
            queries,
            most_pending,
            stop,
            thread: Some(thread),
        }
    }

    /// Queries received so far.
    pub fn queries(&self) -> usize {
        self.queries.load(Ordering::SeqCst)
    }

    /// The most queries that were waiting for their answer at one time.
    pub fn most_pending(&self) -> usize {
        self.most_pending.load(Ordering::SeqCst)
    }
}

impl Drop for StubServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn serve(
    socket: UdpSocket,
    config: StubConfig,
    queries: &AtomicUsize,
    most_pending: &AtomicUsize,
    stop: &AtomicBool,
) {
    let started = Instant::now();
    let mut pending: Vec<(Instant, SocketAddr, Vec<u8>)> = Vec::new();
    let mut buffer = [0u8; 1500];
    // Bounded in time: a stub left running by a failed test stops by itself.
    while !stop.load(Ordering::SeqCst) && started.elapsed() < Duration::from_secs(60) {
        if let Ok((len, peer)) = socket.recv_from(&mut buffer) {
            queries.fetch_add(1, Ordering::SeqCst);
            if let Some(response) = answer(&buffer[..len], &config) {
                if let Some(noise) = &config.noise_first {
                    let _ = socket.send_to(noise, peer);
                }
                if !config.silent {
                    pending.push((Instant::now() + config.delay, peer, response));
                    most_pending.fetch_max(pending.len(), Ordering::SeqCst);
                }
            }
        }
        let now = Instant::now();
        pending.retain(|(due, peer, response)| {
            if *due > now {
                return true;
            }
            let _ = socket.send_to(response, peer);
            false
        });
    }
}

/// The stub's response to one query packet, from its table.
fn answer(query: &[u8], config: &StubConfig) -> Option<Vec<u8>> {
    let id = u16::from_be_bytes([*query.first()?, *query.get(1)?]);
    let (qname, end) = read_name(query, 12).ok()?;
    let qtype = u16::from_be_bytes([*query.get(end)?, *query.get(end + 1)?]);
    let reply = config
        .table
        .get(&(qname.clone(), qtype))
        .cloned()
        .unwrap_or_else(StubReply::nx_domain);
    Some(build_response(id, &qname, qtype, &reply))
}
