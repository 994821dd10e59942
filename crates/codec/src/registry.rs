//! The error registry: every error code cttimeout reports, with where it comes from, what it
//! means and the CLI's exit status for it. It generates the TypeScript `ErrorCode` union and
//! table (packages/cttimeout/src/generated/errors.ts), docs/errors.md (the README links it)
//! and man/errors.inc (the man page's EXIT STATUS and ERRORS text). Kernel errors use the
//! errno's name as their code; every errno of errno.rs is a code, with the exit status
//! [`errno_exit`] gives it.

use crate::errno;

/// Where an error comes from (`CtTimeoutError.source`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The kernel refused a request (NLMSG_ERROR).
    Kernel,
    /// Bytes that do not decode.
    Codec,
    /// Bad arguments, policy file content or command lines.
    Usage,
    /// The socket, the namespace, the request lifecycle.
    Transport,
    /// Files, standard streams, input size caps.
    Io,
}

impl Source {
    pub fn name(self) -> &'static str {
        match self {
            Source::Kernel => "kernel",
            Source::Codec => "codec",
            Source::Usage => "usage",
            Source::Transport => "transport",
            Source::Io => "io",
        }
    }

    pub const ALL: [Source; 5] = [Source::Kernel, Source::Codec, Source::Usage, Source::Transport, Source::Io];
}

/// The CLI's exit statuses (one meaning each).
pub mod exit {
    pub const OK: u8 = 0;
    pub const ERROR: u8 = 1;
    pub const WOULD_CHANGE: u8 = 2;
    pub const NOT_FOUND: u8 = 3;
    pub const BUSY: u8 = 4;
    pub const EXISTS: u8 = 5;
    pub const PERMISSION: u8 = 6;
    pub const KERNEL: u8 = 7;
    pub const IO: u8 = 8;
    pub const TRANSPORT: u8 = 9;
    pub const USAGE: u8 = 64;
    pub const NO_SOCKET: u8 = 255;

    /// (name, status, meaning), for the generated files (the meaning is also what `--help` says).
    pub const ALL: [(&str, u8, &str); 12] = [
        ("OK", OK, "success"),
        ("ERROR", ERROR, "any other error (a reply that cannot be decoded, apply stopped by SIGINT/SIGTERM, an internal error)"),
        ("WOULD_CHANGE", WOULD_CHANGE, "`apply --check` only: applying would change the kernel (the plan is on standard output)"),
        ("NOT_FOUND", NOT_FOUND, "no such policy (ENOENT)"),
        ("BUSY", BUSY, "the policy is in use by an iptables CT rule (EBUSY), or `add` of an existing name"),
        ("EXISTS", EXISTS, "the policy exists (EEXIST)"),
        ("PERMISSION", PERMISSION, "no permission (EPERM, EACCES): CAP_NET_ADMIN is needed in the network namespace"),
        ("KERNEL", KERNEL, "the kernel refused the request (any other errno: EINVAL, ERANGE, EOPNOTSUPP, ...)"),
        ("IO", IO, "a file, standard input or output failed, or an input is over its size cap (ERR_READ, ERR_OUTPUT, ERR_INPUT_TOO_LARGE)"),
        ("TRANSPORT", TRANSPORT, "the netlink transport failed: timeout, ENOBUFS, socket errors, the namespace"),
        ("USAGE", USAGE, "bad arguments or bad policy file content"),
        ("NO_SOCKET", NO_SOCKET, "the netlink socket cannot be opened, or the native addon is missing (as nfct)"),
    ];
}

/// One registered code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorInfo {
    pub code: &'static str,
    pub source: Source,
    /// The CLI's exit status for it.
    pub exit: u8,
    pub meaning: &'static str,
}

const fn e(code: &'static str, source: Source, exit: u8, meaning: &'static str) -> ErrorInfo {
    ErrorInfo { code, source, exit, meaning }
}

use exit::*;
use Source::*;

/// Every `ERR_*` code, and the errno codes whose meaning for cttimeout is worth saying (the
/// other errnos are codes too, with their strerror text).
pub static ERRORS: &[ErrorInfo] = &[
    // The kernel (errno names).
    e("EPERM", Kernel, PERMISSION, "no CAP_NET_ADMIN in the socket's network namespace (reported by `open()`)"),
    e("EACCES", Kernel, PERMISSION, "permission denied"),
    e("ENOENT", Kernel, NOT_FOUND, "no policy of that name"),
    e("EBUSY", Kernel, BUSY, "`add` of an existing name (as nfct does), or `delete` of a policy an iptables CT rule uses"),
    e("EEXIST", Kernel, EXISTS, "`add(..., { exclusive: true })` of an existing name"),
    e("EINVAL", Kernel, KERNEL, "the kernel rejected the request (e.g. `replace` changing family or protocol); `extAckMessage` says why when the kernel does"),
    e("ERANGE", Kernel, KERNEL, "an attribute shorter than its type (only raw requests can do this)"),
    e("EOPNOTSUPP", Kernel, KERNEL, "no conntrack tracker for that protocol in this kernel (e.g. `dccp` on Linux 6.17 and later)"),
    e("ENOBUFS", Kernel, TRANSPORT, "the kernel dropped replies (receive buffer full); the request may have been executed"),
    // Bytes that do not decode.
    e("ERR_TRUNCATED", Codec, ERROR, "bytes end inside a header or field, or a reply was longer than the read buffer; `offset` is the byte"),
    e("ERR_LENGTH", Codec, ERROR, "a length past its container or shorter than its header, or not exactly one message where one is needed; `offset` is the byte"),
    e("ERR_ALIGNMENT", Codec, ERROR, "a length that breaks the 4-byte netlink alignment; `offset` is the byte"),
    e("ERR_ATTR_SIZE", Codec, ERROR, "an attribute of the wrong size for its type; `offset` is the byte"),
    e("ERR_NAME_UNTERMINATED", Codec, ERROR, "a policy name attribute without its NUL"),
    e("ERR_NOT_A_POLICY", Codec, ERROR, "a message that is not a cttimeout message where one is needed"),
    e("ERR_CAPTURE_FORMAT", Codec, USAGE, "`readCapture` / `cttimeout decode`: input that is not hex, strace or pcap(ng); the message names the line or packet"),
    e("ERR_CAPTURE_TRUNCATED", Codec, USAGE, "a capture whose last record is cut (the records before it are decoded)"),
    e("ERR_CAPTURE_LINKTYPE", Codec, USAGE, "a pcap link type other than NETLINK (253)"),
    e("ERR_BATCH", Codec, ERROR, "an encode spec that is inconsistent (a bug in the caller of the low-level encoder)"),
    // Bad arguments, policy files and command lines.
    e("ERR_INVALID_ARGUMENT", Usage, USAGE, "an argument of the wrong type or shape; `field` names it"),
    e("ERR_BAD_ARGUMENT", Usage, USAGE, "older spelling of ERR_INVALID_ARGUMENT (object API, transport.request)"),
    e("ERR_USAGE", Usage, USAGE, "a command line cttimeout cannot run (see `cttimeout COMMAND --help`)"),
    e("ERR_INVALID_NAME", Usage, USAGE, "a policy name that is not a string or bytes, a string with a lone surrogate (not well-formed UTF-16), or a malformed `{\"hex\": ...}`"),
    e("ERR_NAME_TOO_LONG", Usage, USAGE, "a policy name of more than 31 bytes (nfct and the C library would cut it and act on another policy)"),
    e("ERR_NAME_NUL", Usage, USAGE, "a policy name containing a NUL byte"),
    e("ERR_BAD_NAME", Usage, USAGE, "older spelling of ERR_NAME_NUL (CLI)"),
    e("ERR_INVALID_UTF8", Usage, USAGE, "text input (a policy file, an argument) that is not valid UTF-8, with where"),
    e("ERR_UNKNOWN_PROTOCOL", Usage, USAGE, "not a protocol with a conntrack timeout table"),
    e("ERR_UNSUPPORTED_PROTOCOL", Kernel, KERNEL, "a protocol this kernel has no tracker for (EOPNOTSUPP, predicted by a dry run)"),
    e("ERR_UNKNOWN_FAMILY", Usage, USAGE, "not `inet` or `inet6`"),
    e("ERR_UNKNOWN_STATE", Usage, USAGE, "not a state of that protocol"),
    e("ERR_DUPLICATE_STATE", Usage, USAGE, "a state given twice (in any case)"),
    e("ERR_NO_STATES", Usage, USAGE, "`add` without any STATE SECONDS pair (the kernel would answer EINVAL)"),
    e("ERR_VALUE_RANGE", Usage, USAGE, "not an integer in range (seconds above `maxSeconds` for the kernel's HZ, a negative number, a fraction)"),
    e("ERR_BAD_NUMBER", Usage, USAGE, "a number that is not plain decimal digits"),
    e("ERR_MISSING", Usage, USAGE, "a required argument or attribute is missing"),
    e("ERR_UNKNOWN_OP", Usage, USAGE, "an encode op that is not in the operations table"),
    e("ERR_DUPLICATE_NAME", Usage, USAGE, "a name appears twice in an `apply` list or in two policy files"),
    e("ERR_POLICY_FILE", Usage, USAGE, "a policy file that does not parse or holds a bad entry; the message gives file:line:col"),
    e("ERR_NO_POLICY_FILES", Usage, USAGE, "`--config-dir` holds no policy file"),
    e("ERR_APPLY_FAILED", Usage, ERROR, "an `apply` step failed; the `ApplyError` carries every step's status"),
    e("ERR_NOT_INITIALIZED", Usage, ERROR, "the codec was used in a browser before `await init()`"),
    e("ERR_FREED", Usage, ERROR, "an object API policy used after `nfctTimeoutFree`"),
    e("ERR_BUFFER_TOO_SMALL", Usage, ERROR, "an object API buffer too small for the message"),
    e("ERR_UNSUPPORTED_SUBSYSTEM", Usage, USAGE, "`nfct` subsystems other than `timeout` (conntrack, expect, helper)"),
    // nfct's grammar (cli/nfct.ts): why a command line is refused.
    e("ERR_UNKNOWN_SUBSYSTEM", Usage, USAGE, "nfct grammar: the first word is no nfct subsystem"),
    e("ERR_UNKNOWN_COMMAND", Usage, USAGE, "nfct grammar: no command of that name"),
    e("ERR_NO_SUCH_COMMAND", Usage, USAGE, "nfct grammar: the subsystem has no such command"),
    e("ERR_TOO_MANY_ARGUMENTS", Usage, USAGE, "nfct grammar: words after the last argument"),
    e("ERR_MISSING_NAME", Usage, USAGE, "nfct grammar: the command needs a policy name"),
    e("ERR_MISSING_PARAMETERS", Usage, USAGE, "nfct grammar: the command needs more arguments"),
    e("ERR_WRONG_STATE", Usage, USAGE, "nfct grammar: not a state of that protocol"),
    e("ERR_MISSING_VALUE", Usage, USAGE, "nfct grammar: a state without its seconds"),
    // Files, standard streams, caps.
    e("ERR_READ", Io, IO, "an input file or standard input cannot be read"),
    e("ERR_OUTPUT", Io, IO, "standard output or error cannot be written (e.g. a full disk, /dev/full)"),
    e("ERR_INPUT_TOO_LARGE", Io, IO, "an input (policy file, decode input, standard input) over its size cap"),
    e("ERR_CAPTURE", Io, IO, "the capture file cannot be written"),
    e("ERR_JOURNAL", Io, IO, "`apply`'s journal cannot be read, parsed or written (nothing was sent; it may hold a policy an interrupted apply was recreating)"),
    // The transport.
    e("ERR_SOCKET", Transport, TRANSPORT, "a socket call failed (the message names it and the errno)"),
    e("ERR_NETNS", Transport, TRANSPORT, "the network namespace cannot be opened or entered"),
    e("ERR_NO_CTTIMEOUT", Transport, KERNEL, "a kernel without CONFIG_NF_CT_NETLINK_TIMEOUT (subsystem 8 answers EINVAL)"),
    e("ERR_UNSUPPORTED_PLATFORM", Transport, NO_SOCKET, "not Linux: only the codec is available"),
    e("ERR_ADDON_MISSING", Transport, NO_SOCKET, "the native addon is not built or does not load (`CTTIMEOUT_NATIVE_PATH` points elsewhere)"),
    e("ERR_TIMEOUT", Transport, TRANSPORT, "no reply within the timeout (the request was sent and may have run)"),
    e("ERR_NOT_SENT", Transport, TRANSPORT, "the request was never sent (it timed out or was cancelled in the queue): it did not run"),
    e("ERR_ABORTED", Transport, ERROR, "the `AbortSignal` fired"),
    e("ERR_INTERRUPTED", Transport, ERROR, "stopped by SIGINT or SIGTERM after the step in progress"),
    e("ERR_CLOSED", Transport, TRANSPORT, "the client or transport was closed"),
    e("ERR_UNEXPECTED_REPLY", Transport, TRANSPORT, "a reply of a shape the request cannot have"),
    e("ERR_INTERNAL", Transport, ERROR, "a bug in cttimeout: please report it"),
];

/// The CLI exit status for an errno the kernel returned.
pub fn errno_exit(name: &str) -> u8 {
    ERRORS.iter().find(|x| x.code == name).map_or(KERNEL, |x| x.exit)
}

/// The registered entry for a code; errno names not listed get a kernel entry with their
/// strerror text.
pub fn lookup(code: &str) -> Option<ErrorInfo> {
    if let Some(x) = ERRORS.iter().find(|x| x.code == code) {
        return Some(*x);
    }
    errno::ERRNO.iter().find(|(_, n, _)| *n == code).map(|(_, n, text)| e(n, Kernel, KERNEL, text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_errno_codes_are_errnos() {
        let mut seen = std::collections::HashSet::new();
        for x in ERRORS {
            assert!(seen.insert(x.code), "{} twice", x.code);
            assert!(x.code.starts_with("ERR_") || errno::ERRNO.iter().any(|(_, n, _)| *n == x.code), "{}", x.code);
        }
        assert_eq!(lookup("EXDEV").map(|x| x.exit), Some(KERNEL));
        assert_eq!(errno_exit("ENOENT"), NOT_FOUND);
        assert_eq!(lookup("NOT_A_CODE"), None);
    }
}
