use proptest::prelude::*;

use super::*;
use crate::resolve::stub::{StubRecord, StubReply, build_response};

const PTR_NAME: &str = "4.3.2.1.in-addr.arpa";

#[test]
fn query_layout() {
    let query = encode_query(0xbeef, "dial1.netcom", TYPE_A).unwrap_or_default();
    assert_eq!(
        query,
        [
            &[0xbe, 0xef, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0][..],
            b"\x05dial1\x06netcom\x00",
            &[0, 1, 0, 1],
        ]
        .concat()
    );
    assert_eq!(encode_name("").unwrap_or_default(), vec![0]);
    assert_eq!(encode_name("a..b"), None);
    assert_eq!(encode_name(&"a".repeat(64)), None);
    assert_eq!(encode_name(&"abc.".repeat(64)), None);
}

#[test]
fn ptr_answer() {
    let reply = StubReply::records(vec![StubRecord::ptr(PTR_NAME, "User.DSL.Example.NET")]);
    let packet = build_response(7, PTR_NAME, TYPE_PTR, &reply);
    let response =
        parse_response(&packet, 7, PTR_NAME, TYPE_PTR).unwrap_or_else(|err| panic!("{err:?}"));
    assert_eq!(response.rcode, RCODE_NO_ERROR);
    assert!(!response.truncated);
    let (found, ttl) = answers_for(&response, PTR_NAME, TYPE_PTR);
    assert_eq!(found, vec![RecordData::Name("user.dsl.example.net".into())]);
    assert_eq!(ttl, 3600);
}

#[test]
fn other_queries_are_not_ours() {
    let reply = StubReply::records(vec![StubRecord::ptr(PTR_NAME, "a.example")]);
    let packet = build_response(7, PTR_NAME, TYPE_PTR, &reply);
    assert_eq!(
        parse_response(&packet, 8, PTR_NAME, TYPE_PTR),
        Err(WireError::NotOurs)
    );
    assert_eq!(
        parse_response(&packet, 7, "5.3.2.1.in-addr.arpa", TYPE_PTR),
        Err(WireError::NotOurs)
    );
    assert_eq!(
        parse_response(&packet, 7, PTR_NAME, TYPE_A),
        Err(WireError::NotOurs)
    );
    let query = encode_query(7, PTR_NAME, TYPE_PTR).unwrap_or_default();
    assert_eq!(
        parse_response(&query, 7, PTR_NAME, TYPE_PTR),
        Err(WireError::NotOurs)
    );
}

#[test]
fn cname_chains_and_negative_answers() {
    // Classless reverse delegation (RFC 2317): the PTR sits behind a CNAME.
    let reply = StubReply::records(vec![
        StubRecord::cname(PTR_NAME, "4.0-25.3.2.1.in-addr.arpa"),
        StubRecord::ptr("4.0-25.3.2.1.in-addr.arpa", "host.example.org"),
        StubRecord::ptr("unrelated.in-addr.arpa", "forged.example.org"),
    ]);
    let packet = build_response(1, PTR_NAME, TYPE_PTR, &reply);
    let response =
        parse_response(&packet, 1, PTR_NAME, TYPE_PTR).unwrap_or_else(|err| panic!("{err:?}"));
    let (found, _) = answers_for(&response, PTR_NAME, TYPE_PTR);
    assert_eq!(found, vec![RecordData::Name("host.example.org".into())]);

    let packet = build_response(2, "gone.example", TYPE_A, &StubReply::nx_domain());
    let response =
        parse_response(&packet, 2, "gone.example", TYPE_A).unwrap_or_else(|err| panic!("{err:?}"));
    assert_eq!(response.rcode, RCODE_NX_DOMAIN);
    assert_eq!(response.negative_ttl, Some(900));
    assert!(answers_for(&response, "gone.example", TYPE_A).0.is_empty());
}

#[test]
fn addresses_of_both_families() {
    let reply = StubReply::records(vec![
        StubRecord::addr("www.example", "192.0.2.7"),
        StubRecord::addr("www.example", "2001:db8::7"),
    ]);
    for (qtype, expected) in [(TYPE_A, "192.0.2.7"), (TYPE_AAAA, "2001:db8::7")] {
        let packet = build_response(3, "www.example", qtype, &reply);
        let response = parse_response(&packet, 3, "www.example", qtype)
            .unwrap_or_else(|err| panic!("{err:?}"));
        let (found, _) = answers_for(&response, "www.example", qtype);
        let expected: IpAddr = expected.parse().unwrap_or_else(|err| panic!("{err}"));
        assert_eq!(found, vec![RecordData::Addr(expected)]);
    }
}

#[test]
fn hostile_labels_are_escaped() {
    // A label holding a dot, a blank and a newline cannot pose as separate labels.
    let rdata = b"\x0bevil.\x20host\n\x07example\x00".to_vec();
    let reply = StubReply::records(vec![StubRecord::raw(PTR_NAME, TYPE_PTR, rdata)]);
    let packet = build_response(4, PTR_NAME, TYPE_PTR, &reply);
    let response =
        parse_response(&packet, 4, PTR_NAME, TYPE_PTR).unwrap_or_else(|err| panic!("{err:?}"));
    let (found, _) = answers_for(&response, PTR_NAME, TYPE_PTR);
    assert_eq!(
        found,
        vec![RecordData::Name("evil\\046\\032host\\010.example".into())]
    );
}

#[test]
fn pointer_loops_and_truncation_are_errors() {
    let reply = StubReply::records(vec![StubRecord::ptr(PTR_NAME, "a.example")]);
    let mut packet = build_response(5, PTR_NAME, TYPE_PTR, &reply);
    // Replace the PTR target with a pointer to itself.
    let target_at = packet.len() - b"\x01a\x07example\x00".len();
    packet.truncate(target_at);
    packet.extend_from_slice(&[0xc0 | ((target_at >> 8) as u8), target_at as u8]);
    let rdlength_at = target_at - 2;
    packet[rdlength_at..target_at].copy_from_slice(&2u16.to_be_bytes());
    assert_eq!(
        parse_response(&packet, 5, PTR_NAME, TYPE_PTR),
        Err(WireError::BadName)
    );
    let whole = build_response(5, PTR_NAME, TYPE_PTR, &reply);
    for cut in 0..whole.len() {
        assert!(
            parse_response(&whole[..cut], 5, PTR_NAME, TYPE_PTR).is_err(),
            "{cut}"
        );
    }
}

proptest! {
    #[test]
    fn never_panics_on_any_packet(packet in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = parse_response(&packet, 0, PTR_NAME, TYPE_PTR);
        let _ = read_name(&packet, 0);
    }

    #[test]
    fn never_panics_on_damaged_answers(flips in proptest::collection::vec((0usize..200, any::<u8>()), 1..8)) {
        let reply = StubReply::records(vec![
            StubRecord::cname(PTR_NAME, "x.example"),
            StubRecord::ptr("x.example", "host.example.org"),
        ]);
        let mut packet = build_response(9, PTR_NAME, TYPE_PTR, &reply);
        for (at, byte) in flips {
            let len = packet.len();
            if let Some(slot) = packet.get_mut(at % len) {
                *slot = byte;
            }
        }
        if let Ok(response) = parse_response(&packet, 9, PTR_NAME, TYPE_PTR) {
            let _ = answers_for(&response, PTR_NAME, TYPE_PTR);
        }
    }
}
