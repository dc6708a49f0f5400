//! Pages render on the server, readable without JavaScript.

use crate::helpers::TestApp;
use app::auth::Role;
use app::cloud::insert_private_image;
use app::rules::asset::{DiskKind, ImageOrigin, PrivateImage};

#[tokio::test]
async fn the_public_marketplace_home_renders_for_a_signed_out_visitor() {
    let app = TestApp::spawn().await;
    let response = app.get(&app.client(), "/").await;
    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    assert!(html.contains("<title>Virtual-machine images · Marketplace</title>"), "{html}");
    assert!(html.contains("No products are listed yet"));
}

#[tokio::test]
async fn a_signed_out_visitor_is_sent_from_the_console_to_sign_in_and_back_to_the_page_asked_for() {
    let app = TestApp::spawn().await;
    let response = app.get(&app.client(), "/console/applications?before=1.abc").await;
    assert_eq!(response.status(), 302);
    assert_eq!(response.headers()["location"], "/sign-in?next=%2Fconsole%2Fapplications%3Fbefore%3D1.abc");
    let page = app.get(&app.client(), "/sign-in?next=%2Fconsole%2Fapplications%3Fbefore%3D1.abc").await.text().await.unwrap();
    assert!(page.contains(r#"name="next" value="/console/applications?before=1.abc""#), "{page}");
    // A form sent after its session ended comes back with its error in the address: the way
    // back leaves it out, so it is not refused (and the visitor is not left on another page).
    let browser = app.client();
    let (back, _) = app.failed_form(&browser, "messages/read", &[("id", "m1")], "/console/messages").await;
    let refused = app.get(&browser, &back).await;
    assert_eq!(refused.headers()["location"], "/sign-in?next=%2Fconsole%2Fmessages", "from {back}");

    // Signed in from that form (no script), the browser goes back there; to another site or
    // anything that is not a plain path here, never: to the account's home page instead.
    let account = app.account(Role::Seller).await;
    let sign_in = |next: &'static str| {
        let (app, email) = (&app, account.email.clone());
        async move {
            let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
            let response = client
                .post(format!("{}/api/session/sign-in", app.address))
                .header("accept", "text/html")
                .header("referer", format!("{}/sign-in", app.address))
                .form(&[("email", email.as_str()), ("password", crate::helpers::PASSWORD), ("next", next)])
                .send()
                .await
                .unwrap();
            assert!(response.status().is_redirection(), "{}", response.status());
            response.headers()["location"].to_str().unwrap().to_owned()
        }
    };
    assert_eq!(sign_in("/console/applications?before=1.abc").await, "/console/applications?before=1.abc");
    // A form's error riding along (`__err`) would be shown as the site's own words: refused too.
    for elsewhere in [
        "//evil.example/", "/\\evil.example", "/\t/evil.example", "https://evil.example/", "/sign-in", "/api/session/sign-out", "console",
        "/console/assets?__path=/api/images/release&__err=e30", "/.//evil.example", "/review",
    ] {
        assert_eq!(sign_in(elsewhere).await, "/console/products", "{elsewhere:?}");
    }
    let page = app.get(&app.client(), "/sign-in?next=%2Fconsole%2Fassets%3F__err%3De30").await.text().await.unwrap();
    assert!(!page.contains(r#"name="next""#), "the form does not carry it either");
}

#[tokio::test]
async fn a_failed_sign_in_without_script_comes_back_with_the_email_typed_and_a_success_forgets_it() {
    let app = TestApp::spawn().await;
    let account = app.account(Role::Seller).await;
    let client = reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let post = |email: String, password: &'static str| {
        let (app, client) = (&app, &client);
        async move {
            let response = client
                .post(format!("{}/api/session/sign-in", app.address))
                .header("accept", "text/html")
                .header("referer", format!("{}/sign-in", app.address))
                .form(&[("email", email.as_str()), ("password", password)])
                .send()
                .await
                .unwrap();
            assert!(response.status().is_redirection(), "{}", response.status());
            response
        }
    };
    let typed_email_cookies = |response: &reqwest::Response| -> Vec<String> {
        let cookies = response.headers().get_all("set-cookie").iter();
        cookies.map(|c| c.to_str().unwrap().to_owned()).filter(|c| c.starts_with("sign_in_email=")).collect()
    };

    // Hostile text typed as the email is drawn escaped, in the field, with the password focused.
    let hostile = r#"x"><script>alert(1)</script>@example.com"#.to_owned();
    let failed = post(hostile.clone(), "wrong").await;
    let cookies = typed_email_cookies(&failed);
    assert_eq!(cookies.len(), 1, "{cookies:?}");
    assert!(cookies[0].contains("Path=/sign-in") && cookies[0].contains("HttpOnly") && cookies[0].contains("Max-Age=600"), "{cookies:?}");
    let back = failed.headers()["location"].to_str().unwrap().to_owned();
    assert!(back.contains("__err="), "{back}");
    let page = client.get(format!("{}{}", app.address, back.trim_start_matches(app.address.as_str()))).send().await.unwrap();
    assert_eq!(page.headers()["cache-control"], "no-store", "the page shows what was typed");
    let page = page.text().await.unwrap();
    assert!(page.contains(r#"value="x&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;@example.com""#), "{page}");
    assert!(!page.contains("<script>alert"), "{page}");
    assert!(page.contains(r#"autocomplete="current-password" required maxlength="1024" autofocus"#), "{page}");
    // Without a failure to show, the page does not offer it.
    let fresh = client.get(format!("{}/sign-in", app.address)).send().await.unwrap().text().await.unwrap();
    assert!(!fresh.contains("alert(1)"), "{fresh}");

    // Signed in, the kept email is forgotten.
    let signed_in = post(account.email.clone(), crate::helpers::PASSWORD).await;
    assert_eq!(signed_in.headers()["location"], "/console/products");
    let cookies = typed_email_cookies(&signed_in);
    assert!(cookies.len() == 1 && cookies[0].contains("Max-Age=0"), "{cookies:?}");
}

#[tokio::test]
async fn a_reviewer_is_refused_the_seller_console_and_a_seller_the_review_queue() {
    let app = TestApp::spawn().await;
    let (_, reviewer) = app.signed_in(Role::Reviewer).await;
    let (_, seller) = app.signed_in(Role::Seller).await;
    assert_eq!(app.get(&reviewer, "/console/assets").await.status(), 403);
    assert_eq!(app.get(&seller, "/review").await.status(), 403);
    assert_eq!(app.get(&reviewer, "/review").await.status(), 200);
}

#[tokio::test]
async fn the_image_assets_page_shows_each_rule_an_image_breaks_without_javascript() {
    let app = TestApp::spawn().await;
    let (seller, client) = app.signed_in(Role::Seller).await;
    let image = PrivateImage {
        id: "enc".into(),
        name: "encrypted-one".into(),
        region: "eu-dublin".into(),
        os: "Debian 12".into(),
        size_bytes: 10 << 30,
        disk_kind: DiskKind::System,
        origin: ImageOrigin::PublicImage,
        shared: false,
        encrypted: true,
        released: false,
    };
    insert_private_image(&app.db, &seller.id, &image).await.unwrap();

    let response = app.get(&client, "/console/assets").await;

    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    assert!(html.contains("encrypted-one"));
    assert!(html.contains("Encrypted images cannot be released."), "{html}");
    assert!(!html.contains("Loading your images"), "the page is sent whole, not as a loading state");
    assert!(html.contains("My Applications") && html.contains("Product Management"));
}

#[tokio::test]
async fn an_unknown_page_is_a_404() {
    let app = TestApp::spawn().await;
    let (_, seller) = app.signed_in(Role::Seller).await;
    let response = app.get(&seller, "/no/such/page").await;
    assert_eq!(response.status(), 404);
    let html = response.text().await.unwrap();
    assert!(html.contains("Page not found"));
    assert!(html.contains("Sign out"), "the 404 page still knows who is signed in");
}

#[tokio::test]
async fn a_console_page_for_a_product_or_request_that_is_not_there_says_so_in_its_heading() {
    let app = TestApp::spawn().await;
    let (_, seller) = app.signed_in(Role::Seller).await;
    let (_, reviewer) = app.signed_in(Role::Reviewer).await;
    for (client, path, heading, message) in [
        (&seller, "/console/products/nope", "Product not found", "The product was not found."),
        (&seller, "/console/applications/nope", "Release request not found", "The release request was not found."),
        (&reviewer, "/review/nope", "Release request not found", "The release request was not found."),
    ] {
        let response = app.get(client, path).await;
        assert_eq!(response.status(), 404, "{path}");
        let html = response.text().await.unwrap();
        // (Leptos may follow the text with a marker, `<!>`.)
        assert!(html.contains(&format!("<h1>{heading}<")), "{path}: {html}");
        assert!(html.contains(&format!("<title>{heading} · Marketplace</title>")), "{path}");
        assert!(html.contains(message), "{path}");
    }
}

/// A page whose resource is first polled while Leptos generates a route list waits forever
/// (leptos-rs/leptos#4773): generating one sets a process-wide flag. Every test server
/// of this process shares one route list, generated once (`server::router`), so no page
/// renders during that window. Rendering each page many times at once, while other tests
/// start their servers, shows whether any response stalls: none ever takes 40 s.
#[tokio::test]
async fn pages_rendered_many_times_at_once_all_finish() {
    use futures::stream::{self, StreamExt};
    const ROUNDS: usize = 100;
    let app = TestApp::spawn().await;
    let (_, seller) = app.signed_in(Role::Seller).await;
    let (_, reviewer) = app.signed_in(Role::Reviewer).await;
    let visitor = app.client();
    let cases = [
        (&visitor, "/", 200),
        (&visitor, "/console/assets", 302),
        (&seller, "/console/assets", 200),
        (&seller, "/console/drafts", 200),
        (&reviewer, "/console/assets", 403),
        (&reviewer, "/review", 200),
    ];
    let stalled: Vec<String> = stream::iter((0..ROUNDS).flat_map(|_| cases.iter()))
        .map(|(client, path, status)| {
            let app = &app;
            async move {
                let request = async {
                    let response = app.get(client, path).await;
                    assert_eq!(response.status(), *status, "{path}");
                    response.text().await.unwrap()
                };
                match tokio::time::timeout(std::time::Duration::from_secs(40), request).await {
                    Ok(html) if *status == 302 || html.contains("</html>") => None,
                    Ok(html) => Some(format!("{path}: incomplete page of {} bytes", html.len())),
                    Err(_) => Some(format!("{path}: no complete response in 40 s")),
                }
            }
        })
        .buffer_unordered(24)
        .filter_map(|outcome| async move { outcome })
        .collect()
        .await;
    assert!(stalled.is_empty(), "{} of {} responses stalled: {stalled:?}", stalled.len(), ROUNDS * cases.len());
}

#[tokio::test]
async fn a_page_loads_its_scripts_only_when_it_has_an_island() {
    let app = TestApp::spawn().await;
    let home = app.get(&app.client(), "/").await.text().await.unwrap();
    assert!(!home.contains("modulepreload") && !home.contains("type=\"module\""), "the public home loads no script");
    assert!(!home.contains("island-scripts"), "the unused template is removed");

    let (_, seller) = app.signed_in(Role::Seller).await;
    let assets = app.get(&seller, "/console/assets").await.text().await.unwrap();
    assert!(assets.contains("<leptos-island"));
    assert!(assets.contains("modulepreload") && assets.contains("type=\"module\""), "an island's page loads the WASM");
    assert!(!assets.contains("island-scripts"), "the scripts take the template's place");
    let applications = app.get(&seller, "/console/applications").await.text().await.unwrap();
    assert!(!applications.contains("modulepreload"), "a plain list loads no script");
}

#[tokio::test]
async fn pages_and_server_function_answers_are_compressed_as_the_browser_asks() {
    let app = TestApp::spawn().await;
    let (_, client) = app.signed_in(Role::Customer).await;
    for encoding in ["br", "gzip"] {
        let page = client.get(format!("{}/", app.address)).header("accept-encoding", encoding).send().await.unwrap();
        assert_eq!(page.headers()["content-encoding"], encoding);
        let account = client
            .post(format!("{}/api/session/current", app.address))
            .header("accept-encoding", encoding)
            .header("content-type", "application/x-www-form-urlencoded")
            .send()
            .await
            .unwrap();
        assert_eq!(account.status(), 200);
        assert_eq!(account.headers().get("content-encoding").map(|v| v.to_str().unwrap()), Some(encoding));
    }
    let plain = client.get(format!("{}/", app.address)).header("accept-encoding", "identity").send().await.unwrap();
    assert!(plain.headers().get("content-encoding").is_none());
}

#[tokio::test]
async fn a_request_id_sent_by_a_client_is_kept_only_when_it_is_a_plain_short_id() {
    let app = TestApp::spawn().await;
    let id_for = |sent: String| {
        let app = &app;
        async move {
            let response = app.client().get(format!("{}/health", app.address)).header("x-request-id", sent).send().await.unwrap();
            response.headers()["x-request-id"].to_str().unwrap().to_owned()
        }
    };
    assert_eq!(id_for("proxy-7f3a.1_b".into()).await, "proxy-7f3a.1_b", "a proxy's id is kept for its logs");
    for odd in ["<script>alert(1)</script>".to_owned(), "Z".repeat(65), "a b".into()] {
        let given = id_for(odd.clone()).await;
        assert!(given.len() == 16 && given.bytes().all(|b| b.is_ascii_hexdigit()), "{odd:?} became {given:?}");
    }
}

/// Leptos keeps the current reactive owner in a thread-local, and a page's render can leave
/// its owner there. A file answered next on that thread (Leptos's file handler, behind the
/// fallback) made its owner a child of the page's and took the page's response options: the
/// favicon went out with the page's Content-Security-Policy, and the page without one, its
/// scripts blocked. Each request now runs under an owner of its own.
#[tokio::test]
async fn a_file_answered_where_a_page_left_its_owner_takes_nothing_of_the_page() {
    use http::header::CONTENT_SECURITY_POLICY;
    use leptos::prelude::{provide_context, Owner};
    use tower::ServiceExt;

    let site = std::env::temp_dir().join(format!("marketplace-owner-{}", std::process::id()));
    std::fs::create_dir_all(&site).unwrap();
    std::fs::write(site.join("favicon.svg"), "<svg xmlns=\"http://www.w3.org/2000/svg\"/>").unwrap();
    let url = crate::helpers::fresh_database_url().await;
    let config = server::config::Config::from_lookup(|name| match name {
        "DATABASE_URL" => Some(url.clone()),
        "DEMO_DATA" => Some("off".into()),
        _ => None,
    })
    .unwrap();
    let db = server::prepare_database(&config).await.unwrap();
    let options = leptos::config::LeptosOptions::builder().output_name("marketplace").site_root(site.display().to_string()).build();
    let router = server::router(server::app_state(db.clone(), &config, options));

    // This test's runtime has one thread: the router runs where the page's owner was left.
    let page = Owner::new();
    let page_options = leptos_axum::ResponseOptions::default();
    page.with(|| provide_context(page_options.clone()));
    page_options.insert_header(CONTENT_SECURITY_POLICY, http::HeaderValue::from_static("the page's own policy"));
    page.set();
    let request = http::Request::get("/favicon.svg").body(axum::body::Body::empty()).unwrap();
    let response = router.clone().oneshot(request).await.unwrap();
    page.unset();

    assert_eq!(response.status(), 200);
    assert_ne!(response.headers().get(CONTENT_SECURITY_POLICY).unwrap(), "the page's own policy");
    assert!(page_options.0.read().unwrap().headers.contains_key(CONTENT_SECURITY_POLICY), "the page keeps its policy");

    // The icon is the same for everyone, signed in or not: kept a day, by any cache.
    for cookie in [None, Some("mp_session=whoever")] {
        let mut request = http::Request::get("/favicon.svg");
        if let Some(cookie) = cookie {
            request = request.header(http::header::COOKIE, cookie);
        }
        let response = router.clone().oneshot(request.body(axum::body::Body::empty()).unwrap()).await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers().get(http::header::CACHE_CONTROL).unwrap(), "public, max-age=86400", "{cookie:?}");
        let vary: Vec<_> = response.headers().get_all(http::header::VARY).iter().filter_map(|v| v.to_str().ok()).collect();
        assert!(!vary.iter().any(|v| v.contains("cookie")), "{cookie:?}: {vary:?}");
    }
    db.close().await;
    let _ = std::fs::remove_dir_all(&site);
}
