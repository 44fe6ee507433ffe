//! `iislint explain FILE SECTION@ATTRIBUTE`: the effective value of one setting for a file, where
//! it is written, and the lower-priority values it overrides.
//!
//! The file is judged as `check` judges it (see [`crate::resolve`]): its `configSource` files in
//! place, its parents' `system.web` sections first, then its own level, then, with `--location`,
//! the `<location>` elements whose path holds that path (shorter paths first, each group in
//! document order). The innermost element that writes the attribute decides.

use std::path::{Path, PathBuf};

use crate::check::{Gathered, ParentCache, inherit_into};
use crate::discover::{FolderIndex, discover};
use crate::document::{config_children, is_config_element};
use crate::model::FileKind;
use crate::report::display_path;
use crate::settings::Settings;
use crate::source::LineIndex;

/// Sections `explain` knows, with their attributes and the runtime's defaults as
/// iis-semantics.md records them with their sources (§1 forms, §2 sessionState, §3 machineKey,
/// §4 the other sections). `None`: no fixed default (`compatibilityMode` and
/// `requestValidationMode` follow `httpRuntime/@targetFramework`) or none recorded there.
/// A section's attributes, each with its default.
type Attributes = &'static [(&'static str, Option<&'static str>)];

const KNOWN: &[(&str, Attributes)] = &[
    ("system.web/authentication", &[("mode", Some("Windows"))]),
    (
        "system.web/authentication/forms",
        &[
            ("timeout", Some("30")),
            ("slidingExpiration", Some("true")),
            ("cookieless", Some("UseDeviceProfile")),
            ("loginUrl", Some("login.aspx")),
            ("name", Some(".ASPXAUTH")),
            ("path", Some("/")),
            ("protection", Some("All")),
            ("requireSSL", Some("false")),
            ("domain", None),
            ("defaultUrl", Some("default.aspx")),
            ("enableCrossAppRedirects", Some("false")),
            ("cookieSameSite", Some("Lax")),
            ("ticketCompatibilityMode", Some("Framework20")),
        ],
    ),
    (
        "system.web/sessionState",
        &[
            ("mode", Some("InProc")),
            ("timeout", Some("20")),
            ("cookieless", Some("UseCookies")),
            ("cookieName", Some("ASP.NET_SessionId")),
            ("stateConnectionString", Some("tcpip=loopback:42424")),
            (
                "sqlConnectionString",
                Some("data source=localhost;Integrated Security=SSPI"),
            ),
            ("customProvider", None),
            ("regenerateExpiredSessionId", Some("true")),
            ("cookieSameSite", Some("Lax")),
            ("allowCustomSqlDatabase", Some("false")),
            ("sqlCommandTimeout", Some("30")),
            ("stateNetworkTimeout", Some("10")),
            ("partitionResolverType", None),
            ("useHostingIdentity", Some("true")),
            ("compressionEnabled", Some("false")),
            ("sessionIDManagerType", None),
            ("configSource", None),
        ],
    ),
    (
        "system.web/machineKey",
        &[
            ("validationKey", Some("AutoGenerate,IsolateApps")),
            ("decryptionKey", Some("AutoGenerate,IsolateApps")),
            ("validation", Some("HMACSHA256")),
            ("decryption", Some("Auto")),
            ("compatibilityMode", None),
            ("applicationName", None),
            ("dataProtectorType", None),
        ],
    ),
    (
        "system.web/compilation",
        &[
            ("debug", Some("false")),
            ("targetFramework", None),
            ("batch", None),
            ("tempDirectory", None),
        ],
    ),
    (
        "system.web/customErrors",
        &[
            ("mode", Some("RemoteOnly")),
            ("defaultRedirect", None),
            ("redirectMode", Some("ResponseRedirect")),
        ],
    ),
    (
        "system.web/httpCookies",
        &[
            ("httpOnlyCookies", Some("false")),
            ("requireSSL", Some("false")),
            ("domain", None),
            ("sameSite", Some("Unspecified")),
        ],
    ),
    (
        "system.web/httpRuntime",
        &[
            ("targetFramework", None),
            ("maxRequestLength", Some("4096")),
            ("executionTimeout", Some("110")),
            ("enableVersionHeader", Some("true")),
            ("requestValidationMode", None),
        ],
    ),
    (
        "system.web/pages",
        &[
            ("enableSessionState", Some("true")),
            ("validateRequest", Some("true")),
            ("enableViewStateMac", Some("true")),
            ("viewStateEncryptionMode", Some("Auto")),
        ],
    ),
    (
        "system.web/trace",
        &[
            ("enabled", Some("false")),
            ("localOnly", Some("true")),
            ("pageOutput", Some("false")),
        ],
    ),
];

/// What `explain` was asked.
pub struct ExplainOptions {
    pub file: PathBuf,
    /// `SECTION@ATTRIBUTE`.
    pub setting: String,
    /// A `<location path>` under the file.
    pub location: Option<String>,
    /// Explain the deployed configuration of this environment (`Web.<NAME>.config`).
    pub environment: Option<String>,
}

/// Where a value is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub path: String,
    pub line: usize,
    pub column: usize,
}

/// The answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explained {
    pub section: String,
    pub attribute: String,
    /// The effective value; the default when nothing writes it (`None`: no known default).
    pub value: Option<String>,
    /// `None`: the runtime's default.
    pub origin: Option<Origin>,
    /// The values it overrides, highest priority first.
    pub overridden: Vec<(String, Origin)>,
}

/// Explains one setting; the error is the message to print (exit 2).
pub fn explain(options: &ExplainOptions, settings: &Settings) -> Result<Explained, String> {
    let (section, attribute) = options
        .setting
        .rsplit_once('@')
        .filter(|(s, a)| !s.is_empty() && !a.is_empty())
        .ok_or_else(|| {
            format!(
                "`{}` is not SECTION@ATTRIBUTE (for example `system.web/sessionState@timeout`)",
                options.setting
            )
        })?;
    let section = section.trim_matches('/');
    let discovery = discover(std::slice::from_ref(&options.file), settings);
    if let Some(error) = discovery.errors.first() {
        return Err(format!("{}: {}", display_path(&error.path), error.message));
    }
    let target = discovery
        .targets
        .first()
        .ok_or_else(|| format!("{}: not a configuration file", display_path(&options.file)))?
        .clone();
    let folders = FolderIndex::new(&discovery);
    let kind = FileKind::of_path(&target.path);
    let at = |path: &Path, line: usize, column: usize, message: &str| {
        format!("{}:{line}:{column}: {message}", display_path(path))
    };
    let source = crate::check::read_source(&target.path, settings.max_file_bytes)
        .map_err(|e| at(&target.path, e.line, e.column, &e.message))?;
    let gathered = Gathered::read(
        &target,
        &source.text,
        kind,
        settings,
        &folders,
        &ParentCache::default(),
    )
    .map_err(|e| at(&target.path, e.line, e.column, &e.message))?;
    let Gathered {
        mut bundle,
        sources,
        parent_files,
        ..
    } = gathered;
    let (root, _) = crate::check::application_of(&folders, &target, kind);
    let child_application =
        root.unwrap_or_else(|| folders.is_application_root(&target, kind, false));
    let parents = inherit_into(
        &mut bundle,
        &parent_files,
        &target.path,
        child_application,
        true,
    );
    let mut paths: Vec<PathBuf> = std::iter::once(target.path.clone())
        .chain(sources.iter().map(|s| s.path.clone()))
        .chain(parents)
        .collect();
    if let Some(environment) = options
        .environment
        .as_deref()
        .filter(|e| !e.eq_ignore_ascii_case("none"))
    {
        let (transforms, _) = crate::check::environments_of(
            &target.path,
            std::slice::from_ref(&environment.to_owned()),
            settings,
            &folders,
        );
        let Some((_, path)) = transforms.into_iter().next() else {
            return Err(format!(
                "{}: no Web.{environment}.config beside it",
                display_path(&target.path)
            ));
        };
        let transform = crate::check::read_source(&path, settings.max_file_bytes)
            .map_err(|e| at(&path, e.line, e.column, &e.message))?;
        if let Err(error) = crate::xdt::apply(&bundle.texts[0], &transform.text) {
            let (line, column) = error.line_col(&bundle.texts[0], &transform.text);
            let file = match error.origin {
                crate::xdt::Origin::Base => &target.path,
                crate::xdt::Origin::Transform => &path,
            };
            return Err(at(file, line, column, &error.message));
        }
        bundle.transform = Some(bundle.texts.len());
        bundle.texts.push(std::sync::Arc::from(transform.text));
        paths.push(path);
    }
    let composed = bundle.compose();
    let view = &composed.view;
    let doc = crate::document::parse(&view.text)
        .map_err(|e| at(&target.path, e.line, e.column, &e.message))?;
    let segments: Vec<&str> = section.split('/').collect();
    let chain = chain(&doc, &segments, options.location.as_deref());
    let known = KNOWN.iter().find(|(name, _)| *name == section);
    if known.is_none() && chain.is_empty() {
        let names: Vec<&str> = KNOWN.iter().map(|(n, _)| *n).collect();
        return Err(format!(
            "unknown section `{section}`;{}",
            crate::settings::suggestion(section, &names)
        ));
    }
    let written: Vec<(String, std::ops::Range<usize>)> = chain
        .iter()
        .rev()
        .filter_map(|node| {
            let attr = node
                .attributes()
                .find(|a| a.namespace().is_none() && a.name() == attribute)?;
            Some((attr.value().to_owned(), attr.range()))
        })
        .collect();
    let default =
        known.and_then(|(_, attributes)| attributes.iter().find(|(a, _)| *a == attribute));
    if written.is_empty() && default.is_none() {
        let names: Vec<&str> = known
            .map(|(_, attributes)| attributes.iter().map(|(a, _)| *a).collect())
            .unwrap_or_default();
        return Err(format!(
            "unknown attribute `{attribute}` of `{section}`;{}",
            crate::settings::suggestion(attribute, &names)
        ));
    }
    let texts: Vec<&str> = bundle.texts.iter().map(|t| &**t).collect();
    let origin = |range: &std::ops::Range<usize>| -> Origin {
        // Through the view to its files, then from the deployed document to the base or the
        // transform.
        let located = match (view.locate(range), &composed.deployed) {
            (Some((0, range)), Some(deployed)) => deployed.locate(&range),
            (located, _) => located,
        };
        let (file, range) = located.unwrap_or((0, 0..0));
        let text = texts[file];
        let (line, column) = LineIndex::new(text).line_col(text, range.start);
        Origin {
            path: display_path(&paths[file]),
            line,
            column,
        }
    };
    // A secret (a machine key, a password) is never printed, only where it is written.
    let redactor = crate::report::redact::Redactor::new(
        texts[0],
        texts[1..]
            .iter()
            .copied()
            .chain(settings.fix.secret_texts()),
    );
    let secret = crate::report::redact::is_secret_name(attribute);
    let shown = |value: String| -> String {
        if secret && !value.starts_with("AutoGenerate") {
            "*".repeat(value.len())
        } else {
            redactor.mask(&value)
        }
    };
    let mut written = written.into_iter().map(|(v, r)| (shown(v), r));
    Ok(match written.next() {
        Some((value, range)) => Explained {
            section: section.to_owned(),
            attribute: attribute.to_owned(),
            value: Some(value),
            origin: Some(origin(&range)),
            overridden: written.map(|(v, r)| (v, origin(&r))).collect(),
        },
        None => Explained {
            section: section.to_owned(),
            attribute: attribute.to_owned(),
            value: default.and_then(|(_, d)| d.map(str::to_owned)),
            origin: None,
            overridden: Vec::new(),
        },
    })
}

/// The elements of `section` that apply, lowest priority first: the own level (inherited
/// sections, the root, `<location path=".">`, in document order), then with `location` the
/// `<location>` elements whose path holds it.
fn chain<'a, 'i>(
    doc: &'a roxmltree::Document<'i>,
    section: &[&str],
    location: Option<&str>,
) -> Vec<roxmltree::Node<'a, 'i>> {
    let root = doc.root_element();
    let mut own = vec![root];
    let mut located: Vec<(usize, roxmltree::Node)> = Vec::new();
    let wanted = location.map(crate::resolve::location_segments);
    for node in config_children(root, "location") {
        let path = crate::resolve::location_segments(node.attribute("path").unwrap_or(""));
        if path.is_empty() {
            own.push(node);
        } else if let Some(wanted) = &wanted
            && path.len() <= wanted.len()
            && wanted[..path.len()] == path[..]
        {
            located.push((path.len(), node));
        }
    }
    let find = |level: roxmltree::Node<'a, 'i>| {
        let mut nodes = vec![level];
        for name in section {
            nodes = nodes
                .into_iter()
                .flat_map(|n| n.children().filter(|c| is_config_element(*c, name)))
                .collect();
        }
        nodes
    };
    // The own level in document order of the sections themselves (as the model reads it): the
    // inherited sections' location is written right after the root's start tag, so they come
    // first and the file's own win.
    let mut found: Vec<roxmltree::Node> = own.into_iter().flat_map(find).collect();
    found.sort_by_key(|n| n.range().start);
    located.sort_by_key(|(depth, n)| (*depth, n.range().start));
    found.extend(located.into_iter().flat_map(|(_, n)| find(n)));
    found
}

impl Explained {
    pub fn to_json(&self) -> serde_json::Value {
        let origin =
            |o: &Origin| serde_json::json!({"path": o.path, "line": o.line, "column": o.column});
        serde_json::json!({
            "value": self.value,
            "origin": self.origin.as_ref().map(origin),
            "overridden": self.overridden.iter().map(|(value, o)| serde_json::json!({
                "value": value, "path": o.path, "line": o.line, "column": o.column
            })).collect::<Vec<_>>(),
        })
    }

    pub fn to_human(&self) -> String {
        let mut out = String::new();
        let setting = format!("{}@{}", self.section, self.attribute);
        match (&self.value, &self.origin) {
            (Some(value), Some(o)) => out.push_str(&format!(
                "{setting} = \"{value}\"\n  set at {}:{}:{}\n",
                o.path, o.line, o.column
            )),
            (Some(value), None) => out.push_str(&format!(
                "{setting} = \"{value}\" (the default: nothing sets it)\n"
            )),
            (None, _) => out.push_str(&format!("{setting} is not set (no default)\n")),
        }
        for (value, o) in &self.overridden {
            out.push_str(&format!(
                "  overrides \"{value}\" at {}:{}:{}\n",
                o.path, o.line, o.column
            ));
        }
        out
    }
}
