//! Query strings: decoding, encoding, and the async listing's parameters.

use std::fmt;

use crate::encoding::{percent_decode, quote_into};
use crate::limits::{LIST_LIMIT_MAX, QUERY_VALUE_MAX};
use crate::models::AsyncStatus;
use crate::time::{format_query_time, parse_query_time};

/// Decodes `a=1&b=x%20y` into pairs, keeping order and repeats. A key with no `=`
/// has an empty value. `None` when an escape is malformed.
pub fn decode(raw: &str) -> Option<Vec<(String, String)>> {
    // A loop, not `collect::<Option<Vec<_>>>()`: each such collect is a copy of the
    // iterator adapters' code in the client's wasm.
    let mut pairs = Vec::new();
    for part in raw.split('&').filter(|part| !part.is_empty()) {
        let (k, v) = part.split_once('=').unwrap_or((part, ""));
        pairs.push((percent_decode(k)?, percent_decode(v)?));
    }
    Some(pairs)
}

/// Encodes pairs as a query string (no leading `?`), in the given order.
pub fn encode(pairs: &[(String, String)]) -> String {
    let mut out = String::new();
    encode_into(&mut out, pairs);
    out
}

/// [`encode`], appended to `out`.
pub fn encode_into(out: &mut String, pairs: &[(String, String)]) {
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        quote_into(out, k);
        out.push('=');
        quote_into(out, v);
    }
}

/// A query parameter that is not acceptable, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryError {
    /// The parameter's wire name.
    pub param: &'static str,
    /// What is wrong with it.
    pub reason: String,
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid query parameter '{}': {}",
            self.param, self.reason
        )
    }
}

impl std::error::Error for QueryError {}

fn invalid(param: &'static str, reason: impl Into<String>) -> QueryError {
    QueryError {
        param,
        reason: reason.into(),
    }
}

/// A `marker`: decimal digits only (no sign, no spaces), as many as the 64 characters the
/// service takes. An offset past any listing (even past `u64::MAX`) is still an offset,
/// with nothing after it, so it saturates rather than fails.
fn offset(v: &str) -> Option<u64> {
    if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(v.parse().unwrap_or(u64::MAX))
}

/// Parameters of `GET …/async-invocations`. Times are seconds since the epoch, UTC.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListAsyncQuery {
    /// Only this request id.
    pub request_id: Option<String>,
    /// Where the page starts: an offset into the matching records, newest first (the
    /// `next_marker` of the previous page); 0 = first page.
    pub marker: Option<u64>,
    /// Page size, 1 to 500; default 100.
    pub limit: Option<u32>,
    /// Only this status.
    pub status: Option<AsyncStatus>,
    /// Window start; default an hour before the end.
    pub begin: Option<i64>,
    /// Window end; default now.
    pub end: Option<i64>,
}

impl ListAsyncQuery {
    /// The same query with its window starting at `begin`.
    #[must_use]
    pub fn with_begin(mut self, begin: std::time::SystemTime) -> Self {
        self.begin = Some(crate::time::unix_secs(begin));
        self
    }

    /// The same query with its window ending at `end`.
    #[must_use]
    pub fn with_end(mut self, end: std::time::SystemTime) -> Self {
        self.end = Some(crate::time::unix_secs(end));
        self
    }

    /// The wire pairs, in name order (as the official Python SDK sends them).
    pub fn to_pairs(&self) -> Vec<(String, String)> {
        let mut pairs = Vec::new();
        let mut push = |k: &str, v: String| pairs.push((k.to_owned(), v));
        if let Some(limit) = self.limit {
            push("limit", limit.to_string());
        }
        if let Some(marker) = self.marker {
            push("marker", marker.to_string());
        }
        if let Some(begin) = self.begin {
            push("query_begin_time", format_query_time(begin));
        }
        if let Some(end) = self.end {
            push("query_end_time", format_query_time(end));
        }
        if let Some(id) = &self.request_id {
            push("request_id", id.clone());
        }
        if let Some(status) = self.status {
            push("status", status.as_str().to_owned());
        }
        pairs
    }

    /// Reads and validates the parameters. Unknown names are ignored, as the service
    /// does; an empty value counts as absent; a known name given twice is refused.
    ///
    /// # Errors
    /// [`QueryError`] names the first bad parameter.
    pub fn from_pairs(pairs: &[(String, String)]) -> Result<Self, QueryError> {
        let mut q = ListAsyncQuery::default();
        let mut seen: Vec<&str> = Vec::new();
        for (k, v) in pairs {
            let name: &'static str = match k.as_str() {
                "request_id" => "request_id",
                "marker" => "marker",
                "limit" => "limit",
                "status" => "status",
                "query_begin_time" => "query_begin_time",
                "query_end_time" => "query_end_time",
                _ => continue,
            };
            if seen.contains(&name) {
                return Err(invalid(name, "given more than once"));
            }
            seen.push(name);
            if v.is_empty() {
                continue;
            }
            if v.len() > QUERY_VALUE_MAX {
                return Err(invalid(
                    name,
                    format!("longer than {QUERY_VALUE_MAX} characters"),
                ));
            }
            match name {
                "request_id" => q.request_id = Some(v.clone()),
                "marker" => {
                    q.marker = Some(offset(v).ok_or_else(|| {
                        invalid(
                            name,
                            "must be an offset: a whole number, 0 or more, in decimal digits",
                        )
                    })?)
                }
                "limit" => {
                    let limit: u32 = v
                        .parse()
                        .ok()
                        .filter(|l| (1..=LIST_LIMIT_MAX).contains(l))
                        .ok_or_else(|| {
                            invalid(
                                name,
                                format!("must be a whole number from 1 to {LIST_LIMIT_MAX}"),
                            )
                        })?;
                    q.limit = Some(limit);
                }
                "status" => {
                    q.status = Some(AsyncStatus::parse(v).ok_or_else(|| {
                        invalid(name, "must be one of WAIT, RUNNING, SUCCESS, FAIL, DISCARD")
                    })?)
                }
                _ => {
                    let t = parse_query_time(v).ok_or_else(|| {
                        invalid(name, "must be a UTC time formatted YYYY-MM-DDTHH:mm:ss (fractions and an offset are accepted)")
                    })?;
                    if name == "query_begin_time" {
                        q.begin = Some(t);
                    } else {
                        q.end = Some(t);
                    }
                }
            }
        }
        if let (Some(b), Some(e)) = (q.begin, q.end) {
            if b > e {
                return Err(invalid("query_begin_time", "is after query_end_time"));
            }
        }
        Ok(q)
    }
}

/// Most request ids one active-invocations query may name.
pub const ACTIVE_REQUESTS_MAX: usize = 10;

/// Parameters of `GET …/active-async-invocations`: like [`ListAsyncQuery`], but the ids
/// come as `requests` (comma-separated, at most 10) instead of `request_id`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActiveAsyncQuery {
    /// Only these request ids.
    pub requests: Vec<String>,
    /// The rest of the listing parameters (`request_id` unused).
    pub list: ListAsyncQuery,
}

impl ActiveAsyncQuery {
    /// The wire pairs.
    pub fn to_pairs(&self) -> Vec<(String, String)> {
        let mut pairs = self.list.to_pairs();
        // After the listing's pairs, as the client has always sent them: order is free
        // on the wire (the signature sorts).
        if !self.requests.is_empty() {
            pairs.push(("requests".to_owned(), self.requests.join(",")));
        }
        pairs
    }

    /// Reads and validates the parameters (see [`ListAsyncQuery::from_pairs`]).
    ///
    /// # Errors
    /// [`QueryError`] names the first bad parameter.
    pub fn from_pairs(pairs: &[(String, String)]) -> Result<Self, QueryError> {
        let mut requests = Vec::new();
        let mut rest = Vec::with_capacity(pairs.len());
        for (k, v) in pairs {
            match k.as_str() {
                "requests" => {
                    if !requests.is_empty() {
                        return Err(invalid("requests", "given more than once"));
                    }
                    requests = v
                        .split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(str::to_owned)
                        .collect();
                    if requests.len() > ACTIVE_REQUESTS_MAX {
                        return Err(invalid(
                            "requests",
                            format!("names more than {ACTIVE_REQUESTS_MAX} request ids"),
                        ));
                    }
                    if requests.iter().any(|r| r.len() > QUERY_VALUE_MAX) {
                        return Err(invalid(
                            "requests",
                            format!("has an id longer than {QUERY_VALUE_MAX} characters"),
                        ));
                    }
                }
                "request_id" => {}
                _ => rest.push((k.clone(), v.clone())),
            }
        }
        Ok(ActiveAsyncQuery {
            requests,
            list: ListAsyncQuery::from_pairs(&rest)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(raw: &str) -> Vec<(String, String)> {
        decode(raw).unwrap()
    }

    #[test]
    fn decode_keeps_order_repeats_and_plus_signs() {
        assert_eq!(
            pairs("b=2&a=x%20y+z&flag&&b=1"),
            vec![
                ("b".into(), "2".into()),
                ("a".into(), "x y+z".into()),
                ("flag".into(), "".into()),
                ("b".into(), "1".into())
            ]
        );
        assert_eq!(decode("a=%G1"), None);
    }

    #[test]
    fn list_query_round_trips() {
        let q = ListAsyncQuery {
            request_id: Some("r 1".into()),
            marker: Some(42),
            limit: Some(10),
            status: Some(AsyncStatus::Success),
            begin: Some(1_704_067_200),
            end: Some(1_704_153_600),
        };
        let wire = encode(&q.to_pairs());
        assert_eq!(
            wire,
            "limit=10&marker=42&query_begin_time=2024-01-01T00%3A00%3A00&query_end_time=2024-01-02T00%3A00%3A00&request_id=r%201&status=SUCCESS"
        );
        assert_eq!(ListAsyncQuery::from_pairs(&pairs(&wire)).unwrap(), q);
    }

    #[test]
    fn list_query_refuses_bad_values() {
        for (raw, param) in [
            ("limit=0", "limit"),
            ("limit=501", "limit"),
            ("limit=-1", "limit"),
            ("limit=ten", "limit"),
            ("marker=abc", "marker"),
            ("marker=-1", "marker"),
            ("marker=%2B1", "marker"),
            ("marker=1.0", "marker"),
            ("marker=%201", "marker"),
            ("marker=0x10", "marker"),
            ("status=success", "status"),
            ("query_begin_time=2024-01", "query_begin_time"),
            ("query_end_time=2024-01-01T00:00:00 UTC", "query_end_time"),
            (
                "query_begin_time=2024-01-02T00:00:00&query_end_time=2024-01-01T00:00:00",
                "query_begin_time",
            ),
            ("status=WAIT&status=FAIL", "status"),
        ] {
            assert_eq!(
                ListAsyncQuery::from_pairs(&pairs(raw)).unwrap_err().param,
                param,
                "{raw}"
            );
        }
        let long = format!("request_id={}", "x".repeat(65));
        assert_eq!(
            ListAsyncQuery::from_pairs(&pairs(&long)).unwrap_err().param,
            "request_id"
        );
    }

    #[test]
    fn active_queries_take_comma_separated_requests() {
        let q = ActiveAsyncQuery::from_pairs(&pairs(
            "requests=r1%2Cr2&limit=10&status=RUNNING&marker=0",
        ))
        .unwrap();
        assert_eq!(q.requests, vec!["r1", "r2"]);
        assert_eq!(q.list.limit, Some(10));
        assert_eq!(
            ActiveAsyncQuery::from_pairs(&pairs(&encode(&q.to_pairs()))).unwrap(),
            q
        );
        let eleven = (0..11)
            .map(|i| format!("r{i}"))
            .collect::<Vec<_>>()
            .join(",");
        assert_eq!(
            ActiveAsyncQuery::from_pairs(&pairs(&format!("requests={eleven}")))
                .unwrap_err()
                .param,
            "requests"
        );
        assert_eq!(
            ActiveAsyncQuery::from_pairs(&pairs("limit=0"))
                .unwrap_err()
                .param,
            "limit"
        );
    }

    #[test]
    fn markers_are_decimal_offsets_up_to_the_documented_length() {
        for (raw, want) in [
            ("marker=0", 0),
            ("marker=100", 100),
            ("marker=007", 7),
            ("marker=18446744073709551615", u64::MAX),
        ] {
            assert_eq!(
                ListAsyncQuery::from_pairs(&pairs(raw)).unwrap().marker,
                Some(want),
                "{raw}"
            );
        }
        let huge = format!("marker={}", "9".repeat(QUERY_VALUE_MAX));
        assert_eq!(
            ListAsyncQuery::from_pairs(&pairs(&huge)).unwrap().marker,
            Some(u64::MAX)
        );
        let too_long = format!("marker={}", "9".repeat(QUERY_VALUE_MAX + 1));
        assert_eq!(
            ListAsyncQuery::from_pairs(&pairs(&too_long))
                .unwrap_err()
                .param,
            "marker"
        );
    }

    #[test]
    fn empty_and_unknown_parameters_are_ignored() {
        let q =
            ListAsyncQuery::from_pairs(&pairs("marker=&limit=&foo=bar&query_begin_time=")).unwrap();
        assert_eq!(q, ListAsyncQuery::default());
    }
}
