//! The inspector's view: a tree of every field with its byte span and its value in the unit
//! it means (seconds, protocol and family names, errno names, flag names). It is built by the
//! decoder itself through the [`Tracer`] hook, so it can never disagree with the decoder.

use crate::consts::{self, NLMSG_HDRLEN, POLICY_ATTRS, POLICY_TYPES};
use crate::decode::{self, decode_timeout, trace_header, Label, Tracer, Value};
use crate::error::DecodeError;
use crate::framing::{Attr, Header};
use crate::json::hex;
use crate::{errno, protocol};
use serde::Serialize;

/// One node: a message, a header, a field, an attribute.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Node {
    pub label: String,
    pub offset: usize,
    pub length: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<Node>,
    /// Set on the node where decoding stopped.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The tree of a datagram and where decoding stopped, if it did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tree {
    pub messages: Vec<Node>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<TreeError>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TreeError {
    pub code: &'static str,
    pub offset: usize,
    pub message: String,
}

struct TreeTracer {
    /// Open nodes; the first is a root whose children are the messages.
    stack: Vec<Node>,
}

fn node(label: String, offset: usize, length: usize, value: Option<String>) -> Node {
    Node { label, offset, length, value, children: Vec::new(), error: None }
}

fn label_text(l: Label) -> String {
    match l {
        Label::Static(s) => s.to_string(),
        Label::Message(t) => consts::msg_type_name(t),
        Label::UnknownAttr(t) => {
            let flags = if t & consts::NLA_F_NESTED != 0 { ", nested" } else { "" };
            format!("attribute {} (unknown{flags})", t & consts::NLA_TYPE_MASK)
        }
        Label::PolicyAttr(a) => POLICY_ATTRS
            .iter()
            .find(|(n, _)| *n == a)
            .map(|(_, k)| (*k).to_string())
            .unwrap_or_else(|| format!("policy attribute {a}")),
    }
}

fn value_text(v: Value<'_>) -> Option<String> {
    Some(match v {
        Value::None => return None,
        Value::Num(n) => n.to_string(),
        Value::Str(s) => format!("\"{}\"", String::from_utf8_lossy(s)),
        Value::Bytes(b) => hex(b),
        Value::MsgType(t) => format!("0x{t:04x} {}", consts::msg_type_name(t)),
        Value::Flags { msg_type, flags } => {
            let names = consts::flag_names(msg_type, flags);
            if names.is_empty() {
                format!("0x{flags:04x}")
            } else {
                format!("0x{flags:04x} {}", names.join("|"))
            }
        }
        Value::Family(f) => match protocol::family_name(f) {
            Some(n) => format!("{f} ({n})"),
            None => f.to_string(),
        },
        Value::Protocol(p) => match protocol::by_number(p) {
            Some(pr) => format!("{p} ({})", pr.name),
            None => format!("{p} (no timeout table)"),
        },
        Value::Seconds(s) => format!("{s} s"),
        Value::Errno(0) => "0 (success)".to_string(),
        Value::Errno(e) => {
            let n = e.unsigned_abs();
            format!("{e} ({}: {})", errno::name(n).unwrap_or("?"), errno::message(n))
        }
        Value::AttrType(t) => {
            let mut s = format!("0x{t:04x} type {}", t & consts::NLA_TYPE_MASK);
            if t & consts::NLA_F_NESTED != 0 {
                s.push_str(" | NLA_F_NESTED");
            }
            if t & consts::NLA_F_NET_BYTEORDER != 0 {
                s.push_str(" | NLA_F_NET_BYTEORDER");
            }
            s
        }
        Value::PolicyType(t) => match POLICY_TYPES.get(t as usize) {
            Some(n) => format!("{t} ({n})"),
            None => t.to_string(),
        },
    })
}

impl TreeTracer {
    fn top(&mut self) -> &mut Node {
        self.stack.last_mut().expect("root node is never popped")
    }

    /// Marks the innermost open node with the error and closes every open node.
    fn fail(&mut self, e: &DecodeError) {
        let at = node("decoding stopped".into(), e.offset, 0, None);
        self.top().children.push(Node { error: Some(e.to_string()), ..at });
        while self.stack.len() > 1 {
            self.exit();
        }
    }
}

impl Tracer for TreeTracer {
    fn enter(&mut self, label: Label, offset: usize, len: usize, value: Value<'_>) {
        self.stack.push(node(label_text(label), offset, len, value_text(value)));
    }

    fn leaf(&mut self, label: Label, offset: usize, len: usize, value: Value<'_>) {
        let n = node(label_text(label), offset, len, value_text(value));
        self.top().children.push(n);
    }

    fn exit(&mut self) {
        if self.stack.len() > 1 {
            let mut n = self.stack.pop().expect("checked above");
            // The decoder reads DATA last (its meaning depends on L4PROTO); show byte order.
            n.children.sort_by_key(|c| c.offset);
            self.top().children.push(n);
        }
    }

    fn attr(&mut self, label: Label, a: &Attr<'_>, value: Value<'_>) {
        self.enter_attr(label, a, value);
        self.exit();
    }

    fn enter_attr(&mut self, label: Label, a: &Attr<'_>, value: Value<'_>) {
        self.enter(label, a.offset, a.len.into(), value);
        self.leaf(Label::Static("nla_len"), a.offset, 2, Value::Num(a.len.into()));
        self.leaf(Label::Static("nla_type"), a.offset + 2, 2, Value::AttrType(a.raw_type));
    }

    fn echoed(&mut self, header: &Header, payload: &[u8], offset: usize) {
        let len = NLMSG_HDRLEN + payload.len();
        self.stack.push(node("echoed request".into(), offset, len, Some(consts::msg_type_name(header.ty))));
        trace_header(self, header, offset, "nlmsghdr");
        if !payload.is_empty() && header.ty >> 8 == u16::from(consts::NFNL_SUBSYS_CTNETLINK_TIMEOUT) {
            // The echoed request is shown, not validated: a problem there belongs to the request.
            let depth = self.stack.len();
            if let Err(e) = decode_timeout((header.ty & 0xff) as u8, payload, offset + NLMSG_HDRLEN, self) {
                while self.stack.len() > depth {
                    self.exit();
                }
                let n = node("request not decodable".into(), e.offset, 0, None);
                self.top().children.push(Node { error: Some(e.to_string()), ..n });
            }
        } else if !payload.is_empty() {
            self.leaf(Label::Static("payload"), offset + NLMSG_HDRLEN, payload.len(), Value::Bytes(payload));
        }
        self.exit();
    }
}

/// The field tree of a datagram.
pub fn inspect(buf: &[u8]) -> Tree {
    let mut tr = TreeTracer { stack: vec![node(String::new(), 0, buf.len(), None)] };
    let d = decode::decode_traced(buf, &mut tr);
    if let Some(e) = &d.error {
        tr.fail(e);
    }
    let root = tr.stack.pop().expect("root");
    Tree {
        messages: root.children,
        error: d.error.map(|e| TreeError { code: e.code(), offset: e.offset, message: e.to_string() }),
    }
}

/// The names of a message type and its flags, as the tree shows them: `(type, flags)`.
pub fn header_names(msg_type: u16, flags: u16) -> (String, Vec<&'static str>) {
    (consts::msg_type_name(msg_type), consts::flag_names(msg_type, flags))
}

/// [`inspect`] as JSON text.
pub fn inspect_json(buf: &[u8]) -> String {
    serde_json::to_string(&inspect(buf))
        .unwrap_or_else(|e| format!("{{\"messages\":[],\"error\":{{\"message\":\"{e}\"}}}}"))
}
