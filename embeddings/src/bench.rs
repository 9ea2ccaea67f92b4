//! A micro benchmark, run by hand (it prints timings and asserts nothing about them):
//!
//! ```text
//! cargo test --release -p toolsmith-embeddings bench -- --ignored --nocapture
//! ```
//!
//! A synthetic model of the real table's shape (29,525 tokens, 256 dimensions), the first
//! `encode` (which builds the token map), a 12-word query, and `cosine_all` over 4,096
//! random rows with the scalar and the dispatched (AVX2) kernel.
#![allow(clippy::unwrap_used)]

use std::hint::black_box;
use std::time::Instant;

use crate::kernel::{cosine_rows, cosine_rows_scalar};
use crate::tests::table_file;
use crate::{Embedding, EmbeddingIndex, StaticModel};

/// A small xorshift generator: the same data on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn byte(&mut self) -> i8 {
        i8::try_from(i64::try_from(self.next() % 255).unwrap() - 127).unwrap()
    }
}

/// The median of `runs` timings of `f`, in microseconds.
fn median_us(runs: usize, mut f: impl FnMut()) -> f64 {
    let mut times: Vec<f64> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed().as_secs_f64() * 1e6
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[runs / 2]
}

#[test]
#[ignore = "a benchmark: run by hand with --release -- --ignored --nocapture"]
fn bench() {
    const ROWS: usize = 29_525;
    const DIM: usize = 256;
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let syllables = ["ka", "lo", "mi", "nu", "re", "sa", "ti", "vo", "ze", "pu", "gra", "sto"];
    let tokens: Vec<String> = (0..ROWS)
        .map(|i| {
            let mut t = if i % 3 == 0 { "##".to_string() } else { String::new() };
            let mut n = i;
            loop {
                t.push_str(syllables[n % syllables.len()]);
                n /= syllables.len();
                if n == 0 {
                    break t;
                }
            }
        })
        .collect();
    let token_refs: Vec<&str> = tokens.iter().map(String::as_str).collect();
    let rows: Vec<Vec<i8>> = (0..ROWS).map(|_| (0..DIM).map(|_| rng.byte()).collect()).collect();
    let scales: Vec<f32> = (0..ROWS).map(|i| 0.001 + (i % 7) as f32 * 1e-4).collect();
    let file = table_file(&token_refs, &rows, &scales);

    let start = Instant::now();
    let model = StaticModel::from_vec(file).unwrap();
    let parse = start.elapsed().as_secs_f64() * 1e3;
    let start = Instant::now();
    black_box(model.encode("ka"));
    let first = start.elapsed().as_secs_f64() * 1e3;

    // 12 words of the vocabulary, every third with a `##` continuation, and punctuation.
    let query: String = (0..12)
        .map(|w| {
            let word = &tokens[w * 999 + 1];
            if w % 3 == 0 {
                format!("{word}{}, ", tokens[w * 990 + 3].trim_start_matches("##"))
            } else {
                format!("{word} ")
            }
        })
        .collect();
    let query = query.as_str();
    assert!(model.tokenize(query).len() >= 12, "{query}");
    let encode = median_us(2001, || {
        black_box(model.encode(black_box(query)));
    });

    let mut index = EmbeddingIndex::new(DIM);
    for _ in 0..4096 {
        let v: Vec<f32> = (0..DIM).map(|_| f32::from(rng.byte())).collect();
        index.push(&Embedding::from_f32(&v));
    }
    let q = model.encode(query);
    let (qv, qs) = q.parts();
    let (table, row_scales) = index.parts();
    let mut out = vec![0.0; index.len()];
    let scalar = median_us(501, || cosine_rows_scalar(qv, qs, table, row_scales, &mut out));
    let mut fast_out = vec![0.0; index.len()];
    let fast = median_us(501, || cosine_rows(qv, qs, table, row_scales, &mut fast_out));
    assert_eq!(out, fast_out);
    #[cfg(target_arch = "x86_64")]
    let kernel = if crate::kernel::avx2_detected() { "AVX2" } else { "scalar" };
    #[cfg(not(target_arch = "x86_64"))]
    let kernel = "scalar";
    println!(
        "from_vec ({ROWS} tokens x {DIM}): {parse:.2} ms; first encode (builds the token map): \
         {first:.2} ms; encode a {}-token query: {encode:.1} us; cosine_all over 4,096 x {DIM}: \
         scalar {scalar:.1} us, dispatched ({kernel}) {fast:.1} us",
        model.tokenize(query).len()
    );
}
