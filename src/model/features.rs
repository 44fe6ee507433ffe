//! What a file's own level switches on that the farm rules weigh: cookies protected with the
//! machine key, and whether `system.web` says anything about users or sessions at all.
//!
//! - The role manager's cookie (`roleManager enabled="true" cacheRolesInCookie="true"`) and the
//!   anonymous identification cookie (`anonymousIdentification enabled="true"`) are encrypted and
//!   signed with the machine key, like the forms ticket (RS `RolePrincipal.ToEncryptedTicket` and
//!   `AnonymousIdentificationModule.GetEncodedValue`, both through `CookieProtectionHelper.Encode`).
//! - A `system.web` that holds none of `authentication`, `sessionState`, `machineKey`,
//!   `membership`, `roleManager`, `profile` or `anonymousIdentification` configures nothing about
//!   users or their sessions; on the corpus, every farm finding on such a file whose sources were
//!   not there to read was judged wrong (README, Rules).
//!
//! Only the file's own level (the root and `<location path=".">`) is read.

use crate::document::{config_children, is_config_element};

/// Sections of `system.web` about users, logins and sessions.
const USER_SECTIONS: &[&str] = &[
    "authentication",
    "sessionState",
    "machineKey",
    "membership",
    "roleManager",
    "profile",
    "anonymousIdentification",
];

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Features {
    /// Cookies other than the forms ticket that the machine key protects, in words.
    pub machine_key_cookies: Vec<&'static str>,
    /// `system.web` sets at least one of the sections about users and sessions.
    pub configures_users: bool,
}

pub(super) fn read(root: roxmltree::Node<'_, '_>) -> Features {
    let system_webs: Vec<_> = super::own_levels(root)
        .flat_map(|level| config_children(level, "system.web"))
        .collect();
    let mut features = Features::default();
    let is_true = |node: roxmltree::Node<'_, '_>, name: &str| {
        node.attribute(name)
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
    };
    for system_web in &system_webs {
        for section in system_web.children().filter(|n| n.is_element()) {
            if USER_SECTIONS
                .iter()
                .any(|name| is_config_element(section, name))
            {
                features.configures_users = true;
            }
            if is_config_element(section, "roleManager")
                && is_true(section, "enabled")
                && is_true(section, "cacheRolesInCookie")
            {
                features
                    .machine_key_cookies
                    .push("the role manager's cookie");
            }
            if is_config_element(section, "anonymousIdentification") && is_true(section, "enabled")
            {
                features
                    .machine_key_cookies
                    .push("the anonymous identification cookie");
            }
        }
    }
    features.machine_key_cookies.dedup();
    features
}

#[cfg(test)]
mod tests {
    use crate::model::Model;

    fn features(system_web: &str) -> super::Features {
        let text = format!("<configuration><system.web>{system_web}</system.web></configuration>");
        Model::build(&crate::document::parse(&text).unwrap()).features
    }

    #[test]
    fn cookies_protected_with_the_machine_key() {
        let f = features(
            "<roleManager enabled=\"True\" cacheRolesInCookie=\"true\"/><anonymousIdentification enabled=\"true\"/>",
        );
        assert_eq!(f.machine_key_cookies.len(), 2);
        assert!(f.configures_users);
        let f = features("<roleManager enabled=\"true\"/>");
        assert!(f.machine_key_cookies.is_empty() && f.configures_users);
    }

    #[test]
    fn compilation_and_runtime_alone_configure_no_users() {
        let f =
            features("<compilation debug=\"true\"/><httpRuntime targetFramework=\"4.8\"/><pages/>");
        assert!(!f.configures_users);
        assert!(f.machine_key_cookies.is_empty());
    }
}
