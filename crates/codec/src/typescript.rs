//! Renders the facts the TypeScript side needs (protocol table, families, commands, errno
//! names, tape and op layout) as `packages/cttimeout/src/generated/table.ts`. The file is
//! committed; `cargo test` fails when it is stale (`UPDATE_GENERATED=1 cargo test` rewrites it).

use crate::consts::{self, Command};
use crate::ops::OPERATIONS;
use crate::registry::{exit, Source, ERRORS};
use crate::{errno, protocol, tape};
use std::fmt::Write;

fn q(s: &str) -> String {
    format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
}

/// The C library's name for a state: `CTA_TIMEOUT_TCP_UNACK` → `NFCT_TIMEOUT_ATTR_TCP_UNACK`,
/// `CTA_TIMEOUT_ICMP_TIMEOUT` → `NFCT_TIMEOUT_ATTR_ICMP`.
fn c_name(kernel: &str) -> String {
    let n = kernel.replacen("CTA_TIMEOUT_", "NFCT_TIMEOUT_ATTR_", 1);
    n.strip_suffix("_TIMEOUT").map(str::to_string).unwrap_or(n)
}

/// `NFCT_TIMEOUT_ATTR_TCP` for TCP: the prefix of the `_MAX` constant.
fn c_prefix(p: &protocol::Protocol) -> String {
    format!("NFCT_TIMEOUT_ATTR_{}", p.name.to_uppercase())
}

/// The generated public module of C-library constant names and netlink flags, re-exported by
/// the object API (packages/cttimeout/src/object).
pub fn c_names() -> String {
    let mut s = String::new();
    s.push_str("// Generated from crates/codec (src/typescript.rs) by `UPDATE_GENERATED=1 cargo test`.\n");
    s.push_str("// Do not edit: the Rust protocol table is the one place these facts live.\n\n");
    s.push_str("/** Netlink message flags (linux/netlink.h). */\nexport const NLM_F = {\n");
    for (k, v) in [
        ("REQUEST", consts::NLM_F_REQUEST),
        ("MULTI", consts::NLM_F_MULTI),
        ("ACK", consts::NLM_F_ACK),
        ("ECHO", consts::NLM_F_ECHO),
        ("DUMP_INTR", consts::NLM_F_DUMP_INTR),
        ("DUMP_FILTERED", consts::NLM_F_DUMP_FILTERED),
        ("ROOT", consts::NLM_F_ROOT),
        ("MATCH", consts::NLM_F_MATCH),
        ("ATOMIC", consts::NLM_F_ATOMIC),
        ("DUMP", consts::NLM_F_DUMP),
        ("REPLACE", consts::NLM_F_REPLACE),
        ("EXCL", consts::NLM_F_EXCL),
        ("CREATE", consts::NLM_F_CREATE),
        ("APPEND", consts::NLM_F_APPEND),
        ("CAPPED", consts::NLM_F_CAPPED),
        ("ACK_TLVS", consts::NLM_F_ACK_TLVS),
    ] {
        let _ = writeln!(s, "  {k}: 0x{v:x},");
    }
    s.push_str("} as const;\n\n");

    s.push_str("/** cttimeout commands (low byte of nlmsg_type; linux/netfilter/nfnetlink_cttimeout.h). */\n");
    for c in Command::ALL {
        let _ = writeln!(s, "export const {} = {};", c.kernel_name(), c as u8);
    }
    s.push('\n');

    s.push_str("// libnetfilter_cttimeout's per-protocol state indexes (state attribute - 1), named as in its\n");
    s.push_str("// header; the SCTP heartbeat states, which it lacks, follow the same pattern.\n");
    for p in protocol::PROTOCOLS {
        for st in p.states {
            let _ = writeln!(s, "export const {} = {};", c_name(st.kernel), st.attr - 1);
        }
        let _ = writeln!(s, "export const {}_MAX = {};", c_prefix(p), p.states.len());
    }
    s.push('\n');

    s
}

/// Every generated file: (path from the repository root, text).
pub fn files() -> Vec<(&'static str, String)> {
    vec![
        ("packages/cttimeout/src/generated/table.ts", table()),
        ("packages/cttimeout/src/generated/c-names.ts", c_names()),
        ("packages/cttimeout/src/generated/errors.ts", errors_ts()),
        ("docs/errors.md", errors_md()),
        ("man/errors.inc", errors_man()),
    ]
}

const GENERATED: &str =
    "Generated from crates/codec (src/registry.rs) by `UPDATE_GENERATED=1 cargo test`; do not edit.";

/// The error registry as TypeScript: the `ErrorCode` union, each code's source, exit status
/// and meaning, and the exit statuses.
pub fn errors_ts() -> String {
    let mut s = format!("// {GENERATED}\n\n");
    s.push_str("/** Where an error comes from. */\nexport type ErrorSource = ");
    s.push_str(&Source::ALL.iter().map(|x| q(x.name())).collect::<Vec<_>>().join(" | "));
    s.push_str(";\n\n/** The CLI's exit statuses. */\nexport const EXIT = {\n");
    for (name, n, meaning) in exit::ALL {
        let _ = writeln!(s, "  /** {meaning} */\n  {name}: {n},");
    }
    s.push_str("} as const;\n\n/** Each exit status with its meaning (`cttimeout --help`). */\nexport const EXIT_MEANINGS = [\n");
    for (_, n, meaning) in exit::ALL {
        let _ = writeln!(s, "  [{n}, {}],", q(meaning));
    }
    s.push_str("] as const;\n\n");
    s.push_str("/** Every registered code: source, CLI exit status, meaning. */\nexport const ERROR_CODES = {\n");
    for x in ERRORS {
        let _ = writeln!(
            s,
            "  {}: {{ source: {}, exit: {}, meaning: {} }},",
            x.code,
            q(x.source.name()),
            x.exit,
            q(x.meaning)
        );
    }
    s.push_str("} as const;\n\n");
    s.push_str(
        "/** Every Linux errno name (kernel and system errors use them as codes). */\nexport type ErrnoName =\n",
    );
    for (_, name, _) in errno::ERRNO {
        let _ = writeln!(s, "  | {}", q(name));
    }
    s.push_str(";\n\n");
    s.push_str("/**\n * Every code a CtTimeoutError can have: the registered codes, the errno names, and `E<n>`\n");
    s.push_str(" * for an errno number Linux does not name. A misspelt code does not compile.\n */\n");
    s.push_str("export type ErrorCode = keyof typeof ERROR_CODES | ErrnoName | `E${number}`;\n");
    s
}

fn md_cell(t: &str) -> String {
    t.replace('|', "\\|")
}

/// docs/errors.md: the table the README links.
pub fn errors_md() -> String {
    let mut s = format!("<!-- {GENERATED} -->\n\n# Error codes\n\n");
    s.push_str("Every error is a `CtTimeoutError` with a stable `code`, its `source` and, where it applies, the\n");
    s.push_str("input `field` and the byte `offset`. Kernel errors use the errno's name as their code; an errno not\n");
    s.push_str("listed here is the kernel refusing the request (exit status 7).\n\n");
    s.push_str("| code | source | exit | meaning |\n|---|---|---|---|\n");
    for x in ERRORS {
        let _ = writeln!(s, "| `{}` | {} | {} | {} |", x.code, x.source.name(), x.exit, md_cell(x.meaning));
    }
    s.push_str("\n## Exit statuses of the CLI\n\n| status | meaning |\n|---|---|\n");
    for (_, n, meaning) in exit::ALL {
        let _ = writeln!(s, "| {n} | {} |", md_cell(meaning));
    }
    s
}

fn roff(t: &str) -> String {
    let t = t.replace('\\', "\\e").replace('`', "");
    // A line starting with . or ' would be a request.
    if t.starts_with('.') || t.starts_with('\'') {
        format!("\\&{t}")
    } else {
        t
    }
}

/// man/errors.inc: the EXIT STATUS and ERRORS sections of the man page (roff, .so-included).
pub fn errors_man() -> String {
    let mut s = format!(".\\\" {GENERATED}\n.SH EXIT STATUS\n");
    for (_, n, meaning) in exit::ALL {
        let _ = writeln!(s, ".TP\n.B {n}\n{}", roff(meaning));
    }
    s.push_str(".SH ERRORS\nEvery error message ends with its code; kernel errors use the errno name.\n");
    for x in ERRORS {
        let _ = writeln!(s, ".TP\n.B {}\n({}, exit {}) {}", x.code, x.source.name(), x.exit, roff(x.meaning));
    }
    s
}

/// The generated TypeScript module's text.
/** `export const NAME = { K: v, ... } as const;` with a doc comment; `hex` for flag values. */
fn const_object(s: &mut String, doc: &str, name: &str, rows: &[(&str, u32)], hex: bool) {
    let _ = writeln!(s, "/** {doc} */\nexport const {name} = {{");
    for (k, v) in rows {
        let _ = if hex { writeln!(s, "  {k}: 0x{v:04x},") } else { writeln!(s, "  {k}: {v},") };
    }
    s.push_str("} as const;\n\n");
}

/// The netlink numbers table.ts exports as objects: (doc, name, rows, hex).
type ConstObject = (&'static str, &'static str, &'static [(&'static str, u32)], bool);
const CONST_OBJECTS: &[ConstObject] = &[
    (
        "Netlink framing numbers (linux/netlink.h, linux/netfilter/nfnetlink.h).",
        "NETLINK",
        &[
            ("NETLINK_NETFILTER", consts::NETLINK_NETFILTER as u32),
            ("NLMSG_HDRLEN", consts::NLMSG_HDRLEN as u32),
            ("NLMSG_ALIGNTO", consts::NLMSG_ALIGNTO as u32),
            ("NLA_HDRLEN", consts::NLA_HDRLEN as u32),
            ("NFGENMSG_LEN", consts::NFGENMSG_LEN as u32),
            ("NFNL_SUBSYS_CTNETLINK_TIMEOUT", consts::NFNL_SUBSYS_CTNETLINK_TIMEOUT as u32),
        ],
        false,
    ),
    (
        "Netlink control message types.",
        "NLMSG",
        &[
            ("NOOP", consts::NLMSG_NOOP as u32),
            ("ERROR", consts::NLMSG_ERROR as u32),
            ("DONE", consts::NLMSG_DONE as u32),
            ("OVERRUN", consts::NLMSG_OVERRUN as u32),
        ],
        false,
    ),
    (
        "Attribute type flags (linux/netlink.h), high bits of nla_type.",
        "NLA_F",
        &[("NESTED", consts::NLA_F_NESTED as u32), ("NET_BYTEORDER", consts::NLA_F_NET_BYTEORDER as u32)],
        true,
    ),
    (
        "A policy's attributes (linux/netfilter/nfnetlink_cttimeout.h).",
        "CTA_TIMEOUT",
        &[
            ("NAME", consts::CTA_TIMEOUT_NAME as u32),
            ("L3PROTO", consts::CTA_TIMEOUT_L3PROTO as u32),
            ("L4PROTO", consts::CTA_TIMEOUT_L4PROTO as u32),
            ("DATA", consts::CTA_TIMEOUT_DATA as u32),
            ("USE", consts::CTA_TIMEOUT_USE as u32),
        ],
        false,
    ),
    (
        "Extended-ACK attributes of NLMSG_ERROR (linux/netlink.h).",
        "NLMSGERR_ATTR",
        &[
            ("MSG", consts::NLMSGERR_ATTR_MSG as u32),
            ("OFFS", consts::NLMSGERR_ATTR_OFFS as u32),
            ("COOKIE", consts::NLMSGERR_ATTR_COOKIE as u32),
            ("POLICY", consts::NLMSGERR_ATTR_POLICY as u32),
            ("MISS_TYPE", consts::NLMSGERR_ATTR_MISS_TYPE as u32),
            ("MISS_NEST", consts::NLMSGERR_ATTR_MISS_NEST as u32),
        ],
        false,
    ),
];

pub fn table() -> String {
    let mut s = String::new();
    s.push_str("// Generated from crates/codec (src/typescript.rs) by `UPDATE_GENERATED=1 cargo test`.\n");
    s.push_str("// Do not edit: the Rust protocol table is the one place these facts live.\n\n");

    for (doc, name, rows, hex) in CONST_OBJECTS {
        const_object(&mut s, doc, name, rows, *hex);
    }

    let _ = writeln!(
        s,
        "/** Longest policy name in bytes (CTNL_TIMEOUT_NAME_MAX - 1; the kernel adds the NUL). */\nexport const NAME_MAX_BYTES = {};\n",
        consts::NAME_MAX_CHARS
    );

    s.push_str("/** The protocols as help and messages list them. */\n");
    let _ = writeln!(s, "export const KNOWN_PROTOCOLS = {};\n", q(&protocol::known_text()));

    protocols(&mut s);

    s.push_str("/** cttimeout commands by number (low byte of nlmsg_type). */\nexport const COMMANDS = [");
    s.push_str(&Command::ALL.iter().map(|c| q(c.name())).collect::<Vec<_>>().join(", "));
    s.push_str("] as const;\n\n");

    operations(&mut s);

    s.push_str("/** Encode ops (tape.rs): index = op number, the row of OPERATIONS. */\nexport const OPS = {");
    s.push_str(&OPERATIONS.iter().enumerate().map(|(i, o)| format!(" {}: {i}", o.op)).collect::<Vec<_>>().join(","));
    s.push_str(" } as const;\n\n");

    tape_layout(&mut s);
    errnos(&mut s);
    s
}

/// PROTOCOLS, PROTOCOL_ALIASES and FAMILIES (protocol.rs).
fn protocols(s: &mut String) {
    s.push_str("/** Every L4 protocol with a conntrack timeout table; states in attribute order. */\n");
    s.push_str("export const PROTOCOLS = [\n");
    for p in protocol::PROTOCOLS {
        let _ = writeln!(
            s,
            "  {{ name: {}, number: {}, availability: {}, states: [",
            q(p.name),
            p.number,
            p.availability.map_or("null".to_string(), q)
        );
        for st in p.states {
            let _ = writeln!(
                s,
                "    {{ attr: {}, name: {}, kernel: {}, default: {}, nfct: {} }},",
                st.attr,
                q(st.name),
                q(st.kernel),
                st.default,
                st.nfct
            );
        }
        s.push_str("  ] },\n");
    }
    s.push_str("] as const;\n\n");

    s.push_str("/** Protocol names /etc/protocols gives (nfct resolves names with getprotobyname). */\n");
    s.push_str("export const PROTOCOL_ALIASES: Readonly<Record<string, string>> = {\n");
    for p in protocol::PROTOCOLS {
        for a in p.aliases {
            let _ = writeln!(s, "  {}: {},", q(a), q(p.name));
        }
    }
    s.push_str("};\n\n");

    s.push_str("/** Address families (CTA_TIMEOUT_L3PROTO). */\nexport const FAMILIES = [\n");
    for (n, name) in protocol::FAMILIES {
        let _ = writeln!(s, "  {{ name: {}, number: {} }},", q(name), n);
    }
    s.push_str("] as const;\n\n");
}

/// TAPE, REC and fullTimeouts (tape.rs): the WebAssembly boundary's layouts.
fn tape_layout(s: &mut String) {
    s.push_str("/** Decode tape and encode spec layouts (tape.rs). */\nexport const TAPE = {\n");
    for (k, v) in [
        ("KIND_TIMEOUT", tape::KIND_TIMEOUT),
        ("KIND_JSON", tape::KIND_JSON),
        ("KIND_ERROR", tape::KIND_ERROR),
        ("PRESENT_NAME", tape::PRESENT_NAME),
        ("PRESENT_L3PROTO", tape::PRESENT_L3PROTO),
        ("PRESENT_L4PROTO", tape::PRESENT_L4PROTO),
        ("PRESENT_USE", tape::PRESENT_USE),
        ("PRESENT_DATA", tape::PRESENT_DATA),
        ("PRESENT_NAME_ASCII", tape::PRESENT_NAME_ASCII),
        ("PRESENT_NAME_BYTES", tape::PRESENT_NAME_BYTES),
        ("PRESENT_ALL", tape::PRESENT_ALL),
        ("TIMEOUT_FIXED_WORDS", tape::TIMEOUT_FIXED_WORDS as u32),
        ("ENC_FLAGS", tape::ENC_FLAGS),
        ("ENC_NAME", tape::ENC_NAME),
        ("ENC_L3PROTO", tape::ENC_L3PROTO),
        ("ENC_L4PROTO", tape::ENC_L4PROTO),
        ("ENC_DATA", tape::ENC_DATA),
        ("ENC_FIXED_WORDS", tape::ENC_FIXED_WORDS as u32),
    ] {
        let _ = writeln!(s, "  {k}: {v},");
    }
    s.push_str("} as const;\n\n");

    s.push_str("/** Word offsets inside a decode tape record (tape.rs `rec`). */\nexport const REC = {\n");
    for (k, v) in tape::rec::ALL {
        let _ = writeln!(s, "  {k}: {v},");
    }
    s.push_str("} as const;\n\n");

    s.push_str("/**\n * Builds the timeouts object of a message that carries every state of its protocol (kernel\n");
    s.push_str(" * replies always do) from `count` consecutive tape words: one object literal per protocol,\n");
    s.push_str(" * so the object gets its final shape at once. Undefined for other protocol numbers.\n */\n");
    s.push_str("export function fullTimeouts(l4proto: number, w: Uint32Array, i: number): Record<string, number> | undefined {\n  switch (l4proto) {\n");
    for p in protocol::PROTOCOLS {
        let fields: Vec<String> =
            p.states.iter().enumerate().map(|(k, st)| format!("{}: w[i + {k}]!", st.name)).collect();
        let _ = writeln!(s, "    case {}:\n      return {{ {} }};", p.number, fields.join(", "));
    }
    s.push_str("    default:\n      return undefined;\n  }\n}\n\n");
}

/// E and ERRNO (errno.rs).
fn errnos(s: &mut String) {
    s.push_str("/** Linux errno numbers by name. */\nexport const E = {\n");
    for (n, name, _) in errno::ERRNO {
        let _ = writeln!(s, "  {name}: {n},");
    }
    s.push_str("} as const;\n\n");

    s.push_str("/** Linux errno: [number, name, glibc strerror text]. */\nexport const ERRNO: ReadonlyArray<readonly [number, string, string]> = [\n");
    for (n, name, msg) in errno::ERRNO {
        let _ = writeln!(s, "  [{n}, {}, {}],", q(name), q(msg));
    }
    s.push_str("];\n");
}

/// The operations table (ops.rs) as `OPERATIONS`.
fn operations(s: &mut String) {
    s.push_str("/**\n * Every request kind (crates/codec/src/ops.rs): the encode op, the command and message type,\n");
    s.push_str(" * the flags nfct sends, which attributes it carries, whether the kernel answers with a dump,\n");
    s.push_str(" * the CLI verb (null: API only) and its arguments, a label and a one-line help.\n */\n");
    s.push_str("export const OPERATIONS = [\n");
    for o in &OPERATIONS {
        let _ = writeln!(
            s,
            "  {{ op: {}, command: {}, type: 0x{:04x}, flags: 0x{:x}, name: {}, l3proto: {}, l4proto: {}, timeouts: {}, dump: {}, verb: {}, nfct: {}, args: {}, label: {}, help: {} }},",
            q(o.op),
            q(o.command.name()),
            o.command.msg_type(),
            o.flags,
            q(o.carries.name.name()),
            q(o.carries.l3proto.name()),
            q(o.carries.l4proto.name()),
            q(o.carries.timeouts.name()),
            o.dump,
            o.verb.map_or("null".to_string(), q),
            o.nfct,
            q(o.args),
            q(o.label),
            q(o.help)
        );
    }
    s.push_str("] as const;\n\n");
}
