//! A small dense row-major matrix: just what the attention walkthrough needs.
//!
//! Every operation that combines two matrices checks shapes and returns a
//! [`ShapeError`] instead of panicking, because a panic in wasm kills the page.

use serde::{Deserialize, Serialize};

/// Two matrices (or a matrix and a vector) whose shapes do not fit together.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("shape mismatch in {op}: {left:?} and {right:?}")]
pub struct ShapeError {
    pub op: &'static str,
    pub left: (usize, usize),
    pub right: (usize, usize),
}

/// A dense `(rows, cols)` matrix of `f32`, stored row by row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Matrix {
    rows: usize,
    cols: usize,
    data: Vec<f32>,
}

impl Matrix {
    /// Builds a matrix from row-major `data`; fails when `data.len() != rows * cols`.
    pub fn from_vec(rows: usize, cols: usize, data: Vec<f32>) -> Result<Self, ShapeError> {
        if rows.checked_mul(cols) != Some(data.len()) {
            return Err(ShapeError {
                op: "from_vec",
                left: (rows, cols),
                right: (data.len(), 1),
            });
        }
        Ok(Self { rows, cols, data })
    }

    pub fn zeros(rows: usize, cols: usize) -> Self {
        Self {
            rows,
            cols,
            data: vec![0.0; rows * cols],
        }
    }

    /// Builds a matrix whose entry `(i, j)` is `f(i, j)`.
    pub fn from_fn(rows: usize, cols: usize, mut f: impl FnMut(usize, usize) -> f32) -> Self {
        let mut data = Vec::with_capacity(rows * cols);
        for i in 0..rows {
            for j in 0..cols {
                data.push(f(i, j));
            }
        }
        Self { rows, cols, data }
    }

    pub fn rows(&self) -> usize {
        self.rows
    }

    pub fn cols(&self) -> usize {
        self.cols
    }

    pub fn shape(&self) -> (usize, usize) {
        (self.rows, self.cols)
    }

    pub fn data(&self) -> &[f32] {
        &self.data
    }

    /// Entry `(i, j)`, or `None` outside the matrix.
    pub fn get(&self, i: usize, j: usize) -> Option<f32> {
        (i < self.rows && j < self.cols).then(|| self.data[i * self.cols + j])
    }

    /// Row `i`; empty outside the matrix.
    pub fn row(&self, i: usize) -> &[f32] {
        if i < self.rows {
            &self.data[i * self.cols..(i + 1) * self.cols]
        } else {
            &[]
        }
    }

    pub fn transpose(&self) -> Matrix {
        Matrix::from_fn(self.cols, self.rows, |i, j| self.data[j * self.cols + i])
    }

    /// `self · other`: `(n, m) · (m, p) → (n, p)`.
    pub fn matmul(&self, other: &Matrix) -> Result<Matrix, ShapeError> {
        if self.cols != other.rows {
            return Err(self.mismatch("matmul", other));
        }
        let mut out = Matrix::zeros(self.rows, other.cols);
        for i in 0..self.rows {
            let out_row = &mut out.data[i * other.cols..(i + 1) * other.cols];
            for (k, &a) in self.row(i).iter().enumerate() {
                for (o, &b) in out_row.iter_mut().zip(other.row(k)) {
                    *o += a * b;
                }
            }
        }
        Ok(out)
    }

    /// Adds `bias` (one value per column) to every row: the `+ b` of `X·W + b`.
    pub fn add_row_vector(&self, bias: &[f32]) -> Result<Matrix, ShapeError> {
        if bias.len() != self.cols {
            return Err(ShapeError {
                op: "add_row_vector",
                left: self.shape(),
                right: (1, bias.len()),
            });
        }
        Ok(Matrix::from_fn(self.rows, self.cols, |i, j| {
            self.data[i * self.cols + j] + bias[j]
        }))
    }

    /// Element-wise sum of two matrices of the same shape.
    pub fn add(&self, other: &Matrix) -> Result<Matrix, ShapeError> {
        if self.shape() != other.shape() {
            return Err(self.mismatch("add", other));
        }
        let data = self
            .data
            .iter()
            .zip(&other.data)
            .map(|(a, b)| a + b)
            .collect();
        Ok(Matrix { data, ..*self })
    }

    pub fn map(&self, f: impl Fn(f32) -> f32) -> Matrix {
        Matrix {
            data: self.data.iter().map(|&v| f(v)).collect(),
            ..*self
        }
    }

    /// Columns `start..end` (clamped to the matrix): one head's slice of Q, K or V.
    pub fn columns(&self, start: usize, end: usize) -> Matrix {
        let end = end.min(self.cols);
        let start = start.min(end);
        Matrix::from_fn(self.rows, end - start, |i, j| {
            self.data[i * self.cols + start + j]
        })
    }

    /// Places matrices with the same number of rows side by side.
    pub fn hconcat(parts: &[Matrix]) -> Result<Matrix, ShapeError> {
        let Some(first) = parts.first() else {
            return Ok(Matrix::zeros(0, 0));
        };
        if let Some(bad) = parts.iter().find(|m| m.rows != first.rows) {
            return Err(first.mismatch("hconcat", bad));
        }
        let cols = parts.iter().map(|m| m.cols).sum();
        let mut data = Vec::with_capacity(first.rows * cols);
        for i in 0..first.rows {
            for part in parts {
                data.extend_from_slice(part.row(i));
            }
        }
        Ok(Matrix {
            rows: first.rows,
            cols,
            data,
        })
    }

    /// Largest `|self − other|` over all entries; infinite when the shapes differ,
    /// so a shape bug can never look like agreement.
    pub fn max_abs_diff(&self, other: &Matrix) -> f32 {
        if self.shape() != other.shape() {
            return f32::INFINITY;
        }
        self.data
            .iter()
            .zip(&other.data)
            .map(|(a, b)| {
                if a == b {
                    // Also covers two equal infinities (masked scores), whose difference is NaN.
                    0.0
                } else {
                    let d = (a - b).abs();
                    if d.is_nan() {
                        f32::INFINITY
                    } else {
                        d
                    }
                }
            })
            .fold(0.0, f32::max)
    }

    /// Smallest and largest finite entries, `(0, 0)` when there are none.
    pub fn finite_range(&self) -> (f32, f32) {
        let mut finite = self.data.iter().copied().filter(|v| v.is_finite());
        let Some(first) = finite.next() else {
            return (0.0, 0.0);
        };
        finite.fold((first, first), |(lo, hi), v| (lo.min(v), hi.max(v)))
    }

    fn mismatch(&self, op: &'static str, other: &Matrix) -> ShapeError {
        ShapeError {
            op,
            left: self.shape(),
            right: other.shape(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(rows: usize, cols: usize, data: &[f32]) -> Matrix {
        Matrix::from_vec(rows, cols, data.to_vec()).expect("valid test matrix")
    }

    #[test]
    fn matmul_matches_hand_computation() {
        let a = m(2, 3, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
        let b = m(3, 2, &[7.0, 8.0, 9.0, 10.0, 11.0, 12.0]);
        assert_eq!(a.matmul(&b), Ok(m(2, 2, &[58.0, 64.0, 139.0, 154.0])));
    }

    #[test]
    fn mismatched_shapes_are_errors_not_panics() {
        let a = m(2, 3, &[0.0; 6]);
        assert!(a.matmul(&a).is_err());
        assert!(a.add(&a.transpose()).is_err());
        assert!(a.add_row_vector(&[1.0, 2.0]).is_err());
        assert!(Matrix::from_vec(2, 2, vec![1.0]).is_err());
        assert_eq!(a.max_abs_diff(&a.transpose()), f32::INFINITY);
    }

    #[test]
    fn columns_and_hconcat_are_inverse() {
        let a = Matrix::from_fn(3, 8, |i, j| (i * 8 + j) as f32);
        let parts: Vec<_> = (0..4).map(|h| a.columns(h * 2, h * 2 + 2)).collect();
        assert_eq!(Matrix::hconcat(&parts), Ok(a));
    }

    #[test]
    fn max_abs_diff_treats_equal_infinities_as_equal() {
        let a = m(1, 2, &[f32::NEG_INFINITY, 1.0]);
        let b = m(1, 2, &[f32::NEG_INFINITY, 1.5]);
        assert_eq!(a.max_abs_diff(&b), 0.5);
        let c = m(1, 2, &[0.0, 1.5]);
        assert_eq!(a.max_abs_diff(&c), f32::INFINITY);
    }
}
