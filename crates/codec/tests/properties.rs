//! Property tests: encode → decode round trips over generated requests of every protocol and
//! operation; random and mutated bytes give errors (with an offset inside the input), never a
//! panic; and the inspector tree and the typed decoder always agree on where decoding stops.

use cttimeout_codec::decode::{decode, Body};
use cttimeout_codec::encode::{encode, encode_into, EncodeOptions, NewMode, PolicyRef, Request};
use cttimeout_codec::protocol::PROTOCOLS;
use cttimeout_codec::{format, inspect, json, tape};
use proptest::prelude::*;

#[derive(Debug, Clone)]
struct Gen {
    op: u8,
    mode: u8,
    name: Vec<u8>,
    l3: u16,
    proto: usize,
    states: Vec<(u16, u32)>,
    seq: u32,
}

fn gen() -> impl Strategy<Value = Gen> {
    (
        0u8..7,
        0u8..3,
        proptest::collection::vec(1u8..=255, 0..=31),
        prop_oneof![Just(2u16), Just(10u16), any::<u16>()],
        0..PROTOCOLS.len(),
        proptest::collection::vec((0usize..16, any::<u32>()), 0..12),
        any::<u32>(),
    )
        .prop_map(|(op, mode, name, l3, proto, raw, seq)| {
            let p = PROTOCOLS[proto];
            // one value per state, states drawn from the protocol's own
            let mut states: Vec<(u16, u32)> = Vec::new();
            for (i, v) in raw {
                let attr = (i % p.states.len()) as u16 + 1;
                if !states.iter().any(|(a, _)| *a == attr) {
                    states.push((attr, v));
                }
            }
            Gen { op, mode, name, l3, proto, states, seq }
        })
}

fn request(g: &Gen) -> Request<'_> {
    let p = PROTOCOLS[g.proto];
    let mode = [NewMode::Create, NewMode::Exclusive, NewMode::Replace][usize::from(g.mode)];
    match g.op {
        0 => Request::new_policy(
            PolicyRef { name: &g.name, l3proto: g.l3, l4proto: p.number, timeouts: &g.states },
            mode,
        ),
        1 => Request::get(&g.name),
        2 => Request::dump(),
        3 => Request::delete(&g.name),
        4 => Request::flush(),
        5 => Request::default_set(Some(g.l3), p.number, &g.states),
        _ => Request::default_get(g.l3, p.number),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn encode_then_decode_gives_the_request_back(g in gen()) {
        let req = request(&g);
        let bytes = encode(&req, &EncodeOptions { seq: g.seq, ..Default::default() }).unwrap();
        prop_assert_eq!(bytes.len() % 4, 0);
        let d = decode(&bytes);
        prop_assert!(d.error.is_none(), "{:?}", d.error);
        prop_assert_eq!(d.messages.len(), 1);
        let m = &d.messages[0];
        prop_assert_eq!(m.header.len as usize, bytes.len());
        prop_assert_eq!(m.header.seq, g.seq);
        prop_assert_eq!(m.header.ty, req.command.msg_type());
        let Body::Timeout(t) = &m.body else { panic!("not a timeout message") };
        prop_assert_eq!(t.name, req.name);
        prop_assert_eq!(t.l3proto, req.l3proto);
        prop_assert_eq!(t.l4proto, req.l4proto);
        match (req.timeouts, &t.timeouts) {
            (None, None) => {}
            (Some(want), Some(got)) => {
                let mut want = want.to_vec();
                want.sort();
                let got: Vec<(u16, u32)> = got.iter().map(|(s, v)| (s.attr, v)).collect();
                prop_assert_eq!(got, want);
            }
            (w, g) => prop_assert!(false, "timeouts {:?} vs {:?}", w, g),
        }
        // The inspector walks the same bytes without complaint.
        prop_assert!(inspect::inspect(&bytes).error.is_none());
    }

    #[test]
    fn a_batch_decodes_to_every_request_in_order(gs in proptest::collection::vec(gen(), 1..20)) {
        let mut buf = Vec::new();
        for (i, g) in gs.iter().enumerate() {
            encode_into(&request(g), &EncodeOptions { seq: i as u32, ..Default::default() }, &mut buf).unwrap();
        }
        let d = decode(&buf);
        prop_assert!(d.error.is_none());
        prop_assert_eq!(d.messages.len(), gs.len());
        for (i, m) in d.messages.iter().enumerate() {
            prop_assert_eq!(m.header.seq, i as u32);
        }
    }

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        check_any_input(&bytes)?;
    }

    #[test]
    fn mutated_messages_never_panic(g in gen(), edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..4), 1..6)) {
        let mut bytes = encode(&request(&g), &EncodeOptions::default()).unwrap();
        // a second message behind it, so errors can happen mid-datagram
        encode_into(&Request::dump(), &EncodeOptions::default(), &mut bytes).unwrap();
        for (at, v, how) in edits {
            if bytes.is_empty() { break; }
            let i = at.index(bytes.len());
            match how {
                0 => bytes[i] = v,
                1 => bytes[i] ^= 1 << (v % 8),
                2 => { bytes.remove(i); }
                _ => bytes.truncate(i),
            }
        }
        check_any_input(&bytes)?;
    }
}

/// What must hold for ANY input.
fn check_any_input(bytes: &[u8]) -> Result<(), TestCaseError> {
    let d = decode(bytes);
    if let Some(e) = &d.error {
        prop_assert!(e.offset <= bytes.len(), "error offset {} past input {}", e.offset, bytes.len());
        prop_assert!(!e.to_string().is_empty());
    }
    let t = inspect::inspect(bytes);
    prop_assert_eq!(t.error.as_ref().map(|e| (e.code, e.offset)), d.error.as_ref().map(|e| (e.code(), e.offset)));
    prop_assert_eq!(t.messages.iter().filter(|n| n.label != "decoding stopped").count() >= d.messages.len(), true);
    for m in &d.messages {
        if let Body::Timeout(x) = &m.body {
            let text = format::nfct_text(x);
            prop_assert!(text.ends_with("};"), "unterminated text {:?}", text);
        }
    }
    let j: serde_json::Value = serde_json::from_str(&json::datagram_json(&d)).unwrap();
    prop_assert_eq!(j["messages"].as_array().unwrap().len(), d.messages.len());
    let mut tp = Vec::new();
    tape::decode_tape_into(bytes, &mut tp);
    prop_assert!(tp[0] as usize <= tp.len());
    prop_assert_eq!(tp.len() - tp[0] as usize, (tp[1] as usize).div_ceil(4));
    Ok(())
}

#[test]
fn every_prefix_of_a_datagram_decodes_or_says_where_it_stops() {
    let caps: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../test/fixtures/protocol-md-captures.json"))
            .unwrap(),
    )
    .unwrap();
    for c in caps.as_array().unwrap() {
        let hex = c["hex"].as_str().unwrap();
        let bytes = json::unhex(hex).unwrap();
        for n in 0..bytes.len() {
            let d = decode(&bytes[..n]);
            match d.error {
                Some(e) => assert!(e.offset <= n),
                // Only a cut at a message boundary is a whole datagram.
                None => {
                    let end = d.messages.last().map_or(0, |m| m.offset + m.header.len as usize);
                    assert_eq!(end, n, "{} cut to {n} bytes decoded without error", c["id"]);
                }
            }
        }
    }
}
