//! What fixes write (`[fix]` in iislint.toml), apart from how the file is read: the rules need
//! these values, the configuration file parses them.

/// Where an out-of-process session store lives, for the `inproc-session-on-farm` fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionStore {
    SqlServer,
    Redis,
}

impl SessionStore {
    pub fn parse(name: &str) -> Option<SessionStore> {
        match name {
            "sqlserver" => Some(SessionStore::SqlServer),
            "redis" => Some(SessionStore::Redis),
            _ => None,
        }
    }
}

/// What fixes write, from `[fix]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixSettings {
    pub forms_timeout_minutes: i64,
    pub session_timeout_minutes: i64,
    /// The longest session time-out a safe fix writes: in-process session memory grows with it.
    pub max_session_minutes: i64,
    pub session_store: Option<SessionStore>,
    pub redis_host: Option<String>,
    pub redis_port: Option<i64>,
    pub redis_ssl: Option<bool>,
    /// Name of a `<connectionStrings>` entry or appSetting holding the Redis connection string.
    pub redis_connection_string_name: Option<String>,
    pub sql_connection_string: Option<String>,
    /// `true`: the idle time-out fix disables idle shutdown (`00:00:00`); `false`: raises it to
    /// the session time-out.
    pub idle_timeout_disable: bool,
}

impl Default for FixSettings {
    fn default() -> FixSettings {
        FixSettings {
            forms_timeout_minutes: 60,
            session_timeout_minutes: 60,
            max_session_minutes: 120,
            session_store: None,
            redis_host: None,
            redis_port: None,
            redis_ssl: None,
            redis_connection_string_name: None,
            sql_connection_string: None,
            idle_timeout_disable: true,
        }
    }
}

impl FixSettings {
    /// Settings a fix may write that can hold a secret, for masking in reports.
    pub fn secret_texts(&self) -> impl Iterator<Item = &str> {
        self.sql_connection_string.as_deref().into_iter()
    }
}
