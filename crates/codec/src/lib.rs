//! # cttimeout-codec
//!
//! Netlink framing and the nfnetlink cttimeout messages (conntrack timeout policies): encode
//! the requests, decode every request and reply shape the kernel uses, validate untrusted
//! bytes with errors that give the byte offset and what was expected, and print policies
//! exactly as `nfct` does. No I/O and no libc: the same code runs natively (crates/socket) and
//! as WebAssembly (packages/cttimeout, packages/inspector).
//!
//! ```
//! use cttimeout_codec::{decode, encode, protocol};
//! let tcp = protocol::by_name("tcp").unwrap();
//! let established = tcp.state_by_name("established").unwrap().attr;
//! let policy = encode::PolicyRef { name: b"web", l3proto: 2, l4proto: tcp.number, timeouts: &[(established, 3000)] };
//! let bytes = encode::encode(
//!     &encode::Request::new_policy(policy, encode::NewMode::Create),
//!     &encode::EncodeOptions { seq: 1, ..Default::default() },
//! ).unwrap();
//! let d = decode::decode(&bytes);
//! let decode::Body::Timeout(t) = &d.messages[0].body else { unreachable!() };
//! assert_eq!(t.timeouts.as_ref().unwrap().get(established), Some(3000));
//! ```
#![deny(unsafe_code)]

pub mod consts;
pub mod decode;
pub mod encode;
pub mod errno;
pub mod error;
pub mod format;
pub mod framing;
pub mod inspect;
pub mod json;
pub mod ops;
pub mod protocol;
pub mod registry;
pub mod tape;
pub mod typescript;
pub mod wire;
pub mod wireshark;

#[cfg(target_arch = "wasm32")]
mod wasm;

pub use decode::decode;
pub use error::{DecodeError, EncodeCode, EncodeError};
