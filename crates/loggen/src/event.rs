//! One logged packet and how a netfilter LOG line prints it.

use std::fmt::Write;

/// Transport of an event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Proto {
    /// TCP with flag words (`SYN`, `ACK SYN`, `URG PSH FIN`, empty for NULL).
    Tcp(&'static str),
    /// UDP with its length field.
    Udp(u16),
    /// ICMP type and code.
    Icmp(u8, u8),
    /// Another IP protocol number.
    Other(u8),
}

/// One packet to log.
#[derive(Clone, Debug)]
pub struct Event {
    /// Microseconds from the start of the log.
    pub at_us: u64,
    /// Source address.
    pub src: [u8; 4],
    /// Destination address.
    pub dst: [u8; 4],
    /// Protocol and its details.
    pub proto: Proto,
    /// Source port (TCP/UDP).
    pub sport: u16,
    /// Destination port (TCP/UDP).
    pub dport: u16,
    /// TTL as received.
    pub ttl: u8,
    /// IP ID.
    pub id: u16,
    /// IP total length.
    pub len: u16,
    /// TCP window.
    pub window: u16,
    /// True when the firewall let it through.
    pub accept: bool,
    /// True when the firewall host sent it itself (no input interface).
    pub outbound: bool,
}

impl Event {
    /// A dropped TCP SYN with scanner-like defaults.
    pub fn syn(at_us: u64, src: [u8; 4], dst: [u8; 4], sport: u16, dport: u16) -> Event {
        Event {
            at_us,
            src,
            dst,
            proto: Proto::Tcp("SYN"),
            sport,
            dport,
            ttl: 52,
            id: 0,
            len: 44,
            window: 1024,
            accept: false,
            outbound: false,
        }
    }
}

const MONTH_DAYS: [u32; 12] = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Appends the event as an iptables/ufw LOG line with a BSD syslog time,
/// counting from March 1 (of a leap year) at midnight.
pub(crate) fn write_line(out: &mut String, e: &Event) {
    let secs = e.at_us / 1_000_000;
    let (mut day, rest) = ((secs / 86_400) as u32, secs % 86_400);
    let mut month = 2usize;
    while day >= MONTH_DAYS[month % 12] {
        day -= MONTH_DAYS[month % 12];
        month += 1;
    }
    let (h, m, s) = (rest / 3600, (rest % 3600) / 60, rest % 60);
    let _ = write!(
        out,
        "{} {:>2} {:02}:{:02}:{:02} fw kernel: [{:>5}.{:06}] ",
        MONTHS[month % 12],
        day + 1,
        h,
        m,
        s,
        secs,
        e.at_us % 1_000_000
    );
    out.push_str(if e.accept {
        "[UFW ALLOW] "
    } else {
        "[UFW BLOCK] "
    });
    if e.outbound {
        out.push_str("IN= OUT=eth0 ");
    } else {
        out.push_str("IN=eth0 OUT= MAC=00:16:3e:5a:0c:01:00:25:90:aa:bb:cc:08:00 ");
    }
    let [a, b, c, d] = e.src;
    let [w, x, y, z] = e.dst;
    let _ = write!(
        out,
        "SRC={a}.{b}.{c}.{d} DST={w}.{x}.{y}.{z} LEN={} TOS=0x00 PREC=0x00 TTL={} ID={} ",
        e.len, e.ttl, e.id
    );
    match e.proto {
        Proto::Tcp(flags) => {
            let _ = write!(
                out,
                "PROTO=TCP SPT={} DPT={} WINDOW={} RES=0x00 {}{}URGP=0",
                e.sport,
                e.dport,
                e.window,
                flags,
                if flags.is_empty() { "" } else { " " }
            );
        }
        Proto::Udp(len) => {
            let _ = write!(out, "PROTO=UDP SPT={} DPT={} LEN={len}", e.sport, e.dport);
        }
        Proto::Icmp(t, c) => {
            let _ = write!(out, "PROTO=ICMP TYPE={t} CODE={c} ID={} SEQ=1", e.id);
        }
        Proto::Other(p) => {
            let _ = write!(out, "PROTO={p}");
        }
    }
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_look_like_ufw() {
        let mut out = String::new();
        let mut e = Event::syn(
            86_400_000_000 + 3_723_000_001,
            [1, 2, 3, 4],
            [5, 6, 7, 8],
            40000,
            22,
        );
        e.id = 7;
        write_line(&mut out, &e);
        assert_eq!(
            out,
            "Mar  2 01:02:03 fw kernel: [90123.000001] [UFW BLOCK] IN=eth0 OUT= MAC=00:16:3e:5a:0c:01:00:25:90:aa:bb:cc:08:00 SRC=1.2.3.4 DST=5.6.7.8 LEN=44 TOS=0x00 PREC=0x00 TTL=52 ID=7 PROTO=TCP SPT=40000 DPT=22 WINDOW=1024 RES=0x00 SYN URGP=0\n"
        );
    }
}
