//! The language model of `trained::lm`: its gradient against finite differences for every
//! parameter of every scheme, the fast forward pass against the textbook one, the scorer's
//! refusals, and the bit-for-bit rerun of a training run.

#![allow(clippy::unwrap_used)]

use bookkit::rng::SplitMix64;
use trained::Scheme;
use trained::lm::{Config, Model, Scaled, Scorer, Tables, TestScaling, TrainConfig, train};

fn tiny(scheme: Scheme) -> Config {
    Config {
        scheme,
        vocab: 7,
        d_model: 8,
        heads: 2,
        layers: 2,
        ff: 12,
        train_len: 6,
        rope_base: 10_000.0,
    }
}

/// A model whose gains and T5 table are moved off their initial values, so that no gradient is
/// zero by symmetry.
fn generic<F: trained::lm::Real>(scheme: Scheme, seed: u64) -> Model<F> {
    let m: Model<f64> = Model::new(tiny(scheme), seed).unwrap();
    let mut m = m;
    let mut rng = SplitMix64(seed + 100);
    m.t5.mapv_inplace(|_| 0.5 * rng.next_gaussian());
    for b in &mut m.blocks {
        b.norm1.mapv_inplace(|g| g + 0.2 * rng.next_gaussian());
        b.norm2.mapv_inplace(|g| g + 0.2 * rng.next_gaussian());
    }
    m.norm_f.mapv_inplace(|g| g + 0.2 * rng.next_gaussian());
    m.cast()
}

fn windows(n: usize, count: usize, seed: u64) -> Vec<Vec<u16>> {
    let mut rng = SplitMix64(seed);
    (0..count)
        .map(|_| (0..n).map(|_| (rng.next_u64() % 7) as u16).collect())
        .collect()
}

fn loss(m: &Model<f64>, seqs: &[&[u16]], t: &Tables<f64>) -> f64 {
    m.forward(seqs, t).unwrap().loss_grad().0
}

#[test]
fn every_gradient_matches_finite_differences() {
    // Every scheme at L = 6, and RoPE with each test-time change at 2L (where they differ from
    // plain RoPE: the gradient of a fine-tune under PI, NTK or YaRN).
    let mut cases: Vec<(Scheme, TestScaling, usize)> = Scheme::ALL
        .iter()
        .map(|&s| (s, TestScaling::None, 6))
        .collect();
    for s in TestScaling::ALL {
        cases.push((Scheme::Rope, s, 12));
    }
    for (scheme, scaling, n) in cases {
        let mut m: Model<f64> = generic(scheme, 5);
        let t = Tables::new(&m.cfg, scaling, n).unwrap();
        let data = windows(n, 2, 9);
        let seqs: Vec<&[u16]> = data.iter().map(Vec::as_slice).collect();
        let trace = m.forward(&seqs, &t).unwrap();
        let (_, dlogits) = trace.loss_grad();
        let mut grad = m.zeros_like();
        m.backward(&trace, &dlogits, &t, &mut grad);
        let analytic: Vec<f64> = grad
            .tensors()
            .iter()
            .flat_map(|a| a.iter().copied())
            .collect();
        let sizes: Vec<usize> = m.tensors().iter().map(|a| a.len()).collect();
        let mut checked = 0;
        for (ti, &size) in sizes.iter().enumerate() {
            for e in 0..size {
                // Central differences in f64 with h = 1e-5: truncation h²·f'''/6 ≈ 1e-11 and
                // rounding 1e-16/h ≈ 1e-11, far below the 1e-7 allowed.
                let h = 1e-5;
                let old = m.tensors()[ti].as_slice().unwrap()[e];
                m.tensors_mut()[ti].as_slice_mut().unwrap()[e] = old + h;
                let up = loss(&m, &seqs, &t);
                m.tensors_mut()[ti].as_slice_mut().unwrap()[e] = old - h;
                let down = loss(&m, &seqs, &t);
                m.tensors_mut()[ti].as_slice_mut().unwrap()[e] = old;
                let fd = (up - down) / (2.0 * h);
                let idx = sizes[..ti].iter().sum::<usize>() + e;
                let g = analytic[idx];
                assert!(
                    (fd - g).abs() < 1e-7 + 1e-6 * g.abs(),
                    "{scheme} {scaling:?} tensor {ti} entry {e}: {fd} vs {g}"
                );
                checked += 1;
            }
        }
        assert_eq!(checked, m.parameter_count());
        // The position parameters do get a gradient where the scheme has them.
        let nonzero = |a: &ndarray::Array2<f64>| a.iter().any(|&x| x != 0.0);
        assert_eq!(nonzero(&grad.pos), scheme == Scheme::Learned);
        assert_eq!(nonzero(&grad.t5), scheme == Scheme::T5);
    }
}

#[test]
fn the_fast_forward_pass_equals_the_textbook_form() {
    for scheme in Scheme::ALL {
        let lengths: &[usize] = if scheme == Scheme::Learned {
            &[6]
        } else {
            &[6, 24]
        };
        let scalings: &[TestScaling] = if scheme == Scheme::Rope {
            &TestScaling::ALL
        } else {
            &[TestScaling::None]
        };
        for &n in lengths {
            for &scaling in scalings {
                let data = windows(n, 3, 4);
                let seqs: Vec<&[u16]> = data.iter().map(Vec::as_slice).collect();
                let m64: Model<f64> = generic(scheme, 2);
                let m32: Model<f32> = m64.cast();
                let fast64 = m64
                    .forward(&seqs, &Tables::new(&m64.cfg, scaling, n).unwrap())
                    .unwrap()
                    .logits;
                let fast32 = m32
                    .forward(&seqs, &Tables::new(&m32.cfg, scaling, n).unwrap())
                    .unwrap()
                    .logits;
                for (w, window) in data.iter().enumerate() {
                    let slow = m64.forward_slow(window, scaling).unwrap();
                    let rows = ndarray::s![w * n..(w + 1) * n, ..];
                    // The same sums in another order (matrixmultiply against loops) in f64:
                    // logits of size about 1 agree to 1e-12.
                    let gap64 = (&fast64.slice(rows) - &slow)
                        .iter()
                        .fold(0.0f64, |g, x| g.max(x.abs()));
                    assert!(gap64 < 1e-12, "{scheme} {scaling:?} n={n}: {gap64}");
                    // In f32 every one of the ~20 sums and products in a chain rounds by up to
                    // 6e-8 relative, amplified by the norms' 1/rms: 1e-4 on logits of size 1.
                    let gap32 = (&fast32.slice(rows).mapv(f64::from) - &slow)
                        .iter()
                        .fold(0.0f64, |g, x| g.max(x.abs()));
                    assert!(gap32 < 1e-4, "{scheme} {scaling:?} n={n}: {gap32}");
                }
            }
        }
    }
}

#[test]
fn the_scorer_refuses_what_it_cannot_read() {
    let m: Model = Model::new(tiny(Scheme::Learned), 1).unwrap();
    assert_eq!(m.token_losses(&[1, 2, 3]).unwrap().len(), 2);
    assert!(m.token_losses(&[0; 6]).is_ok());
    let e = m.token_losses(&[0; 7]).unwrap_err().to_string();
    assert!(e.contains('7') && e.contains("L = 6"), "{e}");
    assert!(m.token_losses(&[]).is_err());
    let e = m.token_losses(&[1, 7]).unwrap_err().to_string();
    assert!(e.contains("token") && e.contains('7'), "{e}");
    assert_eq!(m.name(), "learned");
    // A scheme with no table reads any length; the per-token losses average to the batch loss.
    let r: Model = Model::new(tiny(Scheme::Rope), 1).unwrap();
    let window: Vec<u16> = windows(30, 1, 3).remove(0);
    for s in TestScaling::ALL {
        let scored = Scaled {
            model: &r,
            scaling: s,
        };
        let losses = scored.token_losses(&window).unwrap();
        assert_eq!(losses.len(), 29);
        let t = Tables::new(&r.cfg, s, 30).unwrap();
        let mean = r.forward(&[&window], &t).unwrap().loss_grad().0;
        let avg = losses.iter().sum::<f32>() / 29.0;
        assert!((avg - mean).abs() < 1e-5, "{s:?}: {avg} vs {mean}"); // f32 sums of 29 terms near 2
    }
    assert_eq!(
        Scaled {
            model: &r,
            scaling: TestScaling::Yarn
        }
        .name(),
        "RoPE + YaRN"
    );
    // Past L the test-time changes differ from plain RoPE; at L they do not.
    let plain = r.token_losses(&window).unwrap();
    let pi = Scaled {
        model: &r,
        scaling: TestScaling::Pi,
    }
    .token_losses(&window)
    .unwrap();
    assert_ne!(plain, pi);
    let short = &window[..6];
    assert_eq!(
        r.token_losses(short).unwrap(),
        Scaled {
            model: &r,
            scaling: TestScaling::Pi
        }
        .token_losses(short)
        .unwrap()
    );
}

#[test]
fn training_lowers_the_loss_and_a_rerun_gives_the_same_bits() {
    let cfg = tiny(Scheme::Alibi);
    // A repeating pattern is learnable; the batches depend only on the step.
    let batches = |step: usize| -> Vec<Vec<u16>> {
        (0..4)
            .map(|w| (0..6).map(|t| ((t + w + step) % 5 + 1) as u16).collect())
            .collect()
    };
    let opts = TrainConfig::with_steps(60);
    let mut seen = 0;
    let (a, la) = train(&cfg, 7, &opts, batches, |p| seen = p.step).unwrap();
    let (b, lb) = train(&cfg, 7, &opts, batches, |_| {}).unwrap();
    assert_eq!(seen, 60);
    assert_eq!(a, b); // every parameter, bit for bit
    assert_eq!(la, lb);
    assert!(la[59] < 0.5 * la[0], "{} -> {}", la[0], la[59]);
    let (c, _) = train(&cfg, 8, &opts, batches, |_| {}).unwrap();
    assert_ne!(a, c); // another seed, another model
    assert!(
        train(
            &cfg,
            7,
            &TrainConfig {
                lr: f64::NAN,
                ..opts
            },
            batches,
            |_| {}
        )
        .is_err()
    );
    assert!(train(&cfg, 7, &TrainConfig::with_steps(0), batches, |_| {}).is_err());
}
