//! How values become colours: the two scales every drawn matrix uses, and the text colour that
//! stays readable on a cell.

/// How values map to colours. Both maps are colour-blind safe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorScale {
    /// Probabilities in [0, 1]: white to dark blue, so the many small weights stay light.
    Weights,
    /// Signed values, symmetric around 0: blue (negative) – white – red (positive).
    Signed,
}

/// The colour of `v` under `scale`, given the largest magnitude for signed maps.
pub fn color(scale: ColorScale, v: f32, max_abs: f32) -> String {
    if !v.is_finite() {
        return "#c8c8c8".into();
    }
    let c = match scale {
        ColorScale::Weights => colorous::BLUES.eval_continuous(f64::from(v.clamp(0.0, 1.0))),
        ColorScale::Signed => {
            let t = if max_abs > 0.0 {
                0.5 + 0.5 * v / max_abs
            } else {
                0.5
            };
            // RED_BLUE runs red → blue; flip it so positive is red.
            colorous::RED_BLUE.eval_continuous(f64::from(1.0 - t.clamp(0.0, 1.0)))
        }
    };
    format!("#{c:x}")
}

pub(super) fn text_color(scale: ColorScale, v: f32, max_abs: f32) -> &'static str {
    match scale {
        ColorScale::Weights if v.is_finite() && v > 0.5 => "#fff",
        ColorScale::Signed if v.is_finite() && max_abs > 0.0 && (v / max_abs).abs() > 0.6 => "#fff",
        _ => "#111",
    }
}
