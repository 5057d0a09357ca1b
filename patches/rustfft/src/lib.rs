//! The subset of [rustfft](https://crates.io/crates/rustfft)'s API that tract uses
//! (`FftPlanner::plan_fft`, `plan_fft_forward`, `Fft::process`, `FftDirection`, `FftNum` and the
//! re-exported `num_complex` / `num_traits`), computed by a direct O(n²) discrete Fourier
//! transform. Same conventions as rustfft: forward uses e^(−2πi·jk/n), inverse e^(+2πi·jk/n),
//! neither is normalised, and a buffer longer than the transform holds consecutive transforms.

use std::fmt::Debug;
use std::marker::PhantomData;
use std::sync::Arc;

pub use num_complex;
pub use num_traits;

use num_complex::Complex;
use num_traits::{FromPrimitive, Signed, Zero};

/// The numbers a transform can run on (f32 and f64 in practice), as rustfft defines them.
pub trait FftNum: Copy + FromPrimitive + Signed + Sync + Send + Debug + 'static {}
impl<T> FftNum for T where T: Copy + FromPrimitive + Signed + Sync + Send + Debug + 'static {}

/// Which way a transform goes.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum FftDirection {
    Forward,
    Inverse,
}

/// A planned transform of a fixed length.
pub trait Fft<T: FftNum>: Sync + Send {
    /// Transforms `buffer` in place: one transform per `len()` consecutive values. A remainder
    /// shorter than `len()` is left as it is (rustfft reports that as an error and does the same).
    fn process(&self, buffer: &mut [Complex<T>]);
    fn len(&self) -> usize;
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    fn fft_direction(&self) -> FftDirection;
}

struct Dft<T> {
    /// e^(∓2πi·k/n) for k in 0..n, computed in f64.
    twiddles: Vec<Complex<T>>,
    direction: FftDirection,
}

impl<T: FftNum> Dft<T> {
    fn new(len: usize, direction: FftDirection) -> Self {
        let sign = match direction {
            FftDirection::Forward => -1.0,
            FftDirection::Inverse => 1.0,
        };
        let twiddles = (0..len)
            .map(|k| {
                let angle = sign * 2.0 * std::f64::consts::PI * k as f64 / len as f64;
                Complex::new(from_f64(angle.cos()), from_f64(angle.sin()))
            })
            .collect();
        Dft {
            twiddles,
            direction,
        }
    }
}

fn from_f64<T: FftNum>(x: f64) -> T {
    // f32 and f64 always convert; any other FftNum that cannot gets 0 rather than a panic.
    T::from_f64(x).unwrap_or_else(T::zero)
}

impl<T: FftNum> Fft<T> for Dft<T> {
    fn process(&self, buffer: &mut [Complex<T>]) {
        let n = self.twiddles.len();
        if n == 0 {
            return;
        }
        let mut out = vec![Complex::zero(); n];
        for chunk in buffer.chunks_exact_mut(n) {
            for (k, o) in out.iter_mut().enumerate() {
                *o = chunk
                    .iter()
                    .enumerate()
                    .fold(Complex::zero(), |acc, (j, x)| {
                        acc + *x * self.twiddles[(j * k) % n]
                    });
            }
            chunk.copy_from_slice(&out);
        }
    }

    fn len(&self) -> usize {
        self.twiddles.len()
    }

    fn fft_direction(&self) -> FftDirection {
        self.direction
    }
}

/// Plans transforms (here: builds the twiddle table of a direct DFT).
pub struct FftPlanner<T> {
    _num: PhantomData<T>,
}

impl<T: FftNum> Default for FftPlanner<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: FftNum> FftPlanner<T> {
    pub fn new() -> Self {
        FftPlanner { _num: PhantomData }
    }

    pub fn plan_fft(&mut self, len: usize, direction: FftDirection) -> Arc<dyn Fft<T>> {
        Arc::new(Dft::new(len, direction))
    }

    pub fn plan_fft_forward(&mut self, len: usize) -> Arc<dyn Fft<T>> {
        self.plan_fft(len, FftDirection::Forward)
    }

    pub fn plan_fft_inverse(&mut self, len: usize) -> Arc<dyn Fft<T>> {
        self.plan_fft(len, FftDirection::Inverse)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: &[Complex<f64>], b: &[Complex<f64>]) {
        assert_eq!(a.len(), b.len());
        for (x, y) in a.iter().zip(b) {
            assert!((x - y).norm() < 1e-9, "{x} != {y}");
        }
    }

    fn c(re: f64, im: f64) -> Complex<f64> {
        Complex::new(re, im)
    }

    #[test]
    fn impulse_gives_ones_and_ones_give_n_at_zero() {
        let fft = FftPlanner::new().plan_fft_forward(4);
        let mut v = vec![c(1.0, 0.0), c(0.0, 0.0), c(0.0, 0.0), c(0.0, 0.0)];
        fft.process(&mut v);
        close(&v, &[c(1.0, 0.0); 4]);
        let mut v = vec![c(1.0, 0.0); 4];
        fft.process(&mut v);
        close(&v, &[c(4.0, 0.0), c(0.0, 0.0), c(0.0, 0.0), c(0.0, 0.0)]);
    }

    #[test]
    fn known_transform_of_a_short_sequence() {
        // X[k] = Σ x[j]·e^(−2πi·jk/4) for x = [1, 2, 3, 4] (numpy.fft.fft gives the same)
        let mut v = vec![c(1.0, 0.0), c(2.0, 0.0), c(3.0, 0.0), c(4.0, 0.0)];
        FftPlanner::new()
            .plan_fft(4, FftDirection::Forward)
            .process(&mut v);
        close(
            &v,
            &[c(10.0, 0.0), c(-2.0, 2.0), c(-2.0, 0.0), c(-2.0, -2.0)],
        );
    }

    #[test]
    fn a_cosine_lands_in_its_two_bins() {
        let n = 8;
        let mut v: Vec<_> = (0..n)
            .map(|j| {
                c(
                    (2.0 * std::f64::consts::PI * 3.0 * j as f64 / n as f64).cos(),
                    0.0,
                )
            })
            .collect();
        FftPlanner::new().plan_fft_forward(n).process(&mut v);
        let mut want = vec![c(0.0, 0.0); n];
        want[3] = c(4.0, 0.0);
        want[5] = c(4.0, 0.0);
        close(&v, &want);
    }

    #[test]
    fn inverse_of_forward_is_n_times_the_input_and_chunks_are_separate() {
        let x: Vec<_> = (0..10)
            .map(|j| c(j as f64 * 0.5 - 1.0, (j * j) as f64 % 3.0))
            .collect();
        let mut v = x.clone();
        let mut planner = FftPlanner::new();
        planner.plan_fft_forward(5).process(&mut v);
        // the second chunk of 5 alone gives the same as its transform in the 10-value buffer
        let mut second = x[5..].to_vec();
        planner.plan_fft_forward(5).process(&mut second);
        close(&v[5..], &second);
        planner.plan_fft_inverse(5).process(&mut v);
        let scaled: Vec<_> = x.iter().map(|z| z * 5.0).collect();
        close(&v, &scaled);
    }

    #[test]
    fn f32_and_empty_lengths_work() {
        let mut v = vec![Complex::new(1.0f32, 0.0); 3];
        let fft = FftPlanner::<f32>::new().plan_fft_forward(3);
        assert_eq!((fft.len(), fft.fft_direction()), (3, FftDirection::Forward));
        fft.process(&mut v);
        assert!((v[0].re - 3.0).abs() < 1e-6 && v[1].norm() < 1e-6 && v[2].norm() < 1e-6);
        let empty = FftPlanner::<f32>::new().plan_fft_forward(0);
        assert!(empty.is_empty());
        empty.process(&mut v);
    }
}
