//! The transport's framing helpers on any bytes: message spans lie inside the buffer, back to
//! back from 0; one-message checks and send preparation never panic and agree with the spans;
//! flag helpers take any type and flags.
#![no_main]
use cttimeout_codec::decode::{decode, Body};
use cttimeout_codec::{format, inspect, wire};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (spans, err) = wire::split_messages(data);
    let mut next = 0;
    for &(o, l) in &spans {
        assert_eq!(o, next);
        assert!(l >= 16 && o + l <= data.len());
        next = o + l;
    }
    if let Some(e) = &err {
        assert!(e.offset <= data.len());
    }
    let one = wire::check_one_message(data);
    if let Ok(h) = one {
        // The walker also wants nlmsg_len a multiple of 4 (what libmnl and the kernel build);
        // the one-message check (for raw requests, which the kernel takes unpadded) does not.
        if h.len % 4 == 0 {
            assert_eq!(spans.len(), 1);
            assert!(err.is_none());
        } else {
            assert!(spans.is_empty() && err.is_some_and(|e| e.code() == "ERR_ALIGNMENT"));
        }
    }
    let mut copy = data.to_vec();
    let seq = data.len() as u32;
    if wire::prepare_for_send(&mut copy, seq).is_ok() {
        assert_eq!(&copy[8..12], &seq.to_le_bytes());
    }
    if data.len() >= 4 {
        let ty = u16::from_le_bytes([data[0], data[1]]);
        let flags = u16::from_le_bytes([data[2], data[3]]);
        let _ = wire::is_dump(ty, flags);
        let _ = wire::wire_flags(ty, flags);
        let (name, names) = inspect::header_names(ty, flags);
        assert!(!name.is_empty());
        drop(names);
        let _ = wire::probe_request(data[0]);
    }
    for m in &decode(data).messages {
        if let Body::Timeout(t) = &m.body {
            assert!(format::nfct_bytes(t).ends_with(b"};"));
        }
    }
});
