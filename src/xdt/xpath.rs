//! The XPath 1.0 subset XDT transforms use, evaluated on [`Doc`].
//!
//! Supported: absolute and relative location paths, `//`, `.`, `..`, `@name`, `@*`; the axes
//! `child`, `attribute`, `self`, `parent`, `descendant`, `descendant-or-self`, `ancestor`,
//! `ancestor-or-self`, `following-sibling`, `preceding-sibling`; the node tests `name`,
//! `prefix:name`, `*`, `prefix:*`, `node()`, `text()`, `comment()`, `processing-instruction()`;
//! predicates (a number is a position); `or`, `and`, `=`, `!=`, `<`, `<=`, `>`, `>=`, `+`, `-`,
//! `*`, `div`, `mod`, unary `-`, `|`; string and number literals; the functions `last`,
//! `position`, `count`, `not`, `true`, `false`, `boolean`, `number`, `string`, `concat`,
//! `contains`, `starts-with`, `substring`, `substring-before`,
//! `substring-after`, `string-length`, `normalize-space`, `translate`, `name`, `local-name`,
//! `namespace-uri`, `sum`, `floor`, `ceiling`, `round`.
//!
//! Not supported (an [`XPathError::Unsupported`], never a silent empty result): the `following`,
//! `preceding` and `namespace` axes, variables (`$x`), and any other function.

use std::collections::HashMap;

use super::tree::{Doc, Kind, NodeId, XML_NAMESPACE};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Item {
    Node(NodeId),
    /// An element's attribute, by index.
    Attr(NodeId, usize),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum XPathError {
    /// The expression is not XPath (System.Xml throws an XPathException).
    Invalid(String),
    /// Valid XPath this engine does not implement.
    Unsupported(String),
}

impl XPathError {
    pub fn message(&self) -> &str {
        match self {
            XPathError::Invalid(m) | XPathError::Unsupported(m) => m,
        }
    }
}

/// Prefix resolution: `None` is "no namespace manager" (System.Xml then refuses any prefix).
pub type Namespaces<'a> = Option<&'a [(String, String)]>;

pub fn select(
    doc: &Doc,
    context: NodeId,
    expression: &str,
    namespaces: Namespaces<'_>,
) -> Result<Vec<Item>, XPathError> {
    let expr = Parser::new(expression)?.parse_all()?;
    let eval = Eval {
        doc,
        namespaces,
        expression,
        order: doc.document_order(),
    };
    match eval.eval(&expr, Item::Node(context), 1, 1)? {
        Value::Nodes(nodes) => Ok(nodes),
        _ => Err(XPathError::Invalid(format!(
            "Expression must evaluate to a node-set: '{expression}'"
        ))),
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Slash,
    DoubleSlash,
    Dot,
    DotDot,
    At,
    Comma,
    LParen,
    RParen,
    LBracket,
    RBracket,
    Pipe,
    Op(&'static str),
    Star,
    Name(String),
    Axis(String),
    NodeType(String),
    Function(String),
    Literal(String),
    Number(f64),
    Variable,
}

#[derive(Debug, Clone)]
enum Expr {
    Or(Box<Expr>, Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Compare(&'static str, Box<Expr>, Box<Expr>),
    Arith(&'static str, Box<Expr>, Box<Expr>),
    Negate(Box<Expr>),
    Union(Box<Expr>, Box<Expr>),
    Literal(String),
    Number(f64),
    Call(String, Vec<Expr>),
    /// A path: its start (`Root`, the context, or a filter expression) then steps.
    Path(Box<Start>, Vec<Step>),
}

#[derive(Debug, Clone)]
enum Start {
    Root,
    Context,
    Filter(Expr, Vec<Expr>),
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Axis {
    Child,
    Attribute,
    Itself,
    Parent,
    Descendant,
    DescendantOrSelf,
    Ancestor,
    AncestorOrSelf,
    FollowingSibling,
    PrecedingSibling,
}

impl Axis {
    fn reverse(self) -> bool {
        matches!(
            self,
            Axis::Parent | Axis::Ancestor | Axis::AncestorOrSelf | Axis::PrecedingSibling
        )
    }
}

#[derive(Debug, Clone)]
enum Test {
    Any,
    AnyIn(String),
    Name(String, String),
    Node,
    Text,
    Comment,
    Pi,
}

#[derive(Debug, Clone)]
struct Step {
    axis: Axis,
    test: Test,
    predicates: Vec<Expr>,
}

struct Parser<'a> {
    source: &'a str,
    toks: Vec<Tok>,
    at: usize,
}

fn invalid(expression: &str) -> XPathError {
    XPathError::Invalid(format!("'{expression}' has an invalid token."))
}

fn is_name_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}
fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '\u{B7}')
}

fn lex(src: &str) -> Result<Vec<Tok>, XPathError> {
    let chars: Vec<char> = src.chars().collect();
    let mut toks: Vec<Tok> = Vec::new();
    let mut i = 0;
    // XPath 1.0 3.7: after these tokens, `*` is a name test and a name is not an operator.
    let operand_expected = |toks: &Vec<Tok>| {
        matches!(
            toks.last(),
            None | Some(
                Tok::At
                    | Tok::Axis(_)
                    | Tok::LParen
                    | Tok::LBracket
                    | Tok::Comma
                    | Tok::Op(_)
                    | Tok::Slash
                    | Tok::DoubleSlash
                    | Tok::Pipe
            )
        )
    };
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        match c {
            ' ' | '\t' | '\r' | '\n' => i += 1,
            '/' if next == Some('/') => {
                toks.push(Tok::DoubleSlash);
                i += 2
            }
            '/' => {
                toks.push(Tok::Slash);
                i += 1
            }
            '.' if next == Some('.') => {
                toks.push(Tok::DotDot);
                i += 2
            }
            '.' if !next.is_some_and(|n| n.is_ascii_digit()) => {
                toks.push(Tok::Dot);
                i += 1
            }
            '@' => {
                toks.push(Tok::At);
                i += 1
            }
            ',' => {
                toks.push(Tok::Comma);
                i += 1
            }
            '(' => {
                toks.push(Tok::LParen);
                i += 1
            }
            ')' => {
                toks.push(Tok::RParen);
                i += 1
            }
            '[' => {
                toks.push(Tok::LBracket);
                i += 1
            }
            ']' => {
                toks.push(Tok::RBracket);
                i += 1
            }
            '|' => {
                toks.push(Tok::Pipe);
                i += 1
            }
            '=' => {
                toks.push(Tok::Op("="));
                i += 1
            }
            '!' if next == Some('=') => {
                toks.push(Tok::Op("!="));
                i += 2
            }
            '<' | '>' => {
                let op = match (c, next == Some('=')) {
                    ('<', true) => "<=",
                    ('<', false) => "<",
                    ('>', true) => ">=",
                    _ => ">",
                };
                i += op.len();
                toks.push(Tok::Op(op));
            }
            '+' => {
                toks.push(Tok::Op("+"));
                i += 1
            }
            '-' => {
                toks.push(Tok::Op("-"));
                i += 1
            }
            '$' => {
                toks.push(Tok::Variable);
                i += 1
            }
            '*' => {
                toks.push(if operand_expected(&toks) {
                    Tok::Star
                } else {
                    Tok::Op("*")
                });
                i += 1
            }
            '"' | '\'' => {
                let close = chars[i + 1..].iter().position(|&d| d == c).ok_or_else(|| {
                    XPathError::Invalid(format!(
                        "This is an unclosed string: '{src}' has an invalid token."
                    ))
                })?;
                toks.push(Tok::Literal(chars[i + 1..i + 1 + close].iter().collect()));
                i += close + 2;
            }
            d if d.is_ascii_digit() || d == '.' => {
                let start = i;
                while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                    i += 1;
                }
                let text: String = chars[start..i].iter().collect();
                toks.push(Tok::Number(text.parse().map_err(|_| invalid(src))?));
            }
            n if is_name_start(n) => {
                let start = i;
                while i < chars.len() && is_name_char(chars[i]) {
                    i += 1;
                }
                let mut name: String = chars[start..i].iter().collect();
                if !operand_expected(&toks) && matches!(name.as_str(), "and" | "or" | "div" | "mod")
                {
                    toks.push(Tok::Op(match name.as_str() {
                        "and" => "and",
                        "or" => "or",
                        "div" => "div",
                        _ => "mod",
                    }));
                    continue;
                }
                // prefix:local or prefix:*
                if chars.get(i) == Some(&':') && chars.get(i + 1) != Some(&':') {
                    if chars.get(i + 1) == Some(&'*') {
                        toks.push(Tok::Name(format!("{name}:*")));
                        i += 2;
                        continue;
                    }
                    if chars.get(i + 1).is_some_and(|&c| is_name_start(c)) {
                        i += 1;
                        let local_start = i;
                        while i < chars.len() && is_name_char(chars[i]) {
                            i += 1;
                        }
                        let local: String = chars[local_start..i].iter().collect();
                        name = format!("{name}:{local}");
                    }
                }
                let mut j = i;
                while j < chars.len() && chars[j].is_whitespace() {
                    j += 1;
                }
                if chars.get(j) == Some(&':') && chars.get(j + 1) == Some(&':') {
                    toks.push(Tok::Axis(name));
                    i = j + 2;
                } else if chars.get(j) == Some(&'(') {
                    if matches!(
                        name.as_str(),
                        "node" | "text" | "comment" | "processing-instruction"
                    ) {
                        toks.push(Tok::NodeType(name));
                    } else {
                        toks.push(Tok::Function(name));
                    }
                    i = j;
                } else {
                    toks.push(Tok::Name(name));
                }
            }
            _ => return Err(invalid(src)),
        }
    }
    Ok(toks)
}

impl<'a> Parser<'a> {
    fn new(source: &'a str) -> Result<Parser<'a>, XPathError> {
        Ok(Parser {
            source,
            toks: lex(source)?,
            at: 0,
        })
    }
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.at)
    }
    fn bump(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.at).cloned();
        self.at += 1;
        t
    }
    fn eat(&mut self, t: &Tok) -> bool {
        if self.peek() == Some(t) {
            self.at += 1;
            true
        } else {
            false
        }
    }
    fn expect(&mut self, t: &Tok) -> Result<(), XPathError> {
        if self.eat(t) {
            Ok(())
        } else {
            Err(invalid(self.source))
        }
    }
    fn parse_all(&mut self) -> Result<Expr, XPathError> {
        if self.toks.is_empty() {
            return Err(XPathError::Invalid(
                "Expression must evaluate to a node-set.".into(),
            ));
        }
        let e = self.or()?;
        if self.at != self.toks.len() {
            return Err(invalid(self.source));
        }
        Ok(e)
    }
    fn binary(
        &mut self,
        ops: &[&'static str],
        next: fn(&mut Self) -> Result<Expr, XPathError>,
        make: fn(&'static str, Expr, Expr) -> Expr,
    ) -> Result<Expr, XPathError> {
        let mut left = next(self)?;
        while let Some(Tok::Op(op)) = self.peek() {
            let Some(&op) = ops.iter().find(|o| *o == op) else {
                break;
            };
            self.at += 1;
            let right = next(self)?;
            left = make(op, left, right);
        }
        Ok(left)
    }
    fn or(&mut self) -> Result<Expr, XPathError> {
        self.binary(&["or"], Self::and, |_, l, r| {
            Expr::Or(Box::new(l), Box::new(r))
        })
    }
    fn and(&mut self) -> Result<Expr, XPathError> {
        self.binary(&["and"], Self::equality, |_, l, r| {
            Expr::And(Box::new(l), Box::new(r))
        })
    }
    fn equality(&mut self) -> Result<Expr, XPathError> {
        self.binary(&["=", "!="], Self::relational, |o, l, r| {
            Expr::Compare(o, Box::new(l), Box::new(r))
        })
    }
    fn relational(&mut self) -> Result<Expr, XPathError> {
        self.binary(&["<", "<=", ">", ">="], Self::additive, |o, l, r| {
            Expr::Compare(o, Box::new(l), Box::new(r))
        })
    }
    fn additive(&mut self) -> Result<Expr, XPathError> {
        self.binary(&["+", "-"], Self::multiplicative, |o, l, r| {
            Expr::Arith(o, Box::new(l), Box::new(r))
        })
    }
    fn multiplicative(&mut self) -> Result<Expr, XPathError> {
        self.binary(&["*", "div", "mod"], Self::unary, |o, l, r| {
            Expr::Arith(o, Box::new(l), Box::new(r))
        })
    }
    fn unary(&mut self) -> Result<Expr, XPathError> {
        if self.eat(&Tok::Op("-")) {
            return Ok(Expr::Negate(Box::new(self.unary()?)));
        }
        self.union()
    }
    fn union(&mut self) -> Result<Expr, XPathError> {
        let mut left = self.path()?;
        while self.eat(&Tok::Pipe) {
            let right = self.path()?;
            left = Expr::Union(Box::new(left), Box::new(right));
        }
        Ok(left)
    }
    fn path(&mut self) -> Result<Expr, XPathError> {
        match self.peek() {
            Some(Tok::Slash) => {
                self.at += 1;
                let steps = if self.starts_step() {
                    self.relative_steps()?
                } else {
                    Vec::new()
                };
                Ok(Expr::Path(Box::new(Start::Root), steps))
            }
            Some(Tok::DoubleSlash) => {
                self.at += 1;
                let mut steps = vec![descendant_or_self()];
                steps.extend(self.relative_steps()?);
                Ok(Expr::Path(Box::new(Start::Root), steps))
            }
            Some(Tok::LParen | Tok::Literal(_) | Tok::Number(_) | Tok::Function(_)) => {
                let primary = self.primary()?;
                let mut predicates = Vec::new();
                while self.peek() == Some(&Tok::LBracket) {
                    predicates.push(self.predicate()?);
                }
                let mut steps = Vec::new();
                if self.eat(&Tok::Slash) {
                    steps = self.relative_steps()?;
                } else if self.eat(&Tok::DoubleSlash) {
                    steps.push(descendant_or_self());
                    steps.extend(self.relative_steps()?);
                }
                if predicates.is_empty() && steps.is_empty() {
                    return Ok(primary);
                }
                Ok(Expr::Path(
                    Box::new(Start::Filter(primary, predicates)),
                    steps,
                ))
            }
            Some(Tok::Variable) => Err(XPathError::Unsupported(format!(
                "variables are not supported: '{}'",
                self.source
            ))),
            _ => Ok(Expr::Path(Box::new(Start::Context), self.relative_steps()?)),
        }
    }
    fn starts_step(&self) -> bool {
        matches!(
            self.peek(),
            Some(
                Tok::Dot
                    | Tok::DotDot
                    | Tok::At
                    | Tok::Star
                    | Tok::Name(_)
                    | Tok::Axis(_)
                    | Tok::NodeType(_)
            )
        )
    }
    fn relative_steps(&mut self) -> Result<Vec<Step>, XPathError> {
        let mut steps = vec![self.step()?];
        loop {
            if self.eat(&Tok::Slash) {
                steps.push(self.step()?);
            } else if self.eat(&Tok::DoubleSlash) {
                steps.push(descendant_or_self());
                steps.push(self.step()?);
            } else {
                return Ok(steps);
            }
        }
    }
    fn step(&mut self) -> Result<Step, XPathError> {
        if self.eat(&Tok::Dot) {
            return Ok(Step {
                axis: Axis::Itself,
                test: Test::Node,
                predicates: Vec::new(),
            });
        }
        if self.eat(&Tok::DotDot) {
            return Ok(Step {
                axis: Axis::Parent,
                test: Test::Node,
                predicates: Vec::new(),
            });
        }
        let axis = if self.eat(&Tok::At) {
            Axis::Attribute
        } else if let Some(Tok::Axis(name)) = self.peek().cloned() {
            self.at += 1;
            match name.as_str() {
                "child" => Axis::Child,
                "attribute" => Axis::Attribute,
                "self" => Axis::Itself,
                "parent" => Axis::Parent,
                "descendant" => Axis::Descendant,
                "descendant-or-self" => Axis::DescendantOrSelf,
                "ancestor" => Axis::Ancestor,
                "ancestor-or-self" => Axis::AncestorOrSelf,
                "following-sibling" => Axis::FollowingSibling,
                "preceding-sibling" => Axis::PrecedingSibling,
                "following" | "preceding" | "namespace" => {
                    return Err(XPathError::Unsupported(format!(
                        "the {name} axis is not supported: '{}'",
                        self.source
                    )));
                }
                _ => return Err(invalid(self.source)),
            }
        } else {
            Axis::Child
        };
        let test = match self.bump() {
            Some(Tok::Star) => Test::Any,
            Some(Tok::Name(n)) => match n.strip_suffix(":*") {
                Some(prefix) => Test::AnyIn(prefix.to_owned()),
                None => match n.split_once(':') {
                    Some((p, l)) => Test::Name(p.to_owned(), l.to_owned()),
                    None => Test::Name(String::new(), n),
                },
            },
            // A name that lexed as an operator (`and`, `or`...) right after a step separator.
            Some(Tok::Op(op @ ("and" | "or" | "div" | "mod"))) => {
                Test::Name(String::new(), op.to_owned())
            }
            Some(Tok::NodeType(t)) => {
                self.expect(&Tok::LParen)?;
                if t == "processing-instruction" && matches!(self.peek(), Some(Tok::Literal(_))) {
                    self.at += 1;
                }
                self.expect(&Tok::RParen)?;
                match t.as_str() {
                    "node" => Test::Node,
                    "text" => Test::Text,
                    "comment" => Test::Comment,
                    _ => Test::Pi,
                }
            }
            _ => return Err(invalid(self.source)),
        };
        let mut predicates = Vec::new();
        while self.peek() == Some(&Tok::LBracket) {
            predicates.push(self.predicate()?);
        }
        Ok(Step {
            axis,
            test,
            predicates,
        })
    }
    fn predicate(&mut self) -> Result<Expr, XPathError> {
        self.expect(&Tok::LBracket)?;
        let e = self.or()?;
        self.expect(&Tok::RBracket)?;
        Ok(e)
    }
    fn primary(&mut self) -> Result<Expr, XPathError> {
        match self.bump() {
            Some(Tok::LParen) => {
                let e = self.or()?;
                self.expect(&Tok::RParen)?;
                Ok(e)
            }
            Some(Tok::Literal(s)) => Ok(Expr::Literal(s)),
            Some(Tok::Number(n)) => Ok(Expr::Number(n)),
            Some(Tok::Function(name)) => {
                self.expect(&Tok::LParen)?;
                let mut args = Vec::new();
                if !self.eat(&Tok::RParen) {
                    loop {
                        args.push(self.or()?);
                        if self.eat(&Tok::RParen) {
                            break;
                        }
                        self.expect(&Tok::Comma)?;
                    }
                }
                Ok(Expr::Call(name, args))
            }
            _ => Err(invalid(self.source)),
        }
    }
}

fn descendant_or_self() -> Step {
    Step {
        axis: Axis::DescendantOrSelf,
        test: Test::Node,
        predicates: Vec::new(),
    }
}

#[derive(Debug, Clone)]
enum Value {
    Nodes(Vec<Item>),
    Str(String),
    Num(f64),
    Bool(bool),
}

struct Eval<'a> {
    doc: &'a Doc,
    namespaces: Namespaces<'a>,
    expression: &'a str,
    order: HashMap<NodeId, usize>,
}

impl Eval<'_> {
    fn resolve(&self, prefix: &str) -> Result<String, XPathError> {
        if prefix.is_empty() {
            return Ok(String::new());
        }
        let Some(namespaces) = self.namespaces else {
            return Err(XPathError::Invalid(
                "Namespace Manager or XsltContext needed. This query has a prefix, variable, or user-defined function.".into(),
            ));
        };
        if prefix == "xml" {
            return Ok(XML_NAMESPACE.to_owned());
        }
        namespaces
            .iter()
            .rev()
            .find(|(p, _)| p == prefix)
            .map(|(_, u)| u.clone())
            .ok_or_else(|| {
                XPathError::Invalid(format!("Namespace prefix '{prefix}' is not defined."))
            })
    }

    fn sort(&self, items: &mut Vec<Item>) {
        let key = |i: &Item| match *i {
            Item::Node(n) => (self.order.get(&n).copied().unwrap_or(usize::MAX), 0),
            Item::Attr(n, a) => (self.order.get(&n).copied().unwrap_or(usize::MAX), a + 1),
        };
        items.sort_by_key(key);
        items.dedup();
    }

    fn eval(&self, e: &Expr, ctx: Item, pos: usize, size: usize) -> Result<Value, XPathError> {
        Ok(match e {
            Expr::Or(l, r) => Value::Bool(
                boolean(&self.eval(l, ctx, pos, size)?) || boolean(&self.eval(r, ctx, pos, size)?),
            ),
            Expr::And(l, r) => Value::Bool(
                boolean(&self.eval(l, ctx, pos, size)?) && boolean(&self.eval(r, ctx, pos, size)?),
            ),
            Expr::Compare(op, l, r) => {
                let l = self.eval(l, ctx, pos, size)?;
                let r = self.eval(r, ctx, pos, size)?;
                Value::Bool(self.compare(op, &l, &r))
            }
            Expr::Arith(op, l, r) => {
                let l = self.number(&self.eval(l, ctx, pos, size)?);
                let r = self.number(&self.eval(r, ctx, pos, size)?);
                Value::Num(match *op {
                    "+" => l + r,
                    "-" => l - r,
                    "*" => l * r,
                    "div" => l / r,
                    _ => l % r,
                })
            }
            Expr::Negate(x) => Value::Num(-self.number(&self.eval(x, ctx, pos, size)?)),
            Expr::Union(l, r) => {
                let (Value::Nodes(mut a), Value::Nodes(b)) =
                    (self.eval(l, ctx, pos, size)?, self.eval(r, ctx, pos, size)?)
                else {
                    return Err(XPathError::Invalid(format!(
                        "Expression must evaluate to a node-set: '{}'",
                        self.expression
                    )));
                };
                a.extend(b);
                self.sort(&mut a);
                Value::Nodes(a)
            }
            Expr::Literal(s) => Value::Str(s.clone()),
            Expr::Number(n) => Value::Num(*n),
            Expr::Call(name, args) => self.call(name, args, ctx, pos, size)?,
            Expr::Path(start, steps) => {
                let mut nodes = match start.as_ref() {
                    Start::Root => vec![Item::Node(super::tree::ROOT)],
                    Start::Context => vec![ctx],
                    Start::Filter(primary, predicates) => {
                        let Value::Nodes(mut nodes) = self.eval(primary, ctx, pos, size)? else {
                            return Err(XPathError::Invalid(format!(
                                "Expression must evaluate to a node-set: '{}'",
                                self.expression
                            )));
                        };
                        for p in predicates {
                            nodes = self.filter(nodes, p)?;
                        }
                        nodes
                    }
                };
                for step in steps {
                    let mut next = Vec::new();
                    for &n in &nodes {
                        let mut found = self.axis(step.axis, n);
                        found.retain(|&i| self.matches(&step.test, step.axis, i).unwrap_or(false));
                        // Report a bad prefix even when nothing is there to test.
                        self.check_test(&step.test)?;
                        if step.axis.reverse() {
                            found.reverse();
                        }
                        for p in &step.predicates {
                            found = self.filter(found, p)?;
                        }
                        next.extend(found);
                    }
                    self.sort(&mut next);
                    nodes = next;
                }
                Value::Nodes(nodes)
            }
        })
    }

    fn filter(&self, items: Vec<Item>, predicate: &Expr) -> Result<Vec<Item>, XPathError> {
        let size = items.len();
        let mut kept = Vec::new();
        for (i, item) in items.into_iter().enumerate() {
            let v = self.eval(predicate, item, i + 1, size)?;
            let keep = match v {
                Value::Num(n) => n == (i + 1) as f64,
                other => boolean(&other),
            };
            if keep {
                kept.push(item);
            }
        }
        Ok(kept)
    }

    fn check_test(&self, test: &Test) -> Result<(), XPathError> {
        match test {
            Test::AnyIn(p) => self.resolve(p).map(|_| ()),
            Test::Name(p, _) => self.resolve(p).map(|_| ()),
            _ => Ok(()),
        }
    }

    fn axis(&self, axis: Axis, item: Item) -> Vec<Item> {
        let doc = self.doc;
        let Item::Node(n) = item else {
            // An attribute has a parent and itself; no children or siblings.
            return match (axis, item) {
                (Axis::Itself | Axis::AncestorOrSelf | Axis::DescendantOrSelf, _) => {
                    let mut v = vec![item];
                    if axis == Axis::AncestorOrSelf
                        && let Item::Attr(owner, _) = item
                    {
                        v.extend(self.ancestors(owner, true));
                    }
                    v
                }
                (Axis::Parent, Item::Attr(owner, _)) => vec![Item::Node(owner)],
                (Axis::Ancestor, Item::Attr(owner, _)) => self.ancestors(owner, true),
                _ => Vec::new(),
            };
        };
        let nodes = |ids: &[NodeId]| ids.iter().map(|&c| Item::Node(c)).collect::<Vec<_>>();
        match axis {
            Axis::Child => nodes(doc.children(n)),
            Axis::Attribute => match doc.element(n) {
                Some(e) => e
                    .attrs
                    .iter()
                    .enumerate()
                    .filter(|(_, a)| !a.is_namespace_declaration())
                    .map(|(i, _)| Item::Attr(n, i))
                    .collect(),
                None => Vec::new(),
            },
            Axis::Itself => vec![item],
            Axis::Parent => doc.parent(n).map(Item::Node).into_iter().collect(),
            Axis::Ancestor => self.ancestors(n, false),
            Axis::AncestorOrSelf => self.ancestors(n, true),
            Axis::Descendant | Axis::DescendantOrSelf => {
                let mut all = Vec::new();
                doc.preorder(n, &mut all);
                if axis == Axis::Descendant {
                    all.remove(0);
                }
                nodes(&all)
            }
            Axis::FollowingSibling | Axis::PrecedingSibling => {
                let Some(parent) = doc.parent(n) else {
                    return Vec::new();
                };
                let siblings = doc.children(parent);
                let i = siblings.iter().position(|&c| c == n).unwrap_or(0);
                if axis == Axis::FollowingSibling {
                    nodes(siblings.get(i + 1..).unwrap_or(&[]))
                } else {
                    nodes(&siblings[..i])
                }
            }
        }
    }

    fn ancestors(&self, n: NodeId, include_self: bool) -> Vec<Item> {
        let mut v = Vec::new();
        if include_self {
            v.push(Item::Node(n));
        }
        let mut p = self.doc.parent(n);
        while let Some(id) = p {
            v.push(Item::Node(id));
            p = self.doc.parent(id);
        }
        v.sort_by_key(|i| match i {
            Item::Node(n) => self.order.get(n).copied().unwrap_or(0),
            Item::Attr(..) => usize::MAX,
        });
        v
    }

    fn matches(&self, test: &Test, axis: Axis, item: Item) -> Result<bool, XPathError> {
        let doc = self.doc;
        match item {
            Item::Attr(n, i) => {
                let Some(a) = doc.element(n).and_then(|e| e.attrs.get(i)) else {
                    return Ok(false);
                };
                Ok(match test {
                    Test::Node => true,
                    Test::Any => axis == Axis::Attribute || axis == Axis::Itself,
                    Test::AnyIn(p) => a.namespace == self.resolve(p)?,
                    Test::Name(p, l) => a.local_name() == l && a.namespace == self.resolve(p)?,
                    _ => false,
                })
            }
            Item::Node(n) => {
                let kind = doc.kind(n);
                Ok(match test {
                    Test::Node => true,
                    Test::Text => {
                        matches!(kind, Kind::Text(_) | Kind::Whitespace(_) | Kind::Cdata(_))
                    }
                    Test::Comment => matches!(kind, Kind::Comment(_)),
                    Test::Pi => matches!(kind, Kind::Pi { .. }),
                    Test::Any => axis != Axis::Attribute && matches!(kind, Kind::Element(_)),
                    Test::AnyIn(p) => match kind {
                        Kind::Element(e) => e.namespace == self.resolve(p)?,
                        _ => false,
                    },
                    Test::Name(p, l) => match kind {
                        Kind::Element(e) => {
                            e.local_name() == l && e.namespace == self.resolve(p)?
                        }
                        _ => false,
                    },
                })
            }
        }
    }

    fn string_of(&self, item: Item) -> String {
        match item {
            Item::Node(n) => self.doc.string_value(n),
            Item::Attr(n, i) => self
                .doc
                .element(n)
                .and_then(|e| e.attrs.get(i))
                .map(|a| a.value.clone())
                .unwrap_or_default(),
        }
    }

    fn string(&self, v: &Value) -> String {
        match v {
            Value::Nodes(n) => n.first().map(|&i| self.string_of(i)).unwrap_or_default(),
            Value::Str(s) => s.clone(),
            Value::Num(n) => number_to_string(*n),
            Value::Bool(b) => b.to_string(),
        }
    }

    fn number(&self, v: &Value) -> f64 {
        match v {
            Value::Num(n) => *n,
            Value::Bool(b) => f64::from(u8::from(*b)),
            other => string_to_number(&self.string(other)),
        }
    }

    fn compare(&self, op: &str, l: &Value, r: &Value) -> bool {
        match (l, r) {
            (Value::Nodes(a), Value::Nodes(b)) => a.iter().any(|&x| {
                let xs = self.string_of(x);
                b.iter().any(|&y| {
                    self.compare_atoms(op, &Value::Str(xs.clone()), &Value::Str(self.string_of(y)))
                })
            }),
            (Value::Nodes(a), other) => {
                if let Value::Bool(_) = other {
                    return self.compare_atoms(op, &Value::Bool(!a.is_empty()), other);
                }
                a.iter()
                    .any(|&x| self.compare_atoms(op, &Value::Str(self.string_of(x)), other))
            }
            (other, Value::Nodes(b)) => {
                if let Value::Bool(_) = other {
                    return self.compare_atoms(op, other, &Value::Bool(!b.is_empty()));
                }
                b.iter()
                    .any(|&y| self.compare_atoms(op, other, &Value::Str(self.string_of(y))))
            }
            _ => self.compare_atoms(op, l, r),
        }
    }

    fn compare_atoms(&self, op: &str, l: &Value, r: &Value) -> bool {
        match op {
            "=" | "!=" => {
                let equal = match (l, r) {
                    (Value::Bool(_), _) | (_, Value::Bool(_)) => boolean(l) == boolean(r),
                    (Value::Num(_), _) | (_, Value::Num(_)) => self.number(l) == self.number(r),
                    _ => self.string(l) == self.string(r),
                };
                (op == "=") == equal
            }
            _ => {
                let (a, b) = (self.number(l), self.number(r));
                match op {
                    "<" => a < b,
                    "<=" => a <= b,
                    ">" => a > b,
                    _ => a >= b,
                }
            }
        }
    }

    fn call(
        &self,
        name: &str,
        args: &[Expr],
        ctx: Item,
        pos: usize,
        size: usize,
    ) -> Result<Value, XPathError> {
        let values = args
            .iter()
            .map(|a| self.eval(a, ctx, pos, size))
            .collect::<Result<Vec<_>, _>>()?;
        let arity = |min: usize, max: usize| {
            if values.len() < min || values.len() > max {
                Err(XPathError::Invalid(format!(
                    "Function '{name}()' in '{}' has an invalid number of arguments.",
                    self.expression
                )))
            } else {
                Ok(())
            }
        };
        let str_arg = |i: usize| -> String {
            values
                .get(i)
                .map_or_else(|| self.string_of(ctx), |v| self.string(v))
        };
        let node_arg = |i: usize| -> Option<Item> {
            match values.get(i) {
                None => Some(ctx),
                Some(Value::Nodes(n)) => n.first().copied(),
                Some(_) => None,
            }
        };
        Ok(match name {
            "last" => {
                arity(0, 0)?;
                Value::Num(size as f64)
            }
            "position" => {
                arity(0, 0)?;
                Value::Num(pos as f64)
            }
            "count" => {
                arity(1, 1)?;
                match &values[0] {
                    Value::Nodes(n) => Value::Num(n.len() as f64),
                    _ => {
                        return Err(XPathError::Invalid(format!(
                            "Expression must evaluate to a node-set: '{}'",
                            self.expression
                        )));
                    }
                }
            }
            "not" => {
                arity(1, 1)?;
                Value::Bool(!boolean(&values[0]))
            }
            "true" | "false" => {
                arity(0, 0)?;
                Value::Bool(name == "true")
            }
            "boolean" => {
                arity(1, 1)?;
                Value::Bool(boolean(&values[0]))
            }
            "number" => {
                arity(0, 1)?;
                Value::Num(match values.first() {
                    Some(v) => self.number(v),
                    None => string_to_number(&self.string_of(ctx)),
                })
            }
            "string" => {
                arity(0, 1)?;
                Value::Str(str_arg(0))
            }
            "concat" => {
                arity(2, usize::MAX)?;
                Value::Str(values.iter().map(|v| self.string(v)).collect())
            }
            "contains" => {
                arity(2, 2)?;
                Value::Bool(str_arg(0).contains(&str_arg(1)))
            }
            "starts-with" => {
                arity(2, 2)?;
                Value::Bool(str_arg(0).starts_with(&str_arg(1)))
            }
            "substring-before" | "substring-after" => {
                arity(2, 2)?;
                let (s, t) = (str_arg(0), str_arg(1));
                Value::Str(match s.find(&t) {
                    Some(i) if name == "substring-before" => s[..i].to_owned(),
                    Some(i) => s[i + t.len()..].to_owned(),
                    None => String::new(),
                })
            }
            "substring" => {
                arity(2, 3)?;
                let s: Vec<char> = str_arg(0).chars().collect();
                let start = round(self.number(&values[1]));
                let end = match values.get(2) {
                    Some(v) => start + round(self.number(v)),
                    None => f64::INFINITY,
                };
                Value::Str(
                    s.iter()
                        .enumerate()
                        .filter(|(i, _)| {
                            let p = (*i + 1) as f64;
                            p >= start && p < end
                        })
                        .map(|(_, c)| *c)
                        .collect(),
                )
            }
            "string-length" => {
                arity(0, 1)?;
                Value::Num(str_arg(0).encode_utf16().count() as f64)
            }
            "normalize-space" => {
                arity(0, 1)?;
                Value::Str(
                    str_arg(0)
                        .split([' ', '\t', '\r', '\n'])
                        .filter(|s| !s.is_empty())
                        .collect::<Vec<_>>()
                        .join(" "),
                )
            }
            "translate" => {
                arity(3, 3)?;
                let from: Vec<char> = str_arg(1).chars().collect();
                let to: Vec<char> = str_arg(2).chars().collect();
                Value::Str(
                    str_arg(0)
                        .chars()
                        .filter_map(|c| match from.iter().position(|&f| f == c) {
                            Some(i) => to.get(i).copied(),
                            None => Some(c),
                        })
                        .collect(),
                )
            }
            "name" | "local-name" | "namespace-uri" => {
                arity(0, 1)?;
                let Some(item) = node_arg(0) else {
                    return Err(XPathError::Invalid(format!(
                        "Expression must evaluate to a node-set: '{}'",
                        self.expression
                    )));
                };
                Value::Str(self.name_of(item, name))
            }
            "sum" => {
                arity(1, 1)?;
                match &values[0] {
                    Value::Nodes(n) => Value::Num(
                        n.iter()
                            .map(|&i| string_to_number(&self.string_of(i)))
                            .sum(),
                    ),
                    _ => {
                        return Err(XPathError::Invalid(format!(
                            "Expression must evaluate to a node-set: '{}'",
                            self.expression
                        )));
                    }
                }
            }
            "floor" | "ceiling" | "round" => {
                arity(1, 1)?;
                let n = self.number(&values[0]);
                Value::Num(match name {
                    "floor" => n.floor(),
                    "ceiling" => n.ceil(),
                    _ => round(n),
                })
            }
            _ => {
                return Err(XPathError::Unsupported(format!(
                    "the function {name}() is not supported: '{}'",
                    self.expression
                )));
            }
        })
    }

    fn name_of(&self, item: Item, which: &str) -> String {
        let (name, local, ns) = match item {
            Item::Node(n) => match self.doc.kind(n) {
                Kind::Element(e) => (
                    e.name.clone(),
                    e.local_name().to_owned(),
                    e.namespace.clone(),
                ),
                Kind::Pi { target, .. } => (target.clone(), target.clone(), String::new()),
                _ => Default::default(),
            },
            Item::Attr(n, i) => match self.doc.element(n).and_then(|e| e.attrs.get(i)) {
                Some(a) => (
                    a.name.clone(),
                    a.local_name().to_owned(),
                    a.namespace.clone(),
                ),
                None => Default::default(),
            },
        };
        match which {
            "name" => name,
            "local-name" => local,
            _ => ns,
        }
    }
}

fn boolean(v: &Value) -> bool {
    match v {
        Value::Nodes(n) => !n.is_empty(),
        Value::Str(s) => !s.is_empty(),
        Value::Num(n) => *n != 0.0 && !n.is_nan(),
        Value::Bool(b) => *b,
    }
}

fn round(n: f64) -> f64 {
    (n + 0.5).floor()
}

fn string_to_number(s: &str) -> f64 {
    let t = s.trim_matches([' ', '\t', '\r', '\n']);
    let valid = !t.is_empty()
        && t.strip_prefix('-')
            .unwrap_or(t)
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.')
        && t.matches('.').count() <= 1
        && t.trim_start_matches('-') != ".";
    if valid {
        t.parse().unwrap_or(f64::NAN)
    } else {
        f64::NAN
    }
}

fn number_to_string(n: f64) -> String {
    if n.is_nan() {
        "NaN".into()
    } else if n.is_infinite() {
        if n > 0.0 { "Infinity" } else { "-Infinity" }.into()
    } else if n == n.trunc() && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}
