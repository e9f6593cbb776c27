//! The chapter's worked examples as text.
