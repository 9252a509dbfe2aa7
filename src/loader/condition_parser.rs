//! Parses guard text (`hours == open and not verified`) into a [`Condition`].
//!
//! Grammar, loosest binding first:
//! ```text
//! or    := and ("or" and)*
//! and   := unary ("and" unary)*
//! unary := "not" unary | "(" or ")" | VAR ("==" VAL | "!=" VAL | "in" "[" VAL ("," VAL)* "]")?
//! ```

use crate::loader::yaml::Pos;
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

/// A parse error and the character column (0-based, within the text) it is at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConditionError {
    pub column: usize,
    pub message: String,
}

/// Parses `text`, which starts at `origin` in `file`. Positions of variables
/// and values inside the text are computed from the origin so that errors
/// about them point at the exact word.
pub fn parse_condition(
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
        text_len: text.chars().count(),
    };
    let condition = parser.or()?;
    if let Some((token, column)) = parser.tokens.get(parser.at) {
        return Err(ConditionError {
            column: *column,
            message: format!("unexpected {} after a complete condition", describe(token)),
        });
    }
    Ok(condition)
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

fn tokenize(text: &str) -> Result<Vec<(Token, usize)>, ConditionError> {
    let chars: Vec<char> = text.chars().collect();
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
                        column: i,
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
                    column: i,
                    message: format!(
                        "unexpected character `{other}` (use ==, !=, in, not, and, or)"
                    ),
                })
            }
        };
        tokens.push((token, start));
        i += 1;
    }
    Ok(tokens)
}

struct ConditionParser {
    tokens: Vec<(Token, usize)>,
    at: usize,
    file: SourceId,
    origin: Pos,
    shift: u32,
    text_len: usize,
}

impl ConditionParser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at).map(|(t, _)| t)
    }

    fn column(&self) -> usize {
        self.tokens.get(self.at).map_or(self.text_len, |(_, c)| *c)
    }

    fn is_word(&self, word: &str) -> bool {
        matches!(self.peek(), Some(Token::Word(w)) if w == word)
    }

    fn error<T>(&self, message: impl Into<String>) -> Result<T, ConditionError> {
        Err(ConditionError {
            column: self.column(),
            message: message.into(),
        })
    }

    fn located(&self, word: String, column: usize) -> Located<String> {
        let len = word.chars().count() as u32;
        Located::new(
            word,
            Span {
                file: self.file,
                pos: Pos {
                    line: self.origin.line,
                    column: self.origin.column + self.shift + column as u32,
                    offset: self.origin.offset + self.shift + column as u32,
                    len,
                },
            },
        )
    }

    fn or(&mut self) -> Result<Condition, ConditionError> {
        let mut left = self.and()?;
        while self.is_word("or") {
            self.at += 1;
            let right = self.and()?;
            left = Condition::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Condition, ConditionError> {
        let mut left = self.unary()?;
        while self.is_word("and") {
            self.at += 1;
            let right = self.unary()?;
            left = Condition::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn word(&mut self, what: &str) -> Result<Located<String>, ConditionError> {
        match self.tokens.get(self.at).cloned() {
            Some((Token::Word(w), column))
                if !matches!(w.as_str(), "and" | "or" | "not" | "in") =>
            {
                self.at += 1;
                Ok(self.located(w, column))
            }
            Some((token, _)) => self.error(format!("expected {what}, found {}", describe(&token))),
            None => self.error(format!("expected {what} at the end of the condition")),
        }
    }

    fn unary(&mut self) -> Result<Condition, ConditionError> {
        if self.is_word("not") {
            self.at += 1;
            return Ok(Condition::Not(Box::new(self.unary()?)));
        }
        if self.peek() == Some(&Token::Open) {
            self.at += 1;
            let inner = self.or()?;
            if self.peek() != Some(&Token::Close) {
                return self.error("expected `)`");
            }
            self.at += 1;
            return Ok(inner);
        }
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

    #[test]
    fn errors_name_the_column() {
        assert_eq!(parse("hours ==").unwrap_err().column, 8);
        assert!(parse("hours = open").is_err());
        assert!(parse("(a").is_err());
        assert!(parse("a b").is_err());
        assert!(parse("").is_err());
    }
}
