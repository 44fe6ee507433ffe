//! The transformation loop, locators and transforms: a port of XDT's `XmlTransformation`,
//! `XmlElementContext`, `Transform`, `XmlLocators.cs` and `XmlTransforms.cs` (dotnet/xdt d9bb70b).
//! C# exceptions are [`Failure`]s; where XDT catches them decides where the error is reported and
//! whether the element's children are still processed, exactly as in the C# code.

use std::ops::Range;

use super::tree::{self, Doc, Kind, NodeId, ROOT};
use super::xpath::{self, Item, XPathError};
use super::{MessageKind, Origin, Severity, XDT_NAMESPACE};

/// Where XDT points a message: a node of the transform or of the (possibly transformed) target.
#[derive(Clone, Debug)]
pub struct Loc {
    pub origin: Origin,
    pub span: Range<usize>,
}

/// A raised exception: its message, kind and (once wrapped, like `XmlNodeException`) location.
#[derive(Clone, Debug)]
pub struct Failure {
    pub message: String,
    pub kind: MessageKind,
    pub at: Option<Loc>,
}

impl Failure {
    fn new(kind: MessageKind, message: impl Into<String>) -> Failure {
        Failure {
            message: message.into(),
            kind,
            at: None,
        }
    }
    /// `XmlNodeException.Wrap`: the innermost location wins.
    fn wrap(mut self, at: Option<Loc>) -> Failure {
        if self.at.is_none() {
            self.at = at;
        }
        self
    }
}

impl From<XPathError> for Failure {
    fn from(e: XPathError) -> Failure {
        let kind = match e {
            XPathError::Invalid(_) => MessageKind::Invalid,
            XPathError::Unsupported(_) => MessageKind::Unsupported,
        };
        Failure::new(kind, e.message())
    }
}

pub struct LoggedMessage {
    pub severity: Severity,
    pub kind: MessageKind,
    pub at: Option<Loc>,
    pub message: String,
}

const NULL_REFERENCE: &str = "Object reference not set to an instance of an object";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TransformType {
    Replace,
    Remove,
    RemoveAll,
    Insert,
    InsertIfMissing,
    InsertBefore,
    InsertAfter,
    SetAttributes,
    SetTokenizedAttributes,
    RemoveAttributes,
    CommentOut,
}

impl TransformType {
    fn name(self) -> &'static str {
        match self {
            TransformType::Replace => "Replace",
            TransformType::Remove => "Remove",
            TransformType::RemoveAll => "RemoveAll",
            TransformType::Insert => "Insert",
            TransformType::InsertIfMissing => "InsertIfMissing",
            TransformType::InsertBefore => "InsertBefore",
            TransformType::InsertAfter => "InsertAfter",
            TransformType::SetAttributes => "SetAttributes",
            TransformType::SetTokenizedAttributes => "SetTokenizedAttributes",
            TransformType::RemoveAttributes => "RemoveAttributes",
            TransformType::CommentOut => "CommentOut",
        }
    }
    fn uses_parent(self) -> bool {
        matches!(
            self,
            TransformType::Insert
                | TransformType::InsertIfMissing
                | TransformType::InsertBefore
                | TransformType::InsertAfter
        )
    }
    fn applies_to_all(self) -> bool {
        matches!(
            self,
            TransformType::RemoveAll
                | TransformType::SetAttributes
                | TransformType::SetTokenizedAttributes
                | TransformType::RemoveAttributes
        )
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum LocatorType {
    Default,
    Match,
    Condition,
    XPath,
}

/// The other public types of XDT's namespace: `Assembly.GetType` finds them, and they are then
/// "not a type of Transform/Locator".
const OTHER_TYPES: &[&str] = &[
    "Transform",
    "Locator",
    "XmlTransformation",
    "XmlElementContext",
    "XmlNodeContext",
    "CommonErrors",
    "SetTokenizedAttributeStorage",
    "XmlArgumentUtility",
    "NamedTypeFactory",
    "XmlNodeException",
    "XmlTransformationException",
    "XmlTransformationLogger",
    "XmlFileInfoDocument",
    "XmlTransformableDocument",
    "XmlFormatter",
    "XmlAttributePreservationDict",
    "XmlAttributePreservationProvider",
    "XmlAttributePreservingWriter",
    "PositionTrackingTextReader",
    "WhitespaceTrackingTextReader",
    "IXmlTransformationLogger",
    "IXmlOriginalDocumentService",
    "IXmlFormattableAttributes",
    "MessageType",
    "MissingTargetMessage",
    "TransformFlags",
    "XPathAxis",
];
const TRANSFORM_NAMES: &[&str] = &[
    "Replace",
    "Remove",
    "RemoveAll",
    "Insert",
    "InsertIfMissing",
    "InsertBefore",
    "InsertAfter",
    "SetAttributes",
    "SetTokenizedAttributes",
    "RemoveAttributes",
    "CommentOut",
];
const LOCATOR_NAMES: &[&str] = &["DefaultLocator", "Match", "Condition", "XPath"];
/// Subclasses without a public parameterless constructor.
const ABSTRACT_TRANSFORMS: &[&str] = &["InsertBase", "AttributeTransform"];

fn resolve_type(name: &str, base: &str) -> Result<&'static str, Failure> {
    let (own, other) = if base == "Transform" {
        (TRANSFORM_NAMES, LOCATOR_NAMES)
    } else {
        (LOCATOR_NAMES, TRANSFORM_NAMES)
    };
    if let Some(found) = own.iter().find(|n| **n == name) {
        return Ok(found);
    }
    if base == "Transform" && ABSTRACT_TRANSFORMS.contains(&name) {
        return Err(Failure::new(
            MessageKind::Invalid,
            format!(
                "Type 'Microsoft.Web.XmlTransform.{name}' must have a no-argument constructor to be instantiated by the transformation engine"
            ),
        ));
    }
    if other.contains(&name) || OTHER_TYPES.contains(&name) || ABSTRACT_TRANSFORMS.contains(&name) {
        return Err(Failure::new(
            MessageKind::Invalid,
            format!("'Microsoft.Web.XmlTransform.{name}' is not a type of {base}"),
        ));
    }
    Err(Failure::new(
        MessageKind::Invalid,
        format!("Could not resolve '{name}' as a type of {base}"),
    ))
}

/// `\A\s*(?<name>\w+)(\s*\((?<arguments>.*)\))?\s*\Z`: the name and the (non-empty) arguments.
fn parse_name_and_arguments(value: &str) -> Result<(String, Option<String>), Failure> {
    let bad = || {
        Failure::new(
            MessageKind::Invalid,
            "Transform and Locator attributes must contain only a type name, or a type name followed by a list of attributes in parentheses.",
        )
    };
    let s = value.trim_start();
    let name_len = s
        .char_indices()
        .find(|(_, c)| !(c.is_alphanumeric() || *c == '_'))
        .map_or(s.len(), |(i, _)| i);
    if name_len == 0 {
        return Err(bad());
    }
    let name = s[..name_len].to_owned();
    let rest = s[name_len..].trim_end();
    if rest.is_empty() {
        return Ok((name, None));
    }
    let rest = rest.trim_start();
    let inner = rest
        .strip_prefix('(')
        .and_then(|r| r.strip_suffix(')'))
        .ok_or_else(bad)?;
    Ok((name, (!inner.is_empty()).then(|| inner.to_owned())))
}

/// `XmlArgumentUtility.SplitArguments`: split on commas outside parentheses, trim when split.
pub fn split_arguments(arguments: &str) -> Vec<String> {
    if !arguments.contains(',') {
        return vec![arguments.to_owned()];
    }
    let mut combined: Vec<String> = Vec::new();
    let mut current: Option<String> = None;
    let mut depth = 0i64;
    for part in arguments.split(',') {
        current = Some(match current {
            None => part.to_owned(),
            Some(c) => format!("{c},{part}"),
        });
        depth += part
            .chars()
            .map(|c| match c {
                '(' => 1,
                ')' => -1,
                _ => 0,
            })
            .sum::<i64>();
        if depth == 0 {
            combined.extend(current.take());
        }
    }
    combined.extend(current);
    combined.iter().map(|a| a.trim().to_owned()).collect()
}

struct Context {
    element: NodeId,
    parent: Option<usize>,
    xpath: Option<Result<String, Failure>>,
    parent_xpath: Option<Result<String, Failure>>,
    target_nodes: Option<Vec<Item>>,
    target_parents: Option<Vec<Item>>,
    transform_node: Option<NodeId>,
}

pub struct Engine<'a> {
    pub transform: &'a Doc,
    pub target: Doc,
    original: Option<Doc>,
    pub log: Vec<LoggedMessage>,
    pub has_errors: bool,
    suppress_warnings: bool,
    contexts: Vec<Context>,
}

fn element_loc(doc: &Doc, id: NodeId) -> Option<Loc> {
    let node = doc.nodes.get(id)?;
    let e = doc.element(id)?;
    let (origin, start) = e.name_at?;
    let end = e.start_tag_end.or(node.src.as_ref().map(|s| s.1.end))?;
    Some(Loc {
        origin,
        span: start..end.max(start),
    })
}

fn attr_loc(doc: &Doc, id: NodeId, local: &str, namespace: &str) -> Option<Loc> {
    let a = doc.element(id)?.attr_ns(local, namespace)?;
    let (origin, span) = a.src.clone()?;
    Some(Loc { origin, span })
}

impl<'a> Engine<'a> {
    pub fn new(transform: &'a Doc, target: Doc) -> Engine<'a> {
        Engine {
            transform,
            target,
            original: None,
            log: Vec::new(),
            has_errors: false,
            suppress_warnings: false,
            contexts: Vec::new(),
        }
    }

    pub fn warn(&mut self, at: Option<Loc>, kind: MessageKind, message: String) {
        // xdt:SupressWarnings turns a warning into a message XDT only logs as normal text.
        if !self.suppress_warnings {
            self.log.push(LoggedMessage {
                severity: Severity::Warning,
                kind,
                at,
                message,
            });
        }
    }

    fn error(&mut self, failure: Failure) {
        self.has_errors = true;
        self.log.push(LoggedMessage {
            severity: Severity::Error,
            kind: failure.kind,
            at: failure.at,
            message: failure.message,
        });
    }

    /// `TransformLoop`: every element child of `parent` (the transform document's root first).
    pub fn run(&mut self, parent: Option<usize>) {
        let parent_node = parent.map_or(ROOT, |p| self.contexts[p].element);
        let children: Vec<NodeId> = self.transform.children(parent_node).to_vec();
        for child in children {
            if !self.transform.is_element(child) {
                continue;
            }
            self.contexts.push(Context {
                element: child,
                parent,
                xpath: None,
                parent_xpath: None,
                target_nodes: None,
                target_parents: None,
                transform_node: None,
            });
            let index = self.contexts.len() - 1;
            if let Err(f) = self.handle_element(index) {
                let at = element_loc(self.transform, child);
                self.error(f.wrap(at));
            }
            self.contexts.truncate(index);
        }
    }

    fn handle_element(&mut self, ctx: usize) -> Result<(), Failure> {
        let element = self.contexts[ctx].element;
        if let Some((transform, arguments)) = self.construct_transform(element)? {
            let saved = self.suppress_warnings;
            if let Some(a) = self
                .transform
                .element(element)
                .and_then(|e| e.attr_ns("SupressWarnings", XDT_NAMESPACE))
            {
                self.suppress_warnings = match a.value.trim().to_ascii_lowercase().as_str() {
                    "true" => true,
                    "false" => false,
                    _ => {
                        return Err(Failure::new(
                            MessageKind::Invalid,
                            "String was not recognized as a valid Boolean.",
                        ));
                    }
                };
            }
            if self.original.is_none() {
                self.original = Some(self.target.clone());
            }
            self.execute(ctx, transform, arguments.as_deref());
            self.suppress_warnings = saved;
        }
        self.run(Some(ctx));
        Ok(())
    }

    fn named_attribute(&self, element: NodeId, local: &str) -> Option<(String, Option<Loc>)> {
        let a = self
            .transform
            .element(element)?
            .attr_ns(local, XDT_NAMESPACE)?;
        Some((
            a.value.clone(),
            attr_loc(self.transform, element, local, XDT_NAMESPACE),
        ))
    }

    fn construct_transform(
        &self,
        element: NodeId,
    ) -> Result<Option<(TransformType, Option<String>)>, Failure> {
        let Some((value, at)) = self.named_attribute(element, "Transform") else {
            return Ok(None);
        };
        let parsed = parse_name_and_arguments(&value).and_then(|(name, args)| {
            let found = resolve_type(&name, "Transform")?;
            let t = [
                TransformType::Replace,
                TransformType::Remove,
                TransformType::RemoveAll,
                TransformType::Insert,
                TransformType::InsertIfMissing,
                TransformType::InsertBefore,
                TransformType::InsertAfter,
                TransformType::SetAttributes,
                TransformType::SetTokenizedAttributes,
                TransformType::RemoveAttributes,
                TransformType::CommentOut,
            ]
            .into_iter()
            .find(|t| t.name() == found)
            .ok_or_else(|| Failure::new(MessageKind::Other, "unknown transform"))?;
            Ok((t, args))
        });
        parsed.map(Some).map_err(|f| f.wrap(at))
    }

    fn locator(&self, element: NodeId) -> Result<(LocatorType, Option<String>), Failure> {
        let Some((value, at)) = self.named_attribute(element, "Locator") else {
            return Ok((LocatorType::Default, None));
        };
        let (name, args) = parse_name_and_arguments(&value).map_err(|f| f.wrap(at.clone()))?;
        let found = resolve_type(&name, "Locator").map_err(|f| f.wrap(at))?;
        let t = match found {
            "Match" => LocatorType::Match,
            "Condition" => LocatorType::Condition,
            "XPath" => LocatorType::XPath,
            _ => LocatorType::Default,
        };
        Ok((
            t,
            if t == LocatorType::Default {
                None
            } else {
                args
            },
        ))
    }

    fn next_step_node_test(&self, element: NodeId) -> String {
        match self.transform.element(element) {
            Some(e) if !e.namespace.is_empty() && e.prefix().is_empty() => {
                format!("_defaultNamespace:{}", e.local_name())
            }
            Some(e) => e.name.clone(),
            None => String::new(),
        }
    }

    fn xpath(&mut self, ctx: usize) -> Result<String, Failure> {
        if let Some(cached) = &self.contexts[ctx].xpath {
            return cached.clone();
        }
        let result = self.construct_path(ctx, false);
        self.contexts[ctx].xpath = Some(result.clone());
        result
    }

    fn parent_xpath(&mut self, ctx: usize) -> Result<String, Failure> {
        if let Some(cached) = &self.contexts[ctx].parent_xpath {
            return cached.clone();
        }
        let result = self.construct_path(ctx, true);
        self.contexts[ctx].parent_xpath = Some(result.clone());
        result
    }

    /// `Locator.ConstructPath` / `ConstructParentPath`, wrapped at the element as
    /// `XmlElementContext` does.
    fn construct_path(&mut self, ctx: usize, parent_only: bool) -> Result<String, Failure> {
        let element = self.contexts[ctx].element;
        let parent_path = match self.contexts[ctx].parent {
            Some(p) => self.xpath(p)?,
            None => String::new(),
        };
        let at = element_loc(self.transform, element);
        let (locator, arguments) = self.locator(element).map_err(|f| f.wrap(at.clone()))?;
        let node_test = self.next_step_node_test(element);
        let args = arguments.as_deref().map(split_arguments);
        let exactly_one = |name: &str| -> Result<String, Failure> {
            match &args {
                Some(a) if a.len() == 1 => Ok(a[0].clone()),
                _ => Err(Failure::new(
                    MessageKind::Invalid,
                    format!("{name} requires exactly 1 arguments"),
                )),
            }
        };
        let result = match locator {
            LocatorType::XPath => exactly_one("XPath").map(|xpath| {
                if xpath.starts_with('/') {
                    xpath
                } else {
                    let p = append_step(&append_step(&parent_path, &node_test, ""), &xpath, "");
                    p.replace("/./", "/")
                }
            }),
            _ if parent_only => Ok(parent_path),
            LocatorType::Default => Ok(append_step(&parent_path, &node_test, "")),
            LocatorType::Condition => {
                exactly_one("Condition").map(|c| append_step(&parent_path, &node_test, &c))
            }
            LocatorType::Match => self
                .match_predicate(element, args.as_deref())
                .map(|p| append_step(&parent_path, &node_test, &p)),
        };
        result.map_err(|f| f.wrap(at))
    }

    fn match_predicate(&self, element: NodeId, args: Option<&[String]>) -> Result<String, Failure> {
        let args = args.filter(|a| !a.is_empty()).ok_or_else(|| {
            Failure::new(MessageKind::Invalid, "Match requires at least 1 arguments")
        })?;
        let e = self.transform.element(element);
        let mut parts = Vec::new();
        for key in args {
            let Some(a) = e.and_then(|e| e.attr(key)) else {
                return Err(Failure::new(
                    MessageKind::Invalid,
                    format!("No attribute '{key}' exists for the Match Locator"),
                ));
            };
            parts.push(format!("@{}='{}'", a.name, a.value));
        }
        Ok(parts.join(" and "))
    }

    /// The namespace manager XDT builds from the transform element's in-scope namespaces.
    fn namespaces(&self, ctx: usize) -> Vec<(String, String)> {
        let element = self.contexts[ctx].element;
        self.transform
            .element(element)
            .map(|e| {
                e.scope
                    .iter()
                    .filter(|(_, uri)| !uri.is_empty())
                    .map(|(p, u)| {
                        let p = if p.is_empty() { "_defaultNamespace" } else { p };
                        (p.to_owned(), u.clone())
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    fn select_target(&self, ctx: usize, xpath: &str, original: bool) -> Result<Vec<Item>, Failure> {
        let ns = self.namespaces(ctx);
        let doc = if original {
            match &self.original {
                Some(d) => d,
                None => return Ok(Vec::new()),
            }
        } else {
            &self.target
        };
        Ok(xpath::select(doc, ROOT, xpath, Some(&ns))?)
    }

    fn target_nodes(&mut self, ctx: usize) -> Result<Vec<Item>, Failure> {
        if let Some(t) = &self.contexts[ctx].target_nodes {
            return Ok(t.clone());
        }
        let xpath = self.xpath(ctx)?;
        let nodes = self.select_target(ctx, &xpath, false)?;
        self.contexts[ctx].target_nodes = Some(nodes.clone());
        Ok(nodes)
    }

    /// `TargetParents`: `None` for the root element (XDT then dereferences null).
    fn target_parents(&mut self, ctx: usize) -> Result<Option<Vec<Item>>, Failure> {
        if let Some(t) = &self.contexts[ctx].target_parents {
            return Ok(Some(t.clone()));
        }
        if self.contexts[ctx].parent.is_none() {
            return Ok(None);
        }
        let xpath = self.parent_xpath(ctx)?;
        let nodes = self.select_target(ctx, &xpath, false)?;
        self.contexts[ctx].target_parents = Some(nodes.clone());
        Ok(Some(nodes))
    }

    fn null_reference() -> Failure {
        Failure::new(MessageKind::Other, NULL_REFERENCE)
    }

    /// `HasTargetNode` / `HasTargetParent`: `Some(failed context)` when nothing matches.
    fn missing_target(&mut self, ctx: usize, uses_parent: bool) -> Result<Option<usize>, Failure> {
        if uses_parent {
            let parents = self.target_parents(ctx)?.ok_or_else(Self::null_reference)?;
            if !parents.is_empty() {
                return Ok(None);
            }
            let mut failed = ctx;
            while let Some(p) = self.contexts[failed].parent {
                if self.parent_xpath(p)?.is_empty() {
                    break;
                }
                let pp = self.target_parents(p)?.ok_or_else(Self::null_reference)?;
                if !pp.is_empty() {
                    break;
                }
                failed = p;
            }
            Ok(Some(failed))
        } else {
            if !self.target_nodes(ctx)?.is_empty() {
                return Ok(None);
            }
            let mut failed = ctx;
            while let Some(p) = self.contexts[failed].parent {
                if !self.target_nodes(p)?.is_empty() {
                    break;
                }
                failed = p;
            }
            Ok(Some(failed))
        }
    }

    fn execute(&mut self, ctx: usize, transform: TransformType, arguments: Option<&str>) {
        let element = self.contexts[ctx].element;
        let transform_attr = attr_loc(self.transform, element, "Transform", XDT_NAMESPACE);
        if let Err(f) = self.execute_inner(ctx, transform, arguments, &transform_attr) {
            self.error(f.wrap(transform_attr));
        }
    }

    fn execute_inner(
        &mut self,
        ctx: usize,
        transform: TransformType,
        arguments: Option<&str>,
        transform_attr: &Option<Loc>,
    ) -> Result<(), Failure> {
        if let Some(failed) = self.missing_target(ctx, transform.uses_parent())? {
            let xpath = self.xpath(failed)?;
            let existed = !self.select_target(failed, &xpath, true)?.is_empty();
            let message = if existed {
                format!(
                    "'{xpath}' did not find a match, because matching nodes in the source document were modified or removed by a previous transform"
                )
            } else {
                format!("No element in the source document matches '{xpath}'")
            };
            let at = element_loc(self.transform, self.contexts[failed].element);
            if transform.uses_parent() {
                return Err(Failure {
                    message,
                    kind: MessageKind::NoMatch,
                    at,
                });
            }
            self.warn(at, MessageKind::NoMatch, message);
            return Ok(());
        }
        // XDT logs "on {XPath}" before applying: a locator that cannot build its path fails here
        // even for the Insert family, which targets the parent path.
        self.xpath(ctx)?;
        let targets = if transform.uses_parent() {
            self.target_parents(ctx)?.unwrap_or_default()
        } else {
            self.target_nodes(ctx)?
        };
        let run = Run {
            ctx,
            transform,
            arguments,
            transform_attr: transform_attr.clone(),
        };
        if transform.applies_to_all() {
            let template = self.transform_node(ctx);
            for &target in &targets {
                let copy = self.clone_target_subtree(template);
                if let Err(f) = self.apply_once(&run, target, copy, &targets) {
                    self.error(f);
                }
            }
            Ok(())
        } else {
            let node = self.transform_node(ctx);
            let first = targets.first().copied().ok_or_else(Self::null_reference)?;
            self.apply_once(&run, first, node, &targets)
        }
    }

    /// `context.TransformNode`: the transform element copied into the target document without
    /// XDT attributes and namespace declarations (created once per context).
    fn transform_node(&mut self, ctx: usize) -> NodeId {
        if let Some(n) = self.contexts[ctx].transform_node {
            return n;
        }
        let element = self.contexts[ctx].element;
        let copy = self.target.import(self.transform, element, true);
        let mut subtree = Vec::new();
        self.target.preorder(copy, &mut subtree);
        for id in subtree {
            if let Some(e) = self.target.element_mut(id) {
                e.layout = tree::Layout::default();
                e.attrs
                    .retain(|a| a.namespace != XDT_NAMESPACE && !a.is_namespace_declaration());
                for a in &mut e.attrs {
                    a.name = a.local_name().to_owned();
                }
            }
        }
        self.contexts[ctx].transform_node = Some(copy);
        copy
    }

    fn clone_target_subtree(&mut self, id: NodeId) -> NodeId {
        self.target.duplicate(id)
    }

    fn expect_no_arguments(&mut self, run: &Run) {
        if run.arguments.is_some_and(|a| !a.is_empty()) {
            let m = format!(
                "{} does not expect arguments; ignoring",
                run.transform.name()
            );
            self.warn(run.transform_attr.clone(), MessageKind::Other, m);
        }
    }

    fn warn_if_multiple(&mut self, run: &Run, targets: &[Item]) {
        if targets.len() > 1 {
            let m = format!(
                "Found multiple target elements, but the '{}' Transform only applies to the first match",
                run.transform.name()
            );
            self.warn(run.transform_attr.clone(), MessageKind::Other, m);
        }
    }

    fn apply_once(
        &mut self,
        run: &Run,
        target: Item,
        node: NodeId,
        targets: &[Item],
    ) -> Result<(), Failure> {
        let target_node = match target {
            Item::Node(n) => Some(n),
            Item::Attr(..) => None,
        };
        let parent_of_target = target_node.and_then(|n| self.target.parent(n));
        match run.transform {
            TransformType::Replace => {
                self.expect_no_arguments(run);
                self.warn_if_multiple(run, targets);
                let (t, parent) = target_node
                    .zip(parent_of_target)
                    .ok_or_else(Self::null_reference)?;
                self.check_document_child(parent, node, Some(t))?;
                let index = self.target.index_in_parent(t).unwrap_or(0);
                self.target.detach(t);
                self.target.insert_child(parent, index, node);
            }
            TransformType::Remove | TransformType::RemoveAll => {
                if run.transform == TransformType::Remove {
                    self.warn_if_multiple(run, targets);
                }
                self.expect_no_arguments(run);
                let (t, _) = target_node
                    .zip(parent_of_target)
                    .ok_or_else(Self::null_reference)?;
                self.target.detach(t);
            }
            TransformType::Insert | TransformType::InsertIfMissing => {
                self.expect_no_arguments(run);
                if run.transform == TransformType::InsertIfMissing
                    && !self.target_nodes(run.ctx)?.is_empty()
                {
                    return Ok(());
                }
                let parent = self.insertable_parent(target)?;
                self.check_document_child(parent, node, None)?;
                self.target.append_child(parent, node);
            }
            TransformType::InsertBefore | TransformType::InsertAfter => {
                let name = run.transform.name();
                let args = run.arguments.map(split_arguments).unwrap_or_default();
                let xpath = match args.as_slice() {
                    [] => {
                        return Err(Failure::new(
                            MessageKind::Invalid,
                            format!("{name} requires an XPath argument"),
                        ));
                    }
                    [one] => one.clone(),
                    _ => {
                        return Err(Failure::new(
                            MessageKind::Invalid,
                            format!("Too many arguments to {name}"),
                        ));
                    }
                };
                let context = match target {
                    Item::Node(n) => n,
                    Item::Attr(n, _) => n,
                };
                let siblings = xpath::select(&self.target, context, &xpath, None)?;
                let sibling = match siblings.first() {
                    None => {
                        return Err(Failure::new(
                            MessageKind::NoMatch,
                            format!("No element in the source document matches '{xpath}'"),
                        ));
                    }
                    Some(Item::Node(n)) if self.target.is_element(*n) => *n,
                    Some(_) => {
                        return Err(Failure::new(
                            MessageKind::Invalid,
                            format!("'{xpath}' does not evaluate to an element"),
                        ));
                    }
                };
                let parent = self
                    .target
                    .parent(sibling)
                    .ok_or_else(Self::null_reference)?;
                self.check_document_child(parent, node, None)?;
                let index = self.target.index_in_parent(sibling).unwrap_or(0);
                let index = if run.transform == TransformType::InsertAfter {
                    index + 1
                } else {
                    index
                };
                self.target.insert_child(parent, index, node);
            }
            TransformType::SetAttributes | TransformType::SetTokenizedAttributes => {
                let t = target_node.ok_or_else(Self::null_reference)?;
                let attrs = self.attributes_of(run, node)?;
                for i in &attrs {
                    let Some(mut a) = self
                        .target
                        .element(node)
                        .and_then(|e| e.attrs.get(*i))
                        .cloned()
                    else {
                        continue;
                    };
                    if run.transform == TransformType::SetTokenizedAttributes {
                        let v = self.tokenized_value(t, node, &a);
                        if v != a.value {
                            a.value = v;
                            a.src = None;
                        }
                    }
                    let e = self
                        .target
                        .element_mut(t)
                        .ok_or_else(Self::null_reference)?;
                    match e.attrs.iter_mut().find(|x| x.name == a.name) {
                        Some(existing) => {
                            existing.value = a.value;
                            existing.src = a.src;
                        }
                        None => e.attrs.push(a),
                    }
                }
                if attrs.is_empty() {
                    self.warn(
                        run.transform_attr.clone(),
                        MessageKind::Other,
                        "No attributes found to set".into(),
                    );
                }
            }
            TransformType::RemoveAttributes => {
                let t = target_node.ok_or_else(Self::null_reference)?;
                let attrs = self.attributes_of(run, t)?;
                let names: Vec<String> = attrs
                    .iter()
                    .filter_map(|&i| self.target.element(t).and_then(|e| e.attrs.get(i)))
                    .map(|a| a.name.clone())
                    .collect();
                if let Some(e) = self.target.element_mut(t) {
                    e.attrs.retain(|a| !names.contains(&a.name));
                }
                if attrs.is_empty() {
                    let at = element_loc(&self.target, t);
                    self.warn(
                        at,
                        MessageKind::Other,
                        "No attributes found to remove".into(),
                    );
                }
            }
            TransformType::CommentOut => {
                let (t, parent) = target_node
                    .zip(parent_of_target)
                    .ok_or_else(Self::null_reference)?;
                if parent == ROOT && self.target.is_element(t) {
                    // The whole document cannot become a comment (XDT: the document would have no root).
                    return Err(Failure::new(
                        MessageKind::Invalid,
                        "Cannot comment out the whole XML document",
                    ));
                }
                let text = format!(" {} ", super::serialize::outer_xml(&self.target, t));
                let comment = self.target.add(Kind::Comment(text), None, true);
                let index = self.target.index_in_parent(t).unwrap_or(0);
                self.target.insert_child(parent, index + 1, comment);
                self.target.detach(t);
            }
        }
        Ok(())
    }

    /// The document node takes no second element.
    fn check_document_child(
        &self,
        parent: NodeId,
        node: NodeId,
        replacing: Option<NodeId>,
    ) -> Result<(), Failure> {
        if parent == ROOT && self.target.is_element(node) {
            let root = self.target.root_element();
            if root.is_some() && root != replacing {
                return Err(Failure::new(
                    MessageKind::Invalid,
                    "This document already has a 'DocumentElement' node.",
                ));
            }
        }
        Ok(())
    }

    fn insertable_parent(&self, target: Item) -> Result<NodeId, Failure> {
        match target {
            Item::Node(n) if matches!(self.target.kind(n), Kind::Element(_) | Kind::Document) => {
                Ok(n)
            }
            _ => Err(Failure::new(
                MessageKind::Invalid,
                "The specified node cannot be inserted as the valid child of this node, because the specified node is the wrong type.",
            )),
        }
    }

    /// `AttributeTransform.GetAttributesFrom`: indexes of `node`'s attributes selected by
    /// `@a|@b` (all of them without arguments), warning for each argument that selects none.
    fn attributes_of(&mut self, run: &Run, node: NodeId) -> Result<Vec<usize>, Failure> {
        let args = run.arguments.map(split_arguments).unwrap_or_default();
        let select = |engine: &Engine, list: &[String]| -> Result<Vec<usize>, Failure> {
            let xpath = format!("@{}", list.join("|@"));
            let items = xpath::select(&engine.target, node, &xpath, None)?;
            Ok(items
                .into_iter()
                .filter_map(|i| match i {
                    Item::Attr(n, a) if n == node => Some(a),
                    _ => None,
                })
                .collect())
        };
        if args.is_empty() {
            return select(self, &["*".to_owned()]);
        }
        for arg in &args {
            if select(self, std::slice::from_ref(arg))?.is_empty() {
                let m = format!("Argument '{arg}' did not match any attributes");
                self.warn(run.transform_attr.clone(), MessageKind::Other, m);
            }
        }
        if args.len() == 1 {
            return select(self, &args);
        }
        select(self, &args)
    }

    /// `SetTokenizedAttributes` without a token storage service (as `TransformXml` runs it):
    /// `$(name)` becomes the target's (else the transform's) attribute `name`, `'` as `&apos;`.
    fn tokenized_value(&self, target: NodeId, transform: NodeId, attr: &tree::Attr) -> String {
        let value = &attr.value;
        let mut out = String::new();
        let mut rest = value.as_str();
        while let Some(start) = rest.find("$(") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let name_len = after
                .char_indices()
                .find(|(_, c)| !(c.is_alphanumeric() || matches!(c, '_' | ':' | '.')))
                .map_or(after.len(), |(i, _)| i);
            if name_len > 0 && after[name_len..].starts_with(')') {
                let name = &after[..name_len];
                let found = self
                    .target
                    .element(target)
                    .and_then(|e| e.attr(name))
                    .or_else(|| {
                        (!name.eq_ignore_ascii_case(&attr.name))
                            .then(|| self.target.element(transform).and_then(|e| e.attr(name)))
                            .flatten()
                    });
                match found {
                    Some(a) => out.push_str(&a.value.replace('\'', "&apos;")),
                    None => out.push_str(&rest[start..start + 3 + name_len]),
                }
                rest = &after[name_len + 1..];
            } else {
                out.push_str("$(");
                rest = after;
            }
        }
        out.push_str(rest);
        out
    }
}

struct Run<'a> {
    ctx: usize,
    transform: TransformType,
    arguments: Option<&'a str>,
    transform_attr: Option<Loc>,
}

/// `Locator.AppendStep` on the child axis.
fn append_step(base: &str, node_test: &str, predicate: &str) -> String {
    let mut out = base.to_owned();
    if !out.ends_with('/') {
        out.push('/');
    }
    out.push_str(node_test);
    if !predicate.is_empty() {
        if !predicate.starts_with('[') {
            out.push('[');
        }
        out.push_str(predicate);
        if !predicate.ends_with(']') {
            out.push(']');
        }
    }
    out
}
