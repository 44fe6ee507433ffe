//! Which folders are ASP.NET applications, and what their sources use: the application model.
//!
//! A web.config is judged as an application's root configuration only when the repository says
//! the folder is one. The evidence, read from the files around the configuration:
//!
//! - a web project file in the folder: a `*.csproj`/`*.vbproj` that imports
//!   `Microsoft.WebApplication.targets`, carries the web application project type GUID
//!   `{349C5851-65DF-11DA-9384-00065B846F21}`, or uses the `Microsoft.NET.Sdk.Web` SDK;
//! - a `Global.asax` in the folder (an application's events live there);
//! - `.aspx` pages in a folder without a project file (a Web Site project).
//!
//! A web.config below a folder with such evidence (or below any project's folder) belongs to that
//! project and is never an application itself, whatever it sets. A web project that lists its
//! web.config as `<None>` does not deploy it. A web project without `Global.asax` that another web
//! project references is a module hosted by that application (CMS modules). Where the folder and
//! its parents have no evidence at all (configuration-only repositories), the file-based rule
//! applies: the top-most web.config, or one that sets an application-only section.
//!
//! For an application whose sources are present, a literal scan of them tells whether it uses
//! session state and what needs its machine key; see [`SourceUse`].

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The web application project type GUID (Visual Studio's `ProjectTypeGuids`).
const WEB_APPLICATION_TYPE_GUID: &str = "349C5851-65DF-11DA-9384-00065B846F21";

/// What the repository says about one folder.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FolderEvidence {
    /// `*.csproj` and `*.vbproj` files in the folder.
    pub projects: Vec<PathBuf>,
    pub global_asax: bool,
    pub aspx_pages: bool,
    /// `Web.<Environment>.config` transforms in the folder (not evidence of an application:
    /// the deployed views of its web.config).
    pub transforms: Vec<PathBuf>,
}

impl FolderEvidence {
    pub fn is_empty(&self) -> bool {
        self.projects.is_empty() && !self.global_asax && !self.aspx_pages
    }

    /// Adds what a file's name says (called for every file of a folder).
    pub fn note(&mut self, path: &Path) {
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            return;
        };
        if is_project_file_name(name) {
            self.projects.push(path.to_owned());
        } else if name.eq_ignore_ascii_case("Global.asax") {
            self.global_asax = true;
        } else if has_extension(name, "aspx") {
            self.aspx_pages = true;
        } else if environment_of_transform(name).is_some() {
            self.transforms.push(path.to_owned());
        }
    }

    /// Does this file's name matter to the application model?
    pub fn matters(name: &str) -> bool {
        is_project_file_name(name)
            || name.eq_ignore_ascii_case("Global.asax")
            || has_extension(name, "aspx")
            || environment_of_transform(name).is_some()
    }
}

/// `Release` for `Web.Release.config` (any letter case; one name between the dots).
pub fn environment_of_transform(name: &str) -> Option<&str> {
    let lower = name.to_ascii_lowercase();
    let environment = lower
        .strip_prefix("web.")?
        .strip_suffix(".config")
        .filter(|e| !e.is_empty() && !e.contains('.'))?;
    name.get(4..4 + environment.len())
}

fn is_project_file_name(name: &str) -> bool {
    has_extension(name, "csproj") || has_extension(name, "vbproj")
}

fn has_extension(name: &str, extension: &str) -> bool {
    name.len() > extension.len() + 1
        && name.as_bytes()[name.len() - extension.len() - 1] == b'.'
        && name[name.len() - extension.len()..].eq_ignore_ascii_case(extension)
}

/// What a project file says, as far as the application model needs it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Project {
    pub path: PathBuf,
    /// A web application project (see the module documentation).
    pub is_web: bool,
    /// It lists `web.config` as `<None>` and not as `<Content>`: the file is not deployed.
    pub web_config_not_deployed: bool,
    /// The project files it references (`<ProjectReference Include>`), resolved.
    pub references: Vec<PathBuf>,
    /// Where it builds to (`<OutputPath>`), resolved; MSBuild properties (`$(...)`) left out.
    pub output_paths: Vec<PathBuf>,
}

impl Project {
    /// Reads a project file; `None` when it cannot be read or is not XML.
    pub fn read(path: &Path) -> Option<Project> {
        let bytes = crate::load::read_config_file(path, 16 * 1024 * 1024).ok()?;
        let source = crate::source::SourceText::decode_owned(bytes).ok()?;
        Some(Project::parse(path, &source.text))
    }

    pub fn parse(path: &Path, text: &str) -> Project {
        let mut project = Project {
            path: path.to_owned(),
            ..Project::default()
        };
        let Ok(doc) = roxmltree::Document::parse(text) else {
            return project;
        };
        let folder = path.parent().unwrap_or(Path::new(""));
        let mut none_web_config = false;
        let mut content_web_config = false;
        let is_web_config = |include: &str| {
            include
                .rsplit(['\\', '/'])
                .next()
                .is_some_and(|name| name.eq_ignore_ascii_case("web.config"))
                && !include.contains(['\\', '/'])
        };
        for node in doc.descendants().filter(|n| n.is_element()) {
            let include = node.attribute("Include").unwrap_or_default();
            let attribute_is = |name: &str, wanted: &str| {
                node.attribute(name)
                    .is_some_and(|v| v.trim().eq_ignore_ascii_case(wanted))
            };
            match node.tag_name().name() {
                // `<Project Sdk="Microsoft.NET.Sdk.Web">` (or several SDKs, `;`-separated).
                "Project"
                    if node.attribute("Sdk").is_some_and(|sdks| {
                        sdks.split(';')
                            .any(|sdk| sdk.trim().eq_ignore_ascii_case("Microsoft.NET.Sdk.Web"))
                    }) =>
                {
                    project.is_web = true
                }
                "Sdk" if attribute_is("Name", "Microsoft.NET.Sdk.Web") => project.is_web = true,
                "Import"
                    if node.attribute("Project").is_some_and(|p| {
                        p.to_ascii_lowercase()
                            .contains("microsoft.webapplication.targets")
                    }) =>
                {
                    project.is_web = true
                }
                "ProjectTypeGuids"
                    if node.text().is_some_and(|t| {
                        t.to_ascii_uppercase().contains(WEB_APPLICATION_TYPE_GUID)
                    }) =>
                {
                    project.is_web = true
                }
                "OutputPath" => {
                    if let Some(path) = node
                        .text()
                        .map(str::trim)
                        .filter(|p| !p.is_empty() && !p.contains("$("))
                    {
                        project
                            .output_paths
                            .push(normalize(&folder.join(path.replace('\\', "/"))));
                    }
                }
                "None" if is_web_config(include) => none_web_config = true,
                "Content" if is_web_config(include) => content_web_config = true,
                "ProjectReference" if !include.is_empty() => {
                    project
                        .references
                        .push(normalize(&folder.join(include.replace('\\', "/"))));
                }
                _ => {}
            }
        }
        project.web_config_not_deployed = none_web_config && !content_web_config;
        project
    }
}

/// `a/b/../c` → `a/c`, without touching the file system (a referenced project may not exist).
pub fn normalize(path: &Path) -> PathBuf {
    if crate::paths::is_plain(path) {
        return path.to_owned();
    }
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            std::path::Component::ParentDir => match out.components().next_back() {
                Some(std::path::Component::Normal(_)) => {
                    out.pop();
                }
                // `/..` is `/`; a relative path keeps the `..` it cannot resolve.
                Some(std::path::Component::RootDir | std::path::Component::Prefix(_)) => {}
                _ => out.push(".."),
            },
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// Whether a web.config is an application's root configuration, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Role {
    /// The repository says so: a web project, `Global.asax` or a Web Site's pages.
    Application(Application),
    /// The repository says it is not (the reason completes "not an application: …").
    NotApplication(String),
    /// No evidence around the file: decide by the file itself (the top-most web.config, or
    /// one that sets an application-only section).
    Undecided,
}

/// An application root found from project evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Application {
    /// The application's folder (absolute).
    pub folder: PathBuf,
    /// The folders holding its sources: its own and those of the projects it references.
    pub source_folders: Vec<PathBuf>,
}

/// What an application's sources use, from a literal scan of them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceUse {
    /// How many source files were read (0: none found, nothing can be concluded).
    pub files: usize,
    /// The first source file that uses session state, and the text that shows it.
    pub session: Option<(PathBuf, &'static str)>,
    /// What needs the machine key, each with the first file that shows it.
    pub machine_key: Vec<(PathBuf, &'static str)>,
}

/// Source file extensions the scan reads (and `Global.asax`).
const SOURCE_EXTENSIONS: &[&str] = &[
    "cs", "vb", "aspx", "ascx", "master", "cshtml", "vbhtml", "asax", "asmx", "ashx",
];

/// Texts that show session state in use: the `Session` property (of `Page`, `UserControl`,
/// `Controller`, `HttpContext`: RS `Page.cs`, `HttpContext.cs`) indexed, called or read (not a
/// `Session_Start` handler alone: the Global.asax template has an empty one); MVC's `TempData`, kept in session by default
/// (`SessionStateTempDataProvider`, aspnet/AspNetWebStack); a handler that asks for session
/// (`IRequiresSessionState`, `IReadOnlySessionState`, RS `System.Web.SessionState`); a controller
/// or route that sets its session behavior.
const SESSION_MARKERS: &[&str] = &[
    "Session[",
    ".Session.",
    "Session.Add(",
    "Session.Remove(",
    "Session.Abandon(",
    "Session.Clear(",
    "Session.Item(",
    "Session.Contents",
    "Session.SessionID",
    "HttpContext.Session",
    "TempData",
    "IRequiresSessionState",
    "IReadOnlySessionState",
    "SetSessionStateBehavior",
    "SessionStateBehavior.Required",
    "SessionStateBehavior.ReadOnly",
];

/// Visual Basic indexes `Session` with parentheses and ignores the case of names, and page
/// directives' values ignore case too: these are compared without regard to ASCII case.
const SESSION_MARKERS_ANY_CASE: &[&str] = &[
    "session(\"",
    "session.item(",
    "enablesessionstate=\"true\"",
    "enablesessionstate=\"readonly\"",
];

/// Texts that show something needing the machine key: anti-forgery tokens (protected with
/// `MachineKey.Protect`: `MachineKey45CryptoSystem`, aspnet/AspNetWebStack
/// `System.Web.Helpers/AntiXsrf`), OWIN cookie and OAuth middleware (the System.Web host protects
/// their tickets with the machine key: `MachineKeyDataProtector`, Katana
/// `Microsoft.Owin.Host.SystemWeb`), and the `MachineKey` API itself. Forms authentication is seen
/// from the configuration and WebForms view state from `.aspx` pages.
const MACHINE_KEY_MARKERS: &[(&str, &str)] = &[
    ("AntiForgeryToken", "anti-forgery tokens"),
    ("ValidateAntiForgeryToken", "anti-forgery tokens"),
    ("AntiForgery.", "anti-forgery tokens"),
    ("UseCookieAuthentication", "OWIN cookie authentication"),
    ("UseExternalSignInCookie", "OWIN cookie authentication"),
    ("UseOAuth", "OWIN OAuth middleware"),
    ("OAuthAuthorizationServer", "OWIN OAuth middleware"),
    (
        "UseOpenIdConnectAuthentication",
        "OWIN OpenID Connect middleware",
    ),
    (
        "UseWsFederationAuthentication",
        "OWIN WS-Federation middleware",
    ),
    ("MachineKey.Protect", "MachineKey.Protect"),
    ("MachineKey.Unprotect", "MachineKey.Unprotect"),
    ("MachineKey.Encode", "MachineKey.Encode"),
    ("MachineKey.Decode", "MachineKey.Decode"),
];

/// The most bytes of one source file the scan reads.
const MAX_SOURCE_BYTES: u64 = 4 * 1024 * 1024;

impl SourceUse {
    /// Scans the sources under `folders` (build output, packages and version control skipped,
    /// `.gitignore` respected).
    pub fn scan(folders: &[PathBuf]) -> SourceUse {
        let mut found = SourceUse::default();
        let mut seen_pages = false;
        for folder in folders {
            let walk = source_walk(folder);
            for entry in walk.flatten() {
                let Some(name) = entry.file_name().to_str() else {
                    continue;
                };
                if !entry.file_type().is_some_and(|t| t.is_file())
                    || !SOURCE_EXTENSIONS.iter().any(|e| has_extension(name, e))
                {
                    continue;
                }
                let Ok(bytes) = crate::load::read_config_file(entry.path(), MAX_SOURCE_BYTES)
                else {
                    continue;
                };
                found.files += 1;
                let text = String::from_utf8_lossy(&bytes);
                found.note(entry.path(), &text);
                if !seen_pages && has_extension(name, "aspx") {
                    seen_pages = true;
                    found
                        .machine_key
                        .push((entry.path().to_owned(), "WebForms view state"));
                }
            }
        }
        found
    }

    /// Records what one source file shows.
    fn note(&mut self, path: &Path, text: &str) {
        if self.session.is_none() {
            let marker = SESSION_MARKERS
                .iter()
                .copied()
                .find(|m| text.contains(m))
                .or_else(|| {
                    let lower = text.to_ascii_lowercase();
                    SESSION_MARKERS_ANY_CASE
                        .iter()
                        .copied()
                        .find(|d| lower.contains(d))
                });
            self.session = marker.map(|m| (path.to_owned(), m));
        }
        for (marker, what) in MACHINE_KEY_MARKERS {
            if !self.machine_key.iter().any(|(_, w)| w == what) && text.contains(marker) {
                self.machine_key.push((path.to_owned(), what));
            }
        }
    }
}

impl SourceUse {
    /// Adds what another folder's sources show.
    fn merge(&mut self, other: &SourceUse) {
        self.files += other.files;
        if self.session.is_none() {
            self.session.clone_from(&other.session);
        }
        for (path, what) in &other.machine_key {
            if !self.machine_key.iter().any(|(_, w)| w == what) {
                self.machine_key.push((path.clone(), what));
            }
        }
    }
}

/// One folder's sources, scanned at most once however many applications read them (a library
/// that several web projects reference).
#[derive(Debug)]
pub struct FolderScan {
    folder: PathBuf,
    found: OnceLock<SourceUse>,
}

impl FolderScan {
    pub fn new(folder: PathBuf) -> FolderScan {
        FolderScan {
            folder,
            found: OnceLock::new(),
        }
    }

    fn get(&self) -> &SourceUse {
        self.found
            .get_or_init(|| SourceUse::scan(std::slice::from_ref(&self.folder)))
    }
}

/// An application's facts for the rules, its sources scanned when a rule first asks.
#[derive(Debug, Default)]
pub struct ApplicationFacts {
    pub application: Option<Application>,
    /// One scan per source folder of the application, shared with other applications.
    scans: Vec<std::sync::Arc<FolderScan>>,
    sources: OnceLock<Option<SourceUse>>,
}

impl ApplicationFacts {
    /// The facts of `application`, whose source folders are scanned by `scans`.
    pub fn new(
        application: Option<Application>,
        scans: Vec<std::sync::Arc<FolderScan>>,
    ) -> ApplicationFacts {
        ApplicationFacts {
            application,
            scans,
            sources: OnceLock::new(),
        }
    }

    /// What the application's sources use; `None` when there is no application from project
    /// evidence or it has no source files here.
    pub fn sources(&self) -> Option<&SourceUse> {
        self.sources
            .get_or_init(|| {
                self.application.as_ref()?;
                let mut found = SourceUse::default();
                for scan in &self.scans {
                    found.merge(scan.get());
                }
                (found.files > 0).then_some(found)
            })
            .as_ref()
    }
}

/// Folders the application model's walks (project files, sources) never enter: build output,
/// version control, and NuGet's `packages` (third-party content).
pub const SKIPPED_FOR_SOURCES: &[&str] = &["bin", "obj", "node_modules", ".git", "packages"];

/// A walk of `root` for the application model: `.gitignore` respected, hidden files seen,
/// [`SKIPPED_FOR_SOURCES`] skipped, symbolic links not followed.
pub fn source_walk(root: &Path) -> ignore::Walk {
    ignore::WalkBuilder::new(root)
        .hidden(false)
        .require_git(false)
        .follow_links(false)
        .filter_entry(|entry| {
            !(entry.depth() > 0
                && entry.file_type().is_some_and(|t| t.is_dir())
                && SKIPPED_FOR_SOURCES
                    .iter()
                    .any(|d| entry.file_name().eq_ignore_ascii_case(d)))
        })
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn web_projects_are_told_from_libraries() {
        let path = Path::new("/r/Shop/Shop.csproj");
        let classic = r#"<Project ToolsVersion="15.0" xmlns="http://schemas.microsoft.com/developer/msbuild/2003">
  <PropertyGroup><ProjectTypeGuids>{349c5851-65df-11da-9384-00065b846f21};{fae04ec0-301f-11d3-bf4b-00c04f79efbc}</ProjectTypeGuids></PropertyGroup>
  <ItemGroup><Content Include="Web.config" /><ProjectReference Include="..\Lib\Lib.csproj" /></ItemGroup>
</Project>"#;
        let project = Project::parse(path, classic);
        assert!(project.is_web && !project.web_config_not_deployed);
        assert_eq!(project.references, [PathBuf::from("/r/Lib/Lib.csproj")]);

        let targets = r#"<Project><Import Project="$(VSToolsPath)\WebApplications\Microsoft.WebApplication.targets" Condition="'$(VSToolsPath)' != ''" /></Project>"#;
        assert!(Project::parse(path, targets).is_web);
        assert!(Project::parse(path, r#"<Project Sdk="Microsoft.NET.Sdk.Web"></Project>"#).is_web);

        let helix = r#"<Project><Import Project="Microsoft.WebApplication.targets" /><ItemGroup><None Include="web.config" /></ItemGroup></Project>"#;
        assert!(Project::parse(path, helix).web_config_not_deployed);
        // A transform listed as None is not the web.config itself.
        let transform = r#"<Project><ItemGroup><None Include="Web.Release.config" /><None Include="App_Config\web.config" /></ItemGroup></Project>"#;
        assert!(!Project::parse(path, transform).web_config_not_deployed);

        let plugin = r#"<Project><PropertyGroup><OutputPath>..\..\Presentation\Nop.Web\Plugins\Tax\</OutputPath></PropertyGroup><PropertyGroup><OutputPath>$(SolutionDir)bin</OutputPath></PropertyGroup></Project>"#;
        let nop = Path::new("/r/Plugins/Nop.Plugin.Tax/Nop.Plugin.Tax.csproj");
        assert_eq!(
            Project::parse(nop, plugin).output_paths,
            [PathBuf::from("/r/Presentation/Nop.Web/Plugins/Tax")]
        );

        let library = r#"<Project Sdk="Microsoft.NET.Sdk"><ItemGroup><Compile Include="A.cs" /></ItemGroup></Project>"#;
        assert!(!Project::parse(path, library).is_web);
        assert_eq!(
            Project::parse(path, "not xml"),
            Project {
                path: path.to_owned(),
                ..Project::default()
            }
        );
    }

    #[test]
    fn folder_evidence_from_names() {
        let mut evidence = FolderEvidence::default();
        for name in [
            "a.CSPROJ",
            "Global.asax",
            "Default.aspx",
            "x.aspx.cs",
            "web.config",
            ".csproj",
        ] {
            evidence.note(&Path::new("/r").join(name));
        }
        assert_eq!(evidence.projects, [PathBuf::from("/r/a.CSPROJ")]);
        assert!(evidence.global_asax && evidence.aspx_pages);
        assert!(FolderEvidence::default().is_empty());
    }

    #[test]
    fn sources_show_session_and_machine_key_use() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, text: &str| {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        };
        write(
            "Controllers/Home.cs",
            "public ActionResult Index() { return View(); }",
        );
        write("bin/Cached.cs", "Session[\"x\"] = 1;");
        let none = SourceUse::scan(&[dir.path().to_owned()]);
        assert_eq!((none.files, &none.session), (1, &None));
        assert!(none.machine_key.is_empty());

        write("Views/Home/Index.cshtml", "@Html.AntiForgeryToken()");
        write(
            "Cart.cs",
            "var cart = HttpContext.Current.Session.Contents;",
        );
        let used = SourceUse::scan(&[dir.path().to_owned()]);
        assert_eq!(used.files, 3);
        assert_eq!(used.session.as_ref().map(|(_, m)| *m), Some(".Session."));
        assert_eq!(used.machine_key.len(), 1);
        assert_eq!(used.machine_key[0].1, "anti-forgery tokens");

        let vb = tempfile::tempdir().unwrap();
        std::fs::write(
            vb.path().join("Cart.aspx.vb"),
            "Dim code = CStr(SESSION(\"CodComune\"))",
        )
        .unwrap();
        let vb_use = SourceUse::scan(&[vb.path().to_owned()]);
        assert_eq!(vb_use.session.map(|(_, m)| m), Some("session(\""));

        let pages = tempfile::tempdir().unwrap();
        std::fs::write(
            pages.path().join("Default.aspx"),
            "<%@ Page EnableSessionState=\"True\" %>",
        )
        .unwrap();
        let page = SourceUse::scan(&[pages.path().to_owned()]);
        assert!(page.session.is_some());
        assert_eq!(page.machine_key[0].1, "WebForms view state");
    }

    #[test]
    fn normalize_resolves_parent_components() {
        assert_eq!(
            normalize(Path::new("/a/b/../c/./d")),
            PathBuf::from("/a/c/d")
        );
        assert_eq!(normalize(Path::new("/../a")), PathBuf::from("/a"));
        assert_eq!(normalize(Path::new("../../x")), PathBuf::from("../../x"));
        assert_eq!(normalize(Path::new("a/../../x")), PathBuf::from("../x"));
    }
}
