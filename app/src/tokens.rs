//! API tokens (R60): a seller makes one with a name, scopes and an expiry, sees its secret
//! once, and revokes it. Tokens open `/api/v1` only (the server's `api` module), never a
//! console page; session cookies never open the API.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What a token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// Read images, drafts, applications and products; validate content.
    Read,
    /// Create, change and delete drafts; release image assets.
    Drafts,
    /// Submit release requests.
    Submit,
    /// Change prices of released products.
    Prices,
}

impl Scope {
    pub const ALL: [Scope; 4] = [Scope::Read, Scope::Drafts, Scope::Submit, Scope::Prices];

    pub fn name(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::Drafts => "drafts",
            Scope::Submit => "submit",
            Scope::Prices => "prices",
        }
    }

    pub fn parse(name: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|s| s.name() == name)
    }

    /// What the scope allows, for the token form.
    pub fn describe(self) -> &'static str {
        match self {
            Scope::Read => "read images, drafts, applications and products, and validate a product",
            Scope::Drafts => "create, change and delete drafts, and release image assets",
            Scope::Submit => "submit release requests",
            Scope::Prices => "change the prices of released products",
        }
    }
}

/// Days a token lives unless the seller says otherwise, and at most.
pub const DEFAULT_DAYS: u32 = 90;
pub const MAX_DAYS: u32 = 365;
pub const MAX_NAME_CHARS: usize = 80;
/// Live tokens (neither revoked nor expired) one seller may hold.
pub const MAX_TOKENS: i64 = 50;
/// Revoked and expired tokens an account's list keeps, the latest.
pub const DEAD_TOKENS_KEPT: i64 = 50;

/// A token as the seller's list shows it; the secret is never kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiToken {
    pub id: String,
    pub name: String,
    pub scopes: Vec<Scope>,
    pub created_at: i64,
    pub expires_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

/// A token just made, with its secret: shown this once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewToken {
    pub token: ApiToken,
    pub secret: String,
}

/// The name, expiry and scopes of a new token as the seller chose them, checked.
pub fn check_new_token(name: &str, days: u32, scopes: &[String]) -> Result<(String, u32, Vec<Scope>), String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
        return Err(format!("Give the token a name of 1 to {MAX_NAME_CHARS} characters."));
    }
    if !(1..=MAX_DAYS).contains(&days) {
        return Err(format!("A token lives 1 to {MAX_DAYS} days."));
    }
    let mut chosen = Vec::new();
    for name in scopes {
        let scope = Scope::parse(name).ok_or_else(|| format!("There is no scope called {name:?}."))?;
        if !chosen.contains(&scope) {
            chosen.push(scope);
        }
    }
    if chosen.is_empty() {
        return Err("Choose at least one scope.".into());
    }
    chosen.sort_by_key(|s| Scope::ALL.iter().position(|a| a == s));
    Ok((name.to_owned(), days, chosen))
}

/// Makes a token for the signed-in seller and answers its secret, once.
#[server(client = crate::page_account::PageAccountClient, endpoint = "tokens/create", input = server_fn::codec::Json, output = crate::codec::TextJson)]
pub async fn create_api_token(name: String, days: u32, scopes: Vec<String>) -> Result<NewToken, AppError> {
    let (caller, seller) = crate::auth::ssr::Caller::seller().await?;
    let (name, days, scopes) = check_new_token(&name, days, &scopes).map_err(AppError::BadRequest)?;
    ssr::create(&caller.state.db, &seller.id, &name, days, &scopes).await
}

/// The signed-in seller's tokens, newest first.
#[server(client = crate::page_account::PageAccountClient, endpoint = "tokens/list", output = crate::codec::TextJson)]
pub async fn list_api_tokens() -> Result<Vec<ApiToken>, AppError> {
    let (caller, seller) = crate::auth::ssr::Caller::seller().await?;
    ssr::list(&caller.state.db, &seller.id).await
}

/// Revokes one of the signed-in seller's tokens: refused from the next request on.
#[server(client = crate::page_account::PageAccountClient, endpoint = "tokens/revoke", output = crate::codec::TextJson)]
pub async fn revoke_api_token(id: String) -> Result<(), AppError> {
    let (caller, seller) = crate::auth::ssr::Caller::seller().await?;
    ssr::revoke(&caller.state.db, &seller.id, &id).await
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use super::{ApiToken, NewToken, Scope, MAX_TOKENS};
    use crate::error::AppError;
    use crate::store::{account_turn, new_id, now_ms, Context, Db};
    use sha2::{Digest, Sha256};

    const DAY_MS: i64 = 24 * 60 * 60 * 1000;
    /// Every secret starts so, which tells a reader (and a secret scanner) what it is.
    pub const SECRET_PREFIX: &str = "mpt_";

    fn hash(secret: &str) -> String {
        hex::encode(Sha256::digest(secret.as_bytes()))
    }

    fn scopes_of(text: &str) -> Vec<Scope> {
        text.split(' ').filter_map(Scope::parse).collect()
    }

    #[derive(sqlx::FromRow)]
    struct TokenRow {
        id: String,
        name: String,
        scopes: String,
        created_at: i64,
        expires_at: i64,
        last_used_at: Option<i64>,
        revoked_at: Option<i64>,
    }

    impl From<TokenRow> for ApiToken {
        fn from(r: TokenRow) -> Self {
            ApiToken {
                id: r.id,
                name: r.name,
                scopes: scopes_of(&r.scopes),
                created_at: r.created_at,
                expires_at: r.expires_at,
                last_used_at: r.last_used_at,
                revoked_at: r.revoked_at,
            }
        }
    }

    pub async fn create(db: &Db, seller_id: &str, name: &str, days: u32, scopes: &[Scope]) -> Result<NewToken, AppError> {
        let mut tx = db.begin().await.context("starting to create a token")?;
        account_turn(&mut tx, seller_id).await?;
        let held: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM api_tokens WHERE seller_id = $1 AND revoked_at IS NULL AND expires_at > $2")
            .bind(seller_id)
            .bind(now_ms())
            .fetch_one(&mut *tx)
            .await
            .context("counting tokens")?;
        if held >= MAX_TOKENS {
            return Err(AppError::LimitReached(format!("You have {MAX_TOKENS} live tokens, as many as an account may hold. Revoke one you no longer use.")));
        }
        let secret = format!("{SECRET_PREFIX}{}{}", new_id(), new_id());
        let now = now_ms();
        let token = ApiToken {
            id: new_id(),
            name: name.to_owned(),
            scopes: scopes.to_vec(),
            created_at: now,
            expires_at: now + i64::from(days) * DAY_MS,
            last_used_at: None,
            revoked_at: None,
        };
        let scope_text = scopes.iter().map(|s| s.name()).collect::<Vec<_>>().join(" ");
        sqlx::query(
            "INSERT INTO api_tokens (id, seller_id, name, scopes, secret_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&token.id)
        .bind(seller_id)
        .bind(&token.name)
        .bind(&scope_text)
        .bind(hash(&secret))
        .bind(token.created_at)
        .bind(token.expires_at)
        .execute(&mut *tx)
        .await
        .context("creating a token")?;
        // Revoked and expired tokens are kept for the list, the latest only: creating and
        // revoking without end does not grow the list or the table.
        let dead = "seller_id = $1 AND (revoked_at IS NOT NULL OR expires_at <= $2)";
        let kept = format!("SELECT id FROM api_tokens WHERE {dead} ORDER BY COALESCE(revoked_at, expires_at) DESC, id LIMIT $3");
        for table in ["api_token_minutes", "api_tokens"] {
            let column = if table == "api_tokens" { "id" } else { "token_id" };
            sqlx::query(&format!(
                "DELETE FROM {table} WHERE {column} IN (SELECT id FROM api_tokens WHERE {dead}) AND {column} NOT IN ({kept})"
            ))
            .bind(seller_id)
            .bind(now)
            .bind(super::DEAD_TOKENS_KEPT)
            .execute(&mut *tx)
            .await
            .context("forgetting old tokens")?;
        }
        tx.commit().await.context("committing a new token")?;
        Ok(NewToken { token, secret })
    }

    pub async fn list(db: &Db, seller_id: &str) -> Result<Vec<ApiToken>, AppError> {
        let rows: Vec<TokenRow> = sqlx::query_as(
            "SELECT id, name, scopes, created_at, expires_at, last_used_at, revoked_at FROM api_tokens \
             WHERE seller_id = $1 ORDER BY created_at DESC, id",
        )
        .bind(seller_id)
        .fetch_all(db)
        .await
        .context("listing tokens")?;
        Ok(rows.into_iter().map(ApiToken::from).collect())
    }

    pub async fn revoke(db: &Db, seller_id: &str, id: &str) -> Result<(), AppError> {
        let done = sqlx::query("UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, $1) WHERE id = $2 AND seller_id = $3")
            .bind(now_ms())
            .bind(id)
            .bind(seller_id)
            .execute(db)
            .await
            .context("revoking a token")?;
        if done.rows_affected() == 0 {
            return Err(AppError::NotFound("The token".into()));
        }
        Ok(())
    }

    /// Who a request to the API acts for.
    #[derive(Debug, Clone)]
    pub struct TokenCaller {
        pub token_id: String,
        pub seller_id: String,
        pub scopes: Vec<Scope>,
    }

    impl TokenCaller {
        /// Refuses the request unless the token has `scope`.
        pub fn require(&self, scope: Scope) -> Result<(), AppError> {
            if self.scopes.contains(&scope) {
                Ok(())
            } else {
                Err(AppError::MissingScope(format!("This token does not have the {} scope.", scope.name())))
            }
        }
    }

    /// The caller a bearer secret stands for, read from the database on every request, so a
    /// token revoked or expired on one server is refused by all at once.
    pub async fn authenticate(db: &Db, secret: &str, now: i64) -> Result<TokenCaller, AppError> {
        let unknown = || AppError::InvalidToken("The API token is not valid. Create one under API tokens in the console.".into());
        if !secret.starts_with(SECRET_PREFIX) || secret.len() > 128 {
            return Err(unknown());
        }
        let row: Option<(String, String, String, i64, Option<i64>, String)> = sqlx::query_as(
            "SELECT t.id, t.seller_id, t.scopes, t.expires_at, t.revoked_at, a.role FROM api_tokens t \
             JOIN accounts a ON a.id = t.seller_id WHERE t.secret_hash = $1",
        )
        .bind(hash(secret))
        .fetch_optional(db)
        .await
        .context("checking an API token")?;
        let Some((token_id, seller_id, scopes, expires_at, revoked_at, role)) = row else { return Err(unknown()) };
        if revoked_at.is_some() {
            return Err(AppError::InvalidToken("This API token was revoked.".into()));
        }
        if expires_at <= now {
            return Err(AppError::InvalidToken("This API token has expired. Create a new one under API tokens.".into()));
        }
        if role != crate::auth::Role::Seller.as_str() {
            return Err(AppError::Forbidden);
        }
        Ok(TokenCaller { token_id, seller_id, scopes: scopes_of(&scopes) })
    }

    /// Counts one request of the token against its budget of `per_minute` requests in the
    /// current minute (R64), in the database so the budget holds across servers; past it,
    /// the request is refused until the next minute.
    pub async fn charge(db: &Db, token_id: &str, per_minute: i64, now: i64) -> Result<(), AppError> {
        const MINUTE_MS: i64 = 60_000;
        let minute = now.div_euclid(MINUTE_MS);
        let minutes = crate::store::WindowCounter { table: "api_token_minutes", key: "token_id", window: "minute", count: "requests" };
        let requests = minutes.add_one(db, token_id, minute).await?;
        if requests == 1 {
            // The first request of a minute: when the token was last used is kept to the minute.
            sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
                .bind(now)
                .bind(token_id)
                .execute(db)
                .await
                .context("noting a token's use")?;
        }
        if requests > per_minute {
            let retry_after = ((minute + 1) * MINUTE_MS - now + 999) / 1000;
            return Err(AppError::TooManyRequests {
                message: format!("This token may make {per_minute} requests a minute. Try again in {retry_after} seconds."),
                retry_after: retry_after.max(1) as u64,
            });
        }
        Ok(())
    }
}
