//! The chapter's tables, checked; the page includes these snapshots after their 3-line header.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use sinusoidal::report;
use sinusoidal::{BASE, Sinusoid};

#[test]
fn naive_schemes() {
    bookkit::snapshot!("naive", report::naive_schemes(8).unwrap());
}

#[test]
fn worked_d4_positions_0_to_3() {
    bookkit::snapshot!(
        "worked_d4",
        report::encoding_table(&Sinusoid::paper(4).unwrap(), 4, 4)
    );
}

#[test]
fn worked_d8_position_1() {
    bookkit::snapshot!(
        "worked_d8",
        report::worked_entries(&Sinusoid::paper(8).unwrap(), 1)
    );
}

#[test]
fn wavelengths_d512() {
    let enc = Sinusoid::paper(512).unwrap();
    bookkit::snapshot!(
        "wavelengths",
        report::wavelengths(&enc, &[0, 1, 2, 64, 128, 192, 255])
    );
}

#[test]
fn the_two_layouts() {
    bookkit::snapshot!("layouts", report::layouts(8, 3).unwrap());
}

#[test]
fn the_four_combinations() {
    bookkit::snapshot!("variants", report::variants(8, 3).unwrap());
}

#[test]
fn the_two_schedules() {
    bookkit::snapshot!(
        "schedules",
        report::schedules(512, BASE, &[0, 1, 64, 128, 192, 254, 255]).unwrap()
    );
}

#[test]
fn figure_captions() {
    use sinusoidal::figures;
    bookkit::snapshot!("caption_heatmap", figures::heatmap_caption());
    bookkit::snapshot!("caption_dims", figures::dims_caption());
    bookkit::snapshot!("caption_dot", figures::dot_caption());
}

#[test]
fn concatenated_worked_d8_position_1() {
    let enc = Sinusoid::tensor2tensor(8).unwrap();
    bookkit::snapshot!("worked_d8_concat", report::worked_entries(&enc, 1));
}

#[test]
fn shift_matrix_d4() {
    bookkit::snapshot!(
        "shift",
        report::shift(&Sinusoid::paper(4).unwrap(), 2, 3).unwrap()
    );
}

#[test]
fn sine_only_has_no_shift_matrix() {
    bookkit::snapshot!("sin_only", report::sin_only_fit(8, 1, 200).unwrap());
}

#[test]
fn dot_product_by_offset() {
    let offsets = [0, 1, 2, 3, 5, 10, 20, 50, 100, 200, 500, 1000];
    bookkit::snapshot!("dot", report::dot_offsets(512, &offsets, 10_000).unwrap());
}

#[test]
fn first_rise_by_base() {
    bookkit::snapshot!(
        "first_rise",
        report::first_rises(512, &[10.0, 100.0, 1000.0, 10000.0, 100000.0], 100_000).unwrap()
    );
}

#[test]
fn embedding_scale() {
    bookkit::snapshot!("scale", report::embedding_scale(&[64, 512, 4096]).unwrap());
}

#[test]
fn f32_precision() {
    let positions = [100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000];
    bookkit::snapshot!("precision", report::precision(512, &positions).unwrap());
}

#[test]
fn f32_precision_fairseq() {
    let positions = [100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000];
    bookkit::snapshot!(
        "precision_fairseq",
        report::precision_fairseq(512, &positions).unwrap()
    );
}

/// The offset the base-1 exercise names in its solution.
#[test]
fn base_one_return() {
    bookkit::snapshot!(
        "base_one_return",
        report::base_one_return(512, 1000).unwrap()
    );
}

#[test]
fn sinusoids_through_w_q_w_k() {
    let enc = sinusoidal::Sinusoid::paper(8).unwrap();
    bookkit::snapshot!(
        "bilinear",
        sinusoidal::bilinear::table(&enc, 3, 4, 200, 2026).unwrap()
    );
}
