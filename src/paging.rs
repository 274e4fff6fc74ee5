//! Every record of a listing, page after page, as the real service pages: `marker` is an
//! offset, and a page is the last when its `next_marker` is absent, 0 (or "0"), the
//! marker just sent, or when it held fewer records than `limit`.
//!
//! Offsets shift: a record accepted while the pages are walked pushes the later pages
//! back by one, so the next page starts with a record already seen. The pager yields
//! each request id once; a record accepted after the walk began may be missed (it sits
//! before the offsets still to come), as on the service.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use functiongraph_protocol::{ActiveAsyncQuery, AsyncInvocation, ListAsyncQuery};

use crate::answers::Page;
use crate::client::{check_active_query, check_list_query, Client};
use crate::config::CallOptions;
use crate::error::Error;
use crate::id_set::IdSet;

/// Which listing a pager walks.
#[derive(Debug, Clone)]
pub(crate) enum Listing {
    /// `GET …/async-invocations`.
    All(ListAsyncQuery),
    /// `GET …/active-async-invocations`.
    Active(ActiveAsyncQuery),
}

impl Listing {
    /// The query's listing part (marker, limit, filters).
    fn list(&self) -> &ListAsyncQuery {
        match self {
            Listing::All(q) => q,
            Listing::Active(q) => &q.list,
        }
    }

    /// A page of this listing from its answer (the marker sent and the limit say whether
    /// it is the last).
    pub(crate) fn read_page(&self, answer: &crate::transport::Answer) -> Result<Page, Error> {
        let list = self.list();
        crate::answers::page(
            answer,
            list.marker,
            list.limit
                .unwrap_or(functiongraph_protocol::limits::LIST_LIMIT_DEFAULT),
        )
    }

    fn list_mut(&mut self) -> &mut ListAsyncQuery {
        match self {
            Listing::All(q) => q,
            Listing::Active(q) => &mut q.list,
        }
    }

    pub(crate) fn check(&self) -> Result<(), Error> {
        match self {
            Listing::All(q) => check_list_query(q),
            Listing::Active(q) => check_active_query(q),
        }
    }
}

/// Walks a listing's pages and yields each record once (see [`Pager::next`]).
#[must_use = "a pager fetches nothing until `next` or its stream is polled"]
pub struct Pager {
    client: Client,
    function_urn: String,
    listing: Listing,
    options: CallOptions,
    max_items: Option<u64>,
    /// Records to yield, the next one last (a stack: `Vec`'s code is linked already,
    /// `VecDeque`'s was 150 bytes more of the gzipped wasm).
    buffer: Vec<AsyncInvocation>,
    /// Markers sent so far: a service that sends one back again would loop for ever.
    sent: Vec<u64>,
    /// Request ids queued or yielded so far: a shifted page repeats some.
    seen: IdSet,
    yielded: u64,
    /// Fetched the last page (or failed).
    done: bool,
    /// What to fail with once the buffer is drained.
    pending: Option<Error>,
}

impl std::fmt::Debug for Pager {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pager")
            .field("function_urn", &self.function_urn)
            .field("listing", &self.listing)
            .field("yielded", &self.yielded)
            .field("queued", &self.buffer.len())
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl Pager {
    pub(crate) fn new(
        client: Client,
        function_urn: &str,
        listing: Listing,
        options: CallOptions,
    ) -> Pager {
        Pager {
            client,
            function_urn: function_urn.to_owned(),
            listing,
            options,
            max_items: None,
            buffer: Vec::new(),
            sent: Vec::new(),
            seen: IdSet::default(),
            yielded: 0,
            done: false,
            pending: None,
        }
    }

    /// Stops after `n` records; `n` must be above 0 (0 fails the first `next`).
    pub fn max_items(mut self, n: u64) -> Pager {
        if n == 0 {
            self.done = true;
            self.pending = Some(Error::invalid(
                "query.maxItems",
                crate::config::MAX_ITEMS_RULE,
            ));
        } else {
            self.max_items = Some(n);
        }
        self
    }

    /// A pager whose first `next` fails with `error` (a query refused before any request).
    pub(crate) fn failed(client: Client, error: Error) -> Pager {
        let mut pager = Pager::new(
            client,
            "",
            Listing::All(ListAsyncQuery::default()),
            CallOptions::default(),
        );
        pager.done = true;
        pager.pending = Some(error);
        pager
    }

    /// The next record, fetching the next page when needed; `None` after the last.
    ///
    /// # Errors
    /// A listing's errors, or [`Error::Response`] when the service sends back a page
    /// marker it sent before (instead of looping for ever). After an error, `None`.
    pub async fn next(&mut self) -> Result<Option<AsyncInvocation>, Error> {
        loop {
            if self.max_items.is_some_and(|max| self.yielded >= max) {
                return Ok(None);
            }
            if let Some(record) = self.buffer.pop() {
                self.yielded += 1;
                return Ok(Some(record));
            }
            if let Some(error) = self.pending.take() {
                return Err(error);
            }
            if self.done {
                return Ok(None);
            }
            self.fetch().await?;
        }
    }

    async fn fetch(&mut self) -> Result<(), Error> {
        if self.sent.is_empty() {
            if let Err(e) = self.listing.check() {
                self.done = true;
                return Err(e);
            }
        }
        let marker = self.listing.list_mut().marker;
        self.sent.push(marker.unwrap_or(0));
        let page = match self
            .client
            .list_page(&self.function_urn, &self.listing, &self.options)
            .await
        {
            Ok(page) => page,
            Err(e) => {
                self.done = true;
                return Err(e);
            }
        };
        self.absorb(page);
        Ok(())
    }

    /// Takes a page in: queues its records not seen before, and moves to the next marker,
    /// or ends (last page, or a marker sent before: an error once the queue is drained).
    fn absorb(&mut self, page: Page) {
        let mut fresh = Vec::with_capacity(page.invocations.len() + self.buffer.len());
        for record in page.invocations {
            if self.seen.insert(&record.request_id) {
                fresh.push(record);
            }
        }
        fresh.reverse();
        // Records still queued (none when `next` fetches: it drains them first; the tests
        // take pages in one after another) stay ahead of the new ones.
        fresh.append(&mut self.buffer);
        self.buffer = fresh;
        match page.next_marker {
            None => self.done = true,
            Some(next) if self.sent.contains(&next) => {
                self.done = true;
                self.pending = Some(Error::Response {
                    status: 200,
                    reason: format!(
                        "the service returned page marker {next} twice; stopping rather than looping"
                    ),
                    request_id: None,
                    body: String::new(),
                    attempts: None,
                });
            }
            Some(next) => self.listing.list_mut().marker = Some(next),
        }
    }
}

impl Pager {
    /// The same walk as a [`futures_core::Stream`] of records, for `StreamExt` combinators
    /// (`take`, `filter`, `try_collect`, ...). An error is one item; the stream ends after it.
    pub fn into_stream(self) -> PagerStream {
        PagerStream {
            state: StreamState::Idle(Box::new(self)),
        }
    }
}

/// The next record's future, which owns the pager while it runs.
type NextRecord = Pin<Box<dyn Future<Output = (Pager, Result<Option<AsyncInvocation>, Error>)>>>;

/// A [`Pager`] as a [`futures_core::Stream`]: see [`Pager::into_stream`].
#[must_use = "a stream does nothing unless polled"]
pub struct PagerStream {
    state: StreamState,
}

enum StreamState {
    // Boxed: a pager is large, and the stream moves between the states on every record.
    Idle(Box<Pager>),
    Busy(NextRecord),
    Done,
}

impl std::fmt::Debug for PagerStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = match self.state {
            StreamState::Idle(_) => "idle",
            StreamState::Busy(_) => "fetching",
            StreamState::Done => "done",
        };
        f.debug_struct("PagerStream")
            .field("state", &state)
            .finish()
    }
}

impl futures_core::Stream for PagerStream {
    type Item = Result<AsyncInvocation, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        loop {
            match std::mem::replace(&mut self.state, StreamState::Done) {
                StreamState::Done => return Poll::Ready(None),
                StreamState::Idle(mut pager) => {
                    self.state = StreamState::Busy(Box::pin(async move {
                        let next = pager.next().await;
                        (*pager, next)
                    }));
                }
                StreamState::Busy(mut next) => match next.as_mut().poll(cx) {
                    Poll::Pending => {
                        self.state = StreamState::Busy(next);
                        return Poll::Pending;
                    }
                    Poll::Ready((pager, Ok(Some(record)))) => {
                        self.state = StreamState::Idle(Box::new(pager));
                        return Poll::Ready(Some(Ok(record)));
                    }
                    Poll::Ready((_, Ok(None))) => return Poll::Ready(None),
                    Poll::Ready((_, Err(e))) => return Poll::Ready(Some(Err(e))),
                },
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use functiongraph_protocol::AsyncStatus;

    use super::*;

    use crate::config::Config;

    fn pager() -> Pager {
        let client = Client::new(Config::new("p", "http://127.0.0.1:9")).unwrap();
        Pager::new(
            client,
            "urn",
            Listing::All(ListAsyncQuery::default()),
            CallOptions::default(),
        )
    }

    fn page(ids: &[&str], next_marker: Option<u64>) -> Page {
        Page {
            invocations: ids
                .iter()
                .map(|id| AsyncInvocation {
                    request_id: (*id).to_owned(),
                    status: AsyncStatus::Success,
                    error_message: String::new(),
                    error_code: 0,
                    start_time: String::new(),
                    end_time: String::new(),
                })
                .collect(),
            count: ids.len() as u64,
            next_marker,
        }
    }

    fn queued(p: &Pager) -> Vec<&str> {
        p.buffer
            .iter()
            .rev()
            .map(|r| r.request_id.as_str())
            .collect()
    }

    #[test]
    fn a_shifted_page_yields_each_record_once() {
        let mut p = pager();
        p.sent.push(0);
        p.absorb(page(&["c", "b"], Some(2)));
        assert_eq!(p.listing.list_mut().marker, Some(2));
        // A record accepted meanwhile pushed "b" onto the next page.
        p.sent.push(2);
        p.absorb(page(&["b", "a"], None));
        assert_eq!(queued(&p), ["c", "b", "a"]);
        assert!(p.done && p.pending.is_none());
    }

    #[test]
    fn a_marker_sent_before_ends_the_walk_with_an_error_after_the_records() {
        let mut p = pager();
        p.sent.extend([0, 2]);
        p.absorb(page(&["x", "y"], Some(0)));
        assert_eq!(queued(&p), ["x", "y"]);
        assert!(p.done);
        assert!(matches!(p.pending, Some(Error::Response { .. })));
    }

    #[test]
    fn max_items_of_0_is_refused_as_the_js_api_refuses_it() {
        let p = pager().max_items(0);
        assert!(p.done);
        let e = p.pending.expect("an error for the first next()");
        assert_eq!(
            e.to_string(),
            format!("query.maxItems: {}", crate::config::MAX_ITEMS_RULE)
        );
        assert_eq!(pager().max_items(3).max_items, Some(3));
    }
}
