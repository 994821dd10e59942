//! pcap capture of every datagram sent and received, as LINKTYPE_NETLINK (253) with the
//! 16-byte cooked header Wireshark expects (PROTOCOL.md §9). Sockets of one process that name
//! the same file share one writer, so a whole session lands in one readable file.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::{SystemTime, UNIX_EPOCH};

const LINKTYPE_NETLINK: u32 = 253;
const ARPHRD_NETLINK: u16 = 824;
const SNAPLEN: u32 = 262_144;

/// Packet direction in the cooked header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// From the kernel to us (PACKET_HOST).
    Received = 0,
    /// From us to the kernel (PACKET_OUTGOING).
    Sent = 4,
}

pub struct Capture {
    out: Mutex<BufWriter<File>>,
}

type Registry = Mutex<HashMap<PathBuf, Weak<Capture>>>;

fn registry() -> &'static Registry {
    static R: OnceLock<Registry> = OnceLock::new();
    R.get_or_init(|| Mutex::new(HashMap::new()))
}

/// The capture for `path`: shared with other sockets of this process that use the same path,
/// otherwise a new file (truncated) with the pcap global header.
pub fn open(path: &Path) -> io::Result<Arc<Capture>> {
    let key = std::path::absolute(path)?;
    let mut reg = registry().lock().unwrap_or_else(|e| e.into_inner());
    reg.retain(|_, w| w.strong_count() > 0);
    if let Some(c) = reg.get(&key).and_then(Weak::upgrade) {
        return Ok(c);
    }
    let mut w = BufWriter::new(crate::sys::open_capture(&key)?);
    let mut h = Vec::with_capacity(24);
    h.extend_from_slice(&0xa1b2_c3d4u32.to_le_bytes()); // microsecond timestamps
    h.extend_from_slice(&2u16.to_le_bytes());
    h.extend_from_slice(&4u16.to_le_bytes());
    h.extend_from_slice(&0i32.to_le_bytes()); // thiszone
    h.extend_from_slice(&0u32.to_le_bytes()); // sigfigs
    h.extend_from_slice(&SNAPLEN.to_le_bytes());
    h.extend_from_slice(&LINKTYPE_NETLINK.to_le_bytes());
    w.write_all(&h)?;
    w.flush()?;
    let c = Arc::new(Capture { out: Mutex::new(w) });
    reg.insert(key, Arc::downgrade(&c));
    Ok(c)
}

/// The 16-byte cooked header (SLL layout, big endian) for NETLINK_NETFILTER.
fn cooked(dir: Direction) -> [u8; 16] {
    let mut h = [0u8; 16];
    h[0..2].copy_from_slice(&(dir as u16).to_be_bytes());
    h[2..4].copy_from_slice(&ARPHRD_NETLINK.to_be_bytes());
    // 4..6 address length 0, 6..14 address: zero
    h[14..16].copy_from_slice(&(cttimeout_codec::consts::NETLINK_NETFILTER as u16).to_be_bytes());
    h
}

impl Capture {
    /// Appends one record. `real_len` is the datagram's length on the wire, which is larger
    /// than `bytes` when the receive was truncated.
    pub fn record(&self, dir: Direction, bytes: &[u8], real_len: usize) {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
        let incl = (16 + bytes.len()).min(SNAPLEN as usize);
        let mut rec = Vec::with_capacity(16 + incl);
        rec.extend_from_slice(&(now.as_secs() as u32).to_le_bytes());
        rec.extend_from_slice(&now.subsec_micros().to_le_bytes());
        rec.extend_from_slice(&(incl as u32).to_le_bytes());
        rec.extend_from_slice(&((16 + real_len) as u32).to_le_bytes());
        rec.extend_from_slice(&cooked(dir));
        rec.extend_from_slice(&bytes[..incl - 16]);
        let mut out = self.out.lock().unwrap_or_else(|e| e.into_inner());
        // A full disk must not break the transport: capture is best effort.
        let _ = out.write_all(&rec);
    }

    pub fn flush(&self) {
        let mut out = self.out.lock().unwrap_or_else(|e| e.into_inner());
        let _ = out.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_and_record_layout() {
        let dir = std::env::temp_dir().join(format!("cttimeout-cap-{}.pcap", std::process::id()));
        let c = open(&dir).unwrap();
        let again = open(&dir).unwrap();
        assert!(Arc::ptr_eq(&c, &again), "same path, same writer");
        c.record(Direction::Sent, &[1, 2, 3, 4], 4);
        c.record(Direction::Received, &[9; 8], 100);
        c.flush();
        let b = std::fs::read(&dir).unwrap();
        std::fs::remove_file(&dir).unwrap();
        assert_eq!(&b[0..4], &[0xd4, 0xc3, 0xb2, 0xa1]);
        assert_eq!(u32::from_le_bytes(b[20..24].try_into().unwrap()), 253);
        let r1 = &b[24..];
        assert_eq!(u32::from_le_bytes(r1[8..12].try_into().unwrap()), 20);
        assert_eq!(&r1[16..20], &[0, 4, 0x03, 0x38]); // outgoing, ARPHRD 824
        assert_eq!(&r1[30..32], &[0, 12]); // NETLINK_NETFILTER
        assert_eq!(&r1[32..36], &[1, 2, 3, 4]);
        let r2 = &r1[36..];
        assert_eq!(u32::from_le_bytes(r2[8..12].try_into().unwrap()), 24);
        assert_eq!(u32::from_le_bytes(r2[12..16].try_into().unwrap()), 116);
        assert_eq!(&r2[16..18], &[0, 0]);
    }
}
