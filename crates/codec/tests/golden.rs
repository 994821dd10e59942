//! The data-driven golden suite (test/fixtures/golden.json) run natively. The same file runs
//! through the WebAssembly build in test/codec/golden.test.ts.

use cttimeout_codec::encode::{encode, EncodeOptions, Request};
use cttimeout_codec::ops;
use cttimeout_codec::{decode, format, json, protocol};
use serde_json::Value;
use std::path::PathBuf;

fn load(name: &str) -> Value {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../test/fixtures").join(name);
    serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap()
}

fn fixture(caps: &Value, id: &str) -> Vec<u8> {
    let c = caps.as_array().unwrap().iter().find(|c| c["id"] == id).unwrap_or_else(|| panic!("no fixture {id}"));
    json::unhex(c["hex"].as_str().unwrap()).unwrap()
}

/// `expect` matches `actual` when every key of an expected object matches (objects named
/// "timeouts" must have exactly the same keys), arrays have the same length and match
/// element-wise, and everything else is equal.
fn matches(expect: &Value, actual: &Value, path: &str, exact: bool) -> Result<(), String> {
    match (expect, actual) {
        (Value::Object(e), Value::Object(a)) => {
            if exact && e.len() != a.len() {
                return Err(format!(
                    "{path}: expected keys {:?}, got {:?}",
                    e.keys().collect::<Vec<_>>(),
                    a.keys().collect::<Vec<_>>()
                ));
            }
            for (k, v) in e {
                let got = a.get(k).ok_or_else(|| format!("{path}.{k}: missing"))?;
                matches(v, got, &format!("{path}.{k}"), k == "timeouts")?;
            }
            Ok(())
        }
        (Value::Array(e), Value::Array(a)) => {
            if e.len() != a.len() {
                return Err(format!("{path}: expected {} elements, got {}", e.len(), a.len()));
            }
            e.iter().zip(a).enumerate().try_for_each(|(i, (e, a))| matches(e, a, &format!("{path}[{i}]"), false))
        }
        _ if expect == actual => Ok(()),
        _ => Err(format!("{path}: expected {expect}, got {actual}")),
    }
}

/// Builds a request from the suite's JSON form; returns it with its options.
fn with_request<R>(spec: &Value, f: impl FnOnce(&Request<'_>, &EncodeOptions) -> R) -> R {
    let op = spec["op"].as_str().unwrap();
    let o = ops::by_op(op).unwrap();
    let (command, mode) = (o.command, o.mode);
    let name = spec.get("name").map(|n| json::name_from_json(n).unwrap());
    let l3proto = spec.get("l3proto").map(|v| v.as_u64().unwrap() as u16);
    let l4proto = spec.get("l4proto").map(|v| v.as_u64().unwrap() as u8);
    let mut pairs = Vec::new();
    let mut has_data = false;
    if let Some(t) = spec.get("timeouts").and_then(Value::as_object) {
        has_data = true;
        let proto = protocol::by_number(l4proto.unwrap()).unwrap();
        for (k, v) in t {
            pairs.push((proto.state_by_name(k).unwrap().attr, v.as_u64().unwrap() as u32));
        }
    }
    if let Some(t) = spec.get("rawTimeouts").and_then(Value::as_array) {
        has_data = true;
        for p in t {
            pairs.push((p[0].as_u64().unwrap() as u16, p[1].as_u64().unwrap() as u32));
        }
    }
    let req = Request {
        command,
        flags: cttimeout_codec::encode::nfct_flags(command, name.is_some(), mode),
        name: name.as_deref(),
        l3proto,
        l4proto,
        timeouts: has_data.then_some(pairs.as_slice()),
    };
    let opts = EncodeOptions {
        seq: spec["seq"].as_u64().unwrap() as u32,
        max_seconds: spec.get("maxSeconds").map_or(u32::MAX, |v| v.as_u64().unwrap() as u32),
    };
    f(&req, &opts)
}

#[test]
fn every_capture_decodes_to_the_documented_values() {
    let (caps, golden) = (load("protocol-md-captures.json"), load("golden.json"));
    let mut failures = Vec::new();
    for case in golden["decode"].as_array().unwrap() {
        let id = case["fixture"].as_str().unwrap();
        let bytes = fixture(&caps, id);
        let actual: Value = serde_json::from_str(&json::datagram_json(&decode(&bytes))).unwrap();
        if let Err(e) = matches(&case["expect"], &actual, id, false) {
            failures.push(e);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_capture_is_in_the_decode_suite() {
    let (caps, golden) = (load("protocol-md-captures.json"), load("golden.json"));
    for c in caps.as_array().unwrap() {
        let id = &c["id"];
        let covered = golden["decode"].as_array().unwrap().iter().any(|d| &d["fixture"] == id)
            || golden["encode"].as_array().unwrap().iter().any(|d| &d["fixture"] == id);
        assert!(covered, "capture {id} has no expectation");
    }
}

#[test]
fn encoder_reproduces_every_captured_request() {
    let (caps, golden) = (load("protocol-md-captures.json"), load("golden.json"));
    for case in golden["encode"].as_array().unwrap() {
        let id = case["fixture"].as_str().unwrap();
        let want = fixture(&caps, id);
        let got = with_request(&case["request"], encode).unwrap();
        assert_eq!(json::hex(&got), json::hex(&want), "{id}");
    }
}

#[test]
fn encoder_rejects_bad_requests_with_code_and_field() {
    let golden = load("golden.json");
    for case in golden["encodeErrors"].as_array().unwrap() {
        let e = with_request(&case["request"], encode).unwrap_err();
        assert_eq!(e.code, case["code"].as_str().unwrap(), "{}", case["why"]);
        assert_eq!(e.field, case["field"].as_str().unwrap(), "{}", case["why"]);
    }
}

#[test]
fn nfct_text_is_byte_identical() {
    let (caps, golden) = (load("protocol-md-captures.json"), load("golden.json"));
    for case in golden["nfct"].as_array().unwrap() {
        let id = case["fixture"].as_str().unwrap();
        let bytes = fixture(&caps, id);
        let d = decode(&bytes);
        let cttimeout_codec::decode::Body::Timeout(t) = &d.messages[0].body else { panic!("{id}") };
        assert_eq!(format::nfct_text(t), case["text"].as_str().unwrap(), "{id}");
    }
}

#[test]
fn matcher_can_fail() {
    let e: Value = serde_json::json!({"a": 1, "timeouts": {"X": 1}});
    assert!(matches(&e, &serde_json::json!({"a": 2, "timeouts": {"X": 1}}), "", false).is_err());
    assert!(matches(&e, &serde_json::json!({"a": 1, "timeouts": {"X": 1, "Y": 2}}), "", false).is_err());
    assert!(matches(&e, &serde_json::json!({"a": 1, "b": 0, "timeouts": {"X": 1}}), "", false).is_ok());
}

#[test]
fn names_are_bytes() {
    let golden = load("golden.json");
    for case in golden["names"].as_array().unwrap() {
        let why = case["why"].as_str().unwrap();
        let spec = serde_json::json!({ "op": "NEW", "seq": 1, "name": case["name"], "l3proto": 2, "l4proto": 17, "timeouts": { "UNREPLIED": 5 } });
        let r = with_request(&spec, encode);
        if let Some(code) = case["code"].as_str() {
            let e = r.unwrap_err();
            assert_eq!((e.code.as_str(), e.field.as_str()), (code, "name"), "{why}");
            continue;
        }
        let bytes = r.unwrap();
        let want = json::unhex(case["bytesHex"].as_str().unwrap()).unwrap();
        let d = decode(&bytes);
        let cttimeout_codec::decode::Body::Timeout(t) = &d.messages[0].body else { panic!("{why}") };
        assert_eq!(t.name, Some(want.as_slice()), "{why}");
        let actual: Value = serde_json::from_str(&json::datagram_json(&d)).unwrap();
        assert_eq!(actual["messages"][0]["name"], case["name"], "{why}");
        let mut line = b".".to_vec();
        line.extend_from_slice(&want);
        line.extend_from_slice(b" = {\n");
        assert!(format::nfct_bytes(t).starts_with(&line), "{why}");
    }
}
