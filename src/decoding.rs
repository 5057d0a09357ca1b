//! Who drives a step-by-step decoder (the translator, the generator): one step asked for,
//! playing on a timer, everything to the end, or a link's step being restored — and what the
//! page does next from where it is. Pure: the hook that acts on it is `ui::stepping`.

/// Who is driving the decoder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Waiting for the user.
    Idle,
    /// One step was asked for.
    Single,
    /// A step every play interval.
    Play,
    /// Every remaining step, as fast as the model goes.
    All,
    /// Opening a link: every step up to this many, then wait.
    Restore(usize),
}

/// Where a decoding stands, as far as driving it goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Drive {
    pub mode: Mode,
    /// A worker request is running.
    pub busy: bool,
    /// Steps shown and steps computed.
    pub shown: usize,
    pub computed: usize,
    pub finished: bool,
    /// The decoding's run number (a new one restarts the driving).
    pub run: u64,
}

/// What to do next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    /// Compute the next step now.
    Step,
    /// Playing: show the next computed step after the interval.
    Tick,
    /// Playing: compute the next step after the interval.
    PlayStep,
    Wait,
}

pub fn next_move(d: &Drive) -> Move {
    if d.busy {
        return Move::Wait;
    }
    match d.mode {
        Mode::Single | Mode::All | Mode::Restore(_) if d.shown >= d.computed && !d.finished => {
            Move::Step
        }
        Mode::Play if d.shown < d.computed => Move::Tick,
        Mode::Play if !d.finished => Move::PlayStep,
        _ => Move::Wait,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(mode: Mode, shown: usize, computed: usize, finished: bool) -> Move {
        next_move(&Drive {
            mode,
            busy: false,
            shown,
            computed,
            finished,
            run: 1,
        })
    }

    #[test]
    fn each_mode_moves_as_it_should() {
        assert_eq!(at(Mode::All, 3, 3, false), Move::Step);
        assert_eq!(at(Mode::All, 3, 3, true), Move::Wait);
        assert_eq!(at(Mode::Single, 2, 3, false), Move::Wait);
        assert_eq!(at(Mode::Play, 2, 3, false), Move::Tick);
        assert_eq!(at(Mode::Play, 3, 3, false), Move::PlayStep);
        assert_eq!(at(Mode::Play, 3, 3, true), Move::Wait);
        assert_eq!(at(Mode::Idle, 0, 0, false), Move::Wait);
        assert_eq!(at(Mode::Restore(5), 2, 2, false), Move::Step);
        let busy = Drive {
            mode: Mode::All,
            busy: true,
            shown: 0,
            computed: 0,
            finished: false,
            run: 1,
        };
        assert_eq!(next_move(&busy), Move::Wait);
    }
}
