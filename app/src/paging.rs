//! Lists that their owner can make grow without end (a seller's release requests, a buyer's
//! purchases) are read a page at a time, newest first, in SQL: a page costs the same however
//! long the list. A page after the first starts after the last item of the one before,
//! named by its time and id (`<time>.<id>`), so a page does not shift when items are added
//! meanwhile. The JSON API's cursors are the same.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Items shown on one page of the console's lists.
pub const PAGE_SIZE: usize = 50;

/// One page of a list, newest first, and where the next (older) page starts, if any.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Paged<T> {
    pub items: Vec<T>,
    /// The cursor of the next, older page; none on the last page.
    pub older: Option<String>,
}

/// Where a page starts: after the item with this time and id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct After {
    pub time: i64,
    pub id: String,
}

impl After {
    /// The cursor naming this position.
    pub fn cursor(time: i64, id: &str) -> String {
        format!("{time}.{id}")
    }

    /// A cursor read back; none when it is not one. Ids are short and of letters, digits,
    /// `-` and `_`, so a cursor goes into an address as it is.
    pub fn parse(cursor: &str) -> Option<After> {
        let (time, id) = cursor.split_once('.')?;
        let time = time.parse().ok()?;
        let id_like = (1..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        id_like.then(|| After { time, id: id.to_owned() })
    }

    /// The position before the first item: every item comes after it.
    pub fn start() -> After {
        After { time: i64::MAX, id: String::new() }
    }
}

/// The page from `rows`, read with `LIMIT limit + 1` after a position: the extra row, if
/// there, says an older page follows, starting after the last item kept.
pub fn split<T>(mut rows: Vec<T>, limit: usize, key: impl Fn(&T) -> (i64, &str)) -> Paged<T> {
    let more = rows.len() > limit;
    rows.truncate(limit);
    let older = if more { rows.last().map(|last| { let (time, id) = key(last); After::cursor(time, id) }) } else { None };
    Paged { items: rows, older }
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use super::After;
    use crate::error::AppError;

    /// The position a cursor names, or the start without one; a cursor that is not one is
    /// refused (400) rather than read as the start.
    pub fn after(cursor: Option<&str>) -> Result<After, AppError> {
        match cursor.filter(|c| !c.is_empty()) {
            None => Ok(After::start()),
            Some(cursor) => After::parse(cursor).ok_or_else(|| AppError::BadRequest("The cursor is not valid.".into())),
        }
    }

    /// The rows of one page, read in SQL: `select` (a query ending in a `WHERE` whose `$1`
    /// names the list's owner, `owner`) narrowed to rows after `after` in the order
    /// `time DESC, id`, with one row more than `limit`, for [`super::split`].
    pub async fn rows_after<R>(
        db: &crate::store::Db,
        select: &str,
        owner: &str,
        (time, id): (&str, &str),
        after: &After,
        limit: usize,
    ) -> Result<Vec<R>, sqlx::Error>
    where
        R: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
    {
        // `{time} <= $2` too: the same rows, said as a range an index on (owner, time) reads
        // from its place, where the OR alone has it walk every newer row first.
        let sql = format!("{select} AND {time} <= $2 AND ({time} < $2 OR ({time} = $2 AND {id} > $3)) ORDER BY {time} DESC, {id} LIMIT $4");
        sqlx::query_as(&sql).bind(owner).bind(after.time).bind(&after.id).bind(limit as i64 + 1).fetch_all(db).await
    }
}

/// The page's cursor from its address (`?before=`), when it is a valid one.
pub fn cursor_from_query() -> Option<String> {
    leptos_router::hooks::use_query_map().with_untracked(|q| q.get("before")).filter(|c| After::parse(c).is_some())
}

/// A page of a list once `load` answers: `empty()` (what to do next) when the list holds
/// nothing at all, else `show(items)` (or a line saying there are no older ones) with the
/// links between pages; or what went wrong.
pub fn paged_list<T: Send + 'static>(
    load: impl std::future::Future<Output = Result<Paged<T>, crate::error::AppError>> + Send + 'static,
    (path, noun): (&'static str, &'static str),
    older_page: bool,
    empty: impl FnOnce() -> AnyView + Send + 'static,
    show: impl FnOnce(Vec<T>) -> AnyView + Send + 'static,
) -> impl IntoView {
    crate::components::loaded::loaded(load, move |page: Paged<T>| {
        if page.items.is_empty() && !older_page {
            return empty();
        }
        view! {
            {if page.items.is_empty() {
                view! { <p class="muted">{format!("There are no older {noun}.")}</p> }.into_any()
            } else {
                show(page.items)
            }}
            <Pager path noun older_page older=page.older />
        }
        .into_any()
    })
}

/// Links between the pages of a list: to the newest page from an older one, and to the
/// next, older page when there is one.
#[component]
pub fn Pager(
    /// The list's address, with the query that chooses what it shows, if any (not `before`).
    path: &'static str,
    /// What the list holds, for the links' names ("requests", "purchases").
    noun: &'static str,
    /// Whether this is an older page.
    older_page: bool,
    /// The next, older page's cursor.
    older: Option<String>,
) -> impl IntoView {
    (older_page || older.is_some()).then(|| view! {
        <nav class="pagination" aria-label=format!("Pages of {noun}")>
            {older_page.then(|| view! { <a href=path rel="first">{format!("← Newest {noun}")}</a> })}
            {older.map(|cursor| {
                let join = if path.contains('?') { '&' } else { '?' };
                view! { <a href=format!("{path}{join}before={cursor}") rel="next">{format!("Older {noun} →")}</a> }
            })}
        </nav>
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_keeps_its_limit_and_names_where_the_next_starts() {
        let rows: Vec<(i64, String)> = (0..4).map(|n| (100 - n, format!("r{n}"))).collect();
        let page = split(rows.clone(), 3, |r| (r.0, r.1.as_str()));
        assert_eq!(page.items.len(), 3);
        assert_eq!(page.older.as_deref(), Some("98.r2"));
        assert_eq!(After::parse("98.r2"), Some(After { time: 98, id: "r2".into() }));
        let last = split(rows[..3].to_vec(), 3, |r| (r.0, r.1.as_str()));
        assert_eq!(last.older, None, "no extra row: the last page");
        for bad in ["", "98", "x.r2", "98.", "98.r2&x=1", &format!("1.{}", "a".repeat(65))] {
            assert_eq!(After::parse(bad), None, "{bad:?}");
        }
    }

    // Rendering to HTML needs the server's half (`cargo test -p app -p server` builds it so).
    #[cfg(feature = "ssr")]
    #[test]
    fn the_next_page_keeps_the_query_that_chose_the_list() {
        let html = |path: &'static str| {
            leptos::prelude::Owner::new().with(|| view! { <Pager path noun="decisions" older_page=true older=Some("98.r2".to_owned()) /> }.to_html())
        };
        let chosen = html("/review/decided?decision=approved");
        assert!(chosen.contains(r#"href="/review/decided?decision=approved&amp;before=98.r2""#), "{chosen}");
        assert!(chosen.contains(r#"href="/review/decided?decision=approved" rel="first""#), "{chosen}");
        let every = html("/review/decided");
        assert!(every.contains(r#"href="/review/decided?before=98.r2""#), "{every}");
    }
}
