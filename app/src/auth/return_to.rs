//! Where a sign-in sends the browser on: back to the page of this site a signed-out visitor
//! asked for, if the account may open it.

use super::Role;

/// Where a sign-in returns to: the page of this site a signed-out visitor asked for
/// (`/sign-in?next=…`), never another site. None when `next` is not a plain address of one
/// of this site's pages: a path of letters, digits, `-`, `_` and single `/` (so no `//host`,
/// `/\host` or dot segments, and no tab or line break, which a browser drops before it
/// reads an address), not sign-in itself or a server function, with a plain query (no
/// `%`-escapes) whose names never start with `__` (those carry a form's error, which the
/// page would show as the site's own words).
pub fn return_path(next: &str) -> Option<&str> {
    let (path, query) = next.split_once('?').unwrap_or((next, ""));
    let segment = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    let plain_path = path == "/" || (path.starts_with('/') && path[1..].split('/').all(segment));
    let plain_query = query.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.=&".contains(&b))
        && query.split('&').all(|pair| !pair.starts_with("__"));
    let page = !path.starts_with("/sign-in") && !path.starts_with("/api/");
    (next.len() <= 2_000 && plain_path && plain_query && page).then_some(next)
}

/// Whether an account of `role` may open the page at `path`: the console is for sellers, the
/// review queue for reviewers. A sign-in returns only to a page the account can open.
pub fn may_open(role: Role, path: &str) -> bool {
    let under = |area: &str| path == area || path.starts_with(&format!("{area}/")) || path.starts_with(&format!("{area}?"));
    match role {
        Role::Seller => !under("/review"),
        Role::Reviewer => !under("/console") && !under("/purchases"),
        Role::Customer => !under("/console") && !under("/review"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sign_in_returns_only_to_a_plain_page_of_this_site_that_the_account_can_open() {
        for here in ["/", "/console/applications/9f0e-ab_1", "/console/applications?before=1.abc", "/products/x?kind=price-changed"] {
            assert_eq!(return_path(here), Some(here));
        }
        for elsewhere in [
            "", "console", "//evil.example", "/\\evil.example", "/\t/evil.example", "/./x", "/..//evil.example", "/%2e%2e/x",
            "/a//b", "/sign-in", "/api/session/sign-out", "https://evil.example", "/console/assets?__err=e30", "/x?a=1&__path=/api",
            "/x?a=<b>", "/caf\u{e9}", "/x?%5F%5Ferr=e30",
        ] {
            assert_eq!(return_path(elsewhere), None, "{elsewhere:?}");
        }
        assert!(may_open(Role::Seller, "/console/products") && !may_open(Role::Customer, "/console/products"));
        assert!(may_open(Role::Reviewer, "/review/abc") && !may_open(Role::Seller, "/review?x=1"));
        assert!(may_open(Role::Customer, "/purchases") && !may_open(Role::Reviewer, "/purchases"));
        assert!(may_open(Role::Customer, "/reviewers-guide"), "a page merely starting alike is not the area");
    }
}
