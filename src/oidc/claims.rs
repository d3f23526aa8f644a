//! What the tokens say. A user's access and ID tokens carry who they are, their company and
//! their roles; an application's own access token (client credentials) carries only the
//! application.

use serde::{Deserialize, Serialize};

/// The JWT `typ` of access tokens (RFC 9068).
pub const ACCESS_TYP: &str = "at+jwt";
/// `token_use` of an application's own token.
pub const APP_TOKEN: &str = "app";
/// `token_use` of a user's access token.
pub const USER_TOKEN: &str = "user";

/// Who a user's tokens are about.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Person {
    pub email: String,
    pub name: String,
    pub company_id: String,
    pub company_slug: String,
    /// The armario role: `company_admin` or `member`.
    pub role: String,
    /// The application's roles granted to the user.
    pub roles: Vec<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct IdClaims {
    pub iss: String,
    pub sub: String,
    pub aud: String,
    pub exp: i64,
    pub iat: i64,
    pub auth_time: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    pub azp: String,
    pub email_verified: bool,
    #[serde(flatten)]
    pub person: Person,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AccessClaims {
    pub iss: String,
    pub sub: String,
    pub aud: String,
    pub exp: i64,
    pub iat: i64,
    pub jti: String,
    pub client_id: String,
    pub scope: String,
    pub token_use: String,
    /// The credential that obtained an application's own token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cred: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", flatten)]
    pub person: Option<Person>,
}
