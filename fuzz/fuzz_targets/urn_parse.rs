//! `FunctionUrn::parse` on arbitrary UTF-8: never panics, and whatever it accepts
//! formats back to the same string, has only safe fields, and survives a request path.
#![no_main]

use functiongraph_protocol::paths::{self, Operation};
use functiongraph_protocol::urn::{FunctionUrn, Qualifier, MAX_FIELD_LEN, MAX_URN_LEN};
use libfuzzer_sys::fuzz_target;

fn safe(field: &str) -> bool {
    (1..=MAX_FIELD_LEN).contains(&field.len())
        && field != "."
        && field != ".."
        && field
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(urn) = FunctionUrn::parse(s) else {
        return;
    };
    assert!(s.len() <= MAX_URN_LEN);
    assert_eq!(urn.to_string(), s);
    for f in [&urn.region, &urn.project_id, &urn.package, &urn.name] {
        assert!(safe(f), "{f:?} in {s:?}");
    }
    match &urn.qualifier {
        None => {}
        Some(Qualifier::Version(v) | Qualifier::Alias(v)) => assert!(safe(v), "{v:?} in {s:?}"),
    }
    let unqualified = urn.unqualified();
    assert_eq!(
        FunctionUrn::parse(&unqualified.to_string()),
        Ok(unqualified)
    );
    for op in [
        Operation::Invoke,
        Operation::InvokeAsync,
        Operation::ListAsyncInvocations,
        Operation::CancelAsyncInvocation,
        Operation::ListActiveAsyncInvocations,
    ] {
        let wire = paths::path(&urn.project_id, s, op);
        let parsed = paths::parse(&wire).expect("a valid URN makes a valid path");
        assert_eq!(parsed.urn, s);
        assert_eq!(parsed.project_id, urn.project_id);
        assert_eq!(parsed.operation, op);
    }
});
