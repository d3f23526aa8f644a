"""A relying party built on authlib 1.x, signing a user in to an application through armario.

Run by tests/oidc_rp.rs against a live server; every value comes from the environment:
OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_REDIRECT_URI, OIDC_EMAIL, OIDC_PASSWORD,
and the claims expected of the user: OIDC_NAME, OIDC_COMPANY_ID, OIDC_COMPANY_SLUG, OIDC_ROLE.

The browser's part (the hosted sign-in page) is played with the same calls the page makes.
Prints one line per check and exits non-zero at the first failure.
"""

import os
import sys
import warnings
from urllib.parse import parse_qs, urlsplit

# The test server speaks plain http on loopback; authlib refuses http without this.
os.environ.setdefault("AUTHLIB_INSECURE_TRANSPORT", "1")

import requests  # noqa: E402
from authlib.common.security import generate_token  # noqa: E402
from authlib.integrations.requests_client import OAuth2Session, OAuthError  # noqa: E402

with warnings.catch_warnings():
    # authlib 1.6+ says authlib.jose moves to joserfc in 2.0; in 1.x it is the documented API.
    warnings.simplefilter("ignore")
    from authlib.jose import JsonWebKey, JsonWebToken  # noqa: E402
    from authlib.jose.errors import JoseError  # noqa: E402
from authlib.oidc.core import CodeIDToken  # noqa: E402

try:
    # authlib 1.6+ raises joserfc's errors from claim checks.
    from joserfc.errors import JoseError as JoserfcError

    REFUSED = (JoseError, JoserfcError)
except ImportError:
    REFUSED = (JoseError,)

ENV = os.environ
ISSUER = ENV["OIDC_ISSUER"]
CLIENT_ID = ENV["OIDC_CLIENT_ID"]
REDIRECT_URI = ENV["OIDC_REDIRECT_URI"]


def check(ok, what):
    print(("ok    " if ok else "FAIL  ") + what, flush=True)
    if not ok:
        sys.exit(1)


def discover():
    r = requests.get(ISSUER + "/.well-known/openid-configuration", timeout=10)
    check(r.status_code == 200, "discovery answers 200")
    meta = r.json()
    check(meta["issuer"] == ISSUER, "discovery names the issuer")
    check("S256" in meta["code_challenge_methods_supported"], "discovery offers S256 PKCE")
    return meta


def new_client(meta):
    return OAuth2Session(
        client_id=CLIENT_ID,
        client_secret=ENV["OIDC_CLIENT_SECRET"],
        scope="openid profile email offline_access",
        redirect_uri=REDIRECT_URI,
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic",
        revocation_endpoint_auth_method="client_secret_basic",
    )


def sign_in(meta, browser, expect_consent, replay_code=False):
    """One authorization request, through the hosted page's calls; returns the client, the
    tokens and the nonce. With `replay_code`, the code is then sent again."""
    client = new_client(meta)
    verifier = generate_token(64)
    nonce = generate_token(24)
    url, state = client.create_authorization_url(
        meta["authorization_endpoint"], code_verifier=verifier, nonce=nonce
    )
    r = browser.get(url, allow_redirects=False, timeout=10)
    location = r.headers.get("Location", "")
    check(r.status_code == 303 and "/signin/#request=" in location,
          "the authorization endpoint sends the browser to the hosted page")
    request_id = parse_qs(urlsplit(location).fragment)["request"][0]
    r = browser.get(f"{ISSUER}/oauth2/requests/{request_id}", timeout=10)
    check(r.status_code == 200, "the hosted page reads the request")
    if "armario_session" not in browser.cookies:
        r = browser.post(f"{ISSUER}/api/v1/auth/login",
                         json={"email": ENV["OIDC_EMAIL"], "password": ENV["OIDC_PASSWORD"]},
                         timeout=10)
        check(r.status_code == 200 and "armario_csrf" in browser.cookies,
              "the user signs in on the hosted page (session and CSRF cookies)")
    headers = {"X-CSRF-Token": browser.cookies["armario_csrf"]}
    complete = f"{ISSUER}/oauth2/requests/{request_id}/complete"
    r = browser.post(complete, json={"consent": False}, headers=headers, timeout=10)
    if expect_consent:
        body = r.json()
        check(r.status_code == 409 and body.get("code") == "consent_required"
              and body.get("scopes") == ["offline_access"],
              "offline_access asks for consent the first time")
        r = browser.post(complete, json={"consent": True}, headers=headers, timeout=10)
    else:
        check(r.status_code == 200, "consent given once is remembered: no second question")
    check(r.status_code == 200 and "redirect_to" in r.json(), "completing answers redirect_to")
    back = r.json()["redirect_to"]
    query = parse_qs(urlsplit(back).query)
    check(back.startswith(REDIRECT_URI + "?"), "the user goes back to the registered URI")
    check(query.get("state") == [state], "the state comes back unchanged")
    check(query.get("iss") == [ISSUER], "the response names the issuer (RFC 9207)")
    tokens = client.fetch_token(meta["token_endpoint"], authorization_response=back,
                                state=state, code_verifier=verifier)
    check(bool(tokens.get("access_token")) and bool(tokens.get("id_token")),
          "fetch_token (client_secret_basic) gets an access token and an ID token")
    check(tokens.get("refresh_token", "").startswith("arm_rt_"),
          "offline_access gives a refresh token")
    if replay_code:
        try:
            client.fetch_token(meta["token_endpoint"], authorization_response=back,
                               state=state, code_verifier=verifier)
            check(False, "a used code is refused")
        except OAuthError as e:
            check(e.error == "invalid_grant", "a used code is refused with invalid_grant")
        info = introspect(meta, client, tokens["refresh_token"])
        check(info == {"active": False},
              "the replayed code ends the refresh token it gave (RFC 6749 4.1.2)")
    return client, tokens, nonce


def validate_id_token(meta, id_token, nonce):
    jwks = requests.get(meta["jwks_uri"], timeout=10).json()
    keys = JsonWebKey.import_key_set(jwks)
    jwt = JsonWebToken(["ES256"])
    options = {"iss": {"essential": True, "value": ISSUER},
               "aud": {"essential": True, "value": CLIENT_ID}}
    params = {"nonce": nonce, "client_id": CLIENT_ID}
    claims = jwt.decode(id_token, keys, claims_cls=CodeIDToken,
                        claims_options=options, claims_params=params)
    claims.validate()
    check(True, "the ID token's signature verifies against the JWKS; iss, aud, exp, nonce hold")
    wrong = jwt.decode(id_token, keys, claims_cls=CodeIDToken, claims_options=options,
                       claims_params={"nonce": "another", "client_id": CLIENT_ID})
    try:
        wrong.validate()
        check(False, "a different nonce is refused")
    except REFUSED:
        check(True, "the same token with a different nonce is refused")
    head, body, sig = id_token.split(".")
    forged = ".".join([head, body, ("A" if sig[0] != "A" else "B") + sig[1:]])
    try:
        jwt.decode(forged, keys)
        check(False, "a forged signature is refused")
    except REFUSED:
        check(True, "a forged signature is refused")
    return claims


def check_claims(claims):
    for claim, var in [("email", "OIDC_EMAIL"), ("name", "OIDC_NAME"),
                       ("company_id", "OIDC_COMPANY_ID"),
                       ("company_slug", "OIDC_COMPANY_SLUG"), ("role", "OIDC_ROLE")]:
        check(claims.get(claim) == ENV[var], f"the ID token says {claim} = {ENV[var]}")
    check(isinstance(claims.get("roles"), list), "the ID token carries the roles list")
    check(claims.get("azp") == CLIENT_ID, "azp is the client")


def refresh(meta, client, tokens):
    endpoint = meta["token_endpoint"]
    old = tokens["refresh_token"]
    fresh = client.refresh_token(endpoint, refresh_token=old)
    check(fresh.get("refresh_token") not in (None, old), "refreshing gives a NEW refresh token")
    check(bool(fresh.get("access_token")), "refreshing gives a new access token")
    for token, what in [(old, "the old refresh token, reused,"),
                        (fresh["refresh_token"], "then the new one too (family revoked)")]:
        try:
            client.refresh_token(endpoint, refresh_token=token)
            check(False, f"{what} is refused")
        except OAuthError as e:
            check(e.error == "invalid_grant", f"{what} is refused with invalid_grant")


def introspect(meta, client, token):
    r = client.introspect_token(meta["introspection_endpoint"], token=token)
    check(r.status_code == 200, "introspection answers 200")
    return r.json()


def revoke_and_introspect(meta, client, tokens):
    access, refresh_token = tokens["access_token"], tokens["refresh_token"]
    info = introspect(meta, client, access)
    check(info.get("active") is True and info.get("sub") and info.get("client_id") == CLIENT_ID,
          "introspection: the access token is active, for this client")
    info = introspect(meta, client, refresh_token)
    check(info.get("active") is True, "introspection: the refresh token is active")
    for token, hint in [(refresh_token, "refresh_token"), (access, "access_token")]:
        r = client.revoke_token(meta["revocation_endpoint"], token=token, token_type_hint=hint)
        check(r.status_code == 200, f"revoking the {hint} answers 200 (RFC 7009)")
        info = introspect(meta, client, token)
        check(info == {"active": False}, f"introspection: the revoked {hint} is inactive")
    try:
        client.refresh_token(meta["token_endpoint"], refresh_token=refresh_token)
        check(False, "the revoked refresh token is refused")
    except OAuthError as e:
        check(e.error == "invalid_grant", "the revoked refresh token is refused with invalid_grant")
    r = requests.get(meta["userinfo_endpoint"], timeout=10,
                     headers={"Authorization": "Bearer " + access})
    check(r.status_code == 401, "userinfo refuses the revoked access token")


def main():
    meta = discover()
    browser = requests.Session()
    client, tokens, nonce = sign_in(meta, browser, expect_consent=True)
    claims = validate_id_token(meta, tokens["id_token"], nonce)
    check_claims(claims)
    refresh(meta, client, tokens)
    client, tokens, nonce = sign_in(meta, browser, expect_consent=False)
    validate_id_token(meta, tokens["id_token"], nonce)
    revoke_and_introspect(meta, client, tokens)
    sign_in(meta, browser, expect_consent=False, replay_code=True)
    print("authlib: every check passed", flush=True)


if __name__ == "__main__":
    main()
