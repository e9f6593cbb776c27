//! `rope-inspect`: reads a Hugging Face `config.json` (a file, a model folder, or a model id in
//! the local Hugging Face cache, never downloaded) and says how the model encodes positions, per
//! kind of layer; `--json` prints the same reading for scripts. See `scaling::cli`.
//!
//! ```text
//! cargo install --path code/scaling
//! rope-inspect code/scaling/tests/fixtures/models/llama-3.1-8b.json
//! rope-inspect meta-llama/Llama-3.1-8B --json
//! ```

fn main() -> std::process::ExitCode {
    bookkit::cli::run(scaling::cli::run)
}
