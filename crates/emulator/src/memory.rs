//! A worker's resident memory, read from /proc while a call runs, so `memory_size` caps
//! memory as the service enforces it. V8's `--max-old-space-size` bounds only the
//! JavaScript heap; Buffers and other native memory are outside it, and only the
//! process's resident set shows them. Processes the handler started count too, as they
//! would in the service's instance: its tree of children at every sample, and its
//! process group (which keeps a double-forked orphan, re-parented to init) every
//! [`GROUP_SCAN_EVERY`] samples, as that means reading every process in /proc.

use std::collections::BTreeSet;
use std::time::Duration;

/// How often a running call's worker is measured.
pub const SAMPLE_EVERY: Duration = Duration::from_millis(20);
/// Every how many samples the worker's whole process group is looked for in /proc
/// (10: every 200 ms).
pub const GROUP_SCAN_EVERY: u32 = 10;
/// Most processes one measurement looks at: a fork bomb must not keep the sampler busy.
const MAX_PROCESSES: usize = 1024;

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
    resident_instance_mb(pid, false)
}

/// Resident memory of worker `pid`'s instance, MB: the worker, its tree of children and,
/// with `whole_group`, every other member of its process group (the worker leads its own
/// group, so a process the handler orphaned is found there). `None` once `pid` is gone.
pub fn resident_instance_mb(pid: i32, whole_group: bool) -> Option<f64> {
    let mut total = resident_mb(pid)?;
    let mut seen = BTreeSet::from([pid]);
    let mut pending = children(pid);
    if whole_group {
        pending.extend(group_members(pid));
    }
    while let Some(p) = pending.pop() {
        if seen.len() >= MAX_PROCESSES {
            break;
        }
        if seen.insert(p) {
            total += resident_mb(p).unwrap_or(0.0);
            pending.extend(children(p));
        }
    }
    Some(total)
}

/// The processes in process group `pgid`, from the fifth field of /proc/<pid>/stat.
fn group_members(pgid: i32) -> Vec<i32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<i32>().ok())
        .filter(|&p| p != pgid && process_group(p) == Some(pgid))
        .collect()
}

/// The process group of `pid`; `None` once it is gone.
fn process_group(pid: i32) -> Option<i32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // "pid (comm) state ppid pgrp …"; comm may hold spaces and parentheses.
    let after_comm = &stat[stat.rfind(')')? + 1..];
    after_comm.split_whitespace().nth(2)?.parse().ok()
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
    let mut samples = 0u32;
    loop {
        tokio::time::sleep(SAMPLE_EVERY).await;
        samples = samples.wrapping_add(1);
        if let Some(mb) = resident_instance_mb(pid, samples % GROUP_SCAN_EVERY == 0) {
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

    #[test]
    fn an_orphan_in_the_group_is_found_outside_the_tree() {
        use std::os::unix::process::CommandExt;
        // The inner subshell exits at once, so its `sleep` is re-parented to init (or a
        // subreaper), out of the leader's tree but still in its process group.
        let mut leader = std::process::Command::new("sh")
            .args(["-c", "(sleep 30 &); read line"])
            .stdin(std::process::Stdio::piped())
            .process_group(0)
            .spawn()
            .unwrap();
        let pgid = leader.id() as i32;
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        let orphan = loop {
            assert!(
                std::time::Instant::now() < deadline,
                "no orphan in the group"
            );
            let outside: Vec<i32> = group_members(pgid)
                .into_iter()
                .filter(|p| !children(pgid).contains(p))
                .collect();
            if let Some(&p) = outside.first() {
                break p;
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        assert_eq!(process_group(orphan), Some(pgid));
        // SAFETY: kill(2) on the group this test created.
        unsafe { libc::kill(-pgid, libc::SIGKILL) };
        leader.wait().unwrap();
    }
}
