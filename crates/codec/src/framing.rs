//! Checked views over netlink bytes: the message header, the messages of a datagram, and
//! attribute TLVs. Each length is checked against what is left before any slice is taken, so
//! no input can make these panic. Offsets are absolute (from the start of the datagram).

use crate::consts::*;
use crate::error::{DecodeError, DecodeErrorKind as K};
use serde::Serialize;

/// `struct nlmsghdr`, host byte order (little endian on every target we build for).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Header {
    pub len: u32,
    #[serde(rename = "type")]
    pub ty: u16,
    pub flags: u16,
    pub seq: u32,
    pub pid: u32,
}

impl Header {
    /// Reads a header from the first 16 bytes of `buf` (the caller checked the length).
    fn read(buf: &[u8; NLMSG_HDRLEN]) -> Header {
        Header {
            len: u32::from_le_bytes([buf[0], buf[1], buf[2], buf[3]]),
            ty: u16::from_le_bytes([buf[4], buf[5]]),
            flags: u16::from_le_bytes([buf[6], buf[7]]),
            seq: u32::from_le_bytes([buf[8], buf[9], buf[10], buf[11]]),
            pid: u32::from_le_bytes([buf[12], buf[13], buf[14], buf[15]]),
        }
    }

    /// Parses the header at the start of `buf`; `offset` is only used in errors.
    pub fn parse(buf: &[u8], offset: usize, what: &'static str) -> Result<Header, DecodeError> {
        match buf.get(..NLMSG_HDRLEN).and_then(|b| <&[u8; NLMSG_HDRLEN]>::try_from(b).ok()) {
            Some(b) => Ok(Header::read(b)),
            None => Err(DecodeError::new(offset, K::Truncated { what, needed: NLMSG_HDRLEN, available: buf.len() })),
        }
    }

    /// The 16 header bytes.
    pub fn to_bytes(&self) -> [u8; NLMSG_HDRLEN] {
        let mut b = [0u8; NLMSG_HDRLEN];
        b[0..4].copy_from_slice(&self.len.to_le_bytes());
        b[4..6].copy_from_slice(&self.ty.to_le_bytes());
        b[6..8].copy_from_slice(&self.flags.to_le_bytes());
        b[8..12].copy_from_slice(&self.seq.to_le_bytes());
        b[12..16].copy_from_slice(&self.pid.to_le_bytes());
        b
    }
}

/// One length-checked message of a datagram.
#[derive(Debug, Clone, Copy)]
pub struct RawMessage<'a> {
    /// Offset of the header in the datagram.
    pub offset: usize,
    pub header: Header,
    /// The bytes after the header, exactly `len - 16` of them.
    pub payload: &'a [u8],
}

/// The Iterator of a checked walk (`buf`, `pos`, `failed` and a `step` that reads one item):
/// the error is sticky, so nothing after it is read.
macro_rules! checked_walk {
    ($walk:ident, $item:ident) => {
        impl<'a> Iterator for $walk<'a> {
            type Item = Result<$item<'a>, DecodeError>;

            fn next(&mut self) -> Option<Self::Item> {
                if self.failed || self.pos >= self.buf.len() {
                    return None;
                }
                let r = self.step();
                self.failed = r.is_err();
                Some(r)
            }
        }
    };
}

/// Iterates over the messages of one datagram. Stops after the first error.
pub struct Messages<'a> {
    buf: &'a [u8],
    pos: usize,
    failed: bool,
}

/// The messages of a datagram (several may share one datagram).
pub fn messages(buf: &[u8]) -> Messages<'_> {
    Messages { buf, pos: 0, failed: false }
}

checked_walk!(Messages, RawMessage);

impl<'a> Messages<'a> {
    fn step(&mut self) -> Result<RawMessage<'a>, DecodeError> {
        let pos = self.pos;
        let rest = &self.buf[pos..];
        let header = Header::parse(rest, pos, "nlmsghdr")?;
        let len = header.len as usize;
        if len < NLMSG_HDRLEN {
            return Err(DecodeError::new(pos, K::LengthTooShort { what: "nlmsg_len", len, min: NLMSG_HDRLEN }));
        }
        if len > rest.len() {
            return Err(DecodeError::new(pos, K::LengthPastEnd { what: "nlmsg_len", len, available: rest.len() }));
        }
        if len % NLMSG_ALIGNTO != 0 {
            return Err(DecodeError::new(pos, K::BadAlignment { what: "nlmsg_len", len, available: rest.len() }));
        }
        self.pos = pos + len;
        Ok(RawMessage { offset: pos, header, payload: &rest[NLMSG_HDRLEN..len] })
    }
}

/// One attribute TLV.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attr<'a> {
    /// Offset of the 4-byte attribute header in the datagram.
    pub offset: usize,
    /// `nla_len`: header + payload, without padding.
    pub len: u16,
    /// `nla_type` as on the wire, flags included.
    pub raw_type: u16,
    pub payload: &'a [u8],
}

impl<'a> Attr<'a> {
    /// Attribute type without the NESTED / NET_BYTEORDER flags.
    pub fn kind(&self) -> u16 {
        self.raw_type & NLA_TYPE_MASK
    }

    pub fn is_nested(&self) -> bool {
        self.raw_type & NLA_F_NESTED != 0
    }

    /// Offset of the payload in the datagram.
    pub fn payload_offset(&self) -> usize {
        self.offset + NLA_HDRLEN
    }

    fn exact<const N: usize>(&self, attr: &'static str) -> Result<[u8; N], DecodeError> {
        <[u8; N]>::try_from(self.payload)
            .map_err(|_| DecodeError::new(self.offset, K::AttrSize { attr, expected: N, got: self.payload.len() }))
    }

    pub fn get_u8(&self, attr: &'static str) -> Result<u8, DecodeError> {
        Ok(self.exact::<1>(attr)?[0])
    }

    pub fn get_be16(&self, attr: &'static str) -> Result<u16, DecodeError> {
        Ok(u16::from_be_bytes(self.exact(attr)?))
    }

    pub fn get_be32(&self, attr: &'static str) -> Result<u32, DecodeError> {
        Ok(u32::from_be_bytes(self.exact(attr)?))
    }

    pub fn get_ne32(&self, attr: &'static str) -> Result<u32, DecodeError> {
        Ok(u32::from_le_bytes(self.exact(attr)?))
    }

    pub fn get_ne64(&self, attr: &'static str) -> Result<u64, DecodeError> {
        Ok(u64::from_le_bytes(self.exact(attr)?))
    }

    /// A cttimeout policy name: bytes up to the first NUL, which must come within 32 bytes.
    pub fn get_name(&self) -> Result<&'a [u8], DecodeError> {
        match self.payload.iter().position(|&b| b == 0) {
            Some(n) if n <= crate::consts::NAME_MAX_CHARS => Ok(&self.payload[..n]),
            Some(n) => Err(DecodeError::new(self.payload_offset(), K::NameTooLong { len: n })),
            None if self.payload.len() > crate::consts::NAME_MAX_CHARS => {
                Err(DecodeError::new(self.payload_offset(), K::NameTooLong { len: self.payload.len() }))
            }
            None => Err(DecodeError::new(self.payload_offset(), K::NameUnterminated { len: self.payload.len() })),
        }
    }

    /// The attributes nested inside this one.
    pub fn nested(&self) -> Attrs<'a> {
        attrs(self.payload, self.payload_offset())
    }
}

/// Iterates over a run of attributes. Stops after the first error.
pub struct Attrs<'a> {
    buf: &'a [u8],
    base: usize,
    pos: usize,
    failed: bool,
}

/// The attributes in `buf`, whose first byte is at datagram offset `base`.
pub fn attrs(buf: &[u8], base: usize) -> Attrs<'_> {
    Attrs { buf, base, pos: 0, failed: false }
}

checked_walk!(Attrs, Attr);

impl<'a> Attrs<'a> {
    fn step(&mut self) -> Result<Attr<'a>, DecodeError> {
        let offset = self.base + self.pos;
        let rest = &self.buf[self.pos..];
        if rest.len() < NLA_HDRLEN {
            return Err(DecodeError::new(
                offset,
                K::Truncated { what: "attribute header", needed: NLA_HDRLEN, available: rest.len() },
            ));
        }
        let len = u16::from_le_bytes([rest[0], rest[1]]);
        let raw_type = u16::from_le_bytes([rest[2], rest[3]]);
        let l = usize::from(len);
        if l < NLA_HDRLEN {
            return Err(DecodeError::new(offset, K::LengthTooShort { what: "nla_len", len: l, min: NLA_HDRLEN }));
        }
        if l > rest.len() {
            return Err(DecodeError::new(offset, K::LengthPastEnd { what: "nla_len", len: l, available: rest.len() }));
        }
        let padded = align(l);
        if padded > rest.len() {
            return Err(DecodeError::new(offset, K::BadAlignment { what: "nla_len", len: l, available: rest.len() }));
        }
        self.pos += padded;
        Ok(Attr { offset, len, raw_type, payload: &rest[NLA_HDRLEN..l] })
    }
}

/// Writes attribute TLVs into a pre-sized, zeroed buffer, padding each to 4 bytes. Size
/// first, then write: the caller computes the exact length with [`AttrWriter::size`], so a
/// message is one allocation and the writes need no capacity checks (padding is already 0).
pub struct AttrWriter<'b> {
    buf: &'b mut [u8],
    pos: usize,
}

impl<'b> AttrWriter<'b> {
    pub fn new(buf: &'b mut [u8]) -> Self {
        AttrWriter { buf, pos: 0 }
    }

    /// Bytes written so far (with padding).
    pub fn position(&self) -> usize {
        self.pos
    }

    /// Size of an attribute with this payload length, padding included.
    pub const fn size(payload: usize) -> usize {
        align(NLA_HDRLEN + payload)
    }

    /// Raw bytes (a header, nfgenmsg, a name).
    pub fn put(&mut self, b: &[u8]) {
        self.buf[self.pos..self.pos + b.len()].copy_from_slice(b);
        self.pos += b.len();
    }

    /// Four bytes with a constant-length copy: a plain store, where a slice of unknown length
    /// would become a memcpy call (memory.copy in WebAssembly, costly for 4 bytes).
    fn put4(&mut self, b: [u8; 4]) {
        self.buf[self.pos..self.pos + 4].copy_from_slice(&b);
        self.pos += 4;
    }

    fn header(&mut self, ty: u16, payload: usize) {
        let len = ((NLA_HDRLEN + payload) as u16).to_le_bytes();
        let ty = ty.to_le_bytes();
        self.put4([len[0], len[1], ty[0], ty[1]]);
    }

    /// A NUL-terminated string (the NUL is the buffer's zero byte).
    pub fn strz(&mut self, ty: u16, s: &[u8]) {
        self.header(ty, s.len() + 1);
        self.put(s);
        self.pos = align(self.pos + 1);
    }

    /// A u8 and its 3 bytes of padding.
    pub fn u8(&mut self, ty: u16, v: u8) {
        self.header(ty, 1);
        self.put4([v, 0, 0, 0]);
    }

    /// A big-endian u16 and its 2 bytes of padding.
    pub fn be16(&mut self, ty: u16, v: u16) {
        self.header(ty, 2);
        let b = v.to_be_bytes();
        self.put4([b[0], b[1], 0, 0]);
    }

    pub fn be32(&mut self, ty: u16, v: u32) {
        self.header(ty, 4);
        self.put4(v.to_be_bytes());
    }

    /// Opens a nest (NLA_F_NESTED set, as libmnl and the kernel do); returns where its
    /// length goes, for `end_nest`.
    pub fn begin_nest(&mut self, ty: u16) -> usize {
        let at = self.pos;
        self.header(ty | NLA_F_NESTED, 0);
        at
    }

    pub fn end_nest(&mut self, at: usize) {
        let len = (self.pos - at) as u16;
        self.buf[at..at + 2].copy_from_slice(&len.to_le_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_needs_16_bytes() {
        let e = messages(&[0u8; 7]).next().unwrap().unwrap_err();
        assert_eq!(e.offset, 0);
        assert_eq!(e.to_string(), "at byte 0: nlmsghdr needs 16 bytes but only 7 are left");
    }

    #[test]
    fn message_length_checks() {
        let mut b = vec![0u8; 20];
        b[0] = 12; // shorter than its header
        assert_eq!(messages(&b).next().unwrap().unwrap_err().code(), "ERR_LENGTH");
        b[0] = 24; // past the end
        let e = messages(&b).next().unwrap().unwrap_err();
        assert_eq!(e.to_string(), "at byte 0: nlmsg_len is 24 but only 20 bytes are left");
        b[0] = 18; // unaligned
        assert_eq!(messages(&b).next().unwrap().unwrap_err().code(), "ERR_ALIGNMENT");
    }

    #[test]
    fn several_messages_and_error_offsets() {
        let mut b = vec![0u8; 16 + 20 + 3];
        b[0] = 16;
        b[16] = 20;
        let mut it = messages(&b);
        assert_eq!(it.next().unwrap().unwrap().offset, 0);
        assert_eq!(it.next().unwrap().unwrap().offset, 16);
        let e = it.next().unwrap().unwrap_err();
        assert_eq!(e.offset, 36);
        assert!(it.next().is_none());
    }

    #[test]
    fn attribute_checks() {
        // len 5 at the very end: padding missing
        let b = [5u8, 0, 3, 0, 6];
        assert_eq!(attrs(&b, 100).next().unwrap().unwrap_err().offset, 100);
        assert_eq!(attrs(&b, 100).next().unwrap().unwrap_err().code(), "ERR_ALIGNMENT");
        let b = [3u8, 0, 3, 0];
        assert_eq!(attrs(&b, 0).next().unwrap().unwrap_err().code(), "ERR_LENGTH");
        let b = [8u8, 0, 3, 0];
        assert_eq!(attrs(&b, 0).next().unwrap().unwrap_err().code(), "ERR_LENGTH");
        let b = [8u8, 0];
        assert_eq!(attrs(&b, 0).next().unwrap().unwrap_err().code(), "ERR_TRUNCATED");
    }

    #[test]
    fn names() {
        let a = |p: &'static [u8]| Attr { offset: 20, len: 4 + p.len() as u16, raw_type: 1, payload: p };
        assert_eq!(a(b"abc\0").get_name().unwrap(), b"abc");
        assert_eq!(a(b"\0").get_name().unwrap(), b"");
        assert_eq!(a(b"abc").get_name().unwrap_err().code(), "ERR_NAME_UNTERMINATED");
        let long = [b'a'; 32];
        let e = a(Box::leak(Box::new(long))).get_name().unwrap_err();
        assert_eq!((e.code(), e.offset), ("ERR_NAME_TOO_LONG", 24));
        let mut ok31 = vec![b'a'; 31];
        ok31.push(0);
        assert_eq!(a(Box::leak(ok31.into_boxed_slice())).get_name().unwrap().len(), 31);
    }

    #[test]
    fn writer_pads_and_nests() {
        let mut out = vec![0u8; 28];
        let mut w = AttrWriter::new(&mut out);
        w.strz(1, b"ab");
        w.u8(3, 6);
        let n = w.begin_nest(4);
        w.be32(3, 100);
        w.end_nest(n);
        assert_eq!(
            out,
            [7, 0, 1, 0, b'a', b'b', 0, 0, 5, 0, 3, 0, 6, 0, 0, 0, 12, 0, 4, 0x80, 8, 0, 3, 0, 0, 0, 0, 100]
        );
    }
}
