import type { COMMANDS, FAMILIES, OPS, PROTOCOLS } from '../generated/table.js';
import type { ErrorCode } from '../errors.js';
import type { PolicyName } from './name.js';

/** Every protocol name: 'tcp' | 'udp' | ... */
export type ProtocolName = (typeof PROTOCOLS)[number]['name'];
/** The state names of one protocol, as nfct prints them ('ESTABLISHED', 'UNREPLIED', ...). */
export type StateName<P extends ProtocolName> = Extract<(typeof PROTOCOLS)[number], { name: P }>['states'][number]['name'];
/** Seconds per state of one protocol; omitted states take the kernel's current defaults. */
export type Timeouts<P extends ProtocolName> = { [S in StateName<P>]?: number };
/** 'inet' (IPv4, l3proto 2) or 'inet6' (IPv6, l3proto 10). */
export type Family = (typeof FAMILIES)[number]['name'];
/** cttimeout command names. */
export type CommandName = (typeof COMMANDS)[number];
/** Encode ops: the command, and for NEW how an existing name is treated. */
export type Op = keyof typeof OPS;

/** `struct nlmsghdr`. */
export interface Header {
  len: number;
  type: number;
  flags: number;
  seq: number;
  pid: number;
}

/** An attribute this codec does not define, kept as it came. */
export interface UnknownAttribute {
  type: number;
  nested: boolean;
  /** Byte offset of its header in the datagram. */
  offset: number;
  /** Payload as lower-case hex. */
  data: string;
}

/** Extended ACK TLVs (NETLINK_EXT_ACK). */
export interface ExtAck {
  message?: string;
  /** Byte offset of the offending attribute, from the start of the request. */
  offset?: number;
  cookie?: string;
  /** The kernel's validation rule, e.g. `{ type: 'NUL_STRING', maxLength: 31 }`. */
  policy?: Record<string, string | number>;
  missingType?: number;
  missingNest?: number;
  unknown?: UnknownAttribute[];
}

interface Base {
  /** Byte offset of the message in the datagram. */
  offset: number;
  header: Header;
}

/** A cttimeout request or reply (GET replies are NEW messages; DEFAULT_GET replies are DEFAULT_SET). */
export interface TimeoutMessage extends Base {
  kind: 'timeout';
  command: CommandName | null;
  nfgen: { family: number; version: number; resId: number };
  /** A string when the bytes are valid UTF-8, else the exact bytes (JSON: `{ hex }`). */
  name?: PolicyName;
  l3proto?: number;
  family?: Family;
  l4proto?: number;
  protocol?: ProtocolName;
  /** Reference count: 1, plus one per iptables CT rule using the policy. */
  use?: number;
  /** Seconds per state, in attribute order. */
  timeouts?: Record<string, number>;
  unknownTimeouts?: UnknownAttribute[];
  unknown?: UnknownAttribute[];
}

/** NLMSG_ERROR with error 0. */
export interface AckMessage extends Base {
  kind: 'ack';
  /** The request's echoed header. */
  request: Header;
  requestPayload?: string;
  extAck?: ExtAck;
}

/** NLMSG_ERROR with a negative errno. */
export interface ErrorMessage extends Base {
  kind: 'error';
  errno: number;
  /** 'EBUSY', ...; null for numbers Linux does not name. */
  code: string | null;
  /** glibc's strerror text. */
  message: string;
  request: Header;
  /** The echoed request payload (hex) unless the kernel capped it. */
  requestPayload?: string;
  extAck?: ExtAck;
}

/** NLMSG_DONE: end of a dump. */
export interface DoneMessage extends Base {
  kind: 'done';
  status?: number;
  extAck?: ExtAck;
}

export interface NoopMessage extends Base {
  kind: 'noop';
}
export interface OverrunMessage extends Base {
  kind: 'overrun';
}
/** Another netlink family or nfnetlink subsystem: kept raw. */
export interface OtherMessage extends Base {
  kind: 'other';
  data: string;
}

export type DecodedMessage = TimeoutMessage | AckMessage | ErrorMessage | DoneMessage | NoopMessage | OverrunMessage | OtherMessage;

/** Where and why decoding stopped. */
export interface DecodeProblem {
  /** ERR_TRUNCATED, ERR_LENGTH, ERR_ALIGNMENT, ERR_ATTR_SIZE, ERR_NAME_TOO_LONG, ERR_NAME_UNTERMINATED, ERR_UNKNOWN_PROTOCOL */
  code: ErrorCode;
  /** Byte offset in the datagram. */
  offset: number;
  message: string;
}

/** Everything a datagram held: the messages decoded, then the problem that stopped decoding. */
export interface DecodeResult {
  messages: DecodedMessage[];
  error?: DecodeProblem;
}

/**
 * A request to encode. `l3proto` takes a family name or number, `l4proto` a protocol name or
 * number; `timeouts` is keyed by state name (any case), `rawTimeouts` by attribute number.
 * GET without a name is the dump; DELETE without a name is the flush.
 */
export interface RequestSpec {
  op: Op;
  seq?: number;
  /** Replaces nfct's flags for the op (NLM_F_REQUEST is always added). */
  flags?: number;
  /** A string (well-formed UTF-16, sent as UTF-8) or the exact bytes. */
  name?: PolicyName;
  l3proto?: Family | number;
  l4proto?: ProtocolName | number;
  timeouts?: Record<string, number>;
  rawTimeouts?: ReadonlyArray<readonly [number, number]>;
}

export interface EncodeOptions {
  /** Largest timeout accepted: ⌊(2³²−1)/HZ⌋ for the target kernel's HZ. Default 2³²−1. */
  maxSeconds?: number;
}

/** A node of the inspector tree: a message, header, field or attribute and its bytes. */
export interface InspectNode {
  label: string;
  offset: number;
  length: number;
  value?: string;
  children?: InspectNode[];
  /** Set on the node where decoding stopped. */
  error?: string;
}

export interface InspectTree {
  messages: InspectNode[];
  error?: DecodeProblem;
}
