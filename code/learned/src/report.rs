//! The tables of the learned-embeddings chapter, as Markdown.

use bookkit::{Table, fixed};

use crate::packing::{Reset, mismatches, pack};
use crate::pca::principal_components;
use crate::{Error, Scheme, init_table, train_toy, translation_gap};

/// Every token's document, index, context and the position it gets with and without resets.
///
/// # Errors
/// As [`pack`].
pub fn packing(docs: &[usize], context_len: usize) -> Result<String, Error> {
    let never = pack(docs, context_len, Reset::Never)?;
    let reset = pack(docs, context_len, Reset::AtDocumentStart)?;
    let mut t = Table::new([
        "document",
        "index in document",
        "context",
        "offset",
        "position, no reset",
        "position, reset",
    ]);
    let mark = |position: usize, index: usize| {
        if position == index {
            position.to_string()
        } else {
            format!("**{position}** ≠ {index}")
        }
    };
    for (a, b) in never.iter().zip(&reset) {
        t.row([
            a.doc.to_string(),
            a.index_in_doc.to_string(),
            a.context.to_string(),
            a.offset.to_string(),
            mark(a.position, a.index_in_doc),
            mark(b.position, b.index_in_doc),
        ]);
    }
    Ok(format!(
        "{t}\nDocuments {docs:?} in contexts of {context_len}: {} of {} tokens get a position \
         different from their index in their document without resets, {} with resets.\n",
        mismatches(&never),
        never.len(),
        mismatches(&reset)
    ))
}

/// The toy run the page shows, as a table and as a figure: rows of the table.
pub const TOY_ROWS: usize = 16;
/// The toy run's width.
pub const TOY_DIM: usize = 8;
/// The toy run's training lengths, cycled one per step.
pub const TOY_LENGTHS: [usize; 3] = [4, 8, 12];
/// The toy run's number of steps.
pub const TOY_STEPS: usize = 60;
/// The toy run's learning rate.
pub const LEARNING_RATE: f64 = 0.1;
/// The seed of the toy table's initial values.
pub const SEED: u64 = 2024;

/// The toy run with the page's settings ([`TOY_ROWS`], [`TOY_DIM`], [`TOY_LENGTHS`], [`TOY_STEPS`]).
///
/// # Errors
/// As [`train_toy`] (never, for these constants).
pub fn toy_run() -> Result<crate::Trained, Error> {
    let init = init_table(TOY_ROWS, TOY_DIM, crate::INIT_STD, SEED)?;
    train_toy(&init, &TOY_LENGTHS, TOY_STEPS, LEARNING_RATE)
}

/// What the toy table shows, in words, with every number taken from the run's settings and its
/// update counts: which rows are in every sequence, which in the fewest, which in none.
///
/// # Errors
/// As [`train_toy`].
pub fn training_reading(max_len: usize, lengths: &[usize]) -> Result<String, Error> {
    let mut sorted = lengths.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let (Some(&shortest), Some(&longest)) = (sorted.first(), sorted.last()) else {
        return Err(errors::bad(
            "lengths",
            "[]",
            "the run needs at least one length",
        ));
    };
    if longest > max_len {
        return Err(errors::bad(
            "sequence length",
            longest,
            "a training sequence cannot be longer than the table",
        ));
    }
    let second = sorted.len().checked_sub(2).map_or(0, |k| sorted[k]);
    let in_longest = lengths.iter().filter(|&&n| n == longest).count();
    let mut out = format!(
        "Rows 0 to {} are in every sequence and have converged; rows {second} to {} appear in \
         {} sequence{} in {} and are still on their way",
        shortest - 1,
        longest - 1,
        number_word(in_longest),
        if in_longest == 1 { "" } else { "s" },
        number_word(lengths.len())
    );
    if longest < max_len {
        let (rows, is, tokens, those) = if max_len - longest == 1 {
            (
                format!("row {longest}"),
                "is",
                "its last token".to_string(),
                "that random vector",
            )
        } else {
            (
                format!("rows {longest} to {}", max_len - 1),
                "are",
                format!("its last {} tokens", number_word(max_len - longest)),
                "those random vectors",
            )
        };
        out.push_str(&format!(
            "; {rows} received no update at all and {is} bit for bit {} random initial \
             value{}. A model served with {max_len}-token inputs would add {those} to {tokens}, \
             {} it has never seen.",
            if is == "is" { "its" } else { "their" },
            if is == "is" { "" } else { "s" },
            if is == "is" { "a vector" } else { "vectors" },
        ));
    } else {
        out.push('.');
    }
    out.push('\n');
    Ok(out)
}

/// "one" to "ten" in words, larger counts in digits.
pub fn number_word(n: usize) -> String {
    const WORDS: [&str; 11] = [
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    ];
    WORDS
        .get(n)
        .map_or_else(|| n.to_string(), |w| (*w).to_string())
}

/// The toy training run: per row, updates received, distance moved, distance to the target.
///
/// # Errors
/// As [`train_toy`].
pub fn training(
    max_len: usize,
    d: usize,
    lengths: &[usize],
    steps: usize,
) -> Result<String, Error> {
    let init = init_table(max_len, d, crate::INIT_STD, SEED)?;
    let run = train_toy(&init, lengths, steps, LEARNING_RATE)?;
    let target = sinusoidal::Sinusoid::paper(d)?;
    let mut t = Table::new([
        "position",
        "updates",
        "distance moved from the initial row",
        "distance to the target",
    ]);
    for p in 0..max_len {
        let (now, before) = (run.trained.lookup(p)?, run.initial.lookup(p)?);
        let moved = (&now - &before).mapv(|v| v * v).sum().sqrt();
        let left = (&now - &target.encode(p)).mapv(|v| v * v).sum().sqrt();
        t.row([
            p.to_string(),
            run.updates[p].to_string(),
            fixed(moved, 4),
            fixed(left, 4),
        ]);
    }
    Ok(format!(
        "{t}\nTable of {max_len} rows × {d}, initialised from N(0, 0.02²); {steps} steps over \
         sequence lengths {lengths:?}, learning rate {LEARNING_RATE}.\n"
    ))
}

/// The principal components of the toy run's table (the run of [`training`]): each row's
/// coordinates along the first three components, and the share of the variance the first one,
/// two and three carry, for the trained table and for its random initial state.
///
/// # Errors
/// As [`training`]; a width below 3.
pub fn components(
    max_len: usize,
    d: usize,
    lengths: &[usize],
    steps: usize,
) -> Result<String, Error> {
    if d < 3 {
        return Err(errors::bad(
            "width",
            d,
            "the table shows three components, so the rows need at least three entries",
        ));
    }
    let init = init_table(max_len, d, crate::INIT_STD, SEED)?;
    let run = train_toy(&init, lengths, steps, LEARNING_RATE)?;
    let after = principal_components(run.trained.rows())?;
    let before = principal_components(run.initial.rows())?;
    let mut t = Table::new(["position", "updates", "PC 1", "PC 2", "PC 3"]);
    for p in 0..max_len {
        let c = after.project(run.trained.rows().row(p))?;
        t.row([
            p.to_string(),
            run.updates[p].to_string(),
            fixed(c[0], 3),
            fixed(c[1], 3),
            fixed(c[2], 3),
        ]);
    }
    let shares = |c: &crate::pca::Components| {
        (1..=3)
            .map(|k| format!("{:.0}%", 100.0 * c.share(k)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    // Variance spread evenly over the d directions would put k/d of it in any k of them.
    let even = (1..=3)
        .map(|k| format!("{:.1}%", 100.0 * k as f64 / d as f64))
        .collect::<Vec<_>>()
        .join(", ");
    Ok(format!(
        "{t}\nShare of the variance along the first one, two and three components: {} for the \
         trained table, {} for the same table before training (random rows). The table has \
         {max_len} rows of width {d}; variance spread evenly over the {d} directions would put \
         {even} in any one, two and three of them.\n",
        shares(&after),
        shares(&before)
    ))
}

/// The largest change in any attention logit when all three tokens move on by `c`.
///
/// # Errors
/// A shift that runs past the learned table.
pub fn shifts(shifts: &[usize]) -> Result<String, Error> {
    let mut t = Table::new([
        "shift c",
        "positions",
        "sinusoidal: largest logit change",
        "learned: largest logit change",
        "relative bias: largest logit change",
    ]);
    for &c in shifts {
        t.row([
            c.to_string(),
            format!("{}, {}, {}", c, 1 + c, 2 + c),
            fixed(translation_gap(&[0, 1, 2], c, Scheme::Sinusoidal)?, 4),
            fixed(translation_gap(&[0, 1, 2], c, Scheme::Learned)?, 4),
            fixed(translation_gap(&[0, 1, 2], c, Scheme::RelativeBias)?, 4),
        ]);
    }
    Ok(t.to_string())
}

/// Size of the position table of some well-known models (from their published configurations).
pub fn parameters() -> String {
    let mut t = Table::new([
        "model",
        "positions L_max",
        "width d_model",
        "table parameters",
    ]);
    for (model, l, d) in [
        ("BERT-base", 512usize, 768usize),
        ("BERT-large", 512, 1024),
        ("GPT-2 small", 1024, 768),
        ("GPT-2 XL", 1024, 1600),
    ] {
        t.row([
            model.to_string(),
            l.to_string(),
            d.to_string(),
            (l * d).to_string(),
        ]);
    }
    t.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reading_follows_the_run() {
        // Every row reached: no sentence about untouched rows, and the counts in words.
        let full = training_reading(12, &[4, 12, 12]).unwrap();
        assert_eq!(
            full,
            "Rows 0 to 3 are in every sequence and have converged; rows 4 to 11 appear in two \
             sequences in three and are still on their way.\n"
        );
        // One row past the longest sequence: exactly one untouched row.
        let one = training_reading(13, &[4, 12]).unwrap();
        assert!(one.contains("; row 12 received no update"), "{one}");
        assert!(
            one.contains("is bit for bit its random initial value."),
            "{one}"
        );
        assert!(
            one.contains("that random vector to its last token, a vector"),
            "{one}"
        );
        // A sequence longer than the table, or no sequence at all, is refused.
        assert!(training_reading(11, &[4, 12]).is_err());
        assert!(training_reading(12, &[]).is_err());
        assert_eq!(number_word(11), "11");
    }
}
