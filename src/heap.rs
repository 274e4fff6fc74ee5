//! The wasm's allocator: a bump allocator that starts over whenever nothing is
//! allocated. Every export frees all it allocated before it returns (the wasm keeps no
//! state between calls), so the heap is empty between calls and its memory is reused;
//! within a call, the last block is freed or grown in place. It is ~300 bytes of wasm
//! where dlmalloc was ~7 KB. wasm32-unknown-unknown without atomics has one thread.

use core::alloc::{GlobalAlloc, Layout};
use core::arch::wasm32;
use core::cell::Cell;
use core::ptr::null_mut;

const PAGE: usize = 65_536;

/// The allocator's state: `[base, end)` is ours, `next` the first free byte.
pub struct Bump {
    base: Cell<usize>,
    next: Cell<usize>,
    end: Cell<usize>,
    live: Cell<usize>,
}

// SAFETY: wasm32-unknown-unknown (without the atomics feature) runs one thread.
unsafe impl Sync for Bump {}

impl Bump {
    /// An allocator that owns no memory yet.
    pub const fn new() -> Bump {
        Bump {
            base: Cell::new(0),
            next: Cell::new(0),
            end: Cell::new(0),
            live: Cell::new(0),
        }
    }

    /// Makes `[next, upto)` ours, growing the memory; false when it cannot grow.
    fn reserve(&self, upto: usize) -> bool {
        if upto <= self.end.get() {
            return true;
        }
        let pages = (upto - self.end.get()).div_ceil(PAGE).max(16);
        let previous = wasm32::memory_grow(0, pages);
        if previous == usize::MAX {
            return false;
        }
        let start = previous * PAGE;
        if start != self.end.get() {
            // Not contiguous with ours (only the first growth, in practice): start a new
            // region there and leave the old one.
            self.base.set(start);
            self.next.set(start);
            self.end.set(start + pages * PAGE);
            return false;
        }
        self.end.set(start + pages * PAGE);
        true
    }

    fn bump(&self, layout: Layout) -> *mut u8 {
        for _ in 0..2 {
            let align = layout.align();
            let start = (self.next.get() + align - 1) & !(align - 1);
            let Some(upto) = start.checked_add(layout.size()) else {
                return null_mut();
            };
            if self.reserve(upto) {
                self.next.set(upto);
                self.live.set(self.live.get() + 1);
                return start as *mut u8;
            }
            // A new region was started (or growing failed): try once more, from it.
        }
        null_mut()
    }
}

impl Default for Bump {
    fn default() -> Self {
        Bump::new()
    }
}

unsafe impl GlobalAlloc for Bump {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        self.bump(layout)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        let live = self.live.get() - 1;
        self.live.set(live);
        if live == 0 {
            self.next.set(self.base.get());
        } else if ptr as usize + layout.size() == self.next.get() {
            self.next.set(ptr as usize);
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let at = ptr as usize;
        if at + layout.size() == self.next.get() {
            // The last block: grow or shrink it where it is.
            if let Some(upto) = at.checked_add(new_size) {
                if self.reserve(upto) && self.next.get() == at + layout.size() {
                    self.next.set(upto);
                    return ptr;
                }
            }
        }
        // SAFETY: the caller guarantees `layout.align()` is valid with `new_size`.
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        let new = self.bump(new_layout);
        if !new.is_null() {
            // SAFETY: both blocks are ours and do not overlap (the new one is above).
            unsafe { core::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size)) };
            // SAFETY: `ptr` was allocated with `layout`.
            unsafe { self.dealloc(ptr, layout) };
        }
        new
    }
}
