//! From a file to the configuration the runtime reads for it: sections moved to `configSource`
//! files are put back in place, and the `system.web` settings of the folders above come first.
//! The result is a [`View`]: the model and the rules judge it, and its pieces take findings and
//! fixes back to the file each byte came from.
//!
//! What is resolved, with sources (iis-semantics.md §6):
//! - `configSource="file"` (`BaseConfigurationRecord.NormalizeConfigSource`): a relative path
//!   with `\` separators, no `/`, not rooted, without surrounding white space, in or below the
//!   file's folder; the element has no other attribute and no child; the file's root element is
//!   that section. The section element is replaced by that root element.
//! - Inheritance: the `system.web` sections of each parent folder's web.config, outermost first,
//!   then the file's own. A parent's `<location>` counts when its path is the parent's own level
//!   or a folder that holds the file. `inheritInChildApplications="false"` keeps a location's
//!   settings from child applications below its path (`BaseConfigurationRecord`, the
//!   `inheritInChildApplications` keyword).
//!
//! Not resolved yet (the view keeps what the file says): a parent's `<location>` for a folder
//! below the file, parent sections other than `system.web`, a parent's own `configSource`
//! files, and `appSettings file=`.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use crate::document::{config_children, is_config_element};
use crate::view::{FileIndex, View};

/// The attribute that marks the `<location>` a view adds to hold the sections it inherits: the
/// model reads them as the file's own level but never as the file's own settings. Its value
/// ([`inherited_marker_value`]) is drawn once per run, so no file can write it.
pub const INHERITED_MARKER: &str = "iislint-inherited";

/// The value of [`INHERITED_MARKER`] in this run's views.
pub fn inherited_marker_value() -> &'static str {
    static VALUE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    VALUE.get_or_init(|| {
        let mut bytes = [0u8; 8];
        // Without randomness the marker is still one no configuration uses.
        let _ = getrandom::fill(&mut bytes);
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    })
}

/// A section element whose content is in another file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigSource {
    /// The section's name (the element's local name).
    pub section: String,
    /// The whole element.
    pub element: Range<usize>,
    /// The `configSource` attribute.
    pub attr: Range<usize>,
    pub value: String,
    /// Why the runtime refuses this element, before the file is even opened.
    pub problem: Option<String>,
}

/// Every `configSource` of a document, in document order. A text without the word has none, so
/// most files are never looked at twice.
pub fn config_sources(doc: &roxmltree::Document<'_>) -> Vec<ConfigSource> {
    if !doc.input_text().contains("configSource") {
        return Vec::new();
    }
    let root = doc.root_element();
    root.descendants()
        .filter(|n| n.is_element() && *n != root && !is_config_element(*n, "location"))
        .filter_map(|node| {
            let attr = node
                .attributes()
                .find(|a| a.namespace().is_none() && a.name() == "configSource")?;
            let others: Vec<&str> = node
                .attributes()
                .filter(|a| a.namespace().is_none() && a.name() != "configSource")
                .map(|a| a.name())
                .collect();
            let has_children = node.children().any(|c| {
                c.is_element() || (c.is_text() && !c.text().unwrap_or("").trim().is_empty())
            });
            let problem = if !others.is_empty() {
                Some(format!(
                    "a section with `configSource` may have no other attribute (it has `{}`)",
                    others.join("`, `")
                ))
            } else if has_children {
                Some("a section with `configSource` may have no content of its own".to_owned())
            } else {
                path_problem(attr.value())
            };
            Some(ConfigSource {
                section: node.tag_name().name().to_owned(),
                element: node.range(),
                attr: attr.range(),
                value: attr.value().to_owned(),
                problem,
            })
        })
        .collect()
}

/// `<appSettings file="…">`: the entries of that file come after the element's own, and win
/// (`AppSettingsSection`); a missing file is no error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppSettingsFile {
    pub element: Range<usize>,
    pub value: String,
    pub self_closing: bool,
    /// Where the start tag ends, and where the end tag starts (the element's end when it is
    /// self-closing).
    pub start_tag_end: usize,
    pub end_tag_start: usize,
}

/// Does a text need parsing for its references to other files: a `configSource`, or a `file`
/// attribute (` file=`) after an `appSettings`? A cheap test on the text, so that most
/// files are parsed once, as a view.
pub fn may_reference_files(text: &str) -> bool {
    let bytes = text.as_bytes();
    if finder!(b"configSource").find(bytes).is_some() {
        return true;
    }
    // The attribute is in an `<appSettings>` start tag: only the text after the first
    // `appSettings` is searched for it (`file` is common in names: `fileExtensions`, `profile`).
    let Some(first) = finder!(b"appSettings").find(bytes) else {
        return false;
    };
    finder!(b"file").find_iter(&bytes[first..]).any(|at| {
        let at = first + at;
        let before = text[..at].chars().next_back();
        let after = text[at + 4..].trim_start_matches([' ', '\t', '\r', '\n']);
        before.is_some_and(char::is_whitespace) && after.starts_with('=')
    })
}

/// Every `<appSettings file>` of a document's own level and locations, in document order.
pub fn app_settings_files(doc: &roxmltree::Document<'_>) -> Vec<AppSettingsFile> {
    let text = doc.input_text();
    let root = doc.root_element();
    std::iter::once(root)
        .chain(config_children(root, "location"))
        .flat_map(|level| config_children(level, "appSettings"))
        .filter_map(|node| {
            let value = node
                .attributes()
                .find(|a| a.namespace().is_none() && a.name() == "file")?
                .value()
                .trim()
                .to_owned();
            if value.is_empty() {
                return None;
            }
            let element = node.range();
            let start_tag_end = crate::document::start_tag_end(text, element.start);
            let self_closing = text[..start_tag_end].ends_with("/>");
            let end_tag_start = if self_closing {
                element.end
            } else {
                text[..element.end].rfind("</").unwrap_or(element.end)
            };
            Some(AppSettingsFile {
                element,
                value,
                self_closing,
                start_tag_end,
                end_tag_start,
            })
        })
        .collect()
}

/// The key of an `appSettings file` in [`Includes`] (apart from `configSource` values).
pub fn app_settings_key(value: &str) -> String {
    format!("appSettings file={value}")
}

/// The path an `appSettings file` names, from the folder of the file that holds it (`\\` or `/`).
pub fn app_settings_path(folder: &std::path::Path, value: &str) -> std::path::PathBuf {
    join_relative(folder, value, &['\\', '/'])
}

/// What `NormalizeConfigSource` refuses in a `configSource` path.
fn path_problem(value: &str) -> Option<String> {
    if value.is_empty() {
        return Some("`configSource` is empty".to_owned());
    }
    if value.trim() != value {
        return Some("`configSource` may not start or end with white space".to_owned());
    }
    if value.contains('/') {
        return Some(
            "`configSource` must be a relative physical path, so `/` is not allowed; write `\\`"
                .to_owned(),
        );
    }
    let bytes = value.as_bytes();
    if value.starts_with('\\') || (bytes.len() >= 2 && bytes[1] == b':') {
        return Some("`configSource` must be a relative path, not a rooted one".to_owned());
    }
    let mut depth: i64 = 0;
    for segment in value.split('\\') {
        match segment {
            "" | "." => {}
            ".." => depth -= 1,
            _ => depth += 1,
        }
        if depth < 0 {
            return Some(
                "`configSource` must name a file in or below the configuration file's folder"
                    .to_owned(),
            );
        }
    }
    None
}

/// The path a (valid) `configSource` value names, from the folder of the file that holds it.
pub fn include_path(folder: &std::path::Path, value: &str) -> std::path::PathBuf {
    join_relative(folder, value, &['\\'])
}

/// `folder` joined with a relative path written with these separators (`.` and `..` resolved).
fn join_relative(folder: &std::path::Path, value: &str, separators: &[char]) -> std::path::PathBuf {
    let mut path = folder.to_owned();
    for segment in value.split(separators) {
        match segment {
            "" | "." => {}
            ".." => {
                path.pop();
            }
            _ => path.push(segment),
        }
    }
    path
}

/// How a `configSource` problem ends when the file is not there. A repository often leaves it
/// out on purpose (a git-ignored `ConnectionStrings.config` written on deployment), so that
/// finding is information, not an error.
pub const MISSING: &str = "does not exist here";

/// A `configSource` file, read and parsed. Its `ignore-file` suppressions apply to the whole
/// view it is read into (the file that names it too), not to it alone.
#[derive(Debug, Clone)]
pub struct Include {
    /// Its index among the files of the view.
    pub file: FileIndex,
    pub root_name: String,
    /// Where its root element starts, and how many bytes follow its end (comments, white
    /// space): fixes inside the root move its end, never these.
    pub root_start: usize,
    pub after_root: usize,
    /// The root's content (between its tags): where it starts, and how many bytes follow its
    /// end; `None` for a self-closing root.
    pub content: Option<(usize, usize)>,
}

impl Include {
    pub fn of(file: FileIndex, doc: &roxmltree::Document<'_>) -> Include {
        let root = doc.root_element();
        // Comments before the root come along: an inline suppression written above the section
        // silences findings in it, as in the file.
        let first_comment = doc
            .root()
            .children()
            .take_while(|n| *n != root)
            .find(|n| n.is_comment())
            .map(|n| n.range().start);
        Include {
            file,
            root_name: root.tag_name().name().to_owned(),
            root_start: first_comment.unwrap_or(root.range().start),
            after_root: doc.input_text().len() - root.range().end,
            content: {
                let text = doc.input_text();
                let range = root.range();
                let start = crate::document::start_tag_end(text, range.start);
                (!text[..start].ends_with("/>"))
                    .then(|| text[..range.end].rfind("</"))
                    .flatten()
                    .map(|end| (start, text.len() - end))
            },
        }
    }
}

/// How each `configSource` value of the judged file resolves: the file, or why it cannot be read.
pub type Includes = HashMap<String, Result<Include, String>>;

/// The `system.web` and `system.webServer` sections a parent folder's web.config holds, and
/// where.
#[derive(Debug, Clone, Default)]
pub struct ParentSections {
    pub sections: Vec<ParentSection>,
}

/// One `system.web` (or `system.webServer`) of a parent, reduced to what the model reads from it.
#[derive(Debug, Clone)]
pub struct ParentSection {
    /// `system.web` or `system.webServer`: the element the view wraps the pieces in.
    pub container: &'static str,
    /// The children the model reads, in document order.
    pub pieces: Vec<InheritedPiece>,
    /// The whole container element (what `explain` reads).
    pub whole: Range<usize>,
    /// Its `<location path>`, lower-cased segments (`None`: the file's own level).
    pub location: Option<Vec<String>>,
    /// The location says `inheritInChildApplications="false"`.
    pub not_in_child_applications: bool,
}

/// A child of a parent's `system.web` that a view copies: the whole element, or only its start
/// tag (the model reads only its attributes), closed by the view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InheritedPiece {
    pub range: Range<usize>,
    pub start_tag_only: bool,
    /// The element between the container and this one (`security` for `requestFiltering`),
    /// which the view writes around it.
    pub within: Option<&'static str>,
}

/// A section a parent gives: the element it sits in (`None`: the container), its name, and
/// whether it is copied whole.
type InheritedSectionName = (Option<&'static str>, &'static str, bool);

/// What a parent gives the files below it (iis-semantics.md §6: a child level overrides a section
/// attribute by attribute, and a collection's `add`/`remove`/`clear` build on what it inherits, so
/// a start tag carries what an attribute rule reads and a collection is copied whole): per container, the sections the model and the rules
/// read, as (parent element or `None` for a child of the container, name, whole element or start
/// tag only). Whole: the settings and their own children (`forms`, `credentials`, `providers`,
/// a collection's `add`/`remove`). Start tag: the rules read only the attributes (`pages
/// enableSessionState`, `compilation debug`); a parent's `<pages>` with its namespaces and
/// controls is not parsed again for every file below it.
const INHERITED: &[(&str, &[InheritedSectionName])] = &[
    (
        "system.web",
        &[
            (None, "authentication", true),
            (None, "sessionState", true),
            (None, "machineKey", true),
            (None, "pages", false),
            (None, "membership", false),
            (None, "roleManager", false),
            (None, "profile", false),
            (None, "anonymousIdentification", false),
            (None, "compilation", false),
            (None, "trace", false),
            (None, "customErrors", false),
            (None, "httpRuntime", false),
            (None, "httpCookies", false),
        ],
    ),
    (
        "system.webServer",
        &[
            (None, "httpErrors", false),
            (None, "directoryBrowse", false),
            (Some("security"), "requestFiltering", false),
            (Some("httpProtocol"), "customHeaders", true),
        ],
    ),
];

/// The sections of `container` (a `system.web` or `system.webServer` element named `name`)
/// that the files below inherit, in document order.
fn inherited_pieces(container: roxmltree::Node<'_, '_>, name: &str) -> Vec<InheritedPiece> {
    let text = container.document().input_text();
    let Some((_, sections)) = INHERITED.iter().find(|(c, _)| *c == name) else {
        return Vec::new();
    };
    let mut pieces = Vec::new();
    for child in container.children().filter(|n| n.is_element()) {
        for (within, section, whole) in sections.iter() {
            let nodes: Vec<roxmltree::Node<'_, '_>> = match within {
                None if is_config_element(child, section) => vec![child],
                Some(parent) if is_config_element(child, parent) => {
                    config_children(child, section).collect()
                }
                _ => continue,
            };
            for node in nodes {
                let range = if *whole {
                    node.range()
                } else {
                    let start = node.range().start;
                    start..crate::document::start_tag_end(text, start)
                };
                pieces.push(InheritedPiece {
                    range,
                    start_tag_only: !*whole,
                    within: *within,
                });
            }
        }
    }
    pieces
}

impl ParentSections {
    pub fn of(doc: &roxmltree::Document<'_>) -> ParentSections {
        let root = doc.root_element();
        let mut sections = Vec::new();
        if !is_config_element(root, "configuration") {
            return ParentSections { sections };
        }
        let containers = || INHERITED.iter().map(|(container, _)| *container);
        for child in root.children().filter(|n| n.is_element()) {
            if let Some(container) = containers().find(|c| is_config_element(child, c)) {
                sections.push(ParentSection {
                    container,
                    pieces: inherited_pieces(child, container),
                    whole: child.range(),
                    location: None,
                    not_in_child_applications: false,
                });
            } else if is_config_element(child, "location") {
                let segments = location_segments(child.attribute("path").unwrap_or(""));
                // `inheritInChildApplications` is a .NET Boolean: `false` in any letter case.
                let not_in_child_applications = child
                    .attribute("inheritInChildApplications")
                    .is_some_and(|v| v.trim().eq_ignore_ascii_case("false"));
                // In document order, whichever container each child is.
                for inner in child.children().filter(|n| n.is_element()) {
                    let Some(container) = containers().find(|c| is_config_element(inner, c)) else {
                        continue;
                    };
                    sections.push(ParentSection {
                        container,
                        pieces: inherited_pieces(inner, container),
                        whole: inner.range(),
                        location: Some(segments.clone()),
                        not_in_child_applications,
                    });
                }
            }
        }
        ParentSections { sections }
    }

    /// [`ParentSections::of`] from the parse of a file's view: the file's own sections (not the
    /// ones it inherits), with their ranges in the file. `None` when a piece is not the file's
    /// own bytes (a `configSource` file spliced in): the file is then parsed as a parent.
    pub fn of_view(doc: &roxmltree::Document<'_>, view: &View) -> Option<ParentSections> {
        let marker = inherited_marker_value();
        let own = |sections: ParentSections| -> Option<ParentSections> {
            let locate = |range: &Range<usize>| match view.locate(range) {
                Some((0, range)) => Some(range),
                _ => None,
            };
            let mut located = Vec::new();
            for section in sections.sections {
                let pieces = section
                    .pieces
                    .iter()
                    .map(|p| {
                        Some(InheritedPiece {
                            range: locate(&p.range)?,
                            ..p.clone()
                        })
                    })
                    .collect::<Option<Vec<_>>>()?;
                located.push(ParentSection {
                    pieces,
                    whole: locate(&section.whole)?,
                    ..section
                });
            }
            Some(ParentSections { sections: located })
        };
        let root = doc.root_element();
        let mut sections = ParentSections::of(doc);
        // The view's own location of inherited sections is not the file's.
        if root
            .children()
            .any(|n| n.attribute(INHERITED_MARKER) == Some(marker))
        {
            let inherited: Vec<Range<usize>> = root
                .children()
                .filter(|n| n.attribute(INHERITED_MARKER) == Some(marker))
                .map(|n| n.range())
                .collect();
            sections.sections.retain(|s| {
                !inherited
                    .iter()
                    .any(|r| r.start <= s.whole.start && s.whole.end <= r.end)
            });
        }
        own(sections)
    }

    /// The sections that apply to a file `below` this folder (lower-cased folder names): the
    /// own level's, and those of locations whose path holds the file's folder; document order.
    fn applicable<'s>(
        &'s self,
        below: &'s [String],
    ) -> impl Iterator<Item = &'s ParentSection> + 's {
        self.sections.iter().filter(move |section| {
            let path = section.location.as_deref().unwrap_or(&[]);
            path.len() <= below.len() && below[..path.len()] == *path
        })
    }
}

/// A parent folder's web.config, as the inheritance of one file sees it.
pub struct ParentLevel<'a> {
    /// How many folders deep it is (any fixed origin: only differences count).
    pub depth: usize,
    /// Its folder is an application's root.
    pub application_root: bool,
    pub sections: &'a ParentSections,
    /// The folders from it to the file, lower-cased.
    pub below: Vec<String>,
}

/// An inherited `system.web` or `system.webServer`: the children the model reads (the view wraps
/// them in a container of its own), or the whole element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InheritedSection {
    pub container: &'static str,
    pub pieces: Vec<InheritedPiece>,
    pub whole: bool,
}

/// The parents' `system.web` sections a file at `depth` inherits, in the order they apply (each
/// with the index of its level), as ASP.NET builds a path's configuration: path by path from
/// the top, at each path first the `<location>`s that parents write for it (outer files first),
/// then the web.config of that folder. So `<location path="Shop/Api">` in the site's root
/// web.config wins over `Shop/web.config` for `Shop/Api`. A location with
/// `inheritInChildApplications="false"` stops at an application root strictly below its path
/// (a parent's folder, or the file's own when `application_root`). `whole`: the whole elements
/// (for `explain`), else only what the model reads.
pub fn inherited(
    levels: &[ParentLevel<'_>],
    depth: usize,
    application_root: bool,
    whole: bool,
) -> Vec<(usize, InheritedSection)> {
    let application_depths: Vec<usize> = levels
        .iter()
        .filter(|l| l.application_root)
        .map(|l| l.depth)
        .chain(application_root.then_some(depth))
        .collect();
    let mut applying = Vec::new();
    for (level_index, level) in levels.iter().enumerate() {
        for (order, section) in level.sections.applicable(&level.below).enumerate() {
            let location = section.location.as_ref().map_or(0, Vec::len);
            let target = level.depth + location;
            let cut = section.not_in_child_applications
                && application_depths.iter().any(|&a| a > target && a <= depth);
            let pieces = if whole {
                vec![InheritedPiece {
                    range: section.whole.clone(),
                    start_tag_only: false,
                    within: None,
                }]
            } else {
                section.pieces.clone()
            };
            if cut || pieces.is_empty() {
                continue;
            }
            // A parent's own level comes after the locations other files write for its path.
            let own_level = usize::from(location == 0);
            applying.push((
                (target, own_level, level_index, order),
                (
                    level_index,
                    InheritedSection {
                        container: section.container,
                        pieces,
                        whole,
                    },
                ),
            ));
        }
    }
    applying.sort_by_key(|(key, _)| *key);
    applying.into_iter().map(|(_, section)| section).collect()
}

/// A `<location path>` as lower-cased segments, the way the model compares paths (`/`
/// separated, case-insensitive, no leading or trailing `/`); `.` and empty are the own level.
pub fn location_segments(path: &str) -> Vec<String> {
    path.split('/')
        .map(str::trim)
        .filter(|s| !s.is_empty() && *s != ".")
        .map(str::to_ascii_lowercase)
        .collect()
}

/// A view and what went wrong assembling it.
#[derive(Debug, Clone, Default)]
pub struct Composed {
    pub view: View,
    /// `configSource` problems: the attribute (in the view) and the message.
    pub problems: Vec<(Range<usize>, String)>,
    /// When the view is of the deployed document: file 0 of `view` is that document, and this
    /// maps it to the base (file 0) and the transform.
    pub deployed: Option<View>,
    /// XDT's warnings and errors, located in the base or the transform.
    pub transform_messages: Vec<(FileIndex, crate::xdt::XdtMessage)>,
}

impl Composed {
    /// The file and range a range of the view comes from: through the view to its files, then,
    /// for a deployed view, from the deployed document to the base (file 0) or the transform.
    /// `None` for bytes no file holds (the view's own, or a range across pieces).
    pub fn origin(&self, range: &Range<usize>) -> Option<(FileIndex, Range<usize>)> {
        match (self.view.locate(range)?, &self.deployed) {
            ((0, range), Some(deployed)) => deployed.locate(&range),
            (located, _) => Some(located),
        }
    }
}

/// The deployed document of `texts[0]` under the transform `texts[transform]`, as a view of the
/// two (base: file 0), with XDT's messages located; `None` when XDT cannot load them (their
/// errors are reported when the files are read).
pub fn deploy(
    texts: &[&str],
    transform: FileIndex,
) -> Option<(View, Vec<(FileIndex, crate::xdt::XdtMessage)>)> {
    use crate::xdt::Origin;
    let applied = crate::xdt::apply(texts[0], texts[transform]).ok()?;
    let file = |origin: Origin| match origin {
        Origin::Base => 0,
        Origin::Transform => transform,
    };
    let view = View {
        pieces: applied
            .pieces
            .iter()
            .map(|p| crate::view::Piece {
                view: p.output.clone(),
                file: file(p.origin),
                start: p.origin_start,
            })
            .collect(),
        text: applied.text.into(),
    };
    let messages = applied
        .messages
        .into_iter()
        .map(|m| (file(m.origin), m))
        .collect();
    Some((view, messages))
}

/// Assembles the view of `texts[0]`: its text with each `configSource` section replaced by its
/// file's root element, and the `inherited` sections (file and range, in the order they apply)
/// in a marked `<location path=".">` right after its root's start tag, so that they come before
/// its own sections and its own win. A text that does not parse is its own view: the parse
/// error is the judged file's.
pub fn compose(
    texts: &[&str],
    includes: &Includes,
    inherited: &[(FileIndex, InheritedSection)],
) -> Composed {
    compose_with(texts, includes, inherited, None, None)
}

/// The references to other files a text makes, as [`compose`] reads them from its parse.
#[derive(Debug, Clone, Default)]
pub struct References {
    pub sources: Vec<ConfigSource>,
    pub settings_files: Vec<AppSettingsFile>,
}

impl References {
    pub fn of(doc: &roxmltree::Document<'_>) -> References {
        References {
            sources: config_sources(doc),
            settings_files: app_settings_files(doc),
        }
    }
}

/// [`compose`], with `texts[0]`'s references when they are known (read from a parse of that
/// very text): the text is then not parsed again here.
pub fn compose_with(
    texts: &[&str],
    includes: &Includes,
    inherited: &[(FileIndex, InheritedSection)],
    known: Option<&References>,
    shared: Option<&Arc<str>>,
) -> Composed {
    let text = texts[0];
    debug_assert!(shared.is_none_or(|shared| **shared == *text));
    // The view of the file alone: its shared text when the caller has one (`texts[0]`).
    let single = || shared.map_or_else(|| View::single(text), |t| View::shared(t.clone()));
    // Most files have no `configSource` and name no file that was read: they are not parsed
    // here, only once, as a view.
    let (sources, settings_files) = match known {
        Some(known) => (known.sources.clone(), known.settings_files.clone()),
        None if finder!(b"configSource").find(text.as_bytes()).is_some()
            || !includes.is_empty() =>
        {
            match crate::document::parse(text) {
                Ok(doc) => (config_sources(&doc), app_settings_files(&doc)),
                Err(_) => {
                    return Composed {
                        view: single(),
                        ..Composed::default()
                    };
                }
            }
        }
        None => (Vec::new(), Vec::new()),
    };
    // `appSettings file`s that were read, with the file's content to add.
    let settings_files: Vec<(AppSettingsFile, &Include)> = settings_files
        .into_iter()
        .filter_map(|file| match includes.get(&app_settings_key(&file.value)) {
            Some(Ok(include))
                if include.root_name == "appSettings" && include.content.is_some() =>
            {
                Some((file, include))
            }
            _ => None,
        })
        .collect();
    let root_start_tag = root_start_tag(text);
    if sources.is_empty()
        && settings_files.is_empty()
        && (inherited.is_empty() || root_start_tag.is_none())
    {
        return Composed {
            view: single(),
            ..Composed::default()
        };
    }
    let mut view = View::default();
    let mut problems = Vec::new();
    let mut cursor = 0;
    if let Some(end) = root_start_tag.filter(|_| !inherited.is_empty()) {
        view.copy(0, text, 0..end);
        cursor = end;
        view.write(&format!(
            "<location path=\".\" {INHERITED_MARKER}=\"{}\">",
            inherited_marker_value()
        ));
        for (file, section) in inherited {
            if !section.whole {
                view.write(&format!("<{}>", section.container));
            }
            for piece in &section.pieces {
                let text = texts[*file];
                if let Some(within) = piece.within {
                    view.write(&format!("<{within}>"));
                }
                if piece.start_tag_only && !text[..piece.range.end].ends_with("/>") {
                    view.copy(*file, text, piece.range.start..piece.range.end - 1);
                    view.write("/>");
                } else {
                    view.copy(*file, text, piece.range.clone());
                }
                if let Some(within) = piece.within {
                    view.write(&format!("</{within}>"));
                }
            }
            if !section.whole {
                view.write(&format!("</{}>", section.container));
            }
        }
        view.write("</location>");
    }
    // Both kinds of reference in document order (an `appSettings` with `file` is never a
    // `configSource` element that is replaced: one has content, the other may not).
    enum Reference<'a> {
        Source(ConfigSource),
        Settings(AppSettingsFile, &'a Include),
    }
    let mut references: Vec<Reference> = sources
        .into_iter()
        .map(Reference::Source)
        .chain(
            settings_files
                .into_iter()
                .map(|(f, i)| Reference::Settings(f, i)),
        )
        .collect();
    references.sort_by_key(|r| match r {
        Reference::Source(s) => s.element.start,
        Reference::Settings(f, _) => f.element.start,
    });
    for reference in references {
        let source = match reference {
            Reference::Source(source) => source,
            Reference::Settings(file, include) => {
                if file.element.start < cursor {
                    continue;
                }
                let included = texts[include.file];
                let (start, after) = include.content.expect("filtered");
                let content = start..included.len() - after;
                if file.self_closing {
                    let slash = text[..file.start_tag_end]
                        .rfind('/')
                        .unwrap_or(file.start_tag_end);
                    view.copy(0, text, cursor..slash);
                    view.write(">");
                    view.copy(include.file, included, content);
                    view.write("</appSettings>");
                    cursor = file.element.end;
                } else {
                    view.copy(0, text, cursor..file.end_tag_start);
                    view.copy(include.file, included, content);
                    cursor = file.end_tag_start;
                }
                continue;
            }
        };
        if source.element.start < cursor {
            continue;
        }
        // A value the caller did not resolve (a text linted on its own) stays as written.
        let resolution = includes.get(&source.value);
        if source.problem.is_none() && resolution.is_none() {
            continue;
        }
        let problem = source.problem.clone().or_else(|| match resolution {
            None => None,
            Some(Err(problem)) => Some(problem.clone()),
            Some(Ok(include)) if include.root_name != source.section => Some(format!(
                "the file's root element is `<{}>`, not `<{}>`",
                include.root_name, source.section
            )),
            Some(Ok(_)) => None,
        });
        view.copy(0, text, cursor..source.element.start);
        cursor = source.element.start;
        match (problem, resolution) {
            (None, Some(Ok(include))) => {
                let included = texts[include.file];
                let end = included.len() - include.after_root;
                view.copy(include.file, included, include.root_start..end);
                cursor = source.element.end;
            }
            (problem, _) => {
                let at = view.text.len() + (source.attr.start - cursor);
                problems.push((
                    at..at + source.attr.len(),
                    problem.unwrap_or_else(|| "the file was not read".to_owned()),
                ));
            }
        }
    }
    view.copy(0, text, cursor..text.len());
    Composed {
        view,
        problems,
        ..Composed::default()
    }
}

/// The end of the root element's start tag, found without parsing: after the XML declaration,
/// comments, processing instructions and a document type. `None` for a self-closing root (it
/// has nowhere to put inherited sections, and nothing to judge) or no root at all.
fn root_start_tag(text: &str) -> Option<usize> {
    let mut at = 0;
    loop {
        let rest = text.get(at..)?;
        let skipped = rest.len()
            - rest
                .trim_start_matches([' ', '\t', '\r', '\n', '\u{feff}'])
                .len();
        at += skipped;
        let rest = &text[at..];
        let close = if rest.starts_with("<?") {
            "?>"
        } else if rest.starts_with("<!--") {
            "-->"
        } else if rest.starts_with("<!") {
            // A document type (the parser refuses one with an internal subset anyway).
            ">"
        } else if rest.starts_with('<') {
            let end = crate::document::start_tag_end(text, at);
            return (!text[..end].ends_with("/>")).then_some(end);
        } else {
            return None;
        };
        at += rest.find(close)? + close.len();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sources(text: &str) -> Vec<ConfigSource> {
        config_sources(&crate::document::parse(text).unwrap())
    }

    #[test]
    fn only_a_config_source_or_a_file_attribute_after_app_settings_may_reference_files() {
        let wrap = |body: &str| format!("<configuration>{body}</configuration>");
        for (body, expected) in [
            ("<connectionStrings configSource=\"c.config\" />", true),
            ("<appSettings file=\"s.config\" />", true),
            ("<appSettings\r\n  file = \"s.config\" />", true),
            (
                "<appSettings><add key=\"a\" value=\"b\" /></appSettings>",
                false,
            ),
            // `file` in names, and a `file` attribute of another element before `appSettings`.
            (
                "<appSettings><add key=\"profile\" value=\"fileX\" /></appSettings>",
                false,
            ),
            ("<trace file=\"t.log\" /><appSettings />", false),
            ("<trace file=\"t.log\" />", false),
        ] {
            let text = wrap(body);
            assert_eq!(may_reference_files(&text), expected, "{text}");
            // Never a file the parse would find while the test says no.
            let doc = crate::document::parse(&text).unwrap();
            let references = References::of(&doc);
            if !expected {
                assert!(
                    references.sources.is_empty() && references.settings_files.is_empty(),
                    "{text}"
                );
            }
        }
    }

    #[test]
    fn config_source_paths_are_checked_as_the_runtime_checks_them() {
        let problem = |value: &str| {
            sources(&format!(
                "<configuration><system.web><sessionState configSource=\"{value}\"/></system.web></configuration>"
            ))[0]
                .problem
                .clone()
        };
        assert_eq!(problem("Config\\Session.config"), None);
        assert_eq!(problem("a\\..\\Session.config"), None);
        for bad in [
            "Config/Session.config",
            "\\Session.config",
            "C:\\s.config",
            "..\\s.config",
            " s.config",
            "",
            "a\\..\\..\\s.config",
        ] {
            assert!(problem(bad).is_some(), "{bad}");
        }
        let other = sources(
            "<configuration><connectionStrings configSource=\"c.config\" x=\"1\"/><appSettings configSource=\"a.config\"><add key=\"k\"/></appSettings></configuration>",
        );
        assert!(other[0].problem.as_deref().unwrap().contains("`x`"));
        assert!(other[1].problem.as_deref().unwrap().contains("no content"));
        assert_eq!(other[1].section, "appSettings");
    }

    #[test]
    fn a_config_source_section_is_replaced_by_its_file() {
        let main = "<configuration>\n<system.web>\n<sessionState configSource=\"s.config\" />\n</system.web>\n</configuration>";
        let included = "<?xml version=\"1.0\"?>\n<sessionState mode=\"InProc\" timeout=\"5\" />\n";
        let doc = crate::document::parse(included).unwrap();
        let includes: Includes = [("s.config".to_owned(), Ok(Include::of(1, &doc)))].into();
        let composed = compose(&[main, included], &includes, &[]);
        assert!(composed.problems.is_empty());
        assert!(
            composed.view.text.contains(
                "<system.web>\n<sessionState mode=\"InProc\" timeout=\"5\" />\n</system.web>"
            ),
            "{}",
            composed.view.text
        );
        let at = composed.view.text.find("timeout").unwrap();
        let (file, range) = composed.view.locate(&(at..at + 11)).unwrap();
        assert_eq!((file, &included[range]), (1, "timeout=\"5\""));

        let wrong: Includes = [(
            "s.config".to_owned(),
            Ok(Include {
                root_name: "machineKey".into(),
                ..Include::of(1, &doc)
            }),
        )]
        .into();
        let composed = compose(&[main, included], &wrong, &[]);
        let (range, message) = &composed.problems[0];
        assert_eq!(
            &composed.view.text[range.clone()],
            "configSource=\"s.config\""
        );
        assert!(message.contains("`<machineKey>`"), "{message}");
    }

    #[test]
    fn inherited_sections_come_first_and_respect_child_applications() {
        let parent = "<configuration><system.web><machineKey a=\"1\"/><globalization culture=\"fr\"/></system.web>\
            <location path=\"Shop\" inheritInChildApplications=\"false\"><system.web><machineKey a=\"2\"/></system.web></location>\
            <location path=\"shop/api\"><system.web><machineKey a=\"3\"/></system.web></location>\
            <location path=\".\" inheritInChildApplications=\"false\"><system.web><machineKey a=\"4\"/></system.web></location>\
            <location path=\"Other\"><system.web><machineKey a=\"5\"/></system.web></location></configuration>";
        let sections = ParentSections::of(&crate::document::parse(parent).unwrap());
        let names = |inherited: Vec<(usize, InheritedSection)>| -> Vec<String> {
            inherited
                .into_iter()
                .flat_map(|(_, s)| s.pieces)
                .map(|p| parent[p.range][15..16].to_owned())
                .collect()
        };
        let at = |path: &str, application: bool| {
            let below = location_segments(path);
            let depth = below.len();
            let level = ParentLevel {
                depth: 0,
                application_root: true,
                sections: &sections,
                below,
            };
            names(inherited(&[level], depth, application, false))
        };
        // Own level, then by path length, each in document order.
        assert_eq!(at("shop/api", false), ["1", "4", "2", "3"]);
        // `Shop/Api` as an application: `Shop`'s and `.`'s locations stop above it.
        assert_eq!(at("shop/api", true), ["1", "3"]);
        assert_eq!(at("Shop", true), ["1", "2"]);
        // Inside the application `Shop/Api`, a folder below it is cut off too.
        let below = location_segments("shop/api/docs");
        let child = ParentSections::default();
        let levels = [
            ParentLevel {
                depth: 0,
                application_root: true,
                sections: &sections,
                below: below.clone(),
            },
            ParentLevel {
                depth: 2,
                application_root: true,
                sections: &child,
                below: location_segments("docs"),
            },
        ];
        assert_eq!(names(inherited(&levels, 3, false, false)), ["1", "3"]);

        // Only what the model reads is copied: `globalization` stays behind; `pages` keeps its
        // start tag, closed by the view.
        let child = "<?xml version=\"1.0\"?><!-- c --><configuration><system.web><sessionState timeout=\"9\"/></system.web></configuration>";
        let composed = compose(
            &[child, parent],
            &Includes::new(),
            &[(
                1,
                InheritedSection {
                    container: "system.web",
                    pieces: sections.sections[0].pieces.clone(),
                    whole: false,
                },
            )],
        );
        let text = &composed.view.text;
        let expected = format!(
            "<?xml version=\"1.0\"?><!-- c --><configuration><location path=\".\" iislint-inherited=\"{}\"><system.web><machineKey a=\"1\"/></system.web></location><system.web>",
            inherited_marker_value()
        );
        assert!(text.starts_with(&expected), "{text}");
        let pages = "<configuration><system.web><pages enableSessionState=\"false\"><namespaces><add namespace=\"A\"/></namespaces></pages></system.web></configuration>";
        let sections = ParentSections::of(&crate::document::parse(pages).unwrap());
        let composed = compose(
            &[child, pages],
            &Includes::new(),
            &[(
                1,
                InheritedSection {
                    container: "system.web",
                    pieces: sections.sections[0].pieces.clone(),
                    whole: false,
                },
            )],
        );
        assert!(
            composed.view.text.contains(
                "<system.web><pages enableSessionState=\"false\"/></system.web></location>"
            ),
            "{}",
            composed.view.text
        );
    }

    #[test]
    fn a_files_own_sections_are_read_from_its_view() {
        let parent =
            "<configuration><system.web><machineKey a=\"1\"/></system.web></configuration>";
        let child = "<configuration>\n<location path=\"Api\"><system.web><sessionState timeout=\"9\"/></system.web></location>\n<system.web><pages enableSessionState=\"false\"><namespaces/></pages></system.web>\n</configuration>";
        let inherited = ParentSections::of(&crate::document::parse(parent).unwrap());
        let composed = compose(
            &[child, parent],
            &Includes::new(),
            &[(
                1,
                InheritedSection {
                    container: "system.web",
                    pieces: inherited.sections[0].pieces.clone(),
                    whole: false,
                },
            )],
        );
        let doc = crate::document::parse(&composed.view.text).unwrap();
        let from_view = ParentSections::of_view(&doc, &composed.view).unwrap();
        let alone = ParentSections::of(&crate::document::parse(child).unwrap());
        // The inherited machine key is not the child's; the child's own sections are placed in
        // its own text, exactly as a parse of the child alone places them.
        type Placed = (Vec<Range<usize>>, Range<usize>, Option<Vec<String>>);
        let ranges = |s: &ParentSections| -> Vec<Placed> {
            s.sections
                .iter()
                .map(|s| {
                    (
                        s.pieces.iter().map(|p| p.range.clone()).collect(),
                        s.whole.clone(),
                        s.location.clone(),
                    )
                })
                .collect()
        };
        assert_eq!(ranges(&from_view), ranges(&alone));
        assert_eq!(from_view.sections.len(), 2);
    }

    #[test]
    fn web_server_sections_are_inherited_inside_their_own_elements() {
        let parent = "<configuration><system.webServer><handlers><add name=\"h\"/></handlers>\
            <httpErrors errorMode=\"Detailed\"><error statusCode=\"404\"/></httpErrors>\
            <security><authentication/><requestFiltering allowDoubleEscaping=\"true\"><fileExtensions/></requestFiltering></security>\
            <httpProtocol allowKeepAlive=\"true\"><customHeaders><add name=\"X\" value=\"1\"/></customHeaders></httpProtocol>\
            </system.webServer><system.web><trace enabled=\"true\"></trace></system.web></configuration>";
        let sections = ParentSections::of(&crate::document::parse(parent).unwrap());
        let containers: Vec<&str> = sections.sections.iter().map(|s| s.container).collect();
        assert_eq!(containers, ["system.webServer", "system.web"]);
        let levels = [ParentLevel {
            depth: 0,
            application_root: true,
            sections: &sections,
            below: vec!["app".to_owned()],
        }];
        let child = "<configuration><system.webServer/></configuration>";
        let composed = compose(&[child, parent], &Includes::new(), &{
            inherited(&levels, 1, true, false)
                .into_iter()
                .map(|(_, section)| (1, section))
                .collect::<Vec<_>>()
        });
        let text = &composed.view.text;
        // Handlers and the other security sections stay behind; requestFiltering and
        // customHeaders keep the element they sit in; start tags are closed by the view.
        assert!(
            text.contains(
                "<system.webServer><httpErrors errorMode=\"Detailed\"/><security><requestFiltering allowDoubleEscaping=\"true\"/></security><httpProtocol><customHeaders><add name=\"X\" value=\"1\"/></customHeaders></httpProtocol></system.webServer><system.web><trace enabled=\"true\"/></system.web></location>"
            ),
            "{text}"
        );
        crate::document::parse(text).expect("the view parses");
    }
}
