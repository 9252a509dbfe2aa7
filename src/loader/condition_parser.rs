//! Parses guard text (`hours == open and not verified`) into a [`Condition`].
//!
//! Grammar, loosest binding first:
//! ```text
//! or    := and ("or" and)*
//! and   := unary ("and" unary)*
//! unary := "not" unary | "(" or ")" | VAR ("==" VAL | "!=" VAL | "in" "[" VAL ("," VAL)* "]")?
//! ```
//!
//! Guards are hostile input like the rest of a file: the parser recurses
//! only through `(` and `not`, and the tree it builds is walked recursively
//! by the compiler and the reports, so both are held to the YAML tree's
//! nesting limit and a condition of 20,000 parentheses is an error, not a
//! stack overflow.

use crate::loader::yaml::{Pos, MAX_DEPTH};
use crate::model::{Condition, Located, SourceId, Span};

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(String),
    Eq,
    NotEq,
    Open,
    Close,
    OpenBracket,
    CloseBracket,
    Comma,
}

/// Where a token starts within the condition's text: its character column
/// (0-based), which positions count in, and its byte offset, which excerpts
/// slice by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct At {
    pub column: usize,
    pub offset: usize,
}

/// A parse error and where in the text it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ConditionError {
    pub at: At,
    pub message: String,
}

/// A condition and how many `and`, `or` and `not` nest in it.
struct Parsed {
    condition: Condition,
    depth: usize,
}

/// Parses `text`, which starts at `origin` in `file`. Positions of variables
/// and values inside the text are computed from the origin so that errors
/// about them point at the exact word.
pub(crate) fn parse_condition(
    text: &str,
    file: SourceId,
    origin: Pos,
    quoted: bool,
) -> Result<Condition, ConditionError> {
    let tokens = tokenize(text)?;
    let mut parser = ConditionParser {
        tokens,
        at: 0,
        file,
        origin,
        shift: u32::from(quoted),
        end: At {
            column: text.chars().count(),
            offset: text.len(),
        },
        open: 0,
    };
    let parsed = parser.or()?;
    if let Some((token, at)) = parser.tokens.get(parser.at) {
        return Err(ConditionError {
            at: *at,
            message: format!("unexpected {} after a complete condition", describe(token)),
        });
    }
    Ok(parsed.condition)
}

fn describe(token: &Token) -> String {
    match token {
        Token::Word(w) => format!("`{w}`"),
        Token::Eq => "`==`".into(),
        Token::NotEq => "`!=`".into(),
        Token::Open => "`(`".into(),
        Token::Close => "`)`".into(),
        Token::OpenBracket => "`[`".into(),
        Token::CloseBracket => "`]`".into(),
        Token::Comma => "`,`".into(),
    }
}

fn tokenize(text: &str) -> Result<Vec<(Token, At)>, ConditionError> {
    let chars: Vec<char> = text.chars().collect();
    // The byte offset of each character, and of the end.
    let offsets: Vec<usize> = text
        .char_indices()
        .map(|(offset, _)| offset)
        .chain([text.len()])
        .collect();
    let at = |column: usize| At {
        column,
        offset: offsets[column],
    };
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        let token = match c {
            ' ' | '\t' | '\n' | '\r' => {
                i += 1;
                continue;
            }
            '(' => Token::Open,
            ')' => Token::Close,
            '[' => Token::OpenBracket,
            ']' => Token::CloseBracket,
            ',' => Token::Comma,
            '=' | '!' if chars.get(i + 1) == Some(&'=') => {
                i += 1;
                if c == '=' {
                    Token::Eq
                } else {
                    Token::NotEq
                }
            }
            '"' | '\'' => {
                let close = chars[i + 1..]
                    .iter()
                    .position(|&q| q == c)
                    .ok_or(ConditionError {
                        at: at(i),
                        message: "unclosed quote".into(),
                    })?;
                let word: String = chars[i + 1..i + 1 + close].iter().collect();
                i += close + 1;
                Token::Word(word)
            }
            c if c.is_alphanumeric() || matches!(c, '_' | '-' | '.') => {
                while i + 1 < chars.len()
                    && (chars[i + 1].is_alphanumeric() || matches!(chars[i + 1], '_' | '-' | '.'))
                {
                    i += 1;
                }
                Token::Word(chars[start..=i].iter().collect())
            }
            other => {
                return Err(ConditionError {
                    at: at(i),
                    message: format!(
                        "unexpected character `{other}` (use ==, !=, in, not, and, or)"
                    ),
                })
            }
        };
        tokens.push((token, at(start)));
        i += 1;
    }
    Ok(tokens)
}

struct ConditionParser {
    tokens: Vec<(Token, At)>,
    at: usize,
    file: SourceId,
    origin: Pos,
    shift: u32,
    /// Where the text ends, for errors about what is missing there.
    end: At,
    /// How many `(` and `not` are being parsed: the depth of recursion.
    open: usize,
}

impl ConditionParser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at).map(|(t, _)| t)
    }

    fn here(&self) -> At {
        self.tokens.get(self.at).map_or(self.end, |(_, at)| *at)
    }

    fn is_word(&self, word: &str) -> bool {
        matches!(self.peek(), Some(Token::Word(w)) if w == word)
    }

    fn error<T>(&self, message: impl Into<String>) -> Result<T, ConditionError> {
        Err(ConditionError {
            at: self.here(),
            message: message.into(),
        })
    }

    fn located(&self, word: String, at: At) -> Located<String> {
        let len = word.len() as u32;
        Located::new(
            word,
            Span {
                file: self.file,
                pos: Pos {
                    line: self.origin.line,
                    column: self.origin.column + self.shift + at.column as u32,
                    offset: self.origin.offset + self.shift + at.offset as u32,
                    len,
                },
            },
        )
    }

    /// Joins two operands under `and` or `or`, unless that nests the tree
    /// past the limit. `operator` is where the joining word is.
    fn join(
        &self,
        left: Parsed,
        right: Parsed,
        operator: At,
        build: fn(Box<Condition>, Box<Condition>) -> Condition,
    ) -> Result<Parsed, ConditionError> {
        let depth = left.depth.max(right.depth) + 1;
        if depth > MAX_DEPTH {
            return Err(too_deep(operator));
        }
        Ok(Parsed {
            condition: build(Box::new(left.condition), Box::new(right.condition)),
            depth,
        })
    }

    fn or(&mut self) -> Result<Parsed, ConditionError> {
        let mut left = self.and()?;
        while self.is_word("or") {
            let operator = self.here();
            self.at += 1;
            let right = self.and()?;
            left = self.join(left, right, operator, Condition::Or)?;
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Parsed, ConditionError> {
        let mut left = self.unary()?;
        while self.is_word("and") {
            let operator = self.here();
            self.at += 1;
            let right = self.unary()?;
            left = self.join(left, right, operator, Condition::And)?;
        }
        Ok(left)
    }

    fn word(&mut self, what: &str) -> Result<Located<String>, ConditionError> {
        match self.tokens.get(self.at).cloned() {
            Some((Token::Word(w), at)) if !matches!(w.as_str(), "and" | "or" | "not" | "in") => {
                self.at += 1;
                Ok(self.located(w, at))
            }
            Some((token, _)) => self.error(format!("expected {what}, found {}", describe(&token))),
            None => self.error(format!("expected {what} at the end of the condition")),
        }
    }

    fn unary(&mut self) -> Result<Parsed, ConditionError> {
        let nests = self.is_word("not") || self.peek() == Some(&Token::Open);
        if !nests {
            return self.comparison().map(|condition| Parsed {
                condition,
                depth: 0,
            });
        }
        // Checked before recursing, so the stack never grows past the limit.
        if self.open >= MAX_DEPTH {
            return Err(too_deep(self.here()));
        }
        self.open += 1;
        let parsed = self.nested();
        self.open -= 1;
        parsed
    }

    /// `not` and a parenthesised condition: the only ways to recurse.
    fn nested(&mut self) -> Result<Parsed, ConditionError> {
        if self.is_word("not") {
            let operator = self.here();
            self.at += 1;
            let inner = self.unary()?;
            let depth = inner.depth + 1;
            if depth > MAX_DEPTH {
                return Err(too_deep(operator));
            }
            return Ok(Parsed {
                condition: Condition::Not(Box::new(inner.condition)),
                depth,
            });
        }
        self.at += 1;
        let inner = self.or()?;
        if self.peek() != Some(&Token::Close) {
            return self.error("expected `)`");
        }
        self.at += 1;
        Ok(inner)
    }

    fn comparison(&mut self) -> Result<Condition, ConditionError> {
        let var = self.word("a variable")?;
        match self.peek() {
            Some(Token::Eq) => {
                self.at += 1;
                Ok(Condition::Equals(var, self.word("a value")?))
            }
            Some(Token::NotEq) => {
                self.at += 1;
                Ok(Condition::NotEquals(var, self.word("a value")?))
            }
            Some(Token::Word(w)) if w == "in" => {
                self.at += 1;
                if self.peek() != Some(&Token::OpenBracket) {
                    return self.error("expected `[` after `in`");
                }
                self.at += 1;
                let mut values = vec![self.word("a value")?];
                while self.peek() == Some(&Token::Comma) {
                    self.at += 1;
                    values.push(self.word("a value")?);
                }
                if self.peek() != Some(&Token::CloseBracket) {
                    return self.error("expected `]` or `,`");
                }
                self.at += 1;
                Ok(Condition::In(var, values))
            }
            _ => Ok(Condition::Truthy(var)),
        }
    }
}

fn too_deep(at: At) -> ConditionError {
    ConditionError {
        at,
        message: format!(
            "the condition nests deeper than {MAX_DEPTH} levels (each parenthesis, `not`, `and` and `or` is a level; list values with `in [...]`)"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Condition, ConditionError> {
        parse_condition(
            text,
            0,
            Pos {
                line: 1,
                column: 1,
                offset: 0,
                len: 0,
            },
            false,
        )
    }

    #[test]
    fn precedence_and_binds_tighter_than_or() {
        let c = parse("a == x or b and not c").unwrap();
        assert!(matches!(c, Condition::Or(_, ref r) if matches!(**r, Condition::And(_, _))));
    }

    #[test]
    fn in_lists_and_parentheses() {
        let c = parse("(caller in [doctor, insurer]) and hours != closed").unwrap();
        let vars: Vec<_> = c.variables().iter().map(|v| v.value.clone()).collect();
        assert_eq!(vars, ["caller", "hours"]);
    }

    #[test]
    fn positions_point_at_words() {
        let c = parse("hours == lunch").unwrap();
        let Condition::Equals(_, value) = c else {
            panic!()
        };
        assert_eq!(value.span.pos.column, 10);
    }

    /// How deep a condition tree goes, walked without recursion.
    fn depth(condition: &Condition) -> usize {
        let mut deepest = 0;
        let mut pending = vec![(condition, 0)];
        while let Some((c, d)) = pending.pop() {
            deepest = deepest.max(d);
            match c {
                Condition::Not(inner) => pending.push((inner, d + 1)),
                Condition::And(a, b) | Condition::Or(a, b) => {
                    pending.push((a, d + 1));
                    pending.push((b, d + 1));
                }
                _ => {}
            }
        }
        deepest
    }

    #[test]
    fn nesting_up_to_the_limit_parses_and_past_it_is_an_error_at_the_extra_level() {
        let parens = |n: usize| format!("{}a{}", "(".repeat(n), ")".repeat(n));
        let nots = |n: usize| format!("{}a", "not ".repeat(n));
        let chain = |n: usize| vec!["a"; n + 1].join(" and ");
        let mixed = |n: usize| vec!["a"; n + 1].join(" or b and ");
        assert!(parse(&parens(MAX_DEPTH)).is_ok());
        assert_eq!(depth(&parse(&nots(MAX_DEPTH)).unwrap()), MAX_DEPTH);
        assert_eq!(depth(&parse(&chain(MAX_DEPTH)).unwrap()), MAX_DEPTH);

        for (text, column) in [
            (parens(MAX_DEPTH + 1), MAX_DEPTH),
            (parens(20_000), MAX_DEPTH),
            (nots(MAX_DEPTH + 1), MAX_DEPTH * 4),
            (nots(20_000), MAX_DEPTH * 4),
            (chain(MAX_DEPTH + 1), MAX_DEPTH * 6 + 2),
            (chain(20_000), MAX_DEPTH * 6 + 2),
        ] {
            let err = parse(&text).unwrap_err();
            assert!(
                err.message.contains("nests deeper than 64 levels"),
                "{}",
                err.message
            );
            assert_eq!(err.at.column, column, "{}", &text[..80.min(text.len())]);
        }
        // Nesting of every kind adds up.
        let text = format!("{}{}{}", "(".repeat(40), nots(30), ")".repeat(40));
        let err = parse(&text).unwrap_err();
        assert!(err.message.contains("nests deeper"), "{}", err.message);
        assert!(parse(&mixed(20_000)).is_err());
    }

    #[test]
    fn positions_count_characters_and_offsets_count_bytes() {
        let err = parse("ééé == a b").unwrap_err();
        assert_eq!(
            err.at,
            At {
                column: 9,
                offset: 12
            }
        );
        let c = parse("ü == é").unwrap();
        let Condition::Equals(_, value) = c else {
            panic!()
        };
        assert_eq!((value.span.pos.column, value.span.pos.offset), (6, 6));
        assert_eq!(value.span.pos.len, 2);
    }

    #[test]
    fn errors_name_the_column() {
        assert_eq!(parse("hours ==").unwrap_err().at.column, 8);
        assert!(parse("hours = open").is_err());
        assert!(parse("(a").is_err());
        assert!(parse("a b").is_err());
        assert!(parse("").is_err());
    }
}
