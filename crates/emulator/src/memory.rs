//! A worker's resident memory, read from /proc while a call runs, so `memory_size` caps
//! memory as the service enforces it. V8's `--max-old-space-size` bounds only the
//! JavaScript heap; Buffers and other native memory are outside it, and only the
//! process's resident set shows them.

use std::time::Duration;

/// How often a running call's worker is measured.
pub const SAMPLE_EVERY: Duration = Duration::from_millis(20);

/// Resident memory of process `pid`, MB; `None` once it is gone.
pub fn resident_mb(pid: i32) -> Option<f64> {
    // statm: size resident shared text lib data dt, in pages.
    let statm = std::fs::read_to_string(format!("/proc/{pid}/statm")).ok()?;
    let pages: f64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * page_size() as f64 / (1024.0 * 1024.0))
}

fn page_size() -> i64 {
    // SAFETY: sysconf reads a system constant.
    match unsafe { libc::sysconf(libc::_SC_PAGESIZE) } {
        n if n > 0 => n,
        _ => 4096,
    }
}

/// Resolves with the resident memory (MB) once process `pid` holds more than
/// `limit_mb`; pending for as long as it stays under.
pub async fn exceeded(pid: i32, limit_mb: u32) -> f64 {
    let limit = f64::from(limit_mb);
    loop {
        tokio::time::sleep(SAMPLE_EVERY).await;
        if let Some(mb) = resident_mb(pid) {
            if mb > limit {
                return mb;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_has_a_resident_size() {
        let mb = resident_mb(std::process::id() as i32).unwrap();
        assert!(mb > 0.0, "{mb}");
        assert!(resident_mb(-1).is_none());
    }
}
