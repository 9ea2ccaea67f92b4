//! Index builds on all available cores, with `std::thread::scope`: work split into
//! chunks of documents, or two independent parts side by side. Small inputs stay on the
//! calling thread (a thread costs more than it saves), and the work of a thread that
//! failed is done again on the calling thread, so a build never loses a part.

/// `f` of each chunk of `items`, in order: as many chunks as there are cores, each of at
/// least `min_chunk` items (one chunk, on this thread, when `items` is smaller).
pub(crate) fn map_chunks<T: Sync, R: Send>(items: &[T], min_chunk: usize, f: impl Fn(&[T]) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    let chunk = items.len().div_ceil(threads).max(min_chunk).max(1);
    if items.len() <= chunk {
        return vec![f(items)];
    }
    std::thread::scope(|scope| {
        let mut chunks = items.chunks(chunk);
        let first = chunks.next().unwrap_or_default();
        let f = &f;
        let rest: Vec<_> = chunks.map(|part| (part, scope.spawn(move || f(part)))).collect();
        let mut results = Vec::with_capacity(rest.len() + 1);
        results.push(f(first));
        for (part, handle) in rest {
            results.push(handle.join().unwrap_or_else(|_| f(part)));
        }
        results
    })
}

/// `(a(), b())`: `a` on another thread while this one runs `b` when `parallel`, else one
/// after the other.
pub(crate) fn join<A: Send, B>(parallel: bool, a: impl Fn() -> A + Sync, b: impl FnOnce() -> B) -> (A, B) {
    if !parallel {
        let b = b();
        return (a(), b);
    }
    std::thread::scope(|scope| {
        let handle = scope.spawn(&a);
        let b = b();
        (handle.join().unwrap_or_else(|_| a()), b)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_keep_their_order_and_small_inputs_stay_whole() {
        let items: Vec<usize> = (0..1000).collect();
        let sums = map_chunks(&items, 100, |part| (part[0], part.len()));
        assert_eq!(sums.iter().map(|(_, n)| n).sum::<usize>(), 1000);
        assert!(sums.windows(2).all(|w| w[0].0 + w[0].1 == w[1].0), "{sums:?}");
        assert_eq!(map_chunks(&items, 1000, <[usize]>::len), [1000]);
        assert_eq!(map_chunks(&[] as &[usize], 10, <[usize]>::len), [0]);
        assert_eq!(join(true, || 1, || 2), (1, 2));
        assert_eq!(join(false, || 1, || 2), (1, 2));
    }
}
