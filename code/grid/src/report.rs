//! The tables of the grid chapter, as Markdown.

use std::f64::consts::PI;

use bookkit::{Table, fixed};
use ndarray::{Array1, Array2};

use crate::axial::Cell;
use crate::mrope::{Axis, Mrope, Sections};
use crate::positions::{Ids, Kind, Model, Release, Segment, Setup, position_ids};
use crate::{Align, Axial, Error, Grid, Mixed, published, resample};

/// The text model of Qwen2-VL as transformers 5.24.0's config classes default it: head width
/// 128 (hidden 8192 over 64 heads), `rope_theta` 10^6, `mrope_section` `[16, 24, 24]`, chunked,
/// `max_position_embeddings` 32768.
pub const QWEN2_VL: (usize, f64, [usize; 3], Sections, u64) =
    (128, 1e6, [16, 24, 24], Sections::Chunked, 32768);

/// The chapter's mixed sequence: two text tokens, a 4×4-patch image (2×2 tokens), a text token,
/// a video of 3 temporal patches of 4×4 patches (3×2×2 tokens), two text tokens.
pub fn example_sequence() -> Vec<Segment> {
    vec![
        Segment::Text(2),
        Segment::Image { h: 4, w: 4 },
        Segment::Text(1),
        Segment::Video { t: 3, h: 4, w: 4 },
        Segment::Text(2),
    ]
}

/// The setup of the examples: Qwen2-VL's merge of 2 and its limit.
pub fn qwen2_setup(release: Release) -> Setup {
    Setup {
        model: Model::Qwen2Vl,
        release,
        merge: 2,
        limit: QWEN2_VL.4,
    }
}

fn grid_text(table: &Array2<f64>, g: Grid) -> String {
    let mut t =
        Table::new(std::iter::once(String::new()).chain((0..g.cols()).map(|c| format!("col {c}"))));
    for r in 0..g.rows() {
        t.row(
            std::iter::once(format!("row {r}"))
                .chain((0..g.cols()).map(|c| fixed(table[[g.index(r, c), 0]], 3))),
        );
    }
    t.to_string()
}

/// A made-up one-channel table on `g`: cell `(i, j)` holds `2i + j + ij` (`[[0, 1], [2, 4]]` on
/// a 2×2 grid).
pub fn made_up_table(g: Grid) -> Array2<f64> {
    Array2::from_shape_fn((g.len(), 1), |(cell, _)| {
        let (i, j) = ((cell / g.cols()) as f64, (cell % g.cols()) as f64);
        2.0 * i + j + i * j
    })
}

/// [`made_up_table`] on `old`, resampled to `new` in both conventions.
///
/// # Errors
/// A `new` grid smaller than `old` on an axis.
pub fn resample_example(old: Grid, new: Grid) -> Result<String, Error> {
    let table = made_up_table(old);
    let mut out = format!("The learned table, {old}:\n\n{}\n", grid_text(&table, old));
    for (name, align) in [
        (
            "corners aligned (scipy.ndimage.zoom, big_vision)",
            Align::Corners,
        ),
        ("half-pixel (PyTorch align_corners=False)", Align::HalfPixel),
    ] {
        let r = resample(table.view(), old, new, align)?;
        out.push_str(&format!(
            "\nResampled to {new}, {name}:\n\n{}\n",
            grid_text(&r, new)
        ));
    }
    Ok(out)
}

/// ViT's grid at each `(image side, patch size)`: patches per side and table rows.
pub fn vit_grids(settings: &[(usize, usize)]) -> String {
    let mut t = Table::new([
        "image (px)",
        "patch (px)",
        "grid",
        "table rows (+1 for [class])",
    ]);
    for &(px, patch) in settings {
        let n = px / patch;
        t.row([
            format!("{px} × {px}"),
            patch.to_string(),
            format!("{n} × {n}"),
            format!("{} + 1", n * n),
        ]);
    }
    t.to_string()
}

/// The fixed query and key of the score tables and figures: entries `sin(0.9 i + 0.3)` and
/// `cos(0.4 i − 0.2)`, made up and deterministic.
pub fn query_key(d: usize) -> (Array1<f64>, Array1<f64>) {
    (
        Array1::from_shape_fn(d, |i| (0.9 * i as f64 + 0.3).sin()),
        Array1::from_shape_fn(d, |i| (0.4 * i as f64 - 0.2).cos()),
    )
}

/// Scores of the fixed query at cell `m` against the fixed key at cell `n`, for pairs of cells
/// with the same offset: axial RoPE, and the same with the axes mixed inside each pair.
///
/// # Errors
/// A bad head width or base.
pub fn axial_scores(head_dim: usize, base: f64, cells: &[(Cell, Cell)]) -> Result<String, Error> {
    let a = Axial::new(head_dim, base)?;
    let (q, k) = query_key(head_dim);
    let mut t = Table::new([
        "query at (row, col)",
        "key at (row, col)",
        "offset",
        "axial score",
        "axes mixed inside pairs",
    ]);
    let cell = |p: (f64, f64)| format!("({}, {})", p.0, p.1);
    for &(m, n) in cells {
        let broken = a
            .rotate_axes_mixed_in_pairs(q.view(), m)?
            .dot(&a.rotate_axes_mixed_in_pairs(k.view(), n)?);
        t.row([
            cell(m),
            cell(n),
            cell((m.0 - n.0, m.1 - n.1)),
            fixed(a.score(q.view(), k.view(), m, n)?, 4),
            fixed(broken, 4),
        ]);
    }
    Ok(format!("{t}\nhead_dim {head_dim}, base {base}.\n"))
}

fn ranges(js: &[usize]) -> String {
    // Runs of consecutive indices as a–b, others listed.
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < js.len() {
        let mut j = i;
        while j + 1 < js.len() && js[j + 1] == js[j] + 1 {
            j += 1;
        }
        parts.push(if j > i + 1 {
            format!("{}–{}", js[i], js[j])
        } else if j == i + 1 {
            format!("{}, {}", js[i], js[j])
        } else {
            js[i].to_string()
        });
        i = j + 1;
    }
    if parts.len() > 8 {
        let n = parts.len();
        format!(
            "{}, …, {}",
            parts[..4].join(", "),
            parts[n - 2..].join(", ")
        )
    } else {
        parts.join(", ")
    }
}

/// For Qwen2-VL's and Qwen3-VL's layouts: which frequencies read `t`, `h` and `w`, and the
/// longest wavelength each component gets.
///
/// # Errors
/// Bad settings.
pub fn sections() -> Result<String, Error> {
    let mut t = Table::new([
        "model (layout, mrope_section)",
        "axis",
        "frequencies j",
        "how many",
        "slowest wavelength (positions)",
    ]);
    let qwen3 = published::qwen3_vl()?;
    for (name, (d, base, section, layout, _)) in [("Qwen2-VL", QWEN2_VL), ("Qwen3-VL", qwen3)] {
        let m = Mrope::new(d, base, section, layout)?;
        let theta = m.inv_freq();
        for axis in Axis::ALL {
            let js: Vec<usize> = (0..d / 2).filter(|&j| m.axes()[j] == axis).collect();
            let slowest = js.iter().map(|&j| 2.0 * PI / theta[j]).fold(0.0, f64::max);
            t.row([
                format!("{name} ({}, {section:?})", layout_name(layout)),
                axis.name().to_string(),
                ranges(&js),
                js.len().to_string(),
                fixed(slowest, 0),
            ]);
        }
    }
    let default3 = published::default_theta(published::QWEN3_VL_CONFIG)?;
    Ok(format!(
        "{t}\nHead width {}; rope_theta {} for Qwen2-VL (the default of transformers \
         5.24.0's Qwen2VLTextConfig) and {} for Qwen3-VL (Qwen3-VL 4B Instruct's published \
         config; the default of transformers 5.24.0's Qwen3VLTextConfig is {}).\n",
        if QWEN2_VL.0 == qwen3.0 {
            QWEN2_VL.0.to_string()
        } else {
            format!("{} and {}", QWEN2_VL.0, qwen3.0)
        },
        power_of_ten(QWEN2_VL.1),
        power_of_ten(qwen3.1),
        power_of_ten(default3)
    ))
}

/// `m·10^k` for a whole `m` from 1 to 9 (`10^k` when `m` is 1), else the number as Rust prints it.
fn power_of_ten(x: f64) -> String {
    let k = x.log10().floor();
    let m = x / 10f64.powf(k);
    let whole = m.round();
    if x > 0.0 && (m - whole).abs() < 1e-9 && (1.0..10.0).contains(&whole) {
        if whole == 1.0 {
            format!("10^{k}")
        } else {
            format!("{whole}·10^{k}")
        }
    } else {
        format!("{x}")
    }
}

fn layout_name(l: Sections) -> &'static str {
    match l {
        Sections::Chunked => "chunked",
        Sections::Interleaved => "interleaved",
    }
}

fn kind_name(k: Kind) -> &'static str {
    match k {
        Kind::Text => "text",
        Kind::Image => "image",
        Kind::Video => "video",
    }
}

fn triple(p: [u64; 3]) -> String {
    format!("({}, {}, {})", p[0], p[1], p[2])
}

/// Every token with its kind and `(t, h, w)` ids, and `mrope_position_deltas`.
pub fn ids_table(ids: &Ids) -> String {
    let mut t = Table::new(["token", "kind", "t", "h", "w"]);
    for (i, (p, k)) in ids.ids.iter().zip(&ids.kinds).enumerate() {
        t.row([
            i.to_string(),
            kind_name(*k).to_string(),
            p[0].to_string(),
            p[1].to_string(),
            p[2].to_string(),
        ]);
    }
    format!("{t}\nmrope_position_deltas: {}\n", ids.delta())
}

/// Which frequencies read `t`, `h` and `w`, one line each.
pub fn frequency_axes(m: &Mrope) -> String {
    Axis::ALL
        .iter()
        .map(|&axis| {
            let js: Vec<usize> = (0..m.head_dim() / 2)
                .filter(|&j| m.axes()[j] == axis)
                .collect();
            format!(
                "{} reads {} frequencies: j = {}\n",
                axis.name(),
                js.len(),
                ranges(&js)
            )
        })
        .collect()
}

/// The score of the fixed query at `(Δrow, Δcol)` against the fixed key at `(0, 0)` for every
/// offset of `g`, axial or (with `degrees`) RoPE-Mixed, and the largest change when both cells
/// move by `(17, 29)`.
///
/// # Errors
/// A bad head width or base.
pub fn score_grid(
    g: Grid,
    head_dim: usize,
    base: f64,
    degrees: Option<f64>,
) -> Result<String, Error> {
    let mixed = match degrees {
        Some(deg) => Mixed::heo(head_dim, base, deg.to_radians())?,
        None => Mixed::from_axial(&Axial::new(head_dim, base)?),
    };
    let (q, k) = query_key(head_dim);
    let mut t = Table::new(
        std::iter::once("Δrow \\ Δcol".to_string()).chain((0..g.cols()).map(|c| c.to_string())),
    );
    let mut moved = 0.0f64;
    for r in 0..g.rows() {
        let mut row = vec![r.to_string()];
        for c in 0..g.cols() {
            let m = (r as f64, c as f64);
            let s = mixed.score(q.view(), k.view(), m, (0.0, 0.0))?;
            let far = mixed.score(q.view(), k.view(), (m.0 + 17.0, m.1 + 29.0), (17.0, 29.0))?;
            moved = moved.max((s - far).abs());
            row.push(fixed(s, 3));
        }
        t.row(row);
    }
    let name = match degrees {
        Some(deg) => format!("RoPE-Mixed, pairs at {deg}° and {}°", deg + 90.0),
        None => "axial RoPE".to_string(),
    };
    Ok(format!(
        "{name}, head_dim {head_dim}, base {base}: score of q at (Δrow, Δcol) against k at (0, 0)\n\n\
         {t}\nlargest change when both cells move by (17, 29): {moved:.1e}\n"
    ))
}

/// Every token of `seq` with its `(t, h, w)` ids under Qwen2-VL's rules in both releases.
///
/// # Errors
/// A sequence `get_rope_index` could not read.
pub fn positions(seq: &[Segment]) -> Result<String, Error> {
    let v5 = position_ids(seq, &qwen2_setup(Release::V5_24))?;
    let v4 = position_ids(seq, &qwen2_setup(Release::V4_57))?;
    let mut t = Table::new([
        "token",
        "kind",
        "(t, h, w), transformers 5.24.0",
        "(t, h, w), 4.57.1 and the paper",
    ]);
    for (i, ((a, b), k)) in v5.ids.iter().zip(&v4.ids).zip(&v5.kinds).enumerate() {
        let mark = if a == b { "" } else { " ≠" };
        t.row([
            i.to_string(),
            kind_name(*k).to_string(),
            triple(*a),
            format!("{}{mark}", triple(*b)),
        ]);
    }
    let seq_text: Vec<String> = seq.iter().map(ToString::to_string).collect();
    Ok(format!(
        "{t}\nSequence {}; spatial_merge_size 2. mrope_position_deltas: {} (5.24.0), {} (4.57.1).\n",
        seq_text.join(", "),
        v5.delta(),
        v4.delta()
    ))
}

/// The time ids of a video's temporal patches, relative to its start, and where the text after
/// it resumes, for each model and release.
///
/// # Errors
/// Bad settings.
pub fn time_axis(t: usize, models: &[(&str, Model)]) -> Result<String, Error> {
    let mut table = Table::new([
        "model and setting",
        "release",
        "time ids of the temporal patches",
        "text after the video resumes at",
    ]);
    let seq = [
        Segment::Text(1),
        Segment::Video { t, h: 2, w: 2 },
        Segment::Text(1),
    ];
    for &(name, model) in models {
        for release in [Release::V5_24, Release::V4_57] {
            let setup = Setup {
                model,
                release,
                merge: 2,
                limit: 1 << 20,
            };
            let ids = position_ids(&seq, &setup)?;
            let times = video_times(&ids);
            let last = ids.ids.last().map_or(0, |p| p[0]) - 1;
            table.row([
                name.to_string(),
                release_name(release).to_string(),
                times.join(", "),
                last.to_string(),
            ]);
        }
    }
    Ok(format!(
        "{table}\nA video of {t} temporal patches of 2×2 patches (one token each) after one text \
         token; ids counted from the video's start.\n"
    ))
}

fn video_times(ids: &Ids) -> Vec<String> {
    ids.ids
        .iter()
        .zip(&ids.kinds)
        .filter(|(_, k)| **k == Kind::Video)
        .map(|(p, _)| (p[0] - 1).to_string())
        .collect()
}

fn release_name(r: Release) -> &'static str {
    match r {
        Release::V5_24 => "5.24.0",
        Release::V4_57 => "4.57.1",
    }
}

/// The models of [`time_axis`] in the chapter: Qwen2-VL, Qwen2.5-VL at two frame rates (2 frames
/// per temporal patch, so `second_per_grid` = 2 / fps), and Qwen3-VL.
pub fn time_models() -> Vec<(&'static str, Model)> {
    vec![
        ("Qwen2-VL", Model::Qwen2Vl),
        (
            "Qwen2.5-VL, tokens_per_second 2, 2 fps (1 s per patch)",
            Model::Qwen25Vl {
                tokens_per_second: 2,
                second_per_grid: 1.0,
            },
        ),
        (
            "Qwen2.5-VL, tokens_per_second 2, 4 fps (0.5 s per patch)",
            Model::Qwen25Vl {
                tokens_per_second: 2,
                second_per_grid: 0.5,
            },
        ),
        (
            "Qwen3-VL, 3 timestamp tokens per frame",
            Model::Qwen3Vl {
                timestamp_tokens: 3,
            },
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_compress_runs() {
        assert_eq!(ranges(&[0, 1, 2, 3, 7, 9, 10]), "0–3, 7, 9, 10");
        assert_eq!(ranges(&[]), "");
        let every_third: Vec<usize> = (0..20).map(|i| 3 * i + 1).collect();
        assert_eq!(ranges(&every_third), "1, 4, 7, 10, …, 55, 58");
    }

    #[test]
    fn example_texts_carry_their_numbers() {
        let m = Mrope::new(12, 1e4, [2, 2, 2], Sections::Chunked).unwrap();
        assert_eq!(
            frequency_axes(&m),
            "t reads 2 frequencies: j = 0, 1\nh reads 2 frequencies: j = 2, 3\n\
             w reads 2 frequencies: j = 4, 5\n"
        );
        let g = Grid::new(2, 3).unwrap();
        let text = score_grid(g, 8, 100.0, None).unwrap();
        let axial = Axial::new(8, 100.0).unwrap();
        let (q, k) = query_key(8);
        let s12 = axial
            .score(q.view(), k.view(), (1.0, 2.0), (0.0, 0.0))
            .unwrap();
        let row1 = text.lines().find(|l| l.starts_with("| 1 |")).unwrap();
        assert!(row1.ends_with(&format!("| {} |", fixed(s12, 3))), "{row1}");
        assert!(
            text.starts_with("axial RoPE, head_dim 8, base 100"),
            "{text}"
        );
        // Moving both cells keeps every score: the change is rounding only.
        let moved: f64 = text
            .lines()
            .last()
            .and_then(|l| l.rsplit(": ").next())
            .unwrap()
            .parse()
            .unwrap();
        assert!(moved < 1e-12, "{text}");
        let mixed = score_grid(g, 8, 100.0, Some(30.0)).unwrap();
        assert!(
            mixed.starts_with("RoPE-Mixed, pairs at 30° and 120°"),
            "{mixed}"
        );
        assert!(score_grid(g, 6, 100.0, None).is_err());
        // Eight runs are listed in full; the ninth elides the middle.
        assert_eq!(
            ranges(&[0, 2, 4, 6, 8, 10, 12, 14]),
            "0, 2, 4, 6, 8, 10, 12, 14"
        );
        assert_eq!(
            ranges(&[0, 2, 4, 6, 8, 10, 12, 14, 16]),
            "0, 2, 4, 6, …, 14, 16"
        );
        let ids = position_ids(&[Segment::Text(1)], &qwen2_setup(Release::V5_24)).unwrap();
        assert!(
            ids_table(&ids).ends_with("| 0 | text | 0 | 0 | 0 |\n\nmrope_position_deltas: 0\n")
        );
    }

    #[test]
    fn powers_of_ten_are_written_out() {
        assert_eq!(power_of_ten(1e6), "10^6");
        assert_eq!(power_of_ten(5e5), "5·10^5");
        assert_eq!(power_of_ten(5e6), "5·10^6");
        assert_eq!(power_of_ten(10.0), "10^1");
        assert_eq!(power_of_ten(12345.0), "12345");
        assert_eq!(power_of_ten(2.5e4), "25000");
        assert_eq!(power_of_ten(0.0), "0");
    }

    #[test]
    fn tables_carry_their_numbers() {
        let s = sections().unwrap();
        assert!(
            s.contains("| Qwen2-VL (chunked, [16, 24, 24]) | t | 0–15 | 16 |"),
            "{s}"
        );
        let p = positions(&example_sequence()).unwrap();
        assert!(
            p.contains("mrope_position_deltas: -12 (5.24.0), -11 (4.57.1)"),
            "{p}"
        );
        let g = |r, c| Grid::new(r, c).unwrap();
        assert!(resample_example(g(2, 2), g(1, 1)).is_err());
        assert_eq!(
            made_up_table(g(2, 2)).column(0).to_vec(),
            vec![0.0, 1.0, 2.0, 4.0]
        );
        let v = vit_grids(&[(224, 16)]);
        assert!(v.contains("| 224 × 224 | 16 | 14 × 14 | 196 + 1 |"), "{v}");
    }
}
