//! armario as an OpenID Provider: the pieces that know no HTTP and no SQL. Signing keys and
//! JWTs, client settings, PKCE, scopes and the claims the tokens carry.

pub mod assertion;
pub mod claims;
pub mod client;
pub mod pkce;
pub mod scope;
pub mod signing;
