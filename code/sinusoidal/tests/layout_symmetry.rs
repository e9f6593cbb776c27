//! Why the layout does not matter to a model trained from scratch, as a test on a small model.
//!
//! In a residual transformer `x + PE` is not multiplied by a learned matrix before it matters: it
//! runs along the residual stream and into each layer norm unprojected. The argument is a
//! symmetry instead. Permute the `d_model` coordinates of the token embedding, of the position
//! vectors, of every weight on the `d_model` side (the rows of `W_Q`, `W_K`, `W_V`, `W_1` and of
//! the unembedding, the columns of `W_O` and `W_2`, the bias `b_2`) and of every norm's gain and
//! bias: the model computes the same function, because a layer norm's mean and variance do not
//! depend on the order of the coordinates and every other operation either permutes along or sums
//! over them. The half-split layout is such a permutation of the interleaved one
//! (`sinusoidal::concat_from_interleaved`), so a model with one layout is, weight for weight, a
//! model with the other. Gradients are permuted the same way, and an initialisation that draws
//! every weight i.i.d. is unchanged in distribution by a permutation, so training from scratch with
//! either layout is the same random process. A changed frequency schedule is not a permutation,
//! and nothing here covers it.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use bookkit::rng::SplitMix64;
use ndarray::{Array1, Array2, Axis};
use sinusoidal::{Layout, Schedule, Sinusoid, concat_from_interleaved};

/// One pre-norm block (one causal attention head, a ReLU MLP), a final norm and an unembedding.
#[derive(Clone)]
struct Model {
    emb: Array2<f64>, // [vocab, d]
    g1: Array1<f64>,  // [d], and b1: the first norm's gain and bias
    b1: Array1<f64>,
    wq: Array2<f64>, // [d, dh]
    wk: Array2<f64>, // [d, dh]
    wv: Array2<f64>, // [d, dh]
    wo: Array2<f64>, // [dh, d]
    g2: Array1<f64>,
    b2n: Array1<f64>,
    w1: Array2<f64>, // [d, f]
    c1: Array1<f64>, // [f]
    w2: Array2<f64>, // [f, d]
    c2: Array1<f64>, // [d]
    g3: Array1<f64>,
    b3: Array1<f64>,
    unemb: Array2<f64>, // [d, vocab]
}

fn draw(rng: &mut SplitMix64, shape: (usize, usize), scale: f64) -> Array2<f64> {
    Array2::from_shape_fn(shape, |_| scale * rng.next_gaussian())
}

fn draw1(rng: &mut SplitMix64, n: usize, mean: f64) -> Array1<f64> {
    Array1::from_shape_fn(n, |_| mean + 0.1 * rng.next_gaussian())
}

impl Model {
    fn new(seed: u64, vocab: usize, d: usize, dh: usize, f: usize) -> Model {
        let mut r = SplitMix64(seed);
        Model {
            emb: draw(&mut r, (vocab, d), 1.0),
            g1: draw1(&mut r, d, 1.0),
            b1: draw1(&mut r, d, 0.0),
            wq: draw(&mut r, (d, dh), 0.5),
            wk: draw(&mut r, (d, dh), 0.5),
            wv: draw(&mut r, (d, dh), 0.5),
            wo: draw(&mut r, (dh, d), 0.5),
            g2: draw1(&mut r, d, 1.0),
            b2n: draw1(&mut r, d, 0.0),
            w1: draw(&mut r, (d, f), 0.5),
            c1: draw1(&mut r, f, 0.0),
            w2: draw(&mut r, (f, d), 0.5),
            c2: draw1(&mut r, d, 0.0),
            g3: draw1(&mut r, d, 1.0),
            b3: draw1(&mut r, d, 0.0),
            unemb: draw(&mut r, (d, vocab), 0.5),
        }
    }

    // ANCHOR: permute
    /// The same model with its `d_model` coordinates permuted: new coordinate `c` is old
    /// coordinate `perm[c]`, wherever a weight touches the residual stream.
    fn permuted(&self, perm: &[usize]) -> Model {
        let cols = |m: &Array2<f64>| m.select(Axis(1), perm); // a [·, d] weight
        let rows = |m: &Array2<f64>| m.select(Axis(0), perm); // a [d, ·] weight
        let vec = |v: &Array1<f64>| v.select(Axis(0), perm); // a [d] gain or bias
        Model {
            emb: cols(&self.emb),
            g1: vec(&self.g1),
            b1: vec(&self.b1),
            wq: rows(&self.wq),
            wk: rows(&self.wk),
            wv: rows(&self.wv),
            wo: cols(&self.wo),
            g2: vec(&self.g2),
            b2n: vec(&self.b2n),
            w1: rows(&self.w1),
            c1: self.c1.clone(), // the MLP's hidden side is not d_model: untouched
            w2: cols(&self.w2),
            c2: vec(&self.c2),
            g3: vec(&self.g3),
            b3: vec(&self.b3),
            unemb: rows(&self.unemb),
        }
    }
    // ANCHOR_END: permute

    /// The next-token logits for `tokens` at positions 0, 1, … with position vectors `pe`.
    fn logits(&self, tokens: &[usize], pe: &Array2<f64>) -> Array2<f64> {
        let n = tokens.len();
        let mut x = self.emb.select(Axis(0), tokens) + pe.slice(ndarray::s![..n, ..]); // [n, d]
        let h = norm(&x, &self.g1, &self.b1);
        let (q, k, v) = (h.dot(&self.wq), h.dot(&self.wk), h.dot(&self.wv)); // [n, dh] each
        let mut s = q.dot(&k.t()) / (q.ncols() as f64).sqrt(); // [n, n]
        for i in 0..n {
            for j in i + 1..n {
                s[[i, j]] = f64::NEG_INFINITY; // causal
            }
            let m = s.row(i).fold(f64::NEG_INFINITY, |a, &b| a.max(b));
            s.row_mut(i).mapv_inplace(|z| (z - m).exp());
            let total = s.row(i).sum();
            s.row_mut(i).mapv_inplace(|z| z / total);
        }
        x = x + s.dot(&v).dot(&self.wo);
        let h = norm(&x, &self.g2, &self.b2n);
        let hidden = (h.dot(&self.w1) + &self.c1).mapv(|z| z.max(0.0)); // [n, f]
        x = x + hidden.dot(&self.w2) + &self.c2;
        norm(&x, &self.g3, &self.b3).dot(&self.unemb) // [n, vocab]
    }

    /// Mean cross-entropy of predicting `tokens[p + 1]` at every `p`.
    fn loss(&self, tokens: &[usize], pe: &Array2<f64>) -> f64 {
        let z = self.logits(tokens, pe);
        let n = tokens.len() - 1;
        (0..n)
            .map(|p| {
                let row = z.row(p);
                let m = row.fold(f64::NEG_INFINITY, |a, &b| a.max(b));
                m + row.mapv(|v| (v - m).exp()).sum().ln() - row[tokens[p + 1]]
            })
            .sum::<f64>()
            / n as f64
    }
}

/// Layer norm over each row: subtract the mean, divide by the standard deviation, scale, shift.
fn norm(x: &Array2<f64>, gain: &Array1<f64>, bias: &Array1<f64>) -> Array2<f64> {
    let mut out = x.clone();
    for mut row in out.rows_mut() {
        let mean = row.mean().unwrap();
        let var = row.mapv(|v| (v - mean).powi(2)).mean().unwrap();
        row.mapv_inplace(|v| (v - mean) / (var + 1e-5).sqrt());
    }
    out * gain + bias
}

const TOKENS: [usize; 7] = [3, 1, 4, 1, 5, 9, 2];
const D: usize = 8;

fn encodings(schedule: Schedule) -> (Array2<f64>, Array2<f64>) {
    let inter = Sinusoid::new(D, 10000.0, Layout::Interleaved, schedule).unwrap();
    let half = Sinusoid::new(D, 10000.0, Layout::Concatenated, schedule).unwrap();
    (inter.matrix(TOKENS.len()), half.matrix(TOKENS.len()))
}

fn worst(a: &Array2<f64>, b: &Array2<f64>) -> f64 {
    (a - b).iter().fold(0.0, |w, x| w.max(x.abs()))
}

// ANCHOR: same_function
#[test]
fn a_permuted_model_with_the_other_layout_computes_the_same_function() {
    let perm = concat_from_interleaved(D).unwrap(); // half-split entry c = interleaved entry perm[c]
    for schedule in [Schedule::Paper, Schedule::Tensor2Tensor] {
        let (interleaved, half_split) = encodings(schedule);
        for seed in 0..5 {
            let a = Model::new(seed, 10, D, 4, 16);
            let b = a.permuted(&perm);
            let (za, zb) = (
                a.logits(&TOKENS, &interleaved),
                b.logits(&TOKENS, &half_split),
            );
            // The same sums in another order: a few ulps of logits of size ~10.
            assert!(worst(&za, &zb) < 1e-12, "seed {seed}: {}", worst(&za, &zb));
            // Not a vacuous check: the same weights with the other layout compute something else.
            assert!(worst(&za, &a.logits(&TOKENS, &half_split)) > 1e-3);
        }
    }
}
// ANCHOR_END: same_function

impl Model {
    /// Every weight tensor, by name, as a flat view in logical order (the order `permuted` and
    /// `numeric_gradient` agree on).
    fn tensors_mut(&mut self) -> [(&'static str, ndarray::ArrayViewMutD<'_, f64>); 16] {
        [
            ("emb", self.emb.view_mut().into_dyn()),
            ("g1", self.g1.view_mut().into_dyn()),
            ("b1", self.b1.view_mut().into_dyn()),
            ("wq", self.wq.view_mut().into_dyn()),
            ("wk", self.wk.view_mut().into_dyn()),
            ("wv", self.wv.view_mut().into_dyn()),
            ("wo", self.wo.view_mut().into_dyn()),
            ("g2", self.g2.view_mut().into_dyn()),
            ("b2n", self.b2n.view_mut().into_dyn()),
            ("w1", self.w1.view_mut().into_dyn()),
            ("c1", self.c1.view_mut().into_dyn()),
            ("w2", self.w2.view_mut().into_dyn()),
            ("c2", self.c2.view_mut().into_dyn()),
            ("g3", self.g3.view_mut().into_dyn()),
            ("b3", self.b3.view_mut().into_dyn()),
            ("unemb", self.unemb.view_mut().into_dyn()),
        ]
    }

    /// The gradient of the loss with respect to every weight, by central differences with step
    /// `h`, as a model of the same shapes.
    fn numeric_gradient(&self, tokens: &[usize], pe: &Array2<f64>, h: f64) -> Model {
        let mut grad = self.clone();
        for t in 0..16 {
            let len = grad.tensors_mut()[t].1.len();
            for e in 0..len {
                let (mut up, mut down) = (self.clone(), self.clone());
                *up.tensors_mut()[t].1.iter_mut().nth(e).unwrap() += h;
                *down.tensors_mut()[t].1.iter_mut().nth(e).unwrap() -= h;
                let g = (up.loss(tokens, pe) - down.loss(tokens, pe)) / (2.0 * h);
                *grad.tensors_mut()[t].1.iter_mut().nth(e).unwrap() = g;
            }
        }
        grad
    }
}

#[test]
fn gradients_are_permuted_the_same_way() {
    // The gradient of the permuted half-split model, with respect to every weight, is the
    // permuted gradient of the interleaved one: `permuted` applied to the gradient moves the
    // d_model side of every tensor and leaves the MLP's hidden side and the head's side alone,
    // as it does to the weights. Both are central differences of the same function at the same
    // points, so they agree to rounding (ε · loss / h ≈ 1e-11; 1e-8 is loose).
    let perm = concat_from_interleaved(D).unwrap();
    let (interleaved, half_split) = encodings(Schedule::Paper);
    let a = Model::new(7, 10, D, 4, 16);
    let b = a.permuted(&perm);
    let h = 1e-5;
    let mut ga = a.numeric_gradient(&TOKENS, &interleaved, h).permuted(&perm);
    let mut gb = b.numeric_gradient(&TOKENS, &half_split, h);
    for ((name, x), (_, y)) in ga.tensors_mut().into_iter().zip(gb.tensors_mut()) {
        let worst = (&x - &y).iter().fold(0.0f64, |w, d| w.max(d.abs()));
        assert!(worst < 1e-8, "{name}: gradients differ by {worst}");
        // Not vacuous: every tensor's gradient has an entry well away from zero.
        let largest = x.iter().fold(0.0f64, |w, d| w.max(d.abs()));
        assert!(
            largest > 1e-4,
            "{name}: the largest gradient entry is {largest}"
        );
    }
    // And the permutation matters: the unpermuted gradient is a different one.
    let mut plain = a.numeric_gradient(&TOKENS, &interleaved, h);
    let (_, x) = &plain.tensors_mut()[3];
    let (_, y) = &gb.tensors_mut()[3];
    assert!(
        (x - y).iter().any(|d| d.abs() > 1e-4),
        "W_Q's gradient is not moved"
    );
}

#[test]
fn a_changed_schedule_is_not_a_permutation() {
    // Position 3's entries as a multiset: a permutation of the coordinates keeps it, a change of
    // frequencies does not, so no weight permutation maps one schedule's model onto the other's.
    let sorted = |s: Schedule| {
        let mut v = Sinusoid::new(D, 10000.0, Layout::Interleaved, s)
            .unwrap()
            .encode(3)
            .to_vec();
        v.sort_by(f64::total_cmp);
        v
    };
    let (paper, t2t) = (sorted(Schedule::Paper), sorted(Schedule::Tensor2Tensor));
    assert!(paper.iter().zip(&t2t).any(|(a, b)| (a - b).abs() > 1e-3));
    let (inter, half) = encodings(Schedule::Paper);
    let mut a = inter.row(3).to_vec();
    let mut b = half.row(3).to_vec();
    a.sort_by(f64::total_cmp);
    b.sort_by(f64::total_cmp);
    assert_eq!(a, b, "a layout change is a permutation, bit for bit");
}
