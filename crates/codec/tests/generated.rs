//! The committed generated files (TypeScript, docs/errors.md, man/errors.inc, the Wireshark
//! dissector) must be what the Rust tables render; `UPDATE_GENERATED=1` rewrites them all.
use std::path::PathBuf;

#[test]
fn generated_files_are_current() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let lua = ("packages/cttimeout/wireshark/cttimeout.lua", cttimeout_codec::wireshark::lua());
    for (name, want) in cttimeout_codec::typescript::files().into_iter().chain([lua]) {
        let path = root.join(name);
        if std::env::var_os("UPDATE_GENERATED").is_some() {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &want).unwrap();
        }
        let have = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            have == want,
            "{name} is stale: run `UPDATE_GENERATED=1 cargo test -p cttimeout-codec --test generated`"
        );
    }
}

#[test]
fn every_codec_error_code_is_registered() {
    use cttimeout_codec::registry::lookup;
    for c in cttimeout_codec::EncodeCode::ALL {
        assert!(lookup(c.as_str()).is_some(), "{c}");
    }
    for c in [
        "ERR_TRUNCATED",
        "ERR_LENGTH",
        "ERR_ALIGNMENT",
        "ERR_ATTR_SIZE",
        "ERR_NAME_TOO_LONG",
        "ERR_NAME_UNTERMINATED",
        "ERR_UNKNOWN_PROTOCOL",
    ] {
        assert!(lookup(c).is_some(), "{c}");
    }
}
