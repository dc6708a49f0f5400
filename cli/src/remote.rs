//! What the tool does through `/api/v1` with an API token (R66).

use crate::offline::read_product;
use crate::Connection;
use rules::review::format_utc;
use reqwest::blocking::{Client, RequestBuilder, Response};
use serde_json::{json, Value};
use std::io::{IsTerminal, Write};
use std::path::Path;
use std::time::Duration;

#[derive(clap::Subcommand)]
pub enum DraftAction {
    /// List your drafts, newest first.
    List,
    /// Print one draft.
    Show { id: String },
    /// Store a product file as a new draft, or as a new version of draft ID.
    Push {
        file: std::path::PathBuf,
        #[arg(long)]
        id: Option<String>,
        /// The version of draft ID the file is based on: refused if the draft changed since.
        /// Without it, the file replaces the draft as it is now.
        #[arg(long, requires = "id")]
        version: Option<i64>,
    },
    /// Delete a draft.
    Delete { id: String },
}

#[derive(clap::Subcommand)]
pub enum PriceAction {
    /// Set new vCPU tier prices: PRICES is JSON, one list per specification of one
    /// [pay-per-use, monthly, yearly] per tier, such as '[[["0.20","40",""]]]'. Decreases
    /// apply at once; increases take effect after the notice period.
    Set { product_id: String, prices: String },
    /// Cancel a price increase waiting for its date (its id is listed by `prices set`).
    Cancel { product_id: String, increase_id: String },
}

/// Why a command stopped: the exit code and what to tell the seller.
pub struct Stop(u8, String);

pub struct Api {
    client: Client,
    base: String,
    token: String,
}

impl Api {
    fn request(&self, method: reqwest::Method, path: &str) -> RequestBuilder {
        self.client.request(method, format!("{}/api/v1{path}", self.base)).bearer_auth(&self.token)
    }

    /// Sends a request and reads its JSON answer; a refusal becomes a [`Stop`] with the
    /// server's message, and each violation with its field and rule.
    fn send(&self, request: RequestBuilder) -> Result<Value, Stop> {
        let response: Response = request.send().map_err(|e| {
            Stop(2, format!("The server at {} could not be reached ({}). Check --server or MARKETPLACE_URL.", self.base, e.without_url()))
        })?;
        let status = response.status();
        let text = response.text().unwrap_or_default();
        if status.is_success() {
            if text.is_empty() {
                return Ok(Value::Null);
            }
            return serde_json::from_str(&text)
                .map_err(|_| Stop(2, format!("The server at {} answered something other than the marketplace's API. Check --server.", self.base)));
        }
        let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        let error = &body["error"];
        let message = error["message"].as_str().map(str::to_owned).unwrap_or_else(|| format!("The server answered {status}."));
        let mut lines = vec![message];
        for v in error["violations"].as_array().into_iter().flatten() {
            lines.push(format!("  {}: {} [{}]", shown(&v["field"]), shown(&v["message"]), shown(&v["rule"])));
        }
        // 1: the server refused what was sent (its rules, a conflict, an unknown id); 2: the
        // tool could not go on (the token, the budget, the server itself).
        let code = if matches!(status.as_u16(), 400 | 404 | 409 | 422) { 1 } else { 2 };
        Err(Stop(code, lines.join("\n")))
    }

    fn get(&self, path: &str) -> Result<Value, Stop> {
        self.send(self.request(reqwest::Method::GET, path))
    }
}

/// Runs `command` against the server, printing what stopped it.
pub fn run(connection: &Connection, command: impl FnOnce(&Api) -> Result<(), Stop>) -> u8 {
    let Some(token) = connection.token.clone().filter(|t| !t.trim().is_empty()) else {
        eprintln!("Give an API token with --token or MARKETPLACE_TOKEN (Seller Console → API tokens).");
        return 2;
    };
    if let Err(why) = site_root(&connection.server) {
        eprintln!("{why}");
        return 2;
    }
    let client = Client::builder().timeout(Duration::from_secs(30)).build().expect("an HTTP client");
    if in_clear(&connection.server) {
        eprintln!("Warning: {} is not HTTPS; the token travels in clear.", terminal_safe(&connection.server));
    }
    let api = Api { client, base: connection.server.trim().trim_end_matches('/').to_owned(), token: token.trim().to_owned() };
    match command(&api) {
        Ok(()) => 0,
        Err(Stop(code, message)) => {
            eprintln!("{}", terminal_safe(&message));
            code
        }
    }
}

fn print(value: &Value) {
    // JSON escapes the C0 controls itself; DEL, the C1 controls and invisible characters are
    // written as escapes too.
    let json = serde_json::to_string_pretty(value).unwrap_or_default();
    let escaped: String = json
        .chars()
        .map(|c| if c.is_control() && c > '\u{1F}' || rules::text::is_invisible_format(c) { format!("\\u{:04x}", c as u32) } else { c.to_string() })
        .collect();
    println!("{escaped}");
}

/// Text from the server as a terminal may show it: control characters (but line breaks and
/// tabs) and invisible ones (direction overrides, zero-width characters) are written as
/// their code points, so no name or reason can rewrite what the terminal shows (a carriage
/// return and a right-to-left override made a rejection read "Approved: …").
pub fn terminal_safe(text: &str) -> String {
    text.chars()
        .map(|c| {
            let hidden = (c.is_control() && !matches!(c, '\n' | '\t')) || rules::text::is_invisible_format(c);
            if hidden { format!("<{}>", rules::text::code_point(c)) } else { c.to_string() }
        })
        .collect()
}

/// The server's address must be a site's root, over HTTP or HTTPS: said plainly, rather than
/// as the HTTP client's "builder error" or a 404 from a page's path.
fn site_root(server: &str) -> Result<(), String> {
    let example = "such as https://market.example (--server or MARKETPLACE_URL)";
    let url = reqwest::Url::parse(server.trim()).ok().filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some());
    match url {
        None => Err(format!("The server's address starts with https:// (or http:// on this machine), {example}.")),
        Some(url) if url.path() != "/" || url.query().is_some() => Err(format!("The server's address is the marketplace's own, without a page's path, {example}.")),
        Some(_) => Ok(()),
    }
}

/// Whether the token would cross a network in clear: plain HTTP to any host but this
/// machine's own (`localhost` or a loopback address, compared whole, not by prefix:
/// `http://localhost.example.net` is another machine).
fn in_clear(server: &str) -> bool {
    let Ok(url) = reqwest::Url::parse(server.trim()) else { return false };
    let host = url.host_str().unwrap_or_default().trim_start_matches('[').trim_end_matches(']');
    let this_machine = host.eq_ignore_ascii_case("localhost") || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback());
    url.scheme() == "http" && !this_machine
}

/// A string field of the server's answer, as a terminal may show it ([`terminal_safe`]).
fn shown(value: &Value) -> String {
    terminal_safe(value.as_str().unwrap_or(""))
}

fn product_file(file: &Path) -> Result<Value, Stop> {
    let product = read_product(file).map_err(|e| Stop(2, format!("{}: {e}", file.display())))?;
    Ok(serde_json::to_value(product).expect("a product writes as JSON"))
}

pub fn images(api: &Api) -> Result<(), Stop> {
    let answer = api.get("/images")?;
    for image in answer["images"].as_array().into_iter().flatten() {
        let state = if image["eligible"].as_bool() == Some(true) { "can be released".to_owned() } else { "cannot be released".to_owned() };
        println!("{}  {}  {}", shown(&image["id"]), shown(&image["name"]), state);
        for v in image["violations"].as_array().into_iter().flatten() {
            println!("    {} [{}]", shown(&v["message"]), shown(&v["rule"]));
        }
    }
    for asset in answer["assets"].as_array().into_iter().flatten() {
        println!("asset {}  image {}", shown(&asset["id"]), shown(&asset["image_id"]));
    }
    Ok(())
}

pub fn release_asset(api: &Api, image_id: &str) -> Result<(), Stop> {
    let asset = api.send(api.request(reqwest::Method::POST, "/assets").json(&json!({ "image_id": image_id })))?;
    println!("Released as image asset {}", shown(&asset["id"]));
    Ok(())
}

pub fn drafts(api: &Api, action: &DraftAction) -> Result<(), Stop> {
    match action {
        DraftAction::List => {
            let mut cursor = String::new();
            let mut listed = 0;
            loop {
                let page = api.get(&format!("/drafts?limit=200&cursor={cursor}"))?;
                for d in page["items"].as_array().into_iter().flatten() {
                    let problems = match d["problems"].as_i64() {
                        Some(1) => "1 problem".to_owned(),
                        Some(n) => format!("{n} problems"),
                        None => String::new(),
                    };
                    println!("{}  v{}  {}  {problems}", shown(&d["id"]), d["version"], d["name"].as_str().map_or("Untitled".to_owned(), terminal_safe));
                    listed += 1;
                }
                match page["next_cursor"].as_str() {
                    Some(next) => cursor = next.to_owned(),
                    None => break,
                }
            }
            if listed == 0 {
                println!("No drafts. `marketplace drafts push FILE` stores a product file as one.");
            }
        }
        DraftAction::Show { id } => print(&api.get(&format!("/drafts/{id}"))?),
        DraftAction::Push { file, id, version } => {
            let content = product_file(file)?;
            let saved = match id {
                None => api.send(api.request(reqwest::Method::POST, "/drafts").json(&json!({ "content": content })))?,
                Some(id) => {
                    let version = match version {
                        Some(v) => json!(v),
                        None => api.get(&format!("/drafts/{id}"))?["version"].clone(),
                    };
                    let body = json!({ "content": content, "version": version });
                    api.send(api.request(reqwest::Method::PUT, &format!("/drafts/{id}")).json(&body))?
                }
            };
            println!("Saved draft {} (version {})", shown(&saved["id"]), saved["version"]);
        }
        DraftAction::Delete { id } => {
            api.send(api.request(reqwest::Method::DELETE, &format!("/drafts/{id}")))?;
            println!("Deleted draft {id}");
        }
    }
    Ok(())
}

/// A new key for one run of `submit`. A pipeline that retries a step passes its own with
/// `--key` (such as its build id), so the retry answers the request the first try made.
fn new_key() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos()));
    hasher.write_u32(std::process::id());
    format!("cli-{:016x}", hasher.finish())
}

pub fn submit(api: &Api, file: &Path, wait: bool, key: Option<&str>) -> Result<(), Stop> {
    let content = product_file(file)?;
    let key = key.map(str::to_owned).unwrap_or_else(new_key);
    let request = api.send(api.request(reqwest::Method::POST, "/submissions").header("idempotency-key", &key).json(&content))?;
    let id = request["id"].as_str().unwrap_or_default().to_owned();
    println!("Submitted: request {id}, {}. {}", status_of(&request), due(&request));
    if wait {
        follow(api, &id)?;
    }
    Ok(())
}

/// When the review is due, in the console's words (R41, R42).
fn due(application: &Value) -> String {
    let busy = application["busy_day"].as_bool().unwrap_or(false);
    match application["due_at"].as_i64().map(|at| rules::review::due_by(at, busy)) {
        Some(by) if busy => format!("{by}: review may take longer (the {}th or later request of its day).", rules::request::BUSY_DAY_FROM),
        Some(by) => format!("{by}."),
        None => String::new(),
    }
}

/// A request's status, if the server's answer names one.
fn status_in(application: &Value) -> Option<rules::request::RequestStatus> {
    serde_json::from_value(application["status"].clone()).ok()
}

/// A request's status in the console's words ("Under review").
fn status_of(application: &Value) -> String {
    status_in(application).map_or_else(|| shown(&application["status"]), |s| s.label().to_owned())
}

/// Follows a request until it is decided, with a spinner on a terminal.
fn follow(api: &Api, id: &str) -> Result<(), Stop> {
    const FRAMES: [char; 4] = ['|', '/', '-', '\\'];
    let terminal = std::io::stderr().is_terminal();
    let mut last = String::new();
    for tick in 0usize.. {
        let detail = api.get(&format!("/applications/{id}"))?;
        let application = &detail["application"];
        let status = status_of(application);
        if status != last {
            if terminal {
                eprint!("\r");
            }
            println!("{status}");
            last = status.clone();
        }
        match status.as_str() {
            "Approved" => {
                println!("Approved: listed as product {}", shown(&application["product_id"]));
                return Ok(());
            }
            "Rejected" => return Err(Stop(1, format!("Rejected: {}", shown(&application["reason"])))),
            "Withdrawn" => return Err(Stop(1, "Withdrawn.".into())),
            _ => {}
        }
        if terminal {
            eprint!("\r{} waiting for the review. {}", FRAMES[tick % FRAMES.len()], due(application));
            let _ = std::io::stderr().flush();
        }
        std::thread::sleep(Duration::from_millis(if cfg!(debug_assertions) { 200 } else { 2000 }));
    }
    unreachable!("the loop returns")
}

pub fn status(api: &Api, id: &str) -> Result<(), Stop> {
    let detail = api.get(&format!("/applications/{id}"))?;
    let a = &detail["application"];
    println!("{}: {}", shown(&a["product_name"]), status_of(a));
    println!("submitted {}", a["submitted_at"].as_i64().map(format_utc).unwrap_or_default());
    if status_in(a).is_some_and(|s| s.is_pending()) {
        println!("{}", due(a));
    }
    for (label, key) in [("review started", "review_started_at"), ("decided", "decided_at"), ("withdrawn", "withdrawn_at")] {
        if let Some(at) = a[key].as_i64() {
            println!("{label} {}", format_utc(at));
        }
    }
    if let Some(reason) = a["reason"].as_str() {
        println!("reason: {}", terminal_safe(reason));
    }
    Ok(())
}

pub fn prices(api: &Api, action: &PriceAction) -> Result<(), Stop> {
    let product = match action {
        PriceAction::Set { product_id, prices } => {
            let prices: Value = serde_json::from_str(prices).map_err(|e| Stop(2, format!("PRICES is not JSON: {e}")))?;
            let product = api.get(&format!("/products/{product_id}"))?;
            let body = json!({ "version": product["version"], "prices": prices });
            let saved = api.send(api.request(reqwest::Method::PUT, &format!("/products/{product_id}/prices")).json(&body))?;
            println!("Prices of {product_id} saved: lower prices apply now.");
            saved
        }
        PriceAction::Cancel { product_id, increase_id } => {
            let path = format!("/products/{product_id}/scheduled/{increase_id}");
            let left = api.send(api.request(reqwest::Method::DELETE, &path))?;
            println!("Increase {increase_id} cancelled; the customers who bought {product_id} are told.");
            left
        }
    };
    let scheduled = product["scheduled"].as_array().cloned().unwrap_or_default();
    if !scheduled.is_empty() {
        println!("Increases waiting (customers who bought the product are told):");
    }
    for s in scheduled {
        let text = |key: &str| s[key].as_str().unwrap_or_default().to_owned();
        println!(
            "  {}: from {}, specification {}, {} vCPUs, {}: ${} → ${}",
            text("id"),
            text("from_day"),
            s["specification"].as_u64().unwrap_or_default() + 1,
            s["vcpus"],
            text("billing"),
            text("old_price"),
            text("new_price")
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{in_clear, terminal_safe};

    #[test]
    fn the_token_is_said_to_travel_in_clear_to_any_plain_http_host_but_this_machine() {
        for local in ["http://127.0.0.1:3000", "http://localhost:3000/", "http://LOCALHOST", "http://[::1]:8080", "http://127.8.9.10", "https://market.example"] {
            assert!(!in_clear(local), "{local}");
        }
        for remote in ["http://localhost.evil.example:9", "http://127.0.0.1.nip.io:9", "http://localhostx:9", "http://market.example", "http://[::2]"] {
            assert!(in_clear(remote), "{remote}");
        }
    }

    #[test]
    fn server_text_cannot_rewrite_the_terminal_line() {
        let reason = "Missing docs.\r\u{202E}Approved: listed as product 0\u{202C}\x1b[2K";
        assert_eq!(
            terminal_safe(reason),
            "Missing docs.<U+000D><U+202E>Approved: listed as product 0<U+202C><U+001B>[2K"
        );
        assert_eq!(terminal_safe("Two lines\n\tand a tab, café, 東京"), "Two lines\n\tand a tab, café, 東京");
    }
}
