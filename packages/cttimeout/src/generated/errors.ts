// Generated from crates/codec (src/registry.rs) by `UPDATE_GENERATED=1 cargo test`; do not edit.

/** Where an error comes from. */
export type ErrorSource = 'kernel' | 'codec' | 'usage' | 'transport' | 'io';

/** The CLI's exit statuses. */
export const EXIT = {
  /** success */
  OK: 0,
  /** any other error (a reply that cannot be decoded, apply stopped by SIGINT/SIGTERM, an internal error) */
  ERROR: 1,
  /** `apply --check` only: applying would change the kernel (the plan is on standard output) */
  WOULD_CHANGE: 2,
  /** no such policy (ENOENT) */
  NOT_FOUND: 3,
  /** the policy is in use by an iptables CT rule (EBUSY), or `add` of an existing name */
  BUSY: 4,
  /** the policy exists (EEXIST) */
  EXISTS: 5,
  /** no permission (EPERM, EACCES): CAP_NET_ADMIN is needed in the network namespace */
  PERMISSION: 6,
  /** the kernel refused the request (any other errno: EINVAL, ERANGE, EOPNOTSUPP, ...) */
  KERNEL: 7,
  /** a file, standard input or output failed, or an input is over its size cap (ERR_READ, ERR_OUTPUT, ERR_INPUT_TOO_LARGE) */
  IO: 8,
  /** the netlink transport failed: timeout, ENOBUFS, socket errors, the namespace */
  TRANSPORT: 9,
  /** bad arguments or bad policy file content */
  USAGE: 64,
  /** the netlink socket cannot be opened, or the native addon is missing (as nfct) */
  NO_SOCKET: 255,
} as const;

/** Each exit status with its meaning (`cttimeout --help`). */
export const EXIT_MEANINGS = [
  [0, 'success'],
  [1, 'any other error (a reply that cannot be decoded, apply stopped by SIGINT/SIGTERM, an internal error)'],
  [2, '`apply --check` only: applying would change the kernel (the plan is on standard output)'],
  [3, 'no such policy (ENOENT)'],
  [4, 'the policy is in use by an iptables CT rule (EBUSY), or `add` of an existing name'],
  [5, 'the policy exists (EEXIST)'],
  [6, 'no permission (EPERM, EACCES): CAP_NET_ADMIN is needed in the network namespace'],
  [7, 'the kernel refused the request (any other errno: EINVAL, ERANGE, EOPNOTSUPP, ...)'],
  [8, 'a file, standard input or output failed, or an input is over its size cap (ERR_READ, ERR_OUTPUT, ERR_INPUT_TOO_LARGE)'],
  [9, 'the netlink transport failed: timeout, ENOBUFS, socket errors, the namespace'],
  [64, 'bad arguments or bad policy file content'],
  [255, 'the netlink socket cannot be opened, or the native addon is missing (as nfct)'],
] as const;

/** Every registered code: source, CLI exit status, meaning. */
export const ERROR_CODES = {
  EPERM: { source: 'kernel', exit: 6, meaning: 'no CAP_NET_ADMIN in the socket\'s network namespace (reported by `open()`)' },
  EACCES: { source: 'kernel', exit: 6, meaning: 'permission denied' },
  ENOENT: { source: 'kernel', exit: 3, meaning: 'no policy of that name' },
  EBUSY: { source: 'kernel', exit: 4, meaning: '`add` of an existing name (as nfct does), or `delete` of a policy an iptables CT rule uses' },
  EEXIST: { source: 'kernel', exit: 5, meaning: '`add(..., { exclusive: true })` of an existing name' },
  EINVAL: { source: 'kernel', exit: 7, meaning: 'the kernel rejected the request (e.g. `replace` changing family or protocol); `extAckMessage` says why when the kernel does' },
  ERANGE: { source: 'kernel', exit: 7, meaning: 'an attribute shorter than its type (only raw requests can do this)' },
  EOPNOTSUPP: { source: 'kernel', exit: 7, meaning: 'no conntrack tracker for that protocol in this kernel (e.g. `dccp` on Linux 6.17 and later)' },
  ENOBUFS: { source: 'kernel', exit: 9, meaning: 'the kernel dropped replies (receive buffer full); the request may have been executed' },
  ERR_TRUNCATED: { source: 'codec', exit: 1, meaning: 'bytes end inside a header or field, or a reply was longer than the read buffer; `offset` is the byte' },
  ERR_LENGTH: { source: 'codec', exit: 1, meaning: 'a length past its container or shorter than its header, or not exactly one message where one is needed; `offset` is the byte' },
  ERR_ALIGNMENT: { source: 'codec', exit: 1, meaning: 'a length that breaks the 4-byte netlink alignment; `offset` is the byte' },
  ERR_ATTR_SIZE: { source: 'codec', exit: 1, meaning: 'an attribute of the wrong size for its type; `offset` is the byte' },
  ERR_NAME_UNTERMINATED: { source: 'codec', exit: 1, meaning: 'a policy name attribute without its NUL' },
  ERR_NOT_A_POLICY: { source: 'codec', exit: 1, meaning: 'a message that is not a cttimeout message where one is needed' },
  ERR_CAPTURE_FORMAT: { source: 'codec', exit: 64, meaning: '`readCapture` / `cttimeout decode`: input that is not hex, strace or pcap(ng); the message names the line or packet' },
  ERR_CAPTURE_TRUNCATED: { source: 'codec', exit: 64, meaning: 'a capture whose last record is cut (the records before it are decoded)' },
  ERR_CAPTURE_LINKTYPE: { source: 'codec', exit: 64, meaning: 'a pcap link type other than NETLINK (253)' },
  ERR_BATCH: { source: 'codec', exit: 1, meaning: 'an encode spec that is inconsistent (a bug in the caller of the low-level encoder)' },
  ERR_INVALID_ARGUMENT: { source: 'usage', exit: 64, meaning: 'an argument of the wrong type or shape; `field` names it' },
  ERR_BAD_ARGUMENT: { source: 'usage', exit: 64, meaning: 'older spelling of ERR_INVALID_ARGUMENT (object API, transport.request)' },
  ERR_USAGE: { source: 'usage', exit: 64, meaning: 'a command line cttimeout cannot run (see `cttimeout COMMAND --help`)' },
  ERR_INVALID_NAME: { source: 'usage', exit: 64, meaning: 'a policy name that is not a string or bytes, a string with a lone surrogate (not well-formed UTF-16), or a malformed `{"hex": ...}`' },
  ERR_NAME_TOO_LONG: { source: 'usage', exit: 64, meaning: 'a policy name of more than 31 bytes (nfct and the C library would cut it and act on another policy)' },
  ERR_NAME_NUL: { source: 'usage', exit: 64, meaning: 'a policy name containing a NUL byte' },
  ERR_BAD_NAME: { source: 'usage', exit: 64, meaning: 'older spelling of ERR_NAME_NUL (CLI)' },
  ERR_INVALID_UTF8: { source: 'usage', exit: 64, meaning: 'text input (a policy file, an argument) that is not valid UTF-8, with where' },
  ERR_UNKNOWN_PROTOCOL: { source: 'usage', exit: 64, meaning: 'not a protocol with a conntrack timeout table' },
  ERR_UNSUPPORTED_PROTOCOL: { source: 'kernel', exit: 7, meaning: 'a protocol this kernel has no tracker for (EOPNOTSUPP, predicted by a dry run)' },
  ERR_UNKNOWN_FAMILY: { source: 'usage', exit: 64, meaning: 'not `inet` or `inet6`' },
  ERR_UNKNOWN_STATE: { source: 'usage', exit: 64, meaning: 'not a state of that protocol' },
  ERR_DUPLICATE_STATE: { source: 'usage', exit: 64, meaning: 'a state given twice (in any case)' },
  ERR_NO_STATES: { source: 'usage', exit: 64, meaning: '`add` without any STATE SECONDS pair (the kernel would answer EINVAL)' },
  ERR_VALUE_RANGE: { source: 'usage', exit: 64, meaning: 'not an integer in range (seconds above `maxSeconds` for the kernel\'s HZ, a negative number, a fraction)' },
  ERR_BAD_NUMBER: { source: 'usage', exit: 64, meaning: 'a number that is not plain decimal digits' },
  ERR_MISSING: { source: 'usage', exit: 64, meaning: 'a required argument or attribute is missing' },
  ERR_UNKNOWN_OP: { source: 'usage', exit: 64, meaning: 'an encode op that is not in the operations table' },
  ERR_DUPLICATE_NAME: { source: 'usage', exit: 64, meaning: 'a name appears twice in an `apply` list or in two policy files' },
  ERR_POLICY_FILE: { source: 'usage', exit: 64, meaning: 'a policy file that does not parse or holds a bad entry; the message gives file:line:col' },
  ERR_NO_POLICY_FILES: { source: 'usage', exit: 64, meaning: '`--config-dir` holds no policy file' },
  ERR_APPLY_FAILED: { source: 'usage', exit: 1, meaning: 'an `apply` step failed; the `ApplyError` carries every step\'s status' },
  ERR_NOT_INITIALIZED: { source: 'usage', exit: 1, meaning: 'the codec was used in a browser before `await init()`' },
  ERR_FREED: { source: 'usage', exit: 1, meaning: 'an object API policy used after `nfctTimeoutFree`' },
  ERR_BUFFER_TOO_SMALL: { source: 'usage', exit: 1, meaning: 'an object API buffer too small for the message' },
  ERR_UNSUPPORTED_SUBSYSTEM: { source: 'usage', exit: 64, meaning: '`nfct` subsystems other than `timeout` (conntrack, expect, helper)' },
  ERR_UNKNOWN_SUBSYSTEM: { source: 'usage', exit: 64, meaning: 'nfct grammar: the first word is no nfct subsystem' },
  ERR_UNKNOWN_COMMAND: { source: 'usage', exit: 64, meaning: 'nfct grammar: no command of that name' },
  ERR_NO_SUCH_COMMAND: { source: 'usage', exit: 64, meaning: 'nfct grammar: the subsystem has no such command' },
  ERR_TOO_MANY_ARGUMENTS: { source: 'usage', exit: 64, meaning: 'nfct grammar: words after the last argument' },
  ERR_MISSING_NAME: { source: 'usage', exit: 64, meaning: 'nfct grammar: the command needs a policy name' },
  ERR_MISSING_PARAMETERS: { source: 'usage', exit: 64, meaning: 'nfct grammar: the command needs more arguments' },
  ERR_WRONG_STATE: { source: 'usage', exit: 64, meaning: 'nfct grammar: not a state of that protocol' },
  ERR_MISSING_VALUE: { source: 'usage', exit: 64, meaning: 'nfct grammar: a state without its seconds' },
  ERR_READ: { source: 'io', exit: 8, meaning: 'an input file or standard input cannot be read' },
  ERR_OUTPUT: { source: 'io', exit: 8, meaning: 'standard output or error cannot be written (e.g. a full disk, /dev/full)' },
  ERR_INPUT_TOO_LARGE: { source: 'io', exit: 8, meaning: 'an input (policy file, decode input, standard input) over its size cap' },
  ERR_CAPTURE: { source: 'io', exit: 8, meaning: 'the capture file cannot be written' },
  ERR_JOURNAL: { source: 'io', exit: 8, meaning: '`apply`\'s journal cannot be read, parsed or written (nothing was sent; it may hold a policy an interrupted apply was recreating)' },
  ERR_SOCKET: { source: 'transport', exit: 9, meaning: 'a socket call failed (the message names it and the errno)' },
  ERR_NETNS: { source: 'transport', exit: 9, meaning: 'the network namespace cannot be opened or entered' },
  ERR_NO_CTTIMEOUT: { source: 'transport', exit: 7, meaning: 'a kernel without CONFIG_NF_CT_NETLINK_TIMEOUT (subsystem 8 answers EINVAL)' },
  ERR_UNSUPPORTED_PLATFORM: { source: 'transport', exit: 255, meaning: 'not Linux: only the codec is available' },
  ERR_ADDON_MISSING: { source: 'transport', exit: 255, meaning: 'the native addon is not built or does not load (`CTTIMEOUT_NATIVE_PATH` points elsewhere)' },
  ERR_TIMEOUT: { source: 'transport', exit: 9, meaning: 'no reply within the timeout (the request was sent and may have run)' },
  ERR_NOT_SENT: { source: 'transport', exit: 9, meaning: 'the request was never sent (it timed out or was cancelled in the queue): it did not run' },
  ERR_ABORTED: { source: 'transport', exit: 1, meaning: 'the `AbortSignal` fired' },
  ERR_INTERRUPTED: { source: 'transport', exit: 1, meaning: 'stopped by SIGINT or SIGTERM after the step in progress' },
  ERR_CLOSED: { source: 'transport', exit: 9, meaning: 'the client or transport was closed' },
  ERR_UNEXPECTED_REPLY: { source: 'transport', exit: 9, meaning: 'a reply of a shape the request cannot have' },
  ERR_INTERNAL: { source: 'transport', exit: 1, meaning: 'a bug in cttimeout: please report it' },
} as const;

/** Every Linux errno name (kernel and system errors use them as codes). */
export type ErrnoName =
  | 'EPERM'
  | 'ENOENT'
  | 'ESRCH'
  | 'EINTR'
  | 'EIO'
  | 'ENXIO'
  | 'E2BIG'
  | 'ENOEXEC'
  | 'EBADF'
  | 'ECHILD'
  | 'EAGAIN'
  | 'ENOMEM'
  | 'EACCES'
  | 'EFAULT'
  | 'ENOTBLK'
  | 'EBUSY'
  | 'EEXIST'
  | 'EXDEV'
  | 'ENODEV'
  | 'ENOTDIR'
  | 'EISDIR'
  | 'EINVAL'
  | 'ENFILE'
  | 'EMFILE'
  | 'ENOTTY'
  | 'ETXTBSY'
  | 'EFBIG'
  | 'ENOSPC'
  | 'ESPIPE'
  | 'EROFS'
  | 'EMLINK'
  | 'EPIPE'
  | 'EDOM'
  | 'ERANGE'
  | 'EDEADLK'
  | 'ENAMETOOLONG'
  | 'ENOLCK'
  | 'ENOSYS'
  | 'ENOTEMPTY'
  | 'ELOOP'
  | 'ENOMSG'
  | 'EIDRM'
  | 'ECHRNG'
  | 'EL2NSYNC'
  | 'EL3HLT'
  | 'EL3RST'
  | 'ELNRNG'
  | 'EUNATCH'
  | 'ENOCSI'
  | 'EL2HLT'
  | 'EBADE'
  | 'EBADR'
  | 'EXFULL'
  | 'ENOANO'
  | 'EBADRQC'
  | 'EBADSLT'
  | 'EBFONT'
  | 'ENOSTR'
  | 'ENODATA'
  | 'ETIME'
  | 'ENOSR'
  | 'ENONET'
  | 'ENOPKG'
  | 'EREMOTE'
  | 'ENOLINK'
  | 'EADV'
  | 'ESRMNT'
  | 'ECOMM'
  | 'EPROTO'
  | 'EMULTIHOP'
  | 'EDOTDOT'
  | 'EBADMSG'
  | 'EOVERFLOW'
  | 'ENOTUNIQ'
  | 'EBADFD'
  | 'EREMCHG'
  | 'ELIBACC'
  | 'ELIBBAD'
  | 'ELIBSCN'
  | 'ELIBMAX'
  | 'ELIBEXEC'
  | 'EILSEQ'
  | 'ERESTART'
  | 'ESTRPIPE'
  | 'EUSERS'
  | 'ENOTSOCK'
  | 'EDESTADDRREQ'
  | 'EMSGSIZE'
  | 'EPROTOTYPE'
  | 'ENOPROTOOPT'
  | 'EPROTONOSUPPORT'
  | 'ESOCKTNOSUPPORT'
  | 'EOPNOTSUPP'
  | 'EPFNOSUPPORT'
  | 'EAFNOSUPPORT'
  | 'EADDRINUSE'
  | 'EADDRNOTAVAIL'
  | 'ENETDOWN'
  | 'ENETUNREACH'
  | 'ENETRESET'
  | 'ECONNABORTED'
  | 'ECONNRESET'
  | 'ENOBUFS'
  | 'EISCONN'
  | 'ENOTCONN'
  | 'ESHUTDOWN'
  | 'ETOOMANYREFS'
  | 'ETIMEDOUT'
  | 'ECONNREFUSED'
  | 'EHOSTDOWN'
  | 'EHOSTUNREACH'
  | 'EALREADY'
  | 'EINPROGRESS'
  | 'ESTALE'
  | 'EUCLEAN'
  | 'ENOTNAM'
  | 'ENAVAIL'
  | 'EISNAM'
  | 'EREMOTEIO'
  | 'EDQUOT'
  | 'ENOMEDIUM'
  | 'EMEDIUMTYPE'
  | 'ECANCELED'
  | 'ENOKEY'
  | 'EKEYEXPIRED'
  | 'EKEYREVOKED'
  | 'EKEYREJECTED'
  | 'EOWNERDEAD'
  | 'ENOTRECOVERABLE'
  | 'ERFKILL'
;

/**
 * Every code a CtTimeoutError can have: the registered codes, the errno names, and `E<n>`
 * for an errno number Linux does not name. A misspelt code does not compile.
 */
export type ErrorCode = keyof typeof ERROR_CODES | ErrnoName | `E${number}`;
