//! The flat formats that cross the JS/WebAssembly boundary, one call per datagram or batch.
//!
//! Decoding: [`decode_tape`] turns a datagram into one byte buffer the TS reader
//! (packages/cttimeout/src/codec/tape.ts) turns into objects. Policies, the hot path, travel
//! as fixed records of u32 words; everything rarer (ACKs, errors, DONE) travels as the JSON of
//! json.rs, so both paths give identical objects.
//!
//! ```text
//! word 0            W, the number of u32 words (little endian) including this one
//! words 1..W        records, one per message, then an ERROR record if decoding stopped
//!   TIMEOUT  [1, offset, len, type | flags << 16, seq, pid,
//!             cmd | nfgen_family << 8 | version << 16, res_id, present,
//!             name_offset, name_len, l3proto, l4proto, use, state_mask,
//!             value × popcount(state_mask), extras_offset, extras_len]
//!   JSON     [2, text_offset, text_len]      a whole message as JSON
//!   ERROR    [3, text_offset, text_len]      {code, offset, message}
//! bytes 4W..        UTF-8 text referenced by (text_offset, text_len), relative to 4W
//! ```
//! `present` bits are the `PRESENT_*` constants; the name is read by the TS side straight
//! from the datagram it already holds (`name_offset` is absolute). Bit i of `state_mask` is
//! state attribute i + 1. `extras` is a JSON object merged into the message (unknown
//! attributes, non-UTF-8 names), empty when there are none.
//!
//! Encoding: [`encode_batch`] reads requests from one f64 array (so range checks happen here,
//! on the exact numbers JS passed) and names from one byte array, and returns the messages
//! back to back, ready for one sendmsg:
//! ```text
//! [max_seconds, then per request:
//!  op, flags, seq, name_offset, name_len, l3proto, l4proto, n_states, (attr, seconds) × n_states]
//! ```
//! `op` is one of [`OPS`] (the command, and for NEW how it treats an existing name); `flags`
//! -1 means nfct's flags for that op. -1 also marks an absent name, l3proto or l4proto, and
//! `n_states` = -1 means no DATA nest.

use crate::consts::Command;
use crate::decode::{decode, Body};
use crate::encode::{encode_into, nfct_flags, EncodeOptions, NewMode, Request};
use crate::error::EncodeError;
use crate::json::{ErrorJson, ExtrasJson};
use crate::protocol::MAX_STATES;

/// Encode ops: index = op number.
pub const OPS: [(&str, Command, Option<NewMode>); 7] = [
    ("NEW", Command::New, Some(NewMode::Create)),
    ("GET", Command::Get, None),
    ("DELETE", Command::Delete, None),
    ("DEFAULT_SET", Command::DefaultSet, None),
    ("DEFAULT_GET", Command::DefaultGet, None),
    ("NEW_EXCLUSIVE", Command::New, Some(NewMode::Exclusive)),
    ("NEW_REPLACE", Command::New, Some(NewMode::Replace)),
];

pub const KIND_TIMEOUT: u32 = 1;
pub const KIND_JSON: u32 = 2;
pub const KIND_ERROR: u32 = 3;

pub const PRESENT_NAME: u32 = 1;
pub const PRESENT_L3PROTO: u32 = 2;
pub const PRESENT_L4PROTO: u32 = 4;
pub const PRESENT_USE: u32 = 8;
pub const PRESENT_DATA: u32 = 16;
/// The name is plain ASCII (the reader may skip UTF-8 decoding).
pub const PRESENT_NAME_ASCII: u32 = 32;

/// Fixed words of a TIMEOUT record before the values.
pub const TIMEOUT_FIXED_WORDS: usize = 15;

struct Tape {
    words: Vec<u32>,
    text: String,
}

impl Tape {
    fn text(&mut self, f: impl FnOnce(&mut String)) -> (u32, u32) {
        let start = self.text.len();
        f(&mut self.text);
        (start as u32, (self.text.len() - start) as u32)
    }

    fn json<T: serde::Serialize>(&mut self, kind: u32, v: &T) {
        let (o, l) = self.text(|s| {
            // Writing into a String cannot fail, and our Serialize impls do not fail.
            let _ = serde_json::to_writer(StringWriter(s), v);
        });
        self.words.extend_from_slice(&[kind, o, l]);
    }
}

/// Lets serde_json write straight into the tape's text (its output is always UTF-8).
struct StringWriter<'s>(&'s mut String);

impl std::io::Write for StringWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match std::str::from_utf8(buf) {
            Ok(t) => {
                self.0.push_str(t);
                Ok(buf.len())
            }
            Err(_) => Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "not UTF-8",
            )),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Decodes a datagram into the tape described above.
pub fn decode_tape(buf: &[u8]) -> Vec<u8> {
    let d = decode(buf);
    let mut t = Tape {
        words: Vec::with_capacity(1 + d.messages.len() * (TIMEOUT_FIXED_WORDS + MAX_STATES + 2)),
        text: String::new(),
    };
    t.words.push(0);
    for m in &d.messages {
        let Body::Timeout(x) = &m.body else {
            t.json(KIND_JSON, m);
            continue;
        };
        let h = &m.header;
        let mut present = 0;
        let (mut name_off, mut name_len) = (0, 0);
        if let Some(n) = x.name {
            present |= PRESENT_NAME;
            if n.is_ascii() {
                present |= PRESENT_NAME_ASCII;
            }
            // `n` borrows from `buf`, so the pointer difference is its offset in the datagram.
            name_off = (n.as_ptr() as usize - buf.as_ptr() as usize) as u32;
            name_len = n.len() as u32;
        }
        present |= x.l3proto.map_or(0, |_| PRESENT_L3PROTO);
        present |= x.l4proto.map_or(0, |_| PRESENT_L4PROTO);
        present |= x.use_count.map_or(0, |_| PRESENT_USE);
        present |= x.timeouts.as_ref().map_or(0, |_| PRESENT_DATA);
        let mut mask = 0u32;
        if let Some(ts) = &x.timeouts {
            for (s, _) in ts.iter() {
                mask |= 1 << (s.attr - 1);
            }
        }
        t.words.extend_from_slice(&[
            KIND_TIMEOUT,
            m.offset as u32,
            h.len,
            u32::from(h.ty) | u32::from(h.flags) << 16,
            h.seq,
            h.pid,
            u32::from(x.cmd) | u32::from(x.nfgen.family) << 8 | u32::from(x.nfgen.version) << 16,
            u32::from(x.nfgen.res_id),
            present,
            name_off,
            name_len,
            u32::from(x.l3proto.unwrap_or(0)),
            u32::from(x.l4proto.unwrap_or(0)),
            x.use_count.unwrap_or(0),
            mask,
        ]);
        if let Some(ts) = &x.timeouts {
            t.words.extend(ts.iter().map(|(_, v)| v));
        }
        let (o, l) = if crate::json::has_timeout_extras(x) {
            t.text(|s| {
                let _ = serde_json::to_writer(StringWriter(s), &ExtrasJson(x));
            })
        } else {
            (0, 0)
        };
        t.words.extend_from_slice(&[o, l]);
    }
    if let Some(e) = &d.error {
        t.json(KIND_ERROR, &ErrorJson(e));
    }
    t.words[0] = t.words.len() as u32;
    let mut out = Vec::with_capacity(t.words.len() * 4 + t.text.len());
    for w in &t.words {
        out.extend_from_slice(&w.to_le_bytes());
    }
    out.extend_from_slice(t.text.as_bytes());
    out
}

/// An encode error with the index of the request it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchError {
    pub index: usize,
    pub error: EncodeError,
}

impl BatchError {
    pub fn to_json(&self) -> String {
        serde_json::json!({
            "code": self.error.code,
            "index": self.index,
            "field": self.error.field,
            "message": self.error.message,
        })
        .to_string()
    }
}

struct Reader<'a> {
    spec: &'a [f64],
    pos: usize,
    index: usize,
}

impl Reader<'_> {
    fn err(&self, code: &'static str, field: &str, message: String) -> BatchError {
        BatchError {
            index: self.index,
            error: EncodeError::new(code, field, message),
        }
    }

    /// The next number as an integer in `min..=max` (or -1 when `optional`).
    fn int(
        &mut self,
        field: &str,
        min: f64,
        max: f64,
        optional: bool,
    ) -> Result<Option<u64>, BatchError> {
        let v = *self
            .spec
            .get(self.pos)
            .ok_or_else(|| self.err("ERR_BATCH", field, "request spec ends early".into()))?;
        self.pos += 1;
        if optional && v == -1.0 {
            return Ok(None);
        }
        if v.fract() != 0.0 || !(min..=max).contains(&v) {
            let what = if v.is_nan() {
                "NaN".to_string()
            } else {
                v.to_string()
            };
            return Err(self.err(
                "ERR_VALUE_RANGE",
                field,
                format!("{what} is not an integer in {min}..={max}"),
            ));
        }
        Ok(Some(v as u64))
    }

    fn req(&mut self, field: &str, min: f64, max: f64) -> Result<u64, BatchError> {
        Ok(self.int(field, min, max, false)?.unwrap_or_default())
    }
}

/// Encodes a batch of requests (format above). All or nothing: on error nothing is returned.
pub fn encode_batch(spec: &[f64], names: &[u8]) -> Result<Vec<u8>, BatchError> {
    let mut r = Reader {
        spec,
        pos: 0,
        index: 0,
    };
    let max_seconds = r.req("maxSeconds", 0.0, f64::from(u32::MAX))? as u32;
    let mut out = Vec::with_capacity(64 * (spec.len() / 8).max(1));
    let mut timeouts: Vec<(u16, u32)> = Vec::with_capacity(MAX_STATES);
    while r.pos < spec.len() {
        let (_, command, mode) = OPS[r.req("op", 0.0, (OPS.len() - 1) as f64)? as usize];
        let flags = r
            .int("flags", 0.0, f64::from(u16::MAX), true)?
            .map(|f| f as u16);
        let seq = r.req("seq", 0.0, f64::from(u32::MAX))? as u32;
        let name_off = r.int("name", 0.0, names.len() as f64, true)?;
        let name_len = r.req("name", -1.0, names.len() as f64)?;
        let name = match name_off {
            Some(o) => {
                let (o, l) = (o as usize, name_len as usize);
                Some(names.get(o..o.saturating_add(l)).ok_or_else(|| {
                    r.err(
                        "ERR_BATCH",
                        "name",
                        "name range outside the names buffer".into(),
                    )
                })?)
            }
            None => None,
        };
        let l3proto = r
            .int("l3proto", 0.0, f64::from(u16::MAX), true)?
            .map(|v| v as u16);
        let l4proto = r.int("l4proto", 0.0, 255.0, true)?.map(|v| v as u8);
        let n_states = r.int("timeouts", 0.0, 64.0, true)?;
        timeouts.clear();
        for _ in 0..n_states.unwrap_or(0) {
            let attr = r.req("timeouts", 0.0, f64::from(u16::MAX))? as u16;
            let v = r.req("timeouts", 0.0, f64::from(u32::MAX))? as u32;
            timeouts.push((attr, v));
        }
        let req = Request {
            command,
            flags: flags.unwrap_or_else(|| nfct_flags(command, name.is_some(), mode)),
            name,
            l3proto,
            l4proto,
            timeouts: n_states.map(|_| timeouts.as_slice()),
        };
        encode_into(&req, &EncodeOptions { seq, max_seconds }, &mut out).map_err(|error| {
            BatchError {
                index: r.index,
                error,
            }
        })?;
        r.index += 1;
    }
    Ok(out)
}
