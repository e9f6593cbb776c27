//! Which coordinates form the rotated pairs, and the permutation that turns one layout into the
//! other.

use ndarray::{Array1, ArrayView1};

use errors::bad;

use crate::Error;

/// Which coordinates form the rotated pairs. Each layout is named here by code that uses it, as
/// read in the `huggingface/transformers` and `meta-llama/llama` repositories (commits in
/// `src/rope.md`, section "Two layouts").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Pairs `(x_{2j}, x_{2j+1})`: RoFormer's block-diagonal matrix; Hugging Face's GPT-J code
    /// (`rotate_every_two` in `models/gptj/modeling_gptj.py`); Meta's Llama reference code
    /// (`apply_rotary_emb` in `llama/model.py`, via `torch.view_as_complex`); DeepSeek-V3's
    /// published weights (Hugging Face's `DeepseekV3Config.rope_interleave`, default true).
    Interleaved,
    /// Pairs `(x_j, x_{j + r/2})` within the rotated part of width `r`, computed as
    /// `q * cos + rotate_half(q) * sin`: Hugging Face's Llama-family code (`rotate_half` in
    /// `models/llama/modeling_llama.py`) and its GPT-NeoX code (`rotate_half` in
    /// `models/gpt_neox/modeling_gpt_neox.py`).
    HalfSplit,
}

impl std::str::FromStr for Layout {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "interleaved" => Ok(Layout::Interleaved),
            "half" | "half-split" => Ok(Layout::HalfSplit),
            other => Err(format!(
                "unknown layout `{other}`: use `interleaved` (pairs (x_2j, x_2j+1), as \
                 rotate_every_two in Hugging Face's GPT-J code) or `half-split` (pairs \
                 (x_j, x_j+d/2), as rotate_half in Hugging Face's Llama and GPT-NeoX code)"
            )),
        }
    }
}

/// The index map between the layouts: entry `t` of the half-split vector is entry `perm[t]` of
/// the interleaved one (the same map as the sinusoidal chapter's `concat_from_interleaved`).
///
/// # Errors
/// A zero or odd width.
///
/// ```
/// assert_eq!(rope::half_from_interleaved(8)?, vec![0, 2, 4, 6, 1, 3, 5, 7]);
/// # Ok::<(), rope::Error>(())
/// ```
pub fn half_from_interleaved(d: usize) -> Result<Vec<usize>, Error> {
    sinusoidal::concat_from_interleaved(d).map_err(|_| {
        bad(
            "d",
            d,
            "it must be even and positive (coordinates are rotated in pairs)",
        )
    })
}

/// Reorders the first `perm.len()` coordinates of `x`: `out[t] = x[perm[t]]`.
///
/// # Errors
/// A `perm` longer than `x`, or one that is not a permutation of `0 … perm.len() − 1`.
pub fn permute(x: ArrayView1<'_, f64>, perm: &[usize]) -> Result<Array1<f64>, Error> {
    let mut seen = vec![false; perm.len()];
    for &p in perm {
        match seen.get_mut(p) {
            Some(s) if !*s => *s = true,
            _ => {
                return Err(bad(
                    "perm",
                    format!("{perm:?}"),
                    "it must list each index 0 … len − 1 exactly once",
                ));
            }
        }
    }
    if perm.len() > x.len() {
        return Err(errors::shape(
            "the permutation cannot be longer than the vector",
            vec![x.len()],
            vec![perm.len()],
        ));
    }
    let mut out = x.to_owned();
    for (t, &p) in perm.iter().enumerate() {
        out[t] = x[p];
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{BASE, Rope};
    use ndarray::array;
    use proptest::prelude::*;

    #[test]
    fn layout_inputs_are_checked() {
        let e = "diagonal".parse::<Layout>().unwrap_err();
        assert!(
            e.contains("`diagonal`") && e.contains("rotate_every_two"),
            "{e}"
        );
        assert!(e.contains("rotate_half in Hugging Face's Llama"), "{e}");
        assert_eq!("half".parse::<Layout>(), Ok(Layout::HalfSplit));
        assert_eq!("interleaved".parse::<Layout>(), Ok(Layout::Interleaved));
        assert!(half_from_interleaved(3).is_err());
        let x = array![1.0, 2.0, 3.0, 4.0];
        assert!(permute(x.view(), &[0, 0]).is_err());
        assert!(permute(x.view(), &[0, 5]).is_err());
        assert!(permute(x.view(), &[0, 1, 2, 3, 4]).is_err());
        assert_eq!(
            permute(x.view(), &[1, 0]).unwrap(),
            array![2.0, 1.0, 3.0, 4.0]
        );
    }

    fn vector(d: usize) -> impl Strategy<Value = Array1<f64>> {
        proptest::collection::vec(-3.0..3.0f64, d).prop_map(Array1::from)
    }

    proptest! {
        /// The two layouts are one function up to a fixed permutation of coordinates:
        /// half(P q) = P interleaved(q), with P = half_from_interleaved.
        #[test]
        fn layouts_differ_by_a_permutation(
            half in 1usize..33, m in 0usize..10_000, q in vector(64),
        ) {
            let d = 2 * half;
            let q = q.slice(ndarray::s![..d]).to_owned();
            let inter = Rope::new(d, BASE, Layout::Interleaved).unwrap();
            let split = inter.with_layout(Layout::HalfSplit);
            let perm = half_from_interleaved(d).unwrap();
            let lhs = split.rotate(permute(q.view(), &perm).unwrap().view(), m as f64).unwrap();
            let rhs = permute(inter.rotate(q.view(), m as f64).unwrap().view(), &perm).unwrap();
            prop_assert!((&lhs - &rhs).iter().all(|v| v.abs() < 1e-12));
        }
    }
}
