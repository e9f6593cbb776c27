//! The two coordinate layouts in use: the paper's interleaved `(sin, cos)` pairs, and the
//! `[sin | cos]` halves (half-split, concatenated) of tensor2tensor and fairseq, with the index map
//! between them. The layout says only *where* each sine and cosine sits; which frequencies they
//! carry is the separate choice [`crate::Schedule`].

use crate::{Error, Sinusoid};

/// Where the sine and cosine of each frequency sit in the vector, whatever the frequencies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// The paper's formula: `PE(p)_{2i} = sin(p ω_i)`, `PE(p)_{2i+1} = cos(p ω_i)`.
    Interleaved,
    /// Half-split: `[sin(p ω_0) … sin(p ω_{d/2-1}) | cos(p ω_0) … cos(p ω_{d/2-1})]`, as
    /// tensor2tensor's `get_timing_signal_1d` and fairseq's `SinusoidalPositionalEmbedding` build
    /// it (both with [`crate::Schedule::Tensor2Tensor`]).
    Concatenated,
}

impl std::str::FromStr for Layout {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "interleaved" => Ok(Layout::Interleaved),
            "concatenated" | "concat" | "half-split" => Ok(Layout::Concatenated),
            other => Err(format!(
                "unknown layout `{other}`: use `interleaved` (the paper) or `concatenated` \
                 (half-split [sin | cos], as in tensor2tensor and fairseq)"
            )),
        }
    }
}

/// The index map between the layouts: entry `j` of the concatenated vector is entry `perm[j]` of
/// the interleaved vector *built with the same frequencies*.
///
/// # Errors
/// [`Error::Bad`] for a zero or odd `d`.
///
/// ```
/// assert_eq!(sinusoidal::concat_from_interleaved(6)?, vec![0, 2, 4, 1, 3, 5]);
/// # Ok::<(), sinusoidal::Error>(())
/// ```
pub fn concat_from_interleaved(d: usize) -> Result<Vec<usize>, Error> {
    Sinusoid::paper(d)?;
    let half = d / 2;
    Ok((0..d)
        .map(|j| if j < half { 2 * j } else { 2 * (j - half) + 1 })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layouts_parse_with_clear_errors() {
        assert_eq!("concat".parse::<Layout>(), Ok(Layout::Concatenated));
        let e = "zigzag".parse::<Layout>().unwrap_err();
        assert!(e.contains("`zigzag`"), "{e}");
        assert!(concat_from_interleaved(3).is_err());
    }
}
