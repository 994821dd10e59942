//! The operations table: one record per request kind. Encoding (the constructors of
//! [`crate::encode::Request`] and the tape's op numbers), the transport's completion rule
//! (`dump`), and, through the generated TypeScript table, the object API, the CLI's parser and
//! help, the inspector's builder and the property generator all read it. Adding a request
//! kind is adding a row here (docs/CONTRIBUTING.md).

use crate::consts::*;
use crate::encode::NewMode;

/// Whether a request kind carries an attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Use {
    No,
    Optional,
    Required,
}

impl Use {
    pub fn name(self) -> &'static str {
        match self {
            Use::No => "no",
            Use::Optional => "optional",
            Use::Required => "required",
        }
    }
}

/// One request kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operation {
    /// The op's name in encode specs (`RequestSpec.op`); its index is its tape op number.
    pub op: &'static str,
    pub command: Command,
    /// For NEW: how an existing name is treated.
    pub mode: Option<NewMode>,
    /// The flags nfct sends, NLM_F_REQUEST included (NLM_F_ACK too, except on the dump).
    pub flags: u16,
    /// Which attributes it carries.
    pub carries: Carries,
    /// Answered by a dump (messages, then NLMSG_DONE) instead of an ACK.
    pub dump: bool,
    /// The CLI command word (`cttimeout add timeout ...`), None when only the API has it.
    pub verb: Option<&'static str>,
    /// Whether nfct has that command (else it is one of cttimeout's own).
    pub nfct: bool,
    /// The CLI arguments after `VERB timeout`.
    pub args: &'static str,
    /// Short label (the inspector's builder).
    pub label: &'static str,
    /// One-line description (help texts, the builder's hint).
    pub help: &'static str,
}

/// Which attributes a request kind carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Carries {
    pub name: Use,
    pub l3proto: Use,
    pub l4proto: Use,
    pub timeouts: Use,
}

const ACK: u16 = NLM_F_REQUEST | NLM_F_ACK;
/// A whole policy (the NEW kinds).
const POLICY: Carries =
    Carries { name: Use::Required, l3proto: Use::Required, l4proto: Use::Required, timeouts: Use::Optional };
/// A name alone (GET, DELETE; without it they are the dump and the flush).
const BY_NAME: Carries = Carries { name: Use::Optional, l3proto: Use::No, l4proto: Use::No, timeouts: Use::No };
const NOTHING: Carries = Carries { name: Use::No, l3proto: Use::No, l4proto: Use::No, timeouts: Use::No };

/// Every request kind. The first seven keep their tape op numbers from before DUMP and FLUSH
/// had rows of their own (a GET without a name is still the dump, a DELETE without one the
/// flush).
pub static OPERATIONS: [Operation; 9] = [
    Operation {
        op: "NEW",
        command: Command::New,
        mode: Some(NewMode::Create),
        flags: ACK | NLM_F_CREATE,
        carries: POLICY,
        dump: false,
        verb: Some("add"),
        nfct: true,
        args: "NAME FAMILY PROTO STATE SECONDS [STATE SECONDS]...",
        label: "NEW — create",
        help: "Creates a policy (nfct add). An existing name gets EBUSY.",
    },
    Operation {
        op: "GET",
        command: Command::Get,
        mode: None,
        flags: ACK,
        carries: BY_NAME,
        dump: false,
        verb: Some("get"),
        nfct: true,
        args: "NAME",
        label: "GET — read",
        help: "Reads one policy.",
    },
    Operation {
        op: "DELETE",
        command: Command::Delete,
        mode: None,
        flags: ACK,
        carries: BY_NAME,
        dump: false,
        verb: Some("delete"),
        nfct: true,
        args: "NAME",
        label: "DELETE — remove",
        help: "Deletes one policy (EBUSY while an iptables CT rule uses it).",
    },
    Operation {
        op: "DEFAULT_SET",
        command: Command::DefaultSet,
        mode: None,
        flags: ACK,
        carries: Carries { name: Use::No, l3proto: Use::Optional, l4proto: Use::Required, timeouts: Use::Required },
        dump: false,
        verb: Some("default-set"),
        nfct: true,
        args: "FAMILY PROTO STATE SECONDS [STATE SECONDS]...",
        label: "DEFAULT_SET — set defaults",
        help: "Changes the namespace's defaults for a protocol; states left out keep their value.",
    },
    Operation {
        op: "DEFAULT_GET",
        command: Command::DefaultGet,
        mode: None,
        flags: ACK,
        carries: Carries { name: Use::No, l3proto: Use::Required, l4proto: Use::Required, timeouts: Use::No },
        dump: false,
        verb: Some("default-get"),
        nfct: true,
        args: "FAMILY PROTO",
        label: "DEFAULT_GET — read defaults",
        help: "Reads the namespace's defaults for a protocol.",
    },
    Operation {
        op: "NEW_EXCLUSIVE",
        command: Command::New,
        mode: Some(NewMode::Exclusive),
        flags: ACK | NLM_F_CREATE | NLM_F_EXCL,
        carries: POLICY,
        dump: false,
        verb: None,
        nfct: false,
        args: "",
        label: "NEW + EXCL — create only",
        help: "Creates a policy; an existing name gets EEXIST.",
    },
    Operation {
        op: "NEW_REPLACE",
        command: Command::New,
        mode: Some(NewMode::Replace),
        flags: ACK | NLM_F_REPLACE,
        carries: POLICY,
        dump: false,
        verb: Some("update"),
        nfct: false,
        args: "NAME FAMILY PROTO [STATE SECONDS]...",
        label: "NEW + REPLACE — update",
        help: "Updates a policy in place (creates it when missing). States left out go back to the current defaults: it is not a merge.",
    },
    Operation {
        op: "DUMP",
        command: Command::Get,
        mode: None,
        flags: NLM_F_REQUEST | NLM_F_DUMP,
        carries: NOTHING,
        dump: true,
        verb: Some("list"),
        nfct: true,
        args: "",
        label: "GET + DUMP — list",
        help: "Reads every policy of the namespace, in creation order.",
    },
    Operation {
        op: "FLUSH",
        command: Command::Delete,
        mode: None,
        flags: ACK,
        carries: NOTHING,
        dump: false,
        verb: Some("flush"),
        nfct: true,
        args: "",
        label: "DELETE without a name — flush",
        help: "Deletes every policy not in use.",
    },
];

/// The row for an op name.
pub fn by_op(op: &str) -> Option<&'static Operation> {
    OPERATIONS.iter().find(|o| o.op == op)
}

/// The row for a command and NEW mode, telling GET/DELETE with a name from the dump/flush.
/// (By index: this is on the encoder's hot path; the test below checks each index's row.)
pub fn lookup(command: Command, has_name: bool, mode: Option<NewMode>) -> &'static Operation {
    let row = match (command, mode) {
        (Command::New, Some(NewMode::Exclusive)) => 5,
        (Command::New, Some(NewMode::Replace)) => 6,
        (Command::New, _) => 0,
        (Command::Get, _) if !has_name => 7,
        (Command::Get, _) => 1,
        (Command::Delete, _) if !has_name => 8,
        (Command::Delete, _) => 2,
        (Command::DefaultSet, _) => 3,
        (Command::DefaultGet, _) => 4,
    };
    &OPERATIONS[row]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire;

    #[test]
    fn the_table_agrees_with_the_wire_rules() {
        for o in &OPERATIONS {
            assert_eq!(wire::is_dump(o.command.msg_type(), o.flags), o.dump, "{}", o.op);
            assert_eq!(wire::wire_flags(o.command.msg_type(), o.flags), o.flags, "{} goes out as nfct sends it", o.op);
            let has_name = o.carries.name != Use::No;
            assert_eq!(lookup(o.command, has_name, o.mode).op, o.op);
            assert_eq!(o.mode.is_some(), o.command == Command::New, "{}", o.op);
        }
        let mut ops: Vec<_> = OPERATIONS.iter().map(|o| o.op).collect();
        ops.dedup();
        assert_eq!(ops.len(), OPERATIONS.len());
    }
}
