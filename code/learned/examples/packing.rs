//! Packs documents into fixed contexts and prints the position each token gets.
//!
//! ```text
//! cargo run -p learned --example packing -- --docs 5,3,7 --context 8
//! ```

use std::process::ExitCode;

use clap::Parser;

/// Packs documents into contexts of a fixed length and prints, for every token, its document,
/// index, context, offset and the position it is given with and without resets.
#[derive(Parser)]
#[command(name = "packing")]
struct Args {
    /// Document lengths: positive whole numbers separated by commas, at most 200 tokens in all.
    // Spelled `::std::vec::Vec` so that clap's derive reads one comma list, not a repeated flag.
    #[arg(long, value_name = "N,N,...", default_value = "5,3,7", value_parser = docs)]
    docs: ::std::vec::Vec<usize>,
    /// Context length: a positive whole number.
    #[arg(long, value_name = "L", default_value_t = 8)]
    context: usize,
}

/// Whole numbers separated by commas, at most 200 in all (an empty document is refused by
/// `pack`, which names it).
fn docs(text: &str) -> Result<Vec<usize>, String> {
    let docs = bookkit::cli::list::<usize>(text)?;
    let total = docs.iter().try_fold(0usize, |a, &n| a.checked_add(n));
    if total.is_none_or(|t| t > 200) {
        return Err("expected at most 200 tokens in all".into());
    }
    Ok(docs)
}

fn main() -> ExitCode {
    bookkit::cli::run(|args: Args| learned::report::packing(&args.docs, args.context))
}
