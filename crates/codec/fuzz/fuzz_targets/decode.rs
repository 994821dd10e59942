//! Any bytes: decoding, the inspector tree, the WASM tape, JSON and nfct text never panic, and
//! the tree and the decoder agree on where decoding stops.
#![no_main]
use cttimeout_codec::decode::{decode, Body};
use cttimeout_codec::{format, inspect, json, tape};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let d = decode(data);
    if let Some(e) = &d.error {
        assert!(e.offset <= data.len());
    }
    let t = inspect::inspect(data);
    assert_eq!(t.error.as_ref().map(|e| (e.code, e.offset)), d.error.as_ref().map(|e| (e.code(), e.offset)));
    for m in &d.messages {
        if let Body::Timeout(x) = &m.body {
            assert!(format::nfct_text(x).ends_with("};"));
        }
    }
    let j: serde_json::Value = serde_json::from_str(&json::datagram_json(&d)).expect("valid JSON");
    assert_eq!(j["messages"].as_array().map(Vec::len), Some(d.messages.len()));
    let mut words = Vec::new();
    tape::decode_tape_into(data, &mut words);
    assert!(words[0] as usize <= words.len());
});
