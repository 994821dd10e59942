//! One regression test per libnetfilter_cttimeout 1.0.1 defect (PROTOCOL.md §8.2), showing
//! what this codec does instead. Defects that live in the C object API itself (2's buffer
//! handling, 5, 8's NULL free) are also tested against the TS object API in
//! test/package/object-api.test.ts.

use cttimeout_codec::decode::{decode, Body, Timeout};
use cttimeout_codec::encode::{encode, EncodeOptions, NewMode, PolicyRef, Request};
use cttimeout_codec::protocol::{self, PROTOCOLS};
use cttimeout_codec::{format, json};

fn msg(payload_attrs: &[u8], ty: u16) -> Vec<u8> {
    let mut b = Vec::new();
    let len = (16 + 4 + payload_attrs.len()) as u32;
    b.extend_from_slice(&len.to_le_bytes());
    b.extend_from_slice(&ty.to_le_bytes());
    b.extend_from_slice(&[2, 0]); // flags: MULTI
    b.extend_from_slice(&1u32.to_le_bytes()); // seq
    b.extend_from_slice(&0u32.to_le_bytes()); // pid
    b.extend_from_slice(&[0, 0, 0, 0]); // nfgenmsg
    b.extend_from_slice(payload_attrs);
    b
}

fn timeout(bytes: &[u8]) -> Timeout<'_> {
    let d = decode(bytes);
    assert!(d.error.is_none(), "{:?}", d.error);
    match d.messages.into_iter().next().unwrap().body {
        Body::Timeout(t) => t,
        b => panic!("{b:?}"),
    }
}

const L4_SCTP: [u8; 8] = [5, 0, 3, 0, 132, 0, 0, 0];

#[test]
fn defect_1_sctp_replies_from_modern_kernels_are_read_whole() {
    // DATA with all 9 SCTP states plus attribute 10 (DATA_SENT, briefly in 6.2-rc).
    let mut attrs = L4_SCTP.to_vec();
    let mut data = Vec::new();
    for a in 1u16..=10 {
        data.extend_from_slice(&[8, 0]);
        data.extend_from_slice(&a.to_le_bytes());
        data.extend_from_slice(&(u32::from(a) * 10).to_be_bytes());
    }
    attrs.extend_from_slice(&((4 + data.len()) as u16).to_le_bytes());
    attrs.extend_from_slice(&0x8004u16.to_le_bytes());
    attrs.extend_from_slice(&data);
    let bytes = msg(&attrs, 0x0800);
    let t = timeout(&bytes);
    let ts = t.timeouts.as_ref().unwrap();
    assert_eq!(ts.get(8), Some(80), "HEARTBEAT_SENT");
    assert_eq!(ts.get(9), Some(90), "HEARTBEAT_ACKED");
    assert_eq!(ts.unknown.len(), 1, "attribute 10 is kept, not written past an array");
    assert_eq!(ts.unknown[0].kind(), 10);
}

#[test]
fn defect_2_formatting_always_returns_the_whole_text() {
    for p in PROTOCOLS {
        let states: Vec<(u16, u32)> = p.states.iter().map(|s| (s.attr, u32::MAX)).collect();
        let name = [b'n'; 31];
        let r = Request::new_policy(
            PolicyRef { name: &name, l3proto: 10, l4proto: p.number, timeouts: &states },
            NewMode::Create,
        );
        let bytes = encode(&r, &EncodeOptions::default()).unwrap();
        let text = format::nfct_text(&timeout(&bytes));
        let shown = p.states.iter().filter(|s| s.nfct).count();
        let expect_len = (".".len() + 31 + " = {\n".len())
            + "\t.l3proto = 10,\n".len()
            + format!("\t.l4proto = {},\n", p.number).len()
            + "\t.policy = {\n".len()
            + p.states
                .iter()
                .filter(|s| s.nfct)
                .map(|s| format!("\t\t.{} = 4294967295,\n", s.name).len())
                .sum::<usize>()
            + "\t},\n};".len();
        assert_eq!(text.len(), expect_len, "{}", p.name);
        assert_eq!(text.matches("4294967295").count(), shown);
    }
}

#[test]
fn defect_3_state_index_equal_to_the_state_count_is_rejected() {
    for p in PROTOCOLS {
        let max = p.max_attr();
        let one = [(max, 1)];
        let ok = Request::new_policy(
            PolicyRef { name: b"x", l3proto: 2, l4proto: p.number, timeouts: &one },
            NewMode::Create,
        );
        assert!(encode(&ok, &EncodeOptions::default()).is_ok(), "{}", p.name);
        for bad in [0, max + 1] {
            let one = [(bad, 1)];
            let r = Request::new_policy(
                PolicyRef { name: b"x", l3proto: 2, l4proto: p.number, timeouts: &one },
                NewMode::Create,
            );
            assert_eq!(
                encode(&r, &EncodeOptions::default()).unwrap_err().code,
                "ERR_UNKNOWN_STATE",
                "{} attr {bad}",
                p.name
            );
        }
    }
}

#[test]
fn defect_4_state_names_are_bounds_checked() {
    for p in PROTOCOLS {
        assert!(p.state(0).is_none());
        assert!(p.state(p.max_attr() + 1).is_none());
        assert!(p.state(u16::MAX).is_none());
        assert_eq!(p.state(p.max_attr()).unwrap().attr, p.max_attr());
    }
    assert!(protocol::by_number(50).is_none(), "unknown protocols are None, nothing printed to stdout");
}

#[test]
fn defect_5_removing_one_state_touches_nothing_else() {
    let all = [(1, 11), (2, 22), (3, 33)];
    let without_2 = [(1, 11), (3, 33)];
    let r = |t: &'static [(u16, u32)]| {
        encode(
            &Request::new_policy(PolicyRef { name: b"p", l3proto: 2, l4proto: 6, timeouts: t }, NewMode::Create),
            &EncodeOptions::default(),
        )
        .unwrap()
    };
    let (a, b) = (r(Box::leak(Box::new(all))), r(Box::leak(Box::new(without_2))));
    let (ta, tb) = (timeout(&a), timeout(&b));
    assert_eq!((tb.name, tb.l3proto, tb.l4proto), (ta.name, ta.l3proto, ta.l4proto), "L3PROTO survives");
    let got: Vec<(u16, u32)> = tb.timeouts.as_ref().unwrap().iter().map(|(s, v)| (s.attr, v)).collect();
    assert_eq!(got, without_2);
}

#[test]
fn defect_6_long_names_are_errors_not_truncated() {
    let name = [b'a'; 32];
    let r = Request::new_policy(PolicyRef { name: &name, l3proto: 2, l4proto: 6, timeouts: &[] }, NewMode::Create);
    assert_eq!(encode(&r, &EncodeOptions::default()).unwrap_err().code, "ERR_NAME_TOO_LONG");
    let mut attrs = vec![37, 0, 1, 0];
    attrs.extend_from_slice(&[b'a'; 32]);
    attrs.extend_from_slice(&[0, 0, 0, 0]);
    let e = decode(&msg(&attrs, 0x0800)).error.unwrap();
    assert_eq!((e.code(), e.offset), ("ERR_NAME_TOO_LONG", 24));
}

#[test]
fn defect_7_parse_errors_are_returned_with_offset_and_reason() {
    // L3PROTO with 4 bytes instead of 2; then a name without NUL.
    let bytes = msg(&[8, 0, 2, 0, 0, 2, 0, 0], 0x0800);
    let e = decode(&bytes).error.unwrap();
    assert_eq!((e.code(), e.offset), ("ERR_ATTR_SIZE", 20));
    assert_eq!(e.to_string(), "at byte 20: CTA_TIMEOUT_L3PROTO must have a 2-byte payload, found 4");
    let e = decode(&msg(&[7, 0, 1, 0, b'a', b'b', b'c', 0], 0x0800)).error.unwrap();
    assert_eq!(e.code(), "ERR_NAME_UNTERMINATED");
}

#[test]
fn defect_8_a_policy_nest_without_states_or_protocol_is_safe() {
    // Empty DATA: formatted without a policy block (the C library would read a NULL array).
    let mut attrs = vec![5, 0, 3, 0, 6, 0, 0, 0];
    attrs.extend_from_slice(&[4, 0, 4, 0x80]);
    let bytes = msg(&attrs, 0x0800);
    assert_eq!(format::nfct_text(&timeout(&bytes)), "\t.l4proto = 6,\n};");
    // DATA without L4PROTO: an error naming the problem, not a guess.
    let e = decode(&msg(&[4, 0, 4, 0x80], 0x0800)).error.unwrap();
    assert_eq!(e.code(), "ERR_UNKNOWN_PROTOCOL");
}

#[test]
fn defect_9_use_count_heartbeats_own_tables_and_json() {
    let b = msg(&[8, 0, 5, 0, 0, 0, 0, 2], 0x0800);
    assert_eq!(timeout(&b).use_count, Some(2));
    let gre = protocol::by_name("gre").unwrap();
    assert_eq!(gre.states[1].default, 180, "GRE has its own table, not UDP's");
    let sctp = protocol::by_name("sctp").unwrap();
    assert_eq!(sctp.state_by_name("heartbeat_sent").unwrap().attr, 8);
    let j: serde_json::Value = serde_json::from_str(&json::datagram_json(&decode(&b))).unwrap();
    assert_eq!(j["messages"][0]["use"], 2);
}
