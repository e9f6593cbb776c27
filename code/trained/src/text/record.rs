//! Where a results file's numbers come from, on its first line, in the form chapter 7's first
//! results file (`results/experiment.md`) uses: the label *Measured*, the command that wrote it,
//! the seeds, the configuration's fingerprint and a code canary. A test compares that line with
//! what the code would write now ([`Provenance::check`]), so a committed result that no longer
//! matches the code's configuration, or its code, fails the test command.

use errors::bad;

use crate::Error;

/// 64-bit FNV-1a of `text`, in hex: the fingerprint of a configuration's debug text (which
/// prints every field and every float exactly); `experiment::Config::hash` is this too.
///
/// ```
/// use trained::text::record::fingerprint;
/// assert_eq!(fingerprint(""), "cbf29ce484222325"); // FNV-1a's offset basis
/// assert_eq!(fingerprint("a"), "af63dc4c8601ec8c");
/// ```
pub fn fingerprint(text: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        h ^= u64::from(byte);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// A results file's first line, parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct Provenance {
    /// The command that wrote the file.
    pub command: String,
    /// The training seeds (none for a counted baseline).
    pub seeds: Vec<u64>,
    /// The configuration's [`fingerprint`].
    pub fingerprint: String,
    /// A short digest of numbers the code computes quickly (what changes when the code does).
    pub canary: String,
}

impl Provenance {
    /// The line: `Measured: output of `…`, seeds 0, 1, 2, configuration `…`, code canary `…`.`
    ///
    /// ```
    /// use trained::text::record::Provenance;
    /// let p = Provenance { command: "cargo run".into(), seeds: vec![0, 1], fingerprint: "ab".into(), canary: "c".into() };
    /// assert_eq!(p.line(), "Measured: output of `cargo run`, seeds 0, 1, configuration `ab`, code canary `c`.");
    /// assert_eq!(Provenance::parse(&p.line())?, p);
    /// # Ok::<(), trained::Error>(())
    /// ```
    pub fn line(&self) -> String {
        let seeds = if self.seeds.is_empty() {
            "no seeds (counted, not trained)".to_string()
        } else {
            let s: Vec<String> = self.seeds.iter().map(u64::to_string).collect();
            format!("seeds {}", s.join(", "))
        };
        format!(
            "Measured: output of `{}`, {seeds}, configuration `{}`, code canary `{}`.",
            self.command, self.fingerprint, self.canary
        )
    }

    /// Reads a line written by [`Provenance::line`].
    ///
    /// # Errors
    /// A line of any other form, named.
    pub fn parse(line: &str) -> Result<Provenance, Error> {
        let refuse = || {
            bad(
                "results file's first line",
                format!("{line:?}"),
                "it must read: Measured: output of `COMMAND`, seeds A, B (or no seeds (counted, not trained)), configuration `HASH`, code canary `CANARY`.",
            )
        };
        let rest = line
            .strip_prefix("Measured: output of `")
            .ok_or_else(refuse)?;
        let (command, rest) = rest.split_once("`, ").ok_or_else(refuse)?;
        let (seeds, rest) = rest.split_once(", configuration `").ok_or_else(refuse)?;
        let (fingerprint, rest) = rest.split_once("`, code canary `").ok_or_else(refuse)?;
        let canary = rest.strip_suffix("`.").ok_or_else(refuse)?;
        let seeds = if seeds == "no seeds (counted, not trained)" {
            Vec::new()
        } else {
            seeds
                .strip_prefix("seeds ")
                .ok_or_else(refuse)?
                .split(", ")
                .map(|s| s.parse::<u64>().map_err(|_| refuse()))
                .collect::<Result<_, _>>()?
        };
        Ok(Provenance {
            command: command.to_string(),
            seeds,
            fingerprint: fingerprint.to_string(),
            canary: canary.to_string(),
        })
    }

    /// Checks that the committed file `text` (its first line) was made by `self`: the same
    /// configuration, then the same code, then the same seeds.
    ///
    /// # Errors
    /// A first line that does not parse, or that differs; the message names what differs and
    /// the command that remakes the file.
    pub fn check(&self, text: &str) -> Result<(), Error> {
        let got = Provenance::parse(text.lines().next().unwrap_or(""))?;
        let rerun = format!("rerun `{}`", self.command);
        if got.fingerprint != self.fingerprint {
            return Err(bad(
                "results file's configuration",
                &got.fingerprint,
                format!(
                    "the code's configuration is `{}`: {rerun}",
                    self.fingerprint
                ),
            ));
        }
        if got.canary != self.canary {
            return Err(bad(
                "results file's code canary",
                &got.canary,
                format!(
                    "the code computes `{}` now, so the code changed: {rerun}",
                    self.canary
                ),
            ));
        }
        if got != *self {
            return Err(bad(
                "results file's first line",
                got.line(),
                format!("it must be {}: {rerun}", self.line()),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p() -> Provenance {
        Provenance {
            command: "cargo run -p trained --example text".into(),
            seeds: vec![],
            fingerprint: "0123456789abcdef".into(),
            canary: "bigram=3.1".into(),
        }
    }

    #[test]
    fn a_line_round_trips_and_a_changed_one_is_named() {
        let line = p().line();
        assert!(line.contains("no seeds"));
        assert_eq!(Provenance::parse(&line).unwrap(), p());
        let file = format!("{line}\n\n| table |\n");
        assert!(p().check(&file).is_ok());
        let other = Provenance {
            fingerprint: "ffff".into(),
            ..p()
        };
        let e = other.check(&file).unwrap_err().to_string();
        assert!(
            e.contains("0123456789abcdef") && e.contains("ffff") && e.contains("rerun"),
            "{e}"
        );
        let code = Provenance {
            canary: "bigram=3.2".into(),
            ..p()
        };
        assert!(
            code.check(&file)
                .unwrap_err()
                .to_string()
                .contains("canary")
        );
        let seeds = Provenance {
            seeds: vec![0, 1, 2],
            ..p()
        };
        assert!(seeds.check(&file).is_err());
        assert_eq!(Provenance::parse(&seeds.line()).unwrap(), seeds);
        for bad_line in [
            "",
            "Measured: output of `x`",
            "Computed: output of `x`, seeds 1, configuration `a`, code canary `b`.",
            "Measured: output of `x`, seeds one, configuration `a`, code canary `b`.",
        ] {
            assert!(Provenance::parse(bad_line).is_err(), "{bad_line}");
        }
        assert!(p().check("").is_err());
    }
}
