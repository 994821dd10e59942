//! Encoding the seven cttimeout requests. Input is validated first (names, protocols, states,
//! values); then the exact size is computed and the message written into one buffer. Several
//! requests can be appended to one buffer to go out in one sendmsg.

use crate::consts::*;
use crate::error::{EncodeCode, EncodeError};
use crate::framing::{AttrWriter, Header};
use crate::ops;
use crate::protocol::{self, Protocol, MAX_STATES};

/// How a NEW request treats an existing policy of the same name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NewMode {
    /// `NLM_F_CREATE` (what nfct sends): an existing name fails with EBUSY.
    Create,
    /// `NLM_F_CREATE | NLM_F_EXCL`: an existing name fails with EEXIST.
    Exclusive,
    /// `NLM_F_REPLACE`: updates in place (omitted states go back to the current defaults);
    /// creates when missing.
    Replace,
}

/// A named policy as sent in NEW. Timeouts are (state attribute number, seconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PolicyRef<'a> {
    pub name: &'a [u8],
    pub l3proto: u16,
    pub l4proto: u8,
    pub timeouts: &'a [(u16, u32)],
}

/// One cttimeout request: a command, its flags and whichever attributes it carries (emitted
/// in the order NAME, L3PROTO, L4PROTO, DATA, as libmnl and the C library do). The
/// constructors build the seven operations with nfct's flags; building other combinations is
/// allowed (the C-style object API does), and the kernel judges them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Request<'a> {
    pub command: Command,
    /// NLM_F_REQUEST is always added.
    pub flags: u16,
    pub name: Option<&'a [u8]>,
    pub l3proto: Option<u16>,
    pub l4proto: Option<u8>,
    /// (state attribute number, seconds); emitted in attribute order. `Some(&[])` sends an
    /// empty DATA nest ("all defaults" for NEW, a no-op for DEFAULT_SET).
    pub timeouts: Option<&'a [(u16, u32)]>,
}

/// The flags nfct sends for a command (the operations table's): ACK everywhere, CREATE for NEW
/// (plus EXCL or REPLACE for the other modes), and a GET without a name is the dump (no ACK:
/// it ends with DONE).
pub fn nfct_flags(command: Command, has_name: bool, mode: Option<NewMode>) -> u16 {
    ops::lookup(command, has_name, mode).flags
}

impl<'a> Request<'a> {
    fn bare(command: Command, flags: u16) -> Self {
        Request { command, flags, name: None, l3proto: None, l4proto: None, timeouts: None }
    }

    /// NEW: create (or update, with [`NewMode::Replace`]) a named policy.
    pub fn new_policy(p: PolicyRef<'a>, mode: NewMode) -> Self {
        let flags = nfct_flags(Command::New, true, Some(mode));
        Request {
            name: Some(p.name),
            l3proto: Some(p.l3proto),
            l4proto: Some(p.l4proto),
            timeouts: Some(p.timeouts),
            ..Self::bare(Command::New, flags)
        }
    }

    /// GET one policy by name.
    pub fn get(name: &'a [u8]) -> Self {
        Request { name: Some(name), ..Self::bare(Command::Get, nfct_flags(Command::Get, true, None)) }
    }

    /// GET with NLM_F_DUMP: every policy, ending with NLMSG_DONE (no ACK, like nfct).
    pub fn dump() -> Self {
        Self::bare(Command::Get, nfct_flags(Command::Get, false, None))
    }

    /// DELETE one policy by name.
    pub fn delete(name: &'a [u8]) -> Self {
        Request { name: Some(name), ..Self::bare(Command::Delete, nfct_flags(Command::Delete, true, None)) }
    }

    /// DELETE without a name: deletes every policy not in use.
    pub fn flush() -> Self {
        Self::bare(Command::Delete, nfct_flags(Command::Delete, false, None))
    }

    /// DEFAULT_SET. `l3proto` is optional since Linux 6.11; older kernels need it.
    pub fn default_set(l3proto: Option<u16>, l4proto: u8, timeouts: &'a [(u16, u32)]) -> Self {
        let flags = nfct_flags(Command::DefaultSet, false, None);
        Request { l3proto, l4proto: Some(l4proto), timeouts: Some(timeouts), ..Self::bare(Command::DefaultSet, flags) }
    }

    /// DEFAULT_GET (the kernel needs both protocols).
    pub fn default_get(l3proto: u16, l4proto: u8) -> Self {
        let flags = nfct_flags(Command::DefaultGet, false, None);
        Request { l3proto: Some(l3proto), l4proto: Some(l4proto), ..Self::bare(Command::DefaultGet, flags) }
    }

    /// The same request with other flags.
    pub fn with_flags(self, flags: u16) -> Self {
        Request { flags, ..self }
    }
}

/// Per-message options.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EncodeOptions {
    pub seq: u32,
    /// Largest timeout accepted. The kernel stores `seconds * HZ` in 32 bits without an
    /// overflow check, so callers that know HZ pass ⌊(2³²−1)/HZ⌋.
    pub max_seconds: u32,
}

impl Default for EncodeOptions {
    fn default() -> Self {
        EncodeOptions { seq: 0, max_seconds: u32::MAX }
    }
}

/// Timeouts sorted into attribute order after validation.
type Slots = [Option<u32>; MAX_STATES];

/// A policy name's rules: at most 31 bytes, no NUL (any other bytes are allowed: names are
/// bytes, not text).
pub fn check_name(name: &[u8]) -> Result<(), EncodeError> {
    if name.len() > NAME_MAX_CHARS {
        return Err(EncodeError::new(
            EncodeCode::NameTooLong,
            "name",
            format!(
                "{} bytes; the kernel allows at most {NAME_MAX_CHARS} (nfct and the C library silently cut it to {NAME_MAX_CHARS})",
                name.len()
            ),
        ));
    }
    if let Some(i) = name.iter().position(|&b| b == 0) {
        return Err(EncodeError::new(EncodeCode::NameNul, "name", format!("contains a NUL byte at index {i}")));
    }
    Ok(())
}

fn check_protocol(l4proto: u8) -> Result<&'static Protocol, EncodeError> {
    protocol::by_number(l4proto).ok_or_else(|| {
        let known: Vec<String> = protocol::PROTOCOLS.iter().map(|p| format!("{} ({})", p.name, p.number)).collect();
        EncodeError::new(
            EncodeCode::UnknownProtocol,
            "l4proto",
            format!(
                "{l4proto} has no conntrack timeout table; known: {}; use generic (255) for others",
                known.join(", ")
            ),
        )
    })
}

fn slots(proto: &Protocol, timeouts: &[(u16, u32)], max: u32) -> Result<Slots, EncodeError> {
    let mut out: Slots = [None; MAX_STATES];
    for &(attr, value) in timeouts {
        let state = proto.state(attr).ok_or_else(|| {
            EncodeError::new(
                EncodeCode::UnknownState,
                "timeouts",
                format!("{} has no state attribute {attr} (valid: 1..{})", proto.name, proto.max_attr()),
            )
        })?;
        // Error text is built only on the error path: this loop is hot.
        let field = || format!("timeouts.{}", state.name);
        if value > max {
            return Err(EncodeError::new(
                EncodeCode::ValueRange,
                field(),
                format!("{value} is larger than {max} seconds, the most this kernel can store without overflow"),
            ));
        }
        let slot = &mut out[usize::from(attr) - 1];
        if slot.is_some() {
            return Err(EncodeError::new(EncodeCode::DuplicateState, field(), "given twice"));
        }
        *slot = Some(value);
    }
    Ok(out)
}

/// One attribute of a request: its size and its bytes side by side, so they cannot disagree.
trait Emit {
    /// Bytes it takes, padding included.
    fn size(&self) -> usize;
    fn emit(&self, w: &mut AttrWriter<'_>);
}

impl<T: Emit> Emit for Option<T> {
    fn size(&self) -> usize {
        self.as_ref().map_or(0, T::size)
    }
    fn emit(&self, w: &mut AttrWriter<'_>) {
        if let Some(x) = self {
            x.emit(w);
        }
    }
}

/// CTA_TIMEOUT_NAME: the bytes and a NUL.
struct Name<'a>(&'a [u8]);
impl Emit for Name<'_> {
    fn size(&self) -> usize {
        AttrWriter::size(self.0.len() + 1)
    }
    fn emit(&self, w: &mut AttrWriter<'_>) {
        w.strz(CTA_TIMEOUT_NAME, self.0);
    }
}

/// A fixed-size attribute: its type, the writer method that puts it, its payload size.
macro_rules! fixed_attr {
    ($(#[$doc:meta])* $name:ident($ty:ty) = $attr:expr, $put:ident, $len:expr) => {
        $(#[$doc])*
        struct $name($ty);
        impl Emit for $name {
            fn size(&self) -> usize {
                AttrWriter::size($len)
            }
            fn emit(&self, w: &mut AttrWriter<'_>) {
                w.$put($attr, self.0);
            }
        }
    };
}

fixed_attr!(
    /// CTA_TIMEOUT_L3PROTO, big endian.
    L3(u16) = CTA_TIMEOUT_L3PROTO, be16, 2
);
fixed_attr!(
    /// CTA_TIMEOUT_L4PROTO.
    L4(u8) = CTA_TIMEOUT_L4PROTO, u8, 1
);

/// CTA_TIMEOUT_DATA: a nest of the given states, in attribute order.
struct Data(Slots);
impl Emit for Data {
    fn size(&self) -> usize {
        AttrWriter::size(0) + self.0.iter().flatten().count() * AttrWriter::size(4)
    }
    fn emit(&self, w: &mut AttrWriter<'_>) {
        let nest = w.begin_nest(CTA_TIMEOUT_DATA);
        for (i, v) in self.0.iter().enumerate() {
            if let Some(v) = v {
                w.be32(i as u16 + 1, *v);
            }
        }
        w.end_nest(nest);
    }
}

/// Validates `req` and appends its bytes to `out`. On error `out` is unchanged.
#[inline]
pub fn encode_into(req: &Request<'_>, opts: &EncodeOptions, out: &mut Vec<u8>) -> Result<(), EncodeError> {
    if let Some(name) = req.name {
        check_name(name)?;
    }
    let proto = req.l4proto.map(check_protocol).transpose()?;
    let data = match (req.timeouts, proto) {
        (Some(t), Some(p)) => Some(Data(slots(p, t, opts.max_seconds)?)),
        (Some(_), None) => {
            return Err(EncodeError::new(
                EncodeCode::Missing,
                "l4proto",
                "timeouts need the L4 protocol they belong to",
            ))
        }
        (None, _) => None,
    };
    // In the order libmnl and the C library emit them.
    let (name, l3, l4) = (req.name.map(Name), req.l3proto.map(L3), req.l4proto.map(L4));
    let size = NLMSG_HDRLEN + NFGENMSG_LEN + name.size() + l3.size() + l4.size() + data.size();
    let header = Header {
        len: size as u32,
        ty: req.command.msg_type(),
        flags: NLM_F_REQUEST | req.flags,
        seq: opts.seq,
        pid: 0,
    };

    // Write into the exact size, zeroed: padding and the names' NULs are already there.
    let start = out.len();
    out.resize(start + size, 0);
    let mut w = AttrWriter::new(&mut out[start..]);
    w.put(&header.to_bytes());
    w.put(&[AF_UNSPEC, NFNETLINK_V0, 0, 0]);
    name.emit(&mut w);
    l3.emit(&mut w);
    l4.emit(&mut w);
    data.emit(&mut w);
    debug_assert_eq!(w.position(), size);
    Ok(())
}

/// Validates and encodes one request into a new buffer.
pub fn encode(req: &Request<'_>, opts: &EncodeOptions) -> Result<Vec<u8>, EncodeError> {
    let mut out = Vec::new();
    encode_into(req, opts, &mut out)?;
    Ok(out)
}

const AF_UNSPEC: u8 = 0;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_the_field() {
        let long = [b'a'; 32];
        let e = encode(&Request::get(&long), &EncodeOptions::default()).unwrap_err();
        assert_eq!((e.code.as_str(), e.field.as_str()), ("ERR_NAME_TOO_LONG", "name"));
        let p = PolicyRef { name: b"x", l3proto: 2, l4proto: 50, timeouts: &[] };
        let e = encode(&Request::new_policy(p, NewMode::Create), &EncodeOptions::default()).unwrap_err();
        assert_eq!(e.code, "ERR_UNKNOWN_PROTOCOL");
        let p = PolicyRef { name: b"x", l3proto: 2, l4proto: 1, timeouts: &[(2, 5)] };
        let e = encode(&Request::new_policy(p, NewMode::Create), &EncodeOptions::default()).unwrap_err();
        assert_eq!(e.code, "ERR_UNKNOWN_STATE");
        let p = PolicyRef { name: b"x", l3proto: 2, l4proto: 6, timeouts: &[(3, 5), (3, 6)] };
        let e = encode(&Request::new_policy(p, NewMode::Create), &EncodeOptions::default()).unwrap_err();
        assert_eq!((e.code.as_str(), e.field.as_str()), ("ERR_DUPLICATE_STATE", "timeouts.ESTABLISHED"));
        let p = PolicyRef { name: b"x", l3proto: 2, l4proto: 6, timeouts: &[(3, 17_179_870)] };
        let opts = EncodeOptions { max_seconds: 17_179_869, ..Default::default() };
        let e = encode(&Request::new_policy(p, NewMode::Create), &opts).unwrap_err();
        assert_eq!(e.code, "ERR_VALUE_RANGE");
    }

    #[test]
    fn failed_encode_leaves_buffer_untouched() {
        let mut out = vec![1, 2, 3];
        let long = [b'a'; 40];
        assert!(encode_into(&Request::delete(&long), &EncodeOptions::default(), &mut out).is_err());
        assert_eq!(out, [1, 2, 3]);
    }

    #[test]
    fn unsorted_timeouts_are_emitted_in_attribute_order() {
        let p = PolicyRef { name: b"t", l3proto: 2, l4proto: 6, timeouts: &[(8, 10), (3, 100)] };
        let b = encode(&Request::new_policy(p, NewMode::Create), &EncodeOptions::default()).unwrap();
        let n = b.len();
        assert_eq!(&b[n - 16..], &[8, 0, 3, 0, 0, 0, 0, 100, 8, 0, 8, 0, 0, 0, 0, 10]);
    }
}
