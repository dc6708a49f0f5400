//! The `marketplace` binary as a seller runs it: offline against files (R65), and against a
//! real server on a real database (SQLite, or PostgreSQL when TEST_DATABASE_URL names one)
//! with an API token (R66).

use app::auth::{ssr::create_account, Role};
use app::tokens::Scope;
use std::path::PathBuf;
use std::process::{Command, Output};

fn marketplace(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_marketplace"));
    command.args(args).env_remove("MARKETPLACE_URL").env_remove("MARKETPLACE_TOKEN");
    for (k, v) in env {
        command.env(k, v);
    }
    command.output().expect("run marketplace")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A folder of a test's own, removed with everything in it when the test is done.
struct Folder(PathBuf);

impl std::ops::Deref for Folder {
    type Target = PathBuf;
    fn deref(&self) -> &PathBuf {
        &self.0
    }
}

impl Drop for Folder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn folder(name: &str) -> Folder {
    let dir = std::env::temp_dir().join(format!("marketplace-cli-{name}-{}", app::store::new_id()));
    std::fs::create_dir_all(&dir).unwrap();
    Folder(dir)
}

#[test]
fn r65_validate_checks_files_offline_with_the_rule_books_messages_and_exit_codes() {
    let dir = folder("offline");
    let good = dir.join("product.json");
    let out = marketplace(&["init", good.to_str().unwrap(), "--force"], &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = marketplace(&["validate", good.to_str().unwrap()], &[]);
    assert_eq!(out.status.code(), Some(0), "{}{}", text(&out.stdout), text(&out.stderr));
    assert!(text(&out.stdout).contains("valid"));

    // Each violation with file, field and rule, in the wizard's words.
    let broken = dir.join("broken.json");
    let mut product = cli_example();
    product.name = String::new();
    product.specifications[0].regions = vec!["moon-base".into()];
    std::fs::write(&broken, serde_json::to_string(&product).unwrap()).unwrap();
    let out = marketplace(&["validate", good.to_str().unwrap(), broken.to_str().unwrap()], &[]);
    assert_eq!(out.status.code(), Some(1));
    let expected = app::rules::release::check_draft(&product, &app::rules::release::ReleaseContext {
        assets: product.specifications.iter().map(|s| (s.asset_id.clone(), app::rules::release::AssetAvailability::Available)).collect(),
        ..Default::default()
    });
    assert!(expected.len() >= 2);
    let stdout = text(&out.stdout);
    for v in &expected {
        let line = format!("{}: {}: {} [{}]", broken.display(), v.field, v.message, v.rule);
        assert!(stdout.contains(&line), "missing {line:?} in {stdout}");
    }
    // For machines: one JSON object per file.
    let out = marketplace(&["validate", "--json", broken.to_str().unwrap()], &[]);
    let answer: serde_json::Value = serde_json::from_str(text(&out.stdout).trim()).unwrap();
    assert_eq!(answer["valid"], false);
    assert_eq!(answer["violations"].as_array().unwrap().len(), expected.len());
    // A file that is not a product file: exit 2, saying why.
    let junk = dir.join("junk.json");
    std::fs::write(&junk, "{ not json").unwrap();
    for file in [junk.to_str().unwrap(), "/no/such/file.json"] {
        let out = marketplace(&["validate", file], &[]);
        assert_eq!(out.status.code(), Some(2));
        assert!(!text(&out.stderr).is_empty());
    }
    // The schema an editor uses is JSON Schema of the same fields.
    let out = marketplace(&["schema"], &[]);
    let schema: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(schema["$schema"], "https://json-schema.org/draft/2020-12/schema");
    for field in ["name", "summary", "pricing_mode", "specifications"] {
        assert!(schema["properties"][field].is_object(), "{field}");
    }
    assert!(schema["$defs"]["SpecificationDraft"]["properties"]["tiers"].is_object());
}

fn cli_example() -> app::rules::release::ProductDraft {
    let dir = folder("example");
    let file = dir.join("example.json");
    marketplace(&["init", file.to_str().unwrap(), "--force"], &[]);
    serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap()
}

/// A server on a fresh database, as `server::main` runs one.
async fn server() -> (String, app::store::Db, Folder) {
    let dir = folder("db");
    let admin = std::env::var("TEST_DATABASE_URL").ok().filter(|u| u.starts_with("postgres"));
    let name = format!("cli_{}", &app::store::new_id()[..12]);
    let url = server::database::fresh(admin.as_deref(), &name, &dir).await.unwrap();
    let (db, addr) = server::start_local(&url, &dir, &[]).await.unwrap();
    (format!("http://{addr}"), db, dir)
}

#[tokio::test(flavor = "multi_thread")]
async fn r66_the_tool_submits_a_product_file_and_follows_the_request_until_it_is_decided() {
    let (url, db, _database_folder) = server().await;
    let seller = create_account(&db, "cli-seller@example.test", "CLI Seller", Role::Seller, "a long password here").await.unwrap();
    let reviewer = create_account(&db, "cli-reviewer@example.test", "CLI Reviewer", Role::Reviewer, "a long password here").await.unwrap();
    let all = app::tokens::ssr::create(&db, &seller.id, "ci", 30, &Scope::ALL).await.unwrap().secret;
    let read_only = app::tokens::ssr::create(&db, &seller.id, "ro", 30, &[Scope::Read]).await.unwrap().secret;
    let image = app::rules::asset::PrivateImage::eligible("img-cli", "cli image");
    app::cloud::insert_private_image(&db, &seller.id, &image).await.unwrap();
    let env = [("MARKETPLACE_URL", url.as_str()), ("MARKETPLACE_TOKEN", all.as_str())];
    let run = |args: Vec<String>, env: Vec<(String, String)>| async move {
        tokio::task::spawn_blocking(move || {
            let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            marketplace(&args.iter().map(String::as_str).collect::<Vec<_>>(), &env)
        })
        .await
        .unwrap()
    };
    let owned = |e: &[(&str, &str)]| e.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<Vec<_>>();
    let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();

    let out = run(args(&["images"]), owned(&env)).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("img-cli") && text(&out.stdout).contains("can be released"));
    let out = run(args(&["release-asset", "img-cli"]), owned(&env)).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let asset_id: String = sqlx::query_scalar("SELECT id FROM image_assets").fetch_one(&db).await.unwrap();

    let dir = folder("remote");
    let file = dir.join("product.json");
    let mut product = cli_example();
    // The example's vCPU-priced specification, whose prices change below.
    product.specifications.remove(0);
    product.specifications[0].asset_id = asset_id;
    std::fs::write(&file, serde_json::to_string(&product).unwrap()).unwrap();

    // A missing scope and an unreachable server are told plainly (exit 2).
    let out = run(args(&["submit", file.to_str().unwrap()]), owned(&[("MARKETPLACE_URL", &url), ("MARKETPLACE_TOKEN", &read_only)])).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("submit scope"), "{}", text(&out.stderr));
    let out = run(args(&["images", "--server", "http://127.0.0.1:9"]), owned(&env)).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("could not be reached"), "{}", text(&out.stderr));

    // Submitted and followed: a reviewer approves meanwhile.
    let follower = tokio::spawn(run(args(&["submit", file.to_str().unwrap(), "--wait", "--key", "build-7"]), owned(&env)));
    let request_id = loop {
        let found: Option<String> = sqlx::query_scalar("SELECT id FROM release_requests").fetch_optional(&db).await.unwrap();
        if let Some(id) = found {
            break id;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    app::reviews::ssr::decide(&db, &reviewer.id, &request_id, app::rules::request::RequestAction::Approve, "").await.unwrap();
    let out = follower.await.unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains(&format!("request {request_id}, Submitted.")), "{stdout}");
    // The due date in the console's words (R41): the last minute of the working day.
    let submitted_at: i64 = sqlx::query_scalar("SELECT submitted_at FROM release_requests WHERE id = $1").bind(&request_id).fetch_one(&db).await.unwrap();
    let calendar = app::rules::review::WorkCalendar { utc_offset_minutes: 0, holidays: vec![] };
    let due = app::rules::review::due_by(calendar.review_due(submitted_at), false);
    assert!(due.starts_with("Due by ") && due.ends_with(" 23:59 UTC"), "{due}");
    assert!(stdout.contains(&format!("{due}.")), "{stdout}");
    assert!(stdout.contains("Approved: listed as product"), "{stdout}");
    // The pipeline's step retried with its key answers the same request, not a second one.
    let out = run(args(&["submit", file.to_str().unwrap(), "--key", "build-7"]), owned(&env)).await;
    assert!(out.status.success() && text(&out.stdout).contains(&request_id), "{}{}", text(&out.stdout), text(&out.stderr));
    // The same key with other content is refused; so is the same file as a new submission,
    // whose image the first request now holds (R20), with the field and rule.
    let mut changed = product.clone();
    changed.name = "Another name".into();
    let other = dir.join("other.json");
    std::fs::write(&other, serde_json::to_string(&changed).unwrap()).unwrap();
    let out = run(args(&["submit", other.to_str().unwrap(), "--key", "build-7"]), owned(&env)).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("used for another submission"), "{}", text(&out.stderr));
    let out = run(args(&["submit", file.to_str().unwrap()]), owned(&env)).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("[R20]"), "{}", text(&out.stderr));
    let out = run(args(&["status", &request_id]), owned(&env)).await;
    assert!(text(&out.stdout).contains("Approved"));
    // New prices: the decrease applies now, the increase waits and can be cancelled (R70, R73).
    let product_id: String = sqlx::query_scalar("SELECT id FROM products").fetch_one(&db).await.unwrap();
    let prices = r#"[[["0.20","100","1200"],["0.40","300","2400"]]]"#;
    let out = run(args(&["prices", "set", &product_id, prices]), owned(&env)).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("lower prices apply now") && stdout.contains("4 vCPUs, Monthly: $240.00 → $300.00"), "{stdout}");
    let increase: String = sqlx::query_scalar("SELECT id FROM scheduled_prices").fetch_one(&db).await.unwrap();
    assert!(stdout.contains(&format!("{increase}: from ")), "{stdout}");
    let out = run(args(&["prices", "cancel", &product_id, &increase]), owned(&env)).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("cancelled") && !text(&out.stdout).contains("waiting"), "{}", text(&out.stdout));
    let out = run(args(&["prices", "cancel", &product_id, &increase]), owned(&env)).await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    // A revoked token is refused with a message saying so.
    sqlx::query("UPDATE api_tokens SET revoked_at = 1").execute(&db).await.unwrap();
    let out = run(args(&["status", &request_id]), owned(&env)).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("revoked"));
}

#[test]
fn output_into_a_reader_that_stops_early_ends_quietly_not_with_a_panic() {
    use std::process::Stdio;
    // The reading end is closed before the tool writes (as `marketplace … | head` ends).
    let mut child = Command::new(env!("CARGO_BIN_EXE_marketplace")).arg("schema").stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = text(&out.stderr);
    assert!(!stderr.contains("panicked") && !stderr.contains("Broken pipe"), "{stderr}");
}

#[test]
fn a_server_address_that_is_not_a_sites_root_is_said_plainly() {
    for (server, says) in [
        ("127.0.0.1:3000", "starts with https://"),
        ("market.example", "starts with https://"),
        ("ftp://market.example", "starts with https://"),
        ("http://127.0.0.1:3000/console", "without a page's path"),
    ] {
        let out = marketplace(&["images"], &[("MARKETPLACE_URL", server), ("MARKETPLACE_TOKEN", "mkt_x")]);
        assert_eq!(out.status.code(), Some(2), "{server}");
        assert!(text(&out.stderr).contains(says), "{server}: {}", text(&out.stderr));
    }
}
