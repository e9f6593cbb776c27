//! Throughput of the RoPE kernels on f32 [batch 1, heads 32, seq 4096, head_dim 128]: the fast
//! forms (`apply`, `apply_in_place`) and their textbook twin (`apply_slow`), beside a plain copy of
//! the same bytes in the same run.
//!
//! ```text
//! cargo bench -p rope
//! ```
//!
//! Criterion reports bytes per second with `Throughput::Bytes`: the bytes of `x` read plus the
//! bytes written, for the kernels and for the copy alike. The measured table the chapter shows,
//! `throughput.md` in this folder, is the output of
//! `cargo run --release -p rope --example throughput`.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rope::fast::{Shape, Tables, apply, apply_in_place, apply_slow};
use rope::{BASE, Layout, Rope};

const SHAPE: Shape = Shape {
    batch: 1,
    heads: 32,
    seq: 4096,
    head_dim: 128,
};

fn bench(c: &mut Criterion) {
    let n = SHAPE.len().expect("fits");
    let rope = Rope::new(SHAPE.head_dim, BASE, Layout::HalfSplit).expect("valid");
    let tables = Tables::new(&rope, SHAPE.seq).expect("fits");
    let mut rng = bookkit::rng::SplitMix64(1);
    let x: Vec<f32> = (0..n).map(|_| rng.next_f64() as f32).collect();
    let mut out = vec![0f32; n];
    let mut group = c.benchmark_group("rope f32 [1, 32, 4096, 128]");
    group.throughput(Throughput::Bytes((2 * n * size_of::<f32>()) as u64));
    group.sample_size(20);
    group.bench_function("copy", |b| {
        b.iter(|| {
            out.copy_from_slice(black_box(&x));
            black_box(&mut out);
        });
    });
    group.bench_function("rope, out of place", |b| {
        b.iter(|| {
            apply(black_box(&x), &mut out, SHAPE, &tables).expect("shapes fit");
            black_box(&mut out);
        });
    });
    group.bench_function("rope slow (textbook), out of place", |b| {
        b.iter(|| {
            apply_slow(black_box(&x), &mut out, SHAPE, &tables).expect("shapes fit");
            black_box(&mut out);
        });
    });
    let mut y = x.clone();
    group.bench_function("rope, in place", |b| {
        b.iter(|| apply_in_place(black_box(&mut y), SHAPE, &tables).expect("shapes fit"));
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
