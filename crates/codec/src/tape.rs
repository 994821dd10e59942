//! The flat formats that cross the JS/WebAssembly boundary, one call per datagram or batch.
//!
//! Decoding: [`decode_tape_into`] turns a datagram into u32 words the TS reader
//! (packages/cttimeout/src/codec/tape.ts) turns into objects. Policies, the hot path, travel
//! as fixed records; everything rarer (ACKs, errors, DONE) travels as the JSON of json.rs, so
//! both paths give identical objects. The words stay in WebAssembly memory and are read there.
//!
//! ```text
//! word 0            W, the number of record words (including words 0 and 1)
//! word 1            T, the number of text bytes after the records
//! words 2..W        records, one per message, then an ERROR record if decoding stopped
//!   TIMEOUT  [1, offset, len, type | flags << 16, seq, pid,
//!             cmd | nfgen_family << 8 | version << 16, res_id, present,
//!             name_offset, name_len, l3proto, l4proto, use, state_mask,
//!             value × popcount(state_mask), extras_offset, extras_len]
//!   JSON     [2, text_offset, text_len]      a whole message as JSON
//!   ERROR    [3, text_offset, text_len]      {code, offset, message}
//! words W..         T bytes of UTF-8 text, 4 per word (little endian), referenced by
//!                   (text_offset, text_len) in bytes from the start of word W
//! ```
//! `present` bits are the `PRESENT_*` constants; the name is read by the TS side straight
//! from the datagram it already holds (`name_offset` is absolute). Bit i of `state_mask` is
//! state attribute i + 1. `extras` is a JSON object merged into the message (unknown
//! attributes), empty when there are none.
//!
//! Encoding: [`encode_batch`] reads requests from one u32 array and names from one byte
//! array, and returns the messages back to back, ready for one sendmsg:
//! ```text
//! [max_seconds, then per request:
//!  op, present, flags, seq, name_offset, name_len, l3proto, l4proto, n_states,
//!  (attr, seconds) × n_states]
//! ```
//! `op` is the index of a row of [`OPERATIONS`] (the command, and for NEW how it treats an
//! existing name);
//! `present` has an `ENC_*` bit for each of flags, name, l3proto, l4proto and DATA that the
//! request carries (absent words are 0 and ignored; without ENC_FLAGS nfct's flags for the op
//! are used). The JS side only checks that its numbers are u32s; every other check (ranges,
//! names, protocols, states, the HZ limit) happens here.
use crate::consts::Command;
use crate::consts::NLMSG_HDRLEN;
use crate::decode::{decode_message, decode_timeout_into, timeout_command, NoTrace, Timeout, Timeouts};
use crate::encode::{encode_into, nfct_flags, EncodeOptions, Request};
use crate::error::{EncodeCode, EncodeError};
use crate::framing::{messages, Header};
use crate::json::{ErrorJson, ExtrasJson};
use crate::ops::{Use, OPERATIONS};

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
/// The name is not valid UTF-8: the reader keeps its exact bytes.
pub const PRESENT_NAME_BYTES: u32 = 64;
/// Every field of a kernel reply (name in ASCII): the reader's fast case.
pub const PRESENT_ALL: u32 =
    PRESENT_NAME | PRESENT_L3PROTO | PRESENT_L4PROTO | PRESENT_USE | PRESENT_DATA | PRESENT_NAME_ASCII;

/// Word offsets inside a TIMEOUT record (from its KIND word); the values follow the fixed
/// words, then the extras' (offset, length).
pub mod rec {
    pub const KIND: usize = 0;
    pub const OFFSET: usize = 1;
    pub const LEN: usize = 2;
    /// `type | flags << 16`
    pub const TYPE_FLAGS: usize = 3;
    pub const SEQ: usize = 4;
    pub const PID: usize = 5;
    /// `cmd | nfgen_family << 8 | version << 16`
    pub const CMD_NFGEN: usize = 6;
    pub const RES_ID: usize = 7;
    pub const PRESENT: usize = 8;
    pub const NAME_OFFSET: usize = 9;
    pub const NAME_LEN: usize = 10;
    pub const L3PROTO: usize = 11;
    pub const L4PROTO: usize = 12;
    pub const USE: usize = 13;
    pub const STATE_MASK: usize = 14;
    /// Offsets inside a JSON or ERROR record.
    pub const TEXT_OFFSET: usize = 1;
    pub const TEXT_LEN: usize = 2;
    /// Words of a JSON or ERROR record.
    pub const TEXT_WORDS: usize = 3;
    /// Every (name, offset), for the generated TypeScript.
    pub const ALL: [(&str, usize); 18] = [
        ("KIND", KIND),
        ("OFFSET", OFFSET),
        ("LEN", LEN),
        ("TYPE_FLAGS", TYPE_FLAGS),
        ("SEQ", SEQ),
        ("PID", PID),
        ("CMD_NFGEN", CMD_NFGEN),
        ("RES_ID", RES_ID),
        ("PRESENT", PRESENT),
        ("NAME_OFFSET", NAME_OFFSET),
        ("NAME_LEN", NAME_LEN),
        ("L3PROTO", L3PROTO),
        ("L4PROTO", L4PROTO),
        ("USE", USE),
        ("STATE_MASK", STATE_MASK),
        ("TEXT_OFFSET", TEXT_OFFSET),
        ("TEXT_LEN", TEXT_LEN),
        ("TEXT_WORDS", TEXT_WORDS),
    ];
}

/// Fixed words of a TIMEOUT record before the values.
pub const TIMEOUT_FIXED_WORDS: usize = rec::STATE_MASK + 1;

/// Writes records into `words`, JSON and error text into `text`.
struct Tape<'w> {
    words: &'w mut Vec<u32>,
    text: String,
}

impl Tape<'_> {
    fn text_json<T: serde::Serialize>(&mut self, v: &T) -> (u32, u32) {
        let start = self.text.len();
        // Writing into a String cannot fail, and our Serialize impls do not fail.
        let _ = serde_json::to_writer(StringWriter(&mut self.text), v);
        (start as u32, (self.text.len() - start) as u32)
    }

    fn json<T: serde::Serialize>(&mut self, kind: u32, v: &T) {
        let (o, l) = self.text_json(v);
        self.words.extend_from_slice(&[kind, o, l]);
    }

    fn timeout(&mut self, offset: usize, h: &Header, x: &Timeout<'_>, buf: &[u8]) {
        let mut present = 0;
        let (mut name_off, mut name_len) = (0, 0);
        if let Some(n) = x.name {
            present |= PRESENT_NAME;
            if n.is_ascii() {
                present |= PRESENT_NAME_ASCII;
            } else if std::str::from_utf8(n).is_err() {
                present |= PRESENT_NAME_BYTES;
            }
            // `n` borrows from `buf`, so the pointer difference is its offset in the datagram.
            name_off = (n.as_ptr() as usize - buf.as_ptr() as usize) as u32;
            name_len = n.len() as u32;
        }
        present |= x.l3proto.map_or(0, |_| PRESENT_L3PROTO);
        present |= x.l4proto.map_or(0, |_| PRESENT_L4PROTO);
        present |= x.use_count.map_or(0, |_| PRESENT_USE);
        present |= x.timeouts.as_ref().map_or(0, |_| PRESENT_DATA);
        let mask = x.timeouts.as_ref().map_or(0, Timeouts::mask);
        let mut r = [0u32; TIMEOUT_FIXED_WORDS];
        r[rec::KIND] = KIND_TIMEOUT;
        r[rec::OFFSET] = offset as u32;
        r[rec::LEN] = h.len;
        r[rec::TYPE_FLAGS] = u32::from(h.ty) | (u32::from(h.flags) << 16);
        r[rec::SEQ] = h.seq;
        r[rec::PID] = h.pid;
        r[rec::CMD_NFGEN] = u32::from(x.cmd) | (u32::from(x.nfgen.family) << 8) | (u32::from(x.nfgen.version) << 16);
        r[rec::RES_ID] = u32::from(x.nfgen.res_id);
        r[rec::PRESENT] = present;
        r[rec::NAME_OFFSET] = name_off;
        r[rec::NAME_LEN] = name_len;
        r[rec::L3PROTO] = u32::from(x.l3proto.unwrap_or(0));
        r[rec::L4PROTO] = u32::from(x.l4proto.unwrap_or(0));
        r[rec::USE] = x.use_count.unwrap_or(0);
        r[rec::STATE_MASK] = mask;
        self.words.extend_from_slice(&r);
        if let Some(ts) = &x.timeouts {
            ts.push_values(self.words);
        }
        let (o, l) = if crate::json::has_timeout_extras(x) { self.text_json(&ExtrasJson(x)) } else { (0, 0) };
        self.words.extend_from_slice(&[o, l]);
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
            Err(_) => Err(std::io::Error::new(std::io::ErrorKind::InvalidData, "not UTF-8")),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Decodes a datagram into the tape described above, replacing the contents of `words`
/// (callers reuse one buffer, so decoding allocates nothing in the common case). Messages
/// are written as they are decoded.
pub fn decode_tape_into(buf: &[u8], words: &mut Vec<u32>) {
    words.clear();
    words.extend_from_slice(&[0, 0]);
    let mut t = Tape { words, text: String::new() };
    // A policy is decoded into one reused Timeout and written from there: wrapped in a Body
    // and a Message, and returned, its ~200 bytes were copied (memory.copy) several times.
    let mut x = Timeout::empty();
    for raw in messages(buf) {
        let r = raw.and_then(|raw| match timeout_command(raw.header.ty) {
            Some(cmd) => decode_timeout_into(cmd, raw.payload, raw.offset + NLMSG_HDRLEN, &mut NoTrace, &mut x)
                .map(|()| t.timeout(raw.offset, &raw.header, &x, buf)),
            None => decode_message(raw, &mut NoTrace).map(|m| t.json(KIND_JSON, &m)),
        });
        if let Err(e) = r {
            t.json(KIND_ERROR, &ErrorJson(&e));
            break;
        }
    }
    let Tape { words, text } = t;
    words[0] = words.len() as u32;
    words[1] = text.len() as u32;
    words.extend(text.as_bytes().chunks(4).map(|c| {
        let mut w = [0u8; 4];
        w[..c.len()].copy_from_slice(c);
        u32::from_le_bytes(w)
    }));
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
            "code": self.error.code.as_str(),
            "index": self.index,
            "field": self.error.field,
            "message": self.error.message,
        })
        .to_string()
    }
}

pub const ENC_FLAGS: u32 = 1;
pub const ENC_NAME: u32 = 2;
pub const ENC_L3PROTO: u32 = 4;
pub const ENC_L4PROTO: u32 = 8;
pub const ENC_DATA: u32 = 16;
/// Words of a request before its (attr, seconds) pairs.
pub const ENC_FIXED_WORDS: usize = 9;
/// Most (attr, seconds) pairs one request may carry: any more repeat a state (an error).
const MAX_PAIRS: usize = 64;

struct Reader<'a> {
    spec: &'a [u32],
    pos: usize,
    index: usize,
    /// Set by the cold error path; the hot path returns only `Err(Stop)`.
    error: Option<BatchError>,
}

/// Reading stopped; the reason is in `Reader::error`.
struct Stop;

impl Reader<'_> {
    #[cold]
    #[inline(never)]
    fn fail(&mut self, code: EncodeCode, field: &str, message: String) -> Stop {
        self.error = Some(BatchError { index: self.index, error: EncodeError::new(code, field, message) });
        Stop
    }

    // The error paths are separate cold functions that build their text themselves, so that
    // `next` and `upto` stay a compare and a branch and inline into the reading loop (with the
    // `format!` in line, `upto` was not inlined: a quarter of a native encode's time).
    #[cold]
    #[inline(never)]
    fn ends_early(&mut self) -> Stop {
        self.fail(EncodeCode::Batch, "spec", "request spec ends early".into())
    }

    #[cold]
    #[inline(never)]
    fn too_large(&mut self, field: &'static str, v: u32, max: u32) -> Stop {
        self.fail(EncodeCode::ValueRange, field, format!("{v} is larger than {max}"))
    }

    #[inline(always)]
    fn next(&mut self) -> Result<u32, Stop> {
        match self.spec.get(self.pos) {
            Some(&v) => {
                self.pos += 1;
                Ok(v)
            }
            None => Err(self.ends_early()),
        }
    }

    /// The next word, which must be at most `max`.
    #[inline(always)]
    fn upto(&mut self, field: &'static str, max: u32) -> Result<u32, Stop> {
        let v = self.next()?;
        if v > max {
            return Err(self.too_large(field, v, max));
        }
        Ok(v)
    }
}

/// Encodes a batch of requests (format above). All or nothing: on error nothing is returned.
pub fn encode_batch(spec: &[u32], names: &[u8]) -> Result<Vec<u8>, BatchError> {
    let mut out = Vec::new();
    encode_batch_into(spec, names, &mut out)?;
    Ok(out)
}

/// [`encode_batch`] into a reused buffer (cleared first; unspecified after an error).
pub fn encode_batch_into(spec: &[u32], names: &[u8], out: &mut Vec<u8>) -> Result<(), BatchError> {
    out.clear();
    let mut r = Reader { spec, pos: 0, index: 0, error: None };
    match read_and_encode(&mut r, names, out) {
        Ok(()) => Ok(()),
        Err(Stop) => Err(r.error.unwrap_or_else(|| BatchError {
            index: r.index,
            error: EncodeError::new(EncodeCode::Batch, "spec", "stopped without a reason"),
        })),
    }
}

fn read_and_encode(r: &mut Reader<'_>, names: &[u8], out: &mut Vec<u8>) -> Result<(), Stop> {
    let max_seconds = r.next()?;
    let mut timeouts = [(0u16, 0u32); MAX_PAIRS];
    while r.pos < r.spec.len() {
        let (req, seq) = read_request(r, names, &mut timeouts)?;
        if let Err(error) = encode_into(&req, &EncodeOptions { seq, max_seconds }, out) {
            r.error = Some(BatchError { index: r.index, error });
            return Err(Stop);
        }
        r.index += 1;
    }
    Ok(())
}

/// Reads one request of the spec (its pairs into `timeouts`), and its sequence number.
#[inline(always)]
fn read_request<'a>(
    r: &mut Reader<'_>,
    names: &'a [u8],
    timeouts: &'a mut [(u16, u32); MAX_PAIRS],
) -> Result<(Request<'a>, u32), Stop> {
    let o = &OPERATIONS[r.upto("op", OPERATIONS.len() as u32 - 1)? as usize];
    let present = r.next()?;
    let flags = r.upto("flags", u16::MAX.into())? as u16;
    let seq = r.next()?;
    let (name_off, name_len) = (r.next()? as usize, r.next()? as usize);
    let l3proto = r.upto("l3proto", u16::MAX.into())? as u16;
    let l4proto = r.upto("l4proto", u8::MAX.into())? as u8;
    let count = r.upto("timeouts", MAX_PAIRS as u32)? as usize;
    for slot in timeouts.iter_mut().take(count) {
        let attr = r.upto("timeouts", u16::MAX.into())? as u16;
        *slot = (attr, r.next()?);
    }
    let name = if present & ENC_NAME == 0 {
        None
    } else if o.carries.name == Use::No && matches!(o.command, Command::Get | Command::Delete) {
        // Without a name these act on every policy: a name given by mistake is refused, not
        // dropped.
        return Err(r.fail(EncodeCode::InvalidArgument, "name", format!("{} takes no name", o.op)));
    } else {
        match names.get(name_off..name_off.saturating_add(name_len)) {
            Some(n) => Some(n),
            None => return Err(r.fail(EncodeCode::Batch, "name", "name range outside the names buffer".into())),
        }
    };
    let req = Request {
        command: o.command,
        flags: if present & ENC_FLAGS != 0 { flags } else { nfct_flags(o.command, name.is_some(), o.mode) },
        name,
        l3proto: (present & ENC_L3PROTO != 0).then_some(l3proto),
        l4proto: (present & ENC_L4PROTO != 0).then_some(l4proto),
        timeouts: (present & ENC_DATA != 0).then_some(&timeouts[..count]),
    };
    Ok((req, seq))
}
