//! Real text for the chapter's language models: the corpus and its held-out split
//! ([`corpus`]), count-based baselines ([`bigram`]), bits per character on held-out text at
//! `L` to `16L` ([`eval`]), the repeated-phrase probe ([`probe`]), the first line of a results
//! file ([`record`]) and the baseline run the chapter reports ([`baseline`]).
//!
//! Everything here scores models through one trait, [`Scorer`] (defined in [`crate::lm`]): a window of byte tokens in, one
//! loss per predicted token out. The language models of `crate::lm` implement it, and so do the
//! baselines, which is what the tests of the harness run on.

pub mod baseline;
pub mod bigram;
pub mod corpus;
pub mod eval;
pub mod probe;
pub mod record;

pub use bigram::Bigram;
pub use corpus::Corpus;

pub use crate::lm::Scorer;
