//! Request paths: `/v2/{project_id}/fgs/functions/{function_urn}/{operation}`.

use std::fmt;

use crate::encoding::{percent_decode, quote};

/// The operations on a function's invocations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operation {
    /// `POST …/invocations`: run and wait for the result.
    Invoke,
    /// `POST …/invocations-async`: queue a run.
    InvokeAsync,
    /// `GET …/async-invocations`: list async runs.
    ListAsyncInvocations,
    /// `POST …/cancel`: stop a queued or running async run.
    CancelAsyncInvocation,
    /// `GET …/active-async-invocations`: list queued and running async runs.
    ListActiveAsyncInvocations,
}

impl Operation {
    const ALL: [Operation; 5] = [
        Operation::Invoke,
        Operation::InvokeAsync,
        Operation::ListAsyncInvocations,
        Operation::CancelAsyncInvocation,
        Operation::ListActiveAsyncInvocations,
    ];

    /// The last path segment.
    pub fn suffix(self) -> &'static str {
        match self {
            Operation::Invoke => "invocations",
            Operation::InvokeAsync => "invocations-async",
            Operation::ListAsyncInvocations => "async-invocations",
            Operation::CancelAsyncInvocation => "cancel",
            Operation::ListActiveAsyncInvocations => "active-async-invocations",
        }
    }

    /// The HTTP method.
    pub fn method(self) -> &'static str {
        match self {
            Operation::ListAsyncInvocations | Operation::ListActiveAsyncInvocations => "GET",
            _ => "POST",
        }
    }
}

/// The wire path of `operation` on `urn`, with the URN percent-encoded as the official
/// SDKs send it (`:` as `%3A`).
pub fn path(project_id: &str, urn: &str, operation: Operation) -> String {
    format!(
        "/v2/{}/fgs/functions/{}/{}",
        quote(project_id),
        quote(urn),
        operation.suffix()
    )
}

/// A request path taken apart. The URN is decoded but not yet validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedPath {
    /// Project id from the path.
    pub project_id: String,
    /// Function URN, percent-decoded.
    pub urn: String,
    /// Which operation.
    pub operation: Operation,
}

/// Why a path is not one of the invocation APIs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathError {
    /// Not a path of these APIs.
    NotFound,
    /// A segment has a malformed percent escape or is not UTF-8 once decoded.
    BadEncoding,
}

impl fmt::Display for PathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PathError::NotFound => "not a path of the FunctionGraph invocation APIs",
            PathError::BadEncoding => {
                "a path segment has a malformed percent escape or is not UTF-8 once decoded"
            }
        })
    }
}

impl std::error::Error for PathError {}

/// Takes a wire path apart. Splits on `/` before decoding, so an encoded slash
/// (`%2F`) stays inside its segment, where the URN check refuses it.
///
/// # Errors
/// [`PathError`] when the path is not an invocation API path.
pub fn parse(wire_path: &str) -> Result<ParsedPath, PathError> {
    let rest = wire_path.strip_prefix("/v2/").ok_or(PathError::NotFound)?;
    let segments: Vec<&str> = rest.split('/').collect();
    let [project, "fgs", "functions", urn, suffix] = segments[..] else {
        return Err(PathError::NotFound);
    };
    let operation = Operation::ALL
        .into_iter()
        .find(|op| op.suffix() == suffix)
        .ok_or(PathError::NotFound)?;
    if project.is_empty() || urn.is_empty() {
        return Err(PathError::NotFound);
    }
    Ok(ParsedPath {
        project_id: percent_decode(project).ok_or(PathError::BadEncoding)?,
        urn: percent_decode(urn).ok_or(PathError::BadEncoding)?,
        operation,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const URN: &str = "urn:fss:cn-north-4:p1:function:default:hello:latest";

    #[test]
    fn builds_what_the_official_sdk_sends_and_parses_both_forms() {
        let wire = path("p1", URN, Operation::Invoke);
        assert_eq!(
            wire,
            "/v2/p1/fgs/functions/urn%3Afss%3Acn-north-4%3Ap1%3Afunction%3Adefault%3Ahello%3Alatest/invocations"
        );
        for p in [wire, format!("/v2/p1/fgs/functions/{URN}/invocations")] {
            let parsed = parse(&p).unwrap();
            assert_eq!(parsed.urn, URN);
            assert_eq!(parsed.project_id, "p1");
            assert_eq!(parsed.operation, Operation::Invoke);
        }
        for op in Operation::ALL {
            assert_eq!(parse(&path("p", URN, op)).unwrap().operation, op);
        }
    }

    #[test]
    fn refuses_other_paths() {
        for p in [
            "/",
            "/v2/p1/fgs/functions",
            "/v2/p1/fgs/functions/x/other",
            "/v2/p1/fgs/functions/x/invocations/",
            "/v1/p1/fgs/functions/x/invocations",
            "/v2//fgs/functions/x/invocations",
            "/v2/p1/fgs/functions//invocations",
        ] {
            assert_eq!(parse(p), Err(PathError::NotFound), "{p}");
        }
        assert_eq!(
            parse("/v2/p1/fgs/functions/urn%zz/invocations"),
            Err(PathError::BadEncoding)
        );
        // An encoded slash stays in the URN, for the URN check to refuse.
        assert_eq!(
            parse("/v2/p1/fgs/functions/a%2F..%2Fb/invocations")
                .unwrap()
                .urn,
            "a/../b"
        );
    }
}
