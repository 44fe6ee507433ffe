//! Session state turned off without `sessionState mode="Off"`: by `<pages enableSessionState="false">`
//! or by taking the Session module out of the pipeline.
//!
//! - `system.web/pages/@enableSessionState` is read as a string and compared exactly with `true`,
//!   `false` and `ReadOnly`; anything else is a configuration error (RS PagesSection.cs,
//!   `EnableSessionState`). `false` gives every WebForms page a session-less handler; MVC's
//!   `MvcHandler` implements `IRequiresSessionState` whatever `<pages>` says
//!   (aspnet/AspNetWebStack `src/System.Web.Mvc/MvcHandler.cs`), so where the application's sources
//!   show session in use, this switch does not count (`rules::Context::session_on`).
//! - The Session module (`System.Web.SessionState.SessionStateModule`, registered as `Session` in
//!   applicationHost.config) is what loads and saves session state. In the integrated pipeline
//!   (the default of IIS 7 and later) the modules are `system.webServer/modules`: `<remove
//!   name="Session"/>`, or `<clear/>`, without adding it back leaves no session state. The
//!   classic pipeline reads `system.web/httpModules` instead; a web.config cannot tell which
//!   pipeline its pool runs, so a removal there alone does not count (iis-semantics.md §2.3 shows
//!   the async module replacing it under the same name, which keeps session on).
//!
//! Only the file's own level is read (the root and `<location path=".">`).

use super::Reader;
use crate::document::{Element, config_children, is_config_element};

/// How a file turns session state off, when it does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionOff {
    /// `<pages enableSessionState="false">`.
    Pages(Element),
    /// The Session module removed (or the modules cleared) and not added back.
    ModuleRemoved(Element),
}

impl SessionOff {
    /// Where the file turns session off, for messages: the element that does it.
    pub fn describe(&self) -> &'static str {
        match self {
            SessionOff::Pages(_) => "<pages enableSessionState=\"false\">",
            SessionOff::ModuleRemoved(_) => "the Session module is removed from <modules>",
        }
    }
}

const SESSION_MODULE_NAME: &str = "Session";
const SESSION_MODULE_TYPE: &str = "SessionStateModule";

/// What the file's own level says about session state's switches.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionSwitch {
    pub off: Option<SessionOff>,
    /// The `type` of the Session module the file adds back (the async module, a third party's).
    pub module_type: Option<String>,
}

pub(super) fn read(root: roxmltree::Node<'_, '_>, reader: &mut Reader) -> SessionSwitch {
    let (off, module_type) = read_switches(root, reader);
    SessionSwitch { off, module_type }
}

fn read_switches(
    root: roxmltree::Node<'_, '_>,
    reader: &mut Reader,
) -> (Option<SessionOff>, Option<String>) {
    let own_level: Vec<roxmltree::Node<'_, '_>> = super::own_levels(root).collect();
    let mut pages_off = None;
    for level in &own_level {
        for pages in
            config_children(*level, "system.web").flat_map(|sw| config_children(sw, "pages"))
        {
            let element = Element::from_node(pages);
            let setting = reader.read(&[&element], "enableSessionState", true, |raw| match raw {
                "true" | "ReadOnly" => Ok(true),
                "false" => Ok(false),
                _ => Err(format!(
                    "`{raw}` is not `true`, `false` or `ReadOnly` (the names are case-sensitive)"
                )),
            });
            if let Some(enabled) = setting.written_value() {
                pages_off = (!enabled).then(|| element.clone());
            }
        }
    }
    // The modules collection in document order: the last word about `Session` wins.
    let mut removed_by: Option<Element> = None;
    let mut module_type = None;
    for level in &own_level {
        let modules = config_children(*level, "system.webServer")
            .flat_map(|ws| config_children(ws, "modules"));
        for modules in modules {
            for item in modules.children().filter(|n| n.is_element()) {
                // IIS collection keys compare without regard to case.
                let is_session = |node: roxmltree::Node<'_, '_>| {
                    node.attribute("name")
                        .is_some_and(|n| n.trim().eq_ignore_ascii_case(SESSION_MODULE_NAME))
                        || node
                            .attribute("type")
                            .is_some_and(|t| t.contains(SESSION_MODULE_TYPE))
                };
                if is_config_element(item, "clear")
                    || is_config_element(item, "remove") && is_session(item)
                {
                    removed_by = Some(Element::from_node(item));
                    module_type = None;
                } else if is_config_element(item, "add") && is_session(item) {
                    removed_by = None;
                    module_type = item.attribute("type").map(str::to_owned);
                }
            }
        }
    }
    // No Session module means no session state whatever the pages say: that one wins.
    let off = match (removed_by, pages_off) {
        (Some(module), _) => Some(SessionOff::ModuleRemoved(module)),
        (None, pages) => pages.map(SessionOff::Pages),
    };
    (off, module_type)
}

#[cfg(test)]
mod tests {
    use crate::model::Model;

    fn off(text: &str) -> Option<&'static str> {
        let doc = crate::document::parse(text).unwrap();
        Model::build(&doc).session.off.map(|off| off.describe())
    }

    #[test]
    fn pages_and_modules_turn_session_off() {
        assert_eq!(
            off("<configuration><system.web><pages/></system.web></configuration>"),
            None
        );
        assert!(off("<configuration><system.web><pages enableSessionState=\"false\"/></system.web></configuration>").is_some());
        assert_eq!(
            off(
                "<configuration><system.web><pages enableSessionState=\"ReadOnly\"/></system.web></configuration>"
            ),
            None
        );
        let removed = "<configuration><system.webServer><modules><remove name=\"Session\" /></modules></system.webServer></configuration>";
        assert!(off(removed).is_some());
        let cleared = "<configuration><system.webServer><modules><clear/><add name=\"UrlRoutingModule\" type=\"x\"/></modules></system.webServer></configuration>";
        assert!(off(cleared).is_some());
        // The async session module replaces the built-in one under the same name: still on.
        let replaced = "<configuration><system.webServer><modules><remove name=\"Session\"/><add name=\"Session\" type=\"Microsoft.AspNet.SessionState.SessionStateModuleAsync\"/></modules></system.webServer></configuration>";
        assert_eq!(off(replaced), None);
        let doc = crate::document::parse(replaced).unwrap();
        assert!(
            Model::build(&doc)
                .session
                .module_type
                .is_some_and(|t| t.ends_with("SessionStateModuleAsync"))
        );
        // Module names compare without regard to case, as IIS keys do.
        let lower = "<configuration><system.webServer><modules><remove name=\"session\" /></modules></system.webServer></configuration>";
        assert!(off(lower).is_some());
        // Only the classic pipeline's list: the integrated pipeline still has the module.
        let classic = "<configuration><system.web><httpModules><remove name=\"Session\"/></httpModules></system.web></configuration>";
        assert_eq!(off(classic), None);
        // In a sub-folder's <location>: not the application's own level.
        let location = "<configuration><location path=\"static\"><system.webServer><modules><remove name=\"Session\"/></modules></system.webServer></location></configuration>";
        assert_eq!(off(location), None);
    }

    #[test]
    fn a_wrongly_cased_value_is_invalid() {
        let doc = crate::document::parse(
            "<configuration><system.web><pages enableSessionState=\"False\"/></system.web></configuration>",
        )
        .unwrap();
        let model = Model::build(&doc);
        assert_eq!(model.session.off, None);
        assert_eq!(model.invalid.len(), 1);
        assert!(model.invalid[0].message.contains("case-sensitive"));
    }
}
