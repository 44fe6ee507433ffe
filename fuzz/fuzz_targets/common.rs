//! Shared setup for the fuzz targets: the first input byte picks the file facts and fix settings,
//! the rest is the file's bytes.

use iislint::lint::{FileFacts, RuleSet};
use iislint::model::FileKind;
use iislint::settings::{SessionStore, Settings};

pub fn setup(data: &[u8]) -> (FileFacts, Settings, &[u8]) {
    let (flags, bytes) = match data.split_first() {
        Some((flags, bytes)) => (*flags, bytes),
        None => (0, data),
    };
    let facts = FileFacts {
        kind: if flags & 1 == 0 {
            FileKind::WebConfig
        } else {
            FileKind::ApplicationHost
        },
        farm: true,
        application_root: flags & 2 == 0,
        application: Default::default(),
        mapped_sessions: Default::default(),
        offers_sections: false,
    };
    let mut settings = Settings {
        farm: true,
        ..Settings::default()
    };
    settings.fix.session_store = Some(if flags & 4 == 0 {
        SessionStore::Redis
    } else {
        SessionStore::SqlServer
    });
    settings.fix.idle_timeout_disable = flags & 8 == 0;
    (facts, settings, bytes)
}

pub fn rules() -> RuleSet {
    RuleSet::all()
}
