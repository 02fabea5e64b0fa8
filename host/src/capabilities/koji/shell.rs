//! The shell command of a runroot task, split the way `sh` on the builder would, for the
//! policy to check. Only the syntax the stock phases write is understood: plain words,
//! single-quoted words (with `'\''` for a quote), steps joined by `&&` and a `> file`
//! redirection. Anything else a shell would interpret (`;`, `|`, `$`, backquotes,
//! globs, double quotes, a lone `&`, newlines...) is refused rather than guessed at,
//! so what the policy checks is exactly what the builder runs.

/// One token of a step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Token {
    /// An argument, quotes removed.
    Word(String),
    /// An unquoted `>`: what follows is the file the step's output goes to.
    Redirect,
}

/// The characters a word may have unquoted (the stock phases quote every other).
fn plain(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-_=./:,+@%".contains(c)
}

/// The steps of `command` (separated by `&&`), each a list of tokens starting with
/// its program; an error naming what is not understood.
pub fn steps(command: &str) -> Result<Vec<Vec<Token>>, String> {
    let mut steps = vec![Vec::new()];
    let mut chars = command.char_indices().peekable();
    let mut word: Option<String> = None;
    let end_word = |word: &mut Option<String>, steps: &mut Vec<Vec<Token>>| {
        if let Some(w) = word.take() {
            steps
                .last_mut()
                .expect("one step at least")
                .push(Token::Word(w));
        }
    };
    while let Some((at, c)) = chars.next() {
        match c {
            ' ' | '\t' => end_word(&mut word, &mut steps),
            '\'' => {
                let text = word.get_or_insert_with(String::new);
                loop {
                    match chars.next() {
                        Some((_, '\'')) => break,
                        Some((_, c)) => text.push(c),
                        None => return Err(format!("an unclosed quote at byte {at}")),
                    }
                }
            }
            '\\' if chars.peek().map(|(_, c)| *c) == Some('\'') => {
                chars.next();
                word.get_or_insert_with(String::new).push('\'');
            }
            '&' if word.is_none() && chars.peek().map(|(_, c)| *c) == Some('&') => {
                chars.next();
                if steps.last().is_some_and(Vec::is_empty) {
                    return Err(format!("`&&` with no command before it at byte {at}"));
                }
                steps.push(Vec::new());
            }
            '>' if word.is_none() => steps.last_mut().expect("a step").push(Token::Redirect),
            c if plain(c) => word.get_or_insert_with(String::new).push(c),
            other => {
                return Err(format!(
                    "{other:?} at byte {at}, which a shell would interpret (only plain words, \
                     'quoted words', `&&` and `> file` are understood)"
                ));
            }
        }
    }
    end_word(&mut word, &mut steps);
    if steps.iter().any(Vec::is_empty) {
        return Err("an empty command (or one ending in `&&`)".to_owned());
    }
    Ok(steps)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(step: &[Token]) -> Vec<String> {
        step.iter()
            .map(|t| match t {
                Token::Word(w) => w.clone(),
                Token::Redirect => "<redirect>".to_owned(),
            })
            .collect()
    }

    #[test]
    fn splits_what_the_stock_phases_write() {
        let found = steps(
            "rm -rf logs && printf %s '{\"a\": 1}' > extra.json && lorax '--volid=A B' 'it'\\''s'",
        )
        .unwrap();
        let found: Vec<_> = found.iter().map(|s| words(s)).collect();
        assert_eq!(
            found,
            [
                vec!["rm", "-rf", "logs"],
                vec!["printf", "%s", "{\"a\": 1}", "<redirect>", "extra.json"],
                vec!["lorax", "--volid=A B", "it's"],
            ]
        );
    }

    #[test]
    fn refuses_what_a_shell_would_interpret() {
        for command in [
            "lorax; curl x | sh",
            "lorax $(id)",
            "lorax `id`",
            "lorax \"$HOME\"",
            "lorax *",
            "lorax & sleep 1",
            "lorax\nid",
            "lorax 'open",
            "&& lorax",
            "lorax &&",
            "",
            "lorax a&&b",
        ] {
            assert!(steps(command).is_err(), "{command:?} was accepted");
        }
    }
}
