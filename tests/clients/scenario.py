"""The owner and an application, driven through the Python client generated from the live
OpenAPI document (tests/clients.rs generates it and runs this script).

    python3 scenario.py BASE_URL OWNER_EMAIL OWNER_PASSWORD

with the generated `armario_client` package on PYTHONPATH. Exits non-zero on any surprise.
"""

import sys

from armario_client import AuthenticatedClient, Client
from armario_client.api.app import list_linked_companies, read_company_secret
from armario_client.api.applications import create_application, issue_credential
from armario_client.api.auth import login
from armario_client.api.companies import create_company
from armario_client.api.links import create_link
from armario_client.api.secrets import put_company_secret
from armario_client.models import (
    ApplicationCreateIn,
    CompanyCreateIn,
    CredentialCreateIn,
    Application,
    Company,
    IssuedCredentialOut,
    Link,
    LinkCreateIn,
    LinkedCompanyList,
    LoginIn,
    LoginOut,
    SecretInfo,
    SecretPutIn,
    SecretPutInValues,
    SecretValueOut,
)


def expect(kind, response):
    """The parsed body, which must be of `kind` (errors parse as ErrorBody)."""
    if not isinstance(response.parsed, kind):
        sys.exit(f"expected {kind.__name__}, got {response.status_code}: {response.content!r}")
    return response.parsed


def main(base, email, password):
    anonymous = Client(base_url=base, raise_on_unexpected_status=True)
    session = expect(
        LoginOut, login.sync_detailed(client=anonymous, body=LoginIn(email=email, password=password))
    )
    owner = AuthenticatedClient(base_url=base, token=session.token, raise_on_unexpected_status=True)

    company = expect(
        Company,
        create_company.sync_detailed(
            client=owner,
            body=CompanyCreateIn(legal_name="Oficina do Cliente Gerado", cnpj="11.222.333/0001-81"),
        ),
    )
    app = expect(
        Application,
        create_application.sync_detailed(
            client=owner, body=ApplicationCreateIn(name="Integrador Python")
        ),
    )
    issued = expect(
        IssuedCredentialOut,
        issue_credential.sync_detailed(
            app.id, client=owner, body=CredentialCreateIn(label="scenario")
        ),
    )
    link = expect(
        Link,
        create_link.sync_detailed(
            client=owner,
            body=LinkCreateIn(
                application_id=app.id,
                company_id=company.id,
                scopes=["company:read", "secrets:omie:read"],
            ),
        ),
    )
    assert "secrets:omie:read" in link.scopes, link.scopes
    values = SecretPutInValues.from_dict(
        {"app_key": "omie-key-4821", "app_secret": "omie-secret-0f9e8d7c6b5a"}
    )
    info = expect(
        SecretInfo,
        put_company_secret.sync_detailed(
            company.id, "omie", client=owner, body=SecretPutIn(values=values)
        ),
    )
    assert info.kind == "omie", info

    application = AuthenticatedClient(
        base_url=base, token=issued.secret, raise_on_unexpected_status=True
    )
    linked = expect(LinkedCompanyList, list_linked_companies.sync_detailed(client=application))
    ids = [item.company.id for item in linked.items]
    assert ids == [company.id], ids
    assert "secrets:omie:read" in linked.items[0].scopes
    secret = expect(
        SecretValueOut,
        read_company_secret.sync_detailed(company.id, "omie", client=application),
    )
    assert secret.kind == "omie", secret.kind
    assert secret.values.to_dict() == values.to_dict(), secret.values.to_dict()
    print(f"ok: {app.name} read the omie secret of {company.legal_name}")


if __name__ == "__main__":
    main(*sys.argv[1:4])
