//! The WebAssembly exports (wasm-bindgen). Each call takes a whole datagram or a whole batch,
//! so a dump crosses the boundary once per datagram, not once per attribute.
//!
//! The hot paths (decode, encode) use buffers that live in WebAssembly memory and are reused:
//! JS writes its input straight into them and reads the output in place, so a call allocates
//! and copies nothing across the boundary. The pointers are valid until the next call into
//! this module (memory may grow then); the TS side (packages/cttimeout/src/codec/binding.ts)
//! takes views right after each call and never keeps them. Rarer calls take and return
//! ordinary values.
#![allow(unsafe_code)] // wasm-bindgen's generated glue

use crate::decode::{decode, Body};
use crate::{format, inspect, json, tape, wire};
use std::cell::RefCell;
use wasm_bindgen::prelude::*;

thread_local! {
    /// Datagram to decode, or encode names.
    static INPUT: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
    /// Encode spec.
    static SPEC: RefCell<Vec<u32>> = const { RefCell::new(Vec::new()) };
    /// Decode tape.
    static WORDS: RefCell<Vec<u32>> = const { RefCell::new(Vec::new()) };
    /// Encoded messages.
    static OUTPUT: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
    static LAST_ERROR: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Room for `len` input bytes (a datagram to decode, or encode names); returns where to write.
#[wasm_bindgen(js_name = inputBuffer)]
pub fn input_buffer(len: usize) -> *mut u8 {
    INPUT.with(|b| {
        let mut b = b.borrow_mut();
        b.resize(len, 0);
        b.as_mut_ptr()
    })
}

/// Room for `len` words of encode spec (tape.rs); returns where to write.
#[wasm_bindgen(js_name = specBuffer)]
pub fn spec_buffer(len: usize) -> *mut u32 {
    SPEC.with(|b| {
        let mut b = b.borrow_mut();
        b.resize(len, 0);
        b.as_mut_ptr()
    })
}

/// Decodes the first `len` input bytes; returns the tape's address (tape.rs layout).
#[wasm_bindgen(js_name = decodeInput)]
pub fn decode_input(len: usize) -> *const u32 {
    INPUT.with(|i| {
        WORDS.with(|w| {
            let input = i.borrow();
            let mut words = w.borrow_mut();
            tape::decode_tape_into(&input[..len.min(input.len())], &mut words);
            words.as_ptr()
        })
    })
}

/// Encodes the batch in the spec and input buffers. Returns the length of the messages at
/// `outputPtr()`, or -1 with `lastError()` saying why.
#[wasm_bindgen(js_name = encodeInput)]
pub fn encode_input(spec_len: usize, names_len: usize) -> i32 {
    let r = SPEC.with(|s| {
        INPUT.with(|i| {
            OUTPUT.with(|o| {
                let (s, i, mut o) = (s.borrow(), i.borrow(), o.borrow_mut());
                tape::encode_batch_into(&s[..spec_len.min(s.len())], &i[..names_len.min(i.len())], &mut o)
                    .map(|()| o.len() as i32)
            })
        })
    });
    match r {
        Ok(len) => len,
        Err(e) => {
            LAST_ERROR.with(|l| *l.borrow_mut() = e.to_json());
            -1
        }
    }
}

/// Address of the last encoded messages.
#[wasm_bindgen(js_name = outputPtr)]
pub fn output_ptr() -> *const u8 {
    OUTPUT.with(|o| o.borrow().as_ptr())
}

/// JSON `{code, index, field, message}` of the last failed encode.
#[wasm_bindgen(js_name = lastError)]
pub fn last_error() -> String {
    LAST_ERROR.with(|l| l.borrow().clone())
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

/// `{type, flags}`: the names the inspector tree gives a message type and its flags.
#[wasm_bindgen(js_name = headerNames)]
pub fn header_names(msg_type: u16, flags: u16) -> String {
    let (ty, flags) = inspect::header_names(msg_type, flags);
    serde_json::json!({ "type": ty, "flags": flags }).to_string()
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
        v["error"] = serde_json::to_value(json::ErrorJson(e)).unwrap_or_default();
    }
    v.to_string()
}

/// Exactly the bytes nfct writes for every policy or defaults message of a datagram (each
/// block and its newline; names as their raw bytes), framed as `[text length: u32 LE][text]`
/// followed by the decode error's JSON `{code, offset, message}` when decoding stopped.
#[wasm_bindgen(js_name = formatNfctBytes)]
pub fn format_nfct_bytes(bytes: &[u8]) -> Vec<u8> {
    let d = decode(bytes);
    let mut out = vec![0u8; 4];
    for m in &d.messages {
        if let Body::Timeout(t) = &m.body {
            out.extend_from_slice(&format::nfct_bytes(t));
            out.push(b'\n');
        }
    }
    let len = (out.len() - 4) as u32;
    out[..4].copy_from_slice(&len.to_le_bytes());
    if let Some(e) = &d.error {
        // Serializing into a Vec cannot fail.
        let _ = serde_json::to_writer(&mut out, &json::ErrorJson(e));
    }
    out
}

/// Checks the first `len` input bytes as a policy name with the encoder's rules (at most 31
/// bytes, no NUL): 0 when valid, else -1 with `lastError()` the JSON `{code, field, message}`.
/// The name is written into the input buffer, as for encode: no copy across the boundary and
/// no string back on success (a client checks every name it is given).
#[wasm_bindgen(js_name = checkInputName)]
pub fn check_input_name(len: usize) -> i32 {
    let r = INPUT.with(|i| crate::encode::check_name(&i.borrow()[..len.min(i.borrow().len())]));
    match r {
        Ok(()) => 0,
        Err(e) => {
            let json =
                serde_json::json!({ "code": e.code.as_str(), "field": e.field, "message": e.message }).to_string();
            LAST_ERROR.with(|l| *l.borrow_mut() = json);
            -1
        }
    }
}

/// Whether the kernel answers this request as a dump (wire.rs).
#[wasm_bindgen(js_name = isDump)]
pub fn is_dump(msg_type: u16, flags: u16) -> bool {
    wire::is_dump(msg_type, flags)
}

/// The flags a request goes out with (wire.rs).
#[wasm_bindgen(js_name = wireFlags)]
pub fn wire_flags(msg_type: u16, flags: u16) -> u16 {
    wire::wire_flags(msg_type, flags)
}

/// `wire::prepare_for_send` on a message whose first `min(total, 16)` bytes JS wrote at
/// `inputBuffer(16)`, `total` bytes long: the header is rewritten there, for JS to copy back.
/// 1 for a dump, 0 for another request, -1 with `lastError()` saying why it is not one message.
#[wasm_bindgen(js_name = prepareInputHeader)]
pub fn prepare_input_header(total: usize, seq: u32) -> i32 {
    let r = INPUT.with(|i| {
        let mut input = i.borrow_mut();
        let n = total.min(crate::consts::NLMSG_HDRLEN).min(input.len());
        wire::prepare_header(&mut input[..n], total, seq)
    });
    match r {
        Ok(dump) => i32::from(dump),
        Err(e) => {
            set_decode_error(&e);
            -1
        }
    }
}

/// "" when `bytes` is exactly one message, else the error's JSON `{code, offset, message}`.
#[wasm_bindgen(js_name = checkOneMessage)]
pub fn check_one_message(bytes: &[u8]) -> String {
    match wire::check_one_message(bytes) {
        Ok(_) => String::new(),
        Err(e) => serde_json::to_string(&json::ErrorJson(&e)).unwrap_or_default(),
    }
}

/// `[offset, length]` of each message, then `u32::MAX` if the walk stopped on an error
/// (`lastError()` then holds its JSON).
#[wasm_bindgen(js_name = splitMessages)]
pub fn split_messages(buf: &[u8]) -> Vec<u32> {
    let (spans, err) = wire::split_messages(buf);
    let mut out: Vec<u32> = spans.iter().flat_map(|&(o, l)| [o as u32, l as u32]).collect();
    if let Some(e) = err {
        set_decode_error(&e);
        out.push(u32::MAX);
    }
    out
}

/// The probe GET a transport sends when it opens (wire.rs).
#[wasm_bindgen(js_name = probeRequest)]
pub fn probe_request(subsystem: u8) -> Vec<u8> {
    wire::probe_request(subsystem)
}

/// NLMSG_NOOP, which the kernel always ACKs (wire.rs).
#[wasm_bindgen(js_name = barrier)]
pub fn barrier() -> Vec<u8> {
    wire::barrier().to_vec()
}

fn set_decode_error(e: &crate::error::DecodeError) {
    LAST_ERROR.with(|l| *l.borrow_mut() = serde_json::to_string(&json::ErrorJson(e)).unwrap_or_default());
}
