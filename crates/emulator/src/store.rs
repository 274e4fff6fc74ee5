//! Async invocations in SQLite. An invocation is committed (WAL, `synchronous=FULL`)
//! before its 202 is sent, so nothing accepted is lost to a crash or `kill -9`.

use std::path::Path;
use std::sync::{Arc, Mutex};

use functiongraph_protocol::limits::{LIST_DEFAULT_WINDOW_SECS, LIST_LIMIT_DEFAULT};
use functiongraph_protocol::time::format_query_time;
use functiongraph_protocol::{AsyncInvocation, AsyncStatus, ListAsyncQuery};
use rusqlite::{params, Connection, OptionalExtension};

/// A store failure. Details are logged; callers answer with a generic 5xx.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite refused (locked, disk full, corrupt).
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The blocking task running the query panicked or was cancelled.
    #[error("store task failed: {0}")]
    Task(String),
}

/// The async invocation store.
#[derive(Clone)]
pub struct Store {
    conn: Arc<Mutex<Connection>>,
}

/// A new async invocation to accept.
#[derive(Debug, Clone)]
pub struct NewInvocation {
    /// Id returned to the caller.
    pub request_id: String,
    /// `package/name` of the function.
    pub function_key: String,
    /// Version or `!alias` as invoked (`latest` when the URN had none).
    pub qualifier: String,
    /// The event, as JSON text.
    pub event: String,
    /// When it was accepted, Unix ms.
    pub created_ms: i64,
}

/// A stored async invocation.
#[derive(Debug, Clone)]
pub struct Record {
    /// Sequence number: the order of acceptance, and the listing's marker.
    pub seq: i64,
    /// Request id.
    pub request_id: String,
    /// `package/name`.
    pub function_key: String,
    /// Version or `!alias`.
    pub qualifier: String,
    /// Event JSON.
    pub event: String,
    /// Status.
    pub status: AsyncStatus,
    /// Attempts started so far.
    pub attempts: u32,
    /// When accepted, Unix ms.
    pub created_ms: i64,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS async_invocations (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id      TEXT NOT NULL UNIQUE,
    function_key    TEXT NOT NULL,
    qualifier       TEXT NOT NULL,
    event           TEXT NOT NULL,
    status          TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    error_code      INTEGER NOT NULL DEFAULT 0,
    error_message   TEXT NOT NULL DEFAULT '',
    created_ms      INTEGER NOT NULL,
    start_ms        INTEGER,
    end_ms          INTEGER,
    next_attempt_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS by_function ON async_invocations (function_key, seq);
CREATE INDEX IF NOT EXISTS by_due ON async_invocations (status, next_attempt_ms);
";

fn status_of(s: &str) -> AsyncStatus {
    // Only this module writes the column, always with AsyncStatus::as_str.
    AsyncStatus::parse(s).unwrap_or(AsyncStatus::Fail)
}

impl Store {
    /// Opens (creating if needed) the database at `path`.
    ///
    /// # Errors
    /// [`StoreError`] when SQLite cannot open or initialise it.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.execute_batch(SCHEMA)?;
        Ok(Store {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    /// Runs `f` on the connection off the async threads.
    async fn with<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, rusqlite::Error> + Send + 'static,
    {
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || {
            let mut guard = conn
                .lock()
                .map_err(|_| StoreError::Task("store lock poisoned".into()))?;
            f(&mut guard).map_err(StoreError::from)
        })
        .await
        .map_err(|e| StoreError::Task(e.to_string()))?
    }

    /// Commits a new WAIT invocation, due now.
    ///
    /// # Errors
    /// [`StoreError`]: the caller must not answer 202.
    pub async fn insert(&self, inv: NewInvocation) -> Result<(), StoreError> {
        self.with(move |c| {
            c.execute(
                "INSERT INTO async_invocations (request_id, function_key, qualifier, event, status, created_ms, next_attempt_ms)
                 VALUES (?1, ?2, ?3, ?4, 'WAIT', ?5, ?5)",
                params![inv.request_id, inv.function_key, inv.qualifier, inv.event, inv.created_ms],
            )
            .map(|_| ())
        })
        .await
    }

    /// After a restart: invocations left RUNNING were interrupted. They go back to
    /// WAIT and the interrupted attempt is not counted. Returns how many.
    ///
    /// # Errors
    /// [`StoreError`].
    pub async fn recover_interrupted(&self) -> Result<usize, StoreError> {
        self.with(|c| {
            c.execute(
                "UPDATE async_invocations SET status = 'WAIT', attempts = max(attempts - 1, 0), start_ms = NULL
                 WHERE status = 'RUNNING'",
                [],
            )
        })
        .await
    }

    /// WAIT invocations due by `now_ms`, oldest first.
    ///
    /// # Errors
    /// [`StoreError`].
    pub async fn due(&self, now_ms: i64, limit: usize) -> Result<Vec<Record>, StoreError> {
        self.with(move |c| {
            let mut stmt = c.prepare_cached(
                "SELECT seq, request_id, function_key, qualifier, event, status, attempts, created_ms
                 FROM async_invocations WHERE status = 'WAIT' AND next_attempt_ms <= ?1
                 ORDER BY next_attempt_ms, seq LIMIT ?2",
            )?;
            let rows = stmt.query_map(params![now_ms, limit as i64], |r| {
                Ok(Record {
                    seq: r.get(0)?,
                    request_id: r.get(1)?,
                    function_key: r.get(2)?,
                    qualifier: r.get(3)?,
                    event: r.get(4)?,
                    status: status_of(&r.get::<_, String>(5)?),
                    attempts: r.get(6)?,
                    created_ms: r.get(7)?,
                })
            })?;
            rows.collect()
        })
        .await
    }

    /// When the next WAIT invocation is due, if any.
    ///
    /// # Errors
    /// [`StoreError`].
    pub async fn next_due_ms(&self) -> Result<Option<i64>, StoreError> {
        self.with(|c| {
            c.query_row(
                "SELECT min(next_attempt_ms) FROM async_invocations WHERE status = 'WAIT'",
                [],
                |r| r.get(0),
            )
            .optional()
            .map(Option::flatten)
        })
        .await
    }

    /// Moves a WAIT invocation to RUNNING and counts the attempt. `false` when it was
    /// not WAIT any more (so one invocation is never started twice at once).
    ///
    /// # Errors
    /// [`StoreError`].
    pub async fn start(&self, seq: i64, now_ms: i64) -> Result<bool, StoreError> {
        self.with(move |c| {
            c.execute(
                "UPDATE async_invocations SET status = 'RUNNING', attempts = attempts + 1, start_ms = ?2
                 WHERE seq = ?1 AND status = 'WAIT'",
                params![seq, now_ms],
            )
            .map(|n| n == 1)
        })
        .await
    }

    /// Records a terminal status.
    ///
    /// # Errors
    /// [`StoreError`].
    pub async fn finish(
        &self,
        seq: i64,
        status: AsyncStatus,
        error_code: i64,
        error_message: String,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        self.with(move |c| {
            c.execute(
                "UPDATE async_invocations SET status = ?2, error_code = ?3, error_message = ?4, end_ms = ?5,
                 start_ms = coalesce(start_ms, ?5) WHERE seq = ?1",
                params![seq, status.as_str(), error_code, error_message, now_ms],
            )
            .map(|_| ())
        })
        .await
    }

    /// Puts a failed attempt back to WAIT, due at `at_ms`, keeping its last error.
    ///
    /// # Errors
    /// [`StoreError`].
    pub async fn retry_at(
        &self,
        seq: i64,
        at_ms: i64,
        error_code: i64,
        error_message: String,
    ) -> Result<(), StoreError> {
        self.with(move |c| {
            c.execute(
                "UPDATE async_invocations SET status = 'WAIT', next_attempt_ms = ?2, error_code = ?3, error_message = ?4
                 WHERE seq = ?1",
                params![seq, at_ms, error_code, error_message],
            )
            .map(|_| ())
        })
        .await
    }

    /// One page of a function's invocations, newest first, with the total count and
    /// the next page's marker. Markers are sequence numbers, so pages stay stable
    /// while new invocations arrive. A `request_id` lookup ignores the time window.
    ///
    /// # Errors
    /// [`StoreError`].
    pub async fn list(
        &self,
        function_key: String,
        qualifier: Option<String>,
        query: ListAsyncQuery,
        now_secs: i64,
    ) -> Result<(Vec<AsyncInvocation>, u64, Option<i64>), StoreError> {
        self.with(move |c| {
            let end = query.end.unwrap_or(now_secs);
            let begin = query.begin.unwrap_or(end - LIST_DEFAULT_WINDOW_SECS);
            let (begin_ms, end_ms) = if query.request_id.is_some() {
                (i64::MIN, i64::MAX)
            } else {
                (begin * 1000, end * 1000 + 999)
            };
            let filter = "function_key = ?1 AND (?2 IS NULL OR qualifier = ?2) AND (?3 IS NULL OR request_id = ?3)
                 AND (?4 IS NULL OR status = ?4) AND created_ms BETWEEN ?5 AND ?6";
            let status = query.status.map(AsyncStatus::as_str);
            let count: i64 = c.query_row(
                &format!("SELECT count(*) FROM async_invocations WHERE {filter}"),
                params![function_key, qualifier, query.request_id, status, begin_ms, end_ms],
                |r| r.get(0),
            )?;
            let limit = i64::from(query.limit.unwrap_or(LIST_LIMIT_DEFAULT));
            let marker = query.marker.filter(|&m| m > 0).map_or(i64::MAX, |m| m as i64);
            let mut stmt = c.prepare_cached(&format!(
                "SELECT seq, request_id, status, error_code, error_message, created_ms, start_ms, end_ms
                 FROM async_invocations WHERE {filter} AND seq < ?7 ORDER BY seq DESC LIMIT ?8"
            ))?;
            let mut last_seq = None;
            let rows = stmt.query_map(
                params![function_key, qualifier, query.request_id, status, begin_ms, end_ms, marker, limit + 1],
                |r| {
                    let created: i64 = r.get(5)?;
                    let start: Option<i64> = r.get(6)?;
                    let end: Option<i64> = r.get(7)?;
                    Ok((
                        r.get::<_, i64>(0)?,
                        AsyncInvocation {
                            request_id: r.get(1)?,
                            status: status_of(&r.get::<_, String>(2)?),
                            error_code: r.get(3)?,
                            error_message: r.get(4)?,
                            start_time: format_query_time(start.unwrap_or(created).div_euclid(1000)),
                            end_time: end.map(|e| format_query_time(e.div_euclid(1000))).unwrap_or_default(),
                        },
                    ))
                },
            )?;
            let mut page = Vec::new();
            let mut more = false;
            for row in rows {
                let (seq, inv) = row?;
                if page.len() as i64 == limit {
                    more = true;
                    break;
                }
                last_seq = Some(seq);
                page.push(inv);
            }
            Ok((page, count as u64, if more { last_seq } else { None }))
        })
        .await
    }

    /// Counts invocations by status (tests and diagnostics).
    ///
    /// # Errors
    /// [`StoreError`].
    pub async fn count_by_status(&self, status: AsyncStatus) -> Result<u64, StoreError> {
        self.with(move |c| {
            c.query_row(
                "SELECT count(*) FROM async_invocations WHERE status = ?1",
                [status.as_str()],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n as u64)
        })
        .await
    }
}
