use std::time::Instant;
use trained::model::{Dims, Model};
use trained::train::{Schedule, evaluate, train};
use trained::{Scheme, Variant, RopeScaling};
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let steps: usize = args[1].parse().unwrap();
    let lr: f64 = args[2].parse().unwrap();
    let layers: usize = args[3].parse().unwrap();
    let dims = Dims { vocab: 16, d_model: 32, heads: 4, layers, train_len: 16, rope_base: 10000.0 };
    let sch = Schedule { delta: 3, steps, batch: 16, lr };
    for scheme in Scheme::ALL {
        let t = Instant::now();
        let mut m = Model::new(scheme, dims, 1).unwrap();
        train(&mut m, &sch, 1, || {}).unwrap();
        let el = t.elapsed().as_secs_f64();
        let mut line = format!("{:12} {el:5.1}s", scheme.name());
        let vs: Vec<Variant> = if scheme == Scheme::Rope { vec![Variant::plain(scheme), Variant{scheme, scaling: RopeScaling::Pi}, Variant{scheme, scaling: RopeScaling::Yarn}] } else { vec![Variant::plain(scheme)] };
        for v in vs { for n in [16, 32, 64, 128] {
            match evaluate(&m, v, 3, n, 16, 99) { Ok((s, _)) => line += &format!(" {:.2}/{:.2}", s.accuracy, s.loss), Err(_) => line += " --" }
        } line += " |"; }
        println!("{line}");
    }
}
