"""Imports the generated decks with Anki's own library: a check against the real client.

Not part of the test command (it needs the `anki` package from the Python registry). Run it
from the repository root:

    python3 -m venv /tmp/ankivenv && /tmp/ankivenv/bin/pip install anki
    /tmp/ankivenv/bin/python code/cards/tests/anki_check.py

It writes the book's package and two versions of the fixture book's package (the second with
one answer changed and a later time stamp) with `cargo run -p cards --example decks`, imports
them into fresh collections with Anki's default options (update a known note when the
package's copy is newer), and prints what Anki saw; it exits 1 if a check fails. The output
of the last run (anki 26.9.3, Python 3.11) is at the end of this file.
"""

import os
import shutil
import subprocess
import sys
import tempfile

from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
FIXTURE = os.path.join(ROOT, "code", "cards", "tests", "fixtures", "book")


def write_decks(book_root, dest, mtime):
    subprocess.run(
        ["cargo", "run", "-q", "-p", "cards", "--example", "decks", "--", book_root, dest, str(mtime)],
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return os.path.join(dest, "where-is-each-token.apkg")


def import_package(col, path):
    # The defaults of the desktop app's import dialog: update notes whose copy is newer.
    options = ImportAnkiPackageOptions(with_scheduling=False, with_deck_configs=False)
    response = col.import_anki_package(ImportAnkiPackageRequest(package_path=path, options=options))
    log = response.log
    return len(log.new), len(log.updated), len(log.duplicate)


def counts(col):
    return col.note_count(), col.card_count()


def main():
    work = tempfile.mkdtemp(prefix="anki-check-")
    failures = 0

    # The book's deck.
    apkg = write_decks(ROOT, os.path.join(work, "book"), 1_700_000_000)
    col = Collection(os.path.join(work, "book.anki2"))
    new, updated, dup = import_package(col, apkg)
    print(f"book: imported {new} notes (updated {updated}, duplicates {dup})")
    notes, cards = counts(col)
    print(f"book: collection has {notes} notes, {cards} cards")
    for name, did in sorted((d.name, d.id) for d in col.decks.all_names_and_ids()):
        n = len(col.find_cards(f'did:{did}'))
        print(f"  {name}: {n} cards")
    tags = sorted(col.tags.all())
    print(f"book: tags {tags}")
    note = col.get_note(col.find_notes("")[0])
    print(f"book: a note's guid {note.guid!r}, id {note.id}, fields {list(note.keys())}")
    # The crate's note id: 10^12 plus the guid's low 39 bits. Anki keeps it (it replaces ids in
    # the future only).
    kept = sum(n.id == 10**12 + (int(n.guid, 16) & (2**39 - 1)) for n in map(col.get_note, col.find_notes("")))
    print(f"book: {kept} of {notes} notes kept the crate's note id")
    if kept != notes:
        failures += 1
    # Anki's own consistency check (Tools > Check Database) over the imported notes.
    message, ok = col.fix_integrity()
    print(f"book: check database: {message!r}, ok={ok}")
    if not ok or message.strip() != "Database rebuilt and optimized.":
        failures += 1
    new, updated, dup = import_package(col, apkg)
    print(f"book: re-import of the same package: new {new}, updated {updated}; now {counts(col)[0]} notes, {counts(col)[1]} cards")
    if counts(col) != (notes, cards):
        failures += 1
    col.close()

    # The fixture book, then the same book with one answer changed, written later.
    v1 = write_decks(FIXTURE, os.path.join(work, "v1"), 1_700_000_000)
    changed = os.path.join(work, "fixture-v2")
    shutil.copytree(FIXTURE, changed)
    second = os.path.join(changed, "src", "second.md")
    with open(second) as f:
        text = f.read()
    with open(second, "w") as f:
        f.write(text.replace("\nYes.\n", "\nYes, and it has one card.\n"))
    v2 = write_decks(changed, os.path.join(work, "v2"), 1_700_000_100)

    col = Collection(os.path.join(work, "fixture.anki2"))
    import_package(col, v1)
    question = "Is the second chapter short?"
    nid = col.find_notes(f'"Question:{question}"')[0]
    print(f"fixture v1: {counts(col)[0]} notes, {counts(col)[1]} cards; answer: {col.get_note(nid)['Answer'].strip()}")
    new, updated, dup = import_package(col, v2)
    nids = col.find_notes(f'"Question:{question}"')
    answer = col.get_note(nids[0])["Answer"].strip()
    print(f"fixture v2: new {new}, updated {updated}; {counts(col)[0]} notes, {counts(col)[1]} cards; answer: {answer}")
    if counts(col) == (4, 4) and nids == [nid] and "one card" in answer:
        print("fixture: the re-import updated the note in place, no duplicate")
    else:
        failures += 1
        print("fixture: FAILED")
    col.close()
    shutil.rmtree(work)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

# Output of the last run (anki 26.9.3):
#
#   book: imported 61 notes (updated 0, duplicates 0)
#   book: collection has 61 notes, 61 cards
#     Default: 0 cards
#     Where Is Each Token?: 0 cards
#     Where Is Each Token?::1. Why position?: 9 cards
#     Where Is Each Token?::2. Sinusoidal positional encoding: 11 cards
#     Where Is Each Token?::3. Learned position embeddings: 8 cards
#     Where Is Each Token?::4. Relative position: 10 cards
#     Where Is Each Token?::5. Rotary position embedding (RoPE): 10 cards
#     Where Is Each Token?::6. Beyond the training length: RoPE scaling: 13 cards
#   book: tags ['where-is-each-token::01-order', 'where-is-each-token::02-sinusoidal', 'where-is-each-token::03-learned', 'where-is-each-token::04-relative', 'where-is-each-token::05-rope', 'where-is-each-token::06-scaling']
#   book: a note's guid '947e1f00aa6e3ba8', id 1002859350952, fields ['Question', 'Answer', 'Source']
#   book: 61 of 61 notes kept the crate's note id
#   book: check database: 'Database rebuilt and optimized.', ok=True
#   book: re-import of the same package: new 0, updated 0; now 61 notes, 61 cards
#   fixture v1: 4 notes, 4 cards; answer: <p>Yes.</p>
#   fixture v2: new 0, updated 4; 4 notes, 4 cards; answer: <p>Yes, and it has one card.</p>
#   fixture: the re-import updated the note in place, no duplicate
