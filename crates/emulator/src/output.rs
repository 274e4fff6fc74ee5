//! A worker's fd 1 and fd 2: what a handler writes there is log, as on the service,
//! never protocol (that runs on fd 3, see `worker.rs`). Both pipes are read all the
//! time, so a handler writing a lot never blocks on a full pipe, into one bounded tail.

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::sync::{Arc, Mutex};

use tokio::io::unix::AsyncFd;

/// Bytes of raw output kept per invocation, as the runtime keeps of captured log.
const TAIL_BYTES: usize = 64 * 1024;

/// The read ends of a worker's stdout and stderr pipes, and what was read from them.
pub struct Output {
    pipes: [Arc<AsyncFd<OwnedFd>>; 2],
    tail: Arc<Mutex<Tail>>,
}

#[derive(Default)]
struct Tail {
    bytes: Vec<u8>,
    dropped: u64,
}

impl Tail {
    fn push(&mut self, chunk: &[u8]) {
        self.bytes.extend_from_slice(chunk);
        if self.bytes.len() > TAIL_BYTES {
            let cut = self.bytes.len() - TAIL_BYTES;
            self.bytes.drain(..cut);
            self.dropped += cut as u64;
        }
    }
}

/// A pipe whose write end goes to the child (blocking, as a handler expects of fd 1)
/// and whose read end stays here (non-blocking, for the reactor).
pub fn pipe() -> io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0; 2];
    // SAFETY: pipe2 writes two descriptors into `fds`, which we then own.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: both descriptors were just created and are owned by nobody else.
    let (read, write) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    set_nonblocking(read.as_raw_fd())?;
    Ok((read, write))
}

fn set_nonblocking(fd: RawFd) -> io::Result<()> {
    // SAFETY: fcntl on a descriptor we own; no memory is passed.
    unsafe {
        let flags = libc::fcntl(fd, libc::F_GETFL);
        if flags < 0 || libc::fcntl(fd, libc::F_SETFL, flags | libc::O_NONBLOCK) < 0 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(())
}

impl Output {
    /// Starts reading the two pipes' read ends; `key` names the function in debug logs.
    pub fn start(stdout: OwnedFd, stderr: OwnedFd, key: String) -> io::Result<Output> {
        let pipes = [Arc::new(watch(stdout)?), Arc::new(watch(stderr)?)];
        let tail = Arc::new(Mutex::new(Tail::default()));
        for pipe in &pipes {
            tokio::spawn(drain(pipe.clone(), tail.clone(), key.clone()));
        }
        Ok(Output { pipes, tail })
    }

    /// Everything written to fd 1 and fd 2 so far, and how many bytes fell off the front;
    /// starts afresh. A write that completed before the worker sent its reply is in the
    /// pipe by then, so reading the pipes dry here attributes it to that invocation.
    pub fn take(&self) -> (String, u64) {
        let mut tail = self.tail.lock().expect("output lock");
        for pipe in &self.pipes {
            read_available(pipe.get_ref().as_raw_fd(), &mut tail);
        }
        let taken = std::mem::take(&mut *tail);
        (
            String::from_utf8_lossy(&taken.bytes).into_owned(),
            taken.dropped,
        )
    }

    /// The last non-empty line written so far (explains a crash: Node's fatal errors
    /// go to fd 2), without taking it.
    pub fn last_line(&self) -> String {
        let mut tail = self.tail.lock().expect("output lock");
        for pipe in &self.pipes {
            read_available(pipe.get_ref().as_raw_fd(), &mut tail);
        }
        let text = String::from_utf8_lossy(&tail.bytes);
        text.trim().lines().last().unwrap_or("").to_owned()
    }

    /// Whether what was written so far holds `needle`. Reads the pipes dry first: a
    /// process that just died (Node's heap-limit message) may have written its last words
    /// before the reading tasks ran.
    pub fn contains(&self, needle: &str) -> bool {
        let mut tail = self.tail.lock().expect("output lock");
        for pipe in &self.pipes {
            read_available(pipe.get_ref().as_raw_fd(), &mut tail);
        }
        String::from_utf8_lossy(&tail.bytes).contains(needle)
    }
}

/// Registers a pipe's read end with the reactor, for readability only.
fn watch(fd: OwnedFd) -> io::Result<AsyncFd<OwnedFd>> {
    // SAFETY: an `OwnedFd` is open and keeps its descriptor until it is dropped, which
    // happens only with the `AsyncFd` that owns it.
    unsafe { AsyncFd::register_with_interest(fd, tokio::io::Interest::READABLE) }
        .map_err(io::Error::from)
}

/// Reads `fd` until it would block or ends. Returns whether it ended.
fn read_available(fd: RawFd, tail: &mut Tail) -> bool {
    let mut buf = [0u8; 8192];
    loop {
        // SAFETY: reads into a local buffer of the given length from a descriptor this
        // module owns (kept open by the `AsyncFd` for as long as `Output` lives).
        let n = unsafe { libc::read(fd, buf.as_mut_ptr().cast(), buf.len()) };
        match n {
            0 => return true,
            n if n > 0 => tail.push(&buf[..n as usize]),
            _ => {
                let err = io::Error::last_os_error();
                if err.kind() == io::ErrorKind::Interrupted {
                    continue;
                }
                // WouldBlock: all there is for now; anything else: treat as ended.
                return err.kind() != io::ErrorKind::WouldBlock;
            }
        }
    }
}

async fn drain(pipe: Arc<AsyncFd<OwnedFd>>, tail: Arc<Mutex<Tail>>, key: String) {
    loop {
        let Ok(mut guard) = pipe.readable().await else {
            return;
        };
        let (ended, new) = {
            let mut tail = tail.lock().expect("output lock");
            let before = tail.bytes.len();
            let ended = read_available(pipe.get_ref().as_raw_fd(), &mut tail);
            let new = String::from_utf8_lossy(&tail.bytes[before.min(tail.bytes.len())..])
                .trim_end()
                .to_owned();
            (ended, new)
        };
        if !new.is_empty() {
            tracing::debug!(function = %key, "worker output: {new}");
        }
        if ended {
            return;
        }
        guard.clear_ready();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Written to a pipe, not yet seen by the reading task (a current-thread runtime runs
    /// it only at the next await): `contains` still finds it.
    #[tokio::test(flavor = "current_thread")]
    async fn contains_sees_what_is_still_in_the_pipes() {
        let (out_read, out_write) = pipe().unwrap();
        let (err_read, _err_write) = pipe().unwrap();
        let output = Output::start(out_read, err_read, "test".into()).unwrap();
        let last_words = b"FATAL ERROR: JavaScript heap out of memory\n";
        // SAFETY: writes a local buffer to a pipe this test owns.
        let n = unsafe {
            libc::write(
                out_write.as_raw_fd(),
                last_words.as_ptr().cast(),
                last_words.len(),
            )
        };
        assert_eq!(n, last_words.len() as isize);
        assert!(output.contains("JavaScript heap out of memory"));
    }
}
