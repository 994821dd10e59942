//! One error type for decoding and one for encoding. Every error says where (byte offset,
//! or request index and field) and what was expected. Codes are stable strings shared with the
//! TypeScript error class.

use std::fmt;

/// Why bytes could not be decoded, and at which byte.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    /// Byte offset from the start of the datagram where the problem is.
    pub offset: usize,
    pub kind: DecodeErrorKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeErrorKind {
    /// A fixed-size header or field needs more bytes than are left.
    Truncated { what: &'static str, needed: usize, available: usize },
    /// A length field is smaller than the header it includes.
    LengthTooShort { what: &'static str, len: usize, min: usize },
    /// A length field runs past the end of its container.
    LengthPastEnd { what: &'static str, len: usize, available: usize },
    /// A buffer that must be exactly one message holds more (or less) than its `nlmsg_len`.
    NotOneMessage { len: usize, total: usize },
    /// A message length or an attribute's padding breaks the 4-byte alignment.
    BadAlignment { what: &'static str, len: usize, available: usize },
    /// A typed attribute has the wrong payload size.
    AttrSize { attr: &'static str, expected: usize, got: usize },
    /// A policy name has more than 31 characters before its NUL.
    NameTooLong { len: usize },
    /// A policy name attribute has no NUL terminator.
    NameUnterminated { len: usize },
    /// Timeout values for an L4 protocol that has no table (or no L4PROTO at all).
    UnknownProtocol { number: Option<u8> },
}

impl DecodeErrorKind {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            DecodeErrorKind::Truncated { .. } => "ERR_TRUNCATED",
            DecodeErrorKind::LengthTooShort { .. }
            | DecodeErrorKind::LengthPastEnd { .. }
            | DecodeErrorKind::NotOneMessage { .. } => "ERR_LENGTH",
            DecodeErrorKind::BadAlignment { .. } => "ERR_ALIGNMENT",
            DecodeErrorKind::AttrSize { .. } => "ERR_ATTR_SIZE",
            DecodeErrorKind::NameTooLong { .. } => "ERR_NAME_TOO_LONG",
            DecodeErrorKind::NameUnterminated { .. } => "ERR_NAME_UNTERMINATED",
            DecodeErrorKind::UnknownProtocol { .. } => "ERR_UNKNOWN_PROTOCOL",
        }
    }
}

impl DecodeError {
    pub fn new(offset: usize, kind: DecodeErrorKind) -> Self {
        DecodeError { offset, kind }
    }

    pub fn code(&self) -> &'static str {
        self.kind.code()
    }

    /// The explanation without the "at byte N: " prefix.
    pub fn detail(&self) -> String {
        use DecodeErrorKind::*;
        match &self.kind {
            Truncated { what, needed, available } => {
                format!("{what} needs {needed} bytes but only {available} are left")
            }
            LengthTooShort { what, len, min } => {
                format!("{what} is {len}, less than the {min}-byte header it includes")
            }
            LengthPastEnd { what, len, available } => {
                format!("{what} is {len} but only {available} bytes are left")
            }
            NotOneMessage { len, total } => {
                format!("expected exactly one netlink message: nlmsg_len is {len} but the buffer has {total} bytes")
            }
            BadAlignment { what, len, available } => {
                format!("{what} is {len}, which is not padded to a multiple of 4 within the {available} bytes left")
            }
            AttrSize { attr, expected, got } => {
                format!("{attr} must have a {expected}-byte payload, found {got}")
            }
            NameTooLong { len } => {
                format!("policy name has {len} characters; the kernel allows at most 31")
            }
            NameUnterminated { len } => {
                format!("policy name ({len} bytes) is not NUL-terminated")
            }
            UnknownProtocol { number: Some(n) } => format!(
                "L4 protocol {n} has no timeout table (known: {})",
                crate::protocol::PROTOCOLS
                    .iter()
                    .map(|p| format!("{} {}", p.name, p.number))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            UnknownProtocol { number: None } => {
                "CTA_TIMEOUT_DATA cannot be read without CTA_TIMEOUT_L4PROTO".to_string()
            }
        }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at byte {}: {}", self.offset, self.detail())
    }
}

impl std::error::Error for DecodeError {}

/// The codes an encode error can have (each is in the error registry, registry.rs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EncodeCode {
    NameTooLong,
    NameNul,
    UnknownProtocol,
    UnknownState,
    DuplicateState,
    ValueRange,
    Missing,
    InvalidArgument,
    Batch,
}

impl EncodeCode {
    pub const ALL: [EncodeCode; 9] = [
        EncodeCode::NameTooLong,
        EncodeCode::NameNul,
        EncodeCode::UnknownProtocol,
        EncodeCode::UnknownState,
        EncodeCode::DuplicateState,
        EncodeCode::ValueRange,
        EncodeCode::Missing,
        EncodeCode::InvalidArgument,
        EncodeCode::Batch,
    ];

    /// The stable code string.
    pub fn as_str(self) -> &'static str {
        match self {
            EncodeCode::NameTooLong => "ERR_NAME_TOO_LONG",
            EncodeCode::NameNul => "ERR_NAME_NUL",
            EncodeCode::UnknownProtocol => "ERR_UNKNOWN_PROTOCOL",
            EncodeCode::UnknownState => "ERR_UNKNOWN_STATE",
            EncodeCode::DuplicateState => "ERR_DUPLICATE_STATE",
            EncodeCode::ValueRange => "ERR_VALUE_RANGE",
            EncodeCode::Missing => "ERR_MISSING",
            EncodeCode::InvalidArgument => "ERR_INVALID_ARGUMENT",
            EncodeCode::Batch => "ERR_BATCH",
        }
    }
}

impl PartialEq<&str> for EncodeCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl fmt::Display for EncodeCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a request could not be encoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodeError {
    pub code: EncodeCode,
    /// Which field: "name", "l4proto", "timeouts.ESTABLISHED", ...
    pub field: String,
    pub message: String,
}

impl EncodeError {
    pub fn new(code: EncodeCode, field: impl Into<String>, message: impl Into<String>) -> Self {
        EncodeError { code, field: field.into(), message: message.into() }
    }
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl std::error::Error for EncodeError {}
