//! Text output byte-identical to `nfct_timeout_snprintf(..., NFCT_TIMEOUT_O_DEFAULT, 0)` as
//! nfct prints it (PROTOCOL.md §5.4), without its defects: the result is always the whole text.

use crate::decode::Timeout;
use crate::protocol::GENERIC;
use std::fmt::Write;

/// The nfct block for a decoded policy or default-timeouts message, without a trailing
/// newline (nfct adds one). Lines appear only for attributes the message carries; the policy
/// lists every state the C library knows, with 0 for states the message lacks, as nfct does.
pub fn nfct_text(t: &Timeout<'_>) -> String {
    let mut s = String::with_capacity(400);
    if let Some(name) = t.name {
        let _ = writeln!(s, ".{} = {{", String::from_utf8_lossy(name));
    }
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
