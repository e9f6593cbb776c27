//! Reads a Hugging Face `config.json` and prints its RoPE scaling: every kind of layer with its
//! count, mixer and scheme (or no RoPE), what else the model does with positions, notes and
//! warnings, then every pair's frequency before and after for the main rotating layers,
//! wavelengths, the cos/sin factor and the softmax scale of the logits. For a model without RoPE
//! it says what the model uses instead, and for a model with no attention, that it has no
//! position encoding. The same program is the crate's binary, `rope-inspect` (`scaling::cli`).
//!
//! ```text
//! cargo run -p scaling --example inspect -- code/scaling/tests/fixtures/llama-3.1-8b.json
//! cargo run -p scaling --example inspect -- path/to/config.json --seq-len 200000 --figure rope.svg
//! cargo run -p scaling --example inspect -- path/to/model-folder --json
//! ```

fn main() -> std::process::ExitCode {
    bookkit::cli::run(scaling::cli::run)
}
