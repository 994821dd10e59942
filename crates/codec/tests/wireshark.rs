//! The committed Wireshark dissector must be what the Rust tables render.
use std::path::PathBuf;

#[test]
fn lua_dissector_is_current() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../packages/cttimeout/wireshark/cttimeout.lua");
    let want = cttimeout_codec::wireshark::lua();
    if std::env::var_os("UPDATE_GENERATED").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &want).unwrap();
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "{} is stale: run `UPDATE_GENERATED=1 cargo test -p cttimeout-codec --test wireshark`",
        path.display()
    );
}

#[test]
fn lua_names_every_state_of_every_protocol() {
    let lua = cttimeout_codec::wireshark::lua();
    for p in cttimeout_codec::protocol::PROTOCOLS {
        for s in p.states {
            let field = format!("\"cttimeout.{}.{}\"", p.name, s.name.to_lowercase());
            assert!(lua.contains(&field), "{field} missing");
            assert!(lua.contains(s.kernel), "{} missing", s.kernel);
        }
    }
}
