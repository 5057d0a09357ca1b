//! A student's typed answer: read as a number the way people write one, then checked against the
//! model's value within the exercise's stated tolerance.

/// What the page says about an answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// Within the tolerance of the expected value.
    Right,
    /// A number, but not within the tolerance; `off` is `answer − expected`.
    Wrong { off: f64 },
    /// Nothing was typed (a gentle prompt, not a verdict).
    Empty,
    /// Something that is not a number (a gentle prompt, not a verdict).
    NotANumber,
}

impl Verdict {
    pub fn id(&self) -> &'static str {
        match self {
            Verdict::Right => "right",
            Verdict::Wrong { .. } => "wrong",
            Verdict::Empty => "empty",
            Verdict::NotANumber => "not-a-number",
        }
    }
}

/// Reads a number as a student may type it: surrounding spaces, full-width digits and signs
/// (Chinese input methods), a decimal comma (`0,25`), thousands separators (`33,554,432`,
/// `33 554 432`, `33_554_432`), a leading `+`, a Unicode minus, scientific notation, and a
/// fraction `a/b`. `None` when it is not a number.
pub fn parse_number(text: &str) -> Option<f64> {
    let ascii: String = text
        .trim()
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
            '．' | '。' => '.',
            '，' => ',',
            '－' | '−' | '–' => '-',
            '＋' => '+',
            '／' => '/',
            'E' => 'e',
            c => c,
        })
        .filter(|c| !matches!(c, ' ' | '_' | '\u{a0}' | '\u{202f}' | '\''))
        .collect();
    if let Some((num, den)) = ascii.split_once('/') {
        let (num, den) = (parse_plain(num)?, parse_plain(den)?);
        return (den != 0.0).then(|| num / den).filter(|v| v.is_finite());
    }
    parse_plain(&ascii)
}

fn parse_plain(s: &str) -> Option<f64> {
    let s = s.strip_prefix('+').unwrap_or(s);
    let commas = s.matches(',').count();
    let normalised = if commas == 0 {
        s.to_owned()
    } else if s.contains('.') || commas > 1 || is_grouped(s) {
        // `1,234.5`, `1,234,567` or `2,304`: commas group thousands
        s.replace(',', "")
    } else {
        // `0,25`: a decimal comma
        s.replace(',', ".")
    };
    // Rust would read "inf" and "nan": a student's answer is a plain decimal number
    if normalised.is_empty()
        || !normalised
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | 'e' | '+'))
    {
        return None;
    }
    normalised.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// `2,304` or `-12,000`: one comma followed by exactly three digits, after one to three digits.
fn is_grouped(s: &str) -> bool {
    let s = s.strip_prefix('-').unwrap_or(s);
    match s.split_once(',') {
        Some((head, tail)) => {
            (1..=3).contains(&head.len())
                && head.chars().all(|c| c.is_ascii_digit())
                && head != "0"
                && tail.len() == 3
                && tail.chars().all(|c| c.is_ascii_digit())
        }
        None => false,
    }
}

/// The verdict on `typed` for an exercise whose answer is `expected` within `tolerance`
/// (absolute; 0 for counts).
pub fn check(typed: &str, expected: f64, tolerance: f64) -> Verdict {
    if typed.trim().is_empty() {
        return Verdict::Empty;
    }
    match parse_number(typed) {
        None => Verdict::NotANumber,
        // A hair of slack so that an exact count typed exactly is never refused by rounding
        Some(v) if (v - expected).abs() <= tolerance + 1e-9 * expected.abs().max(1.0) => {
            Verdict::Right
        }
        Some(v) => Verdict::Wrong { off: v - expected },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_read_as_people_write_them() {
        let cases: [(&str, f64); 14] = [
            ("42", 42.0),
            ("  -0.25 ", -0.25),
            ("0,25", 0.25),
            ("+3", 3.0),
            ("−1.5", -1.5),
            ("３．５", 3.5),
            ("－２", -2.0),
            ("2,304", 2304.0),
            ("33,554,432", 33_554_432.0),
            ("33 554 432", 33_554_432.0),
            ("1,234.5", 1234.5),
            ("3.4e7", 3.4e7),
            ("1/4", 0.25),
            ("0,125", 0.125),
        ];
        for (typed, want) in cases {
            assert_eq!(parse_number(typed), Some(want), "{typed:?}");
        }
        for bad in [
            "",
            "abc",
            "1..2",
            "inf",
            "NaN",
            "1/0",
            "٣",
            "1,2,3.4.5",
            "--1",
            "½",
        ] {
            assert_eq!(parse_number(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn verdicts_respect_the_tolerance_and_are_gentle_with_non_numbers() {
        assert_eq!(check("0.31", 0.3123, 0.005), Verdict::Right);
        assert_eq!(check("0,312", 0.3123, 0.005), Verdict::Right);
        assert!(
            matches!(check("0.32", 0.3123, 0.005), Verdict::Wrong { off } if (off - 0.0077).abs() < 1e-9)
        );
        assert_eq!(check("2304", 2304.0, 0.0), Verdict::Right);
        assert!(matches!(check("2305", 2304.0, 0.0), Verdict::Wrong { .. }));
        assert_eq!(check("33554432", 33_554_432.0, 0.0), Verdict::Right);
        assert_eq!(check("   ", 1.0, 0.1), Verdict::Empty);
        assert_eq!(check("twelve", 12.0, 0.0), Verdict::NotANumber);
        assert_eq!(check("<b>1</b>", 1.0, 0.0), Verdict::NotANumber);
    }
}
