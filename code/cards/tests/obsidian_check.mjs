// Parses the generated Obsidian notes with the Spaced Repetition plugin's own parser: a check
// against the real client, like anki_check.py for Anki.
//
// Not part of the test command (it needs Node, two packages from the npm registry and the
// plugin's source). Run it from the repository root:
//
//   mkdir -p /tmp/osr-check && (cd /tmp/osr-check && npm init -y && npm install esbuild@0.28 clozecraft@0.4)
//   git clone <the plugin's repository, st3v3nmw/obsidian-spaced-repetition on GitHub> /tmp/osr
//   cargo run -p cards --example decks -- . /tmp/cards-out
//   NODE_PATH=/tmp/osr-check/node_modules node code/cards/tests/obsidian_check.mjs /tmp/osr /tmp/cards-out/obsidian [VAULT_DIR]
//
// It bundles the plugin's src/parser.ts (with the two modules it imports reduced to what it
// uses: the CardType enum and one constant), runs `parse` with the plugin's default settings
// (`?` and `??` multi-line separators, `::` and `:::` single-line ones, `==highlight==` clozes, no
// end marker) on every note in the folder, front matter blanked as the plugin does, and checks
// that every card is a one-way multi-line card whose text is exactly the bold question, the `?`
// line and the answer (plus the scheduling comment, where there is one); that a
// `.retired-cards.md` note yields no card; and that the note's card count equals the number of
// `?` lines. It prints one line per note and exits 1 on any mismatch. The output of the last run
// (plugin 1.15.4, commit 22fbea0a) is at the end of this file.

import { createRequire } from "node:module";
import { readFileSync, readdirSync, writeFileSync, mkdtempSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";

// esbuild and clozecraft come from the folder NODE_PATH names.
const deps = process.env.NODE_PATH || "/tmp/osr-check/node_modules";
const { build } = createRequire(join(deps, "x.js"))("esbuild");

const [plugin, ...dirs] = process.argv.slice(2);
if (!plugin || dirs.length === 0) {
    console.error("usage: node obsidian_check.mjs PLUGIN_REPO NOTES_DIR [MORE_DIRS]");
    process.exit(2);
}

// The parser imports CardType from a module that pulls in the whole plugin; give it the enum.
const work = mkdtempSync(join(tmpdir(), "osr-"));
const shim = join(work, "question.ts");
writeFileSync(
    shim,
    "export enum CardType { SingleLineBasic, SingleLineReversed, MultiLineBasic, MultiLineReversed, Cloze }\n",
);
const out = join(work, "parser.mjs");
await build({
    entryPoints: [join(plugin, "src/parser.ts")],
    bundle: true,
    format: "esm",
    platform: "node",
    outfile: out,
    logLevel: "error",
    nodePaths: [deps],
    plugins: [
        {
            name: "shim",
            setup(b) {
                b.onResolve({ filter: /card\/questions\/question$/ }, () => ({ path: shim }));
                b.onResolve({ filter: /^src\// }, (args) => ({
                    path: join(plugin, args.path + ".ts"),
                }));
            },
        },
    ],
});
const { parse } = await import(out);
const MULTI_LINE_BASIC = 2;

const options = {
    singleLineCardSeparator: "::",
    singleLineReversedCardSeparator: ":::",
    multilineCardSeparator: "?",
    multilineReversedCardSeparator: "??",
    multilineCardEndMarker: "",
    clozePatterns: ["==[123;;]answer[;;hint]=="],
};

let failures = 0;
for (const dir of dirs) {
    for (const name of readdirSync(dir).filter((n) => n.endsWith(".md")).sort()) {
        const text = readFileSync(join(dir, name), "utf8");
        // The plugin blanks the front matter (keeping its lines) before parsing.
        const body = text.replace(/^---\r?\n((?:.*\r?\n)*?)---/, (m) => m.replace(/[^\n]/g, ""));
        const cards = parse(body, options);
        const lines = body.split("\n");
        const separators = lines.filter((l) => l.trim() === "?").length;
        const problems = [];
        if (name.endsWith(".retired-cards.md")) {
            if (cards.length !== 0) problems.push(`${cards.length} cards in a retired note`);
        } else {
            if (cards.length !== separators)
                problems.push(`${cards.length} cards for ${separators} separator lines`);
            for (const card of cards) {
                const text = card.text.split("\n");
                if (card.cardType !== MULTI_LINE_BASIC) problems.push(`line ${card.firstLineNum + 1}: type ${card.cardType}`);
                if (!/^\*\*.+\*\*$/.test(text[0]) || text[1] !== "?")
                    problems.push(`line ${card.firstLineNum + 1}: not a bold question and a ? line`);
                if (text.slice(2).some((l) => l.trim() === ""))
                    problems.push(`line ${card.firstLineNum + 1}: a blank line inside the answer`);
                // The card runs to the line before the next blank line: nothing was cut off.
                const next = lines[card.lastLineNum + 1];
                if (next !== undefined && next.trim() !== "")
                    problems.push(`line ${card.firstLineNum + 1}: the card stops before line ${card.lastLineNum + 2}`);
            }
        }
        const history = cards.filter((c) => c.text.includes("<!--SR:")).length;
        console.log(
            `${name}: ${cards.length} cards (${history} with history)` +
                (problems.length ? `; PROBLEMS: ${problems.join("; ")}` : ""),
        );
        failures += problems.length;
    }
}
process.exit(failures ? 1 : 0);

// Output of the last run, on the book's notes and on the fixture vault after the update of
// tests/cards.rs (target/tmp/cards-vault):
//
//   01-why-position.md: 9 cards (0 with history)
//   02-sinusoidal-positional-encoding.md: 10 cards (0 with history)
//   03-learned-position-embeddings.md: 10 cards (0 with history)
//   04-relative-position.md: 9 cards (0 with history)
//   05-rotary-position-embedding-rope.md: 10 cards (0 with history)
//   06-beyond-the-training-length-rope-scaling.md: 11 cards (0 with history)
//   01-first-chapter.md: 3 cards (1 with history)
//   01-first-chapter.retired-cards.md: 0 cards (0 with history)
//   02-second-the-sequel.md: 1 cards (0 with history)
//   my-own-note.md: 0 cards (0 with history)
