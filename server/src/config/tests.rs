//! The configuration read from its environment variables.

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
    // R70: the notice before a price increase, 90 days unless said, 1 to 365.
    assert_eq!(c.price_increase_notice_days, 90);
    assert_eq!(config(&[("PRICE_INCREASE_NOTICE_DAYS", "30")]).unwrap().price_increase_notice_days, 30);
    assert!(config(&[("PRICE_INCREASE_NOTICE_DAYS", "0")]).is_err());
    assert!(config(&[("PRICE_INCREASE_NOTICE_DAYS", "366")]).is_err());
    assert!(config(&[("LOG_FORMAT", "xml")]).is_err());
    assert!(config(&[("SESSION_IDLE_MINUTES", "-5")]).is_err());
    // Database connections: twice the cores, at least 4, on either database.
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get()) as u32;
    assert_eq!(config(&[]).unwrap().database_max_connections, (2 * cores).max(4));
    let postgres = [("DATABASE_URL", "postgres://u:p@localhost/db")];
    assert_eq!(config(&postgres).unwrap().database_max_connections, (2 * cores).max(4));
    assert_eq!(config(&[postgres[0], ("DATABASE_MAX_CONNECTIONS", "32")]).unwrap().database_max_connections, 32);
    assert!(config(&[("DATABASE_MAX_CONNECTIONS", "0")]).is_err());
}

#[test]
fn http_time_limits_default_to_75_and_30_seconds_and_refuse_less_than_a_second() {
    let c = config(&[]).unwrap();
    assert_eq!((c.connections.header_timeout, c.connections.request_timeout), (Duration::from_secs(75), Duration::from_secs(30)));
    let c = config(&[("HTTP_HEADER_TIMEOUT_MS", "1000"), ("HTTP_REQUEST_TIMEOUT_MS", "120000")]).unwrap();
    assert_eq!((c.connections.header_timeout, c.connections.request_timeout), (Duration::from_secs(1), Duration::from_secs(120)));
    for name in ["HTTP_HEADER_TIMEOUT_MS", "HTTP_REQUEST_TIMEOUT_MS"] {
        let Err(ConfigError::Invalid { reason, .. }) = config(&[(name, "999")]) else { panic!("{name}=999 was accepted") };
        assert_eq!(reason, "use milliseconds between 1000 and 3600000");
    }
    // The outbox's timings may still be short (the tests poll every 50 ms).
    assert_eq!(config(&[("OUTBOX_POLL_MS", "50")]).unwrap().outbox_poll, Duration::from_millis(50));
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
