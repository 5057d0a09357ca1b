//! "Does attention explain this?" for the digits transformer: the elements are the 16 patches,
//! the prediction is the predicted digit's probability read at [CLS] (token 0; patch p is token
//! 1 + p), and a patch is occluded by blanking its 2×2 pixels.

use rust_i18n::t;

use super::{argmax, is_blank, LayerWeights, GRID, N_PATCHES, PATCH, SEQ, SIDE};
use crate::explain::{ExplainError, LayerAttention, Subject, Variants};
use crate::protocol::{ModelError, Tensor};

/// The image with the occluded patches set to 0.
#[derive(Debug, Clone, PartialEq)]
pub struct PatchVariants {
    /// 8×8, row-major, 0–16
    pub pixels: Vec<f32>,
    /// The digit whose probability is followed
    pub target: usize,
}

impl PatchVariants {
    /// The subject (labels `r1c1` … `r4c4`) and its variants; a blank image is refused.
    pub fn new(
        pixels: &[f32],
        layers: &[LayerWeights],
        probs: &[f32],
    ) -> Result<(Subject, Self), ExplainError> {
        if is_blank(pixels) || pixels.len() != SIDE * SIDE {
            return Err(ExplainError::Model(t!("explain.blank").into_owned()));
        }
        let target = argmax(probs)
            .ok_or_else(|| ExplainError::Model("the model gave no probabilities".into()))?;
        let layers = layers
            .iter()
            .map(|l| LayerAttention::new(l.heads, SEQ, l.data.clone()))
            .collect::<Result<Vec<_>, _>>()?;
        let subject = Subject {
            labels: super::token_labels()[1..].to_vec(),
            positions: (1..=N_PATCHES).collect(),
            reading: 0,
            layers,
            base: f64::from(probs[target]),
            total: N_PATCHES,
            given: None,
        };
        let variants = Self {
            pixels: pixels.to_vec(),
            target,
        };
        Ok((subject, variants))
    }
}

impl Variants for PatchVariants {
    fn inputs(&self, sets: &[Vec<usize>]) -> Result<Vec<Tensor>, ModelError> {
        if sets.is_empty() {
            return Err(ModelError::Inference("an empty batch".into()));
        }
        let mut data = Vec::with_capacity(sets.len() * SIDE * SIDE);
        for set in sets {
            let mut image = self.pixels.clone();
            for &p in set {
                let (gr, gc) = (p / GRID, p % GRID);
                for r in gr * PATCH..(gr + 1) * PATCH {
                    for c in gc * PATCH..(gc + 1) * PATCH {
                        if let Some(v) = image.get_mut(r * SIDE + c) {
                            *v = 0.0;
                        }
                    }
                }
            }
            data.extend(image);
        }
        Ok(vec![Tensor::f32(
            "pixels",
            vec![sets.len(), SIDE * SIDE],
            data,
        )])
    }

    fn target(&self) -> usize {
        self.target
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_patch_is_blanked_in_its_two_by_two_pixels_and_blank_images_are_refused() {
        let v = PatchVariants {
            pixels: vec![5.0; 64],
            target: 3,
        };
        let inputs = v.inputs(&[vec![5]]).expect("one row");
        let image = inputs[0].as_f32().expect("f32");
        // Patch 5 = grid row 1, column 1: pixel rows 2–3, columns 2–3.
        let zeros: Vec<usize> = (0..64).filter(|&i| image[i] == 0.0).collect();
        assert_eq!(zeros, [18, 19, 26, 27]);
        let layer = LayerWeights {
            heads: 1,
            data: vec![1.0 / SEQ as f32; SEQ * SEQ],
        };
        assert!(PatchVariants::new(&[0.0; 64], std::slice::from_ref(&layer), &[0.1; 10]).is_err());
        let (subject, _) =
            PatchVariants::new(&[3.0; 64], &[layer], &[0.0, 0.9, 0.1]).expect("subject");
        assert_eq!(
            (subject.labels.len(), subject.base),
            (16, f64::from(0.9f32))
        );
    }
}
