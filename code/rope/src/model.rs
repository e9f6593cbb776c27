//! RoPE inside attention: rotate queries and keys after projection, never values; rotate each key
//! once, when it enters the KV cache; and feed the rotated vectors to any attention kernel,
//! including the relative chapter's tiled one, unchanged.

use attention::Head;
use attention::scheme::PositionScheme;
use ndarray::{Array1, Array2, ArrayView1, ArrayView2};

use crate::{Error, Rope};

// ANCHOR: attend
/// Causal self-attention of one head with RoPE: `q` and `k` (one row per position, already
/// projected) are rotated by their positions `0 … n − 1`; `v` is not.
///
/// # Errors
/// Rows that are not one head wide, or mismatched row counts.
pub fn attend(
    rope: &Rope,
    q: ArrayView2<'_, f64>,
    k: ArrayView2<'_, f64>,
    v: ArrayView2<'_, f64>,
) -> Result<Array2<f64>, Error> {
    let positions: Vec<usize> = (0..q.nrows()).collect();
    let (rq, rk) = (
        rope.rotate_rows(q, &positions)?,
        rope.rotate_rows(k, &positions)?,
    );
    let options = attention::Options {
        causal: true,
        ..attention::Options::default()
    };
    Ok(attention::scaled_dot_product(rq.view(), rk.view(), v, &options)?.output)
}
// ANCHOR_END: attend

// ANCHOR: cache
/// Incremental decoding with a KV cache: each step rotates its key once, by its own position, and
/// stores it; the query is rotated by the same position and attends to everything cached.
#[derive(Debug, Clone)]
pub struct KvCache {
    rope: Rope,
    keys: Vec<Array1<f64>>, // len × [head_dim], each already rotated by its own position
    values: Vec<Array1<f64>>, // len × [d_v], never rotated
}

impl KvCache {
    /// Processes the next token (at position `len()`) and returns its attention output.
    ///
    /// # Errors
    /// Vectors that are not one head wide, or a value of another width than the cached ones.
    pub fn step(
        &mut self,
        q: ArrayView1<'_, f64>, // [head_dim]
        k: ArrayView1<'_, f64>, // [head_dim]
        v: ArrayView1<'_, f64>, // [d_v]
    ) -> Result<Array1<f64>, Error> {
        self.check_value(v)?;
        let m = self.keys.len() as f64;
        // Rotate and score (and so check) before touching the cache: an error leaves it as it was.
        let (q, k) = (self.rope.rotate(q, m)?, self.rope.rotate(k, m)?);
        // logits, weights: [len + 1], the new key last; out: [d_v]
        let scale = 1.0 / (q.len() as f64).sqrt();
        let keys = self.keys.iter().chain(std::iter::once(&k));
        let logits: Array1<f64> = keys.map(|key| q.dot(key) * scale).collect();
        let weights = attention::softmax(logits.view())?;
        self.keys.push(k);
        self.values.push(v.to_owned());
        let mut out = Array1::zeros(v.len());
        for (w, value) in weights.iter().zip(&self.values) {
            out.scaled_add(*w, value);
        }
        Ok(out)
    }
    // ANCHOR_END: cache

    /// An empty cache.
    pub fn new(rope: Rope) -> Self {
        KvCache {
            rope,
            keys: Vec::new(),
            values: Vec::new(),
        }
    }

    /// Every cached value has the width of the first.
    fn check_value(&self, v: ArrayView1<'_, f64>) -> Result<(), Error> {
        match self.values.first() {
            Some(first) if first.len() != v.len() => Err(errors::shape(
                "every cached value has the same width",
                vec![first.len()],
                vec![v.len()],
            )),
            _ => Ok(()),
        }
    }

    /// How many tokens are cached.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether nothing is cached yet.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

/// RoPE as a [`PositionScheme`], so that it runs through the relative chapter's translation test.
#[derive(Debug, Clone)]
pub struct RopeScheme {
    /// The head the queries and keys come from.
    pub head: Head,
    /// The rotary embedding (as wide as the head's `d_k`).
    pub rope: Rope,
}

impl PositionScheme for RopeScheme {
    fn name(&self) -> String {
        "RoPE (relative)".into()
    }

    fn logits(&self, x: ArrayView2<'_, f64>, positions: &[usize]) -> Result<Array2<f64>, Error> {
        if x.ncols() != self.head.w_q.nrows() {
            return Err(errors::shape(
                "tokens must be d_model wide, as the head expects",
                vec![x.nrows(), self.head.w_q.nrows()],
                x.shape().to_vec(),
            ));
        }
        let q = self
            .rope
            .rotate_rows(x.dot(&self.head.w_q).view(), positions)?;
        let k = self
            .rope
            .rotate_rows(x.dot(&self.head.w_k).view(), positions)?;
        attention::logits(q.view(), k.view(), &attention::Options::default())
    }
}
