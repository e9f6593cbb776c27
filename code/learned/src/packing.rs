//! Packing documents into fixed-length training contexts, and the positions tokens get.
//!
//! Pretraining pipelines concatenate documents into one long stream and cut it into contexts of
//! `L` tokens. A short document then shares its context with others, and a long one is split
//! across contexts. Whether a token's position counts from the start of its context or from the
//! start of its document (a *reset*) decides what "position" means to the model.

use crate::Error;

/// One token's place after packing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    /// Which document the token comes from (0-based).
    pub doc: usize,
    /// Its index within the document: its "true" position in the sentence or text.
    pub index_in_doc: usize,
    /// Which context (training example) it lands in.
    pub context: usize,
    /// Its offset within that context.
    pub offset: usize,
    /// The position the model is given.
    pub position: usize,
}

/// How positions are assigned within a context.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reset {
    /// Position = offset in the context, documents or not (the common default).
    Never,
    /// Position restarts at 0 where a document starts inside a context. A document continued from
    /// the previous context also starts again at 0, because the context does.
    AtDocumentStart,
}

/// Packs documents of the given lengths, in order, into contexts of `context_len` tokens.
///
/// # Errors
/// A zero `context_len`, no documents, an empty document, or lengths whose sum overflows.
///
/// ```
/// use learned::packing::{pack, Reset};
/// let slots = pack(&[3, 4], 5, Reset::Never)?;
/// // The second document starts at offset 3 of context 0 and spills into context 1.
/// let first_of_doc1 = slots.iter().find(|s| s.doc == 1).unwrap();
/// assert_eq!((first_of_doc1.context, first_of_doc1.position), (0, 3));
/// let last = slots.last().unwrap();
/// assert_eq!((last.context, last.index_in_doc, last.position), (1, 3, 1));
/// # Ok::<(), learned::Error>(())
/// ```
pub fn pack(doc_lengths: &[usize], context_len: usize, reset: Reset) -> Result<Vec<Slot>, Error> {
    if context_len == 0 {
        return Err(errors::bad(
            "context length",
            "0",
            "a context holds at least one token",
        ));
    }
    if doc_lengths.is_empty() {
        return Err(errors::bad(
            "documents",
            "[]",
            "there must be at least one document to pack",
        ));
    }
    if let Some(i) = doc_lengths.iter().position(|&n| n == 0) {
        return Err(errors::bad(
            "document length",
            format!("0 (document {i})"),
            "every document has at least one token",
        ));
    }
    if doc_lengths
        .iter()
        .try_fold(0usize, |a, &n| a.checked_add(n))
        .is_none()
    {
        return Err(errors::bad(
            "total length",
            "more than usize::MAX tokens",
            "the documents' lengths must add up to a usize",
        ));
    }
    // ANCHOR: pack
    let mut slots = Vec::new();
    let mut stream_index = 0; // the token's place in the concatenated stream
    for (doc, &len) in doc_lengths.iter().enumerate() {
        for index_in_doc in 0..len {
            let (context, offset) = (stream_index / context_len, stream_index % context_len);
            // Where this document's run inside the current context began.
            let run_start = offset.saturating_sub(index_in_doc);
            let position = match reset {
                Reset::Never => offset,
                Reset::AtDocumentStart => offset - run_start,
            };
            slots.push(Slot {
                doc,
                index_in_doc,
                context,
                offset,
                position,
            });
            stream_index += 1;
        }
    }
    Ok(slots)
    // ANCHOR_END: pack
}

/// How many tokens are given a position different from their index in their document.
pub fn mismatches(slots: &[Slot]) -> usize {
    slots
        .iter()
        .filter(|s| s.position != s.index_in_doc)
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn errors_name_the_problem() {
        assert!(
            pack(&[3], 0, Reset::Never)
                .unwrap_err()
                .to_string()
                .contains("context length = 0")
        );
        assert!(pack(&[], 4, Reset::Never).is_err());
        let e = pack(&[2, 0], 4, Reset::Never).unwrap_err();
        assert!(e.to_string().contains("0 (document 1)"), "{e}");
        assert!(pack(&[usize::MAX, 1], 4, Reset::Never).is_err());
    }

    #[test]
    fn a_hand_checked_packing() {
        // Documents of 5, 3 and 7 tokens into contexts of 8:
        // context 0: d0 d0 d0 d0 d0 d1 d1 d1 ; context 1: d2 × 7 ; (15 tokens)
        let never = pack(&[5, 3, 7], 8, Reset::Never).unwrap();
        let reset = pack(&[5, 3, 7], 8, Reset::AtDocumentStart).unwrap();
        let pos = |s: &[Slot]| s.iter().map(|s| s.position).collect::<Vec<_>>();
        assert_eq!(pos(&never), [0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3, 4, 5, 6]);
        assert_eq!(pos(&reset), [0, 1, 2, 3, 4, 0, 1, 2, 0, 1, 2, 3, 4, 5, 6]);
        assert_eq!(mismatches(&never), 3);
        assert_eq!(mismatches(&reset), 0);
        // Contexts of 6 split document 1 and document 2.
        let split = pack(&[5, 3, 7], 6, Reset::AtDocumentStart).unwrap();
        assert_eq!(pos(&split), [0, 1, 2, 3, 4, 0, 0, 1, 0, 1, 2, 3, 0, 1, 2]);
        assert_eq!(mismatches(&split), 5);
    }

    proptest! {
        #[test]
        fn packing_invariants(
            docs in proptest::collection::vec(1usize..20, 1..8), context_len in 1usize..16,
        ) {
            for reset in [Reset::Never, Reset::AtDocumentStart] {
                let slots = pack(&docs, context_len, reset).unwrap();
                prop_assert_eq!(slots.len(), docs.iter().sum::<usize>());
                for s in &slots {
                    // Every position is a valid offset in a context: a table of context_len rows
                    // always suffices, however long the documents are.
                    prop_assert!(s.position < context_len);
                    prop_assert!(s.position <= s.offset);
                    if reset == Reset::AtDocumentStart {
                        // With resets, a position never overstates where a token is in its
                        // document; it can only understate it (after a split).
                        prop_assert!(s.position <= s.index_in_doc);
                    }
                }
            }
        }
    }
}
