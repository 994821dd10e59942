//! Text output byte-identical to `nfct_timeout_snprintf(..., NFCT_TIMEOUT_O_DEFAULT, 0)` as
//! nfct prints it (PROTOCOL.md §5.4), without its defects: the result is always the whole text.

use crate::decode::Timeout;
use crate::protocol::GENERIC;
use std::fmt::Write;

/// The nfct block for a decoded policy or default-timeouts message, without a trailing
/// newline (nfct adds one), as bytes: the name is written as its raw bytes, as nfct's `%s`
/// does, so a name that is not UTF-8 comes out exactly as nfct prints it. Lines appear only
/// for attributes the message carries; the policy lists every state the C library knows,
/// with 0 for states the message lacks, as nfct does.
pub fn nfct_bytes(t: &Timeout<'_>) -> Vec<u8> {
    let rest = nfct_text_after_name(t);
    let Some(name) = t.name else { return rest.into_bytes() };
    let mut out = Vec::with_capacity(name.len() + 5 + rest.len());
    out.push(b'.');
    out.extend_from_slice(name);
    out.extend_from_slice(b" = {\n");
    out.extend_from_slice(rest.as_bytes());
    out
}

/// [`nfct_bytes`] as text; a name that is not UTF-8 is shown with U+FFFD (display only).
pub fn nfct_text(t: &Timeout<'_>) -> String {
    match t.name {
        Some(name) => format!(".{} = {{\n{}", String::from_utf8_lossy(name), nfct_text_after_name(t)),
        None => nfct_text_after_name(t),
    }
}

/// Every line after the name's.
fn nfct_text_after_name(t: &Timeout<'_>) -> String {
    let mut s = String::with_capacity(400);
    if let Some(l3) = t.l3proto {
        let _ = writeln!(s, "\t.l3proto = {l3},");
    }
    if let Some(l4) = t.l4proto {
        let _ = writeln!(s, "\t.l4proto = {l4},");
    }
    // The C library sets its POLICY bit only when it stored at least one state.
    if let Some(ts) = t.timeouts.as_ref().filter(|ts| ts.iter().any(|(st, _)| st.nfct)) {
        s.push_str("\t.policy = {\n");
        let proto = if ts.protocol.states.is_empty() { &GENERIC } else { ts.protocol };
        for st in proto.states.iter().filter(|st| st.nfct) {
            let _ = writeln!(s, "\t\t.{} = {},", st.name, ts.get(st.attr).unwrap_or(0));
        }
        s.push_str("\t},\n");
    }
    s.push_str("};");
    s
}
