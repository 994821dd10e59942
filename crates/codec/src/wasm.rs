//! The WebAssembly exports (wasm-bindgen). Each call takes a whole datagram or a whole batch,
//! so a dump crosses the boundary once per datagram, not once per attribute. Results are byte
//! buffers or JSON text; the TS side (packages/cttimeout/src/codec) gives them types.
#![allow(unsafe_code)] // wasm-bindgen's generated glue

use crate::decode::{decode, Body};
use crate::{format, inspect, json, tape};
use std::cell::RefCell;
use wasm_bindgen::prelude::*;

thread_local! {
    static LAST_ERROR: RefCell<String> = const { RefCell::new(String::new()) };
}

/// A datagram as the decode tape (see tape.rs).
#[wasm_bindgen(js_name = decodeTape)]
pub fn decode_tape(bytes: &[u8]) -> Vec<u8> {
    tape::decode_tape(bytes)
}

/// A datagram as JSON text: `{messages, error?}`.
#[wasm_bindgen(js_name = decodeJson)]
pub fn decode_json(bytes: &[u8]) -> String {
    json::datagram_json(&decode(bytes))
}

/// The inspector's field tree of a datagram, as JSON text.
#[wasm_bindgen(js_name = inspectJson)]
pub fn inspect_json(bytes: &[u8]) -> String {
    inspect::inspect_json(bytes)
}

/// nfct's text for every policy or defaults message of a datagram, as JSON text
/// `{blocks: string[], error?}` (one block per message, without the newline nfct adds).
#[wasm_bindgen(js_name = formatNfct)]
pub fn format_nfct(bytes: &[u8]) -> String {
    let d = decode(bytes);
    let blocks: Vec<String> = d
        .messages
        .iter()
        .filter_map(|m| match &m.body {
            Body::Timeout(t) => Some(format::nfct_text(t)),
            _ => None,
        })
        .collect();
    let mut v = serde_json::json!({ "blocks": blocks });
    if let Some(e) = &d.error {
        v["error"] =
            serde_json::json!({ "code": e.code(), "offset": e.offset, "message": e.to_string() });
    }
    v.to_string()
}

/// Encodes a batch (see tape.rs). Returns an empty array on error; `lastError()` says why.
#[wasm_bindgen(js_name = encodeBatch)]
pub fn encode_batch(spec: &[f64], names: &[u8]) -> Vec<u8> {
    match tape::encode_batch(spec, names) {
        Ok(b) => b,
        Err(e) => {
            LAST_ERROR.with(|l| *l.borrow_mut() = e.to_json());
            Vec::new()
        }
    }
}

/// JSON `{code, index, field, message}` of the last failed `encodeBatch`.
#[wasm_bindgen(js_name = lastError)]
pub fn last_error() -> String {
    LAST_ERROR.with(|l| l.borrow().clone())
}
