//! The best scores of a ranking: the largest score, and the best few documents.

use std::cmp::Ordering;

/// The largest of `values` and 0 (NaNs ignored): `fold(0.0, f32::max)` in 8 independent
/// lanes, which the compiler vectorises, instead of one chain of dependent comparisons.
pub(crate) fn best_of(values: &[f32]) -> f32 {
    let mut lanes = [0f32; 8];
    let chunks = values.chunks_exact(8);
    let rest = chunks.remainder();
    for chunk in chunks {
        for (lane, &v) in lanes.iter_mut().zip(chunk) {
            // `>` is false for NaN: like `f32::max`, a NaN never wins.
            if v > *lane {
                *lane = v;
            }
        }
    }
    lanes.into_iter().chain(rest.iter().copied()).fold(0f32, f32::max)
}

/// The `limit` best (doc, score) pairs with a positive score, best first; ties in
/// document order. One pass that keeps the best so far: a score below the worst kept
/// one (all of them, once the list is full) costs one comparison.
pub(crate) fn top(scores: &[f32], limit: usize) -> Vec<(usize, f32)> {
    if limit == 0 {
        return Vec::new();
    }
    let better = |a: (usize, f32), b: (usize, f32)| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)).is_gt();
    let mut best: Vec<(usize, f32)> = Vec::with_capacity(limit + 1);
    for (doc, &score) in scores.iter().enumerate() {
        // `is_gt` is false for NaN: such a score is never kept.
        if !score.partial_cmp(&0.0).is_some_and(Ordering::is_gt) || (best.len() == limit && score <= best[limit - 1].1)
        {
            continue;
        }
        // Documents come in order, so a later one with an equal score goes after.
        let at = best.partition_point(|&kept| !better((doc, score), kept));
        if at < limit {
            best.insert(at, (doc, score));
            best.truncate(limit);
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `top` keeps what sorting every positive score (best first, ties in document
    /// order) and truncating keeps.
    #[test]
    fn top_is_the_head_of_the_sorted_scores() {
        let mut seed = 0x9e37_79b9_u32;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            seed
        };
        for round in 0..300 {
            let scores: Vec<f32> = (0..(next() % 60))
                .map(|_| match next() % 10 {
                    0 => 0.0,
                    1 => -1.0,
                    2 => f32::NAN,
                    n => (n % 4) as f32 * 0.5 + if round % 2 == 0 { (next() % 100) as f32 / 1000.0 } else { 0.0 },
                })
                .collect();
            let limit = (next() % 12) as usize;
            let mut sorted: Vec<(usize, f32)> =
                scores.iter().enumerate().filter(|(_, &s)| s > 0.0).map(|(d, &s)| (d, s)).collect();
            sorted.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            sorted.truncate(limit);
            assert_eq!(top(&scores, limit), sorted, "{scores:?} limit {limit}");
        }
    }

    /// `best_of` is `fold(0.0, f32::max)`: NaNs, negatives, signed zeros and every
    /// length around the 8 lanes.
    #[test]
    fn best_of_is_the_max_fold() {
        let pool = [0.5, -1.0, f32::NAN, 0.0, -0.0, 3.25, 1e-30, f32::INFINITY, 2.0, 0.75];
        for len in 0..40 {
            for shift in 0..pool.len() {
                let values: Vec<f32> = (0..len).map(|i| pool[(i * 7 + shift) % pool.len()] * (i % 3) as f32).collect();
                let fold = values.iter().copied().fold(0f32, f32::max);
                assert_eq!(best_of(&values).to_bits() & !(1 << 31), fold.to_bits() & !(1 << 31), "{values:?}");
            }
        }
    }
}
