//! The position schemes the chapter compares, each taken from the chapter that derives it.

use std::fmt;

/// A position scheme, the one thing that varies between the models of this chapter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// No position information at all: only the causal mask (Kazemnejad et al., 2023).
    NoPe,
    /// Chapter 2's fixed sinusoids added to the token embeddings (`sinusoidal::Sinusoid::paper`).
    Sinusoidal,
    /// Chapter 3's learned table, one row per position up to the training length.
    Learned,
    /// Chapter 4's T5 buckets: a learned scalar per bucket of offsets and per head (`relative::t5`).
    T5,
    /// Chapter 4's ALiBi: a fixed linear penalty per head (`relative::alibi`).
    Alibi,
    /// Chapter 5's rotary embedding on queries and keys (`rope::Rope`).
    Rope,
}

impl Scheme {
    /// Every scheme, in the order of the book's chapters (NoPE first).
    pub const ALL: [Scheme; 6] = [
        Scheme::NoPe,
        Scheme::Sinusoidal,
        Scheme::Learned,
        Scheme::T5,
        Scheme::Alibi,
        Scheme::Rope,
    ];

    /// The name tables and figures use.
    ///
    /// ```
    /// assert_eq!(trained::Scheme::T5.name(), "T5 buckets");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Scheme::NoPe => "NoPE",
            Scheme::Sinusoidal => "sinusoidal",
            Scheme::Learned => "learned",
            Scheme::T5 => "T5 buckets",
            Scheme::Alibi => "ALiBi",
            Scheme::Rope => "RoPE",
        }
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What a RoPE model does with its frequencies when it reads a sequence longer than it was
/// trained on (chapter 6's schemes, applied at test time with no further training).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RopeScaling {
    /// The trained frequencies as they are.
    None,
    /// Position interpolation with factor `n / L` (`scaling::linear`).
    Pi,
    /// YaRN with factor `n / L` and its default `β` values (`scaling::yarn`).
    Yarn,
}

/// A model as evaluated: its scheme and, for RoPE, what it does past its training length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Variant {
    /// The trained scheme.
    pub scheme: Scheme,
    /// The test-time frequency change (only meaningful for RoPE).
    pub scaling: RopeScaling,
}

impl Variant {
    /// The eight variants of the experiment: every scheme as trained, then RoPE with PI and YaRN.
    pub const ALL: [Variant; 8] = [
        Variant::plain(Scheme::NoPe),
        Variant::plain(Scheme::Sinusoidal),
        Variant::plain(Scheme::Learned),
        Variant::plain(Scheme::T5),
        Variant::plain(Scheme::Alibi),
        Variant::plain(Scheme::Rope),
        Variant {
            scheme: Scheme::Rope,
            scaling: RopeScaling::Pi,
        },
        Variant {
            scheme: Scheme::Rope,
            scaling: RopeScaling::Yarn,
        },
    ];

    /// A scheme evaluated as trained.
    pub const fn plain(scheme: Scheme) -> Variant {
        Variant {
            scheme,
            scaling: RopeScaling::None,
        }
    }

    /// The name tables and figures use.
    ///
    /// ```
    /// use trained::{RopeScaling, Scheme, Variant};
    /// let v = Variant { scheme: Scheme::Rope, scaling: RopeScaling::Yarn };
    /// assert_eq!(v.name(), "RoPE + YaRN");
    /// assert_eq!(Variant::plain(Scheme::Alibi).name(), "ALiBi");
    /// ```
    pub fn name(self) -> String {
        match self.scaling {
            RopeScaling::None => self.scheme.name().to_string(),
            RopeScaling::Pi => format!("{} + PI", self.scheme.name()),
            RopeScaling::Yarn => format!("{} + YaRN", self.scheme.name()),
        }
    }
}
