//! The chapter's tables, checked; the page includes these snapshots after their 3-line header.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use learned::report;

fn check(name: &str, value: String) {
    insta::with_settings!({ omit_expression => true, prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!(name, value);
    });
}

#[test]
fn packing_short_documents() {
    check("packing", report::packing(&[5, 3, 7], 8).unwrap());
}

#[test]
fn packing_with_splits() {
    check("packing_split", report::packing(&[5, 3, 7], 6).unwrap());
}

#[test]
fn toy_training() {
    check(
        "training",
        report::training(16, 8, &[4, 8, 12], 60).unwrap(),
    );
}

#[test]
fn shifting_every_position() {
    check("shifts", report::shifts(&[0, 1, 2, 5]).unwrap());
}

#[test]
fn table_sizes() {
    check("parameters", report::parameters());
}

#[test]
fn the_length_limit_error() {
    let table = learned::init_table(4, 2, learned::INIT_STD, 3).unwrap();
    let x = ndarray::Array2::<f64>::ones((5, 2));
    let e = learned::add_positions(x.view(), &table).unwrap_err();
    check("length_error", format!("```text\n{e}\n```"));
}
