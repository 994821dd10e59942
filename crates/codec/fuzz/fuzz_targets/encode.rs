//! Any batch spec the JS side could pass: encoding never panics, and whatever it accepts
//! decodes back without error, one message per request.
#![no_main]
use cttimeout_codec::{decode, tape};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (spec_bytes, names) = data.split_at(data.len() / 2);
    // Small integers mostly, with -1 and oddities mixed in, like real specs.
    let spec: Vec<f64> = spec_bytes
        .iter()
        .map(|&b| match b {
            0xff => -1.0,
            0xfe => 0.5,
            0xfd => f64::NAN,
            0xfc => 4294967296.0,
            b => f64::from(b % 40),
        })
        .collect();
    if let Ok(out) = tape::encode_batch(&spec, names) {
        let d = decode(&out);
        assert!(d.error.is_none(), "{:?}", d.error);
    }
});
