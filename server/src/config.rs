//! Operator configuration, read from environment variables (documented in the README).

use crate::connections::ConnectionLimits;
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
    /// `SIGN_IN_ACCOUNT_FAILURES`: failed sign-ins in a row to one account, from every client
    /// together, before every attempt on it is delayed (one client's own failures delay
    /// only that client).
    pub sign_in_account_failures: i64,
    /// `SIGN_IN_CONCURRENT_HASHES`: password checks (19 MiB each) one server runs at once;
    /// by default one per core.
    pub sign_in_concurrent_hashes: Option<usize>,
    /// `DRAFTS_PER_SELLER`: how many drafts one seller may keep.
    pub drafts_per_seller: i64,
    /// `DATABASE_MAX_CONNECTIONS`: connections this server opens to the database at most.
    pub database_max_connections: u32,
    /// Days between saving a price increase and its taking effect (R70).
    pub price_increase_notice_days: u32,
    /// `SESSION_IDLE_MINUTES`: a session unused this long ends.
    pub session_idle: Duration,
    /// `API_REQUESTS_PER_MINUTE`: requests one API token may make a minute (R64).
    pub api_requests_per_minute: i64,
    /// `LOG_FORMAT`: `text` (the default) or `json`, one JSON object per line.
    pub log_json: bool,
    /// `HTTP_HEADER_TIMEOUT_MS`, `HTTP_REQUEST_TIMEOUT_MS`, `HTTP_MAX_CONNECTIONS`: how
    /// long a client may take and how many connections are open at once.
    pub connections: ConnectionLimits,
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
        let sign_in_account_failures = count(&lookup, "SIGN_IN_ACCOUNT_FAILURES", 100, 1..=1_000_000)?;
        let sign_in_concurrent_hashes = match lookup("SIGN_IN_CONCURRENT_HASHES").filter(|v| !v.trim().is_empty()) {
            Some(_) => Some(count(&lookup, "SIGN_IN_CONCURRENT_HASHES", 1, 1..=1024)? as usize),
            None => None,
        };
        let drafts_per_seller = count(&lookup, "DRAFTS_PER_SELLER", 100, 1..=100_000)?;
        // More statements at once than the cores can run only makes each wait longer, in
        // PostgreSQL's processes (16 connections on 2 cores: a search's p99 1.5x that with 4)
        // and in sqlx's thread per SQLite connection (8 on 2 cores: the product page 0.45x
        // the bare page, 0.63x with 4). By default twice this machine's cores, at least 4.
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get()) as i64;
        let connections_default = (2 * cores).max(4);
        let database_max_connections = count(&lookup, "DATABASE_MAX_CONNECTIONS", connections_default, 1..=1_000)? as u32;
        let notice_default = i64::from(app::rules::notice::DEFAULT_NOTICE_DAYS);
        let price_increase_notice_days = count(&lookup, "PRICE_INCREASE_NOTICE_DAYS", notice_default, 1..=365)? as u32;
        let session_idle = Duration::from_secs(60 * count(&lookup, "SESSION_IDLE_MINUTES", 120, 1..=7 * 24 * 60)? as u64);
        let api_requests_per_minute = count(&lookup, "API_REQUESTS_PER_MINUTE", 600, 1..=1_000_000)?;
        let log_json = match lookup("LOG_FORMAT").as_deref().map(str::trim) {
            None | Some("") | Some("text") => false,
            Some("json") => true,
            Some(other) => return Err(invalid("LOG_FORMAT", other, "use text or json")),
        };
        let defaults = ConnectionLimits::default();
        let connections = ConnectionLimits {
            header_timeout: bounded_millis(&lookup, "HTTP_HEADER_TIMEOUT_MS", defaults.header_timeout.as_millis() as u64, HTTP_LEAST_MS)?,
            request_timeout: bounded_millis(&lookup, "HTTP_REQUEST_TIMEOUT_MS", defaults.request_timeout.as_millis() as u64, HTTP_LEAST_MS)?,
            max_connections: count(&lookup, "HTTP_MAX_CONNECTIONS", defaults.max_connections as i64, 1..=1_000_000)? as usize,
        };
        Ok(Config {
            catalog,
            client_address_header,
            sign_in_address_failures,
            sign_in_account_failures,
            sign_in_concurrent_hashes,
            drafts_per_seller,
            database_max_connections,
            price_increase_notice_days,
            session_idle,
            api_requests_per_minute,
            log_json,
            connections,
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
    bounded_millis(lookup, name, default, (10, "use milliseconds between 10 and 3600000"))
}

/// The HTTP limits: at least a second, since shorter cuts off clients on any real network,
/// not only slow ones.
const HTTP_LEAST_MS: (u64, &str) = (1_000, "use milliseconds between 1000 and 3600000");

/// Milliseconds from `least.0` to an hour; else refused with the reason `least.1`.
fn bounded_millis(
    lookup: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    default: u64,
    least: (u64, &'static str),
) -> Result<Duration, ConfigError> {
    match lookup(name).filter(|v| !v.trim().is_empty()) {
        None => Ok(Duration::from_millis(default)),
        Some(v) => match v.trim().parse::<u64>() {
            Ok(ms) if (least.0..=3_600_000).contains(&ms) => Ok(Duration::from_millis(ms)),
            _ => Err(invalid(name, &v, least.1)),
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
    let per_number_per_day = count(lookup, "SMS_PER_NUMBER_PER_DAY", 20, 1..=10_000)?;
    Ok(Some(SmsGateway { url, token: get("SMS_GATEWAY_TOKEN"), per_number_per_day }))
}

#[cfg(test)]
mod tests;
