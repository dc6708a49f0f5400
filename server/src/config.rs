//! Operator configuration, read from environment variables (documented in the README).

use app::rules::asset::{AssetPolicy, DEFAULT_ASSET_REGION};
use std::path::PathBuf;

/// Development (the default) or production.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Development,
    Production,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub mode: Mode,
    /// `DATABASE_URL`; when unset, a SQLite file in `data_dir`.
    pub database_url: String,
    pub data_dir: PathBuf,
    /// Seed demo accounts and images into an empty database.
    pub demo_data: bool,
    pub asset_policy: AssetPolicy,
    /// `PUBLIC_URL`, the address people use; `https://` makes session cookies `Secure`.
    pub public_url: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{name} has the value {value:?}, which is not valid: {reason}")]
    Invalid { name: &'static str, value: String, reason: &'static str },
}

impl Config {
    /// Reads the configuration from the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the configuration through `lookup` (tests pass their own).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let mode = match lookup("MARKETPLACE_ENV").as_deref() {
            None | Some("") | Some("development") => Mode::Development,
            Some("production") => Mode::Production,
            Some(other) => {
                return Err(ConfigError::Invalid {
                    name: "MARKETPLACE_ENV",
                    value: other.to_owned(),
                    reason: "use development or production",
                })
            }
        };
        let data_dir = PathBuf::from(lookup("DATA_DIR").unwrap_or_else(|| "data".to_owned()));
        let database_url = match lookup("DATABASE_URL").filter(|u| !u.is_empty()) {
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") || url.starts_with("sqlite:") => url,
            Some(url) => {
                return Err(ConfigError::Invalid {
                    name: "DATABASE_URL",
                    value: url,
                    reason: "use a postgres:// or sqlite: URL",
                })
            }
            None => format!("sqlite://{}?mode=rwc", data_dir.join("marketplace.db").display()),
        };
        let demo_data = match lookup("DEMO_DATA").as_deref() {
            None | Some("") => mode == Mode::Development,
            Some("on" | "true" | "1") => true,
            Some("off" | "false" | "0") => false,
            Some(other) => {
                return Err(ConfigError::Invalid {
                    name: "DEMO_DATA",
                    value: other.to_owned(),
                    reason: "use on or off",
                })
            }
        };
        let regions: Vec<String> = lookup("ASSET_REGIONS")
            .unwrap_or_else(|| DEFAULT_ASSET_REGION.to_owned())
            .split(',')
            .map(|r| r.trim().to_owned())
            .filter(|r| !r.is_empty())
            .collect();
        if regions.is_empty() {
            return Err(ConfigError::Invalid {
                name: "ASSET_REGIONS",
                value: String::new(),
                reason: "name at least one region",
            });
        }
        Ok(Config {
            mode,
            database_url,
            data_dir,
            demo_data,
            asset_policy: AssetPolicy { regions },
            public_url: lookup("PUBLIC_URL").filter(|u| !u.is_empty()),
        })
    }

    pub fn secure_cookies(&self) -> bool {
        self.public_url.as_deref().is_some_and(|u| u.starts_with("https://"))
    }

    pub fn is_sqlite(&self) -> bool {
        self.database_url.starts_with("sqlite:")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let env: HashMap<String, String> =
            pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Config::from_lookup(|name| env.get(name).cloned())
    }

    #[test]
    fn the_default_is_a_sqlite_file_in_the_data_directory_with_demo_data() {
        let c = config(&[]).unwrap();
        assert_eq!(c.database_url, "sqlite://data/marketplace.db?mode=rwc");
        assert!(c.demo_data);
        assert_eq!(c.asset_policy.regions, vec!["eu-dublin"]);
        assert!(!c.secure_cookies());
    }

    #[test]
    fn production_has_no_demo_data_unless_asked_and_https_makes_cookies_secure() {
        let c = config(&[("MARKETPLACE_ENV", "production"), ("PUBLIC_URL", "https://m.example")]).unwrap();
        assert!(!c.demo_data);
        assert!(c.secure_cookies());
    }

    #[test]
    fn bad_values_are_refused_with_the_variable_named() {
        let err = config(&[("DATABASE_URL", "mysql://x")]).unwrap_err().to_string();
        assert!(err.contains("DATABASE_URL"), "{err}");
        assert!(config(&[("MARKETPLACE_ENV", "staging")]).is_err());
        assert!(config(&[("ASSET_REGIONS", " , ")]).is_err());
    }

    #[test]
    fn r1_asset_regions_are_read_from_the_environment() {
        let c = config(&[("ASSET_REGIONS", "eu-dublin, eu-paris")]).unwrap();
        assert_eq!(c.asset_policy.regions, vec!["eu-dublin", "eu-paris"]);
    }
}
