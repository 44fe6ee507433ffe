//! The application model end to end: `--fix --unsafe-fixes --farm` on small repositories never
//! writes an application-only section (`sessionState`, `machineKey`) into a web.config that is not
//! an application's root, however the paths are spelled or where iislint is run from.

mod support;

use std::path::Path;

use support::{iislint, write};

const SITE_CONFIG: &str = "<?xml version=\"1.0\"?>\n<configuration>\n  <system.web>\n    <compilation targetFramework=\"4.8\" />\n  </system.web>\n</configuration>\n";

const WEB_PROJECT: &str = r#"<Project ToolsVersion="15.0" xmlns="http://schemas.microsoft.com/developer/msbuild/2003">
  <PropertyGroup><ProjectTypeGuids>{349c5851-65df-11da-9384-00065b846f21};{fae04ec0-301f-11d3-bf4b-00c04f79efbc}</ProjectTypeGuids></PropertyGroup>
  <ItemGroup><Content Include="Web.config" />REFERENCES</ItemGroup>
</Project>
"#;

fn fix_farm(dir: &Path, args: &[&str]) -> std::process::Output {
    iislint(dir)
        .args([
            "check",
            "--fix",
            "--unsafe-fixes",
            "--farm",
            "--session-store",
            "redis",
            "--format",
            "json",
        ])
        .args(args)
        .output()
        .unwrap()
}

fn sections_in(path: &Path) -> Vec<&'static str> {
    let text = std::fs::read_to_string(path).unwrap();
    ["<sessionState", "<machineKey", "<authentication"]
        .into_iter()
        .filter(|s| text.contains(s))
        .collect()
}

#[test]
fn pages_in_a_sub_folder_do_not_make_it_an_application() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    write(&site, "web.config", SITE_CONFIG);
    write(&site, "index.html", "<html></html>");
    write(&site, "Admin/Contact.aspx", "<%@ Page Language=\"C#\" %>");
    write(&site, "Admin/web.config", SITE_CONFIG);
    std::fs::create_dir_all(dir.path().join("beside")).unwrap();
    // The sub-folder checked on its own, from inside it, through `..` from a folder beside the
    // site, and by an absolute path from elsewhere: no repository bounds the look upwards, so
    // the site's web.config above is found every time.
    let absolute = site.join("Admin");
    for (cwd, path) in [
        (site.join("Admin"), "."),
        (dir.path().join("beside"), "../site/Admin"),
        (dir.path().join("beside"), absolute.to_str().unwrap()),
    ] {
        let output = fix_farm(&cwd, &[path]);
        assert!(
            output.status.code().unwrap_or(-1) <= 1,
            "{path}: {output:?}"
        );
        assert_eq!(
            sections_in(&site.join("Admin/web.config")),
            Vec::<&str>::new(),
            "from {cwd:?}: {path}"
        );
    }
    let output = fix_farm(dir.path(), &["site"]);
    assert!(output.status.code().unwrap_or(-1) <= 1, "{output:?}");
    assert_eq!(
        sections_in(&site.join("Admin/web.config")),
        Vec::<&str>::new()
    );
    assert_eq!(
        sections_in(&site.join("web.config")),
        ["<sessionState", "<machineKey"],
        "the site's root is still fixed"
    );
}

/// A host web project with Global.asax that references a module web project without one.
fn cms_repository(repo: &Path) {
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    let reference = r#"<ProjectReference Include="..\Modules\Blog\Blog.csproj" />"#;
    write(
        repo,
        "Host/Host.csproj",
        WEB_PROJECT.replace("REFERENCES", reference),
    );
    write(
        repo,
        "Host/Global.asax",
        "<%@ Application Language=\"C#\" %>",
    );
    write(repo, "Host/web.config", SITE_CONFIG);
    write(
        repo,
        "Modules/Blog/Blog.csproj",
        WEB_PROJECT.replace("REFERENCES", ""),
    );
    write(repo, "Modules/Blog/web.config", SITE_CONFIG);
    write(repo, "Tools/readme.txt", "tools");
}

#[test]
fn a_module_is_no_application_from_any_current_directory_or_path_spelling() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("repo");
    cms_repository(&repo);
    let module = repo.join("Modules/Blog/web.config");
    // Another repository beside it, to run from.
    let other = dir.path().join("other");
    std::fs::create_dir_all(other.join(".git")).unwrap();
    // From inside the repository, through `..`, from another repository and from outside.
    for (cwd, path) in [
        (other.clone(), "../repo/Modules/Blog"),
        (repo.join("Tools"), "../Modules/Blog/web.config"),
        (repo.join("Modules/Blog"), "web.config"),
        (repo.join("Host"), "../Modules/../Modules/Blog"),
        (dir.path().to_owned(), "repo/Modules"),
    ] {
        let output = fix_farm(&cwd, &[path]);
        assert!(
            output.status.code().unwrap_or(-1) <= 1,
            "{path}: {output:?}"
        );
        assert_eq!(
            sections_in(&module),
            Vec::<&str>::new(),
            "from {cwd:?}: {path}"
        );
    }
    // The host is an application: it gets the machine key. (Its only source, Global.asax, uses
    // no session state, so moving session state out of process is only suggested.)
    fix_farm(&repo, &["."]);
    assert_eq!(sections_in(&repo.join("Host/web.config")), ["<machineKey"]);
    assert_eq!(sections_in(&module), Vec::<&str>::new());
}

#[test]
fn a_web_project_without_global_asax_outside_a_repository_is_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("repo");
    cms_repository(&repo);
    std::fs::remove_dir_all(repo.join(".git")).unwrap();
    // Only the module is given: whether the host references it cannot be known without the
    // repository, so nothing application-only is written into it. Run from a git repository
    // beside it too: `other/../repo` must not make `other` the module's repository.
    let other = dir.path().join("other");
    std::fs::create_dir_all(other.join(".git")).unwrap();
    for (cwd, path) in [
        (repo.join("Modules"), "Blog"),
        (other, "../repo/Modules/Blog"),
    ] {
        let output = fix_farm(&cwd, &[path]);
        assert!(output.status.code().unwrap_or(-1) <= 1, "{output:?}");
        assert_eq!(
            sections_in(&repo.join("Modules/Blog/web.config")),
            Vec::<&str>::new(),
            "from {cwd:?}: {path}"
        );
    }
}

#[test]
fn a_module_in_a_git_submodule_is_no_application() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("repo");
    cms_repository(&repo);
    // The module is a submodule: its `.git` is a file pointing into the superproject's.
    write(
        &repo,
        "Modules/Blog/.git",
        "gitdir: ../../.git/modules/Modules/Blog\n",
    );
    fix_farm(&repo, &["."]);
    assert_eq!(
        sections_in(&repo.join("Modules/Blog/web.config")),
        Vec::<&str>::new()
    );
}
