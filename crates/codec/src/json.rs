//! JSON output. This is the canonical shape of a decoded message; the TypeScript types and the
//! fast WebAssembly path (tape.rs + the TS reader) produce exactly the same objects, which a
//! test checks over every fixture.

use crate::consts::{POLICY_ATTRS, POLICY_TYPES};
use crate::decode::{Body, Datagram, ExtAck, Message, Timeout, Timeouts};
use crate::error::DecodeError;
use crate::framing::{Attr, Header};
use crate::{errno, protocol};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

/// Lower-case hex without separators.
pub fn hex(b: &[u8]) -> String {
    const D: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(b.len() * 2);
    for &x in b {
        s.push(D[usize::from(x >> 4)] as char);
        s.push(D[usize::from(x & 15)] as char);
    }
    s
}

/// The whole datagram as JSON text.
pub fn datagram_json(d: &Datagram<'_>) -> String {
    serde_json::to_string(d).unwrap_or_else(|e| format!("{{\"error\":{{\"message\":\"{e}\"}}}}"))
}

impl Serialize for Datagram<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("messages", &self.messages)?;
        if let Some(e) = &self.error {
            m.serialize_entry("error", &ErrorJson(e))?;
        }
        m.end()
    }
}

/// `{code, offset, message}` of a decode error.
pub struct ErrorJson<'e>(pub &'e DecodeError);

impl Serialize for ErrorJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(3))?;
        m.serialize_entry("code", self.0.code())?;
        m.serialize_entry("offset", &self.0.offset)?;
        m.serialize_entry("message", &self.0.to_string())?;
        m.end()
    }
}

struct Attrs<'x, 'a>(&'x [Attr<'a>]);

impl Serialize for Attrs<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut q = s.serialize_seq(Some(self.0.len()))?;
        for a in self.0 {
            q.serialize_element(&AttrJson(a))?;
        }
        q.end()
    }
}

struct AttrJson<'x, 'a>(&'x Attr<'a>);

impl Serialize for AttrJson<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let a = self.0;
        let mut m = s.serialize_map(Some(4))?;
        m.serialize_entry("type", &a.kind())?;
        m.serialize_entry("nested", &a.is_nested())?;
        m.serialize_entry("offset", &a.offset)?;
        m.serialize_entry("data", &hex(a.payload))?;
        m.end()
    }
}

struct TimeoutsJson<'x, 'a>(&'x Timeouts<'a>);

impl Serialize for TimeoutsJson<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        for (state, v) in self.0.iter() {
            m.serialize_entry(state.name, &v)?;
        }
        m.end()
    }
}

/// A policy name: a string when the bytes are valid UTF-8, else `{"hex": "ff"}` (the one
/// lossless JSON form of a name, which policy files and `--json` use too).
pub struct NameJson<'a>(pub &'a [u8]);

impl Serialize for NameJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match std::str::from_utf8(self.0) {
            Ok(text) => s.serialize_str(text),
            Err(_) => {
                let mut m = s.serialize_map(Some(1))?;
                m.serialize_entry("hex", &hex(self.0))?;
                m.end()
            }
        }
    }
}

/// The bytes of a name in its JSON form (a string, or `{"hex": "..."}`); None for anything else.
pub fn name_from_json(v: &serde_json::Value) -> Option<Vec<u8>> {
    match v {
        serde_json::Value::String(s) => Some(s.as_bytes().to_vec()),
        serde_json::Value::Object(o) if o.len() == 1 => unhex(o.get("hex")?.as_str()?),
        _ => None,
    }
}

/// Lower-case or upper-case hex without separators to bytes; None if malformed.
pub fn unhex(s: &str) -> Option<Vec<u8>> {
    let digit = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    let b = s.as_bytes();
    if b.len() % 2 != 0 {
        return None;
    }
    b.chunks(2).map(|p| Some(digit(p[0])? << 4 | digit(p[1])?)).collect()
}

/// Extra fields of a timeout message that the fast path does not carry in its fixed record:
/// unknown attributes.
pub(crate) fn timeout_extras<M: SerializeMap>(m: &mut M, t: &Timeout<'_>) -> Result<(), M::Error> {
    if let Some(ts) = t.timeouts.as_ref().filter(|ts| !ts.unknown.is_empty()) {
        m.serialize_entry("unknownTimeouts", &Attrs(&ts.unknown))?;
    }
    if !t.unknown.is_empty() {
        m.serialize_entry("unknown", &Attrs(&t.unknown))?;
    }
    Ok(())
}

/// Whether [`timeout_extras`] writes anything.
pub(crate) fn has_timeout_extras(t: &Timeout<'_>) -> bool {
    !t.unknown.is_empty() || t.timeouts.as_ref().is_some_and(|ts| !ts.unknown.is_empty())
}

/// The timeout-message extras alone, as a JSON object.
pub(crate) struct ExtrasJson<'x, 'a>(pub &'x Timeout<'a>);

impl Serialize for ExtrasJson<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        timeout_extras(&mut m, self.0)?;
        m.end()
    }
}

struct ExtAckJson<'x, 'a>(&'x ExtAck<'a>);

impl Serialize for ExtAckJson<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let x = self.0;
        let mut m = s.serialize_map(None)?;
        if let Some(msg) = x.message() {
            m.serialize_entry("message", &msg)?;
        }
        if let Some(o) = x.offset {
            m.serialize_entry("offset", &o)?;
        }
        if let Some(c) = x.cookie {
            m.serialize_entry("cookie", &hex(c))?;
        }
        if let Some(p) = &x.policy {
            m.serialize_entry("policy", &PolicyJson(p))?;
        }
        if let Some(v) = x.missing_type {
            m.serialize_entry("missingType", &v)?;
        }
        if let Some(v) = x.missing_nest {
            m.serialize_entry("missingNest", &v)?;
        }
        if !x.unknown.is_empty() {
            m.serialize_entry("unknown", &Attrs(&x.unknown))?;
        }
        m.end()
    }
}

struct PolicyJson<'x>(&'x [crate::decode::PolicyEntry]);

impl Serialize for PolicyJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        for e in self.0 {
            let key = POLICY_ATTRS.iter().find(|(n, _)| *n == e.attr).map(|(_, k)| (*k).to_string());
            let key = key.unwrap_or_else(|| format!("attr{}", e.attr));
            match e.attr {
                1 => match POLICY_TYPES.get(e.value as usize) {
                    Some(t) => m.serialize_entry(&key, t)?,
                    None => m.serialize_entry(&key, &e.value)?,
                },
                2 | 3 => m.serialize_entry(&key, &(e.value as i64))?,
                _ => m.serialize_entry(&key, &e.value)?,
            }
        }
        m.end()
    }
}

fn common<M: SerializeMap>(m: &mut M, kind: &str, offset: usize, h: &Header) -> Result<(), M::Error> {
    m.serialize_entry("kind", kind)?;
    m.serialize_entry("offset", &offset)?;
    m.serialize_entry("header", h)
}

/// A policy message's own fields, after `kind`, `offset` and `header`.
fn timeout_fields<M: SerializeMap>(m: &mut M, t: &Timeout<'_>) -> Result<(), M::Error> {
    m.serialize_entry("command", &t.command().map(|c| c.name()))?;
    m.serialize_entry("nfgen", &NfGenJson(t))?;
    if let Some(name) = t.name {
        m.serialize_entry("name", &NameJson(name))?;
    }
    if let Some(l3) = t.l3proto {
        m.serialize_entry("l3proto", &l3)?;
        if let Some(f) = protocol::family_name(l3) {
            m.serialize_entry("family", f)?;
        }
    }
    if let Some(l4) = t.l4proto {
        m.serialize_entry("l4proto", &l4)?;
        if let Some(p) = protocol::by_number(l4) {
            m.serialize_entry("protocol", p.name)?;
        }
    }
    if let Some(u) = t.use_count {
        m.serialize_entry("use", &u)?;
    }
    if let Some(ts) = &t.timeouts {
        m.serialize_entry("timeouts", &TimeoutsJson(ts))?;
    }
    timeout_extras(m, t)
}

impl Serialize for Message<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        match &self.body {
            Body::Timeout(t) => {
                common(&mut m, "timeout", self.offset, &self.header)?;
                timeout_fields(&mut m, t)?;
            }
            Body::Error(e) => {
                if e.error == 0 {
                    common(&mut m, "ack", self.offset, &self.header)?;
                } else {
                    common(&mut m, "error", self.offset, &self.header)?;
                    m.serialize_entry("errno", &e.errno())?;
                    m.serialize_entry("code", &errno::name(e.errno()))?;
                    m.serialize_entry("message", &errno::message(e.errno()))?;
                }
                m.serialize_entry("request", &e.request)?;
                if !e.request_payload.is_empty() {
                    m.serialize_entry("requestPayload", &hex(e.request_payload))?;
                }
                if let Some(x) = &e.ext_ack {
                    m.serialize_entry("extAck", &ExtAckJson(x))?;
                }
            }
            Body::Done(d) => {
                common(&mut m, "done", self.offset, &self.header)?;
                if let Some(st) = d.status {
                    m.serialize_entry("status", &st)?;
                }
                if let Some(x) = &d.ext_ack {
                    m.serialize_entry("extAck", &ExtAckJson(x))?;
                }
            }
            Body::Noop => common(&mut m, "noop", self.offset, &self.header)?,
            Body::Overrun => common(&mut m, "overrun", self.offset, &self.header)?,
            Body::Other(p) => {
                common(&mut m, "other", self.offset, &self.header)?;
                m.serialize_entry("data", &hex(p))?;
            }
        }
        m.end()
    }
}

struct NfGenJson<'x, 'a>(&'x Timeout<'a>);

impl Serialize for NfGenJson<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let n = self.0.nfgen;
        let mut m = s.serialize_map(Some(3))?;
        m.serialize_entry("family", &n.family)?;
        m.serialize_entry("version", &n.version)?;
        m.serialize_entry("resId", &n.res_id)?;
        m.end()
    }
}
