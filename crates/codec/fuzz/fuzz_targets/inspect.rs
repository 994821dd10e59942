//! The inspector tree of any bytes: every node lies inside the input and inside its parent,
//! the JSON form is valid, and when decoding stopped a node says where. (An error's echoed
//! request that does not decode carries its own note, so several nodes may have one.)
#![no_main]
use cttimeout_codec::inspect::{inspect, inspect_json, Node};
use libfuzzer_sys::fuzz_target;

fn walk(n: &Node, lo: usize, hi: usize, errors: &mut usize) {
    assert!(
        n.offset >= lo && n.offset + n.length <= hi,
        "{} [{}+{}] outside [{lo}, {hi})",
        n.label,
        n.offset,
        n.length
    );
    if n.error.is_some() {
        *errors += 1;
    }
    for c in &n.children {
        walk(c, n.offset, n.offset + n.length, errors);
    }
}

fuzz_target!(|data: &[u8]| {
    let t = inspect(data);
    let mut errors = 0;
    for m in &t.messages {
        walk(m, 0, data.len(), &mut errors);
    }
    if let Some(e) = &t.error {
        assert!(e.offset <= data.len());
    }
    assert!(t.error.is_none() || errors >= 1, "decoding stopped but no node says where");
    let j: serde_json::Value = serde_json::from_str(&inspect_json(data)).expect("valid JSON");
    assert_eq!(j["messages"].as_array().map(Vec::len), Some(t.messages.len()));
});
