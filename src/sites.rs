//! Which folder of the repository each applicationHost.config application serves, so that the
//! pool rules judge the session state the application's own web.config sets.
//!
//! `[sites]` in iislint.toml says it (`"Site" = "src/Shop"`, `"Site/app" = "src/Api"`). Without
//! it, an application's root `physicalPath` (`D:\sites\Shop\www`) is compared, from its last
//! folder backwards and ignoring case, with the folders that hold a checked web.config: the
//! folder whose name matches the most trailing folders wins, when no other matches as many.
//! `%VARIABLES%` are compared as written, so they match nothing.

use std::path::{Path, PathBuf};

use crate::model::Application;
use crate::settings::Settings;

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

/// The folder of `application` among `folders` (the folders that hold a web.config).
pub fn map(application: &Application, settings: &Settings, folders: &[PathBuf]) -> Option<Mapped> {
    if let Some(folder) = settings.site_folder(&application.name()) {
        return Some(Mapped::Declared(crate::application::normalize(
            &crate::paths::absolute(&folder),
        )));
    }
    let physical = application.physical_path.as_deref()?;
    let wanted: Vec<String> = physical
        .split(['\\', '/'])
        .filter(|c| !c.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    let matching = |folder: &PathBuf| -> usize {
        let names: Vec<String> = folder
            .components()
            .filter_map(|c| match c {
                std::path::Component::Normal(name) => {
                    Some(name.to_string_lossy().to_ascii_lowercase())
                }
                _ => None,
            })
            .collect();
        names
            .iter()
            .rev()
            .zip(wanted.iter().rev())
            .take_while(|(a, b)| a == b)
            .count()
    };
    let mut best: Option<(usize, &PathBuf)> = None;
    let mut tied = false;
    for folder in folders {
        let count = matching(folder);
        if count == 0 {
            continue;
        }
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
        let settings = Settings::default();
        assert_eq!(
            map(&application("D:\\sites\\shop\\WWW"), &settings, &folders),
            Some(Mapped::Suffix(folders[0].clone()))
        );
        assert_eq!(
            map(&application("C:\\inetpub\\Shop"), &settings, &folders),
            Some(Mapped::Suffix(folders[2].clone()))
        );
        // `www` alone matches two folders equally: no mapping.
        assert_eq!(map(&application("C:\\x\\www"), &settings, &folders), None);
        assert_eq!(
            map(
                &application("%SystemDrive%\\inetpub\\wwwroot"),
                &settings,
                &folders
            ),
            None
        );
    }

    #[test]
    fn sites_in_the_settings_win() {
        let mut settings = Settings::parse("[sites]\n\"Shop\" = \"src/Admin/www\"\n").unwrap();
        settings.path = Some(PathBuf::from("/repo/iislint.toml"));
        assert_eq!(
            map(
                &application("D:\\sites\\Shop\\www"),
                &settings,
                &[PathBuf::from("/repo/src/Shop/www")]
            ),
            Some(Mapped::Declared(PathBuf::from("/repo/src/Admin/www")))
        );
    }
}
