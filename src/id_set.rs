//! The pager's set of the request ids it has seen: exact (ids are compared, not only their
//! hashes), open addressing with linear probing over FNV-1a hashes.
//!
//! Not std's `HashSet`: hashbrown's table, monomorphised once more for this element type,
//! weighed ~0.7 KB of the gzipped wasm, and std's SipHash guards against nothing on
//! wasm32-unknown-unknown, where the platform gives it no random keys.

/// A set of strings that only grows.
#[derive(Debug, Default)]
pub(crate) struct IdSet {
    ids: Vec<String>,
    /// For each slot, 1 + the index in `ids` of the id there; 0 is an empty slot. Its
    /// length is 0 or a power of two, and at most half the slots are taken.
    slots: Vec<u32>,
}

impl IdSet {
    /// Adds `id` (copied only when new); whether it was new.
    pub(crate) fn insert(&mut self, id: &str) -> bool {
        if (self.ids.len() + 1) * 2 > self.slots.len() {
            self.grow();
        }
        let mask = self.slots.len() - 1;
        let mut i = slot_of(id, mask);
        loop {
            match self.slots[i] {
                0 => {
                    self.ids.push(id.to_owned());
                    self.slots[i] = self.ids.len() as u32;
                    return true;
                }
                taken if self.ids[taken as usize - 1] == id => return false,
                _ => i = (i + 1) & mask,
            }
        }
    }

    /// How many ids it holds.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.ids.len()
    }

    /// Twice the slots (16 at first), every id placed again.
    fn grow(&mut self) {
        let len = (self.slots.len() * 2).max(16);
        let mask = len - 1;
        self.slots = vec![0; len];
        for (n, id) in self.ids.iter().enumerate() {
            let mut i = slot_of(id, mask);
            while self.slots[i] != 0 {
                i = (i + 1) & mask;
            }
            self.slots[i] = n as u32 + 1;
        }
    }
}

/// The first slot to try for `id`: its hash's high and low halves folded (a slot index
/// is 32 bits on wasm32), masked.
fn slot_of(id: &str, mask: usize) -> usize {
    let h = fnv1a(id.as_bytes());
    ((h ^ (h >> 32)) as usize) & mask
}

/// FNV-1a, 64 bits.
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_is_fnv_1a() {
        // The published FNV-1a 64-bit test vectors.
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn each_id_is_new_once_across_growth() {
        let mut set = IdSet::default();
        let ids: Vec<String> = (0..5_000).map(|i| format!("req-{i}")).collect();
        for id in &ids {
            assert!(set.insert(id), "{id} is new");
        }
        for id in &ids {
            assert!(!set.insert(id), "{id} was seen");
        }
        assert_eq!(set.len(), 5_000);
        assert!(set.insert("req-5000"));
        assert!(set.insert(""), "the empty id is an id like any other");
        assert!(!set.insert(""));
        assert!(set.slots.len().is_power_of_two() && set.ids.len() * 2 <= set.slots.len());
    }

    #[test]
    fn ids_in_one_slot_are_told_apart() {
        // Ids whose first slot is the same (in 16 slots, so ~1 in 16 pairs) are probed past.
        let mut set = IdSet::default();
        let first = "a";
        let same_slot: Vec<String> = (0..)
            .map(|i| format!("id-{i}"))
            .filter(|id| slot_of(id, 15) == slot_of(first, 15))
            .take(6)
            .collect();
        assert!(set.insert(first));
        for id in &same_slot {
            assert!(set.insert(id), "{id}");
        }
        assert!(!set.insert(first));
        for id in &same_slot {
            assert!(!set.insert(id), "{id}");
        }
    }
}
