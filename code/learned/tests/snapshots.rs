//! The chapter's tables, checked; the page includes these snapshots after their 3-line header.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use learned::report;

#[test]
fn packing_short_documents() {
    let table = report::packing(&[5, 3, 7], 8).unwrap();
    bookkit::snapshot!("packing", table);
}

#[test]
fn packing_with_splits() {
    let table = report::packing(&[5, 3, 7], 6).unwrap();
    bookkit::snapshot!("packing_split", table);
}

#[test]
fn toy_training() {
    use report::{TOY_DIM, TOY_LENGTHS, TOY_ROWS, TOY_STEPS};
    let table = report::training(TOY_ROWS, TOY_DIM, &TOY_LENGTHS, TOY_STEPS).unwrap();
    bookkit::snapshot!("training", table);
    let reading = report::training_reading(TOY_ROWS, &TOY_LENGTHS).unwrap();
    bookkit::snapshot!("training_reading", reading);
    let pcs = report::components(TOY_ROWS, TOY_DIM, &TOY_LENGTHS, TOY_STEPS).unwrap();
    bookkit::snapshot!("components", pcs);
}

#[test]
fn figure_captions() {
    bookkit::snapshot!("caption_training", learned::figures::training_caption());
    bookkit::snapshot!(
        "caption_packing",
        learned::figures::packing_caption().unwrap()
    );
}

#[test]
fn shifting_every_position() {
    let table = report::shifts(&[0, 1, 2, 5]).unwrap();
    bookkit::snapshot!("shifts", table);
}

#[test]
fn table_sizes() {
    let table = report::parameters();
    bookkit::snapshot!("parameters", table);
}

#[test]
fn the_length_limit_error() {
    let table = learned::init_table(4, 2, learned::INIT_STD, 3).unwrap();
    let x = ndarray::Array2::<f64>::ones((5, 2));
    let e = learned::add_positions(x.view(), &table).unwrap_err();
    let text = format!("```text\n{e}\n```");
    bookkit::snapshot!("length_error", text);
}
