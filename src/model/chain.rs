//! The chain of elements that decides a setting at one path of a file: `<location>` semantics
//! shared by every part of the model that reads sections through scopes.
//!
//! A scope's settings come from, outermost first: what parent folders give the file (the marked
//! `<location>` the view adds, see [`crate::resolve::INHERITED_MARKER`]), the file's own level
//! (its root and `<location path=".">`, in document order), then the `<location>`s whose path
//! encloses the scope's path (shorter paths first), then the other locations for the same path
//! in document order, then the scope's own location. The innermost element that writes an
//! attribute decides it.
//!
//! [`Decisive`] keeps, per section, only the elements that can decide something (the last one,
//! the last writer of each known attribute, and the elements a table asks to keep), so joining
//! chains costs their size, not the number of locations above them.

use std::collections::HashMap;

use super::Reader;
use crate::document::{Element, config_children};

/// A section the chains follow: where its elements are below a container, and which attributes
/// they may decide.
#[derive(Debug)]
pub(crate) struct SectionSpec {
    /// The container (`system.web`, `system.webServer`) the section lives in.
    pub container: &'static str,
    /// The path from the container to the section element (`["authentication", "forms"]`).
    pub path: &'static [&'static str],
    /// Its attributes: the only names a scope may read from it. At most [`MAX_KNOWN`].
    pub known: &'static [&'static str],
    /// Child elements that form a collection without `<clear/>` or `<remove/>` (a BasicMap,
    /// such as `credentials/user`): every element of the chain that has one is kept.
    pub collect: Option<&'static str>,
}

/// The most known attributes a section may have: the other bits of a mask say other things.
pub(crate) const MAX_KNOWN: usize = 28;
/// The element is in another file or encrypted (`configSource`, `configProtectionProvider`):
/// what it holds is unknown here.
pub(crate) const EXTERNAL: u32 = 1 << 29;
/// Not the section element but an enclosing one that is external (an `<authentication
/// configSource="…">` for `forms`): it makes the section's values unknown, and is never the
/// section's element.
pub(crate) const STAND_IN: u32 = 1 << 30;
/// The element has children of the section's [`SectionSpec::collect`] name.
pub(crate) const COLLECTS: u32 = 1 << 31;

/// A section whose content is in a `configSource` file or encrypted with a protected-configuration
/// provider (iis-semantics.md §6): what this file says about it is not what the runtime reads.
pub(crate) fn is_external_node(node: roxmltree::Node<'_, '_>) -> bool {
    node.attributes()
        .filter(|a| a.namespace().is_none())
        .any(|a| a.name() == "configSource" || a.name() == "configProtectionProvider")
}

/// The section elements of a chain of containers (outermost first) that can decide what a scope
/// reads: per section of a table, its elements in chain order, each with a bit per known
/// attribute it writes (and the flags above). Reading along these few gives what reading along
/// the whole chain gives, and joining two of them costs their size, not their chains'. Each
/// `<location>`'s chain is built from its enclosing path's, instead of from every location above
/// it: 20,000 `<location>` elements, or 4,000 for one path, made model building quadratic.
#[derive(Clone)]
pub(crate) struct Decisive<'a, 'i> {
    table: &'static [SectionSpec],
    /// Per section of `table`: elements, each with its mask.
    pub sections: Vec<Vec<(roxmltree::Node<'a, 'i>, u32)>>,
}

impl<'a, 'i> Decisive<'a, 'i> {
    /// A chain with nothing in it.
    pub fn empty(table: &'static [SectionSpec]) -> Decisive<'a, 'i> {
        Decisive {
            table,
            sections: vec![Vec::new(); table.len()],
        }
    }

    /// The decisive elements of `containers` (in chain order; containers of other names than a
    /// section's are skipped for it). Each container comes here once, so with a `reader` its
    /// section elements are also checked here for wrongly cased attribute names.
    pub fn of(
        table: &'static [SectionSpec],
        containers: &[roxmltree::Node<'a, 'i>],
        mut reader: Option<&mut Reader>,
    ) -> Decisive<'a, 'i> {
        let mut decisive = Decisive::empty(table);
        // Each container's child elements and their names, read once: every section of the
        // table looks through them (walking the tree for each section was most of this).
        let mut children = Vec::new();
        for container in containers {
            let container_name = container.tag_name().name();
            children.clear();
            children.extend(
                container
                    .children()
                    .filter(|c| c.is_element())
                    .map(|c| (c, c.tag_name().name())),
            );
            for (list, spec) in decisive.sections.iter_mut().zip(table) {
                debug_assert!(spec.known.len() <= MAX_KNOWN);
                let Some((first, rest)) = spec.path.split_first() else {
                    continue;
                };
                if spec.container != container_name {
                    continue;
                }
                // Per section, its elements in container order, then document order, as
                // before: a container's sections are filled in turn.
                let mut visit = |node: roxmltree::Node<'a, 'i>, stand_in: bool| {
                    if stand_in {
                        list.push((node, EXTERNAL | STAND_IN));
                        return;
                    }
                    let mut mask = 0u32;
                    let mut miscased = false;
                    for attr in node.attributes().filter(|a| a.namespace().is_none()) {
                        let name = attr.name();
                        if let Some(i) =
                            spec.known.iter().position(|k| k.eq_ignore_ascii_case(name))
                        {
                            if spec.known[i] == name {
                                mask |= 1 << i;
                            } else {
                                miscased = true;
                            }
                        }
                    }
                    if is_external_node(node) {
                        mask |= EXTERNAL;
                    }
                    if let Some(child) = spec.collect
                        && config_children(node, child).next().is_some()
                    {
                        mask |= COLLECTS;
                    }
                    if miscased && let Some(reader) = reader.as_deref_mut() {
                        reader.check_name_case(&Element::from_node(node), spec.known);
                    }
                    list.push((node, mask));
                };
                for &(child, name) in &children {
                    if name != *first || !crate::document::is_config_element(child, first) {
                        continue;
                    }
                    // `for_each_element` from the container, its first step taken here.
                    if rest.is_empty() {
                        visit(child, false);
                    } else if is_external_node(child) {
                        visit(child, true);
                    } else {
                        for_each_element(child, rest, &mut visit);
                    }
                }
            }
        }
        for list in &mut decisive.sections {
            keep_decisive(list);
        }
        decisive
    }

    /// This chain followed by `inner`.
    pub fn then(&self, inner: &Decisive<'a, 'i>) -> Decisive<'a, 'i> {
        let mut joined = self.clone();
        for (list, more) in joined.sections.iter_mut().zip(&inner.sections) {
            if !more.is_empty() {
                list.extend_from_slice(more);
                keep_decisive(list);
            }
        }
        joined
    }

    /// The section's elements (stand-ins included), in chain order.
    pub fn nodes(&self, section: usize) -> &[(roxmltree::Node<'a, 'i>, u32)] {
        &self.sections[section]
    }

    /// The section's elements as snapshots, in chain order, without stand-ins.
    pub fn elements(&self, section: usize) -> Vec<Element> {
        self.sections[section]
            .iter()
            .filter(|(_, mask)| mask & STAND_IN == 0)
            .map(|(node, _)| Element::from_node(*node))
            .collect()
    }
}

/// Calls `f` with each element at `path` below `container`, in document order, and with each
/// external element on the way (`true`): its content is elsewhere, so what is below it is
/// unknown.
fn for_each_element<'a, 'i>(
    container: roxmltree::Node<'a, 'i>,
    path: &'static [&'static str],
    f: &mut impl FnMut(roxmltree::Node<'a, 'i>, bool),
) {
    let Some((first, rest)) = path.split_first() else {
        return;
    };
    for child in config_children(container, first) {
        if rest.is_empty() {
            f(child, false);
        } else if is_external_node(child) {
            f(child, true);
        } else {
            for_each_element(child, rest, f);
        }
    }
}

/// Drops the elements that decide nothing: neither the last, nor the last to write a known
/// attribute, nor the last external one, nor one holding collection children.
fn keep_decisive(list: &mut Vec<(roxmltree::Node<'_, '_>, u32)>) {
    let mut written_later = 0u32;
    let mut keep = vec![false; list.len()];
    for (i, (_, mask)) in list.iter().enumerate().rev() {
        let decides = mask & !(STAND_IN | COLLECTS);
        keep[i] = i + 1 == list.len() || decides & !written_later != 0 || mask & COLLECTS != 0;
        written_later |= decides;
    }
    let mut keep = keep.into_iter();
    list.retain(|_| keep.next().unwrap_or(false));
}

/// A `<location>` with a path: the element, its path, its container children.
pub(crate) type Location<'a, 'i> = (
    roxmltree::Node<'a, 'i>,
    String,
    Vec<roxmltree::Node<'a, 'i>>,
);

/// The decisive chain of each location (in the order given): the file's own level, then the
/// locations whose path encloses its path (shorter paths first: `Admin` before `Admin/Reports`),
/// then the other locations for the same path in document order, then the location itself. Paths
/// compare case-insensitively, segment by segment, without leading or trailing `/`.
pub(crate) fn location_chains<'a, 'i>(
    own: &Decisive<'a, 'i>,
    locations: &[Location<'a, 'i>],
    mut reader: Option<&mut Reader>,
) -> Vec<Decisive<'a, 'i>> {
    let table = own.table;
    // A trie of the paths by segment; a node that is a location path holds its locations.
    #[derive(Default)]
    struct PathNode {
        children: HashMap<String, usize>,
        locations: Vec<usize>,
    }
    let mut trie = vec![PathNode::default()];
    for (index, (_, path, _)) in locations.iter().enumerate() {
        let mut at = 0;
        for segment in crate::resolve::location_segments(path) {
            at = match trie[at].children.get(&segment) {
                Some(&child) => child,
                None => {
                    trie.push(PathNode::default());
                    let child = trie.len() - 1;
                    trie[at].children.insert(segment, child);
                    child
                }
            };
        }
        trie[at].locations.push(index);
    }

    let mut chains: Vec<Decisive<'a, 'i>> = vec![Decisive::empty(table); locations.len()];
    // Depth first, each path with what the paths enclosing it decide; a stack rather than
    // recursion, as paths may be deep.
    let mut pending = vec![(0usize, own.clone())];
    while let Some((at, enclosing)) = pending.pop() {
        let inner = match trie[at].locations.as_slice() {
            [] => enclosing,
            &[only] => {
                let chain = enclosing.then(&Decisive::of(
                    table,
                    &locations[only].2,
                    reader.as_deref_mut(),
                ));
                chains[only] = chain.clone();
                chain
            }
            group => {
                let each: Vec<Decisive> = group
                    .iter()
                    .map(|&i| Decisive::of(table, &locations[i].2, reader.as_deref_mut()))
                    .collect();
                // before[k] joins the group's locations before the k-th, after[k] those after it.
                let mut before = vec![Decisive::empty(table)];
                for decisive in &each[..each.len() - 1] {
                    before.push(before.last().expect("not empty").then(decisive));
                }
                let mut after = vec![Decisive::empty(table); each.len()];
                for k in (0..each.len() - 1).rev() {
                    after[k] = each[k + 1].then(&after[k + 1]);
                }
                for (k, &i) in group.iter().enumerate() {
                    chains[i] = enclosing.then(&before[k]).then(&after[k]).then(&each[k]);
                }
                let last = each.len() - 1;
                enclosing.then(&before[last]).then(&each[last])
            }
        };
        for &child in trie[at].children.values() {
            pending.push((child, inner.clone()));
        }
    }
    chains
}
