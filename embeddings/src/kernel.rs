//! The int8 dot-product kernels behind [`crate::EmbeddingIndex::cosine_all`]: a portable
//! one and, on x86-64 CPUs with AVX2 (detected at run time), a `vpmaddubsw` one. Both do
//! exact integer math (wrapping `i32` sums), so they give identical results. Also the
//! row sums behind [`crate::StaticModel::encode`] ([`add_scaled`]), portable or AVX2, with
//! the same float operations in the same order, so they too give identical results.
//!
//! Inputs must lie in `-127..=127` (never `-128`): the quantiser
//! ([`crate::Embedding`]) guarantees it. The AVX2 kernel multiplies `|a|` (unsigned) by
//! `b` with `a`'s sign, and `-128` would break both the sign trick and the `i16` pair sums.
//! This is the only module with `unsafe` code.
#![allow(unsafe_code)]

/// `out[r] = query_scale × scales[r] × (query · row r)` for each row of `table` (rows of
/// `query.len()` values), with the fastest kernel this CPU has. Rows beyond `out` or
/// `scales` are skipped.
pub(crate) fn cosine_rows(query: &[i8], query_scale: f32, table: &[i8], scales: &[f32], out: &mut [f32]) {
    #[cfg(target_arch = "x86_64")]
    if avx2_detected() {
        // SAFETY: the CPU supports AVX2 (checked just above), the only requirement of
        // `avx2::cosine_rows`.
        unsafe { avx2::cosine_rows(query, query_scale, table, scales, out) };
        return;
    }
    cosine_rows_scalar(query, query_scale, table, scales, out);
}

/// [`cosine_rows`] for several queries in one pass over `table`: `out[q × rows + r]` is
/// query `q`'s cosine with row `r` (`rows = out.len() / queries.len()`), exactly as
/// [`cosine_rows`] of that query alone gives it. Every query has `dim` values, `dim > 0`;
/// rows beyond `scales` or `rows` are skipped.
pub(crate) fn cosine_rows_many(dim: usize, queries: &[(&[i8], f32)], table: &[i8], scales: &[f32], out: &mut [f32]) {
    #[cfg(target_arch = "x86_64")]
    if avx2_detected() {
        // SAFETY: the CPU supports AVX2 (checked just above), the only requirement of
        // `avx2::cosine_rows_many`.
        unsafe { avx2::cosine_rows_many(dim, queries, table, scales, out) };
        return;
    }
    cosine_rows_many_scalar(dim, queries, table, scales, out);
}

/// [`cosine_rows_many`] with the portable kernel: one [`cosine_rows_scalar`] per query.
pub(crate) fn cosine_rows_many_scalar(
    dim: usize,
    queries: &[(&[i8], f32)],
    table: &[i8],
    scales: &[f32],
    out: &mut [f32],
) {
    let Some(rows) = block_rows(dim, queries, out) else { return };
    for (&(query, scale), block) in queries.iter().zip(out.chunks_mut(rows.max(1))) {
        cosine_rows_scalar(query, scale, table, scales, block);
    }
}

/// The rows of each query's block of `out` in [`cosine_rows_many`], or `None` when there
/// is nothing to compute (no query, a dim of 0, or a query of another dim).
fn block_rows(dim: usize, queries: &[(&[i8], f32)], out: &[f32]) -> Option<usize> {
    let valid = dim > 0 && !queries.is_empty() && queries.iter().all(|(q, _)| q.len() == dim);
    valid.then(|| out.len() / queries.len())
}

/// The number of queries [`cosine_rows_many`] scores per pass over the table.
const GROUP: usize = 4;

/// The loop over rows of [`cosine_rows_many`] for a group of `N` queries (inlined into
/// the kernel): `dots(row, queries)` gives the group's dot products with the row; `out`
/// holds the group's blocks of `rows` cosines.
#[inline(always)]
fn group_rows<const N: usize>(
    dots: impl Fn(&[i8], [&[i8]; N]) -> [i32; N],
    dim: usize,
    group: &[(&[i8], f32)],
    table: &[i8],
    scales: &[f32],
    rows: usize,
    out: &mut [f32],
) {
    if group.len() != N || out.len() < N * rows {
        return;
    }
    let queries: [&[i8]; N] = std::array::from_fn(|q| group[q].0);
    let query_scales: [f32; N] = std::array::from_fn(|q| group[q].1);
    for (r, (row, &scale)) in table.chunks_exact(dim).zip(scales).take(rows).enumerate() {
        let products = dots(row, queries);
        for q in 0..N {
            out[q * rows + r] = query_scales[q] * scale * products[q] as f32;
        }
    }
}

/// `sum[i] += scale × row[i]` (the row's bytes read as `i8`), as a multiply then an add
/// (never fused), so that every kernel gives the same sums: AVX2 when the CPU has it.
pub(crate) fn add_scaled(sum: &mut [f32], row: &[u8], scale: f32) {
    #[cfg(target_arch = "x86_64")]
    if avx2_detected() {
        // SAFETY: the CPU supports AVX2 (checked just above), the only requirement.
        unsafe { avx2::add_scaled(sum, row, scale) };
        return;
    }
    add_scaled_scalar(sum, row, scale);
}

/// [`add_scaled`] with the portable loop (inlined into each kernel, so that it is
/// compiled with the kernel's target features).
#[inline(always)]
pub(crate) fn add_scaled_scalar(sum: &mut [f32], row: &[u8], scale: f32) {
    for (acc, &value) in sum.iter_mut().zip(row) {
        *acc += scale * f32::from(value as i8);
    }
}

/// [`cosine_rows`] with the portable kernel.
pub(crate) fn cosine_rows_scalar(query: &[i8], query_scale: f32, table: &[i8], scales: &[f32], out: &mut [f32]) {
    rows_with(dot_scalar, query, query_scale, table, scales, out);
}

/// Whether this CPU runs the AVX2 kernel.
#[cfg(target_arch = "x86_64")]
pub(crate) fn avx2_detected() -> bool {
    std::arch::is_x86_feature_detected!("avx2")
}

/// The loop over rows, shared by the kernels (inlined into each, so that it is compiled
/// with the kernel's target features).
#[inline(always)]
fn rows_with(
    dot: impl Fn(&[i8], &[i8]) -> i32,
    query: &[i8],
    query_scale: f32,
    table: &[i8],
    scales: &[f32],
    out: &mut [f32],
) {
    if query.is_empty() {
        return;
    }
    for ((row, &scale), cosine) in table.chunks_exact(query.len()).zip(scales).zip(out) {
        *cosine = query_scale * scale * dot(query, row) as f32;
    }
}

/// The portable dot product (LLVM vectorises it for the target's baseline features).
#[inline(always)]
pub(crate) fn dot_scalar(a: &[i8], b: &[i8]) -> i32 {
    a.iter().zip(b).fold(0i32, |sum, (&x, &y)| sum.wrapping_add(i32::from(x) * i32::from(y)))
}

/// The AVX2 kernel.
#[cfg(target_arch = "x86_64")]
pub(crate) mod avx2 {
    use std::arch::x86_64::{
        __m256i, _mm256_abs_epi8, _mm256_add_epi32, _mm256_castsi256_si128, _mm256_extracti128_si256,
        _mm256_loadu_si256, _mm256_madd_epi16, _mm256_maddubs_epi16, _mm256_set1_epi16, _mm256_setzero_si256,
        _mm256_sign_epi8, _mm_add_epi32, _mm_cvtsi128_si32, _mm_shuffle_epi32,
    };

    /// [`super::cosine_rows`] with the AVX2 kernel.
    ///
    /// # Safety
    /// The CPU must support AVX2 (`is_x86_feature_detected!("avx2")`).
    #[target_feature(enable = "avx2")]
    pub(crate) unsafe fn cosine_rows(query: &[i8], query_scale: f32, table: &[i8], scales: &[f32], out: &mut [f32]) {
        // SAFETY: this function's caller guarantees AVX2, the only requirement of `dot`.
        super::rows_with(|a, b| unsafe { dot(a, b) }, query, query_scale, table, scales, out);
    }

    /// [`super::cosine_rows_many`] with the AVX2 kernel: each 32-byte piece of a row is
    /// loaded once for all the queries of a group.
    ///
    /// # Safety
    /// The CPU must support AVX2 (`is_x86_feature_detected!("avx2")`).
    #[target_feature(enable = "avx2")]
    pub(crate) unsafe fn cosine_rows_many(
        dim: usize,
        queries: &[(&[i8], f32)],
        table: &[i8],
        scales: &[f32],
        out: &mut [f32],
    ) {
        let Some(rows) = super::block_rows(dim, queries, out) else { return };
        for (group, out) in queries.chunks(super::GROUP).zip(out.chunks_mut(super::GROUP * rows.max(1))) {
            // SAFETY (each call): this function's caller guarantees AVX2, the only
            // requirement of `dots`.
            match group.len() {
                1 => super::group_rows::<1>(|row, q| unsafe { dots(row, q) }, dim, group, table, scales, rows, out),
                2 => super::group_rows::<2>(|row, q| unsafe { dots(row, q) }, dim, group, table, scales, rows, out),
                3 => super::group_rows::<3>(|row, q| unsafe { dots(row, q) }, dim, group, table, scales, rows, out),
                _ => super::group_rows::<4>(|row, q| unsafe { dots(row, q) }, dim, group, table, scales, rows, out),
            }
        }
    }

    /// `queries[q] · row` for each of the `N` queries (over the shortest length), as
    /// [`dot`] computes each: `|row| × (query with row's sign)` per 32 bytes, the same
    /// exact integer sums; the row's piece is loaded once for all the queries.
    ///
    /// # Safety
    /// The CPU must support AVX2.
    #[target_feature(enable = "avx2")]
    #[inline]
    unsafe fn dots<const N: usize>(row: &[i8], queries: [&[i8]; N]) -> [i32; N] {
        let len = queries.iter().fold(row.len(), |len, q| len.min(q.len()));
        let steps = len / 32;
        // SAFETY (whole block): AVX2 is available (this function's contract); every load
        // reads the 32 bytes at `step * 32`, inside the row and every query since
        // `step < len / 32` and `len` is the shortest length; `loadu` needs no alignment.
        unsafe {
            let ones = _mm256_set1_epi16(1);
            let mut acc = [_mm256_setzero_si256(); N];
            for step in 0..steps {
                let vr = _mm256_loadu_si256(row.as_ptr().add(step * 32).cast::<__m256i>());
                let magnitude = _mm256_abs_epi8(vr);
                for q in 0..N {
                    let vq = _mm256_loadu_si256(queries[q].as_ptr().add(step * 32).cast::<__m256i>());
                    let pairs = _mm256_maddubs_epi16(magnitude, _mm256_sign_epi8(vq, vr));
                    acc[q] = _mm256_add_epi32(acc[q], _mm256_madd_epi16(pairs, ones));
                }
            }
            let tail = steps * 32..len;
            let mut products = [0i32; N];
            for q in 0..N {
                let half = _mm_add_epi32(_mm256_castsi256_si128(acc[q]), _mm256_extracti128_si256::<1>(acc[q]));
                let quarter = _mm_add_epi32(half, _mm_shuffle_epi32::<0b01_00_11_10>(half));
                let total = _mm_add_epi32(quarter, _mm_shuffle_epi32::<0b10_11_00_01>(quarter));
                products[q] = _mm_cvtsi128_si32(total)
                    .wrapping_add(super::dot_scalar(&queries[q][tail.clone()], &row[tail.clone()]));
            }
            products
        }
    }

    /// [`super::add_scaled`] compiled for AVX2 (8 lanes; LLVM does not fuse the multiply
    /// and the add without being allowed to, so the sums equal the portable loop's).
    ///
    /// # Safety
    /// The CPU must support AVX2 (`is_x86_feature_detected!("avx2")`).
    #[target_feature(enable = "avx2")]
    pub(crate) unsafe fn add_scaled(sum: &mut [f32], row: &[u8], scale: f32) {
        super::add_scaled_scalar(sum, row, scale);
    }

    /// `a · b` over the shorter length: 32 bytes per step as `|a| × (b with a's sign)`
    /// (`vpmaddubsw`: unsigned × signed bytes, adjacent pairs summed to `i16`, exact for
    /// values in `-127..=127` since 2 × 127 × 127 < 32,767), then pairs of `i16` summed to
    /// `i32` (`vpmaddwd` by 1), accumulated with wrapping adds like [`super::dot_scalar`].
    ///
    /// # Safety
    /// The CPU must support AVX2.
    #[target_feature(enable = "avx2")]
    #[inline]
    unsafe fn dot(a: &[i8], b: &[i8]) -> i32 {
        let len = a.len().min(b.len());
        let steps = len / 32;
        // SAFETY (whole block): AVX2 is available (this function's contract); every load
        // reads the 32 bytes at `step * 32`, inside both slices since `step < len / 32`,
        // and `loadu` needs no alignment.
        unsafe {
            let ones = _mm256_set1_epi16(1);
            let mut acc = _mm256_setzero_si256();
            for step in 0..steps {
                let va = _mm256_loadu_si256(a.as_ptr().add(step * 32).cast::<__m256i>());
                let vb = _mm256_loadu_si256(b.as_ptr().add(step * 32).cast::<__m256i>());
                let pairs = _mm256_maddubs_epi16(_mm256_abs_epi8(va), _mm256_sign_epi8(vb, va));
                acc = _mm256_add_epi32(acc, _mm256_madd_epi16(pairs, ones));
            }
            let half = _mm_add_epi32(_mm256_castsi256_si128(acc), _mm256_extracti128_si256::<1>(acc));
            let quarter = _mm_add_epi32(half, _mm_shuffle_epi32::<0b01_00_11_10>(half));
            let total = _mm_add_epi32(quarter, _mm_shuffle_epi32::<0b10_11_00_01>(quarter));
            let tail = steps * 32..len;
            _mm_cvtsi128_si32(total).wrapping_add(super::dot_scalar(&a[tail.clone()], &b[tail]))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{cosine_rows, cosine_rows_many, cosine_rows_many_scalar, cosine_rows_scalar, dot_scalar};
    use proptest::prelude::*;

    #[test]
    fn scalar_dot_is_the_plain_sum() {
        assert_eq!(dot_scalar(&[1, -2, 3], &[4, 5, -6]), 4 - 10 - 18);
        assert_eq!(dot_scalar(&[127; 64], &[-127; 64]), -127 * 127 * 64);
    }

    fn rows(dim: usize) -> impl Strategy<Value = (Vec<i8>, Vec<i8>, Vec<f32>)> {
        (1usize..6).prop_flat_map(move |n| {
            (
                proptest::collection::vec(-127i8..=127, dim),
                proptest::collection::vec(-127i8..=127, dim * n),
                proptest::collection::vec(0.0f32..1.0, n),
            )
        })
    }

    proptest! {
        /// The dispatched kernel (AVX2 on this machine when it has it) gives exactly the
        /// scalar kernel's results, for dims with and without a tail of < 32 values.
        #[test]
        fn kernels_agree(
            (query, table, scales) in (1usize..300).prop_flat_map(rows),
            extremes in any::<bool>(),
        ) {
            let (query, table) = if extremes {
                // All ±127: the largest pair sums `vpmaddubsw` sees.
                let sat = |v: &[i8]| v.iter().map(|&x| if x < 0 { -127 } else { 127 }).collect::<Vec<i8>>();
                (sat(&query), sat(&table))
            } else {
                (query, table)
            };
            let mut fast = vec![0.0; scales.len()];
            let mut slow = vec![0.0; scales.len()];
            cosine_rows(&query, 0.5, &table, &scales, &mut fast);
            cosine_rows_scalar(&query, 0.5, &table, &scales, &mut slow);
            prop_assert_eq!(fast, slow);
        }
    }

    proptest! {
        /// Several queries in one pass (dispatched, and portable) give exactly what each
        /// query alone gives, for 1 to 9 queries (more than one group) and any dim.
        #[test]
        fn many_queries_equal_each_alone(
            (dim, queries, table, scales) in (1usize..300, 1usize..10, 1usize..6).prop_flat_map(|(dim, q, n)| (
                Just(dim),
                proptest::collection::vec((proptest::collection::vec(-127i8..=127, dim), 0.0f32..1.0), q),
                proptest::collection::vec(-127i8..=127, dim * n),
                proptest::collection::vec(0.0f32..1.0, n),
            )),
        ) {
            let rows = scales.len();
            let borrowed: Vec<(&[i8], f32)> = queries.iter().map(|(q, s)| (q.as_slice(), *s)).collect();
            let mut fast = vec![0.0; rows * queries.len()];
            let mut slow = vec![0.0; rows * queries.len()];
            cosine_rows_many(dim, &borrowed, &table, &scales, &mut fast);
            cosine_rows_many_scalar(dim, &borrowed, &table, &scales, &mut slow);
            let mut alone = vec![0.0; rows * queries.len()];
            for ((query, scale), out) in queries.iter().zip(alone.chunks_mut(rows)) {
                cosine_rows_scalar(query, *scale, &table, &scales, out);
            }
            prop_assert_eq!(&fast, &alone);
            prop_assert_eq!(&slow, &alone);
        }
    }

    proptest! {
        /// The dispatched row sum gives exactly the portable loop's sums.
        #[test]
        fn row_sums_agree(
            rows in proptest::collection::vec((proptest::collection::vec(any::<u8>(), 300), -2.0f32..2.0), 1..5),
            dim in 1usize..300,
        ) {
            let (mut fast, mut slow) = (vec![0.0f32; dim], vec![0.0f32; dim]);
            for (row, scale) in &rows {
                super::add_scaled(&mut fast, &row[..dim], *scale);
                super::add_scaled_scalar(&mut slow, &row[..dim], *scale);
            }
            prop_assert_eq!(fast, slow);
        }
    }

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn avx2_dot_equals_scalar_on_raw_integers() {
        if !super::avx2_detected() {
            return;
        }
        let a: Vec<i8> = (0..259).map(|i| ((i * 37) % 255 - 127) as i8).collect();
        let b: Vec<i8> = (0..259).map(|i| ((i * 91 + 5) % 255 - 127) as i8).collect();
        let table = b.repeat(3);
        let mut out = [0.0; 3];
        // SAFETY: AVX2 checked above.
        unsafe { super::avx2::cosine_rows(&a, 1.0, &table, &[1.0; 3], &mut out) };
        assert_eq!(out, [dot_scalar(&a, &b) as f32; 3]);
    }
}
