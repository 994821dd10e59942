//! Typed decoding of whole datagrams: cttimeout requests and replies, ACKs and errors (with
//! extended-ACK TLVs), DONE. Unknown attributes are kept; the first malformed byte stops the
//! walk and is reported with its offset, after everything decoded before it.

use crate::consts::*;
use crate::error::{DecodeError, DecodeErrorKind as K};
use crate::framing::{attrs, messages, Attr, Header, RawMessage};

use crate::protocol::{self, Protocol, State, MAX_STATES};

/// `struct nfgenmsg` (`res_id` converted from big endian).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct NfGenMsg {
    pub family: u8,
    pub version: u8,
    pub res_id: u16,
}

/// The states present in a `CTA_TIMEOUT_DATA` nest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timeouts<'a> {
    pub protocol: &'static Protocol,
    /// Bit `attr - 1` is set for each state present: one word to test, count and walk (the
    /// tape carries it as is), where an `Option` per state was 11 words to scan twice.
    mask: u32,
    /// Values by `attr - 1`; 0 where the state is absent.
    values: [u32; MAX_STATES],
    /// Nested attributes beyond this protocol's states (e.g. from a newer kernel).
    pub unknown: Vec<Attr<'a>>,
}

impl<'a> Timeouts<'a> {
    pub fn new(protocol: &'static Protocol) -> Self {
        Timeouts { protocol, mask: 0, values: [0; MAX_STATES], unknown: Vec::new() }
    }

    /// As [`Timeouts::new`], in place (the `unknown` Vec is kept, emptied).
    fn reset(&mut self, protocol: &'static Protocol) {
        (self.protocol, self.mask, self.values) = (protocol, 0, [0; MAX_STATES]);
        self.unknown.clear();
    }

    /// The nest of a kernel reply: every state of the protocol, in attribute order, each a
    /// plain 4-byte attribute. Read as a run of 8-byte records without the general walk (in
    /// WebAssembly that walk was most of a policy's decode); anything else is left untouched
    /// for it (`false`).
    fn read_every_state_in_order(&mut self, nest: &[u8]) -> bool {
        let n = self.protocol.states.len();
        let records = nest.chunks_exact(8);
        let header = |i: usize| (NLA_HDRLEN as u32 + 4) | ((i as u32 + 1) << 16);
        if nest.len() != 8 * n || !records.clone().enumerate().all(|(i, r)| r[..4] == header(i).to_le_bytes()) {
            return false;
        }
        for (v, r) in self.values.iter_mut().zip(records) {
            *v = u32::from_be_bytes([r[4], r[5], r[6], r[7]]);
        }
        self.mask = (1 << n) - 1;
        true
    }

    /// Value of the state with this attribute number.
    pub fn get(&self, attr: u16) -> Option<u32> {
        let i = usize::from(attr).checked_sub(1)?;
        (i < MAX_STATES && self.mask & (1 << i) != 0).then(|| self.values[i])
    }

    pub fn set(&mut self, state: &State, value: u32) {
        let i = usize::from(state.attr) - 1;
        self.mask |= 1 << i;
        self.values[i] = value;
    }

    /// Bit `attr - 1` for each state present.
    pub fn mask(&self) -> u32 {
        self.mask
    }

    /// Present states with their values, in attribute order.
    pub fn iter(&self) -> impl Iterator<Item = (&'static State, u32)> + '_ {
        self.protocol
            .states
            .iter()
            .enumerate()
            .filter(|&(i, _)| self.mask & (1 << i) != 0)
            .map(|(i, s)| (s, self.values[i]))
    }

    pub fn is_empty(&self) -> bool {
        self.mask == 0
    }

    /// The present values, in attribute order, onto `out` (the tape's value words).
    pub fn push_values(&self, out: &mut Vec<u32>) {
        if self.mask & (self.mask + 1) == 0 {
            // Every state from the first on, as in a kernel reply: one copy.
            out.extend_from_slice(&self.values[..self.mask.count_ones() as usize]);
            return;
        }
        let mut m = self.mask;
        while m != 0 {
            out.push(self.values[m.trailing_zeros() as usize]);
            m &= m - 1;
        }
    }
}

/// A cttimeout message (request or reply; replies to GET are NEW-type messages).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timeout<'a> {
    /// Low byte of `nlmsg_type`.
    pub cmd: u8,
    pub nfgen: NfGenMsg,
    /// Name bytes before the NUL.
    pub name: Option<&'a [u8]>,
    pub l3proto: Option<u16>,
    pub l4proto: Option<u8>,
    pub use_count: Option<u32>,
    pub timeouts: Option<Timeouts<'a>>,
    /// Top-level attributes cttimeout does not define.
    pub unknown: Vec<Attr<'a>>,
}

impl Timeout<'_> {
    /// A message with no fields, to decode into.
    pub fn empty() -> Self {
        Timeout {
            cmd: 0,
            nfgen: NfGenMsg::default(),
            name: None,
            l3proto: None,
            l4proto: None,
            use_count: None,
            timeouts: None,
            unknown: Vec::new(),
        }
    }

    pub fn command(&self) -> Option<Command> {
        Command::from_u8(self.cmd)
    }

    pub fn protocol(&self) -> Option<&'static Protocol> {
        self.l4proto.and_then(protocol::by_number)
    }
}

/// One entry of `NLMSGERR_ATTR_POLICY`: which rule the kernel applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PolicyEntry {
    pub attr: u16,
    /// Unsigned values as read; signed min/max (attrs 2, 3) are stored as their bits.
    pub value: u64,
}

/// Extended ACK TLVs (`NLMSGERR_ATTR_*`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ExtAck<'a> {
    pub msg: Option<&'a [u8]>,
    /// Byte offset of the offending attribute, from the start of the request's nlmsghdr.
    pub offset: Option<u32>,
    pub cookie: Option<&'a [u8]>,
    pub policy: Option<Vec<PolicyEntry>>,
    pub missing_type: Option<u32>,
    pub missing_nest: Option<u32>,
    pub unknown: Vec<Attr<'a>>,
}

impl ExtAck<'_> {
    /// The message text without its NUL terminator, lossily UTF-8.
    pub fn message(&self) -> Option<String> {
        self.msg.map(|m| {
            let end = m.iter().position(|&b| b == 0).unwrap_or(m.len());
            String::from_utf8_lossy(&m[..end]).into_owned()
        })
    }
}

/// `NLMSG_ERROR`: an ACK when `error == 0`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorMsg<'a> {
    /// Negative errno, or 0 for an ACK.
    pub error: i32,
    /// The request's echoed header.
    pub request: Header,
    /// The request's echoed payload (empty when NLM_F_CAPPED).
    pub request_payload: &'a [u8],
    pub ext_ack: Option<ExtAck<'a>>,
}

impl ErrorMsg<'_> {
    pub fn errno(&self) -> u32 {
        self.error.unsigned_abs()
    }
}

/// `NLMSG_DONE`: end of a dump.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Done<'a> {
    /// The int the kernel puts after the header (0, or a negative errno if the dump failed).
    pub status: Option<i32>,
    pub ext_ack: Option<ExtAck<'a>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body<'a> {
    Timeout(Timeout<'a>),
    Error(ErrorMsg<'a>),
    Done(Done<'a>),
    Noop,
    Overrun,
    /// Another netlink family or nfnetlink subsystem: kept raw.
    Other(&'a [u8]),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message<'a> {
    pub offset: usize,
    pub header: Header,
    pub body: Body<'a>,
}

/// What a datagram held: the messages decoded, and the error that stopped decoding, if any.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Datagram<'a> {
    pub messages: Vec<Message<'a>>,
    pub error: Option<DecodeError>,
}

/// Name of a node the decoder reports to a [`Tracer`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Label {
    Static(&'static str),
    /// A whole message, by `nlmsg_type`.
    Message(u16),
    /// An attribute this codec does not define, by raw `nla_type`.
    UnknownAttr(u16),
    /// An `NLMSGERR_ATTR_POLICY` entry, by attribute number.
    PolicyAttr(u16),
}

/// A decoded value as a [`Tracer`] sees it: typed, so the tracer chooses the unit to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Value<'a> {
    None,
    Num(u64),
    Str(&'a [u8]),
    Bytes(&'a [u8]),
    MsgType(u16),
    Flags {
        msg_type: u16,
        flags: u16,
    },
    Family(u16),
    Protocol(u8),
    Seconds(u32),
    Errno(i32),
    PolicyType(u64),
    /// A raw `nla_type`: the type and its NESTED / NET_BYTEORDER flags.
    AttrType(u16),
}

/// Sees every field the decoder reads, with its byte span. The decoder is generic over it, so
/// the fast path ([`NoTrace`]) costs nothing and the inspector's tree comes from the same walk.
pub trait Tracer {
    /// Whether this tracer records anything (decoding may take shortcuts that report nothing
    /// when it does not).
    const REPORTS: bool = true;
    fn enter(&mut self, _label: Label, _offset: usize, _len: usize, _value: Value<'_>) {}
    fn leaf(&mut self, _label: Label, _offset: usize, _len: usize, _value: Value<'_>) {}
    fn exit(&mut self) {}
    /// An attribute (its header and value); the default reports it as a leaf.
    fn attr(&mut self, label: Label, a: &Attr<'_>, value: Value<'_>) {
        self.leaf(label, a.offset, a.len.into(), value);
    }
    /// An attribute whose nested attributes follow, until `exit`.
    fn enter_attr(&mut self, label: Label, a: &Attr<'_>, value: Value<'_>) {
        self.enter(label, a.offset, a.len.into(), value);
    }
    /// The request echoed in an NLMSG_ERROR (header, and payload unless capped).
    fn echoed(&mut self, _header: &Header, _payload: &[u8], _offset: usize) {}
}

/// The tracer that records nothing.
pub struct NoTrace;
impl Tracer for NoTrace {
    const REPORTS: bool = false;
}

/// Decodes every message of a datagram. Never panics; a malformed message ends the walk and
/// is reported in `error` after the messages before it.
pub fn decode(buf: &[u8]) -> Datagram<'_> {
    decode_traced(buf, &mut NoTrace)
}

/// [`decode`], reporting every field to `tr`.
pub fn decode_traced<'a, T: Tracer>(buf: &'a [u8], tr: &mut T) -> Datagram<'a> {
    let mut out = Datagram::default();
    for raw in messages(buf) {
        let raw = match raw {
            Ok(raw) => raw,
            Err(e) => {
                // A header whose length is wrong is still shown before the error.
                if let Ok(h) = Header::parse(&buf[e.offset.min(buf.len())..], e.offset, "nlmsghdr") {
                    tr.enter(Label::Message(h.ty), e.offset, buf.len() - e.offset, Value::None);
                    trace_header(tr, &h, e.offset, "nlmsghdr");
                }
                out.error = Some(e);
                break;
            }
        };
        match decode_message(raw, tr) {
            Ok(m) => out.messages.push(m),
            Err(e) => {
                out.error = Some(e);
                break;
            }
        }
    }
    out
}

/// `r`, after reporting the attribute (without a value) when reading its value failed, so the
/// attribute is shown before the error.
fn shown<T: Tracer, V>(
    tr: &mut T,
    label: &'static str,
    a: &Attr<'_>,
    r: Result<V, DecodeError>,
) -> Result<V, DecodeError> {
    if r.is_err() {
        tr.attr(Label::Static(label), a, Value::None);
    }
    r
}

pub(crate) fn trace_header<T: Tracer>(tr: &mut T, h: &Header, o: usize, label: &'static str) {
    tr.enter(Label::Static(label), o, NLMSG_HDRLEN, Value::None);
    tr.leaf(Label::Static("nlmsg_len"), o, 4, Value::Num(h.len.into()));
    tr.leaf(Label::Static("nlmsg_type"), o + 4, 2, Value::MsgType(h.ty));
    tr.leaf(Label::Static("nlmsg_flags"), o + 6, 2, Value::Flags { msg_type: h.ty, flags: h.flags });
    tr.leaf(Label::Static("nlmsg_seq"), o + 8, 4, Value::Num(h.seq.into()));
    tr.leaf(Label::Static("nlmsg_pid"), o + 12, 4, Value::Num(h.pid.into()));
    tr.exit();
}

/// The cttimeout command (low byte) of a message type, if the type is cttimeout's.
pub fn timeout_command(ty: u16) -> Option<u8> {
    (ty >> 8 == u16::from(NFNL_SUBSYS_CTNETLINK_TIMEOUT)).then_some((ty & 0xff) as u8)
}

/// Decodes one length-checked message.
pub fn decode_message<'a, T: Tracer>(raw: RawMessage<'a>, tr: &mut T) -> Result<Message<'a>, DecodeError> {
    tr.enter(Label::Message(raw.header.ty), raw.offset, raw.header.len as usize, Value::None);
    trace_header(tr, &raw.header, raw.offset, "nlmsghdr");
    let body_offset = raw.offset + NLMSG_HDRLEN;
    let body = match raw.header.ty {
        NLMSG_NOOP => Body::Noop,
        NLMSG_OVERRUN => Body::Overrun,
        NLMSG_ERROR => Body::Error(decode_error(&raw, tr)?),
        NLMSG_DONE => Body::Done(decode_done(&raw, tr)?),
        t if timeout_command(t).is_some() => {
            Body::Timeout(decode_timeout((t & 0xff) as u8, raw.payload, body_offset, tr)?)
        }
        _ => {
            if !raw.payload.is_empty() {
                tr.leaf(Label::Static("payload"), body_offset, raw.payload.len(), Value::Bytes(raw.payload));
            }
            Body::Other(raw.payload)
        }
    };
    tr.exit();
    Ok(Message { offset: raw.offset, header: raw.header, body })
}

fn trace_unknown<T: Tracer>(tr: &mut T, a: &Attr<'_>) {
    tr.attr(Label::UnknownAttr(a.raw_type), a, Value::Bytes(a.payload));
}

/// Decodes the payload of a cttimeout message (nfgenmsg + attributes) at datagram `offset`.
pub fn decode_timeout<'a, T: Tracer>(
    cmd: u8,
    payload: &'a [u8],
    offset: usize,
    tr: &mut T,
) -> Result<Timeout<'a>, DecodeError> {
    let mut t = Timeout::empty();
    decode_timeout_into(cmd, payload, offset, tr, &mut t)?;
    Ok(t)
}

/// [`decode_timeout`] into `t`, every field rewritten (its `Vec`s reused). The decode tape
/// keeps one `Timeout` for a whole datagram: in WebAssembly every move of this ~200-byte
/// struct is a `memory.copy` call.
pub fn decode_timeout_into<'a, T: Tracer>(
    cmd: u8,
    payload: &'a [u8],
    offset: usize,
    tr: &mut T,
    t: &mut Timeout<'a>,
) -> Result<(), DecodeError> {
    t.cmd = cmd;
    t.nfgen = decode_nfgen(payload, offset, tr)?;
    (t.name, t.l3proto, t.l4proto, t.use_count) = (None, None, None, None);
    t.unknown.clear();
    let mut data = None;
    for a in attrs(&payload[NFGENMSG_LEN..], offset + NFGENMSG_LEN) {
        let a = a?;
        match a.kind() {
            CTA_TIMEOUT_NAME => {
                let n = shown(tr, "CTA_TIMEOUT_NAME", &a, a.get_name())?;
                tr.attr(Label::Static("CTA_TIMEOUT_NAME"), &a, Value::Str(n));
                t.name = Some(n);
            }
            CTA_TIMEOUT_L3PROTO => {
                let v = shown(tr, "CTA_TIMEOUT_L3PROTO", &a, a.get_be16("CTA_TIMEOUT_L3PROTO"))?;
                tr.attr(Label::Static("CTA_TIMEOUT_L3PROTO"), &a, Value::Family(v));
                t.l3proto = Some(v);
            }
            CTA_TIMEOUT_L4PROTO => {
                let v = shown(tr, "CTA_TIMEOUT_L4PROTO", &a, a.get_u8("CTA_TIMEOUT_L4PROTO"))?;
                tr.attr(Label::Static("CTA_TIMEOUT_L4PROTO"), &a, Value::Protocol(v));
                t.l4proto = Some(v);
            }
            CTA_TIMEOUT_USE => t.use_count = Some(ne_or_be32(tr, "CTA_TIMEOUT_USE", &a, Attr::get_be32)?),
            CTA_TIMEOUT_DATA => data = Some(a),
            _ => {
                trace_unknown(tr, &a);
                t.unknown.push(a);
            }
        }
    }
    // DATA is read after the other attributes: its meaning depends on L4PROTO, wherever
    // that came.
    match data {
        Some(d) => decode_data(&d, t.l4proto, &mut t.timeouts, tr),
        None => {
            t.timeouts = None;
            Ok(())
        }
    }
}

/// `struct nfgenmsg` at the start of `payload`.
fn decode_nfgen<T: Tracer>(payload: &[u8], offset: usize, tr: &mut T) -> Result<NfGenMsg, DecodeError> {
    let Some(b) = payload.get(..NFGENMSG_LEN) else {
        return Err(DecodeError::new(
            offset,
            K::Truncated { what: "nfgenmsg", needed: NFGENMSG_LEN, available: payload.len() },
        ));
    };
    let nfgen = NfGenMsg { family: b[0], version: b[1], res_id: u16::from_be_bytes([b[2], b[3]]) };
    tr.enter(Label::Static("nfgenmsg"), offset, NFGENMSG_LEN, Value::None);
    tr.leaf(Label::Static("nfgen_family"), offset, 1, Value::Num(nfgen.family.into()));
    tr.leaf(Label::Static("version"), offset + 1, 1, Value::Num(nfgen.version.into()));
    tr.leaf(Label::Static("res_id"), offset + 2, 2, Value::Num(nfgen.res_id.into()));
    tr.exit();
    Ok(nfgen)
}

/// The states of a CTA_TIMEOUT_DATA nest, read with the table of protocol `l4proto`.
/// Filled in place (`into`): a Timeouts is 96 bytes, moved twice more when returned.
fn decode_data<'a, T: Tracer>(
    d: &Attr<'a>,
    l4proto: Option<u8>,
    into: &mut Option<Timeouts<'a>>,
    tr: &mut T,
) -> Result<(), DecodeError> {
    let proto = shown(
        tr,
        "CTA_TIMEOUT_DATA",
        d,
        l4proto
            .and_then(protocol::by_number)
            .ok_or_else(|| DecodeError::new(d.offset, K::UnknownProtocol { number: l4proto })),
    )?;
    tr.enter_attr(Label::Static("CTA_TIMEOUT_DATA"), d, Value::Protocol(proto.number));
    let ts = into.get_or_insert_with(|| Timeouts::new(proto));
    ts.reset(proto);
    if !T::REPORTS && ts.read_every_state_in_order(d.payload) {
        return Ok(());
    }
    for n in d.nested() {
        let n = n?;
        match proto.state(n.kind()) {
            Some(state) => {
                let v = shown(tr, state.kernel, &n, n.get_be32(state.kernel))?;
                tr.attr(Label::Static(state.kernel), &n, Value::Seconds(v));
                ts.set(state, v);
            }
            None => {
                trace_unknown(tr, &n);
                ts.unknown.push(n);
            }
        }
    }
    tr.exit();
    Ok(())
}

/// A 32-bit attribute read with `get` (big or native endian), reported as a number.
fn ne_or_be32<'a, T: Tracer>(
    tr: &mut T,
    label: &'static str,
    a: &Attr<'a>,
    get: fn(&Attr<'a>, &'static str) -> Result<u32, DecodeError>,
) -> Result<u32, DecodeError> {
    let v = shown(tr, label, a, get(a, label))?;
    tr.attr(Label::Static(label), a, Value::Num(v.into()));
    Ok(v)
}

/// The extended ACK after `at` in an NLMSG_ERROR or NLMSG_DONE payload, when its flags announce one.
fn ext_ack_at<'a, T: Tracer>(raw: &RawMessage<'a>, at: usize, tr: &mut T) -> Result<Option<ExtAck<'a>>, DecodeError> {
    if raw.header.flags & NLM_F_ACK_TLVS == 0 {
        return Ok(None);
    }
    decode_ext_ack(&raw.payload[at..], raw.offset + NLMSG_HDRLEN + at, tr).map(Some)
}

fn decode_error<'a, T: Tracer>(raw: &RawMessage<'a>, tr: &mut T) -> Result<ErrorMsg<'a>, DecodeError> {
    let (payload, offset, flags) = (raw.payload, raw.offset + NLMSG_HDRLEN, raw.header.flags);
    const MIN: usize = 4 + NLMSG_HDRLEN;
    if payload.len() < MIN {
        return Err(DecodeError::new(
            offset,
            K::Truncated { what: "nlmsgerr (errno + echoed nlmsghdr)", needed: MIN, available: payload.len() },
        ));
    }
    let error = i32::from_le_bytes([payload[0], payload[1], payload[2], payload[3]]);
    tr.leaf(Label::Static("error"), offset, 4, Value::Errno(error));
    let request = Header::parse(&payload[4..], offset + 4, "echoed nlmsghdr")?;
    // The kernel echoes only the header for ACKs and with NETLINK_CAP_ACK (NLM_F_CAPPED);
    // otherwise the whole request follows.
    let capped = flags & NLM_F_CAPPED != 0 || error == 0;
    let mut end = MIN;
    let mut request_payload: &[u8] = &[];
    if !capped && payload.len() > MIN {
        let echoed = (request.len as usize).max(NLMSG_HDRLEN);
        let available = payload.len() - 4;
        if echoed > available {
            return Err(DecodeError::new(
                offset + 4,
                K::LengthPastEnd { what: "echoed request nlmsg_len", len: echoed, available },
            ));
        }
        request_payload = &payload[MIN..4 + echoed];
        end = (4 + align(echoed)).min(payload.len());
    }
    tr.echoed(&request, request_payload, offset + 4);
    let ext_ack = ext_ack_at(raw, end, tr)?;
    Ok(ErrorMsg { error, request, request_payload, ext_ack })
}

fn decode_done<'a, T: Tracer>(raw: &RawMessage<'a>, tr: &mut T) -> Result<Done<'a>, DecodeError> {
    let (payload, offset) = (raw.payload, raw.offset + NLMSG_HDRLEN);
    let status = payload.get(..4).map(|b| i32::from_le_bytes([b[0], b[1], b[2], b[3]]));
    if let Some(s) = status {
        tr.leaf(Label::Static("status"), offset, 4, Value::Errno(s));
    }
    let ext_ack = if payload.len() > 4 { ext_ack_at(raw, 4, tr)? } else { None };
    Ok(Done { status, ext_ack })
}

fn decode_ext_ack<'a, T: Tracer>(buf: &'a [u8], offset: usize, tr: &mut T) -> Result<ExtAck<'a>, DecodeError> {
    let mut x = ExtAck::default();
    tr.enter(Label::Static("extended ACK"), offset, buf.len(), Value::None);
    for a in attrs(buf, offset) {
        let a = a?;
        match a.kind() {
            NLMSGERR_ATTR_MSG => {
                let end = a.payload.iter().position(|&b| b == 0).unwrap_or(a.payload.len());
                tr.attr(Label::Static("NLMSGERR_ATTR_MSG"), &a, Value::Str(&a.payload[..end]));
                x.msg = Some(a.payload);
            }
            NLMSGERR_ATTR_OFFS => x.offset = Some(ne_or_be32(tr, "NLMSGERR_ATTR_OFFS", &a, Attr::get_ne32)?),
            NLMSGERR_ATTR_COOKIE => {
                tr.attr(Label::Static("NLMSGERR_ATTR_COOKIE"), &a, Value::Bytes(a.payload));
                x.cookie = Some(a.payload);
            }
            NLMSGERR_ATTR_MISS_TYPE => {
                x.missing_type = Some(ne_or_be32(tr, "NLMSGERR_ATTR_MISS_TYPE", &a, Attr::get_ne32)?);
            }
            NLMSGERR_ATTR_MISS_NEST => {
                x.missing_nest = Some(ne_or_be32(tr, "NLMSGERR_ATTR_MISS_NEST", &a, Attr::get_ne32)?);
            }
            NLMSGERR_ATTR_POLICY => {
                tr.enter_attr(Label::Static("NLMSGERR_ATTR_POLICY"), &a, Value::None);
                let mut entries = Vec::new();
                for p in a.nested() {
                    let p = p?;
                    let value = match p.payload.len() {
                        4 => u64::from(p.get_ne32("policy entry")?),
                        8 => p.get_ne64("policy entry")?,
                        // NL_POLICY_TYPE_ATTR_PAD and shapes this codec does not know
                        _ => {
                            trace_unknown(tr, &p);
                            continue;
                        }
                    };
                    let value_shown = if p.kind() == 1 { Value::PolicyType(value) } else { Value::Num(value) };
                    tr.attr(Label::PolicyAttr(p.kind()), &p, value_shown);
                    entries.push(PolicyEntry { attr: p.kind(), value });
                }
                tr.exit();
                x.policy = Some(entries);
            }
            _ => {
                trace_unknown(tr, &a);
                x.unknown.push(a);
            }
        }
    }
    tr.exit();
    Ok(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_keep_present_states_in_attribute_order_whatever_order_they_came_in() {
        let tcp = protocol::by_number(6).unwrap();
        let mut ts = Timeouts::new(tcp);
        assert!(ts.is_empty());
        // CLOSE (8), then SYN_SENT (1), ESTABLISHED (3) twice: the last value counts.
        for (attr, v) in [(8, 10), (1, 120), (3, 5), (3, 3000)] {
            ts.set(tcp.state(attr).unwrap(), v);
        }
        assert_eq!(ts.mask(), 0b1000_0101);
        assert_eq!(
            (ts.get(1), ts.get(2), ts.get(3), ts.get(8), ts.get(0), ts.get(99)),
            (Some(120), None, Some(3000), Some(10), None, None)
        );
        let order: Vec<_> = ts.iter().map(|(s, v)| (s.attr, v)).collect();
        assert_eq!(order, [(1, 120), (3, 3000), (8, 10)]);
        let mut words = vec![7];
        ts.push_values(&mut words);
        assert_eq!(words, [7, 120, 3000, 10]);
        // Every state from the first (a kernel reply): the contiguous case.
        let mut full = Timeouts::new(tcp);
        for s in tcp.states {
            full.set(s, u32::from(s.attr) * 100);
        }
        let mut words = Vec::new();
        full.push_values(&mut words);
        assert_eq!(words, tcp.states.iter().map(|s| u32::from(s.attr) * 100).collect::<Vec<_>>());
    }

    #[test]
    fn nfgenmsg_missing_is_an_error_with_its_offset() {
        let b = [20u8, 0, 0, 0, 1, 8, 1, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        let d = decode(&b[..]);
        assert!(d.error.is_none());
        let mut short = b;
        short[0] = 16;
        let d = decode(&short[..16]);
        let e = d.error.unwrap();
        assert_eq!((e.code(), e.offset), ("ERR_TRUNCATED", 16));
    }

    #[test]
    fn data_before_l4proto_still_decodes() {
        // NEW, DATA{ICMP TIMEOUT=7} first, then L4PROTO=1
        let mut b = vec![0u8; 16];
        b.extend_from_slice(&[0, 0, 0, 0]);
        b.extend_from_slice(&[12, 0, 4, 0x80, 8, 0, 1, 0, 0, 0, 0, 7]);
        b.extend_from_slice(&[5, 0, 3, 0, 1, 0, 0, 0]);
        let len = b.len() as u32;
        b[..4].copy_from_slice(&len.to_le_bytes());
        b[4..6].copy_from_slice(&0x0800u16.to_le_bytes());
        let d = decode(&b);
        let Body::Timeout(t) = &d.messages[0].body else { panic!("{d:?}") };
        assert_eq!(t.timeouts.as_ref().unwrap().get(1), Some(7));
    }

    #[test]
    fn decoding_into_a_reused_timeout_equals_a_fresh_decode() {
        let nfgen = [2u8, 0, 0, 0];
        let name = |c: u8| [6u8, 0, 1, 0, c, 0, 0, 0];
        let l4 = |p: u8| [5u8, 0, 3, 0, p, 0, 0, 0];
        let unknown_attr = [8u8, 0, 30, 0, 0, 0, 0, 1];
        // TCP with a name, an unknown attribute and ESTABLISHED=3000; UDP with no DATA; UDP
        // with no name and UNREPLIED=30; then the first again.
        let tcp =
            [&nfgen[..], &name(b'a'), &l4(6), &unknown_attr, &[12, 0, 4, 0x80, 8, 0, 3, 0, 0, 0, 0x0b, 0xb8]].concat();
        let udp_bare = [&nfgen[..], &name(b'b'), &l4(17)].concat();
        let udp = [&nfgen[..], &l4(17), &[12, 0, 4, 0x80, 8, 0, 1, 0, 0, 0, 0, 30]].concat();
        let mut x = Timeout::empty();
        for p in [&tcp, &udp_bare, &udp, &tcp] {
            decode_timeout_into(0, p, 16, &mut NoTrace, &mut x).unwrap();
            assert_eq!(x, decode_timeout(0, p, 16, &mut NoTrace).unwrap());
        }
        assert!(!decode_timeout(0, &tcp, 16, &mut NoTrace).unwrap().unknown.is_empty());
    }

    /// Reports every leaf, so decoding takes the general walk.
    struct Leaves(usize);
    impl Tracer for Leaves {
        fn leaf(&mut self, _: Label, _: usize, _: usize, _: Value<'_>) {
            self.0 += 1;
        }
    }

    #[test]
    fn a_kernel_reply_nest_decodes_as_the_general_walk_does_and_near_misses_too() {
        // nfgen, L4PROTO, then DATA holding `nest`.
        let policy = |proto: u8, nest: &[u8]| {
            let len = (4 + nest.len()) as u16;
            [&[2u8, 0, 0, 0, 5, 0, 3, 0, proto, 0, 0, 0][..], &len.to_le_bytes(), &[4, 0x80], nest].concat()
        };
        let state = |attr: u16, v: u32| [&8u16.to_le_bytes()[..], &attr.to_le_bytes(), &v.to_be_bytes()].concat();
        for p in protocol::PROTOCOLS {
            let n = p.states.len() as u16;
            let all: Vec<u8> = (1..=n).flat_map(|a| state(a, 1000 + u32::from(a))).collect();
            let mut cases = vec![all.clone()];
            cases.push(all[8..].to_vec()); // the first state missing
            cases.push(all[..all.len() - 8].to_vec()); // the last missing
            cases.push([&all[..], &state(n + 1, 7)].concat()); // a state this table lacks
            if n > 1 {
                cases.push([&all[8..16], &all[..8], &all[16..]].concat()); // two swapped
            }
            let mut flagged = all.clone();
            flagged[3] |= 0x40; // NLA_F_NET_BYTEORDER on the first
            cases.push(flagged);
            let mut long = all.clone();
            long[0] = 9; // a 5-byte value: an error, at the same byte either way
            cases.push(long);
            for nest in cases {
                let b = policy(p.number, &nest);
                let mut tr = Leaves(0);
                let (fast, walked) = (decode_timeout(0, &b, 16, &mut NoTrace), decode_timeout(0, &b, 16, &mut tr));
                assert_eq!(fast, walked, "{} {nest:02x?}", p.name);
            }
            let b = policy(p.number, &all);
            let t = decode_timeout(0, &b, 16, &mut NoTrace).unwrap();
            // The traced decode reported each state: it walked, it did not take the shortcut.
            let mut tr = Leaves(0);
            decode_timeout(0, &b, 16, &mut tr).unwrap();
            assert_eq!(tr.0, 3 + 1 + usize::from(n), "{}", p.name);
            let want: Vec<_> = (1..=n).map(|a| (a, 1000 + u32::from(a))).collect();
            assert_eq!(t.timeouts.unwrap().iter().map(|(s, v)| (s.attr, v)).collect::<Vec<_>>(), want);
        }
    }
}
