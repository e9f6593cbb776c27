//! The corpus: the King James Version of the Bible as plain ASCII text (Debian's
//! `bible-kjv-text` 4.38, public domain; `code/trained/data/PROVENANCE.md` says how the file was
//! made), its checksum, its byte tokens, its held-out block and the sampler of training windows.
//!
//! **Tokens.** One token per byte: the id of a character is its byte value, so the alphabet is
//! the 256 byte values ([`VOCAB`]) and a token is a character (the text is ASCII: newline and
//! the printable characters 32 to 126). Bits per character are bits per token.
//!
//! **Held-out split.** One contiguous block at the end of the file, the last [`HELD_OUT`] bytes
//! moved forward to the start of a line (in the KJV: from 2 Corinthians 10:16 to the end of
//! Revelation); the training windows are drawn only from the bytes before it.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use bookkit::rng::SplitMix64;
use errors::bad;

use crate::Error;

/// The shipped corpus, in `code/trained/data/`.
pub const KJV_FILE: &str = "kjv.txt";
/// Its sha256, as recorded in `PROVENANCE.md`.
pub const KJV_SHA256: &str = "d01523693d29e4aafa70b91bed70ea413e3736737ba434e462daa54228178dc3";
/// Bytes held out at the end of the corpus (then moved forward to a line start): 256 KiB.
pub const HELD_OUT: usize = 1 << 18;
/// The alphabet: every byte value.
pub const VOCAB: usize = 256;

/// The crate's data directory.
pub fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data")
}

/// The sha256 of `bytes`, in lower-case hex.
///
/// ```
/// let h = trained::text::corpus::sha256_hex(b"abc");
/// assert_eq!(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
/// ```
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A text as byte tokens, split into a training part and a held-out block after it.
#[derive(Debug, Clone, PartialEq)]
pub struct Corpus {
    tokens: Vec<u16>,
    split: usize,
}

impl Corpus {
    /// The shipped KJV corpus, checked against [`KJV_SHA256`].
    ///
    /// # Errors
    /// A missing or unreadable file, or one whose checksum differs.
    pub fn kjv() -> Result<Corpus, Error> {
        Corpus::load(&data_dir().join(KJV_FILE), KJV_SHA256, HELD_OUT)
    }

    /// Reads `path`, checks its sha256 against `sha256` and splits it as
    /// [`Corpus::from_bytes`] does.
    ///
    /// # Errors
    /// A file that cannot be read (the message names it and where the corpus comes from), a
    /// checksum that differs (both are named), or a split [`Corpus::from_bytes`] refuses.
    pub fn load(path: &Path, sha256: &str, held_out: usize) -> Result<Corpus, Error> {
        let bytes = std::fs::read(path).map_err(|e| Error::Io {
            path: path.display().to_string(),
            action: "read",
            message: format!(
                "{e}; the corpus ships with the crate in code/trained/data/ (PROVENANCE.md there says how to remake it)"
            ),
        })?;
        let got = sha256_hex(&bytes);
        if got != sha256 {
            return Err(bad(
                "corpus sha256",
                format!("{got} ({}, {} bytes)", path.display(), bytes.len()),
                format!(
                    "it must be {sha256}, as PROVENANCE.md records: the file is damaged or is not the shipped one"
                ),
            ));
        }
        Corpus::from_bytes(&bytes, held_out)
    }

    /// Splits `bytes`: the last `held_out` bytes, shortened to start at the first line start in
    /// them (if there is one before their last byte), are held out; the rest is for training.
    ///
    /// # Errors
    /// An empty text, or a held-out block of 0 bytes or of half the text or more.
    ///
    /// ```
    /// let c = trained::text::Corpus::from_bytes(b"one\ntwo\nthree\nfour\n", 8)?;
    /// assert_eq!(c.held_out(), b"four\n".map(u16::from));
    /// assert_eq!(c.train().len(), 14);
    /// # Ok::<(), trained::Error>(())
    /// ```
    pub fn from_bytes(bytes: &[u8], held_out: usize) -> Result<Corpus, Error> {
        if bytes.is_empty() {
            return Err(errors::Error::Empty { what: "corpus" });
        }
        if held_out == 0 || 2 * held_out >= bytes.len() {
            return Err(bad(
                "held_out",
                held_out,
                format!(
                    "the held-out block must be 1 byte to less than half of the {} bytes",
                    bytes.len()
                ),
            ));
        }
        let start = bytes.len() - held_out;
        // The first line start at or after `start`, unless the block holds none but its end.
        let split = match bytes[start - 1..bytes.len() - 1]
            .iter()
            .position(|&b| b == b'\n')
        {
            Some(i) => start + i,
            None => start,
        };
        Ok(Corpus {
            tokens: bytes.iter().map(|&b| u16::from(b)).collect(),
            split,
        })
    }

    /// Every token, training part first.
    pub fn tokens(&self) -> &[u16] {
        &self.tokens
    }

    /// The training part.
    pub fn train(&self) -> &[u16] {
        &self.tokens[..self.split]
    }

    /// The held-out block: never sampled for training.
    pub fn held_out(&self) -> &[u16] {
        &self.tokens[self.split..]
    }

    /// One training window of `n` tokens from a uniformly drawn start in the training part (the
    /// start is `rng`'s next number modulo the number of starts; the bias of the modulo is below
    /// one part in 10^12 for this corpus).
    ///
    /// # Errors
    /// `n` of 0 or longer than the training part.
    pub fn train_window(&self, rng: &mut SplitMix64, n: usize) -> Result<Vec<u16>, Error> {
        let train = self.train();
        if n == 0 || n > train.len() {
            return Err(bad(
                "window",
                n,
                format!("a training window has 1 to {} tokens", train.len()),
            ));
        }
        let start = (rng.next_u64() % (train.len() - n + 1) as u64) as usize;
        Ok(train[start..start + n].to_vec())
    }

    /// The `batch` training windows of `n` tokens for step `step` of the run with `seed`: item
    /// `b` is drawn from its own generator seeded by [`crate::train::mix`]`(seed, step, b)`, so a
    /// step's batch does not depend on which steps were drawn before it.
    ///
    /// # Errors
    /// As [`Corpus::train_window`].
    ///
    /// ```
    /// let c = trained::text::Corpus::from_bytes(&[b'a'; 100], 10)?;
    /// let batch = c.train_batch(7, 3, 2, 5)?;
    /// assert_eq!(batch, c.train_batch(7, 3, 2, 5)?);
    /// assert_eq!(batch.len(), 2);
    /// # Ok::<(), trained::Error>(())
    /// ```
    pub fn train_batch(
        &self,
        seed: u64,
        step: u64,
        batch: usize,
        n: usize,
    ) -> Result<Vec<Vec<u16>>, Error> {
        (0..batch as u64)
            .map(|b| self.train_window(&mut SplitMix64(crate::train::mix(seed, step, b)), n))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_corpus_matches_its_checksum() {
        let c = Corpus::kjv().unwrap();
        assert_eq!(c.tokens().len(), 4_150_830);
        // ASCII only: newline and the printable characters.
        assert!(
            c.tokens()
                .iter()
                .all(|&t| t == 10 || (32..=126).contains(&t))
        );
        assert_eq!(c.held_out().len(), 262_140); // HELD_OUT, less the 4 bytes to a line start
        assert_eq!(c.tokens()[c.train().len() - 1], u16::from(b'\n'));
        let provenance = std::fs::read_to_string(data_dir().join("PROVENANCE.md")).unwrap();
        assert!(provenance.contains(KJV_SHA256));
        // The held-out block opens at 2 Corinthians 10:16 and runs to the end of Revelation.
        let text = |t: &[u16]| t.iter().map(|&t| t as u8 as char).collect::<String>();
        let (train, held) = (text(c.train()), text(c.held_out()));
        assert!(held.starts_with("To preach the gospel in the regions beyond you,"));
        assert!(held.contains("\nRevelation 22\n") && held.contains("\nGalatians 1\n"));
        assert!(train.contains("\n2 Corinthians 10\n"));
        assert!(!train.contains("\nGalatians 1\n"));
    }

    #[test]
    fn a_missing_or_damaged_corpus_is_refused_by_name() {
        let dir = std::env::temp_dir().join(format!("trained-corpus-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let missing = dir.join("absent.txt");
        let e = Corpus::load(&missing, KJV_SHA256, HELD_OUT)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("absent.txt") && e.contains("code/trained/data/"),
            "{e}"
        );
        let damaged = dir.join("damaged.txt");
        std::fs::write(&damaged, b"In the beginning\nGod created\n").unwrap();
        let e = Corpus::load(&damaged, KJV_SHA256, 4)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains(KJV_SHA256) && e.contains(&sha256_hex(b"In the beginning\nGod created\n")),
            "{e}"
        );
        let right = sha256_hex(b"In the beginning\nGod created\n");
        assert!(Corpus::load(&damaged, &right, 4).is_ok());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_split_falls_on_a_line_start_and_training_never_sees_it() {
        let text = b"aaaa\nbbbb\ncccc\ndddd\n";
        let c = Corpus::from_bytes(text, 7).unwrap();
        assert_eq!(c.train().len(), 15); // the block "c\ndddd\n" moves forward to "dddd\n"
        assert_eq!(c.held_out(), b"dddd\n".map(u16::from));
        // A block that starts on a line start stays where it is.
        assert_eq!(Corpus::from_bytes(text, 5).unwrap().train().len(), 15);
        // No newline in the block: it stays at its size.
        assert_eq!(
            Corpus::from_bytes(b"abcdefghij", 3)
                .unwrap()
                .held_out()
                .len(),
            3
        );
        assert!(Corpus::from_bytes(text, 0).is_err());
        assert!(Corpus::from_bytes(text, 10).is_err()); // half the text
        assert!(Corpus::from_bytes(text, 9).is_ok());
        // A block whose only newline is its last byte stays at its size.
        assert_eq!(
            Corpus::from_bytes(b"abcdefghi\n", 3)
                .unwrap()
                .held_out()
                .len(),
            3
        );
        assert!(Corpus::from_bytes(b"", 1).is_err());
        // Training windows come from the training part only: the held-out lines are all d.
        let mut rng = SplitMix64(3);
        for _ in 0..500 {
            let w = c.train_window(&mut rng, 4).unwrap();
            assert!(!w.contains(&u16::from(b'd')), "{w:?}");
        }
        let whole = c.train_window(&mut rng, 15).unwrap();
        assert_eq!(whole, c.train());
        assert!(c.train_window(&mut rng, 0).is_err());
        assert!(c.train_window(&mut rng, 16).is_err());
    }

    #[test]
    fn batches_depend_on_seed_and_step_only() {
        let text: Vec<u8> = (0..5000u32).map(|i| b'a' + (i * 7 % 26) as u8).collect();
        let c = Corpus::from_bytes(&text, 100).unwrap();
        let a = c.train_batch(1, 5, 3, 32).unwrap();
        assert_eq!(a, c.train_batch(1, 5, 3, 32).unwrap());
        assert_ne!(a, c.train_batch(1, 6, 3, 32).unwrap());
        assert_ne!(a, c.train_batch(2, 5, 3, 32).unwrap());
        assert_ne!(a[0], a[1]);
        assert!(c.train_batch(1, 5, 3, 0).is_err());
    }
}
