//! Async invocations in SQLite. An invocation is committed (WAL, `synchronous=FULL`)
//! before its 202 is sent, so nothing accepted is lost to a crash or `kill -9`.

use std::path::Path;
use std::sync::{Arc, Mutex};

use functiongraph_protocol::error::{CANCELLED_CODE, CANCELLED_MESSAGE};
use functiongraph_protocol::limits::{LIST_DEFAULT_WINDOW_SECS, LIST_LIMIT_DEFAULT};
use functiongraph_protocol::time::format_query_time;
use functiongraph_protocol::{AsyncInvocation, AsyncStatus};
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

/// Which invocations a listing returns.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    /// `package/name`.
    pub function_key: String,
    /// Only this qualifier (`latest`, `v1`, `!alias`); `None` = any.
    pub qualifier: Option<String>,
    /// Only these request ids (still within the time window, as the service looks
    /// them up); empty = any.
    pub request_ids: Vec<String>,
    /// Only these statuses; empty = any.
    pub statuses: Vec<AsyncStatus>,
    /// Window start, seconds; default an hour before the end.
    pub begin: Option<i64>,
    /// Window end, seconds; default now.
    pub end: Option<i64>,
    /// Page start: an offset into the matching records, newest first (a previous
    /// page's `next_marker`); default 0.
    pub marker: Option<u64>,
    /// Page size.
    pub limit: Option<u32>,
}

/// One page of a listing.
#[derive(Debug, Clone)]
pub struct Page {
    /// The records, newest first.
    pub invocations: Vec<AsyncInvocation>,
    /// How many match in all.
    pub count: u64,
    /// Offset of the next page; 0 on the last page.
    pub next_marker: u64,
}

/// What a cancel found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CancelOutcome {
    /// It was WAIT or RUNNING and is now DISCARD (4208).
    Cancelled {
        /// Whether an attempt was running (its instance must be stopped).
        was_running: bool,
    },
    /// No such invocation of this function.
    NotFound,
    /// It had already finished with this status.
    Finished(AsyncStatus),
}

/// A stored async invocation.
#[derive(Debug, Clone)]
pub struct Record {
    /// Sequence number: the order of acceptance.
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

    /// WAIT invocations due by `now_ms`, oldest first, leaving out the functions in
    /// `skip` (those at their concurrency limit, so their queue cannot hide the others').
    ///
    /// # Errors
    /// [`StoreError`].
    pub async fn due(
        &self,
        now_ms: i64,
        limit: usize,
        skip: Vec<String>,
    ) -> Result<Vec<Record>, StoreError> {
        self.with(move |c| {
            use rusqlite::types::Value;
            let marks: Vec<String> = (0..skip.len()).map(|i| format!("?{}", i + 3)).collect();
            let mut stmt = c.prepare(&format!(
                "SELECT seq, request_id, function_key, qualifier, event, status, attempts, created_ms
                 FROM async_invocations WHERE status = 'WAIT' AND next_attempt_ms <= ?1
                 AND function_key NOT IN ({}) ORDER BY next_attempt_ms, seq LIMIT ?2",
                marks.join(",")
            ))?;
            let mut args = vec![Value::Integer(now_ms), Value::Integer(limit as i64)];
            args.extend(skip.into_iter().map(Value::Text));
            let rows = stmt.query_map(rusqlite::params_from_iter(args.iter()), |r| {
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

    /// Records a terminal status, unless the invocation already has one (a cancel
    /// that won the race keeps its DISCARD).
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
                 start_ms = coalesce(start_ms, ?5) WHERE seq = ?1 AND status IN ('WAIT', 'RUNNING')",
                params![seq, status.as_str(), error_code, error_message, now_ms],
            )
            .map(|_| ())
        })
        .await
    }

    /// Puts a failed attempt back to WAIT, due at `at_ms`, keeping its last error
    /// (unless it was cancelled meanwhile).
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
                 WHERE seq = ?1 AND status = 'RUNNING'",
                params![seq, at_ms, error_code, error_message],
            )
            .map(|_| ())
        })
        .await
    }

    /// One page of a function's invocations matching `filter`, newest first, with the
    /// total count and the next page's marker, as the service pages: the marker is an
    /// offset into the matching records, `next_marker` the offset after this page, or 0
    /// after the last. (Records accepted between two pages therefore shift the later
    /// pages by as many, on the service as here.) A lookup by request id keeps the time
    /// window: nothing on the service's pages says it lifts it.
    ///
    /// # Errors
    /// [`StoreError`].
    pub async fn list(&self, filter: ListFilter, now_secs: i64) -> Result<Page, StoreError> {
        self.with(move |c| {
            use rusqlite::types::Value;
            let mut sql = String::from("function_key = ?1");
            let mut args: Vec<Value> = vec![Value::Text(filter.function_key.clone())];
            let mut bind = |sql: &mut String, clause: &str, v: Value| {
                args.push(v);
                sql.push_str(&clause.replace('?', &format!("?{}", args.len())));
            };
            if let Some(q) = &filter.qualifier {
                bind(&mut sql, " AND qualifier = ?", Value::Text(q.clone()));
            }
            let end = filter.end.unwrap_or(now_secs);
            let begin = filter.begin.unwrap_or(end - LIST_DEFAULT_WINDOW_SECS);
            args.push(Value::Integer(begin.saturating_mul(1000)));
            args.push(Value::Integer(end.saturating_mul(1000).saturating_add(999)));
            sql.push_str(&format!(
                " AND created_ms BETWEEN ?{} AND ?{}",
                args.len() - 1,
                args.len()
            ));
            let in_list = |sql: &mut String, column: &str, n: usize, first: usize| {
                let marks: Vec<String> = (first..first + n).map(|i| format!("?{i}")).collect();
                sql.push_str(&format!(" AND {column} IN ({})", marks.join(",")));
            };
            if !filter.request_ids.is_empty() {
                in_list(
                    &mut sql,
                    "request_id",
                    filter.request_ids.len(),
                    args.len() + 1,
                );
                args.extend(filter.request_ids.iter().cloned().map(Value::Text));
            }
            if !filter.statuses.is_empty() {
                in_list(&mut sql, "status", filter.statuses.len(), args.len() + 1);
                args.extend(
                    filter
                        .statuses
                        .iter()
                        .map(|st| Value::Text(st.as_str().to_owned())),
                );
            }
            let count: i64 = c.query_row(
                &format!("SELECT count(*) FROM async_invocations WHERE {sql}"),
                rusqlite::params_from_iter(args.iter()),
                |r| r.get(0),
            )?;
            let limit = i64::from(filter.limit.unwrap_or(LIST_LIMIT_DEFAULT));
            // SQLite's OFFSET is an i64; a larger marker is past the end all the same.
            let offset = i64::try_from(filter.marker.unwrap_or(0)).unwrap_or(i64::MAX);
            args.push(Value::Integer(limit));
            args.push(Value::Integer(offset));
            let mut stmt = c.prepare(&format!(
                "SELECT request_id, status, error_code, error_message, created_ms, start_ms, end_ms
                 FROM async_invocations WHERE {sql} ORDER BY seq DESC LIMIT ?{} OFFSET ?{}",
                args.len() - 1,
                args.len()
            ))?;
            let rows = stmt.query_map(rusqlite::params_from_iter(args.iter()), |r| {
                let created: i64 = r.get(4)?;
                let start: Option<i64> = r.get(5)?;
                let end: Option<i64> = r.get(6)?;
                Ok(AsyncInvocation {
                    request_id: r.get(0)?,
                    status: status_of(&r.get::<_, String>(1)?),
                    error_code: r.get(2)?,
                    error_message: r.get(3)?,
                    start_time: format_query_time(start.unwrap_or(created).div_euclid(1000)),
                    end_time: end
                        .map(|e| format_query_time(e.div_euclid(1000)))
                        .unwrap_or_default(),
                })
            })?;
            let invocations = rows.collect::<Result<Vec<_>, _>>()?;
            let after = offset.saturating_add(invocations.len() as i64);
            Ok(Page {
                next_marker: if after < count { after as u64 } else { 0 },
                count: count as u64,
                invocations,
            })
        })
        .await
    }

    /// Cancels a WAIT or RUNNING invocation: it becomes DISCARD with error 4208 "function
    /// invocation canceled" in one statement, so a run finishing at the same moment
    /// cannot overwrite it.
    ///
    /// # Errors
    /// [`StoreError`].
    pub async fn cancel(
        &self,
        function_key: String,
        request_id: String,
        now_ms: i64,
    ) -> Result<CancelOutcome, StoreError> {
        self.with(move |c| {
            let tx = c.transaction()?;
            let found: Option<(i64, String)> = tx
                .query_row(
                    "SELECT seq, status FROM async_invocations WHERE function_key = ?1 AND request_id = ?2",
                    params![function_key, request_id],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            let outcome = match found {
                None => CancelOutcome::NotFound,
                Some((_, st)) if status_of(&st).is_terminal() => CancelOutcome::Finished(status_of(&st)),
                Some((seq, st)) => {
                    tx.execute(
                        "UPDATE async_invocations SET status = 'DISCARD', error_code = ?2, error_message = ?3,
                         end_ms = ?4, start_ms = coalesce(start_ms, ?4)
                         WHERE seq = ?1 AND status IN ('WAIT', 'RUNNING')",
                        params![seq, CANCELLED_CODE, CANCELLED_MESSAGE, now_ms],
                    )?;
                    CancelOutcome::Cancelled {
                        was_running: status_of(&st) == AsyncStatus::Running,
                    }
                }
            };
            tx.commit()?;
            Ok(outcome)
        })
        .await
    }

    /// Caps the database at `pages` pages (`PRAGMA max_page_count`): writes past it fail
    /// with SQLITE_FULL, exactly as on a full disk. For fault tests and diagnostics.
    ///
    /// # Errors
    /// [`StoreError`].
    pub async fn set_max_pages(&self, pages: u64) -> Result<u64, StoreError> {
        self.with(move |c| {
            c.query_row(&format!("PRAGMA max_page_count = {pages}"), [], |r| {
                r.get::<_, i64>(0)
            })
            .map(|n| n as u64)
        })
        .await
    }
}
