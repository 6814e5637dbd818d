//! CloudWatch Logs metric-filter patterns: parsing, evaluation and semantic coverage.
//!
//! CIS AWS Foundations 5.1–5.15 each require a metric filter on the CloudTrail log group
//! whose pattern catches certain events. Matching the filter *text* against the CIS text
//! gives false positives and negatives, so this module parses the pattern language into a
//! [`Pattern`] tree and decides whether a deployed filter **covers** the CIS pattern: every
//! log event that the CIS pattern matches is also matched by the filter ([`covers`]).
//! Whitespace, parentheses, quoting, and the order and grouping of `&&`/`||` operands do
//! not matter; a broader filter covers, a narrower one does not.
//!
//! # Language subset
//!
//! * The empty or whitespace-only pattern is [`Pattern::MatchAll`]: it matches every event.
//! * A pattern that, once trimmed, starts with `{` is a JSON pattern ([`Pattern::Json`]):
//!   `{ expr }` where `expr` combines comparisons with `&&`, `||` and parentheses (any
//!   depth up to [`MAX_NESTING`], redundant parentheses allowed). **`&&` binds tighter
//!   than `||`**, so `a || b && c` is `a || (b && c)` (this is how CIS 5.1 is read).
//!   Parentheses never create tree nodes: `(a && b) && c` and `a && (b && c)` both parse
//!   to one three-operand [`Expr::And`].
//! * Any other pattern (text terms such as `ERROR -DEBUG`, quoted phrases, space-delimited
//!   `[a, b]` patterns) is kept verbatim (trimmed) as an opaque [`Pattern::Text`].
//! * Selectors: `$` followed by one or more `.key` or `[index]` steps, e.g.
//!   `$.userIdentity.type`, `$.resources[0].ARN`. Keys may contain letters, digits and
//!   `_ - @ : # / +`. `[*]` is not supported (a parse error).
//! * Comparisons: `selector OP value` with `OP` one of `= != < > <= >=`, or the keyword
//!   forms `IS NULL`, `IS TRUE`, `IS FALSE`, `NOT EXISTS` (keywords are case-insensitive).
//! * Values: double-quoted strings (`\"` and `\\` are escapes; any other backslash is kept
//!   literally), bare words (`ConsoleLogin`, `AccessDenied*`, `kms.amazonaws.com`), numbers
//!   (a bare word in JSON number syntax, e.g. `5`, `-1.5`, `2e3`; a quoted `"5"` is a
//!   string), and regexes `%...%`. In strings, quoted or not, `*` is always a wildcard that
//!   matches any run of characters, including none. `<`, `>`, `<=`, `>=` need a number.
//!
//! # Semantics (used by [`matches`] and, consistently, by [`covers`])
//!
//! A selector *resolves* when every step finds an object key / array element; otherwise the
//! field is *absent*.
//! * Any comparison on an absent field is false — `=` and `!=` alike — except `NOT EXISTS`,
//!   which is true exactly when the field is absent.
//! * `= "glob"` is true when the value is a JSON string matching the glob. A value made only
//!   of `*` (`$.x = *`) means "present with any value" (including `null`, numbers, objects).
//! * `!= "glob"` is true when the field is present and `= "glob"` is false (so a present
//!   number or `null` is `!=` any non-`*` string, and `$.x != *` is never true).
//! * Numeric comparisons (`= 5`, `!= 5`, `<`, `<=`, `>`, `>=`) are true only on JSON
//!   numbers (compared as `f64`); on strings (even `"5"`), booleans, null or absent they are
//!   false.
//! * `IS NULL` / `IS TRUE` / `IS FALSE` are true on JSON `null` / `true` / `false`.
//! * Regex comparisons cannot be evaluated with `std` alone: [`matches`] treats them as false
//!   (for `=` and `!=`). [`Pattern::Text`] likewise never matches in [`matches`].
//!
//! Note that `!(x = v)` is *not* `x != v`: the former also holds when `x` is absent.
//!
//! # Coverage algorithm
//!
//! `covers(F, R)` holds iff `R ⇒ F`. `R` is put in disjunctive normal form (a list of
//! conjunctions of atoms; the language has no negation so all atoms are positive) and `F` in
//! conjunctive normal form (a list of clauses). `R ⇒ F` iff for every conjunct `C` and
//! every clause `K`, `C ∧ ¬K` is unsatisfiable. A pair sharing an identical atom is trivially
//! unsatisfiable (this makes reflexivity, reordering and regrouping exact). Otherwise the
//! literals are grouped by selector; the conjunction is unsatisfiable if some selector's
//! group is. Treating different selectors as independent only ever *loses* proofs of
//! unsatisfiability (e.g. `$.a.b = x` does not prove `$.a = *`), so it is sound.
//!
//! Per selector, the value domain is split into classes: absent, `null`, `true`, `false`,
//! compound (object/array), numbers, strings. Each candidate value is checked against every
//! literal with the same evaluator [`matches`] uses; if one satisfies all, the group is
//! satisfiable. The candidates are *complete* (some candidate satisfies the group whenever
//! any value does) for: the single-point classes; numbers (every constant and its
//! neighbouring `f64`s, which hit every cell of the partition by the constants); and strings
//! when the positive string constraints reduce to one literal, to none, or to one glob
//! (instantiating a glob's `*` with a character that occurs in no glob of the group decides
//! glob inclusion exactly). With several distinct positive globs, a merged witness and
//! prefix/suffix overlaps are tried; failing those, the group is proven
//! unsatisfiable only if two are disjoint (incompatible literal prefixes or suffixes) or one
//! is included in a negated glob; otherwise the answer is "maybe satisfiable" and `covers`
//! returns false. Regex and text atoms are opaque: only an atom and its own negation
//! contradict. Normal forms beyond [`MAX_TERMS`] terms, or more than [`MAX_PAIRS`]
//! conjunct/clause pairs, make `covers` return false.
//!
//! `covers` is therefore sound (never true unless every event matching `R` matches `F`,
//! under the semantics above) and exact for the common CIS shapes.

use std::collections::BTreeMap;
use std::fmt;

use serde_json::Value;

/// Deepest parenthesis nesting the parser accepts (guards the stack).
pub const MAX_NESTING: usize = 200;
/// Largest disjunctive / conjunctive normal form `covers` builds before giving up (false).
pub const MAX_TERMS: usize = 1 << 14;
/// Most (conjunct, clause) pairs `covers` checks before giving up (false).
pub const MAX_PAIRS: usize = 1 << 20;

/// A parsed metric-filter pattern.
#[derive(Debug, Clone, PartialEq)]
pub enum Pattern {
    /// The empty (or whitespace-only) pattern: matches every event.
    MatchAll,
    /// A non-JSON pattern, kept verbatim (trimmed). Opaque: covered only by an identical
    /// text pattern (or by a pattern matching everything), never matched by [`matches`].
    Text(String),
    /// A JSON pattern `{ ... }`.
    Json(Expr),
}

/// The body of a JSON pattern. Parsed `And`/`Or` nodes have at least two operands and no
/// operand of the same kind (nested groups are flattened). Hand-built empty nodes mean
/// true (`And`) and false (`Or`), but have no textual form.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Compare(Comparison),
    And(Vec<Expr>),
    Or(Vec<Expr>),
}

/// `selector test`, e.g. `$.eventName = "ConsoleLogin"` or `$.x NOT EXISTS`.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    pub selector: Selector,
    pub test: Test,
}

/// `$.a.b[0]`: the path from the event's root.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Selector {
    pub segments: Vec<Segment>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Segment {
    /// `.key`: a member of an object.
    Key(String),
    /// `[n]`: an element of an array.
    Index(usize),
}

/// What a comparison checks of the selected value.
#[derive(Debug, Clone, PartialEq)]
pub enum Test {
    Equals(Operand),
    NotEquals(Operand),
    Less(f64),
    LessOrEqual(f64),
    Greater(f64),
    GreaterOrEqual(f64),
    IsNull,
    IsTrue,
    IsFalse,
    NotExists,
}

/// The right-hand side of `=` / `!=`.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    /// A string; every `*` is a wildcard. Only `*`s means "any present value".
    Glob(String),
    /// A number, compared numerically with JSON numbers only.
    Number(f64),
    /// `%regex%` (the text between the `%`s, verbatim). Opaque.
    Regex(String),
}

/// Why a pattern could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// Byte offset into the parsed text.
    pub position: usize,
    /// What was expected, e.g. `expected a value after '='`.
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at position {}", self.message, self.position)
    }
}

impl std::error::Error for ParseError {}

impl Expr {
    /// `a && b`, flattening nested `And`s.
    pub fn and(self, other: Expr) -> Expr {
        Expr::all_of(vec![self, other])
    }

    /// `a || b`, flattening nested `Or`s.
    pub fn or(self, other: Expr) -> Expr {
        Expr::any_of(vec![self, other])
    }

    /// The conjunction of `items` (flattened; a single item is returned as is).
    pub fn all_of(items: Vec<Expr>) -> Expr {
        let mut flat = Vec::with_capacity(items.len());
        for item in items {
            match item {
                Expr::And(inner) => flat.extend(inner),
                other => flat.push(other),
            }
        }
        if flat.len() == 1 {
            flat.pop().unwrap_or(Expr::And(Vec::new()))
        } else {
            Expr::And(flat)
        }
    }

    /// The disjunction of `items` (flattened; a single item is returned as is).
    pub fn any_of(items: Vec<Expr>) -> Expr {
        let mut flat = Vec::with_capacity(items.len());
        for item in items {
            match item {
                Expr::Or(inner) => flat.extend(inner),
                other => flat.push(other),
            }
        }
        if flat.len() == 1 {
            flat.pop().unwrap_or(Expr::Or(Vec::new()))
        } else {
            Expr::Or(flat)
        }
    }
}

// ---------------------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------------------

/// Parses a metric-filter pattern. Never panics.
pub fn parse(text: &str) -> Result<Pattern, ParseError> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Ok(Pattern::MatchAll);
    }
    if !trimmed.starts_with('{') {
        return Ok(Pattern::Text(trimmed.to_string()));
    }
    let start = text.len() - text.trim_start().len();
    let mut p = Parser {
        src: text,
        pos: start + 1,
        depth: 0,
    };
    let expr = p.or_expr()?;
    p.skip_ws();
    if !p.eat("}") {
        return Err(p.error_here("expected '&&', '||' or '}'"));
    }
    p.skip_ws();
    if p.pos != text.len() {
        return Err(p.error_here("expected end of pattern after '}'"));
    }
    Ok(Pattern::Json(expr))
}

struct Parser<'a> {
    src: &'a str,
    pos: usize,
    depth: usize,
}

fn is_key_char(c: char) -> bool {
    c.is_alphanumeric() || "_-@:#/+".contains(c)
}

fn is_bare_value_char(c: char) -> bool {
    !c.is_whitespace() && !"(){}&|\"=<>!".contains(c)
}

/// JSON number syntax, leniently allowing leading zeros.
fn is_number_syntax(s: &str) -> bool {
    fn digits(b: &[u8], mut i: usize) -> usize {
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        i
    }
    let b = s.as_bytes();
    let mut i = usize::from(b.first() == Some(&b'-'));
    let j = digits(b, i);
    if j == i {
        return false;
    }
    i = j;
    if b.get(i) == Some(&b'.') {
        let j = digits(b, i + 1);
        if j == i + 1 {
            return false;
        }
        i = j;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let j = digits(b, i);
        if j == i {
            return false;
        }
        i = j;
    }
    i == b.len()
}

impl Parser<'_> {
    fn rest(&self) -> &str {
        self.src.get(self.pos..).unwrap_or("")
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.bump();
        }
    }

    fn eat(&mut self, s: &str) -> bool {
        if self.rest().starts_with(s) {
            self.pos += s.len();
            true
        } else {
            false
        }
    }

    fn take_while(&mut self, pred: impl Fn(char) -> bool) -> &str {
        let start = self.pos;
        while self.peek().is_some_and(&pred) {
            self.bump();
        }
        &self.src[start..self.pos]
    }

    fn found(&self) -> String {
        match self.peek() {
            None => "end of pattern".to_string(),
            Some(c) => format!("'{c}'"),
        }
    }

    fn error_at(&self, position: usize, expected: &str) -> ParseError {
        ParseError {
            position,
            message: expected.to_string(),
        }
    }

    fn error_here(&self, expected: &str) -> ParseError {
        ParseError {
            position: self.pos,
            message: format!("{expected}, found {}", self.found()),
        }
    }

    fn or_expr(&mut self) -> Result<Expr, ParseError> {
        let mut items = vec![self.and_expr()?];
        loop {
            self.skip_ws();
            if self.eat("||") {
                items.push(self.and_expr()?);
            } else {
                return Ok(Expr::any_of(items));
            }
        }
    }

    fn and_expr(&mut self) -> Result<Expr, ParseError> {
        let mut items = vec![self.primary()?];
        loop {
            self.skip_ws();
            if self.eat("&&") {
                items.push(self.primary()?);
            } else {
                return Ok(Expr::all_of(items));
            }
        }
    }

    fn primary(&mut self) -> Result<Expr, ParseError> {
        self.skip_ws();
        match self.peek() {
            Some('(') => {
                let open = self.pos;
                if self.depth >= MAX_NESTING {
                    return Err(self.error_at(
                        open,
                        &format!("parentheses nested deeper than {MAX_NESTING}"),
                    ));
                }
                self.bump();
                self.depth += 1;
                let inner = self.or_expr()?;
                self.depth -= 1;
                self.skip_ws();
                if !self.eat(")") {
                    return Err(self.error_here(&format!(
                        "expected '&&', '||' or ')' to close the '(' at position {open}"
                    )));
                }
                Ok(inner)
            }
            Some('$') => Ok(Expr::Compare(self.comparison()?)),
            _ => {
                Err(self
                    .error_here("expected a comparison (a selector such as '$.eventName') or '('"))
            }
        }
    }

    fn selector(&mut self) -> Result<Selector, ParseError> {
        self.bump(); // '$'
        let mut segments = Vec::new();
        loop {
            if self.eat(".") {
                let key = self.take_while(is_key_char);
                if key.is_empty() {
                    return Err(self.error_here("expected a key name after '.'"));
                }
                segments.push(Segment::Key(key.to_string()));
            } else if self.eat("[") {
                let at = self.pos;
                let digits = self.take_while(|c| c.is_ascii_digit());
                if digits.is_empty() {
                    return Err(self.error_here("expected an array index (digits) after '['"));
                }
                let index = digits
                    .parse::<usize>()
                    .map_err(|_| self.error_at(at, "expected a smaller array index"))?;
                if !self.eat("]") {
                    return Err(self.error_here("expected ']' after the array index"));
                }
                segments.push(Segment::Index(index));
            } else {
                break;
            }
        }
        if segments.is_empty() {
            return Err(self.error_here("expected '.' or '[' after '$'"));
        }
        Ok(Selector { segments })
    }

    fn comparison(&mut self) -> Result<Comparison, ParseError> {
        let selector = self.selector()?;
        self.skip_ws();
        let test = if self.peek().is_some_and(|c| c.is_ascii_alphabetic()) {
            self.keyword_test()?
        } else {
            self.operator_test()?
        };
        Ok(Comparison { selector, test })
    }

    fn keyword_test(&mut self) -> Result<Test, ParseError> {
        let at = self.pos;
        let word = self
            .take_while(|c| c.is_ascii_alphanumeric())
            .to_ascii_uppercase();
        self.skip_ws();
        let second_at = self.pos;
        match word.as_str() {
            "IS" => {
                let second = self
                    .take_while(|c| c.is_ascii_alphanumeric())
                    .to_ascii_uppercase();
                match second.as_str() {
                    "NULL" => Ok(Test::IsNull),
                    "TRUE" => Ok(Test::IsTrue),
                    "FALSE" => Ok(Test::IsFalse),
                    _ => {
                        self.pos = second_at;
                        Err(self.error_here("expected NULL, TRUE or FALSE after IS"))
                    }
                }
            }
            "NOT" => {
                let second = self
                    .take_while(|c| c.is_ascii_alphanumeric())
                    .to_ascii_uppercase();
                if second == "EXISTS" {
                    Ok(Test::NotExists)
                } else {
                    self.pos = second_at;
                    Err(self.error_here("expected EXISTS after NOT"))
                }
            }
            _ => {
                self.pos = at;
                Err(self.error_here(
                    "expected an operator (=, !=, <, <=, >, >=, IS or NOT EXISTS) after the selector",
                ))
            }
        }
    }

    fn operator_test(&mut self) -> Result<Test, ParseError> {
        let op = ["!=", "<=", ">=", "=", "<", ">"]
            .into_iter()
            .find(|op| self.eat(op))
            .ok_or_else(|| {
                self.error_here(
                    "expected an operator (=, !=, <, <=, >, >=, IS or NOT EXISTS) after the selector",
                )
            })?;
        self.skip_ws();
        let at = self.pos;
        let operand = self.operand(op)?;
        let number = |operand: Operand| match operand {
            Operand::Number(n) => Ok(n),
            _ => Err(self.error_at(at, &format!("expected a number after '{op}'"))),
        };
        Ok(match op {
            "=" => Test::Equals(operand),
            "!=" => Test::NotEquals(operand),
            "<" => Test::Less(number(operand)?),
            "<=" => Test::LessOrEqual(number(operand)?),
            ">" => Test::Greater(number(operand)?),
            _ => Test::GreaterOrEqual(number(operand)?),
        })
    }

    fn operand(&mut self, op: &str) -> Result<Operand, ParseError> {
        let at = self.pos;
        match self.peek() {
            Some('"') => {
                self.bump();
                let mut s = String::new();
                loop {
                    match self.bump() {
                        None => {
                            return Err(self
                                .error_at(at, "expected a closing '\"' for the string starting"))
                        }
                        Some('"') => return Ok(Operand::Glob(s)),
                        Some('\\') => match self.peek() {
                            Some(c @ ('"' | '\\')) => {
                                self.bump();
                                s.push(c);
                            }
                            _ => s.push('\\'),
                        },
                        Some(c) => s.push(c),
                    }
                }
            }
            Some('%') => {
                self.bump();
                let start = self.pos;
                loop {
                    match self.bump() {
                        None => {
                            return Err(
                                self.error_at(at, "expected a closing '%' for the regex starting")
                            )
                        }
                        Some('%') => {
                            return Ok(Operand::Regex(self.src[start..self.pos - 1].to_string()))
                        }
                        Some('\\') => {
                            self.bump();
                        }
                        Some(_) => {}
                    }
                }
            }
            _ => {
                let word = self.take_while(is_bare_value_char);
                if word.is_empty() {
                    return Err(self.error_here(&format!("expected a value after '{op}'")));
                }
                if is_number_syntax(word) {
                    match word.parse::<f64>() {
                        Ok(n) if n.is_finite() => Ok(Operand::Number(n)),
                        _ => Err(self.error_at(at, "expected a number within the f64 range")),
                    }
                } else {
                    Ok(Operand::Glob(word.to_string()))
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Display
// ---------------------------------------------------------------------------------------

impl fmt::Display for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Pattern::MatchAll => Ok(()),
            Pattern::Text(text) => f.write_str(text),
            Pattern::Json(expr) => write!(f, "{{ {expr} }}"),
        }
    }
}

impl fmt::Display for Expr {
    /// The body without braces; nested `&&`/`||` groups are parenthesised.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (items, sep) = match self {
            Expr::Compare(c) => return write!(f, "{c}"),
            Expr::And(items) => (items, " && "),
            Expr::Or(items) => (items, " || "),
        };
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                f.write_str(sep)?;
            }
            match item {
                Expr::Compare(c) => write!(f, "{c}")?,
                nested => write!(f, "({nested})")?,
            }
        }
        Ok(())
    }
}

impl fmt::Display for Comparison {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ", self.selector)?;
        match &self.test {
            Test::Equals(o) => write!(f, "= {o}"),
            Test::NotEquals(o) => write!(f, "!= {o}"),
            Test::Less(n) => write!(f, "< {n}"),
            Test::LessOrEqual(n) => write!(f, "<= {n}"),
            Test::Greater(n) => write!(f, "> {n}"),
            Test::GreaterOrEqual(n) => write!(f, ">= {n}"),
            Test::IsNull => f.write_str("IS NULL"),
            Test::IsTrue => f.write_str("IS TRUE"),
            Test::IsFalse => f.write_str("IS FALSE"),
            Test::NotExists => f.write_str("NOT EXISTS"),
        }
    }
}

impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("$")?;
        for segment in &self.segments {
            match segment {
                Segment::Key(k) => write!(f, ".{k}")?,
                Segment::Index(i) => write!(f, "[{i}]")?,
            }
        }
        Ok(())
    }
}

impl fmt::Display for Operand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Operand::Glob(s) => {
                f.write_str("\"")?;
                for c in s.chars() {
                    if c == '"' || c == '\\' {
                        f.write_str("\\")?;
                    }
                    write!(f, "{c}")?;
                }
                f.write_str("\"")
            }
            Operand::Number(n) => write!(f, "{n}"),
            Operand::Regex(r) => write!(f, "%{r}%"),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Evaluation
// ---------------------------------------------------------------------------------------

/// One selected value, abstracted to what comparisons can distinguish.
#[derive(Debug, Clone, Copy)]
enum Val<'a> {
    Absent,
    Null,
    Bool(bool),
    Num(f64),
    Str(&'a str),
    /// Any object or array.
    Compound,
}

impl<'a> Val<'a> {
    fn of(value: Option<&'a Value>) -> Val<'a> {
        match value {
            None => Val::Absent,
            Some(Value::Null) => Val::Null,
            Some(Value::Bool(b)) => Val::Bool(*b),
            Some(Value::Number(n)) => Val::Num(n.as_f64().unwrap_or(f64::NAN)),
            Some(Value::String(s)) => Val::Str(s),
            Some(Value::Array(_) | Value::Object(_)) => Val::Compound,
        }
    }
}

fn resolve<'v>(selector: &Selector, event: &'v Value) -> Option<&'v Value> {
    let mut current = event;
    for segment in &selector.segments {
        current = match segment {
            Segment::Key(k) => current.as_object()?.get(k)?,
            Segment::Index(i) => current.as_array()?.get(*i)?,
        };
    }
    Some(current)
}

fn is_all_stars(glob: &str) -> bool {
    !glob.is_empty() && glob.bytes().all(|b| b == b'*')
}

/// `*`-only glob matching (byte-wise, which equals char-wise for UTF-8).
fn glob_match(glob: &str, text: &str) -> bool {
    let (p, t) = (glob.as_bytes(), text.as_bytes());
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && p[pi] == b'*' {
            star = Some((pi, ti));
            pi += 1;
        } else if pi < p.len() && p[pi] == t[ti] {
            pi += 1;
            ti += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&b| b == b'*')
}

fn equals(operand: &Operand, v: Val) -> bool {
    match (operand, v) {
        (_, Val::Absent) => false,
        (Operand::Glob(g), _) if is_all_stars(g) => true,
        (Operand::Glob(g), Val::Str(s)) => glob_match(g, s),
        (Operand::Number(n), Val::Num(x)) => x == *n,
        _ => false,
    }
}

fn eval_test(test: &Test, v: Val) -> bool {
    let num = |pred: &dyn Fn(f64) -> bool| matches!(v, Val::Num(x) if pred(x));
    match test {
        Test::Equals(o) => equals(o, v),
        Test::NotEquals(Operand::Glob(g)) => {
            !matches!(v, Val::Absent) && !equals(&Operand::Glob(g.clone()), v)
        }
        Test::NotEquals(Operand::Number(n)) => num(&|x| x != *n),
        Test::NotEquals(Operand::Regex(_)) => false,
        Test::Less(n) => num(&|x| x < *n),
        Test::LessOrEqual(n) => num(&|x| x <= *n),
        Test::Greater(n) => num(&|x| x > *n),
        Test::GreaterOrEqual(n) => num(&|x| x >= *n),
        Test::IsNull => matches!(v, Val::Null),
        Test::IsTrue => matches!(v, Val::Bool(true)),
        Test::IsFalse => matches!(v, Val::Bool(false)),
        Test::NotExists => matches!(v, Val::Absent),
    }
}

fn eval_expr(expr: &Expr, event: &Value) -> bool {
    match expr {
        Expr::Compare(c) => eval_test(&c.test, Val::of(resolve(&c.selector, event))),
        Expr::And(items) => items.iter().all(|e| eval_expr(e, event)),
        Expr::Or(items) => items.iter().any(|e| eval_expr(e, event)),
    }
}

/// Whether `pattern` matches the JSON log event `event` (semantics in the module docs;
/// text patterns and regex comparisons never match).
pub fn matches(pattern: &Pattern, event: &Value) -> bool {
    match pattern {
        Pattern::MatchAll => true,
        Pattern::Text(_) => false,
        Pattern::Json(expr) => eval_expr(expr, event),
    }
}

// ---------------------------------------------------------------------------------------
// Coverage
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq)]
enum Atom<'a> {
    Cmp(&'a Comparison),
    Text(&'a str),
}

type Terms<'a> = Vec<Vec<Atom<'a>>>;

/// DNF when `dnf`, else CNF; `None` past [`MAX_TERMS`].
fn normal_form(expr: &Expr, dnf: bool) -> Option<Terms<'_>> {
    let (items, product) = match expr {
        Expr::Compare(c) => return Some(vec![vec![Atom::Cmp(c)]]),
        Expr::And(items) => (items, dnf),
        Expr::Or(items) => (items, !dnf),
    };
    if product {
        let mut acc: Terms = vec![Vec::new()];
        for item in items {
            let terms = normal_form(item, dnf)?;
            if acc.len().saturating_mul(terms.len()) > MAX_TERMS {
                return None;
            }
            let mut next = Vec::with_capacity(acc.len() * terms.len());
            for a in &acc {
                for t in &terms {
                    let mut merged = a.clone();
                    for atom in t {
                        if !merged.contains(atom) {
                            merged.push(*atom);
                        }
                    }
                    next.push(merged);
                }
            }
            acc = next;
        }
        Some(acc)
    } else {
        let mut acc = Vec::new();
        for item in items {
            acc.extend(normal_form(item, dnf)?);
            if acc.len() > MAX_TERMS {
                return None;
            }
        }
        Some(acc)
    }
}

fn dnf(pattern: &Pattern) -> Option<Terms<'_>> {
    match pattern {
        Pattern::MatchAll => Some(vec![Vec::new()]),
        Pattern::Text(t) => Some(vec![vec![Atom::Text(t)]]),
        Pattern::Json(e) => normal_form(e, true),
    }
}

fn cnf(pattern: &Pattern) -> Option<Terms<'_>> {
    match pattern {
        Pattern::MatchAll => Some(Vec::new()),
        Pattern::Text(t) => Some(vec![vec![Atom::Text(t)]]),
        Pattern::Json(e) => normal_form(e, false),
    }
}

/// Whether every event that `required` matches is also matched by `filter`. Sound: true
/// only when that is proven; false when it does not hold or cannot be decided.
pub fn covers(filter: &Pattern, required: &Pattern) -> bool {
    if matches!(filter, Pattern::MatchAll) {
        return true;
    }
    let (Some(conjuncts), Some(clauses)) = (dnf(required), cnf(filter)) else {
        return false;
    };
    if conjuncts.len().saturating_mul(clauses.len()) > MAX_PAIRS {
        return false;
    }
    conjuncts
        .iter()
        .all(|c| clauses.iter().all(|k| conjunct_implies_clause(c, k)))
}

/// `C ⇒ (k1 ∨ … ∨ kn)`, i.e. `C ∧ ¬k1 ∧ … ∧ ¬kn` is unsatisfiable.
fn conjunct_implies_clause(conjunct: &[Atom], clause: &[Atom]) -> bool {
    if clause.iter().any(|a| conjunct.contains(a)) {
        return true;
    }
    let mut groups: BTreeMap<&Selector, Vec<(&Test, bool)>> = BTreeMap::new();
    let literals = conjunct
        .iter()
        .map(|a| (a, true))
        .chain(clause.iter().map(|a| (a, false)));
    for (atom, positive) in literals {
        // Text atoms are opaque; with no shared atom they cannot contradict.
        if let Atom::Cmp(c) = atom {
            groups
                .entry(&c.selector)
                .or_default()
                .push((&c.test, positive));
        }
    }
    groups
        .values()
        .any(|lits| selector_satisfiable(lits) == Sat::No)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sat {
    Yes,
    No,
    Maybe,
}

fn is_regex(test: &Test) -> bool {
    matches!(
        test,
        Test::Equals(Operand::Regex(_)) | Test::NotEquals(Operand::Regex(_))
    )
}

/// Whether some value of one selector satisfies every literal (test, polarity).
fn selector_satisfiable(literals: &[(&Test, bool)]) -> Sat {
    for (test, positive) in literals {
        if is_regex(test) && literals.iter().any(|(t, p)| t == test && p != positive) {
            return Sat::No;
        }
    }
    let lits: Vec<(&Test, bool)> = literals
        .iter()
        .copied()
        .filter(|(t, _)| !is_regex(t))
        .collect();
    let holds = |v: Val| lits.iter().all(|(t, p)| eval_test(t, v) == *p);
    let points = [
        Val::Absent,
        Val::Null,
        Val::Bool(true),
        Val::Bool(false),
        Val::Compound,
    ];
    if points.into_iter().any(holds) {
        return Sat::Yes;
    }
    if number_candidates(&lits)
        .into_iter()
        .any(|n| holds(Val::Num(n)))
    {
        return Sat::Yes;
    }
    let (strings, complete) = string_candidates(&lits);
    if strings.iter().any(|s| holds(Val::Str(s))) {
        Sat::Yes
    } else if complete {
        Sat::No
    } else {
        Sat::Maybe
    }
}

/// Each numeric constant and its neighbouring finite `f64`s: one value in every cell of
/// the partition of the number line by the constants.
fn number_candidates(lits: &[(&Test, bool)]) -> Vec<f64> {
    let mut out = vec![0.0];
    for (test, _) in lits {
        let n = match test {
            Test::Equals(Operand::Number(n))
            | Test::NotEquals(Operand::Number(n))
            | Test::Less(n)
            | Test::LessOrEqual(n)
            | Test::Greater(n)
            | Test::GreaterOrEqual(n) => *n,
            _ => continue,
        };
        out.extend(
            [n, n.next_up(), n.next_down()]
                .into_iter()
                .filter(|x| x.is_finite()),
        );
    }
    out
}

/// A literal's meaning on string values.
enum OnStrings<'a> {
    Always,
    Never,
    Glob(&'a str),
    NotGlob(&'a str),
}

fn on_strings<'a>(test: &'a Test, positive: bool) -> OnStrings<'a> {
    let (glob, matching) = match test {
        Test::Equals(Operand::Glob(g)) => (g, positive),
        Test::NotEquals(Operand::Glob(g)) => (g, !positive),
        // Every other (non-regex) test is false on strings.
        _ => {
            return if positive {
                OnStrings::Never
            } else {
                OnStrings::Always
            }
        }
    };
    match (is_all_stars(glob), matching) {
        (true, true) => OnStrings::Always,
        (true, false) => OnStrings::Never,
        (false, true) => OnStrings::Glob(glob),
        (false, false) => OnStrings::NotGlob(glob),
    }
}

/// A character occurring in none of the globs.
fn fresh_char(lits: &[(&Test, bool)]) -> char {
    let globs: Vec<&str> = lits
        .iter()
        .filter_map(|(t, _)| match t {
            Test::Equals(Operand::Glob(g)) | Test::NotEquals(Operand::Glob(g)) => Some(g.as_str()),
            _ => None,
        })
        .collect();
    (1u32..)
        .filter_map(char::from_u32)
        .find(|c| *c != '*' && !globs.iter().any(|g| g.contains(*c)))
        .unwrap_or('\u{1}')
}

/// Whether every string matching `sub` matches `sup`; exact when `fresh` is not in `sup`.
fn glob_subset(sub: &str, sup: &str, fresh: char) -> bool {
    glob_match(sup, &sub.replace('*', &fresh.to_string()))
}

fn glob_prefix(g: &str) -> &str {
    &g[..g.find('*').unwrap_or(g.len())]
}

fn glob_suffix(g: &str) -> &str {
    g.rfind('*').map_or(g, |i| &g[i + 1..])
}

/// Candidate strings, and whether they are complete (if no candidate satisfies the string
/// part of the literals, no string does).
fn string_candidates(lits: &[(&Test, bool)]) -> (Vec<String>, bool) {
    let fresh = fresh_char(lits);
    let mut positive: Vec<&str> = Vec::new();
    let mut negative: Vec<&str> = Vec::new();
    for (test, polarity) in lits {
        match on_strings(test, *polarity) {
            OnStrings::Always => {}
            OnStrings::Never => return (Vec::new(), true),
            OnStrings::Glob(g) => positive.push(g),
            OnStrings::NotGlob(g) => negative.push(g),
        }
    }
    // A literal positive constraint pins the string down.
    if let Some(exact) = positive.iter().find(|g| !g.contains('*')) {
        return (vec![exact.to_string()], true);
    }
    // No positive constraint: a string of one fresh character matches no (non-`*`) glob.
    if positive.is_empty() {
        return (vec![fresh.to_string()], true);
    }
    // Keep only the minimal positive globs (their intersection is unchanged).
    let mut minimal: Vec<&str> = Vec::new();
    for g in positive {
        if minimal.iter().any(|m| glob_subset(m, g, fresh)) {
            continue;
        }
        minimal.retain(|m| !glob_subset(g, m, fresh));
        minimal.push(g);
    }
    let instantiate = |g: &str| g.replace('*', &fresh.to_string());
    if let [only] = minimal.as_slice() {
        // Exact: if this instance matches a negated glob, the whole glob is inside it.
        return (vec![instantiate(only)], true);
    }
    let compatible = minimal.iter().all(|a| {
        minimal.iter().all(|b| {
            let (pa, pb) = (glob_prefix(a), glob_prefix(b));
            let (sa, sb) = (glob_suffix(a), glob_suffix(b));
            (pa.starts_with(pb) || pb.starts_with(pa)) && (sa.ends_with(sb) || sb.ends_with(sa))
        })
    });
    if !compatible {
        return (Vec::new(), true);
    }
    // Longest prefix, every glob's middle pieces, longest suffix: matches every glob.
    let longest = |f: fn(&str) -> &str| minimal.iter().map(|g| f(g)).max_by_key(|s| s.len());
    let mut witness = longest(glob_prefix).unwrap_or("").to_string();
    witness.push(fresh);
    for g in &minimal {
        let (first, last) = (g.find('*').unwrap_or(0), g.rfind('*').unwrap_or(0));
        if first < last {
            for piece in g[first + 1..last].split('*') {
                witness.push_str(piece);
                witness.push(fresh);
            }
        }
    }
    let (prefix, suffix) = (
        longest(glob_prefix).unwrap_or(""),
        longest(glob_suffix).unwrap_or(""),
    );
    witness.push_str(suffix);
    let mut candidates = vec![witness];
    // The longest prefix and suffix overlapping (`ab*` and `*bc` share `abc`).
    for k in 0..=prefix.len().min(suffix.len()) {
        if suffix.is_char_boundary(k) && prefix.ends_with(&suffix[..k]) {
            candidates.push(format!("{prefix}{}", &suffix[k..]));
        }
    }
    for g in &minimal {
        candidates.push(instantiate(g));
        candidates.push(g.replace('*', ""));
    }
    let complete = negative.is_empty()
        || minimal
            .iter()
            .any(|p| negative.iter().any(|n| glob_subset(p, n, fresh)));
    (candidates, complete)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    const CIS_5_1: &str = r#"{($.errorCode ="*UnauthorizedOperation") || ($.errorCode ="AccessDenied*") && ($.sourceIPAddress!="delivery.logs.amazonaws.com") && ($.eventName!="HeadBucket")}"#;
    const CIS_5_2: &str = r#"{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }"#;
    const CIS_5_3: &str = r#"{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }"#;
    const CIS_5_4: &str = "{($.eventName=DeleteGroupPolicy)||($.eventName=DeleteRolePolicy)||($.eventName=DeleteUserPolicy)||($.eventName=PutGroupPolicy)||($.eventName=PutRolePolicy)||($.eventName=PutUserPolicy)||($.eventName=CreatePolicy)||($.eventName=DeletePolicy)||($.eventName=CreatePolicyVersion)||($.eventName=DeletePolicyVersion)||($.eventName=AttachRolePolicy)||($.eventName=DetachRolePolicy)||($.eventName=AttachUserPolicy)||($.eventName=DetachUserPolicy)||($.eventName=AttachGroupPolicy)||($.eventName=DetachGroupPolicy)}";
    const CIS_5_6: &str =
        r#"{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }"#;
    const CIS_5_7: &str = "{($.eventSource = kms.amazonaws.com) && (($.eventName=DisableKey)||($.eventName=ScheduleKeyDeletion)) }";
    const CIS_5_15: &str = r#"{ ($.eventSource = organizations.amazonaws.com) && (($.eventName = "AcceptHandshake") || ($.eventName = "AttachPolicy") || ($.eventName = "CreateAccount") || ($.eventName = "CreateOrganizationalUnit") || ($.eventName = "CreatePolicy") || ($.eventName = "DeclineHandshake") || ($.eventName = "DeleteOrganization") || ($.eventName = "DeleteOrganizationalUnit") || ($.eventName = "DeletePolicy") || ($.eventName = "DetachPolicy") || ($.eventName = "DisablePolicyType") || ($.eventName = "EnablePolicyType") || ($.eventName = "InviteAccountToOrganization") || ($.eventName = "LeaveOrganization") || ($.eventName = "MoveAccount") || ($.eventName = "RemoveAccountFromOrganization") || ($.eventName = "UpdatePolicy") || ($.eventName = "UpdateOrganizationalUnit")) }"#;

    fn p(text: &str) -> Pattern {
        parse(text).unwrap_or_else(|e| panic!("{text:?} should parse: {e}"))
    }

    /// The `||` operands of a flat `{a || b || ...}` pattern, reversed.
    fn reversed_or(text: &str) -> String {
        let body = text.trim().trim_start_matches('{').trim_end_matches('}');
        let mut parts: Vec<&str> = body.split("||").collect();
        parts.reverse();
        format!("{{{}}}", parts.join("||"))
    }

    #[test]
    fn coverage_table() {
        let ws_5_4 = CIS_5_4.replace("||", " ||\n\t  ").replace('(', "( ");
        let quoted_5_4 = CIS_5_4.replace("=", "=\"").replace(')', "\")");
        let reversed_5_4 = reversed_or(CIS_5_4);
        let spaced_5_15 = CIS_5_15.replace(' ', "  \n");
        let without_last_5_15 =
            CIS_5_15.replace(r#" || ($.eventName = "UpdateOrganizationalUnit")"#, "");
        let exact_denied_5_1 = CIS_5_1.replace("AccessDenied*", "AccessDenied");
        let cases: Vec<(&str, &str, bool)> = vec![
            // Identical CIS patterns.
            (CIS_5_1, CIS_5_1, true),
            (CIS_5_2, CIS_5_2, true),
            (CIS_5_3, CIS_5_3, true),
            (CIS_5_4, CIS_5_4, true),
            (CIS_5_6, CIS_5_6, true),
            (CIS_5_7, CIS_5_7, true),
            (CIS_5_15, CIS_5_15, true),
            // Whitespace / newlines.
            (&ws_5_4, CIS_5_4, true),
            (CIS_5_4, &ws_5_4, true),
            (&spaced_5_15, CIS_5_15, true),
            // Parentheses.
            (r#"{$.eventName=ConsoleLogin&&$.errorMessage="Failed authentication"}"#, CIS_5_6, true),
            (CIS_5_6, r#"{((($.eventName=ConsoleLogin))&&(($.errorMessage="Failed authentication")))}"#, true),
            // Quoting.
            (&quoted_5_4, CIS_5_4, true),
            (CIS_5_4, &quoted_5_4, true),
            (r#"{ ($.eventName = "ConsoleLogin") && ($.errorMessage = "Failed authentication") }"#, CIS_5_6, true),
            // Reordered && terms.
            (r#"{ ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") && ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") }"#, CIS_5_2, true),
            (r#"{ $.eventType != "AwsServiceEvent" && $.userIdentity.invokedBy not exists && $.userIdentity.type = Root }"#, CIS_5_3, true),
            // Reordered and regrouped || terms.
            (&reversed_5_4, CIS_5_4, true),
            (CIS_5_4, &reversed_5_4, true),
            ("{ (($.eventName=ScheduleKeyDeletion)||($.eventName=DisableKey)) && ($.eventSource = kms.amazonaws.com) }", CIS_5_7, true),
            ("{ ($.a = 1 || $.a = 2) || $.a = 3 }", "{ $.a = 1 || ($.a = 2 || $.a = 3) }", true),
            ("{ $.a = 1 || ($.a = 2 || $.a = 3) }", "{ ($.a = 1 || $.a = 2) || $.a = 3 }", true),
            // Distribution.
            ("{ ($.eventSource = kms.amazonaws.com && $.eventName = DisableKey) || ($.eventSource = kms.amazonaws.com && $.eventName = ScheduleKeyDeletion) }", CIS_5_7, true),
            (CIS_5_7, "{ ($.eventSource = kms.amazonaws.com && $.eventName = DisableKey) || ($.eventSource = kms.amazonaws.com && $.eventName = ScheduleKeyDeletion) }", true),
            // Broader filters.
            ("{ $.eventName = ConsoleLogin }", CIS_5_6, true),
            ("{ $.eventName = ConsoleLogin }", CIS_5_2, true),
            ("{($.eventName=DisableKey)||($.eventName=ScheduleKeyDeletion)}", CIS_5_7, true),
            ("{($.eventSource = kms.amazonaws.com) && (($.eventName=DisableKey)||($.eventName=ScheduleKeyDeletion)||($.eventName=CancelKeyDeletion)) }", CIS_5_7, true),
            ("{ ($.eventName = Delete*) || ($.eventName = Put*) || ($.eventName = Create*) || ($.eventName = Attach*) || ($.eventName = Detach*) }", CIS_5_4, true),
            ("{ $.eventSource = organizations.amazonaws.com }", CIS_5_15, true),
            ("{ $.eventSource = * }", CIS_5_15, true),
            (r#"{ $.eventSource = "*.amazonaws.com" && $.eventName = * }"#, CIS_5_7, true),
            ("", CIS_5_1, true),
            ("  \n ", CIS_5_3, true),
            (r#"{ $.errorCode = "*UnauthorizedOperation" || $.errorCode = "AccessDenied*" }"#, CIS_5_1, true),
            (r#"{ $.errorCode = "*Operation" || $.errorCode = "Access*" }"#, CIS_5_1, true),
            ("{ $.errorCode = * }", CIS_5_1, true),
            (CIS_5_1, &exact_denied_5_1, true),
            (r#"{ $.userIdentity.type = "Root" && $.eventType != "AwsServiceEvent" }"#, CIS_5_3, true),
            (CIS_5_4, "{ $.eventName = DeleteGroupPolicy && $.awsRegion = us-east-1 }", true),
            (r#"{ $.eventName = "Delete*" }"#, r#"{ $.eventName = "Delete*Policy" }"#, true),
            (r#"{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") }"#, r#"{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed = "No") }"#, true),
            (r#"{ $.x NOT EXISTS || $.x != "Yes" }"#, "{ $.x IS NULL }", true),
            ("{ $.x = * }", "{ $.x IS NULL }", true),
            ("{ $.x IS TRUE || $.x IS FALSE }", "{ $.x IS TRUE }", true),
            ("{ $.bytes > 10 }", "{ $.bytes > 100 }", true),
            ("{ $.bytes >= 100 }", "{ $.bytes = 100 }", true),
            ("{ $.bytes != 5 }", "{ $.bytes < 5 }", true),
            ("{ $.x = * || $.x NOT EXISTS }", "", true),
            ("{ $.x = * || $.x NOT EXISTS }", "ERROR", true),
            ("{ $.a = %ab+% }", "{ $.a = %ab+% && $.b = 1 }", true),
            ("ERROR -DEBUG", "ERROR -DEBUG", true),
            ("", "ERROR -DEBUG", true),
            // Unsatisfiable requirements: vacuously covered.
            ("{ $.y = 1 }", r#"{ $.x = "a" && $.x = "b" }"#, true),
            ("{ $.a = q }", "{ $.a = x* && $.a = y* }", true),
            ("{ $.a = q }", "{ $.a = *x && $.a = *y }", true),
            // Several wildcard globs on one field.
            (r#"{ $.a = "ab*" }"#, r#"{ $.a = "ab*" && $.a = "*bc" }"#, true),
            // "Maybe satisfiable" must not count as covered: "bba" matches R but not F.
            (r#"{ $.a = "*a*a" || $.a = "ba*" }"#, r#"{ $.a = "*a" && $.a = "b*a*" }"#, false),
            (r#"{ $.a = "ab*bc" }"#, r#"{ $.a = "ab*" && $.a = "*bc" }"#, false),
            // Narrower filters.
            ("{($.eventSource = kms.amazonaws.com) && ($.eventName=DisableKey)}", CIS_5_7, false),
            ("{ ($.eventName = Delete*) || ($.eventName = Put*) || ($.eventName = Create*) || ($.eventName = Attach*) }", CIS_5_4, false),
            (&without_last_5_15, CIS_5_15, false),
            (r#"{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") && ($.sourceIPAddress = "1.2.3.4") }"#, CIS_5_6, false),
            (r#"{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed Authentication") }"#, CIS_5_6, false),
            (r#"{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType = "AwsServiceEvent" }"#, CIS_5_3, false),
            (r#"{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy IS NULL && $.eventType != "AwsServiceEvent" }"#, CIS_5_3, false),
            (CIS_5_3, r#"{ $.userIdentity.type = "Root" && $.eventType != "AwsServiceEvent" }"#, false),
            (&exact_denied_5_1, CIS_5_1, false),
            (r#"{ $.errorCode = "Unauthorized*" || $.errorCode = "AccessDenied*" }"#, CIS_5_1, false),
            (r#"{(($.errorCode ="*UnauthorizedOperation") || ($.errorCode ="AccessDenied*")) && ($.sourceIPAddress!="delivery.logs.amazonaws.com") && ($.eventName!="HeadBucket")}"#, CIS_5_1, false),
            (r#"{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed = "No") }"#, CIS_5_2, false),
            (r#"{ $.eventName = "Delete*" }"#, r#"{ $.eventName = "*Delete*" }"#, false),
            ("{ $.x != \"Yes\" }", "{ $.x NOT EXISTS }", false),
            ("{ $.x = * }", "{ $.x NOT EXISTS }", false),
            ("{ $.bytes > 100 }", "{ $.bytes > 10 }", false),
            ("{ $.x = 5 }", r#"{ $.x = "5" }"#, false),
            ("{ $.a = %ab*% }", "{ $.a = %ab+% }", false),
            // Text patterns and other selectors.
            ("ConsoleLogin Failed", CIS_5_6, false),
            ("ERROR", "ERROR -DEBUG", false),
            (CIS_5_6, "", false),
            (r#"{ ($.eventName = ConsoleLogin) && ($.errorCode = "Failed authentication") }"#, CIS_5_6, false),
            (r#"{ $.eventname = ConsoleLogin }"#, CIS_5_6, false),
        ];
        assert!(cases.len() >= 40);
        let mut failures = Vec::new();
        for (filter, required, expected) in &cases {
            if covers(&p(filter), &p(required)) != *expected {
                failures.push(format!("covers({filter}, {required}) != {expected}"));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn cis_5_1_precedence_is_and_over_or() {
        let Pattern::Json(Expr::Or(items)) = p(CIS_5_1) else {
            panic!("5.1 should be an ||");
        };
        assert_eq!(items.len(), 2);
        assert!(matches!(&items[1], Expr::And(v) if v.len() == 3));
    }

    #[test]
    fn parse_errors_have_positions_and_expectations() {
        let cases: &[(&str, usize, &str)] = &[
            ("{ $.eventName = }", 16, "expected a value after '='"),
            ("{ ($.a = 1 }", 11, "expected '&&', '||' or ')'"),
            ("{ $.a = 1 ) }", 10, "expected '&&', '||' or '}'"),
            ("{ $.a = 1", 9, "expected '&&', '||' or '}'"),
            ("{ $.a = 1 } x", 12, "expected end of pattern"),
            ("{ $.a \"x\" }", 6, "expected an operator"),
            ("{ $.a = \"abc }", 8, "expected a closing '\"'"),
            ("{ }", 2, "expected a comparison"),
            ("{}", 1, "expected a comparison"),
            ("{ $ = 1 }", 3, "expected '.' or '['"),
            ("{ $. = 1 }", 4, "expected a key name"),
            ("{ $.a[x] = 1 }", 6, "expected an array index"),
            ("{ $.a[1 = 1 }", 7, "expected ']'"),
            ("{ $.a > abc }", 8, "expected a number after '>'"),
            ("{ $.a <= \"5\" }", 9, "expected a number after '<='"),
            ("{ $.a IS MAYBE }", 9, "expected NULL, TRUE or FALSE"),
            ("{ $.a NOT THERE }", 10, "expected EXISTS"),
            ("{ $.a BETWEEN 1 }", 6, "expected an operator"),
            ("{ $.a = 1 && }", 13, "expected a comparison"),
            ("{ $.a = 1 || || $.b = 2 }", 13, "expected a comparison"),
            ("{ $.a = 1 & $.b = 2 }", 10, "expected '&&', '||' or '}'"),
            ("{ $.a == 1 }", 7, "expected a value after '='"),
            ("{ $.a = %ab }", 8, "expected a closing '%'"),
            ("{ $.a = 1e999 }", 8, "expected a number within"),
            ("  { $.a = 1 ", 12, "expected '&&', '||' or '}'"),
            ("{ (($.a = 1) }", 13, "expected '&&', '||' or ')'"),
        ];
        for (text, position, expected) in cases {
            let err = parse(text).expect_err(text);
            assert_eq!(err.position, *position, "{text:?}: {err}");
            assert!(err.message.contains(expected), "{text:?}: {err}");
            assert!(err.to_string().contains(&format!("at position {position}")));
        }
        let deep = format!("{{{}$.a = 1{}}}", "(".repeat(100_000), ")".repeat(100_000));
        assert!(parse(&deep).unwrap_err().message.contains("nested deeper"));
        let ok = format!("{{{}$.a = 1{}}}", "(".repeat(150), ")".repeat(150));
        assert_eq!(p(&ok), p("{$.a = 1}"));
    }

    #[test]
    fn parses_the_language() {
        assert_eq!(parse("").unwrap(), Pattern::MatchAll);
        assert_eq!(parse(" \n\t").unwrap(), Pattern::MatchAll);
        assert_eq!(p("  ERROR -DEBUG "), Pattern::Text("ERROR -DEBUG".into()));
        assert_eq!(
            p("[ip, user, ...]"),
            Pattern::Text("[ip, user, ...]".into())
        );
        let cmp = |sel: &[Segment], test: Test| {
            Expr::Compare(Comparison {
                selector: Selector {
                    segments: sel.to_vec(),
                },
                test,
            })
        };
        let key = |k: &str| Segment::Key(k.into());
        assert_eq!(
            p("{ $.a[0].b-c = \"x \\\"y\\\" \\\\ \\n\" }"),
            Pattern::Json(cmp(
                &[key("a"), Segment::Index(0), key("b-c")],
                Test::Equals(Operand::Glob("x \"y\" \\ \\n".into()))
            ))
        );
        assert_eq!(
            p("{ $.n >= -1.5e2 && $.s = 1.2.3.4 && $.r != %a\\%b% }"),
            Pattern::Json(Expr::And(vec![
                cmp(&[key("n")], Test::GreaterOrEqual(-150.0)),
                cmp(&[key("s")], Test::Equals(Operand::Glob("1.2.3.4".into()))),
                cmp(&[key("r")], Test::NotEquals(Operand::Regex("a\\%b".into()))),
            ]))
        );
        for (text, test) in [
            ("{$.a is null}", Test::IsNull),
            ("{$.a Is True}", Test::IsTrue),
            ("{$.a IS\tFALSE}", Test::IsFalse),
            ("{$.a not   exists}", Test::NotExists),
        ] {
            assert_eq!(p(text), Pattern::Json(cmp(&[key("a")], test)));
        }
        // Nested groups of the same operator flatten; && binds tighter than ||.
        assert_eq!(
            p("{ ($.a = 1 && $.b = 2) && $.c = 3 }"),
            p("{ $.a = 1 && ($.b = 2 && $.c = 3) }")
        );
        assert_eq!(
            p("{ $.a = 1 || $.b = 2 && $.c = 3 }"),
            p("{ $.a = 1 || ($.b = 2 && $.c = 3) }")
        );
    }

    #[test]
    fn display_is_canonical_and_round_trips() {
        assert_eq!(
            p("{($.eventName=ConsoleLogin)&&(($.a>5)||($.b NOT EXISTS))}").to_string(),
            r#"{ $.eventName = "ConsoleLogin" && ($.a > 5 || $.b NOT EXISTS) }"#
        );
        for text in [
            "",
            "ERROR -DEBUG",
            CIS_5_1,
            CIS_5_2,
            CIS_5_3,
            CIS_5_4,
            CIS_5_6,
            CIS_5_7,
            CIS_5_15,
            r#"{ $.a = "q\"uo\\te" || $.b[3] = %x+% && $.c IS TRUE }"#,
            "{ $.n = 0.1 || $.n <= -1e300 || $.n != 12345678901234567890 }",
        ] {
            let parsed = p(text);
            let shown = parsed.to_string();
            assert_eq!(p(&shown), parsed, "{text} -> {shown}");
        }
    }

    #[test]
    fn matches_follows_the_documented_semantics() {
        let event = json!({
            "eventName": "ConsoleLogin",
            "errorMessage": "Failed authentication",
            "n": 7, "s": "7", "nul": null, "t": true, "f": false,
            "obj": {"k": "v"}, "arr": [{"k": 1}],
        });
        let yes = |t: &str| assert!(matches(&p(t), &event), "{t} should match");
        let no = |t: &str| assert!(!matches(&p(t), &event), "{t} should not match");
        yes(CIS_5_6);
        yes("");
        no("ConsoleLogin");
        yes("{ $.eventName = Console* && $.eventName = *Login && $.eventName = C*n*L*n }");
        no("{ $.eventName = *Logout }");
        yes("{ $.missing NOT EXISTS }");
        no("{ $.missing = * }");
        no("{ $.missing != \"x\" }");
        no("{ $.missing != 5 }");
        yes("{ $.nul IS NULL && $.nul = * && $.nul != \"x\" }");
        no("{ $.missing IS NULL }");
        yes("{ $.t IS TRUE && $.f IS FALSE }");
        no("{ $.t IS FALSE || $.t = \"true\" }");
        yes("{ $.n = 7 && $.n >= 7 && $.n < 7.5 && $.n != 8 && $.n != \"7\" }");
        no("{ $.s = 7 || $.s > 1 || $.s != 8 }");
        yes("{ $.s = \"7\" && $.obj.k = v && $.arr[0].k = 1 && $.obj = * }");
        no("{ $.arr[1] = * || $.obj[0] = * || $.arr.k = * }");
        no("{ $.eventName != * }");
        no("{ $.eventName = %Console.*% || $.eventName != %x% }");
    }

    #[test]
    fn glob_matching() {
        for (g, s, m) in [
            ("", "", true),
            ("", "a", false),
            ("*", "", true),
            ("a*", "a", true),
            ("*a", "ba", true),
            ("*a", "ab", false),
            ("a*b*c", "abbbc", true),
            ("a*b*c", "acb", false),
            ("*ab*ab*", "xabyab", true),
            ("*ab*ab*", "xaby", false),
            ("é*ü", "éxü", true),
        ] {
            assert_eq!(glob_match(g, s), m, "{g} ~ {s}");
        }
    }

    #[test]
    fn known_incompleteness_answers_false() {
        // True inclusion (`x*` ∧ `*y` is exactly `x*y`), but only single-glob inclusions
        // and disjointness are proven when several wildcard globs constrain one field.
        assert!(!covers(
            &p(r#"{ $.a = "x*y" }"#),
            &p(r#"{ $.a = "x*" && $.a = "*y" }"#)
        ));
        assert!(!covers(
            &p(r#"{ $.a = "ab*x*bc" || $.a = "ab*y*bc" }"#),
            &p(r#"{ $.a = "ab*x*" && $.a = "*y*bc" }"#)
        ));
        // `$.a.b` present implies `$.a` present, but selectors are treated independently.
        assert!(!covers(&p("{ $.a = * }"), &p("{ $.a.b = x }")));
    }

    // ----- exhaustive exactness for small cases -------------------------------------

    fn vocabulary_tests() -> Vec<Test> {
        let globs = ["x", "y", "xy", "x*", "*y", "x*y", "*", ""];
        let nums = [1.0, 2.0, -1.5];
        let mut out = Vec::new();
        for g in globs {
            out.push(Test::Equals(Operand::Glob(g.into())));
            out.push(Test::NotEquals(Operand::Glob(g.into())));
        }
        for n in nums {
            out.extend([
                Test::Equals(Operand::Number(n)),
                Test::NotEquals(Operand::Number(n)),
                Test::Less(n),
                Test::LessOrEqual(n),
                Test::Greater(n),
                Test::GreaterOrEqual(n),
            ]);
        }
        out.extend([Test::IsNull, Test::IsTrue, Test::IsFalse, Test::NotExists]);
        out
    }

    fn domain_values() -> Vec<Option<Value>> {
        let mut v = vec![None];
        for s in [
            "", "x", "y", "z", "xy", "yx", "xxy", "xyy", "xzy", "\u{1}", "x\u{1}", "\u{1}y",
            "x\u{1}y",
        ] {
            v.push(Some(json!(s)));
        }
        for n in [-2.0, -1.5, 0.0, 1.0, 1.5, 2.0, 3.0] {
            v.push(Some(json!(n)));
        }
        v.extend(
            [
                json!(null),
                json!(true),
                json!(false),
                json!({}),
                json!([1]),
            ]
            .map(Some),
        );
        v
    }

    fn on_a(tests: &[&Test]) -> Pattern {
        let comparisons = tests
            .iter()
            .map(|t| {
                Expr::Compare(Comparison {
                    selector: Selector {
                        segments: vec![Segment::Key("a".into())],
                    },
                    test: (*t).clone(),
                })
            })
            .collect();
        Pattern::Json(Expr::all_of(comparisons))
    }

    fn events_for_a(values: &[Option<Value>]) -> Vec<Value> {
        values
            .iter()
            .map(|v| match v {
                None => json!({}),
                Some(v) => json!({ "a": v }),
            })
            .collect()
    }

    /// Inclusion over the finite domain.
    fn brute_covers(filter: &Pattern, required: &Pattern, events: &[Value]) -> bool {
        events
            .iter()
            .all(|e| !matches(required, e) || matches(filter, e))
    }

    #[test]
    fn single_atom_coverage_is_exact() {
        let tests = vocabulary_tests();
        let events = events_for_a(&domain_values());
        for r in &tests {
            for f in &tests {
                let (fp, rp) = (on_a(&[f]), on_a(&[r]));
                assert_eq!(
                    covers(&fp, &rp),
                    brute_covers(&fp, &rp, &events),
                    "covers({fp}, {rp})"
                );
            }
        }
    }

    #[test]
    fn two_atom_coverage_is_sound_and_mostly_exact() {
        let tests = vocabulary_tests();
        let events = events_for_a(&domain_values());
        let (mut agree, mut total) = (0, 0);
        for r1 in &tests {
            for r2 in &tests {
                let rp = on_a(&[r1, r2]);
                for f in &tests {
                    let fp = on_a(&[f]);
                    let (c, b) = (covers(&fp, &rp), brute_covers(&fp, &rp, &events));
                    assert!(!c || b, "unsound: covers({fp}, {rp})");
                    total += 1;
                    agree += usize::from(c == b);
                }
            }
        }
        // Imprecision only arises for several distinct wildcard globs on one field.
        assert!(agree * 1000 >= total * 995, "{agree}/{total}");
    }

    // ----- property tests ------------------------------------------------------------

    const SELECTORS: [&str; 4] = ["$.a", "$.b", "$.c.d", "$.e[0]"];

    fn arb_test() -> impl Strategy<Value = Test> {
        let glob = prop::sample::select(vec!["x", "y", "xy", "x*", "*y", "x*y", "*", ""])
            .prop_map(String::from);
        let num = prop::sample::select(vec![1.0, 2.0, -1.5]);
        prop_oneof![
            4 => glob.clone().prop_map(|g| Test::Equals(Operand::Glob(g))),
            2 => glob.prop_map(|g| Test::NotEquals(Operand::Glob(g))),
            1 => num.clone().prop_map(|n| Test::Equals(Operand::Number(n))),
            1 => num.clone().prop_map(|n| Test::NotEquals(Operand::Number(n))),
            1 => num.clone().prop_map(Test::Less),
            1 => num.clone().prop_map(Test::LessOrEqual),
            1 => num.clone().prop_map(Test::Greater),
            1 => num.prop_map(Test::GreaterOrEqual),
            1 => prop::sample::select(vec![Test::IsNull, Test::IsTrue, Test::IsFalse, Test::NotExists]),
            1 => Just(Test::Equals(Operand::Regex("x+".into()))),
        ]
    }

    fn arb_expr(selectors: &'static [&'static str]) -> impl Strategy<Value = Expr> {
        let leaf = (prop::sample::select(selectors.to_vec()), arb_test()).prop_map(|(s, test)| {
            let Ok(Pattern::Json(Expr::Compare(c))) = parse(&format!("{{ {s} = 1 }}")) else {
                unreachable!()
            };
            Expr::Compare(Comparison {
                selector: c.selector,
                test,
            })
        });
        leaf.prop_recursive(3, 12, 3, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 2..=3).prop_map(Expr::And),
                prop::collection::vec(inner, 2..=3).prop_map(Expr::Or),
            ]
        })
    }

    fn arb_value() -> impl Strategy<Value = Option<Value>> {
        prop::sample::select(domain_values())
    }

    fn arb_event() -> impl Strategy<Value = Value> {
        (
            arb_value(),
            arb_value(),
            arb_value(),
            0..3u8,
            arb_value(),
            0..3u8,
        )
            .prop_map(|(a, b, d, c_shape, e0, e_shape)| {
                let mut event = serde_json::Map::new();
                if let Some(a) = a {
                    event.insert("a".into(), a);
                }
                if let Some(b) = b {
                    event.insert("b".into(), b);
                }
                match (c_shape, d) {
                    (0, _) => {}
                    (1, Some(d)) => {
                        event.insert("c".into(), json!({ "d": d }));
                    }
                    _ => {
                        event.insert("c".into(), json!({ "x": "y" }));
                    }
                }
                match (e_shape, e0) {
                    (0, _) => {}
                    (1, Some(e0)) => {
                        event.insert("e".into(), json!([e0, "x"]));
                    }
                    _ => {
                        event.insert("e".into(), json!([]));
                    }
                }
                Value::Object(event)
            })
    }

    /// Deterministically permutes and regroups `&&`/`||` operands.
    fn scramble(expr: &Expr, seed: &mut u64) -> Expr {
        let mut next = || {
            *seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            *seed >> 33
        };
        let (items, is_and) = match expr {
            Expr::Compare(_) => return expr.clone(),
            Expr::And(items) => (items, true),
            Expr::Or(items) => (items, false),
        };
        let (rotate, reverse, regroup) = (next() as usize, next() % 2 == 0, next() % 2 == 0);
        let mut parts: Vec<Expr> = items.iter().map(|e| scramble(e, seed)).collect();
        let len = parts.len().max(1);
        parts.rotate_left(rotate % len);
        if reverse {
            parts.reverse();
        }
        let build = |v: Vec<Expr>| if is_and { Expr::And(v) } else { Expr::Or(v) };
        if regroup && parts.len() >= 3 {
            let tail = parts.split_off(1);
            parts.push(build(tail));
        }
        build(parts)
    }

    fn equivalent(a: &Pattern, b: &Pattern) -> bool {
        covers(a, b) && covers(b, a)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn display_round_trips(e in arb_expr(&SELECTORS)) {
            let pattern = Pattern::Json(e);
            let shown = pattern.to_string();
            let reparsed = parse(&shown).map_err(|err| TestCaseError::fail(format!("{shown}: {err}")))?;
            prop_assert!(equivalent(&pattern, &reparsed), "{}", shown);
            // The canonical text is a fixed point.
            prop_assert_eq!(parse(&reparsed.to_string()).ok(), Some(reparsed));
        }

        #[test]
        fn covers_is_reflexive(e in arb_expr(&SELECTORS)) {
            let pattern = Pattern::Json(e);
            prop_assert!(covers(&pattern, &pattern));
            prop_assert!(covers(&Pattern::MatchAll, &pattern));
        }

        #[test]
        fn or_widens_and_and_narrows(a in arb_expr(&SELECTORS), b in arb_expr(&SELECTORS)) {
            let pa = Pattern::Json(a.clone());
            prop_assert!(covers(&Pattern::Json(a.clone().or(b.clone())), &pa));
            prop_assert!(covers(&pa, &Pattern::Json(a.and(b))));
        }

        #[test]
        fn reordering_and_regrouping_is_equivalent(e in arb_expr(&SELECTORS), seed in any::<u64>()) {
            let mut s = seed;
            let scrambled = scramble(&e, &mut s);
            let text = format!("{{ (( {scrambled} )) }}");
            let reparsed = parse(&text).map_err(|err| TestCaseError::fail(format!("{text}: {err}")))?;
            let original = Pattern::Json(e);
            prop_assert!(equivalent(&original, &reparsed), "{} vs {}", original, text);
        }

        #[test]
        fn covers_is_sound_on_random_events(
            f in arb_expr(&SELECTORS),
            r in arb_expr(&SELECTORS),
            events in prop::collection::vec(arb_event(), 32),
        ) {
            let (f, r) = (Pattern::Json(f), Pattern::Json(r));
            if covers(&f, &r) {
                for e in &events {
                    prop_assert!(!matches(&r, e) || matches(&f, e), "{} / {} / {}", f, r, e);
                }
            }
        }

        #[test]
        fn covers_is_sound_exhaustively_on_one_field(
            f in arb_expr(&["$.a"]),
            r in arb_expr(&["$.a"]),
        ) {
            let events = events_for_a(&domain_values());
            let (f, r) = (Pattern::Json(f), Pattern::Json(r));
            if covers(&f, &r) {
                prop_assert!(brute_covers(&f, &r, &events), "{} / {}", f, r);
            }
        }

        #[test]
        fn parse_never_panics(text in any::<String>()) {
            let _ = parse(&text);
        }

        #[test]
        fn parse_never_panics_on_pattern_like_text(
            text in "[{}()$.ab\\[\\]0-9=!<>&| \"*%\\\\-]{0,40}"
        ) {
            if let Ok(pattern) = parse(&text) {
                let shown = pattern.to_string();
                prop_assert_eq!(parse(&shown).ok(), Some(pattern), "{}", shown);
            }
        }
    }
}
