//! Chapter 7's trained RoPE models read under this chapter's test-time schemes: the same weights,
//! the same copy task and the same held-out sequences as chapter 7's table, with the positions
//! each scheme gives. The forward pass mirrors `trained::model::Model::forward` (embedding,
//! attention-only layers with residuals, unembedding) with one change: query `i` and key `j` are
//! turned by the scheme's `(P_q, P_k)` for their pair instead of by `i` and `j`. The test
//! `plain_mirror_is_chapter_7s_forward` holds the plain scheme to chapter 7's own forward pass.

use ndarray::{Array2, s};
use rope::{Layout, Rope};
use trained::model::Model;
use trained::train::{Score, copy_task, mix};
use trained::{Scheme, Variant};

use errors::bad;

use crate::Error;
use crate::remap::Remap;

/// Per layer and head, the attention weights `[n, n]` (0 where a key is not seen).
pub type Weights = Vec<Vec<Array2<f64>>>;

/// The logits `[n, vocab]` and attention weights of a chapter-7 RoPE model on `tokens`, with
/// positions from `scheme`.
///
/// # Errors
/// A model that is not RoPE, a token outside its vocabulary, or an empty sequence.
pub fn forward(
    model: &Model,
    tokens: &[usize],
    scheme: &dyn Remap,
) -> Result<(Array2<f64>, Weights), Error> {
    if model.scheme != Scheme::Rope {
        return Err(bad(
            "scheme",
            model.scheme.name(),
            "test-time position schemes change RoPE's positions: the model must be RoPE",
        ));
    }
    if tokens.is_empty() || tokens.iter().any(|&t| t >= model.dims.vocab) {
        return Err(bad(
            "tokens",
            format!("{tokens:?}"),
            format!(
                "1 or more tokens below the vocabulary size {}",
                model.dims.vocab
            ),
        ));
    }
    let (n, dh) = (tokens.len(), model.dims.head_dim());
    let rope = Rope::new(dh, model.dims.rope_base, Layout::Interleaved)?; // chapter 7's layout
    let mut x = Array2::from_shape_fn((n, model.dims.d_model), |(t, c)| {
        model.embed[[tokens[t], c]]
    });
    let mut weights = Vec::new();
    for layer in &model.layers {
        let (q, k, v) = (x.dot(&layer.wq), x.dot(&layer.wk), x.dot(&layer.wv)); // [n, d] each
        let mut out = Array2::zeros((n, model.dims.d_model));
        let mut per_head = Vec::new();
        for h in 0..model.dims.heads {
            let cols = s![.., h * dh..(h + 1) * dh];
            let (qh, kh, vh) = (q.slice(cols), k.slice(cols), v.slice(cols)); // [n, dh]
            let mut a = Array2::zeros((n, n)); // [n, n]
            // ANCHOR: forward
            for i in 0..n {
                let seen: Vec<usize> = (0..=i).filter(|&j| scheme.visible(i, j)).collect();
                let mut z = Vec::with_capacity(seen.len());
                for &j in &seen {
                    let (pq, pk) = scheme.pair(i, j);
                    let qi = rope.rotate(qh.row(i), pq)?;
                    let kj = rope.rotate(kh.row(j), pk)?;
                    z.push(scheme.query_scale(i) * qi.dot(&kj) / (dh as f64).sqrt());
                }
                let max = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let sum: f64 = z.iter().map(|v| (v - max).exp()).sum();
                for (&j, v) in seen.iter().zip(&z) {
                    a[[i, j]] = (v - max).exp() / sum;
                }
            }
            // ANCHOR_END: forward
            out.slice_mut(cols).assign(&a.dot(&vh)); // [n, dh]
            per_head.push(a);
        }
        x = &x + &out.dot(&layer.wo); // residual
        weights.push(per_head);
    }
    Ok((x.dot(&model.unembed), weights))
}

/// Chapter 7's score (mean cross-entropy over the positions with a target, and the fraction whose
/// most likely token is the target) of `logits` for `targets`.
pub fn score(logits: &Array2<f64>, targets: &[Option<usize>]) -> Score {
    let count = targets.iter().flatten().count().max(1) as f64;
    let (mut loss, mut correct) = (0.0, 0usize);
    for (t, y) in targets.iter().enumerate() {
        let Some(y) = *y else { continue };
        let row = logits.row(t);
        let max = row.fold(f64::NEG_INFINITY, |m, &x| m.max(x));
        let z: f64 = row.iter().map(|x| (x - max).exp()).sum();
        loss += (z.ln() + max - row[y]) / count;
        let best =
            row.iter().enumerate().fold(
                (0, f64::NEG_INFINITY),
                |b, (c, &x)| if x > b.1 { (c, x) } else { b },
            );
        correct += usize::from(best.0 == y);
    }
    Score {
        loss,
        accuracy: correct as f64 / count,
    }
}

/// The model's score on `count` held-out copy-task sequences of `n` tokens (chapter 7's
/// `trained::train::evaluate` draws the same ones for the same `seed`), read with `scheme`, and
/// the attention weights of the first.
///
/// # Errors
/// As [`forward`], and a count of 0.
pub fn evaluate(
    model: &Model,
    scheme: &dyn Remap,
    delta: usize,
    n: usize,
    count: usize,
    seed: u64,
) -> Result<(Score, Weights), Error> {
    if count == 0 {
        return Err(bad("count", 0, "evaluation needs at least one sequence"));
    }
    let (mut loss, mut acc, mut first) = (0.0, 0.0, Vec::new());
    for i in 0..count {
        let (tokens, targets) =
            copy_task(n, model.dims.vocab, delta, mix(seed, u64::MAX, i as u64));
        let (logits, w) = forward(model, &tokens, scheme)?;
        let s = score(&logits, &targets);
        loss += s.loss / count as f64;
        acc += s.accuracy / count as f64;
        if i == 0 {
            first = w;
        }
    }
    Ok((
        Score {
            loss,
            accuracy: acc,
        },
        first,
    ))
}

/// The mean attention weight the queries `from..n` put on the first `k` keys, per layer (the mean
/// over heads), beside what uniform attention over the keys each query sees would put there.
pub fn first_key_mass(weights: &Weights, k: usize, from: usize) -> Vec<(f64, f64)> {
    weights
        .iter()
        .map(|heads| {
            let n = heads.first().map_or(0, |a| a.nrows());
            let rows: Vec<usize> = (from..n).collect();
            let count = (rows.len() * heads.len()).max(1) as f64;
            let mass: f64 = heads
                .iter()
                .map(|a| {
                    rows.iter()
                        .map(|&i| (0..k.min(i + 1)).map(|j| a[[i, j]]).sum::<f64>())
                        .sum::<f64>()
                })
                .sum();
            let uniform: f64 = rows
                .iter()
                .map(|&i| k.min(i + 1) as f64 / (i + 1) as f64)
                .sum::<f64>()
                * heads.len() as f64;
            (mass / count, uniform / count)
        })
        .collect()
}

/// The variant chapter 7 scores a RoPE model with, for its PI and YaRN columns.
pub fn chapter_7_variant(scaling: trained::RopeScaling) -> Variant {
    Variant {
        scheme: Scheme::Rope,
        scaling,
    }
}
