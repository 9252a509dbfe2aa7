//! Splitting a printed command into its words, shared by the tests and the
//! campaign example, which both run replay commands exactly as printed.

/// The words of a command printed for a POSIX shell: plain words and
/// single-quoted ones (with `'\''` for a quote inside), as touchpoint
/// quotes them.
pub fn shell_words(command: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut quoted = false;
    let mut chars = command.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' if quoted => quoted = false,
            '\'' => {
                quoted = true;
                in_word = true;
            }
            '\\' if !quoted => {
                word.extend(chars.next());
                in_word = true;
            }
            ' ' if !quoted => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                }
                in_word = false;
            }
            c => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(word);
    }
    words
}
