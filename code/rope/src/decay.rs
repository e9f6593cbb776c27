//! Long-term decay (RoFormer, section 3.4.3). Write the score of `q` at `m` and `k` at `n` in
//! complex form, `Re Σ_j h_j e^{i(m−n)θ_j}` with `h_j = q_[2j:2j+1] k*_[2j:2j+1]`; Abel summation
//! bounds its size by `(max_j |h_{j+1} − h_j|) · Σ_{j=1}^{d/2} |S_j|` with
//! `S_j = Σ_{l<j} e^{i(m−n)θ_l}`, taking `h_{d/2} = 0` and `S_0 = 0`. The paper plots `(1/(d/2)) Σ_j |S_j|` against the distance.

use crate::Rope;

// ANCHOR: bound
/// The paper's decay curve at distance `k`: `(1 / (d/2)) Σ_{j=1}^{d/2} |S_j(k)|`, with
/// `S_j(k) = Σ_{l=0}^{j−1} e^{i k θ_l}` (a running sum of unit vectors).
pub fn bound(rope: &Rope, k: f64) -> f64 {
    let (mut re, mut im, mut total) = (0.0f64, 0.0f64, 0.0f64);
    let inv_freq = rope.inv_freq();
    for &theta in &inv_freq {
        let (s, c) = (k * theta).sin_cos();
        re += c;
        im += s;
        total += re.hypot(im); // |S_j| for j = 1 … d/2
    }
    total / inv_freq.len() as f64
}
// ANCHOR_END: bound

/// The average `(1 / (d/2)) Σ_j cos(k θ_j)`: the score of two vectors of ones (in each pair's
/// first coordinate) at distance `k`, normalised.
pub fn mean_cos(rope: &Rope, k: f64) -> f64 {
    let inv_freq = rope.inv_freq();
    inv_freq.iter().map(|t| (k * t).cos()).sum::<f64>() / inv_freq.len() as f64
}
