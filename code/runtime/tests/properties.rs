//! Invariants of the chapter's schemes, by property tests and exact checks.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use ndarray::Array2;
use proptest::prelude::*;
use rope::{Layout, Rope};
use runtime::cache::Positions;
use runtime::fire::{Fire, Input, Mlp};
use runtime::layers::{Rule, rotates, temperature};
use runtime::remap::{Plain, largest, logits, logits_by_offset, matrix};
use runtime::{Cache, Cope, Dca, Kerple, ReRope, Remap, SelfExtend};

fn filled(n: usize, d: usize, seed: u64) -> Array2<f64> {
    let mut rng = bookkit::rng::SplitMix64(seed);
    Array2::from_shape_fn((n, d), |_| rng.next_gaussian())
}

fn schemes(a: usize, b: usize) -> Vec<Box<dyn Remap>> {
    vec![
        Box::new(Plain),
        Box::new(ReRope::new(a, 16).unwrap()),
        Box::new(ReRope::leaky(a, 16, 3.0).unwrap()),
        Box::new(SelfExtend::new(b, a).unwrap()),
        Box::new(Dca::code(a + b, b.min(a + b - 1)).unwrap()),
        Box::new(Cache::new(b, a, Positions::InCache).unwrap()),
        Box::new(Cache::new(b, a, Positions::InText).unwrap()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Turning query and key by their own positions equals turning the key alone by the relative
    /// position. Positions stay below 40 and entries are standard normal, so each logit is a sum
    /// of 8 products of size about 1 after two rotations with angles below 40 rad: 1e-12 is a
    /// few hundred units in the last place.
    #[test]
    fn offset_form_agrees(a in 1usize..7, b in 1usize..5, seed in 0u64..1000) {
        let rope = Rope::new(8, 10000.0, Layout::HalfSplit).unwrap();
        let (q, k) = (filled(14, 8, seed), filled(14, 8, seed + 1));
        for s in schemes(a, b) {
            let x = logits(s.as_ref(), &rope, q.view(), k.view()).unwrap();
            let y = logits_by_offset(s.as_ref(), &rope, q.view(), k.view()).unwrap();
            for (u, v) in x.iter().zip(&y) {
                prop_assert!(u == v || (u - v).abs() < 1e-12, "{}: {u} vs {v}", s.name());
            }
        }
    }

    /// The CoPE bias: integer logits interpolated equals the interpolated embedding's dot
    /// product. Each side is a sum of d = 6 products of normal numbers with weights in [0, 1]:
    /// 1e-12 covers the different order of the sums.
    #[test]
    fn cope_forms_agree(seed in 0u64..1000, npos in 1usize..12) {
        let cope = Cope::new(filled(npos, 6, seed)).unwrap();
        let q = filled(9, 6, seed + 7);
        let z = filled(9, 9, seed + 9);
        let fast = cope.bias(q.view(), z.view()).unwrap();
        let slow = cope.bias_slow(q.view(), z.view()).unwrap();
        for (u, v) in fast.iter().zip(&slow) {
            prop_assert!((u - v).abs() < 1e-12);
        }
    }

    /// Self-Extend's rows never increase from the oldest key to the newest, and the largest
    /// relative position on n tokens is ⌊(n − 1)/G⌋ + w − w/G once n − 1 reaches the window.
    #[test]
    fn self_extend_rows_fall_and_peak_where_the_formula_says(g in 1usize..9, w in 1usize..20, n in 1usize..60) {
        let s = SelfExtend::new(g, w).unwrap();
        let m = matrix(&s, n);
        for i in 0..n {
            for j in 1..=i {
                prop_assert!(m[[i, j]] <= m[[i, j - 1]], "row {i} rises at {j}");
            }
        }
        let peak = if n > w { ((n - 1) / g) as f64 + w as f64 - w as f64 / g as f64 } else { n.saturating_sub(1) as f64 };
        prop_assert_eq!(largest(&s, n), peak);
    }

    /// ReRoPE never exceeds its window and leaves the inside of the window as trained.
    #[test]
    fn rerope_clips_at_the_window(w in 1usize..12, n in 1usize..40) {
        let r = ReRope::new(w, 8).unwrap();
        for i in 0..n {
            for j in 0..=i {
                let want = (i - j).min(w) as f64;
                prop_assert_eq!(r.relative(i, j), Some(want));
            }
        }
    }

    /// DCA stays below its ceiling, keeps every pair within a chunk as trained, and turns every
    /// query of a chunk by the same position against all older chunks.
    #[test]
    fn dca_stays_under_its_ceiling(chunk in 2usize..12, window in 0usize..6, n in 1usize..60) {
        let d = Dca::code(chunk + window, window).unwrap();
        prop_assert!(largest(&d, n) <= (chunk + window) as f64);
        for i in 0..n {
            for j in 0..=i {
                let (q, k) = d.pair(i, j);
                prop_assert_eq!(k, (j % chunk) as f64);
                if i / chunk == j / chunk {
                    prop_assert_eq!(q - k, (i - j) as f64);
                }
                if i / chunk > j / chunk + 1 {
                    prop_assert_eq!(q, ((2 * chunk - 1).min(chunk + window)) as f64);
                }
            }
        }
    }

    /// Positions in the cache never reach the cache's size; positions in the text are i − j;
    /// both see the same keys, the sinks always among them.
    #[test]
    fn the_cache_bounds_its_distances(s in 0usize..5, w in 1usize..10, n in 1usize..50) {
        let shifted = Cache::new(s, w, Positions::InCache).unwrap();
        let text = Cache::new(s, w, Positions::InText).unwrap();
        prop_assert!(largest(&shifted, n) < (s + w) as f64);
        for i in 0..n {
            let kept = shifted.kept(i + 1);
            prop_assert_eq!(kept.len(), (i + 1).min(s + w));
            for j in 0..=i {
                prop_assert_eq!(shifted.visible(i, j), kept.contains(&j));
                prop_assert_eq!(text.visible(i, j), kept.contains(&j));
                if kept.contains(&j) {
                    prop_assert_eq!(text.relative(i, j), Some((i - j) as f64));
                }
                if j < s {
                    prop_assert!(shifted.visible(i, j), "sink {j} evicted at {i}");
                }
            }
        }
    }

    /// Randomized positions: distinct, increasing, inside the range.
    #[test]
    fn random_positions_are_sorted_and_distinct(n in 0usize..40, extra in 0usize..200, seed in 0u64..1000) {
        let mut rng = bookkit::rng::SplitMix64(seed);
        let p = runtime::random::sample(n, n + extra, &mut rng).unwrap();
        prop_assert_eq!(p.len(), n);
        prop_assert!(p.windows(2).all(|w| w[0] < w[1]));
        prop_assert!(p.iter().all(|&x| x < n + extra));
    }
}

#[test]
fn plain_rope_is_i_minus_j() {
    let m = matrix(&Plain, 6);
    for i in 0..6 {
        for j in 0..6 {
            if j <= i {
                assert_eq!(m[[i, j]], (i - j) as f64);
            } else {
                assert!(m[[i, j]].is_nan());
            }
        }
    }
}

/// The k-th smallest (k from 0) of n uniform draws from 0..M has mean (k + 1)(M + 1)/(n + 1) − 1.
/// With M = 64, n = 4 its standard deviation is at most about 10.4 (the middle one), so the mean of
/// 4000 draws is within 0.17 of it; 0.85 is five standard deviations. Every position appears.
#[test]
fn random_positions_are_uniform_order_statistics() {
    let (n, m, draws) = (4usize, 64usize, 4000usize);
    let mut rng = bookkit::rng::SplitMix64(2023);
    let mut sums = vec![0.0; n];
    let mut seen = vec![false; m];
    for _ in 0..draws {
        let p = runtime::random::sample(n, m, &mut rng).unwrap();
        for (k, &x) in p.iter().enumerate() {
            sums[k] += x as f64;
            seen[x] = true;
        }
    }
    for (k, s) in sums.iter().enumerate() {
        let want = (k + 1) as f64 * (m + 1) as f64 / (n + 1) as f64 - 1.0;
        let got = s / draws as f64;
        assert!(
            (got - want).abs() < 0.85,
            "order statistic {k}: {got} vs {want}"
        );
    }
    assert!(seen.iter().all(|&s| s), "some position was never drawn");
    assert_eq!(
        runtime::random::sample(64, 64, &mut rng).unwrap(),
        (0..64).collect::<Vec<_>>()
    );
}

/// KERPLE's power kernel with p = 1 is ALiBi with slope a (chapter 4's `relative::alibi::bias`),
/// below the diagonal, to the bit.
#[test]
fn kerple_power_one_is_alibi() {
    for slope in relative::alibi::slopes(8).unwrap() {
        let alibi = relative::alibi::bias(slope, 12);
        let k = Kerple::power(slope, 1.0).unwrap().matrix(12);
        for i in 0..12 {
            for j in 0..=i {
                assert_eq!(k[[i, j]], alibi[[i, j]]);
            }
        }
    }
}

/// FIRE's input without the division: the raw distance with f = −m·relu is ALiBi, ψ with
/// f = −p·relu is KERPLE's log kernel; and FIRE with the division holds KERPLE-log below a
/// threshold above every query.
#[test]
fn fire_holds_alibi_and_kerple_log() {
    let m = 0.25;
    let fire = Fire::new(Mlp::line(m).unwrap(), Input::Raw).unwrap();
    let alibi = relative::alibi::bias(m, 10);
    let (p, a) = (1.5, 0.3);
    let log = Fire::new(Mlp::line(p).unwrap(), Input::Log { c: a }).unwrap();
    let kerple = Kerple::log(p, a).unwrap();
    for i in 0..10 {
        for j in 0..=i {
            assert_eq!(fire.bias(i, j), alibi[[i, j]]);
            assert_eq!(log.bias(i, j), kerple.bias(i - j));
        }
    }
    // FIRE itself, with its division: a threshold T above every query makes the divisor the
    // constant ψ(T) = ln(1 + aT), and the line −p·ψ(T)·relu gives KERPLE-log at every query
    // below T. One division and one product in f64 on biases below 10: 1e-12 is a few hundred ulp.
    let t = 10.0;
    let psi_t = (a * t).ln_1p();
    let progressive = Fire::new(
        Mlp::line(p * psi_t).unwrap(),
        Input::Progressive { c: a, threshold: t },
    )
    .unwrap();
    for i in 0..10 {
        for j in 0..=i {
            let (f, k) = (progressive.bias(i, j), kerple.bias(i - j));
            assert!((f - k).abs() < 1e-12, "i {i}, j {j}: {f} vs {k}");
        }
    }
    // Past the threshold the divisor grows with the query, and FIRE and KERPLE-log differ.
    let (f, k) = (progressive.bias(20, 0), kerple.bias(20));
    assert!((f - k).abs() > 0.1, "{f} vs {k}");
}

/// Progressive interpolation: below the threshold FIRE is a function of i − j alone; beyond it,
/// the oldest key always reads 1, so its bias stops changing with the length.
#[test]
fn fire_progressive_interpolation() {
    let mlp = Mlp::new(vec![2.0, -1.0], vec![0.0, 0.5], vec![1.0, 3.0], -0.5).unwrap();
    let fire = Fire::new(
        mlp,
        Input::Progressive {
            c: 0.5,
            threshold: 16.0,
        },
    )
    .unwrap();
    for i in 0..16 {
        for j in 0..=i {
            assert_eq!(fire.input(i, j), fire.input(i - j, 0));
        }
    }
    let far = fire.bias(16, 0);
    for i in [16, 100, 10_000] {
        assert!((fire.input(i, 0) - 1.0).abs() < 1e-15);
        assert!((fire.bias(i, 0) - far).abs() < 1e-12);
    }
    assert_eq!(fire.matrix(3)[[0, 2]], 0.0);
}

/// The layer rules give the layer kinds chapter 6's inspector reads from the three shaped
/// configs (tests/fixtures/configs): its groups count the same layers with and without RoPE.
#[test]
fn the_layer_rules_agree_with_chapter_6s_inspector() {
    for (file, rule) in [
        ("llama4-shaped.json", Rule::NoRopeInterval(4)),
        ("smollm3-shaped.json", Rule::NoRopeInterval(4)),
        ("command-a-shaped.json", Rule::SlidingPattern(4)),
    ] {
        let path = format!(
            "{}/tests/fixtures/configs/{file}",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(path).unwrap();
        let model = scaling::config::parse(&text).unwrap();
        let flags = rotates(rule, 12).unwrap();
        let with: usize = model
            .layers
            .iter()
            .filter(|g| g.rope.is_some())
            .map(|g| g.count)
            .sum();
        let without: usize = model
            .layers
            .iter()
            .filter(|g| g.rope.is_none())
            .map(|g| g.count)
            .sum();
        assert_eq!(with, flags.iter().filter(|&&r| r).count(), "{file}");
        assert_eq!(without, flags.iter().filter(|&&r| !r).count(), "{file}");
        assert_eq!(without, 3, "{file}");
    }
    assert!(rotates(Rule::NoRopeInterval(0), 4).is_err());
}

/// Llama 4's temperature: 1 up to position floor_scale − 2, then 1 + s·ln 2 from floor_scale − 1,
/// 1 + s·ln 3 from 2·floor_scale − 1.
#[test]
fn llama4_temperature_steps() {
    let t = |p| temperature(p, 0.1, 8192).unwrap();
    assert_eq!(t(0), 1.0);
    assert_eq!(t(8190), 1.0);
    assert_eq!(t(8191), 1.0 + 0.1 * 2f64.ln());
    assert_eq!(t(16382), 1.0 + 0.1 * 2f64.ln());
    assert_eq!(t(16383), 1.0 + 0.1 * 3f64.ln());
    assert!(temperature(5, 0.1, 0).is_err());
    assert!(temperature(5, f64::NAN, 8).is_err());
}
