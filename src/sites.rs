//! Which folder of the repository each applicationHost.config application serves, so that the
//! pool rules judge the session state the application's own web.config sets.
//!
//! `[sites]` in iislint.toml says it (`"Site" = "src/Shop"`, `"Site/app" = "src/Api"`). Without
//! it, an application's root `physicalPath` (`D:\sites\Shop\www`) is compared, from its last
//! folder backwards and ignoring case, with the folders that hold a checked web.config: the
//! folder whose name matches the most trailing folders wins, when no other matches as many.
//! `%VARIABLES%` are compared as written, so they match nothing.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::model::Application;

/// The effective session state of the web.config an applicationHost.config application serves.
#[derive(Debug, Clone, PartialEq)]
pub struct MappedSession {
    pub web_config: std::path::PathBuf,
    /// `None`: the web.config does not say in a way iislint can read (an encrypted section).
    pub mode: Option<crate::model::web::SessionMode>,
    pub timeout: Option<crate::model::Minutes>,
}

/// How an application was mapped to its folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mapped {
    /// By `[sites]`.
    Declared(PathBuf),
    /// By its `physicalPath`'s trailing folders.
    Suffix(PathBuf),
}

impl Mapped {
    pub fn folder(&self) -> &Path {
        match self {
            Mapped::Declared(folder) | Mapped::Suffix(folder) => folder,
        }
    }
}

/// The folders that hold a web.config, indexed by their last folder's name (lower-cased): an
/// application's `physicalPath` is compared only with the folders whose name it ends with, not
/// with every folder of the run.
#[derive(Debug, Default)]
pub struct FolderNames {
    by_last: HashMap<String, Vec<PathBuf>>,
}

/// A folder's names, last first, the way they are compared (`Normal` components only).
fn names_last_first(folder: &Path) -> impl Iterator<Item = std::borrow::Cow<'_, str>> {
    folder.components().rev().filter_map(|c| match c {
        std::path::Component::Normal(name) => Some(name.to_string_lossy()),
        _ => None,
    })
}

impl FolderNames {
    pub fn new(folders: &[PathBuf]) -> FolderNames {
        // Only the last name is lower-cased here: the other names of a folder are compared when
        // an application's path ends with its last one (a few folders, not every folder of the
        // run, which took a run's only serial pause on a tree of 10,000 web.config files).
        let mut by_last: HashMap<String, Vec<PathBuf>> = HashMap::new();
        for folder in folders {
            if let Some(last) = names_last_first(folder).next() {
                by_last
                    .entry(last.to_ascii_lowercase())
                    .or_default()
                    .push(folder.clone());
            }
        }
        FolderNames { by_last }
    }
}

/// The folder of `application`: `declared` (by `[sites]`, see `Settings::site_folder`), else
/// one of `folders` (the folders that hold a web.config).
pub fn map(
    application: &Application,
    declared: Option<PathBuf>,
    folders: &FolderNames,
) -> Option<Mapped> {
    if let Some(folder) = declared {
        return Some(Mapped::Declared(crate::application::normalize(
            &crate::paths::absolute(&folder),
        )));
    }
    let physical = application.physical_path.as_deref()?;
    // Lower-cased folder names of the physical path, last first.
    let wanted: Vec<String> = physical
        .split(['\\', '/'])
        .filter(|c| !c.is_empty())
        .rev()
        .map(str::to_ascii_lowercase)
        .collect();
    let candidates = folders.by_last.get(wanted.first()?)?;
    let mut best: Option<(usize, &PathBuf)> = None;
    let mut tied = false;
    for folder in candidates {
        // `wanted` is lower-cased: comparing ignoring ASCII case is comparing lower-cased names.
        let count = names_last_first(folder)
            .zip(&wanted)
            .take_while(|(a, b)| a.eq_ignore_ascii_case(b))
            .count();
        match best {
            Some((most, _)) if count < most => {}
            Some((most, _)) if count == most => tied = true,
            _ => {
                best = Some((count, folder));
                tied = false;
            }
        }
    }
    best.filter(|_| !tied)
        .map(|(_, folder)| Mapped::Suffix(folder.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn application(physical: &str) -> Application {
        let text = format!(
            "<configuration><system.applicationHost><sites><site name=\"Shop\"><application path=\"/\"><virtualDirectory path=\"/\" physicalPath=\"{physical}\"/></application></site></sites></system.applicationHost></configuration>"
        );
        let model = crate::model::Model::build(&crate::document::parse(&text).unwrap());
        model.app_host.applications[0].clone()
    }

    #[test]
    fn the_longest_unique_trailing_match_wins() {
        let folders = [
            PathBuf::from("/repo/src/Shop/www"),
            PathBuf::from("/repo/src/Admin/www"),
            PathBuf::from("/repo/Shop"),
        ];
        let names = FolderNames::new(&folders);
        let settings = crate::settings::Settings::default();
        assert_eq!(
            map(
                &application("D:\\sites\\shop\\WWW"),
                settings.site_folder("Shop"),
                &names
            ),
            Some(Mapped::Suffix(folders[0].clone()))
        );
        assert_eq!(
            map(
                &application("C:\\inetpub\\Shop"),
                settings.site_folder("Shop"),
                &names
            ),
            Some(Mapped::Suffix(folders[2].clone()))
        );
        // `www` alone matches two folders equally: no mapping.
        assert_eq!(
            map(
                &application("C:\\x\\www"),
                settings.site_folder("Shop"),
                &names
            ),
            None
        );
        assert_eq!(
            map(
                &application("%SystemDrive%\\inetpub\\wwwroot"),
                settings.site_folder("Shop"),
                &names
            ),
            None
        );
    }

    #[test]
    fn sites_in_the_settings_win() {
        let mut settings =
            crate::settings::Settings::parse("[sites]\n\"Shop\" = \"src/Admin/www\"\n").unwrap();
        settings.path = Some(PathBuf::from("/repo/iislint.toml"));
        assert_eq!(
            map(
                &application("D:\\sites\\Shop\\www"),
                settings.site_folder("Shop"),
                &FolderNames::new(&[PathBuf::from("/repo/src/Shop/www")])
            ),
            Some(Mapped::Declared(PathBuf::from("/repo/src/Admin/www")))
        );
    }
}
