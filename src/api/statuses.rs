//! The error answers each operation can give, as types. An operation's signature names one of
//! these sets, and the spec lists exactly its statuses: the set is the documentation, so the
//! two cannot drift apart.
//!
//! Every set answers 500. A handler works with the wide [`ApiError`] (or a `DomainError`) and
//! `?` narrows it into the set; an error whose status the set does not list is logged as a
//! bug and answered as a 500, so the spec never lies about what a client may see.
//!
//! Some statuses come from outside the handler and are listed where they apply: 400 for input
//! that does not parse (on every operation: an `X-Request-Id` or `X-CSRF-Token` over 1024
//! characters is refused before any handler), 401 for a missing credential, 403 for a cookie-authenticated write
//! without its `X-CSRF-Token`, 413 for a body over the server's limit.

use poem_openapi::payload::Json;

use crate::api::error::{from_poem_error, internal_body, ApiError, ErrorBody};
use crate::error::DomainError;

/// Builds one error set: the listed variants (each with its fixed status and description) and
/// `Internal`, plus the conversions from [`ApiError`] and `DomainError`.
macro_rules! error_set {
    ($(#[$doc:meta])* $vis:vis enum $name:ident { $($variant:ident),* $(,)? }) => {
        error_set!(@build [$(#[$doc])*] $vis $name [] [] $($variant)*);
    };
    (@build $doc:tt $vis:vis $name:ident [$($defs:tt)*] [$($arms:tt)*] BadRequest $($rest:ident)*) => {
        error_set!(@build $doc $vis $name [$($defs)*
            /// The input is invalid; `field` names the field.
            #[oai(status = 400)]
            BadRequest(Json<ErrorBody>),
        ] [$($arms)* ApiError::BadRequest(b) => Self::BadRequest(b),] $($rest)*);
    };
    (@build $doc:tt $vis:vis $name:ident [$($defs:tt)*] [$($arms:tt)*] Unauthorized $($rest:ident)*) => {
        error_set!(@build $doc $vis $name [$($defs)*
            /// No valid credential.
            #[oai(status = 401)]
            Unauthorized(Json<ErrorBody>),
        ] [$($arms)* ApiError::Unauthorized(b) => Self::Unauthorized(b),] $($rest)*);
    };
    (@build $doc:tt $vis:vis $name:ident [$($defs:tt)*] [$($arms:tt)*] Forbidden $($rest:ident)*) => {
        error_set!(@build $doc $vis $name [$($defs)*
            /// The caller may not do this (`forbidden`), a write made with the session cookie
            /// lacks its `X-CSRF-Token` header (`csrf`), or a policy requires the caller to set
            /// up two-factor sign-in first (`mfa_enrollment_required`).
            #[oai(status = 403)]
            Forbidden(Json<ErrorBody>),
        ] [$($arms)* ApiError::Forbidden(b) => Self::Forbidden(b),] $($rest)*);
    };
    (@build $doc:tt $vis:vis $name:ident [$($defs:tt)*] [$($arms:tt)*] NotFound $($rest:ident)*) => {
        error_set!(@build $doc $vis $name [$($defs)*
            /// No such object, or it belongs to someone else.
            #[oai(status = 404)]
            NotFound(Json<ErrorBody>),
        ] [$($arms)* ApiError::NotFound(b) => Self::NotFound(b),] $($rest)*);
    };
    (@build $doc:tt $vis:vis $name:ident [$($defs:tt)*] [$($arms:tt)*] Conflict $($rest:ident)*) => {
        error_set!(@build $doc $vis $name [$($defs)*
            /// A unique value is taken, the object's state forbids the change, or a plan limit
            /// is reached (`limit_exceeded`).
            #[oai(status = 409)]
            Conflict(Json<ErrorBody>),
        ] [$($arms)* ApiError::Conflict(b) => Self::Conflict(b),] $($rest)*);
    };
    (@build $doc:tt $vis:vis $name:ident [$($defs:tt)*] [$($arms:tt)*] PayloadTooLarge $($rest:ident)*) => {
        error_set!(@build $doc $vis $name [$($defs)*
            /// The request body is larger than the server accepts (`limits.max_body_bytes`).
            #[oai(status = 413)]
            PayloadTooLarge(Json<ErrorBody>),
        ] [$($arms)*] $($rest)*);
    };
    (@build $doc:tt $vis:vis $name:ident [$($defs:tt)*] [$($arms:tt)*] TooManyRequests $($rest:ident)*) => {
        error_set!(@build $doc $vis $name [$($defs)*
            /// Too many attempts; retry after the number of seconds in `Retry-After`.
            #[oai(status = 429)]
            TooManyRequests(Json<ErrorBody>, #[oai(header = "Retry-After")] String),
        ] [$($arms)* ApiError::TooManyRequests(b, after) => Self::TooManyRequests(b, after),] $($rest)*);
    };
    (@build $doc:tt $vis:vis $name:ident [$($defs:tt)*] [$($arms:tt)*] InsufficientStorage $($rest:ident)*) => {
        error_set!(@build $doc $vis $name [$($defs)*
            /// The server's disk is full: the change was refused and nothing changed. Retry once
            /// space is freed.
            #[oai(status = 507)]
            InsufficientStorage(Json<ErrorBody>),
        ] [$($arms)* ApiError::InsufficientStorage(b) => Self::InsufficientStorage(b),] $($rest)*);
    };
    (@build [$($doc:tt)*] $vis:vis $name:ident [$($defs:tt)*] [$($arms:tt)*]) => {
        $($doc)*
        #[derive(poem_openapi::ApiResponse, Debug)]
        #[oai(bad_request_handler = "narrow_poem_error")]
        $vis enum $name {
            $($defs)*
            /// Unexpected error; only its id is returned, the details are in the log.
            #[oai(status = 500)]
            Internal(Json<ErrorBody>),
        }

        impl From<ApiError> for $name {
            #[allow(unreachable_patterns)]
            fn from(err: ApiError) -> Self {
                match err {
                    $($arms)*
                    ApiError::Internal(b) => Self::Internal(b),
                    other => Self::Internal(Json(undocumented(stringify!($name), other))),
                }
            }
        }

        impl From<DomainError> for $name {
            fn from(err: DomainError) -> Self {
                ApiError::from(err).into()
            }
        }
    };
}

/// poem-openapi's own refusals (unparsable input, missing credential), narrowed into a set.
fn narrow_poem_error<T: From<ApiError>>(err: poem::Error) -> T {
    from_poem_error(err).into()
}

/// An error an operation does not document: a bug, logged with its id and answered as a 500.
fn undocumented(set: &str, err: ApiError) -> ErrorBody {
    internal_body(&format!("{set} does not list this answer: {err:?}"))
}

error_set! {
    /// A public read that needs nothing: only an unexpected error.
    pub enum PublicReadErrors { BadRequest }
}

error_set! {
    /// Signing in (password or one-time link): throttled, and it writes the session.
    pub enum SignInErrors {
        BadRequest, Unauthorized, Forbidden, PayloadTooLarge, TooManyRequests,
        InsufficientStorage,
    }
}

error_set! {
    /// Creating the first owner with the setup token.
    pub enum SetupErrors { BadRequest, Conflict, PayloadTooLarge, InsufficientStorage }
}

error_set! {
    /// A self-service sign-up: throttled per IP and overall.
    pub enum SignUpErrors { BadRequest, PayloadTooLarge, TooManyRequests, InsufficientStorage }
}

error_set! {
    /// A signed-in read that takes no input and is open to every signed-in user, even one who
    /// must set up two-factor sign-in first.
    pub enum SignedInErrors { BadRequest, Unauthorized }
}

error_set! {
    /// Signing out: a write without a body.
    pub enum SignOutErrors { BadRequest, Unauthorized, Forbidden, InsufficientStorage }
}

error_set! {
    /// Changing one's own password: throttled like a sign-in, since it checks a password.
    pub enum PasswordErrors {
        BadRequest, Unauthorized, Forbidden, PayloadTooLarge, TooManyRequests,
        InsufficientStorage,
    }
}

error_set! {
    /// A signed-in read with query parameters, open to every signed-in user (each sees what
    /// is theirs).
    pub enum SignedInListErrors { BadRequest, Unauthorized, Forbidden }
}

error_set! {
    /// A read that takes no input but needs a role.
    pub enum ReadErrors { BadRequest, Unauthorized, Forbidden }
}

error_set! {
    /// A read with query parameters that needs a role.
    pub enum ListErrors { BadRequest, Unauthorized, Forbidden }
}

error_set! {
    /// A read of something named in the path, or filtered by the id of something that must
    /// exist.
    pub enum ReadOneErrors { BadRequest, Unauthorized, Forbidden, NotFound }
}

error_set! {
    /// A write with a body that names no existing object.
    pub enum CreateErrors {
        BadRequest, Unauthorized, Forbidden, Conflict, PayloadTooLarge, InsufficientStorage,
    }
}

error_set! {
    /// A write with a body on or about an existing object.
    pub enum ChangeErrors {
        BadRequest, Unauthorized, Forbidden, NotFound, Conflict, PayloadTooLarge,
        InsufficientStorage,
    }
}

error_set! {
    /// A write without a body on an object named in the path.
    pub enum ActionErrors {
        BadRequest, Unauthorized, Forbidden, NotFound, Conflict, InsufficientStorage,
    }
}

error_set! {
    /// Replacing one's own settings: a body, nothing named in the path.
    pub enum SettingsErrors {
        BadRequest, Unauthorized, Forbidden, PayloadTooLarge, InsufficientStorage,
    }
}

error_set! {
    /// Taking a backup now: one runs at a time.
    pub enum BackupErrors { BadRequest, Unauthorized, Forbidden, Conflict, InsufficientStorage }
}

error_set! {
    /// An application's read that takes no input.
    pub enum AppReadErrors { BadRequest, Unauthorized, Forbidden }
}

error_set! {
    /// A change an application makes to what is its own (its roles), sent in a body.
    pub enum AppChangeErrors {
        BadRequest, Unauthorized, Forbidden, PayloadTooLarge, InsufficientStorage,
    }
}

error_set! {
    /// A change an application makes to its own webhook endpoint, sent in a body: the
    /// endpoint may be unknown (404) or the application at its endpoint limit (409).
    pub enum AppEndpointChangeErrors {
        BadRequest, Unauthorized, Forbidden, NotFound, Conflict, PayloadTooLarge,
        InsufficientStorage,
    }
}

error_set! {
    /// An application's report about a linked company, sent in a body and audited.
    pub enum AppReportErrors {
        BadRequest, Unauthorized, Forbidden, NotFound, PayloadTooLarge, InsufficientStorage,
    }
}

error_set! {
    /// An action on one of an application's own webhook endpoints, without a body.
    pub enum AppEndpointActionErrors { BadRequest, Unauthorized, Forbidden, NotFound, InsufficientStorage }
}

error_set! {
    /// A whole list replaced in one write (roles, grants): nothing in it can conflict.
    pub enum ReplaceErrors {
        BadRequest, Unauthorized, Forbidden, NotFound, PayloadTooLarge, InsufficientStorage,
    }
}

error_set! {
    /// An application's read of a linked company or a lookup that may find nothing.
    pub enum AppLookupErrors { BadRequest, Unauthorized, Forbidden, NotFound }
}

error_set! {
    /// An application's read of a decrypted secret: the read is audited, so it writes.
    pub enum AppSecretErrors { BadRequest, Unauthorized, Forbidden, NotFound, InsufficientStorage }
}

error_set! {
    /// An application's check of a user's session token, sent in a body.
    pub enum AppCheckErrors { BadRequest, Unauthorized, Forbidden, PayloadTooLarge }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_listed_status_passes_and_an_unlisted_one_is_a_logged_500() {
        let listed: ReadOneErrors = DomainError::NotFound("company").into();
        assert!(matches!(listed, ReadOneErrors::NotFound(_)));
        let unlisted: ReadOneErrors = DomainError::conflict("slug", "is taken").into();
        let ReadOneErrors::Internal(Json(body)) = unlisted else {
            panic!("an unlisted status must become a 500: {unlisted:?}");
        };
        assert!(body.error_id.is_some());
        let throttled: SignInErrors = DomainError::TooManyRequests {
            retry_after_secs: 7,
        }
        .into();
        assert!(matches!(throttled, SignInErrors::TooManyRequests(_, ref s) if s == "7"));
    }
}

error_set! {
    /// An application's list of what it may see: bad page parameters, or no valid key.
    pub enum AppListErrors { BadRequest, Unauthorized, Forbidden }
}

error_set! {
    /// Asking for a password reset link: the same answer for every address, throttled.
    pub enum ResetRequestErrors { BadRequest, PayloadTooLarge, TooManyRequests, InsufficientStorage }
}

error_set! {
    /// Setting a password with a reset link's token.
    pub enum ResetConfirmErrors { BadRequest, PayloadTooLarge, InsufficientStorage }
}

error_set! {
    /// Verifying an address with its link's token: public.
    pub enum EmailVerifyErrors { BadRequest, PayloadTooLarge, InsufficientStorage }
}

error_set! {
    /// Asking to change one's own address: checks the password, so throttled like a sign-in.
    pub enum EmailChangeErrors {
        BadRequest, Unauthorized, Forbidden, PayloadTooLarge, TooManyRequests,
        InsufficientStorage,
    }
}

error_set! {
    /// Confirming a change of address with its link's token: public.
    pub enum EmailChangeConfirmErrors { BadRequest, Conflict, PayloadTooLarge, InsufficientStorage }
}

error_set! {
    /// Asking for a magic sign-in link: the same answer for every address, throttled.
    pub enum MagicLinkRequestErrors { BadRequest, PayloadTooLarge, TooManyRequests, InsufficientStorage }
}

error_set! {
    /// Signing in with a magic link: every refusal is a 400 naming `token`.
    pub enum MagicLinkRedeemErrors { BadRequest, PayloadTooLarge, InsufficientStorage }
}

error_set! {
    /// Accepting an invitation with its link's token: public, throttled per IP.
    pub enum InviteAcceptErrors { BadRequest, Conflict, PayloadTooLarge, TooManyRequests, InsufficientStorage }
}

error_set! {
    /// Ending a session or a user's sessions named in the path: a write without a body.
    pub enum EndSessionErrors { BadRequest, Unauthorized, Forbidden, NotFound, InsufficientStorage }
}

error_set! {
    /// The signed-in person's own second factor: a code is checked (throttled), the state may
    /// forbid the change (already on, not on).
    pub enum MfaErrors {
        BadRequest, Unauthorized, Forbidden, Conflict, PayloadTooLarge, TooManyRequests,
        InsufficientStorage,
    }
}

error_set! {
    /// Setting a policy with a body that names no existing object.
    pub enum PolicyErrors {
        BadRequest, Unauthorized, Forbidden, PayloadTooLarge, InsufficientStorage,
    }
}

error_set! {
    /// Starting one's own authenticator set-up: no body, no code; one already on is a 409.
    pub enum MfaStartErrors { BadRequest, Unauthorized, Forbidden, Conflict, InsufficientStorage }
}

error_set! {
    /// An owner's action that takes no body and records what it did: an anonymised report
    /// (audited), a verification of the audit chain (recorded).
    pub enum OwnerActionErrors { BadRequest, Unauthorized, Forbidden, InsufficientStorage }
}
