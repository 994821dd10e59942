//! encode → decode round trip: any request the encoder accepts decodes back to exactly the
//! same command, flags, name bytes, families, protocol and values, as one message filling the
//! bytes; a refused request leaves the output buffer as it was.
#![no_main]
use cttimeout_codec::consts::{Command, NLM_F_REQUEST};
use cttimeout_codec::decode::{decode, Body};
use cttimeout_codec::encode::{encode_into, EncodeOptions, Request};
use libfuzzer_sys::fuzz_target;

/// Protocol numbers with tables, a few without, and extremes.
const L4: [u8; 12] = [6, 17, 136, 1, 58, 132, 47, 255, 33, 0, 50, 254];

fuzz_target!(|data: &[u8]| {
    if data.len() < 12 {
        return;
    }
    let command = Command::ALL[usize::from(data[0]) % 5];
    let present = data[1];
    let flags = u16::from_le_bytes([data[2], data[3]]);
    let name_len = usize::from(data[4] % 40).min(data.len() - 12);
    let l3 = u16::from_le_bytes([data[5], data[6]]);
    let l4 = L4[usize::from(data[7]) % L4.len()];
    let max_seconds = match data[8] % 4 {
        0 => u32::MAX,
        1 => u32::MAX / 250,
        2 => u32::MAX / 1000,
        _ => 0,
    };
    let seq = u32::from_le_bytes([data[9], data[10], data[11], 0]);
    let (name, rest) = data[12..].split_at(name_len);
    let timeouts: Vec<(u16, u32)> =
        rest.chunks_exact(5).map(|c| (u16::from(c[0] % 14), u32::from_le_bytes([c[1], c[2], c[3], c[4]]))).collect();
    let req = Request {
        command,
        flags,
        name: (present & 1 != 0).then_some(name),
        l3proto: (present & 2 != 0).then_some(l3),
        l4proto: (present & 4 != 0).then_some(l4),
        timeouts: (present & 8 != 0).then_some(&timeouts[..]),
    };
    let opts = EncodeOptions { seq, max_seconds };
    let mut out = vec![0xaa; 3];
    match encode_into(&req, &opts, &mut out) {
        Err(_) => assert_eq!(out, [0xaa; 3], "a refused request wrote bytes"),
        Ok(()) => {
            let bytes = &out[3..];
            let d = decode(bytes);
            assert!(d.error.is_none(), "{:?}", d.error);
            assert_eq!(d.messages.len(), 1);
            let m = &d.messages[0];
            assert_eq!(m.header.len as usize, bytes.len());
            assert_eq!(m.header.ty, command.msg_type());
            assert_eq!(m.header.flags, flags | NLM_F_REQUEST);
            assert_eq!(m.header.seq, seq);
            let Body::Timeout(t) = &m.body else { panic!("not a timeout message: {:?}", m.body) };
            assert_eq!(t.command(), Some(command));
            assert_eq!(t.name, req.name);
            assert_eq!(t.l3proto, req.l3proto);
            assert_eq!(t.l4proto, req.l4proto);
            assert!(t.unknown.is_empty());
            match (&t.timeouts, req.timeouts) {
                (None, None) => {}
                (Some(got), Some(sent)) => {
                    assert!(got.unknown.is_empty());
                    for &(attr, v) in sent {
                        assert!(v <= max_seconds);
                        assert_eq!(got.get(attr), Some(v), "state {attr}");
                    }
                    let sent_attrs = sent.iter().map(|&(a, _)| a).collect::<std::collections::BTreeSet<_>>();
                    for attr in 1..=20u16 {
                        if !sent_attrs.contains(&attr) {
                            assert_eq!(got.get(attr), None, "state {attr} was not sent");
                        }
                    }
                }
                (got, sent) => panic!("DATA mismatch: sent {sent:?}, decoded {got:?}"),
            }
        }
    }
});
