//! Byte-level BPE tokens back to text. The tokenizer (GPT-2's scheme) writes every byte as one
//! printable character: bytes `!`..`~`, `¡`..`¬` and `®`..`ÿ` as themselves, the other 68
//! (control characters, space, …) as U+0100 onwards in byte order — so a space is `Ġ` and a
//! newline `Ċ`. A token may hold part of a multi-byte character; text is decoded from the
//! bytes of all tokens together, and a single token's label replaces a broken character by `�`.

/// Whether byte `b` stands for itself in the byte-level alphabet.
fn printable(b: u8) -> bool {
    matches!(b, b'!'..=b'~' | 0xA1..=0xAC | 0xAE..=0xFF)
}

/// The character byte `b` is written as.
pub fn byte_char(b: u8) -> char {
    if printable(b) {
        return char::from(b);
    }
    let k = (0..b).filter(|&x| !printable(x)).count() as u32;
    char::from_u32(256 + k).unwrap_or('?')
}

/// The byte a byte-level character stands for (`None` for a character outside the alphabet,
/// e.g. in a special token).
pub fn char_byte(c: char) -> Option<u8> {
    let u = c as u32;
    if u < 256 {
        let b = u as u8;
        return printable(b).then_some(b);
    }
    let k = u.checked_sub(256)? as usize;
    (0..=255u8).filter(|&x| !printable(x)).nth(k)
}

/// The bytes a token stands for (a special token such as `<|endoftext|>` is written in printable
/// characters only, so it reads as itself); none for a character outside the alphabet.
pub fn token_bytes(token: &str) -> Vec<u8> {
    let bytes: Option<Vec<u8>> = token.chars().map(char_byte).collect();
    bytes.unwrap_or_default()
}

/// The text of a run of tokens (broken characters shown as `�`).
pub fn decode(tokens: &[&str]) -> String {
    let bytes: Vec<u8> = tokens.iter().flat_map(|t| token_bytes(t)).collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

/// A token as the page labels it: its text with a space shown as `·` and a newline as `↵`,
/// so a token of white space stays visible.
pub fn label(token: &str) -> String {
    String::from_utf8_lossy(&token_bytes(token))
        .chars()
        .map(|c| match c {
            ' ' => '·',
            '\n' => '↵',
            '\t' => '→',
            c => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_alphabet_is_a_bijection_over_all_bytes() {
        for b in 0..=255u8 {
            assert_eq!(char_byte(byte_char(b)), Some(b), "byte {b}");
        }
        assert_eq!(byte_char(b' '), 'Ġ');
        assert_eq!(byte_char(b'\n'), 'Ċ');
    }

    #[test]
    fn multi_byte_characters_split_over_tokens_come_back_whole() {
        // "你" is E4 BD A0: two tokens of one and two bytes
        let a: String = [0xE4u8].iter().map(|&b| byte_char(b)).collect();
        let b: String = [0xBDu8, 0xA0].iter().map(|&b| byte_char(b)).collect();
        assert_eq!(decode(&[&a, &b]), "你");
        assert_eq!(label(&a), "\u{FFFD}");
        assert_eq!(
            decode(&["ROMEO", ":", "Ċ", "But", "Ġsoft"]),
            "ROMEO:\nBut soft"
        );
        assert_eq!(label("Ġsoft"), "·soft");
        assert_eq!(label("<|endoftext|>"), "<|endoftext|>");
        assert_eq!(decode(&["<|endoftext|>"]), "<|endoftext|>");
    }
}
