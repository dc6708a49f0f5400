//! Operator configuration, read from environment variables (documented in the README).

use crate::outbox::{Delivery, SmsGateway, SmtpSecurity, SmtpSettings};
use app::rules::asset::{AssetPolicy, DEFAULT_ASSET_REGION};
use app::rules::release::CatalogPolicy;
use app::rules::review::{parse_date, WorkCalendar};
use std::path::PathBuf;
use std::time::Duration;

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
    /// `CATALOG_SALES_TYPES`, `CATALOG_CATEGORIES`, `PRODUCT_REGIONS`: the choices a product
    /// is made of (R10, R15, R16, R55), comma-separated; each defaults to today's list.
    pub catalog: CatalogPolicy,
    /// `PUBLIC_URL`, the address people use; `https://` makes session cookies `Secure`.
    pub public_url: Option<String>,
    /// `MARKETPLACE_UTC_OFFSET` and `MARKETPLACE_HOLIDAYS` (R41, R42).
    pub calendar: WorkCalendar,
    /// Where email and SMS go (`SMTP_*`, `SMS_GATEWAY_*`); unset channels wait in the outbox.
    pub delivery: Delivery,
    /// `OUTBOX_POLL_MS`: how often each server's worker looks for due notifications.
    pub outbox_poll: Duration,
    /// `OUTBOX_RETRY_BASE_MS`: the first retry delay, doubled after each failure.
    pub outbox_retry_base: Duration,
    /// `CLIENT_ADDRESS_HEADER`: the header a proxy in front of the servers puts the
    /// client's address in (such as `X-Forwarded-For`); unset, the TCP peer is the client.
    pub client_address_header: Option<String>,
    /// `SIGN_IN_ADDRESS_FAILURES`: failed sign-ins one client address may make in 10 minutes.
    pub sign_in_address_failures: usize,
    /// `SIGN_IN_CONCURRENT_HASHES`: password checks (19 MiB each) one server runs at once;
    /// by default one per core.
    pub sign_in_concurrent_hashes: Option<usize>,
    /// `DRAFTS_PER_SELLER`: how many drafts one seller may keep.
    pub drafts_per_seller: i64,
    /// `SESSION_IDLE_MINUTES`: a session unused this long ends.
    pub session_idle: Duration,
    /// `LOG_FORMAT`: `text` (the default) or `json`, one JSON object per line.
    pub log_json: bool,
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
                    // The URL may carry a password; it is never printed.
                    value: crate::database::redact(&url),
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
        if mode == Mode::Production && demo_data {
            return Err(ConfigError::Invalid {
                name: "DEMO_DATA",
                value: "on".into(),
                reason: "demo accounts have published passwords and are never seeded in production; unset DEMO_DATA",
            });
        }
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
        let defaults = CatalogPolicy::default();
        let catalog = CatalogPolicy {
            sales_types: list(&lookup, "CATALOG_SALES_TYPES", defaults.sales_types)?,
            categories: list(&lookup, "CATALOG_CATEGORIES", defaults.categories)?,
            regions: list(&lookup, "PRODUCT_REGIONS", defaults.regions)?,
        };
        let calendar = WorkCalendar {
            utc_offset_minutes: parse_offset(lookup("MARKETPLACE_UTC_OFFSET"))?,
            holidays: parse_holidays(lookup("MARKETPLACE_HOLIDAYS"))?,
        };
        let delivery = Delivery { smtp: smtp_settings(&lookup)?, sms: sms_gateway(&lookup)? };
        let outbox_poll = millis(&lookup, "OUTBOX_POLL_MS", 1_000)?;
        let outbox_retry_base = millis(&lookup, "OUTBOX_RETRY_BASE_MS", 5_000)?;
        let client_address_header = match lookup("CLIENT_ADDRESS_HEADER").map(|h| h.trim().to_ascii_lowercase()).filter(|h| !h.is_empty()) {
            Some(h) if http::HeaderName::from_bytes(h.as_bytes()).is_ok() => Some(h),
            Some(h) => return Err(invalid("CLIENT_ADDRESS_HEADER", &h, "use a header name such as X-Forwarded-For")),
            None => None,
        };
        let sign_in_address_failures = count(&lookup, "SIGN_IN_ADDRESS_FAILURES", 50, 1..=1_000_000)? as usize;
        let sign_in_concurrent_hashes = match lookup("SIGN_IN_CONCURRENT_HASHES").filter(|v| !v.trim().is_empty()) {
            Some(_) => Some(count(&lookup, "SIGN_IN_CONCURRENT_HASHES", 1, 1..=1024)? as usize),
            None => None,
        };
        let drafts_per_seller = count(&lookup, "DRAFTS_PER_SELLER", 100, 1..=100_000)?;
        let session_idle = Duration::from_secs(60 * count(&lookup, "SESSION_IDLE_MINUTES", 120, 1..=7 * 24 * 60)? as u64);
        let log_json = match lookup("LOG_FORMAT").as_deref().map(str::trim) {
            None | Some("") | Some("text") => false,
            Some("json") => true,
            Some(other) => return Err(invalid("LOG_FORMAT", other, "use text or json")),
        };
        Ok(Config {
            catalog,
            client_address_header,
            sign_in_address_failures,
            sign_in_concurrent_hashes,
            drafts_per_seller,
            session_idle,
            log_json,
            calendar,
            delivery,
            outbox_poll,
            outbox_retry_base,
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

fn invalid(name: &'static str, value: &str, reason: &'static str) -> ConfigError {
    ConfigError::Invalid { name, value: value.to_owned(), reason }
}

/// "+08:00", "-03:30", "+0", "" (UTC) as minutes east of UTC.
fn parse_offset(value: Option<String>) -> Result<i32, ConfigError> {
    const NAME: &str = "MARKETPLACE_UTC_OFFSET";
    const REASON: &str = "use an offset from UTC such as +08:00 or -03:30";
    let Some(text) = value.filter(|v| !v.trim().is_empty()) else { return Ok(0) };
    let trimmed = text.trim();
    let (sign, rest) = match trimmed.chars().next() {
        Some('+') => (1, &trimmed[1..]),
        Some('-') => (-1, &trimmed[1..]),
        _ => return Err(invalid(NAME, &text, REASON)),
    };
    let (hours, minutes) = rest.split_once(':').unwrap_or((rest, "0"));
    let hours: i32 = hours.parse().map_err(|_| invalid(NAME, &text, REASON))?;
    let minutes: i32 = minutes.parse().map_err(|_| invalid(NAME, &text, REASON))?;
    if !(0..=14).contains(&hours) || !(0..60).contains(&minutes) {
        return Err(invalid(NAME, &text, REASON));
    }
    Ok(sign * (hours * 60 + minutes))
}

/// "2026-12-25, 2027-01-01" as day numbers.
fn parse_holidays(value: Option<String>) -> Result<Vec<i64>, ConfigError> {
    let text = value.unwrap_or_default();
    text.split(',')
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(|d| parse_date(d).ok_or_else(|| invalid("MARKETPLACE_HOLIDAYS", d, "list dates as YYYY-MM-DD, separated by commas")))
        .collect()
}

fn millis(lookup: &impl Fn(&str) -> Option<String>, name: &'static str, default: u64) -> Result<Duration, ConfigError> {
    match lookup(name).filter(|v| !v.trim().is_empty()) {
        None => Ok(Duration::from_millis(default)),
        Some(v) => match v.trim().parse::<u64>() {
            Ok(ms) if (10..=3_600_000).contains(&ms) => Ok(Duration::from_millis(ms)),
            _ => Err(invalid(name, &v, "use milliseconds between 10 and 3600000")),
        },
    }
}

/// A comma-separated list, or `default` when unset; an empty list is refused.
fn list(lookup: &impl Fn(&str) -> Option<String>, name: &'static str, default: Vec<String>) -> Result<Vec<String>, ConfigError> {
    let Some(text) = lookup(name) else { return Ok(default) };
    let items: Vec<String> = text.split(',').map(|i| i.trim().to_owned()).filter(|i| !i.is_empty()).collect();
    if items.is_empty() {
        return Err(ConfigError::Invalid { name, value: text, reason: "name at least one, separated by commas" });
    }
    Ok(items)
}

fn count(
    lookup: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    default: i64,
    range: std::ops::RangeInclusive<i64>,
) -> Result<i64, ConfigError> {
    match lookup(name).filter(|v| !v.trim().is_empty()) {
        None => Ok(default),
        Some(v) => match v.trim().parse::<i64>() {
            Ok(n) if range.contains(&n) => Ok(n),
            _ => Err(ConfigError::Invalid {
                name,
                value: v,
                reason: "use a whole number in the allowed range (see the README)",
            }),
        },
    }
}

fn smtp_settings(lookup: &impl Fn(&str) -> Option<String>) -> Result<Option<SmtpSettings>, ConfigError> {
    let get = |name: &str| lookup(name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
    let Some(host) = get("SMTP_HOST") else { return Ok(None) };
    let security = match get("SMTP_SECURITY").as_deref() {
        None | Some("starttls") => SmtpSecurity::StartTls,
        Some("tls") => SmtpSecurity::Tls,
        Some("none") => SmtpSecurity::None,
        Some(other) => return Err(invalid("SMTP_SECURITY", other, "use starttls, tls or none")),
    };
    let default_port = match security {
        SmtpSecurity::StartTls => 587,
        SmtpSecurity::Tls => 465,
        SmtpSecurity::None => 25,
    };
    let port = match get("SMTP_PORT") {
        None => default_port,
        Some(p) => p.parse().map_err(|_| invalid("SMTP_PORT", &p, "use a port number"))?,
    };
    let from = get("SMTP_FROM").ok_or_else(|| invalid("SMTP_FROM", "", "set the sender address when SMTP_HOST is set"))?;
    if from.parse::<lettre::message::Mailbox>().is_err() {
        return Err(invalid("SMTP_FROM", &from, "use an address such as Marketplace <noreply@example.com>"));
    }
    Ok(Some(SmtpSettings { host, port, security, username: get("SMTP_USERNAME"), password: get("SMTP_PASSWORD"), from }))
}

fn sms_gateway(lookup: &impl Fn(&str) -> Option<String>) -> Result<Option<SmsGateway>, ConfigError> {
    let get = |name: &str| lookup(name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
    let Some(url) = get("SMS_GATEWAY_URL") else { return Ok(None) };
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        return Err(invalid("SMS_GATEWAY_URL", &url, "use an http:// or https:// URL"));
    }
    Ok(Some(SmsGateway { url, token: get("SMS_GATEWAY_TOKEN") }))
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
    fn r41_the_time_zone_and_holidays_are_read_and_bad_ones_refused() {
        let c = config(&[("MARKETPLACE_UTC_OFFSET", "+08:00"), ("MARKETPLACE_HOLIDAYS", "2026-12-25, 2027-01-01")]).unwrap();
        assert_eq!(c.calendar.utc_offset_minutes, 480);
        assert_eq!(c.calendar.holidays, vec![parse_date("2026-12-25").unwrap(), parse_date("2027-01-01").unwrap()]);
        assert_eq!(config(&[("MARKETPLACE_UTC_OFFSET", "-03:30")]).unwrap().calendar.utc_offset_minutes, -210);
        assert_eq!(config(&[]).unwrap().calendar, WorkCalendar::default());
        assert!(config(&[("MARKETPLACE_UTC_OFFSET", "8")]).is_err());
        assert!(config(&[("MARKETPLACE_UTC_OFFSET", "+15:00")]).is_err());
        let err = config(&[("MARKETPLACE_HOLIDAYS", "2026-02-30")]).unwrap_err().to_string();
        assert!(err.contains("MARKETPLACE_HOLIDAYS"), "{err}");
    }

    #[test]
    fn r43_email_and_sms_are_off_until_configured_and_checked_when_set() {
        let c = config(&[]).unwrap();
        assert!(c.delivery.smtp.is_none() && c.delivery.sms.is_none());
        let c = config(&[("SMTP_HOST", "mail.example"), ("SMTP_FROM", "Marketplace <noreply@example.com>"), ("SMS_GATEWAY_URL", "https://sms.example/send")]).unwrap();
        let smtp = c.delivery.smtp.unwrap();
        assert_eq!((smtp.port, smtp.security), (587, SmtpSecurity::StartTls));
        assert_eq!(c.delivery.sms.unwrap().url, "https://sms.example/send");
        assert!(config(&[("SMTP_HOST", "mail.example")]).is_err(), "a sender is required");
        assert!(config(&[("SMTP_HOST", "mail.example"), ("SMTP_FROM", "x"), ("SMTP_SECURITY", "ssl")]).is_err());
        assert!(config(&[("SMS_GATEWAY_URL", "ftp://x")]).is_err());
        assert!(config(&[("OUTBOX_POLL_MS", "0")]).is_err());
    }

    #[test]
    fn a_bad_database_url_is_named_without_its_password() {
        let err = config(&[("DATABASE_URL", "mysql://admin:hunter2@db.example/m")]).unwrap_err().to_string();
        assert!(err.contains("DATABASE_URL") && err.contains("admin:***@db.example"), "{err}");
        assert!(!err.contains("hunter2"), "{err}");
    }

    #[test]
    fn production_refuses_demo_data_instead_of_printing_passwords_it_did_not_seed() {
        let err = config(&[("MARKETPLACE_ENV", "production"), ("DEMO_DATA", "on")]).unwrap_err().to_string();
        assert!(err.contains("DEMO_DATA"), "{err}");
        assert!(config(&[("MARKETPLACE_ENV", "production")]).is_ok());
    }

    #[test]
    fn limits_and_the_log_format_have_defaults_and_refuse_bad_values() {
        let c = config(&[]).unwrap();
        assert_eq!((c.drafts_per_seller, c.sign_in_address_failures, c.log_json), (100, 50, false));
        assert_eq!(c.session_idle, Duration::from_secs(120 * 60));
        assert!(c.client_address_header.is_none());
        let c = config(&[("DRAFTS_PER_SELLER", "3"), ("LOG_FORMAT", "json"), ("CLIENT_ADDRESS_HEADER", "X-Forwarded-For")]).unwrap();
        assert_eq!((c.drafts_per_seller, c.log_json), (3, true));
        assert_eq!(c.client_address_header.as_deref(), Some("x-forwarded-for"));
        assert!(config(&[("DRAFTS_PER_SELLER", "0")]).is_err());
        assert!(config(&[("LOG_FORMAT", "xml")]).is_err());
        assert!(config(&[("SESSION_IDLE_MINUTES", "-5")]).is_err());
    }

    #[test]
    fn r10_r15_r55_the_catalog_comes_from_the_environment_with_todays_lists_as_defaults() {
        let c = config(&[]).unwrap();
        assert_eq!(c.catalog, CatalogPolicy::default());
        let c = config(&[("CATALOG_SALES_TYPES", "Standard, Reseller"), ("PRODUCT_REGIONS", "eu-dublin")]).unwrap();
        assert_eq!(c.catalog.sales_types, vec!["Standard", "Reseller"]);
        assert_eq!(c.catalog.regions, vec!["eu-dublin"]);
        assert_eq!(c.catalog.categories, CatalogPolicy::default().categories);
        assert!(config(&[("CATALOG_CATEGORIES", " , ")]).is_err());
    }

    #[test]
    fn r1_asset_regions_are_read_from_the_environment() {
        let c = config(&[("ASSET_REGIONS", "eu-dublin, eu-paris")]).unwrap();
        assert_eq!(c.asset_policy.regions, vec!["eu-dublin", "eu-paris"]);
    }
}
