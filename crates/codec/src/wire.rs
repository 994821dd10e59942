//! What goes on the wire: the one rule for a request's flags, which requests are dumps, one-
//! message checks and splitting a buffer of back-to-back requests, and the two control
//! messages a transport sends (the probe and the barrier). The socket crate and the TS
//! transport both use these, so no other code frames messages.

use crate::consts::*;
use crate::encode::{encode, EncodeOptions, Request};
use crate::error::{DecodeError, DecodeErrorKind as K};
use crate::framing::{messages, Header};

/// Whether the kernel answers this request as a dump (a series of messages ending with
/// NLMSG_DONE, never an ACK). cttimeout dumps only for GET, and tests `flags & NLM_F_DUMP`,
/// so ROOT or MATCH alone is a dump too; on NEW the same bits mean REPLACE and EXCL.
pub fn is_dump(msg_type: u16, flags: u16) -> bool {
    msg_type == Command::Get.msg_type() && flags & NLM_F_REQUEST != 0 && flags & NLM_F_DUMP != 0
}

/// The flags a request goes out with: NLM_F_REQUEST always, and NLM_F_ACK on everything but
/// a dump, so every request gets exactly one final answer (ACK, error or DONE). A dump goes out
/// as nfct sends it, without ACK (the kernel ignores it there).
pub fn wire_flags(msg_type: u16, flags: u16) -> u16 {
    let flags = flags | NLM_F_REQUEST;
    if is_dump(msg_type, flags) {
        flags
    } else {
        flags | NLM_F_ACK
    }
}

/// Checks that `bytes` is exactly one netlink message (`nlmsg_len` is its whole length, at
/// least a header) and returns its header.
pub fn check_one_message(bytes: &[u8]) -> Result<Header, DecodeError> {
    check_header(bytes, bytes.len())
}

/// [`check_one_message`] from the message's first bytes (`head`, its header if it has one)
/// and its whole length `total`.
fn check_header(head: &[u8], total: usize) -> Result<Header, DecodeError> {
    let h = Header::parse(head, 0, "nlmsghdr")?;
    let len = h.len as usize;
    if len < NLMSG_HDRLEN {
        return Err(DecodeError::new(0, K::LengthTooShort { what: "nlmsg_len", len, min: NLMSG_HDRLEN }));
    }
    if len != total {
        return Err(DecodeError::new(0, K::NotOneMessage { len, total }));
    }
    Ok(h)
}

/// Makes one request ready to send with sequence number `seq`: checks it is one message,
/// applies [`wire_flags`] and writes `seq`. Returns whether it is a dump.
pub fn prepare_for_send(msg: &mut [u8], seq: u32) -> Result<bool, DecodeError> {
    let total = msg.len();
    prepare_header(&mut msg[..total.min(NLMSG_HDRLEN)], total, seq)
}

/// [`prepare_for_send`] given only the message's first `NLMSG_HDRLEN` bytes (fewer if it is
/// shorter) and its whole length: the rest of a request plays no part in it, so the TS side
/// moves 16 bytes into WebAssembly and back instead of the whole message.
pub fn prepare_header(head: &mut [u8], total: usize, seq: u32) -> Result<bool, DecodeError> {
    let mut h = check_header(head, total)?;
    h.flags = wire_flags(h.ty, h.flags);
    h.seq = seq;
    head[..NLMSG_HDRLEN].copy_from_slice(&h.to_bytes());
    Ok(is_dump(h.ty, h.flags))
}

/// (offset, length) of each message of a buffer of back-to-back messages, and the error that
/// stopped the walk, if any (the spans before it are still returned).
pub fn split_messages(buf: &[u8]) -> (Vec<(usize, usize)>, Option<DecodeError>) {
    let mut spans = Vec::new();
    for m in messages(buf) {
        match m {
            Ok(m) => spans.push((m.offset, m.header.len as usize)),
            Err(e) => return (spans, Some(e)),
        }
    }
    (spans, None)
}

/// The probe a transport sends when it opens: a GET of the policy named "" to nfnetlink
/// `subsystem` (8 is cttimeout). ENOENT, or a policy, means the subsystem is there.
pub fn probe_request(subsystem: u8) -> Vec<u8> {
    // A GET with a name always encodes.
    let mut b = encode(&Request::get(b""), &EncodeOptions::default()).unwrap_or_default();
    if b.len() > 5 {
        b[5] = subsystem;
        let flags = wire_flags(u16::from_le_bytes([b[4], b[5]]), u16::from_le_bytes([b[6], b[7]]));
        b[6..8].copy_from_slice(&flags.to_le_bytes());
    }
    b
}

/// A barrier: NLMSG_NOOP, which the kernel always ACKs. Replies come in the order requests
/// are processed, so its ACK means every request sent before it has been answered.
pub fn barrier() -> [u8; NLMSG_HDRLEN] {
    Header { len: NLMSG_HDRLEN as u32, ty: NLMSG_NOOP, flags: wire_flags(NLMSG_NOOP, 0), seq: 0, pid: 0 }.to_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_get_with_a_dump_bit_is_a_dump() {
        let get = Command::Get.msg_type();
        assert!(is_dump(get, NLM_F_REQUEST | NLM_F_DUMP));
        assert!(is_dump(get, NLM_F_REQUEST | NLM_F_ROOT));
        assert!(is_dump(get, NLM_F_REQUEST | NLM_F_MATCH));
        assert!(!is_dump(get, NLM_F_REQUEST));
        assert!(!is_dump(get, NLM_F_DUMP), "not a request");
        assert!(!is_dump(Command::New.msg_type(), NLM_F_REQUEST | NLM_F_REPLACE | NLM_F_EXCL));
        assert!(!is_dump(Command::DefaultGet.msg_type(), NLM_F_REQUEST | NLM_F_DUMP));
        assert!(!is_dump(NLMSG_NOOP, NLM_F_REQUEST | NLM_F_DUMP));
        assert!(!is_dump(0x0901, NLM_F_REQUEST | NLM_F_DUMP), "another subsystem");
    }

    #[test]
    fn flags_on_the_wire() {
        let get = Command::Get.msg_type();
        assert_eq!(wire_flags(get, NLM_F_DUMP), NLM_F_REQUEST | NLM_F_DUMP);
        assert_eq!(wire_flags(get, 0), NLM_F_REQUEST | NLM_F_ACK);
        let new = Command::New.msg_type();
        assert_eq!(wire_flags(new, NLM_F_REPLACE | NLM_F_EXCL), NLM_F_REQUEST | NLM_F_ACK | NLM_F_REPLACE | NLM_F_EXCL);
    }

    #[test]
    fn prepare_writes_seq_and_flags() {
        let mut b = encode(&Request::dump(), &EncodeOptions::default()).unwrap();
        assert!(prepare_for_send(&mut b, 77).unwrap());
        let h = check_one_message(&b).unwrap();
        assert_eq!((h.seq, h.flags), (77, NLM_F_REQUEST | NLM_F_DUMP));
        let mut b = encode(&Request::delete(b"x"), &EncodeOptions::default()).unwrap();
        assert!(!prepare_for_send(&mut b, 5).unwrap());
        assert_eq!(check_one_message(&b).unwrap().flags, NLM_F_REQUEST | NLM_F_ACK);
        let mut two = b.clone();
        two.extend_from_slice(&b);
        let e = prepare_for_send(&mut two, 1).unwrap_err();
        assert_eq!(e.code(), "ERR_LENGTH");
        assert!(e.to_string().contains("exactly one"), "{e}");
        assert_eq!(check_one_message(&[0u8; 8]).unwrap_err().code(), "ERR_TRUNCATED");
    }

    #[test]
    fn split_and_control_messages() {
        let mut b = probe_request(8);
        b.extend_from_slice(&barrier());
        b.extend_from_slice(&[1, 2, 3]);
        let (spans, err) = split_messages(&b);
        assert_eq!(spans, [(0, 28), (28, 16)]);
        assert_eq!(err.unwrap().offset, 44);
        assert_eq!(check_one_message(&b[..28]).unwrap().ty, 0x0801);
        assert_eq!(probe_request(9)[5], 9);
        assert_eq!(u16::from_le_bytes([b[34], b[35]]), NLM_F_REQUEST | NLM_F_ACK);
    }
}
