//! Stable card ids.
//!
//! A card's id is the 64-bit FNV-1a hash of its chapter's page stem, a unit separator and its
//! question with runs of whitespace collapsed to one space. Rewording an answer, moving a card
//! within its chapter or renumbering the chapters keeps the id; changing the question's words
//! makes a new card.

use std::fmt;

/// FNV-1a, 64 bits: offset basis and prime from the reference description.
const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// Anki reads note and card ids as creation times in milliseconds and replaces an imported id
/// that lies in the future (checked with Anki 26.9.3). Ids are therefore placed among the
/// timestamps of 2001-09-09 to 2019-02-09: the first id and a 39-bit hash above it.
const ID_BASE: i64 = 1_000_000_000_000;
const ID_MASK: u64 = (1 << 39) - 1;

/// The 64-bit FNV-1a hash of `bytes`.
///
/// ```
/// // Reference values of the algorithm.
/// assert_eq!(cards::fnv1a64(b""), 0xcbf29ce484222325);
/// assert_eq!(cards::fnv1a64(b"a"), 0xaf63dc4c8601ec8c);
/// ```
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(FNV_OFFSET, |hash, &b| {
        (hash ^ u64::from(b)).wrapping_mul(FNV_PRIME)
    })
}

/// A question with leading and trailing whitespace removed, every inner run of whitespace
/// replaced by one space, and typographic quotes folded to straight ones (’ and ‘ to `'`, “ and
/// ” to `"`): the text a card id is computed from. Typography is not identity, so curling an
/// apostrophe in a question keeps the reader's review history.
///
/// ```
/// assert_eq!(cards::normalize("  Why  not\n the position? "), "Why not the position?");
/// assert_eq!(cards::normalize("What’s “RoPE”?"), cards::normalize("What's \"RoPE\"?"));
/// assert_eq!(cards::normalize("What‘s"), "What's");
/// ```
pub fn normalize(question: &str) -> String {
    question
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .map(|c| match c {
            '\u{2018}' | '\u{2019}' => '\'',
            '\u{201c}' | '\u{201d}' => '"',
            other => other,
        })
        .collect()
}

/// The stable id of one card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CardId(pub u64);

impl CardId {
    /// The id of the card asking `question` in the chapter whose page is `stem`.md.
    ///
    /// ```
    /// use cards::CardId;
    /// let a = CardId::new("order", "Why position?");
    /// assert_eq!(a, CardId::new("order", "  Why   position? "));
    /// assert_ne!(a, CardId::new("order", "Why positions?"));
    /// assert_ne!(a, CardId::new("rope", "Why position?"));
    /// ```
    pub fn new(stem: &str, question: &str) -> CardId {
        let key = format!("{stem}\u{1f}{}", normalize(question));
        CardId(fnv1a64(key.as_bytes()))
    }

    /// The Anki note guid: the id as 16 hexadecimal digits.
    pub fn guid(self) -> String {
        format!("{:016x}", self.0)
    }

    /// The Anki note id: the id's low 39 bits above 10^12 (a past time in milliseconds, which
    /// Anki keeps on import).
    pub fn note_id(self) -> i64 {
        masked(self.0)
    }

    /// The Anki card id of the note's one card, derived from the note id.
    pub fn card_id(self) -> i64 {
        masked(fnv1a64(format!("card\u{1f}{:016x}", self.0).as_bytes()))
    }
}

/// An id Anki keeps: 10^12 plus the low 39 bits of `hash`.
pub(crate) fn masked(hash: u64) -> i64 {
    // ID_MASK < 2^39, so the sum fits an i64 exactly.
    ID_BASE + (hash & ID_MASK) as i64
}

impl fmt::Display for CardId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016x}", self.0)
    }
}
