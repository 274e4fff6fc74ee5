//! A worker's resident memory, read from /proc while a call runs, so `memory_size` caps
//! memory as the service enforces it. V8's `--max-old-space-size` bounds only the
//! JavaScript heap; Buffers and other native memory are outside it, and only the
//! process's resident set shows them. Processes the handler started count too, as they
//! would in the service's instance.

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

/// Resident memory of process `pid` and every process it started, MB; `None` once
/// `pid` is gone. (Pages two of them share count twice: an upper bound, as a
/// container's accounting is not.)
pub fn resident_tree_mb(pid: i32) -> Option<f64> {
    let mut total = resident_mb(pid)?;
    let mut pending = children(pid);
    // Bounded: a fork bomb must not keep the sampler busy.
    let mut visited = 0;
    while let Some(child) = pending.pop() {
        visited += 1;
        if visited > 1024 {
            break;
        }
        total += resident_mb(child).unwrap_or(0.0);
        pending.extend(children(child));
    }
    Some(total)
}

/// The direct children of process `pid` (started by any of its threads).
fn children(pid: i32) -> Vec<i32> {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return Vec::new();
    };
    tasks
        .flatten()
        .filter_map(|task| std::fs::read_to_string(task.path().join("children")).ok())
        .flat_map(|list| {
            list.split_whitespace()
                .filter_map(|p| p.parse().ok())
                .collect::<Vec<i32>>()
        })
        .collect()
}

/// Resolves with the resident memory (MB) once process `pid` and what it started hold
/// more than `limit_mb`; pending for as long as they stay under.
pub async fn exceeded(pid: i32, limit_mb: u32) -> f64 {
    let limit = f64::from(limit_mb);
    loop {
        tokio::time::sleep(SAMPLE_EVERY).await;
        if let Some(mb) = resident_tree_mb(pid) {
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

    #[test]
    fn a_process_tree_counts_its_children() {
        let mut child = std::process::Command::new("sleep")
            .arg("30")
            .spawn()
            .unwrap();
        let me = std::process::id() as i32;
        assert!(children(me).contains(&(child.id() as i32)));
        let alone = resident_mb(me).unwrap();
        let tree = resident_tree_mb(me).unwrap();
        child.kill().unwrap();
        child.wait().unwrap();
        assert!(tree > alone, "{tree} vs {alone}");
    }
}
