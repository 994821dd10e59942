//! Cuts a received datagram into chunks: runs of consecutive messages with the same sequence
//! number, each ending at the request's terminal message (ACK, error or DONE) if it holds one.
//! The caller decodes a whole chunk in one codec call, so a dump datagram stays one chunk.

use cttimeout_codec::consts::{NLMSG_DONE, NLMSG_ERROR};
use cttimeout_codec::decode::{decode_message, Body, NoTrace};
use cttimeout_codec::framing::{messages, RawMessage};

/// Reply bytes for one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk {
    pub seq: u32,
    /// One or more whole netlink messages.
    pub data: Vec<u8>,
    /// The chunk ends with the request's last message (ACK, NLMSG_ERROR or NLMSG_DONE).
    pub terminal: bool,
    /// Positive errno when the terminal message reports an error, else 0.
    pub errno: i32,
    pub ext_ack_message: Option<String>,
    pub ext_ack_offset: Option<u32>,
}

/// What a datagram held.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Split {
    pub chunks: Vec<Chunk>,
    /// Messages addressed to another port id (dropped).
    pub foreign: u32,
    /// The framing error that stopped the walk, if any: (byte offset, text).
    pub malformed: Option<(usize, String)>,
}

/// How a request ended: (errno or 0, ext-ack text, ext-ack offset).
type Ending = (i32, Option<String>, Option<u32>);

/// Terminal status of one message: None if the request goes on after it.
fn terminal_status(m: &RawMessage<'_>) -> Option<Ending> {
    let ty = m.header.ty;
    if ty != NLMSG_ERROR && ty != NLMSG_DONE {
        return None;
    }
    match decode_message(*m, &mut NoTrace) {
        Ok(msg) => match msg.body {
            Body::Error(e) => {
                let x = e.ext_ack.as_ref();
                Some((e.errno() as i32, x.and_then(|x| x.message()), x.and_then(|x| x.offset)))
            }
            Body::Done(d) => {
                let x = d.ext_ack.as_ref();
                Some((
                    d.status.filter(|s| *s < 0).map_or(0, |s| s.unsigned_abs() as i32),
                    x.and_then(|x| x.message()),
                    x.and_then(|x| x.offset),
                ))
            }
            _ => Some((0, None, None)),
        },
        // A terminal the codec cannot read (too short): still the end of the request. EPROTO
        // tells the caller the kernel's answer could not be read.
        Err(_) => Some((libc::EPROTO, None, None)),
    }
}

/// Splits `dgram` (one datagram from the kernel) for the socket with `port_id`.
pub fn split(dgram: Vec<u8>, port_id: u32) -> Split {
    let mut out = Split::default();
    // (start, end, seq, terminal) of each run
    let mut runs: Vec<(usize, usize, u32, Option<Ending>)> = Vec::new();
    let mut open = false;
    let mut it = messages(&dgram);
    for m in it.by_ref() {
        let m = match m {
            Ok(m) => m,
            Err(e) => {
                out.malformed = Some((e.offset, e.to_string()));
                break;
            }
        };
        if m.header.pid != port_id {
            out.foreign += 1;
            open = false;
            continue;
        }
        let end = m.offset + m.header.len as usize;
        let term = terminal_status(&m);
        match runs.last_mut() {
            Some(r) if open && r.2 == m.header.seq => r.1 = end,
            _ => runs.push((m.offset, end, m.header.seq, None)),
        }
        open = true;
        if let Some(t) = term {
            if let Some(r) = runs.last_mut() {
                r.3 = Some(t);
            }
            open = false;
        }
    }
    let whole = runs.len() == 1 && runs[0].0 == 0 && runs[0].1 == dgram.len();
    let mut dgram = Some(dgram);
    for (start, end, seq, term) in runs {
        let data = if whole {
            dgram.take().unwrap_or_default()
        } else {
            dgram.as_ref().map(|d| d[start..end].to_vec()).unwrap_or_default()
        };
        let (terminal, (errno, msg, offset)) = match term {
            Some(t) => (true, t),
            None => (false, (0, None, None)),
        };
        out.chunks.push(Chunk { seq, data, terminal, errno, ext_ack_message: msg, ext_ack_offset: offset });
    }
    out
}

/// The sequence number of the first message in `buf`, if it has a whole header.
pub fn first_seq(buf: &[u8]) -> Option<u32> {
    buf.get(8..12).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

/// Sequence numbers of every message in an outgoing buffer.
pub fn seqs(buf: &[u8]) -> Vec<u32> {
    messages(buf).map_while(Result::ok).map(|m| m.header.seq).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(ty: u16, flags: u16, seq: u32, pid: u32, payload: &[u8]) -> Vec<u8> {
        let mut v = Vec::new();
        v.extend_from_slice(&(16 + payload.len() as u32).to_le_bytes());
        v.extend_from_slice(&ty.to_le_bytes());
        v.extend_from_slice(&flags.to_le_bytes());
        v.extend_from_slice(&seq.to_le_bytes());
        v.extend_from_slice(&pid.to_le_bytes());
        v.extend_from_slice(payload);
        v
    }

    fn ack(seq: u32, pid: u32, error: i32) -> Vec<u8> {
        let mut p = error.to_le_bytes().to_vec();
        p.extend(msg(0x0800, 5, seq, 0, &[]));
        msg(2, 0x100, seq, pid, &p)
    }

    fn fixture(id: &str) -> Vec<u8> {
        let all: serde_json::Value =
            serde_json::from_str(include_str!("../../../test/fixtures/protocol-md-captures.json")).unwrap();
        let hex = all.as_array().unwrap().iter().find(|c| c["id"] == id).unwrap()["hex"].as_str().unwrap().to_string();
        cttimeout_codec::json::unhex(&hex).unwrap()
    }

    #[test]
    fn a_dump_datagram_is_one_chunk_without_copy() {
        let mut d = msg(0x0800, 2, 7, 99, &[0; 4]);
        d.extend(msg(0x0800, 2, 7, 99, &[0; 8]));
        d.extend(msg(3, 2, 7, 99, &0i32.to_le_bytes()));
        let ptr = d.as_ptr();
        let s = split(d, 99);
        assert_eq!(s.chunks.len(), 1);
        assert!(s.chunks[0].terminal);
        assert_eq!(s.chunks[0].errno, 0);
        assert_eq!(s.chunks[0].data.as_ptr(), ptr);
    }

    #[test]
    fn runs_split_by_seq_and_terminal() {
        let mut d = msg(0x0800, 2, 1, 5, &[0; 4]);
        d.extend(ack(1, 5, 0));
        d.extend(ack(2, 5, -16));
        d.extend(msg(0x0800, 2, 2, 6, &[0; 4])); // another port: dropped
        let s = split(d, 5);
        assert_eq!(s.foreign, 1);
        assert_eq!(
            s.chunks.iter().map(|c| (c.seq, c.terminal, c.errno, c.data.len())).collect::<Vec<_>>(),
            vec![(1, true, 0, 20 + 36), (2, true, 16, 36)]
        );
    }

    #[test]
    fn done_with_error_status_and_malformed_tail() {
        let mut d = msg(3, 2, 9, 1, &(-4i32).to_le_bytes());
        d.extend_from_slice(&[1, 2, 3]);
        let s = split(d, 1);
        assert_eq!(s.chunks[0].errno, 4);
        assert!(s.chunks[0].terminal);
        assert!(s.malformed.is_some());
    }

    #[test]
    fn ext_ack_text_and_offset() {
        // The EINVAL reply of PROTOCOL.md §7.M (32-character name), port id 0x2e52.
        let bytes = fixture("M.einval.reply");
        let s = split(bytes, 0x2e52);
        let c = &s.chunks[0];
        assert_eq!((c.seq, c.errno), (0x3ea, 22));
        assert_eq!(c.ext_ack_message.as_deref(), Some("Attribute failed policy validation"));
        assert_eq!(c.ext_ack_offset, Some(20));
    }
}
