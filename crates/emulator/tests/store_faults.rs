//! When SQLite cannot take the write (another process holds the database), an async
//! invoke is refused with a 5xx service error, never accepted and lost; sync invokes
//! keep working; and accepting resumes when the lock is released. An outcome the store
//! refused is written again until it lands.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::*;
use functiongraph_emulator::Emulator;
use functiongraph_protocol::paths::Operation;
use tower::ServiceExt as _;

async fn post(router: &axum::Router, op: Operation, name: &str) -> (StatusCode, serde_json::Value) {
    post_event(router, op, name, "{}").await
}

async fn post_event(
    router: &axum::Router,
    op: Operation,
    name: &str,
    event: &'static str,
) -> (StatusCode, serde_json::Value) {
    let mut req = Request::builder().method("POST").uri(op_path(name, op));
    for (k, v) in token_headers() {
        req = req.header(k, v);
    }
    let resp = router
        .clone()
        .oneshot(req.body(Body::from(event)).unwrap())
        .await
        .unwrap();
    let status = resp.status();
    let body = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, serde_json::from_slice(&body).unwrap())
}

#[tokio::test]
async fn a_locked_database_refuses_accepts_with_503_then_recovers() {
    let functions = functions_dir();
    let data = data_dir();
    let emu = Emulator::start(test_config(), functions.path(), data.path())
        .await
        .unwrap();
    let router = emu.router();

    // Another process takes the write lock and holds it past the emulator's 5 s busy timeout.
    let other = rusqlite::Connection::open(data.path().join("fgs.sqlite3")).unwrap();
    other.execute_batch("BEGIN EXCLUSIVE").unwrap();
    let (status, body) = post(&router, Operation::InvokeAsync, "echo").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(body["error_code"], "FSS.0503");
    assert!(body["error_msg"].as_str().unwrap().contains("not accepted"));
    // Sync invocations do not need the store.
    let (status, _) = post(&router, Operation::Invoke, "echo").await;
    assert_eq!(status, StatusCode::OK);
    other.execute_batch("COMMIT").unwrap();
    drop(other);

    let (status, body) = post(&router, Operation::InvokeAsync, "echo").await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let id = body["request_id"].as_str().unwrap().to_owned();
    let count: i64 = rusqlite::Connection::open(data.path().join("fgs.sqlite3"))
        .unwrap()
        .query_row("SELECT count(*) FROM async_invocations", [], |r| r.get(0))
        .unwrap();
    assert_eq!(
        count, 1,
        "only the accepted invocation ({id}) was stored; the refused one was never half-accepted"
    );
    emu.stop().await;
}

#[tokio::test]
async fn a_full_database_refuses_accepts_with_503_then_recovers() {
    let functions = functions_dir();
    let data = data_dir();
    let emu = Emulator::start(test_config(), functions.path(), data.path())
        .await
        .unwrap();
    let router = emu.router();
    let (status, _) = post(&router, Operation::InvokeAsync, "echo").await;
    assert_eq!(status, StatusCode::ACCEPTED);
    // SQLITE_FULL, as on a full disk: cap the file at its current size.
    let current: i64 = rusqlite::Connection::open(data.path().join("fgs.sqlite3"))
        .unwrap()
        .query_row("PRAGMA page_count", [], |r| r.get(0))
        .unwrap();
    emu.state.store.set_max_pages(current as u64).await.unwrap();
    let mut refused = 0;
    for _ in 0..50 {
        let (status, body) = post(&router, Operation::InvokeAsync, "echo").await;
        if status == StatusCode::SERVICE_UNAVAILABLE {
            assert_eq!(body["error_code"], "FSS.0503");
            refused += 1;
        } else {
            assert_eq!(status, StatusCode::ACCEPTED, "{body}");
        }
    }
    assert!(refused > 0, "the full database must refuse accepts");
    let accepted_while_full = 50 - refused;
    // Space again: accepting resumes, and everything accepted is stored.
    emu.state.store.set_max_pages(1_000_000).await.unwrap();
    let (status, _) = post(&router, Operation::InvokeAsync, "echo").await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let stored: i64 = rusqlite::Connection::open(data.path().join("fgs.sqlite3"))
        .unwrap()
        .query_row("SELECT count(*) FROM async_invocations", [], |r| r.get(0))
        .unwrap();
    assert_eq!(
        stored,
        1 + accepted_while_full + 1,
        "every 202 was stored; no refused one was"
    );
    emu.stop().await;
}

/// The status of `request_id` as the store holds it, read by another connection.
fn stored_status(data: &std::path::Path, request_id: &str) -> String {
    rusqlite::Connection::open(data.join("fgs.sqlite3"))
        .unwrap()
        .query_row(
            "SELECT status FROM async_invocations WHERE request_id = ?1",
            [request_id],
            |r| r.get(0),
        )
        .unwrap()
}

#[tokio::test]
async fn an_outcome_the_locked_database_refused_is_written_once_it_is_free() {
    let functions = functions_dir();
    let data = data_dir();
    let emu = Emulator::start(test_config(), functions.path(), data.path())
        .await
        .unwrap();
    let router = emu.router();
    let (status, body) =
        post_event(&router, Operation::InvokeAsync, "sleep", r#"{"ms":300}"#).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let id = body["request_id"].as_str().unwrap().to_owned();
    for _ in 0..200 {
        if stored_status(data.path(), &id) == "RUNNING" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert_eq!(stored_status(data.path(), &id), "RUNNING");
    // The run ends while another process holds the write lock past the emulator's 5 s
    // busy timeout: the outcome cannot be written then.
    let other = rusqlite::Connection::open(data.path().join("fgs.sqlite3")).unwrap();
    other.execute_batch("BEGIN EXCLUSIVE").unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(6_500)).await;
    assert_eq!(stored_status(data.path(), &id), "RUNNING");
    other.execute_batch("COMMIT").unwrap();
    drop(other);
    // Once the lock is gone the outcome lands, instead of RUNNING until the next start.
    let mut status = String::new();
    for _ in 0..300 {
        status = stored_status(data.path(), &id);
        if status != "RUNNING" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(status, "SUCCESS");
    emu.stop().await;
}
