//! The newest run's result: views that run the model on every edit keep one of these, so that a
//! slow answer to an older request never replaces a newer one.

/// The result of the newest request, counted.
#[derive(Debug, Clone, PartialEq)]
pub struct Latest<T, E> {
    /// Sequence number of the newest request
    pub seq: u64,
    /// Completed runs shown so far; the DOM exposes it so tests can wait for fresh results.
    pub runs: u64,
    pub outcome: Option<T>,
    pub error: Option<E>,
}

impl<T, E> Default for Latest<T, E> {
    fn default() -> Self {
        Self {
            seq: 0,
            runs: 0,
            outcome: None,
            error: None,
        }
    }
}

impl<T, E> Latest<T, E> {
    /// A request numbered `seq` has been sent.
    pub fn request(&mut self, seq: u64) {
        self.seq = seq;
    }

    /// Takes the answer to request `seq`; an answer to an older request is dropped (`false`).
    /// A failure keeps the last good outcome on screen beside the error.
    pub fn finish(&mut self, seq: u64, result: Result<T, E>) -> bool {
        if seq != self.seq {
            return false;
        }
        self.runs += 1;
        match result {
            Ok(outcome) => {
                self.outcome = Some(outcome);
                self.error = None;
            }
            Err(e) => self.error = Some(e),
        }
        true
    }
}
