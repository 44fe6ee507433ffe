//! A port of XDT's `XmlFormatter` and `XmlAttributePreservationDict.UpdatePreservationInfo`,
//! which run before XDT saves: they indent inserted elements like their neighbours, drop the
//! whitespace left doubled by a removal, move the whitespace before an end tag behind appended
//! elements, and decide the whitespace before each attribute.

use super::tree::{Doc, Kind, Layout, NodeId, ROOT};

pub fn format(doc: &mut Doc) {
    let mut f = Formatter {
        indents: Vec::new(),
        attribute_indents: Vec::new(),
        current_indent: Some(String::new()),
        current_attribute_indent: None,
        one_tab: None,
        current: None,
        previous: None,
    };
    f.format_loop(doc, ROOT);
}

struct Formatter {
    indents: Vec<String>,
    attribute_indents: Vec<Option<String>>,
    current_indent: Option<String>,
    current_attribute_indent: Option<String>,
    one_tab: Option<String>,
    current: Option<NodeId>,
    previous: Option<NodeId>,
}

fn text_of(doc: &Doc, id: NodeId) -> &str {
    match doc.kind(id) {
        Kind::Whitespace(t) | Kind::Text(t) => t,
        _ => "",
    }
}

/// `FindLastNewLine`: the index of the last line break when only spaces and tabs follow it.
pub fn find_last_new_line(ws: &str) -> Option<usize> {
    let b = ws.as_bytes();
    for i in (0..b.len()).rev() {
        match b[i] {
            b'\r' => return Some(i),
            b'\n' => return Some(if i > 0 && b[i - 1] == b'\r' { i - 1 } else { i }),
            b' ' | b'\t' => {}
            _ => return None,
        }
    }
    None
}

fn is_new(doc: &Doc, id: Option<NodeId>) -> bool {
    let mut node = id;
    while let Some(n) = node {
        if doc.is_element(n) {
            return doc.nodes[n].new;
        }
        node = doc.parent(n);
    }
    false
}

fn is_text(doc: &Doc, id: Option<NodeId>) -> bool {
    id.is_some_and(|id| matches!(doc.kind(id), Kind::Text(_)))
}

impl Formatter {
    fn set_current(&mut self, id: NodeId) {
        self.previous = self.current;
        self.current = Some(id);
    }

    fn format_loop(&mut self, doc: &mut Doc, parent: NodeId) {
        let mut i: isize = 0;
        while (i as usize) < doc.children(parent).len() {
            let node = doc.children(parent)[i as usize];
            self.set_current(node);
            i += match doc.kind(node) {
                Kind::Element(_) => self.handle_element(doc, node),
                Kind::Whitespace(_) => self.handle_whitespace(doc, node),
                Kind::Comment(_) => self.ensure_node_indent(doc, node, false),
                _ => 0,
            };
            i += 1;
        }
    }

    fn handle_element(&mut self, doc: &mut Doc, node: NodeId) -> isize {
        let mut change = self.ensure_node_indent(doc, node, false);
        self.update_preservation_info(doc, node);
        self.push_indent(doc);
        reorder_new_items_at_end(doc, node);
        self.format_loop(doc, node);
        self.set_current(node);
        self.pop_indent();
        if doc.element(node).is_some_and(|e| !e.is_empty) {
            change += self.ensure_node_indent(doc, node, true);
        }
        change
    }

    fn handle_whitespace(&mut self, doc: &mut Doc, node: NodeId) -> isize {
        let mut change = 0;
        if let Some(prev) = self.previous.filter(|&p| doc.is_whitespace(Some(p))) {
            let remove = if find_last_new_line(text_of(doc, node)).is_none()
                && find_last_new_line(text_of(doc, prev)).is_some()
            {
                node
            } else {
                prev
            };
            doc.detach(remove);
            change = -1;
        }
        let text = text_of(doc, node);
        if let Some(i) = find_last_new_line(text) {
            let indent = text[i..].to_owned();
            self.set_indent(indent);
        }
        change
    }

    fn ensure_node_indent(&mut self, doc: &mut Doc, node: NodeId, before_end: bool) -> isize {
        let previous = self.previous;
        let needs = !doc.is_whitespace(previous)
            && !is_text(doc, previous)
            && (is_new(doc, Some(node)) || is_new(doc, previous));
        if !needs {
            return 0;
        }
        let indent = self.current_indent(doc);
        let ws = doc.add(Kind::Whitespace(indent), None, true);
        if before_end {
            doc.append_child(node, ws);
            0
        } else if let Some(parent) = doc.parent(node) {
            let index = doc.index_in_parent(node).unwrap_or(0);
            doc.insert_child(parent, index, ws);
            1
        } else {
            0
        }
    }

    fn set_indent(&mut self, indent: String) {
        if self.current_indent.as_deref() != Some(indent.as_str()) {
            self.current_indent = Some(indent);
            self.one_tab = None;
            self.current_attribute_indent = None;
        }
    }

    fn push_indent(&mut self, doc: &Doc) {
        let indent = self.current_indent(doc);
        self.indents.push(indent);
        self.current_indent = None;
        self.attribute_indents
            .push(self.current_attribute_indent.take());
    }

    fn pop_indent(&mut self) {
        if let Some(indent) = self.indents.pop() {
            self.current_indent = Some(indent);
            self.current_attribute_indent = self.attribute_indents.pop().flatten();
        }
    }

    fn current_indent(&mut self, doc: &Doc) -> String {
        if let Some(i) = &self.current_indent {
            return i.clone();
        }
        let indent = match self.look_ahead_for_indent(doc) {
            Some(i) => i,
            None => {
                let previous = self.indents.last().cloned().unwrap_or_default();
                previous + &self.one_tab()
            }
        };
        self.current_indent = Some(indent.clone());
        indent
    }

    fn look_ahead_for_indent(&self, doc: &Doc) -> Option<String> {
        let parent = doc.parent(self.current?)?;
        let siblings = doc.children(parent);
        for (i, &s) in siblings.iter().enumerate() {
            if doc.is_whitespace(Some(s)) && i + 1 < siblings.len() {
                let text = text_of(doc, s);
                if let Some(at) = find_last_new_line(text) {
                    return Some(text[at..].to_owned());
                }
            }
        }
        None
    }

    fn one_tab(&mut self) -> String {
        if let Some(t) = &self.one_tab {
            return t.clone();
        }
        let tab = compute_one_tab(&self.indents);
        self.one_tab = Some(tab.clone());
        tab
    }

    fn current_attribute_indent(&mut self, doc: &mut Doc) -> String {
        if let Some(i) = &self.current_attribute_indent {
            return i.clone();
        }
        let indent = match self.look_for_sibling_indent(doc) {
            Some(i) => i,
            None => self.current_indent(doc) + &self.one_tab(),
        };
        self.current_attribute_indent = Some(indent.clone());
        indent
    }

    fn look_for_sibling_indent(&self, doc: &mut Doc) -> Option<String> {
        let current = self.current?;
        let parent = doc.parent(current)?;
        let siblings = doc.children(parent).to_vec();
        let mut before = true;
        let mut found = None;
        for s in siblings {
            if s == current {
                before = false;
            } else if let Some(e) = doc.element_mut(s) {
                found = attribute_new_line_string(&mut e.layout, None);
            }
            if !before && found.is_some() {
                return found;
            }
        }
        None
    }

    fn update_preservation_info(&mut self, doc: &mut Doc, node: NodeId) {
        let Some(e) = doc.element(node) else {
            return;
        };
        let names: Vec<String> = e.attrs.iter().map(|a| a.name.clone()).collect();
        let mut layout = std::mem::take(&mut doc.element_mut(node).expect("element").layout);
        if names.is_empty() {
            if !layout.ordered.is_empty() {
                layout.leading.clear();
                layout.ordered.clear();
            }
        } else {
            for n in &names {
                if !layout.ordered.contains(n) {
                    layout.ordered.push(n.clone());
                }
            }
            let mut first = true;
            let mut keep: Option<(String, Option<usize>)> = None;
            for key in layout.ordered.clone() {
                let exists = names.contains(&key);
                if !exists {
                    if let Some((_, ws, at)) = layout.leading_of(&key).cloned() {
                        if first {
                            if keep.is_none() {
                                keep = Some((ws, at));
                            }
                        } else if ws.contains('\n') {
                            keep = Some((ws, at));
                        }
                        remove_leading(&mut layout, &key);
                    }
                } else if let Some(k) = keep.take() {
                    let replace = first
                        || layout
                            .leading_of(&key)
                            .is_none_or(|(_, ws, _)| !ws.contains('\n'));
                    if replace {
                        set_leading(&mut layout, &key, k.0, k.1);
                    }
                } else if layout.leading_of(&key).is_none() {
                    if first {
                        set_leading(&mut layout, &key, " ".into(), None);
                    } else if one_attribute_per_line(&mut layout) {
                        let nl = self.layout_new_line_string(doc, &mut layout);
                        set_leading(&mut layout, &key, nl, None);
                    } else {
                        self.layout_new_line_string(doc, &mut layout);
                    }
                }
                first = first && !exists;
            }
        }
        if let Some(e) = doc.element_mut(node) {
            e.layout = layout;
        }
    }

    fn layout_new_line_string(&mut self, doc: &mut Doc, layout: &mut Layout) -> String {
        if let Some(s) = attribute_new_line_string(layout, None) {
            return s;
        }
        let s = self.current_attribute_indent(doc);
        layout.new_line_string = Some(s.clone());
        s
    }
}

/// `GetAttributeNewLineString(null)`: the first preserved whitespace with a line break, cached.
fn attribute_new_line_string(layout: &mut Layout, _: Option<()>) -> Option<String> {
    if layout.new_line_string.is_none() {
        layout.new_line_string = layout
            .leading
            .iter()
            .find(|(_, ws, _)| ws.contains('\n'))
            .map(|(_, ws, _)| ws.clone());
    }
    layout.new_line_string.clone()
}

fn one_attribute_per_line(layout: &mut Layout) -> bool {
    if let Some(v) = layout.one_per_line {
        return v;
    }
    let live = layout.leading.iter().filter(|(n, _, _)| n != FREED).count();
    let v = live > 1
        && layout.ordered.iter().skip(1).all(|name| {
            layout
                .leading_of(name)
                .is_none_or(|(_, ws, _)| ws.contains('\n'))
        });
    layout.one_per_line = Some(v);
    v
}

/// .NET's `Dictionary` reuses the slot of the entry removed last for the next added key, which
/// decides the enumeration order `LookAheadForNewLineString` sees; a tombstone keeps that slot.
const FREED: &str = "\u{0}freed";

fn remove_leading(layout: &mut Layout, key: &str) {
    if let Some(slot) = layout.leading.iter_mut().find(|(n, _, _)| n == key) {
        *slot = (FREED.to_owned(), String::new(), None);
    }
}

fn set_leading(layout: &mut Layout, key: &str, ws: String, at: Option<usize>) {
    if let Some(slot) = layout.leading.iter_mut().find(|(n, _, _)| n == key) {
        slot.1 = ws;
        slot.2 = at;
    } else if let Some(slot) = layout.leading.iter_mut().rev().find(|(n, _, _)| n == FREED) {
        *slot = (key.to_owned(), ws, at);
    } else {
        layout.leading.push((key.to_owned(), ws, at));
    }
}

fn compute_one_tab(indents: &[String]) -> String {
    if indents.is_empty() {
        return "\t".into();
    }
    let mut i = indents.len() - 1;
    while i > 0 {
        let (current, previous) = (&indents[i], &indents[i - 1]);
        if let Some(rest) = current.strip_prefix(previous.as_str()) {
            return rest.to_owned();
        }
        i -= 1;
    }
    convert_indent_to_tab(&indents[0])
}

fn convert_indent_to_tab(indent: &str) -> String {
    let chars: Vec<char> = indent.chars().collect();
    for index in 0..chars.len().saturating_sub(1) {
        if chars[index] != '\r' && chars[index] != '\n' {
            return chars[index + 1..].iter().collect();
        }
    }
    "\t".into()
}

/// `ReorderNewItemsAtEnd`: the whitespace before an original element's end tag moves behind the
/// elements appended after it, so that they get indented and the end tag keeps its indent.
fn reorder_new_items_at_end(doc: &mut Doc, node: NodeId) {
    if is_new(doc, Some(node)) {
        return;
    }
    let Some(&last) = doc.children(node).last() else {
        return;
    };
    if doc.is_whitespace(Some(last)) {
        return;
    }
    let mut iter = Some(last);
    while let Some(n) = iter {
        if doc.is_whitespace(Some(n)) {
            doc.append_child(node, n);
            return;
        }
        if doc.is_element(n) && is_new(doc, Some(n)) {
            iter = doc.previous_sibling(n);
            continue;
        }
        return;
    }
}
