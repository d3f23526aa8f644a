//! The catalog's messages of the OpenID provider, of plans and external ids, of privacy requests
//! and of erasure.

use super::{e, Entry};

/// The OpenID provider, plans and external ids, privacy requests, erasure. More specific
/// templates come before the general ones that would also match them.
pub(super) const ENTRIES: &[Entry] = &[
    // The OpenID provider.
    e("the access token names no application", "o token de acesso não nomeia um aplicativo"),
    e("the access token: {reason}", "o token de acesso: {reason}"),
    e("sign in first", "entre primeiro"),
    e("at most {count} addresses", "no máximo {count} endereços"),
    e("at most {count} characters", "no máximo {count} caracteres"),
    e("is listed twice", "aparece duas vezes"),
    e("authorization request not found", "pedido de autorização não encontrado"),
    e(
        "this sign-in is for another company: sign in with an account of that company",
        "esta entrada é de outra empresa: entre com uma conta dessa empresa",
    ),
    e("the token is no longer valid", "o token não é mais válido"),
    e("must be an absolute URL", "deve ser uma URL absoluta"),
    e("must not have a fragment (#)", "não pode ter fragmento (#)"),
    e("must not carry a user name or password", "não pode conter usuário nem senha"),
    e("must be written in its normal form", "deve estar escrita na forma normal"),
    e("must use https (http only on loopback)", "deve usar https (http só em loopback)"),
    e("must use https", "deve usar https"),
    e("must be between {min} and {max} seconds", "deve estar entre {min} e {max} segundos"),
    e("the account is not active", "a conta não está ativa"),
    e(
        "the platform owner's account does not sign in to applications",
        "a conta do dono da plataforma não entra em aplicativos",
    ),
    e("the company is not active", "a empresa não está ativa"),
    e("the company does not use this application", "a empresa não usa este aplicativo"),
    e("must be a public key: it carries a private part", "deve ser uma chave pública: ela traz uma parte privada"),
    e("is not a JSON Web Key", "não é uma JSON Web Key"),
    e("EC keys must be on P-256 or P-384", "chaves EC devem ser P-256 ou P-384"),
    e("OKP keys must be Ed25519", "chaves OKP devem ser Ed25519"),
    e("must be a public key, not a shared secret", "deve ser uma chave pública, não um segredo compartilhado"),
    e("does not parse as a key", "não é uma chave legível"),
    // Plans and external ids.
    e("must have at most {count} limits", "deve ter no máximo {count} limites"),
    e(
        "limit names are lowercase letters, digits and _, starting with a letter, at most {max} characters",
        "nomes de limite são letras minúsculas, dígitos e _, começando por letra, com no máximo {max} caracteres",
    ),
    e("no such plan", "plano inexistente"),
    e("no such user", "usuário inexistente"),
    e("privacy request not found", "pedido de titular não encontrado"),
    e("a refusal must say why", "uma recusa deve dizer o motivo"),
    e("only a refused request has a reason", "só um pedido recusado tem motivo"),
    e("the request is already closed", "o pedido já está encerrado"),
    // Erasure.
    e("this was already erased", "isto já foi apagado"),
    e(
        "the company was erased; it cannot change again",
        "a empresa foi apagada; ela não pode mais mudar"
    ),
    e(
        "type the company's CNPJ or slug to confirm",
        "digite o CNPJ ou o identificador (slug) da empresa para confirmar"
    ),
    e(
        "type the person's e-mail address to confirm",
        "digite o endereço de e-mail da pessoa para confirmar"
    ),
    e(
        "you are the company's last admin; name another admin first",
        "você é o último administrador da empresa; nomeie outro administrador antes"
    ),
    e("a person's erasure names the person", "o apagamento de uma pessoa indica a pessoa"),
    e(
        "give plan_id, or plan and max_users, not both",
        "informe plan_id, ou plan e max_users, não ambos",
    ),
    e("another plan has this name", "outro plano tem este nome"),
    e("the plan is in use by {count} companies", "o plano está em uso por {count} empresas"),
    e("must be a date as YYYY-MM-DD", "deve ser uma data no formato AAAA-MM-DD"),
    e(
        "another company linked to the application has this external id",
        "outra empresa vinculada à aplicação tem este id externo",
    ),
];
