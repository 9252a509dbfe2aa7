//! Extracts what an IVR prompt announces: the DTMF keys it tells the caller
//! to press, each with what the prompt says it is for, and the phrases it
//! tells the caller to say.
//!
//! This is the one reader of prompts: the `prompt-mismatch` rule compares
//! the announcements with the options a menu really accepts, and the
//! importers and the crawler name the options they build with the keys'
//! labels, so a key is announced, and has its label, by the same reading
//! wherever a menu came from. The parser is deliberately conservative: a
//! digit only counts as a key when the prompt tells the caller to press it.
//! Numbers in ordinary prose ("open 8 to 6", "24 hours", "1-800-555-0100")
//! announce nothing.
//!
//! # Text preparation
//!
//! * Matching is case-insensitive, and curly apostrophes are read as straight.
//! * SSML-like tags (`<break time="1s"/>`, `<say-as ...>`) are replaced by a
//!   space, except `<s>`, `</s>`, `<p>` and `</p>`, which end a sentence.
//! * A sentence ends at `.`, `!`, `?` or a blank line. Commas, colons,
//!   semicolons, dashes and ellipses only separate items inside a sentence,
//!   because prompts often use them between the entries of one list.
//! * Quotation marks (`"..."`, `“...”`, `„...“`, `«...»`, `‘...’` and
//!   `'...'`) delimit a quoted phrase when a matching closing mark follows
//!   within a short distance; an unmatched mark is ignored.
//!
//! # Keys
//!
//! A *key* is a standalone `0`..`9`, `*` or `#`, a number word `zero`..`nine`,
//! `star`/`asterisk` (`*`), or `pound`/`hash`/`number sign` (`#`). It may be
//! preceded by `the`, `number`, `option` or `digit` and followed by `key`,
//! `sign`, `button` or `symbol` ("press the star key", "select option 3").
//! A digit is *not* a key when it is part of a larger quantity:
//!
//! * a multi-digit token such as `10`, `2023`, `$5`, `5%` or `1-800-555-0100`;
//! * a run of separate digits: `press 1 0` is read as the number ten and
//!   announces nothing, which also keeps spaced-out phone numbers
//!   ("dial 1 800 555 0100") from looking like keys;
//! * a digit followed by a unit word (`8 digit`, `5 minutes`, `9 am`);
//! * the start of a numeric range (`8 to 6`, `9 through 5`).
//!
//! # Press clauses
//!
//! A press clause is a *press-verb* immediately followed by a key:
//! `press`, `dial`, `push`, `select`, `hit`, `key`, `choose`, `enter`, `tap`,
//! `touch` and their `-ing` forms. `press or say 1` is accepted too. Since the
//! verb must be followed by a key, "enter your 8 digit account number" or
//! "select an option" announce nothing.
//!
//! After a press clause, the rest of the sentence may list further keys: any
//! key that directly follows a separator (`,`, `;`, `:`, `or`, `and`,
//! optionally followed by `then`/`also`/`just`) is announced, provided that it
//! is itself followed by something that plausibly continues a menu entry
//! (`for`, `to`, `or`, punctuation, the end of the text, ...). This accepts
//! "Press 1, 2 or 3", "press 1 for X, 2 for Y, and 3 for Z" and
//! "For billing, press 1, for outages, 2", while rejecting "press 2 for
//! outages, or one of our agents will help".
//!
//! # Labels
//!
//! A key's label is its *purpose*: the words after `for` or `to` written
//! against the key, either just after it ("press 1 for billing", "2 for
//! outages" in a list, at most one pause away: "press 1, for billing") or in
//! the clause just before its press-verb ("for billing, please press 1",
//! "if you are calling to check your balance, press 1"; the first `for` or
//! `to` of the clause after its last pause counts).
//!
//! * A purpose after a key ends at a pause, the end of the sentence, or
//!   where the next choice begins: a press clause, a say clause, or `or`/
//!   `and` before a key, a press clause or another purpose. A closing
//!   "please" and quotation marks around it are dropped.
//! * A purpose before a key never reaches back past an earlier key, its
//!   label or a say list.
//! * A purpose between two keys goes to the key it is not separated from by
//!   a pause ("For billing, press 1, for outages, press 2"). One written
//!   tight after a key stays with it, unless that key has a purpose before
//!   it and the next key follows without a pause ("for billing press 1 for
//!   outages press 2").
//! * The label is the prompt's own text from the purpose's first word to
//!   its last (case and inner punctuation kept, whitespace and tags folded
//!   to one space). A key mentioned again keeps the first label given.
//!
//! # Say clauses
//!
//! A say clause starts with `say` or `saying` (but not "did you say", which
//! is a confirmation rather than an offer). Lead-ins such as "the word",
//! "things like" or "for example" are skipped. Then a list of phrases follows,
//! separated by `,`, `or` and `and`. Each phrase is either
//!
//! * a quoted phrase of up to twelve words, or
//! * an unquoted run of up to four words, ending at a
//!   separator, at the end of the sentence, at a purpose word such as `to`,
//!   `for`, `at`, `if` or `now`, or at a press clause.
//!
//! An unquoted phrase that starts with a determiner or pronoun ("say your
//! account number", "say what you're calling about") is free-form input
//! rather than a menu choice, so it ends the clause without announcing
//! anything; the same happens when an unquoted phrase is too long. Unquoted
//! multi-word phrases therefore stop at purpose words: "say talk to an agent"
//! announces only "talk", so prompts should quote such phrases.
//!
//! Later in the same sentence a quoted phrase after a separator continues the
//! list ("say “yes” to confirm, or “no” to cancel"); unquoted words there do
//! not, because they are too easily ordinary prose.

use std::borrow::Cow;
use std::ops::Range;

/// What a prompt tells the caller they can do.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Announcements {
    /// DTMF keys announced, in order of first mention, deduplicated.
    pub keys: Vec<AnnouncedKey>,
    /// Spoken phrases announced with "say ...", lower-cased, in order, deduplicated.
    pub phrases: Vec<String>,
}

/// One key a prompt tells the caller to press.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnnouncedKey {
    /// One of '0'..='9', '*', '#'.
    pub key: char,
    /// What the prompt says the key is for ("billing" in "press 1 for
    /// billing" and in "for billing, press 1"), as the prompt writes it,
    /// when it says.
    pub label: Option<String>,
}

impl Announcements {
    /// Whether the prompt tells the caller to press `key`.
    #[must_use]
    pub(crate) fn announces(&self, key: char) -> bool {
        self.keys.iter().any(|announced| announced.key == key)
    }

    /// What the prompt says `key` is for, when it announces the key with a
    /// purpose. `key` is an option's key as written (`"1"`, `"*"`); a key
    /// of more than one character is never announced.
    #[must_use]
    pub(crate) fn label(&self, key: &str) -> Option<&str> {
        let mut chars = key.chars();
        let (Some(key), None) = (chars.next(), chars.next()) else {
            return None;
        };
        self.keys
            .iter()
            .find(|announced| announced.key == key)?
            .label
            .as_deref()
    }
}

/// Longest quoted phrase accepted, in words. Longer quotations are prose
/// (or a stray quotation mark), not something a caller is asked to say.
const MAX_QUOTED_WORDS: usize = 12;

/// Longest unquoted phrase accepted, in words. Without quotes the end of a
/// phrase is a guess, so long runs are more likely to be ordinary prose.
const MAX_UNQUOTED_WORDS: usize = 4;

/// How far (in characters) a closing quotation mark or tag end is searched
/// for. Bounding the search keeps the parser linear on hostile input.
const MAX_SPAN_CHARS: usize = 200;

/// Verbs that ask the caller to press a key.
const PRESS_VERBS: &[&str] = &[
    "press",
    "pressing",
    "dial",
    "dialing",
    "dialling",
    "push",
    "pushing",
    "select",
    "selecting",
    "hit",
    "hitting",
    "key",
    "choose",
    "choosing",
    "enter",
    "entering",
    "tap",
    "tapping",
    "touch",
];

/// Verbs that ask the caller to speak.
const SAY_VERBS: &[&str] = &["say", "saying"];

/// Words that start a key's purpose: "press 1 *for* billing", "*to* speak
/// to someone, press 0".
const PURPOSE_WORDS: &[&str] = &["for", "to"];

/// Words that may stand between a key's purpose and its press-verb, or end
/// a purpose, without being part of it ("for billing, please press 1").
const LABEL_TRAILERS: &[&str] = &["please", "simply", "just"];

/// Words that may stand between a press-verb and its key.
const KEY_PREFIXES: &[&str] = &["the", "number", "option", "digit"];

/// Words that may follow a key and belong to it ("the star key").
const KEY_SUFFIXES: &[&str] = &["key", "sign", "button", "symbol"];

/// Words after a number that make it a quantity rather than a key.
const QUANTITY_NOUNS: &[&str] = &[
    "digit",
    "digits",
    "second",
    "seconds",
    "minute",
    "minutes",
    "hour",
    "hours",
    "day",
    "days",
    "week",
    "weeks",
    "month",
    "months",
    "year",
    "years",
    "time",
    "times",
    "am",
    "pm",
    "a.m",
    "p.m",
    "o'clock",
    "oclock",
    "percent",
    "dollar",
    "dollars",
    "cent",
    "cents",
    "character",
    "characters",
    "letter",
    "letters",
    "item",
    "items",
    "people",
    "business",
];

/// Words that introduce the end of a numeric range ("8 to 6").
const RANGE_WORDS: &[&str] = &["to", "through", "thru", "till", "until"];

/// Words that join entries of a list.
const CONJUNCTIONS: &[&str] = &["or", "and"];

/// Filler words allowed between a separator and the next list entry.
const LIST_FILLERS: &[&str] = &["then", "also", "just"];

/// Words that may follow a key announced inside a list, i.e. words that
/// plausibly continue a menu entry ("2 for outages", "0 at any time").
const KEY_FOLLOWERS: &[&str] = &[
    "or",
    "and",
    "for",
    "to",
    "if",
    "when",
    "now",
    "then",
    "at",
    "anytime",
    "again",
    "instead",
    "otherwise",
    "from",
];

/// Words that end an unquoted spoken phrase because they start a purpose
/// clause or a new instruction ("say agent to speak to someone").
const PHRASE_STOPS: &[&str] = &[
    "or",
    "and",
    "to",
    "for",
    "at",
    "if",
    "when",
    "whenever",
    "now",
    "anytime",
    "otherwise",
    "instead",
    "then",
    "please",
    "so",
    "because",
    "while",
    "followed",
    "after",
    "before",
];

/// Words that, starting an unquoted phrase, show it is free-form input
/// ("say your account number") rather than a fixed menu phrase.
const FREE_FORM_STARTS: &[&str] = &[
    "your",
    "the",
    "a",
    "an",
    "any",
    "it",
    "this",
    "that",
    "these",
    "those",
    "something",
    "anything",
    "what",
    "which",
    "who",
    "how",
    "we",
    "we'll",
    "we're",
    "i",
    "i'm",
    "i'll",
    "you",
    "you'll",
    "you're",
    "they",
    "our",
    "his",
    "her",
    "their",
    "so",
];

/// Lead-ins between "say" and the phrases themselves, as word sequences.
const SAY_LEAD_INS: &[&[&str]] = &[
    &["the", "words"],
    &["the", "word"],
    &["the", "phrase"],
    &["things", "like"],
    &["something", "like"],
    &["words", "like"],
    &["phrases", "like"],
    &["for", "example"],
    &["e.g"],
    &["either"],
];

/// Words whose trailing period marks an abbreviation, not a sentence end.
const ABBREVIATIONS: &[&str] = &["a.m", "p.m", "e.g", "i.e", "mr", "mrs", "ms", "dr", "vs"];

/// One lexical unit of a prompt.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Token<'text> {
    /// A lower-cased word or number with surrounding punctuation removed.
    /// An ASCII word (nearly every word) borrows its lower-cased text from
    /// one lower-cased copy of the whole prompt, so that reading a prompt
    /// does not allocate once per word.
    Word(Cow<'text, str>),
    /// A pause inside a sentence: comma, colon, semicolon, dash or ellipsis.
    Sep,
    /// The end of a sentence.
    End,
    /// An opening quotation mark that has a matching closing mark.
    QuoteOpen,
    /// The closing quotation mark matching the last `QuoteOpen`.
    QuoteClose,
}

/// The tokens of a prompt, each word with the byte range of its text in the
/// prepared prompt (an empty range for every other token).
#[derive(Debug, Default)]
struct Tokens<'text> {
    tokens: Vec<Token<'text>>,
    spans: Vec<Range<usize>>,
}

impl<'text> Tokens<'text> {
    fn push(&mut self, token: Token<'text>) {
        self.tokens.push(token);
        self.spans.push(0..0);
    }

    fn push_word(&mut self, word: Cow<'text, str>, span: Range<usize>) {
        self.tokens.push(Token::Word(word));
        self.spans.push(span);
    }

    fn extend(&mut self, token: Option<Token<'text>>) {
        if let Some(token) = token {
            self.push(token);
        }
    }
}

/// Whether `prompt` names `key` on its own: a digit standing alone (not part
/// of a longer number) or a `*` or `#` anywhere. This says nothing about
/// whether the key is announced; it lets a rule tell a prompt that never
/// mentions a key from one that mentions it in words the reader does not
/// know ("Para Consultas, digite 1").
#[must_use]
pub(crate) fn mentions_key(prompt: &str, key: char) -> bool {
    if !key.is_ascii_digit() {
        return prompt.contains(key);
    }
    prompt
        .split(|c: char| !c.is_alphanumeric())
        .any(|token| token.len() == 1 && token.starts_with(key))
}

/// Reads a prompt and returns the keys, with their labels, and the phrases
/// it announces.
///
/// This never panics: every look-ahead is bounds-checked and every step of
/// the scan advances, so arbitrary text (including empty text) is accepted.
#[must_use]
pub(crate) fn parse_announcements(prompt: &str) -> Announcements {
    let text = strip_markup(prompt);
    let lowered = text.to_ascii_lowercase();
    let prepared = tokenize(&text, &lowered);
    let tokens = prepared.tokens.as_slice();
    let mut out = Announcements::default();
    let mut i = 0;
    // Whether the current sentence has already had a press clause or a say
    // clause; only then can bare list entries after separators be read.
    let mut in_press = false;
    let mut in_say = false;
    // Tokens before `floor` belong to an earlier key, its label or a say
    // list, so a later key's label is never read from them.
    let mut floor = 0;

    while i < tokens.len() {
        if tokens[i] == Token::End {
            in_press = false;
            in_say = false;
            i += 1;
            floor = i;
            continue;
        }
        if is_say_verb(tokens, i) && !is_confirmation(tokens, i) {
            let (next, found) = parse_say_list(tokens, skip_say_lead_ins(tokens, i + 1), &mut out);
            in_say |= found;
            if found {
                floor = next;
            }
            i = next;
            continue;
        }
        if let Some((key, next)) = press_clause(tokens, i) {
            let (label, claimed) = key_label(tokens, floor, i, next);
            push_key(
                &mut out,
                key,
                label.map(|words| label_text(&text, &prepared, words)),
            );
            in_press = true;
            floor = claimed;
            i = next;
            continue;
        }
        if (in_press || in_say) && is_separator(tokens, i) {
            let entry = skip_separators(tokens, i);
            // A key entry is only taken when it also looks like the start of
            // a menu entry; otherwise the number is probably prose.
            let key_entry = read_key(tokens, entry)
                .filter(|&(_, next)| in_press && continues_entry(tokens, next));
            if let Some((key, next)) = key_entry {
                let (label, claimed) = key_label(tokens, floor, i, next);
                push_key(
                    &mut out,
                    key,
                    label.map(|words| label_text(&text, &prepared, words)),
                );
                floor = claimed;
                i = next;
                continue;
            }
            if in_say && tokens.get(entry) == Some(&Token::QuoteOpen) {
                let (next, _) = parse_say_list(tokens, entry, &mut out);
                floor = next;
                i = next;
                continue;
            }
        }
        i += 1;
    }
    out
}

/// Adds a key unless it was already announced; a key first announced
/// without a label takes the first label a later mention gives it.
fn push_key(out: &mut Announcements, key: char, label: Option<String>) {
    match out.keys.iter_mut().find(|announced| announced.key == key) {
        Some(announced) => {
            if announced.label.is_none() {
                announced.label = label;
            }
        }
        None => out.keys.push(AnnouncedKey { key, label }),
    }
}

/// Adds a phrase unless it is empty or was already announced.
fn push_phrase(out: &mut Announcements, phrase: String) {
    if !phrase.is_empty() && !out.phrases.contains(&phrase) {
        out.phrases.push(phrase);
    }
}

/// The label of a key whose clause starts at `clause` (its press verb, or
/// the separator before a key read from a list) and whose key ends just
/// before `after`, as a range of tokens; and the index before which later
/// keys may not look for their own label.
///
/// A purpose phrase ("for billing", "to speak to someone") names the key it
/// is written against: the one just before it ("press 1 for billing") or
/// the one just after it ("for billing, press 1"). A phrase between two
/// keys goes to the key it is not separated from by a pause, so that in
/// "For billing, press 1, for outages, press 2" key 1 is billing. A phrase
/// written tight after a key stays with it ("press 1 for billing press 2
/// for outages"), unless that key has a phrase of its own before it and the
/// next key follows without a pause ("for billing press 1 for outages
/// press 2").
fn key_label(
    tokens: &[Token<'_>],
    floor: usize,
    clause: usize,
    after: usize,
) -> (Option<Range<usize>>, usize) {
    let backward = purpose_before(tokens, floor, clause);
    match purpose_after(tokens, after) {
        Some(forward) if forward.names_its_key(backward.is_some()) => {
            let claimed = forward.words.end;
            (Some(forward.words), claimed)
        }
        _ => (backward, after),
    }
}

/// A purpose phrase written after a key.
struct PurposeAfter {
    /// The label's words, as a range of tokens.
    words: Range<usize>,
    /// Whether a pause stands between the key and the phrase ("press 1,
    /// for billing").
    after_pause: bool,
    /// Whether another key follows the phrase, with or without a pause
    /// (a press clause, or a listed key after a pause or a joining word).
    press_follows: bool,
    /// Whether another key follows the phrase without a pause.
    press_follows_tightly: bool,
}

impl PurposeAfter {
    /// Whether the phrase names the key just before it rather than the
    /// next one; `own_before` is whether that key has a purpose before it.
    fn names_its_key(&self, own_before: bool) -> bool {
        if self.after_pause {
            !self.press_follows
        } else {
            !(self.press_follows_tightly && own_before)
        }
    }
}

/// Reads "for X" or "to X" just after a key (at `after`), at most one pause
/// away. The label ends at a pause, the end of the sentence, or where the
/// next choice begins ("press 2 for outages or press 3 ...", "... or 3 for
/// ...", "... or say agent").
fn purpose_after(tokens: &[Token<'_>], after: usize) -> Option<PurposeAfter> {
    let after_pause = tokens.get(after) == Some(&Token::Sep);
    let purpose = skip_quote_marks(tokens, after + usize::from(after_pause));
    if !word_in(tokens, purpose, PURPOSE_WORDS) {
        return None;
    }
    let mut end = purpose + 1;
    while matches!(
        tokens.get(end),
        Some(Token::Word(_) | Token::QuoteOpen | Token::QuoteClose)
    ) && !starts_next_choice(tokens, end)
    {
        end += 1;
    }
    let words = trim_label(tokens, purpose + 1..end)?;
    let mut next = end;
    while word_in(tokens, next, LABEL_TRAILERS) {
        next += 1;
    }
    let press_follows_tightly = next_key_starts(tokens, next, false);
    let tight_end = next;
    while tokens.get(next) == Some(&Token::Sep) || word_in(tokens, next, LABEL_TRAILERS) {
        next += 1;
    }
    Some(PurposeAfter {
        words,
        after_pause,
        press_follows: press_follows_tightly
            || (next > tight_end && next_key_starts(tokens, next, true)),
        press_follows_tightly,
    })
}

/// Whether another key is announced at `i`: a press clause, or a key
/// listed after a pause (`after_pause`) or a joining word ("..., 2 for
/// outages", "or 2 for outages").
fn next_key_starts(tokens: &[Token<'_>], i: usize, after_pause: bool) -> bool {
    let mut entry = skip_conjunctions(tokens, i);
    // "Say or press 2" offers the key both ways.
    if is_say_verb(tokens, entry) && word(tokens, entry + 1) == Some("or") {
        entry += 2;
    }
    press_clause(tokens, entry).is_some()
        || ((after_pause || entry > i)
            && read_key(tokens, entry).is_some_and(|(_, next)| continues_entry(tokens, next)))
}

/// Reads the purpose phrase of the clause that ends just before `clause`
/// ("for billing, press 1", "to speak to an agent, please press 0"). The
/// clause starts after the last pause before it, and never before `floor`;
/// its label is what follows its first `for` or `to`.
fn purpose_before(tokens: &[Token<'_>], floor: usize, clause: usize) -> Option<Range<usize>> {
    let mut end = clause;
    while end > floor {
        if tokens[end - 1] == Token::Sep || word_in(tokens, end - 1, LABEL_TRAILERS) {
            end -= 1;
        } else if end - 1 > floor
            && word(tokens, end - 1) == Some("or")
            && is_say_verb(tokens, end - 2)
        {
            // "For billing, say or press 1" offers the key both ways.
            end -= 2;
        } else {
            break;
        }
    }
    let mut start = end;
    while start > floor
        && matches!(
            tokens[start - 1],
            Token::Word(_) | Token::QuoteOpen | Token::QuoteClose
        )
    {
        start -= 1;
    }
    let purpose = (start..end).find(|&k| word_in(tokens, k, PURPOSE_WORDS))?;
    trim_label(tokens, purpose + 1..end)
}

/// Whether the next choice of a menu begins at `i`: a press clause, a say
/// clause, or a joining word before one of those, before a listed key
/// ("or 3 for ...") or before another purpose ("or for outages, press 2").
fn starts_next_choice(tokens: &[Token<'_>], i: usize) -> bool {
    if press_clause(tokens, i).is_some() || is_say_verb(tokens, i) {
        return true;
    }
    if !word_in(tokens, i, CONJUNCTIONS) {
        return false;
    }
    let mut entry = skip_separators(tokens, i);
    while word_in(tokens, entry, LABEL_TRAILERS) {
        entry += 1;
    }
    press_clause(tokens, entry).is_some()
        || is_say_verb(tokens, entry)
        || word_in(tokens, entry, PURPOSE_WORDS)
        || read_key(tokens, entry).is_some_and(|(_, next)| continues_entry(tokens, next))
}

/// Skips joining words ("or", "and") starting at `i`.
fn skip_conjunctions(tokens: &[Token<'_>], mut i: usize) -> usize {
    while word_in(tokens, i, CONJUNCTIONS) {
        i += 1;
    }
    i
}

/// Narrows a label's tokens to its words: quotation marks around it, and a
/// closing "please" or a dangling "or", are not part of what the option is
/// for.
fn trim_label(tokens: &[Token<'_>], words: Range<usize>) -> Option<Range<usize>> {
    let (mut start, mut end) = (words.start, words.end);
    while start < end && word(tokens, start).is_none() {
        start += 1;
    }
    while end > start
        && (word(tokens, end - 1).is_none()
            || word_in(tokens, end - 1, LABEL_TRAILERS)
            || word_in(tokens, end - 1, CONJUNCTIONS))
    {
        end -= 1;
    }
    (start < end).then_some(start..end)
}

/// A label as the prompt writes it: the text from its first word to its
/// last, with runs of whitespace (and the tags that became whitespace)
/// folded to one space.
fn label_text(text: &str, tokens: &Tokens<'_>, words: Range<usize>) -> String {
    let (Some(first), Some(last)) = (
        tokens.spans.get(words.start),
        words
            .end
            .checked_sub(1)
            .and_then(|last| tokens.spans.get(last)),
    ) else {
        return String::new();
    };
    text.get(first.start..last.end)
        .unwrap_or_default()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

// ---------------------------------------------------------------------------
// Text preparation and tokenising
// ---------------------------------------------------------------------------

/// Replaces SSML-like tags by whitespace, or by a full stop for the sentence
/// and paragraph tags, so that tags never glue words together.
fn strip_markup(text: &str) -> Cow<'_, str> {
    // Without a `<` there is no markup, and the text is read as it is.
    if !text.contains('<') {
        return Cow::Borrowed(text);
    }
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '<' {
            let limit = chars.len().min(i + 1 + MAX_SPAN_CHARS);
            if let Some(end) = (i + 1..limit).find(|&j| chars[j] == '>') {
                let name: String = chars[i + 1..end]
                    .iter()
                    .skip_while(|c| **c == '/' || c.is_whitespace())
                    .take_while(|c| c.is_alphanumeric() || **c == '-' || **c == ':')
                    .collect::<String>()
                    .to_lowercase();
                out.push_str(if name == "s" || name == "p" {
                    " . "
                } else {
                    " "
                });
                i = end + 1;
                continue;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    Cow::Owned(out)
}

/// The role of a character in a matched pair of quotation marks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum QuoteMark {
    Open,
    Close,
}

/// The characters that may open a quotation (see [`matching_close`]).
const QUOTE_OPENERS: [char; 6] = ['"', '“', '„', '«', '‘', '\''];

/// Finds matched pairs of quotation marks. Only matched marks delimit a
/// quotation, so a stray mark cannot swallow the rest of the prompt.
fn find_quote_pairs(chars: &[char]) -> Vec<Option<QuoteMark>> {
    let mut marks = vec![None; chars.len()];
    let mut i = 0;
    while i < chars.len() {
        if let Some(close) = matching_close(chars, i) {
            marks[i] = Some(QuoteMark::Open);
            marks[close] = Some(QuoteMark::Close);
            i = close + 1;
        } else {
            i += 1;
        }
    }
    marks
}

/// If `chars[open]` opens a quotation that is closed soon after, returns the
/// index of the closing mark.
fn matching_close(chars: &[char], open: usize) -> Option<usize> {
    let is_alnum_at = |j: usize| chars.get(j).is_some_and(|c| c.is_alphanumeric());
    let closers: &[char] = match chars[open] {
        '"' => &['"', '”'],
        '“' => &['”', '"'],
        '„' => &['“', '”'],
        '«' => &['»'],
        '‘' => &['’'],
        // A straight apostrophe only opens a quotation at the start of a
        // word, so that "don't" and "customers'" are left alone.
        '\'' if (open == 0 || !is_alnum_at(open - 1)) && is_alnum_at(open + 1) => &['\''],
        _ => return None,
    };
    let single = matches!(chars[open], '‘' | '\'');
    let limit = chars.len().min(open + 1 + MAX_SPAN_CHARS);
    // Single quotes double as apostrophes, so a closing single quote must
    // end a word: it may not be followed by a letter, as in "don’t".
    let close = (open + 1..limit)
        .find(|&j| closers.contains(&chars[j]) && !(single && is_alnum_at(j + 1)))?;
    // An empty quotation is punctuation, not a phrase.
    chars[open + 1..close]
        .iter()
        .any(|c| c.is_alphanumeric())
        .then_some(close)
}

/// Splits prepared text into tokens. Words are whitespace-separated chunks
/// with their surrounding punctuation removed; that punctuation becomes a
/// `Sep` or `End` token, except inside quotations, where it is dropped.
/// Each word also records the byte range of its text in `text`, so that a
/// label can be given back as the prompt writes it (case, inner
/// punctuation) rather than as the lower-cased words the reader compares.
/// `lowered` is `text` with its ASCII letters lower-cased, byte for byte
/// the same length, which the ASCII words borrow.
fn tokenize<'text>(text: &str, lowered: &'text str) -> Tokens<'text> {
    // Only a quotation mark can open a quotation, and most prompts have
    // none: they are read without a copy of their characters.
    let marks = if text.contains(QUOTE_OPENERS) {
        find_quote_pairs(&text.chars().collect::<Vec<char>>())
    } else {
        Vec::new()
    };
    let marks = marks.into_iter().chain(std::iter::repeat(None));
    let mut tokens = Tokens::default();
    // The chunk being gathered, as a byte range of `text`.
    let mut chunk = 0..0;
    let mut in_quote = false;
    let mut newlines = 0;

    for ((at, c), mark) in text.char_indices().zip(marks) {
        if c.is_whitespace() || mark.is_some() {
            flush_chunk(text, lowered, chunk.clone(), in_quote, &mut tokens);
            chunk = at + c.len_utf8()..at + c.len_utf8();
        }
        if let Some(mark) = mark {
            newlines = 0;
            in_quote = mark == QuoteMark::Open;
            tokens.push(match mark {
                QuoteMark::Open => Token::QuoteOpen,
                QuoteMark::Close => Token::QuoteClose,
            });
        } else if c.is_whitespace() {
            // A blank line separates paragraphs, which also ends a sentence.
            if c == '\n' {
                newlines += 1;
                if newlines == 2 && !in_quote {
                    tokens.push(Token::End);
                }
            }
        } else {
            newlines = 0;
            // An em dash separates clauses even without surrounding spaces.
            if c == '—' {
                flush_chunk(text, lowered, chunk.clone(), in_quote, &mut tokens);
                chunk = at + c.len_utf8()..at + c.len_utf8();
                if !in_quote {
                    tokens.push(Token::Sep);
                }
            } else {
                chunk.end = at + c.len_utf8();
            }
        }
    }
    flush_chunk(text, lowered, chunk, in_quote, &mut tokens);
    tokens
}

/// Characters that can be part of a word or number. Currency and percent
/// signs stay attached so that "$5" and "5%" are not mistaken for keys.
fn is_core_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '*' | '#' | '$' | '£' | '€' | '+' | '%')
}

/// Turns one whitespace-separated chunk, the byte range `range` of `text`,
/// into tokens; `lowered` is `text` with its ASCII letters lower-cased.
fn flush_chunk<'text>(
    text: &str,
    lowered: &'text str,
    range: Range<usize>,
    in_quote: bool,
    tokens: &mut Tokens<'text>,
) {
    let chunk = &text[range.clone()];
    if chunk.is_empty() {
        return;
    }
    let Some(start) = chunk.find(is_core_char) else {
        // A chunk of punctuation only, such as "-", "..." or ".".
        let token = if in_quote {
            None
        } else {
            punctuation_token(chunk, "")
        };
        tokens.extend(token);
        return;
    };
    // `rfind` must succeed because `find` did; fall back to the start anyway
    // rather than risk a panic.
    let last = chunk.rfind(is_core_char).unwrap_or(start);
    let end = last + chunk[last..].chars().next().map_or(1, char::len_utf8);
    let (leading, core, trailing) = (&chunk[..start], &chunk[start..end], &chunk[end..]);
    let core_range = range.start + start..range.start + end;
    // An ASCII word (nearly every word) has no typographic apostrophe and
    // lower-cases byte by byte, so it is the same bytes of the lower-cased
    // prompt; only a word with other letters is lower-cased on its own.
    let word = match lowered.get(core_range.clone()) {
        Some(lowered_core) if core.is_ascii() => Cow::Borrowed(lowered_core),
        _ => Cow::Owned(core.to_lowercase().replace('’', "'")),
    };

    if !in_quote && leading.contains([',', ';', ':']) {
        tokens.push(Token::Sep);
    }
    let trailing_token = if in_quote {
        None
    } else {
        punctuation_token(trailing, &word)
    };
    tokens.push_word(word, core_range);
    tokens.extend(trailing_token);
}

/// Classifies punctuation following `word` (empty for a punctuation-only
/// chunk) as a sentence end, a separator or nothing.
fn punctuation_token(punct: &str, word: &str) -> Option<Token<'static>> {
    if punct.contains("..") || punct.contains('…') {
        // An ellipsis is a pause in speech, not the end of the menu sentence.
        Some(Token::Sep)
    } else if punct.contains(['!', '?']) {
        Some(Token::End)
    } else if punct.contains('.') {
        // "9 a.m." keeps its sentence going; the period belongs to the word.
        (!ABBREVIATIONS.contains(&word)).then_some(Token::End)
    } else if punct.contains([',', ';', ':', '-', '–']) {
        Some(Token::Sep)
    } else {
        None
    }
}

// ---------------------------------------------------------------------------
// Token helpers
// ---------------------------------------------------------------------------

/// The word at `i`, if the token there is a word.
fn word<'tokens>(tokens: &'tokens [Token<'_>], i: usize) -> Option<&'tokens str> {
    match tokens.get(i) {
        Some(Token::Word(w)) => Some(w),
        _ => None,
    }
}

/// Whether the token at `i` is one of `words`.
fn word_in(tokens: &[Token<'_>], i: usize, words: &[&str]) -> bool {
    word(tokens, i).is_some_and(|w| words.contains(&w))
}

fn is_say_verb(tokens: &[Token<'_>], i: usize) -> bool {
    word_in(tokens, i, SAY_VERBS)
}

/// "Did you say billing?" repeats the caller's answer back instead of
/// offering a choice.
fn is_confirmation(tokens: &[Token<'_>], i: usize) -> bool {
    i >= 2 && word(tokens, i - 2) == Some("did") && word(tokens, i - 1) == Some("you")
}

/// Whether the token at `i` separates list entries.
fn is_separator(tokens: &[Token<'_>], i: usize) -> bool {
    tokens.get(i) == Some(&Token::Sep) || word_in(tokens, i, CONJUNCTIONS)
}

/// Skips separators and list fillers starting at `i`; returns the index of
/// the first token that is neither.
fn skip_separators(tokens: &[Token<'_>], mut i: usize) -> usize {
    while is_separator(tokens, i) || word_in(tokens, i, LIST_FILLERS) {
        i += 1;
    }
    i
}

/// Skips quotation marks, which are transparent when reading keys.
fn skip_quote_marks(tokens: &[Token<'_>], mut i: usize) -> usize {
    while matches!(tokens.get(i), Some(Token::QuoteOpen | Token::QuoteClose)) {
        i += 1;
    }
    i
}

/// Whether `w` is a number written with digits only, of any length.
fn is_numeral(w: &str) -> bool {
    !w.is_empty() && w.chars().all(|c| c.is_ascii_digit())
}

/// The digit a number word stands for.
fn number_word(w: &str) -> Option<char> {
    const WORDS: [&str; 10] = [
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
    ];
    let n = WORDS.iter().position(|candidate| *candidate == w)?;
    char::from_digit(u32::try_from(n).ok()?, 10)
}

// ---------------------------------------------------------------------------
// Keys and press clauses
// ---------------------------------------------------------------------------

/// If a press clause starts at `i`, returns its key and the index after it.
fn press_clause(tokens: &[Token<'_>], i: usize) -> Option<(char, usize)> {
    if !word_in(tokens, i, PRESS_VERBS) {
        return None;
    }
    let mut j = i + 1;
    // "Press or say 1" offers the key both ways; the key is what matters here.
    if word(tokens, j) == Some("or") && is_say_verb(tokens, j + 1) {
        j += 2;
    }
    read_key(tokens, j)
}

/// Reads a key, with its optional prefix and suffix words, starting at `i`.
/// Returns the key and the index just after it.
fn read_key(tokens: &[Token<'_>], i: usize) -> Option<(char, usize)> {
    let mut j = skip_quote_marks(tokens, i);
    let mut prefixes = 0;
    loop {
        // "The number sign" is a key, even though "number" is also a prefix.
        if word(tokens, j) == Some("number") && word(tokens, j + 1) == Some("sign") {
            return Some(('#', j + 2));
        }
        if prefixes < KEY_PREFIXES.len() && word_in(tokens, j, KEY_PREFIXES) {
            prefixes += 1;
            j = skip_quote_marks(tokens, j + 1);
        } else {
            break;
        }
    }
    let w = word(tokens, j)?;
    let (key, is_digit) = match w {
        "*" | "star" | "asterisk" => ('*', false),
        "#" | "pound" | "hash" | "octothorpe" => ('#', false),
        _ => {
            let digit = number_word(w).or_else(|| {
                let mut chars = w.chars();
                let c = chars.next()?;
                (c.is_ascii_digit() && chars.next().is_none()).then_some(c)
            })?;
            (digit, true)
        }
    };
    let next = skip_quote_marks(tokens, j + 1);
    if is_digit && is_quantity(tokens, next) {
        return None;
    }
    let next = if word_in(tokens, next, KEY_SUFFIXES) {
        next + 1
    } else {
        next
    };
    Some((key, next))
}

/// Whether the words from `next` on show that the digit just before them is
/// part of a quantity: another digit, a unit, or the end of a range.
fn is_quantity(tokens: &[Token<'_>], next: usize) -> bool {
    let Some(w) = word(tokens, next) else {
        return false;
    };
    is_numeral(w)
        || number_word(w).is_some()
        || QUANTITY_NOUNS.contains(&w)
        || (RANGE_WORDS.contains(&w) && word(tokens, next + 1).is_some_and(is_numeral))
}

/// Whether the token at `i` plausibly continues a menu entry whose key was
/// just read from a list, as in "2 for outages" or "3." at a sentence end.
fn continues_entry(tokens: &[Token<'_>], i: usize) -> bool {
    match tokens.get(i) {
        None | Some(Token::Sep | Token::End | Token::QuoteClose) => true,
        Some(Token::Word(w)) => KEY_FOLLOWERS.contains(&w.as_ref()),
        Some(Token::QuoteOpen) => false,
    }
}

// ---------------------------------------------------------------------------
// Say clauses
// ---------------------------------------------------------------------------

/// Skips lead-ins such as "the word" or ", for example," after "say".
fn skip_say_lead_ins(tokens: &[Token<'_>], mut i: usize) -> usize {
    loop {
        while tokens.get(i) == Some(&Token::Sep) {
            i += 1;
        }
        let lead_in = SAY_LEAD_INS.iter().find(|lead_in| {
            lead_in
                .iter()
                .enumerate()
                .all(|(offset, w)| word(tokens, i + offset) == Some(*w))
        });
        match lead_in {
            Some(lead_in) => i += lead_in.len(),
            None => return i,
        }
    }
}

/// Parses a list of spoken phrases starting at `i`. Returns the index at
/// which scanning should resume (never before `i`; callers pass an index
/// past the token they are looking at, so scanning always progresses) and whether any phrase was found.
fn parse_say_list(tokens: &[Token<'_>], mut i: usize, out: &mut Announcements) -> (usize, bool) {
    let mut found = false;
    loop {
        let Some((phrase, next)) = read_phrase(tokens, i) else {
            return (i, found);
        };
        push_phrase(out, phrase);
        found = true;
        i = next;
        // Another entry must follow a separator, and must look like a phrase
        // rather than the start of a new instruction ("or press 2").
        let entry = skip_separators(tokens, i);
        let continues = entry > i
            && match tokens.get(entry) {
                Some(Token::QuoteOpen) => true,
                Some(Token::Word(_)) => {
                    !word_in(tokens, entry, PHRASE_STOPS)
                        && !word_in(tokens, entry, FREE_FORM_STARTS)
                        && !is_say_verb(tokens, entry)
                        && press_clause(tokens, entry).is_none()
                }
                _ => false,
            };
        if !continues {
            return (i, found);
        }
        i = entry;
    }
}

/// Reads one spoken phrase, quoted or not, starting at `i`. Returns the
/// lower-cased phrase and the index after it.
fn read_phrase(tokens: &[Token<'_>], i: usize) -> Option<(String, usize)> {
    if tokens.get(i) == Some(&Token::QuoteOpen) {
        let mut words = Vec::new();
        let mut j = i + 1;
        loop {
            match tokens.get(j)? {
                Token::Word(w) => words.push(w.as_ref()),
                Token::QuoteClose => break,
                // The tokeniser drops punctuation inside quotations, so any
                // other token means the quotation is malformed.
                _ => return None,
            }
            j += 1;
        }
        return (words.len() <= MAX_QUOTED_WORDS).then(|| (words.join(" "), j + 1));
    }

    if word_in(tokens, i, FREE_FORM_STARTS) {
        return None;
    }
    let mut words = Vec::new();
    let mut j = i;
    while let Some(w) = word(tokens, j) {
        if PHRASE_STOPS.contains(&w) || is_say_verb(tokens, j) || press_clause(tokens, j).is_some()
        {
            break;
        }
        words.push(w);
        j += 1;
    }
    (!words.is_empty() && words.len() <= MAX_UNQUOTED_WORDS).then(|| (words.join(" "), j))
}

#[cfg(test)]
mod tests {
    /// `tokenize` skips finding quotation marks in a prompt without one of
    /// `QUOTE_OPENERS`: every character `matching_close` opens a quotation
    /// with must be among them, or prompts quoted with it stop being read
    /// as quoted.
    #[test]
    fn every_character_that_opens_a_quotation_is_a_quote_opener() {
        let closers = ['"', '”', '“', '»', '’', '\''];
        let mut openers = Vec::new();
        for c in (0..0x3000).filter_map(char::from_u32) {
            let opens = closers.iter().any(|&close| {
                super::matching_close(&[c, 'a', 'b', close], 0).is_some()
                    || super::matching_close(&[' ', c, 'a', 'b', close, ' '], 1).is_some()
            });
            if opens {
                openers.push(c);
            }
        }
        assert!(!openers.is_empty());
        for c in openers {
            assert!(super::QUOTE_OPENERS.contains(&c), "{c:?} opens a quotation");
        }
    }

    #[test]
    fn a_key_is_mentioned_only_standing_alone() {
        let prompt = "Para Consultas, digite 1. Ligue 0800 123 ou tecle #.";
        assert!(mentions_key(prompt, '1'));
        assert!(mentions_key(prompt, '#'));
        assert!(!mentions_key(prompt, '8'), "part of a longer number");
        assert!(!mentions_key(prompt, '2'));
    }

    use super::*;

    /// Shorthand: the announced keys as a string, e.g. "12*".
    fn keys(prompt: &str) -> String {
        key_chars(&parse_announcements(prompt))
            .into_iter()
            .collect()
    }

    /// The announced keys, without their labels.
    fn key_chars(announced: &Announcements) -> Vec<char> {
        announced
            .keys
            .iter()
            .map(|announced| announced.key)
            .collect()
    }

    fn phrases(prompt: &str) -> Vec<String> {
        parse_announcements(prompt).phrases
    }

    #[test]
    fn press_then_key_list_with_purposes() {
        assert_eq!(
            keys("Press 1 for billing, 2 for outages, or 0 to speak to someone."),
            "120"
        );
    }

    #[test]
    fn purpose_first_then_press() {
        assert_eq!(keys("For billing, press 1. For outages, press 2."), "12");
    }

    #[test]
    fn number_words_and_star() {
        assert_eq!(
            keys("To report an outage, press one. To hear this again, press star."),
            "1*"
        );
    }

    #[test]
    fn symbol_names_and_key_suffix() {
        assert_eq!(keys("Press the star key to go back."), "*");
        assert_eq!(keys("Press the pound key when you are done."), "#");
        assert_eq!(keys("Press hash to finish."), "#");
        assert_eq!(keys("Press pound."), "#");
        assert_eq!(keys("Press * to repeat or # to continue."), "*#");
        assert_eq!(keys("Press the number sign."), "#");
        assert_eq!(keys("Press the 0 key for the operator."), "0");
    }

    #[test]
    fn press_or_say_word() {
        let a = parse_announcements("Press 1 or say billing.");
        assert_eq!(key_chars(&a), vec!['1']);
        assert_eq!(a.phrases, vec!["billing"]);
    }

    #[test]
    fn quoted_multi_word_phrase() {
        let a = parse_announcements("Please say \"make a payment\" or press 2.");
        assert_eq!(a.phrases, vec!["make a payment"]);
        assert_eq!(key_chars(&a), vec!['2']);
    }

    #[test]
    fn curly_and_single_quotes() {
        assert_eq!(
            phrases("Say “Report an Outage” or “billing”."),
            vec!["report an outage", "billing"]
        );
        assert_eq!(phrases("Say ‘agent’ at any time."), vec!["agent"]);
        assert_eq!(
            phrases("Say 'pay my bill', or press 1."),
            vec!["pay my bill"]
        );
        assert_eq!(phrases("Say “billing.”"), vec!["billing"]);
    }

    #[test]
    fn say_list() {
        assert_eq!(
            phrases("You can say billing, outages, or agent."),
            vec!["billing", "outages", "agent"]
        );
        assert_eq!(phrases("Say yes or no."), vec!["yes", "no"]);
    }

    #[test]
    fn unquoted_multi_word_phrase_stops_at_purpose_word() {
        assert_eq!(
            phrases("Say make a payment to pay now."),
            vec!["make a payment"]
        );
        assert_eq!(phrases("Say agent at any time."), vec!["agent"]);
    }

    #[test]
    fn say_lead_ins_are_skipped() {
        assert_eq!(phrases("Just say the word billing."), vec!["billing"]);
        assert_eq!(
            phrases("You can say things like check my balance."),
            vec!["check my balance"]
        );
        assert_eq!(phrases("Say, for example, outages."), vec!["outages"]);
    }

    #[test]
    fn free_form_say_announces_nothing() {
        assert_eq!(
            parse_announcements("Please say your account number."),
            Announcements::default()
        );
        assert_eq!(
            parse_announcements("Say what you're calling about."),
            Announcements::default()
        );
        assert_eq!(
            parse_announcements("Please say or enter your account number."),
            Announcements::default()
        );
        assert_eq!(
            parse_announcements("Say billing, and we will connect you to the right team."),
            Announcements {
                keys: vec![],
                phrases: vec!["billing".into()]
            }
        );
    }

    #[test]
    fn confirmation_is_not_an_offer() {
        let a = parse_announcements("Did you say billing? Say yes or no.");
        assert_eq!(a.phrases, vec!["yes", "no"]);
    }

    #[test]
    fn quoted_entries_continue_after_purpose() {
        assert_eq!(
            phrases("Say “yes” to confirm, or “no” to cancel."),
            vec!["yes", "no"]
        );
        // Unquoted prose after a purpose clause is not read as a phrase.
        assert_eq!(
            phrases("Say billing for bills, or stay on the line."),
            vec!["billing"]
        );
    }

    #[test]
    fn say_or_press_and_press_or_say() {
        let a = parse_announcements("For billing, press or say 1.");
        assert_eq!(key_chars(&a), vec!['1']);
        assert!(a.phrases.is_empty());
        let a = parse_announcements("For billing, say or press 1.");
        assert_eq!(key_chars(&a), vec!['1']);
        assert!(a.phrases.is_empty());
    }

    #[test]
    fn other_press_verbs() {
        assert_eq!(keys("Dial 9 for an outside line."), "9");
        assert_eq!(keys("Select 3."), "3");
        assert_eq!(keys("Push 4 to continue."), "4");
        assert_eq!(keys("Key 5 now."), "5");
        assert_eq!(keys("Hit 6 to repeat."), "6");
        assert_eq!(keys("Choose 7 for Spanish."), "7");
        assert_eq!(keys("Enter 1 to confirm."), "1");
        assert_eq!(keys("Select option 8."), "8");
        assert_eq!(keys("By pressing 2 you agree."), "2");
    }

    #[test]
    fn enter_your_is_not_a_key() {
        assert_eq!(keys("Please enter your 8 digit account number."), "");
        assert_eq!(
            keys("Enter the 4 digit PIN, followed by the pound key."),
            ""
        );
        assert_eq!(
            keys("Please enter your account number, or press 0 for an agent."),
            "0"
        );
    }

    #[test]
    fn numbers_in_prose_announce_nothing() {
        for prompt in [
            "We are available 24 hours a day.",
            "Call 1-800-555-0100 for help.",
            "Thank you for calling since 2023.",
            "There is a $100 fee.",
            "Your wait time is 5 minutes.",
            "We are open 8 to 6, Monday to Friday.",
            "Our 3 offices are closed.",
            "One moment please.",
        ] {
            assert_eq!(
                parse_announcements(prompt),
                Announcements::default(),
                "{prompt}"
            );
        }
    }

    #[test]
    fn quantities_after_press_verb_announce_nothing() {
        assert_eq!(keys("Dial 1-800-555-0100."), "");
        assert_eq!(keys("Dial 1 800 555 0100."), "");
        assert_eq!(keys("Dial $5 now."), "");
        assert_eq!(keys("Select 5% off."), "");
        assert_eq!(keys("Press 1 for billing, our hours are 8 to 6."), "1");
        assert_eq!(
            keys("Press 1 for billing, and 9 am is our opening time."),
            "1"
        );
    }

    #[test]
    fn key_lists_after_press_verb() {
        assert_eq!(keys("Press 1, 2 or 3."), "123");
        assert_eq!(keys("press 1 for X, 2 for Y, and 3 for Z"), "123");
        assert_eq!(keys("For X press 1, for Y press 2"), "12");
        assert_eq!(keys("For billing, press 1, for outages, 2."), "12");
        assert_eq!(keys("Press 1 and then the pound key."), "1#");
        assert_eq!(keys("Press 1 for billing; 2 for outages."), "12");
        assert_eq!(keys("Press star or pound."), "*#");
    }

    #[test]
    fn list_entries_must_look_like_menu_entries() {
        assert_eq!(
            keys("Press 2 for outages, or one of our agents will help."),
            "2"
        );
        assert_eq!(keys("Press 1 now, or one moment please."), "1");
    }

    #[test]
    fn lists_do_not_cross_sentences() {
        assert_eq!(keys("Press 1 for billing. 2 lines are open."), "1");
    }

    #[test]
    fn multi_digit_numbers_are_not_keys() {
        assert_eq!(keys("Press 10."), "");
        // Separate digits are read as one number, like a phone number.
        assert_eq!(keys("Press 1 0."), "");
        assert_eq!(keys("Press one zero."), "");
    }

    #[test]
    fn keys_and_phrases_are_deduplicated_in_order() {
        let a = parse_announcements(
            "Press 2 for outages. Press 1 for billing. Again, press 2 for outages. \
             Say billing. Say Billing or outages.",
        );
        assert_eq!(key_chars(&a), vec!['2', '1']);
        assert_eq!(a.phrases, vec!["billing", "outages"]);
    }

    #[test]
    fn case_insensitive() {
        let a = parse_announcements("PRESS ONE FOR BILLING OR SAY BILLING.");
        assert_eq!(key_chars(&a), vec!['1']);
        assert_eq!(a.phrases, vec!["billing"]);
    }

    #[test]
    fn ssml_tags_are_ignored() {
        assert_eq!(
            keys(r#"Press 1 <break time="1s"/> for billing, <emphasis>2</emphasis> for outages."#),
            "12"
        );
        assert_eq!(
            keys("<speak><s>Press 1 for billing</s><s>2 lines are open</s></speak>"),
            "1"
        );
        assert_eq!(
            phrases(r#"Say <prosody rate="slow">"make a payment"</prosody>."#),
            vec!["make a payment"]
        );
    }

    #[test]
    fn blank_line_ends_sentence() {
        assert_eq!(keys("Press 1 for billing\n\n2 lines are open"), "1");
        assert_eq!(keys("Press 1 for billing,\n2 for outages"), "12");
    }

    #[test]
    fn quoted_keys_are_read() {
        assert_eq!(keys("Press \"1\" for billing."), "1");
    }

    #[test]
    fn unmatched_quote_is_ignored() {
        let a = parse_announcements("Say \"billing or press 1.");
        assert_eq!(key_chars(&a), vec!['1']);
        assert_eq!(a.phrases, vec!["billing"]);
        // Apostrophes in words are not quotation marks.
        assert_eq!(
            phrases("Say don't know or 'agent'."),
            vec!["don't know", "agent"]
        );
    }

    #[test]
    fn empty_prompt_announces_nothing() {
        assert_eq!(parse_announcements(""), Announcements::default());
        assert_eq!(parse_announcements("   \n\t "), Announcements::default());
    }

    #[test]
    fn odd_inputs_never_panic() {
        let long = "Press 1 for billing, 2 for outages, or say agent. ".repeat(2_000);
        let unbalanced = "<\"“‘'«".repeat(500);
        let odd = [
            "",
            "press",
            "press press",
            "say",
            "say say",
            "say,",
            "press the",
            "press the number",
            "or",
            ",,,...;;;",
            "\"",
            "“”",
            "''",
            "<",
            ">",
            "<break",
            "*#",
            "Appuyez sur 1 — 日本語のテキスト — 🎉 press 🎉 say ünïcödé",
            "éèê press ٣ say ß",
            "did you say",
            long.as_str(),
            unbalanced.as_str(),
        ];
        for prompt in odd {
            let _ = parse_announcements(prompt);
        }
        assert_eq!(key_chars(&parse_announcements(&long)), vec!['1', '2']);
        assert_eq!(parse_announcements(&long).phrases, vec!["agent"]);
    }

    /// One row of the table of prompts: what the reader must give for it.
    struct Row {
        prompt: &'static str,
        /// Every announced key, in order, with its label.
        keys: &'static [(char, Option<&'static str>)],
        /// Every announced phrase, in order.
        phrases: &'static [&'static str],
    }

    /// The prompts the reader is held to: keys, labels and phrases. It
    /// holds what the importers' and the crawler's old label reader
    /// (`ir::announced_label`) answered, the prompts on which it and this
    /// reader disagreed, and the spellings either handled: verbs, number
    /// words, "option 3", star and pound, SSML, quotes, "or" lists and the
    /// purpose before or after the key.
    const TABLE: &[Row] = &[
        // The old label reader's own cases (Connect's and Studio's tests).
        Row {
            prompt:
                "For billing, press 1. Press 2 for outages or press 3 to speak to someone. Press 4.",
            keys: &[
                ('1', Some("billing")),
                ('2', Some("outages")),
                ('3', Some("speak to someone")),
                ('4', None),
            ],
            phrases: &[],
        },
        Row {
            prompt: "To hear this again, press *.",
            keys: &[('*', Some("hear this again"))],
            phrases: &[],
        },
        Row {
            prompt: "For billing and payments, press 1. To report an outage, press 2. \
                     Press 3 for anything else, press star to repeat.",
            keys: &[
                ('1', Some("billing and payments")),
                ('2', Some("report an outage")),
                ('3', Some("anything else")),
                ('*', Some("repeat")),
            ],
            phrases: &[],
        },
        Row {
            prompt: "Press 1 for yes, press 2 for no.",
            keys: &[('1', Some("yes")), ('2', Some("no"))],
            phrases: &[],
        },
        // Where the two readers disagreed: every press verb names its key.
        Row {
            prompt: "Tap 1 for billing.",
            keys: &[('1', Some("billing"))],
            phrases: &[],
        },
        Row {
            prompt: "Touch 2 to report an outage, hit 3 for sales, or key 4 for support.",
            keys: &[
                ('2', Some("report an outage")),
                ('3', Some("sales")),
                ('4', Some("support")),
            ],
            phrases: &[],
        },
        Row {
            prompt: "By pressing 9 for the operator you agree to wait.",
            keys: &[('9', Some("the operator you agree to wait"))],
            phrases: &[],
        },
        // A purpose between two keys belongs to the key it is not
        // separated from by a pause: the old reader gave key 1 "outages".
        Row {
            prompt: "For billing, press 1, for outages, press 2.",
            keys: &[('1', Some("billing")), ('2', Some("outages"))],
            phrases: &[],
        },
        Row {
            prompt: "For billing press 1 for outages press 2.",
            keys: &[('1', Some("billing")), ('2', Some("outages"))],
            phrases: &[],
        },
        Row {
            prompt: "Press 1 for billing press 2 for outages.",
            keys: &[('1', Some("billing")), ('2', Some("outages"))],
            phrases: &[],
        },
        // A listed key has its purpose too; the old reader read key 1 as
        // "orders or 2 for returns" and key 2 as nothing.
        Row {
            prompt: "Sorry, please press 1 for orders or 2 for returns.",
            keys: &[('1', Some("orders")), ('2', Some("returns"))],
            phrases: &[],
        },
        Row {
            prompt: "Press 1 for billing, 2 for outages, or 0 to speak to someone.",
            keys: &[
                ('1', Some("billing")),
                ('2', Some("outages")),
                ('0', Some("speak to someone")),
            ],
            phrases: &[],
        },
        Row {
            prompt: "For billing, press 1, for outages, 2.",
            keys: &[('1', Some("billing")), ('2', Some("outages"))],
            phrases: &[],
        },
        Row {
            prompt: "Press 1, 2 or 3.",
            keys: &[('1', None), ('2', None), ('3', None)],
            phrases: &[],
        },
        // A purpose that starts with a press verb is still a purpose: the
        // old reader cut it at "enter" and gave nothing.
        Row {
            prompt: "To enter your account number, press 1. To skip it, press 2. \
                     For an advisor, press 0.",
            keys: &[
                ('1', Some("enter your account number")),
                ('2', Some("skip it")),
                ('0', Some("an advisor")),
            ],
            phrases: &[],
        },
        // Labels are given as the prompt writes them.
        Row {
            prompt: "For 401K questions, press 1. For IRA, press 2.",
            keys: &[('1', Some("401K questions")), ('2', Some("IRA"))],
            phrases: &[],
        },
        Row {
            prompt: "PRESS ONE FOR BILLING OR SAY BILLING.",
            keys: &[('1', Some("BILLING"))],
            phrases: &["billing"],
        },
        // Key spellings.
        Row {
            prompt: "To report an outage, press one. To hear this again, press star.",
            keys: &[
                ('1', Some("report an outage")),
                ('*', Some("hear this again")),
            ],
            phrases: &[],
        },
        Row {
            prompt: "Select option 3 for new accounts. Press the number 4 for closures.",
            keys: &[('3', Some("new accounts")), ('4', Some("closures"))],
            phrases: &[],
        },
        Row {
            prompt: "Press the star key to go back, or the pound key to finish.",
            keys: &[('*', Some("go back")), ('#', Some("finish"))],
            phrases: &[],
        },
        Row {
            prompt: "Press hash for the main menu. Dial the number sign to end.",
            keys: &[('#', Some("the main menu"))],
            phrases: &[],
        },
        Row {
            prompt: "Press * to repeat or # to continue.",
            keys: &[('*', Some("repeat")), ('#', Some("continue"))],
            phrases: &[],
        },
        Row {
            prompt: "Press the 0 key for the operator.",
            keys: &[('0', Some("the operator"))],
            phrases: &[],
        },
        // SSML and quotes.
        Row {
            prompt: r#"<speak>Press 1 <break time="1s"/> for billing, <emphasis>2</emphasis> for outages.</speak>"#,
            keys: &[('1', Some("billing")), ('2', Some("outages"))],
            phrases: &[],
        },
        Row {
            prompt: r#"<speak><s>For billing, press 1</s><s>2 lines are open</s></speak>"#,
            keys: &[('1', Some("billing"))],
            phrases: &[],
        },
        Row {
            prompt: "Press \"1\" for “billing”.",
            keys: &[('1', Some("billing"))],
            phrases: &[],
        },
        Row {
            prompt: "For “make a payment”, press 2.",
            keys: &[('2', Some("make a payment"))],
            phrases: &[],
        },
        Row {
            prompt: "Press 1 for Mary’s account.",
            keys: &[('1', Some("Mary’s account"))],
            phrases: &[],
        },
        // What stands around the purpose is not part of it.
        Row {
            prompt: "For billing, please press 1. For outages just press 2.",
            keys: &[('1', Some("billing")), ('2', Some("outages"))],
            phrases: &[],
        },
        Row {
            prompt: "Press 1 for billing please.",
            keys: &[('1', Some("billing"))],
            phrases: &[],
        },
        Row {
            prompt: "For billing, say or press 1.",
            keys: &[('1', Some("billing"))],
            phrases: &[],
        },
        Row {
            prompt: "For billing, press 6, for outages, say or press 8.",
            keys: &[('6', Some("billing")), ('8', Some("outages"))],
            phrases: &[],
        },
        Row {
            prompt: "For billing, press or say 1.",
            keys: &[('1', Some("billing"))],
            phrases: &[],
        },
        Row {
            prompt: "Press 1 for billing or say agent.",
            keys: &[('1', Some("billing"))],
            phrases: &["agent"],
        },
        Row {
            prompt: "Press 1 for billing or for outages, press 2.",
            keys: &[('1', Some("billing")), ('2', Some("outages"))],
            phrases: &[],
        },
        Row {
            prompt: "Press 1 for billing or please press 2 for outages.",
            keys: &[('1', Some("billing")), ('2', Some("outages"))],
            phrases: &[],
        },
        Row {
            prompt: "Press 1 for lost or stolen cards.",
            keys: &[('1', Some("lost or stolen cards"))],
            phrases: &[],
        },
        Row {
            prompt: "If you are calling to check your balance, press 1.",
            keys: &[('1', Some("check your balance"))],
            phrases: &[],
        },
        // A purpose never crosses a sentence, and a key without one has
        // no label.
        Row {
            prompt: "Thank you for calling. Press 1.",
            keys: &[('1', None)],
            phrases: &[],
        },
        Row {
            prompt: "Press 1 for billing. 2 lines are open.",
            keys: &[('1', Some("billing"))],
            phrases: &[],
        },
        Row {
            prompt: "Please enter your account number, or press 0 for an agent.",
            keys: &[('0', Some("an agent"))],
            phrases: &[],
        },
        Row {
            prompt: "Press 0 at any time to speak to an agent.",
            keys: &[('0', None)],
            phrases: &[],
        },
        // A key mentioned again takes the first label any mention gives.
        Row {
            prompt: "Press 2. Again, press 2 for outages. Press 2 for billing.",
            keys: &[('2', Some("outages"))],
            phrases: &[],
        },
        // Numbers in prose announce nothing, with or without a purpose.
        Row {
            prompt: "Dial 1-800-555-0100 for help. We are open 8 to 6. Press 10 for more.",
            keys: &[],
            phrases: &[],
        },
        Row {
            prompt: "Press 1 to 3 for the same thing.",
            keys: &[],
            phrases: &[],
        },
        Row {
            prompt: "Say “yes” to confirm, or “no” to cancel.",
            keys: &[],
            phrases: &["yes", "no"],
        },
    ];

    #[test]
    fn table_of_prompts() {
        for row in TABLE {
            let announced = parse_announcements(row.prompt);
            let keys: Vec<(char, Option<&str>)> = announced
                .keys
                .iter()
                .map(|k| (k.key, k.label.as_deref()))
                .collect();
            assert_eq!(keys, row.keys, "keys and labels of {:?}", row.prompt);
            assert_eq!(
                announced.phrases, row.phrases,
                "phrases of {:?}",
                row.prompt
            );
            for &(key, label) in row.keys {
                assert!(announced.announces(key), "{:?} announces {key}", row.prompt);
                assert_eq!(announced.label(&key.to_string()), label, "{:?}", row.prompt);
            }
        }
    }

    #[test]
    fn a_key_of_more_than_one_character_has_no_label() {
        let announced = parse_announcements("Press 1 for billing.");
        assert_eq!(announced.label("1"), Some("billing"));
        assert_eq!(announced.label("11"), None);
        assert_eq!(announced.label(""), None);
    }

    mod grammar {
        //! A small grammar of menu prompts: each option is a verb, a key
        //! spelling and a label in one of several orders, and the options
        //! are joined into one prompt. Whatever the grammar builds, every
        //! key must be announced with its own label.

        use super::*;
        use proptest::prelude::*;

        const VERBS: &[&str] = &[
            "press",
            "dial",
            "push",
            "select",
            "choose",
            "enter",
            "tap",
            "touch",
            "hit",
            "key",
            "please press",
            "simply press",
            "press or say",
            "say or press",
        ];

        /// Labels as a prompt writes them: several words, capitals, words
        /// that also join or start purposes ("or", "to"), a number.
        const LABELS: &[&str] = &[
            "billing",
            "new accounts",
            "Report an Outage",
            "lost or stolen cards",
            "speak to someone",
            "401K questions",
            "IRA",
            "technical support",
            "check your balance",
            "Mary’s account",
            "hear these options again",
        ];

        /// Every spelling of each key the reader must accept.
        fn spellings(key: char) -> Vec<String> {
            const WORDS: [&str; 10] = [
                "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
            ];
            match key {
                '*' => ["*", "star", "the star key", "asterisk", "the * key"]
                    .map(String::from)
                    .to_vec(),
                '#' => [
                    "#",
                    "pound",
                    "hash",
                    "the pound key",
                    "the number sign",
                    "the hash key",
                ]
                .map(String::from)
                .to_vec(),
                digit => {
                    let n = digit.to_digit(10).unwrap_or(0) as usize;
                    vec![
                        digit.to_string(),
                        WORDS[n].to_string(),
                        format!("option {digit}"),
                        format!("the number {digit}"),
                        format!("the {digit} key"),
                        format!("\"{digit}\""),
                    ]
                }
            }
        }

        /// The orders an option can be written in. `Loose` ("press 1, for
        /// billing") is only built between sentences: between two keys of
        /// one sentence it is ambiguous to any reader.
        #[derive(Debug, Clone, Copy)]
        enum Order {
            KeyFor,
            KeyTo,
            ForKey,
            ToKey,
            ForKeyNoPause,
            Loose,
        }

        const ORDERS: [Order; 6] = [
            Order::KeyFor,
            Order::KeyTo,
            Order::ForKey,
            Order::ToKey,
            Order::ForKeyNoPause,
            Order::Loose,
        ];

        const JOINS: &[&str] = &[". ", ", ", "; ", " or ", ", or ", "! "];

        fn option(verb: &str, key: &str, label: &str, order: Order) -> String {
            match order {
                Order::KeyFor => format!("{verb} {key} for {label}"),
                Order::KeyTo => format!("{verb} {key} to {label}"),
                Order::ForKey => format!("for {label}, {verb} {key}"),
                Order::ToKey => format!("to {label}, {verb} {key}"),
                Order::ForKeyNoPause => format!("for {label} {verb} {key}"),
                Order::Loose => format!("{verb} {key}, for {label}"),
            }
        }

        /// A capital at the start of each sentence, as a prompt writes it.
        fn capitalised(text: &str) -> String {
            let mut chars = text.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_uppercase().chain(chars).collect()
            })
        }

        /// One generated option: its key, its label, its verb, its key's
        /// spelling and its order.
        type Choice = (char, &'static str, &'static str, String, Order);

        fn options() -> impl Strategy<Value = Vec<Choice>> {
            let keys: Vec<char> = "0123456789*#".chars().collect();
            (
                proptest::sample::subsequence(keys, 1..=4).prop_shuffle(),
                proptest::collection::vec(
                    (
                        proptest::sample::select(VERBS),
                        proptest::sample::select(LABELS),
                        proptest::sample::select(ORDERS.to_vec()),
                        0..6usize,
                    ),
                    4,
                ),
            )
                .prop_map(|(keys, choices)| {
                    keys.into_iter()
                        .zip(choices)
                        .map(|(key, (verb, label, order, spelling))| {
                            let spellings = spellings(key);
                            let spelled = spellings[spelling % spellings.len()].clone();
                            (key, label, verb, spelled, order)
                        })
                        .collect()
                })
        }

        proptest! {
            #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

            #[test]
            fn every_key_is_announced_with_its_label(
                options in options(),
                join in proptest::sample::select(JOINS),
                lead in proptest::sample::select(&["", "Main menu. ", "Please listen carefully: "][..]),
                ssml in any::<bool>(),
            ) {
                let sentences = [". ", "! "].contains(&join);
                let mut prompt = lead.to_string();
                for (i, (_, label, verb, key, order)) in options.iter().enumerate() {
                    // A loose purpose is only written where a sentence
                    // ends.
                    let order = match order {
                        Order::Loose if !sentences => Order::KeyFor,
                        order => *order,
                    };
                    let text = option(verb, key, label, order);
                    if i > 0 {
                        prompt.push_str(join);
                        if ssml {
                            prompt.push_str(r#"<break time="300ms"/> "#);
                        }
                    }
                    prompt.push_str(&if i == 0 || sentences { capitalised(&text) } else { text });
                }
                prompt.push('.');
                if ssml {
                    prompt = format!("<speak>{prompt}</speak>");
                }

                let announced = parse_announcements(&prompt);
                let expected: Vec<(char, Option<&str>)> =
                    options.iter().map(|&(key, label, ..)| (key, Some(label))).collect();
                let got: Vec<(char, Option<&str>)> = announced
                    .keys
                    .iter()
                    .map(|k| (k.key, k.label.as_deref()))
                    .collect();
                prop_assert_eq!(got, expected, "{}", prompt);
            }
        }
    }
}
