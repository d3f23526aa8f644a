//! The catalog of every message the API answers, in English and Brazilian Portuguese.
//!
//! Domain errors carry their English text (`field: reason`), which is also what the log shows;
//! each entry below is an English template whose `{name}` parts are the variable values, and
//! its pt-BR rendering. `localize` finds the template a message was made from and fills the
//! pt-BR one, so `code` and `field` never change and the services need no knowledge of
//! languages. The tests fail when an error message in `src/` has no entry here.

use super::language::Lang;

/// One message in both languages. `{name}` marks a value; both sides name the same values.
pub struct Entry {
    pub en: &'static str,
    pub pt: &'static str,
}

const fn e(en: &'static str, pt: &'static str) -> Entry {
    Entry { en, pt }
}

/// More specific templates come before the general ones that would also match them.
pub const CATALOG: &[Entry] = &[
    // Sign-in and access.
    e("this account is waiting for approval", "esta conta aguarda aprovação"),
    e("this account is disabled", "esta conta está desativada"),
    e("your company is waiting for approval", "sua empresa aguarda aprovação"),
    e("your company's access is suspended", "o acesso da sua empresa está suspenso"),
    e("the session is missing, expired or revoked", "a sessão não existe, expirou ou foi encerrada"),
    e("sign in or send a valid bearer token", "entre ou envie um token bearer válido"),
    e("the link is invalid, used or expired", "o link é inválido, já foi usado ou expirou"),
    // Answers that are not errors, for a person.
    e(
        "thank you: the sign-up waits for approval; once approved, sign in with the e-mail and password you chose",
        "obrigado: o cadastro aguarda aprovação; depois de aprovado, entre com o e-mail e a senha que você escolheu"
    ),
    e(
        "if the address has an account, a message with a link to choose a new password is on its way; the link works once, for 30 minutes",
        "se o endereço tiver uma conta, uma mensagem com um link para escolher uma nova senha está a caminho; o link funciona uma vez, por 30 minutos"
    ),
    e(
        "if the address may sign in by link, a message with a link is on its way; open it in this same browser: it works once, for 15 minutes",
        "se o endereço puder entrar por link, uma mensagem com um link está a caminho; abra-o neste mesmo navegador: ele funciona uma vez, por 15 minutos"
    ),
    e(
        "is invalid, used, expired or was asked for in another browser; ask for a new link in this browser",
        "é inválido, já foi usado, expirou ou foi pedido em outro navegador; peça um novo link neste navegador"
    ),
    e(
        "is invalid, used or expired; ask for a new link",
        "é inválido, já foi usado ou expirou; peça um novo link"
    ),
    e("the API key is invalid, revoked or expired", "a chave de API é inválida, foi revogada ou expirou"),
    e("the application is disabled", "a aplicação está desativada"),
    e("only the platform owner may do this", "só o dono da plataforma pode fazer isto"),
    e("only the platform owner may change it", "só o dono da plataforma pode alterar isto"),
    e("only a company admin may do this", "só um administrador da empresa pode fazer isto"),
    e("only a company admin may change roles", "só um administrador da empresa pode mudar papéis"),
    e("a member may only see their own account", "um membro só pode ver a própria conta"),
    e("a member may read only their own roles", "um membro só pode ver os próprios papéis"),
    // Application roles.
    e(
        "must start with a lower-case letter and hold only lower-case letters, digits and underscores (at most 40)",
        "deve começar com uma letra minúscula e ter só letras minúsculas, dígitos e sublinhados (no máximo 40)"
    ),
    e("the key {key} is given twice", "a chave {key} aparece duas vezes"),
    e(
        "an application may declare at most {count} roles",
        "uma aplicação pode declarar no máximo {count} papéis"
    ),
    e("at most {count} roles", "no máximo {count} papéis"),
    e("is not a role the application declares", "não é um papel que a aplicação declara"),
    e("no company", "sem empresa"),
    e(
        "the application's link to this company lacks the scope {scope}",
        "o vínculo da aplicação com esta empresa não tem o escopo {scope}",
    ),
    e(
        "missing or wrong {header} header; read it from the {cookie} cookie",
        "cabeçalho {header} ausente ou errado; leia-o do cookie {cookie}",
    ),
    e("an owner already exists; sign in instead", "já existe um dono; entre com a sua conta"),
    e(
        "is invalid or expired; restart armario for a new link",
        "é inválido ou expirou; reinicie o armario para ter um novo link",
    ),
    e("is not correct", "não confere"),
    e("is invalid, used or expired", "é inválido, já foi usado ou expirou"),
    e("is already the e-mail of your account", "já é o e-mail da sua conta"),
    e(
        "already belongs to another account; ask for a change to another address",
        "já pertence a outra conta; peça a mudança para outro endereço",
    ),
    e(
        "a message with a link to confirm the change is on its way to the new address; the link works once, for 24 hours, and until then the account keeps its e-mail",
        "uma mensagem com um link para confirmar a mudança está a caminho do novo endereço; o link funciona uma vez, por 24 horas, e até lá a conta mantém o e-mail atual",
    ),
    // Two-factor sign-in.
    e(
        "two-factor sign-in must be set up first: open the two-factor page",
        "a entrada em dois fatores precisa ser configurada antes: abra a página de dois fatores",
    ),
    e(
        "the sign-in challenge is invalid, used or expired; sign in again",
        "o desafio de entrada é inválido, já foi usado ou expirou; entre de novo",
    ),
    e("is not correct, or was already used", "não confere, ou já foi usado"),
    e("give a current code or your password", "informe um código atual ou a sua senha"),
    e("give either code or recovery_code", "informe code ou recovery_code, não os dois"),
    e(
        "two-factor sign-in is already on; turn it off first",
        "a entrada em dois fatores já está ativa; desative-a antes",
    ),
    e("two-factor sign-in is already on", "a entrada em dois fatores já está ativa"),
    e("two-factor sign-in is not on", "a entrada em dois fatores não está ativa"),
    e(
        "start the set-up first: no enrolment is waiting",
        "comece a configuração antes: nenhuma está pendente",
    ),
    // Not found.
    e("company not found", "empresa não encontrada"),
    e("user not found", "usuário não encontrado"),
    e("application not found", "aplicação não encontrada"),
    e("credential not found", "credencial não encontrada"),
    e("link not found", "vínculo não encontrado"),
    e("plan not found", "plano não encontrado"),
    e("webhook endpoint not found", "endpoint de webhook não encontrado"),
    e("delivery not found", "entrega não encontrada"),
    e("invitation not found", "convite não encontrado"),
    e("session not found", "sessão não encontrada"),
    e("secret not found", "segredo não encontrado"),
    e("domain not found", "domínio não encontrado"),
    e("logo not found", "logotipo não encontrado"),
    e("no such route", "rota inexistente"),
    e("not found", "não encontrado"),
    e("method not allowed on this route", "método não permitido nesta rota"),
    // State and limits.
    e(
        "the company's plan allows at most {count} users",
        "o plano da empresa permite no máximo {count} usuários",
    ),
    e("the company is {company_status}", "a empresa está {company_status}"),
    e("the user is {user_status}", "o usuário está {user_status}"),
    e("you cannot demote yourself; ask another admin", "você não pode rebaixar a si mesmo; peça a outro administrador"),
    e("you cannot change the status of your own account", "você não pode mudar a situação da própria conta"),
    e("you cannot delete your own account", "você não pode excluir a própria conta"),
    e("is already in use", "já está em uso"),
    e("already belongs to a user", "já pertence a um usuário"),
    e("already belongs to a user; sign in instead", "já pertence a um usuário; entre com ele"),
    e(
        "already has a pending invitation; resend it instead",
        "já tem um convite pendente; reenvie-o",
    ),
    e("the invitation was already accepted", "o convite já foi aceito"),
    e("the invitation was revoked", "o convite foi revogado"),
    e(
        "is invalid, used, revoked or expired; ask for a new invitation",
        "é inválido, já foi usado, foi revogado ou expirou; peça um novo convite",
    ),
    e("could not derive a free slug; give one", "não foi possível criar um slug livre; informe um"),
    e(
        "another company already has this CNPJ; cancel this sign-up instead",
        "outra empresa já tem este CNPJ; cancele este cadastro",
    ),
    e(
        "another user already has the e-mail {email}; cancel this sign-up instead",
        "outro usuário já tem o e-mail {email}; cancele este cadastro",
    ),
    e("the application is already linked to this company", "a aplicação já está vinculada a esta empresa"),
    e("the credential is already revoked", "a credencial já foi revogada"),
    e("a backup is already running", "um backup já está em andamento"),
    e("too many attempts; try again in {seconds} s", "muitas tentativas; tente de novo em {seconds} s"),
    e(
        "the server's disk is full, so nothing was changed; try again once the operator has freed space",
        "o disco do servidor está cheio, então nada foi alterado; tente de novo quando o operador liberar espaço",
    ),
    e(
        "internal error; quote error id {error_id} when reporting it",
        "erro interno; informe o código {error_id} ao relatar o problema",
    ),
    // The request itself.
    e("the request is invalid", "a requisição é inválida"),
    e("the request body is too large", "o corpo da requisição é grande demais"),
    e("the request body is larger than {max} bytes", "o corpo da requisição passa de {max} bytes"),
    e(
        "{detail}; send the body as JSON with Content-Type: application/json",
        "{detail}; envie o corpo como JSON com Content-Type: application/json",
    ),
    e("is not valid JSON ({detail})", "não é um JSON válido ({detail})"),
    e("is not valid JSON", "não é um JSON válido"),
    e("does not match the expected shape", "não tem o formato esperado"),
    e("must be a JSON object", "deve ser um objeto JSON"),
    e("must be an array", "deve ser uma lista"),
    e("must be a string", "deve ser um texto"),
    e("must be an integer", "deve ser um número inteiro"),
    e("must be a number", "deve ser um número"),
    e("must be true or false", "deve ser true ou false"),
    e("must not be null", "não pode ser null"),
    e("must be an RFC 3339 date-time", "deve ser uma data e hora RFC 3339"),
    e("must be one of {values}", "deve ser um de {values}"),
    e("must name at least one field to change", "deve informar pelo menos um campo a alterar"),
    e("must name at least one field", "deve informar pelo menos um campo"),
    // Webhooks.
    e("name at least one event type", "indique ao menos um tipo de evento"),
    e("{t} is not an event type of the catalogue", "{t} não é um tipo de evento do catálogo"),
    e("must start with https://", "deve começar com https://"),
    e("must name a host", "deve indicar um servidor"),
    e("must not hold a user name or password", "não deve conter usuário nem senha"),
    e("must not have a fragment", "não deve ter fragmento (#)"),
    e("its host name does not resolve", "o nome do servidor não resolve"),
    e(
        "must not point to a loopback, private or link-local address",
        "não deve apontar para um endereço de loopback, privado ou link-local"
    ),
    // Configuration schemas and values.
    e("configuration schema not found", "esquema de configuração não encontrado"),
    e("must be at most {bytes} bytes long", "deve ter no máximo {bytes} bytes"),
    e("must nest at most {levels} levels deep", "deve ter no máximo {levels} níveis de aninhamento"),
    e("must be \"object\"", "deve ser \"object\""),
    e("must be false: only declared properties are kept", "deve ser false: só as propriedades declaradas são guardadas"),
    e(
        "is not supported: see the README for the keywords armario understands",
        "não é suportado: veja no README as palavras-chave que o armario entende"
    ),
    e("must be an object", "deve ser um objeto"),
    e("must have at most {count} properties", "deve ter no máximo {count} propriedades"),
    e(
        "must be named with a lowercase letter, then lowercase letters, digits or _ (at most 40)",
        "deve ter nome iniciado por letra minúscula, seguida de minúsculas, dígitos ou _ (no máximo 40)"
    ),
    e("names no declared property", "não nomeia nenhuma propriedade declarada"),
    e("must be a list of property names", "deve ser uma lista de nomes de propriedades"),
    e("must be pt-BR or en", "deve ser pt-BR ou en"),
    e(
        "must be a text of at most 1000 characters, or an object of pt-BR and en texts",
        "deve ser um texto de no máximo 1000 caracteres, ou um objeto com textos pt-BR e en"
    ),
    e("must be a text of at most {count} characters", "deve ser um texto de no máximo {count} caracteres"),
    e("must be a whole number from 0 to {max}", "deve ser um número inteiro de 0 a {max}"),
    e(
        "an object is supported only as weekly hours (x-armario-type: weekly_hours)",
        "um objeto só é suportado como horário semanal (x-armario-type: weekly_hours)"
    ),
    e(
        "must be string, number, integer, boolean, array or object (weekly hours)",
        "deve ser string, number, integer, boolean, array ou object (horário semanal)"
    ),
    e("must not exceed {keyword}", "não pode passar de {keyword}"),
    e(
        "must be a regular expression of at most 500 characters",
        "deve ser uma expressão regular de no máximo 500 caracteres"
    ),
    e("is not a regular expression armario can run", "não é uma expressão regular que o armario consiga executar"),
    e("must be a list of 1 to 100 texts", "deve ser uma lista de 1 a 100 textos"),
    e("a list of lists is not supported", "uma lista de listas não é suportada"),
    e("must be a text", "deve ser um texto"),
    e("does not match the pattern {pattern}", "não segue o padrão {pattern}"),
    e("must be a whole number", "deve ser um número inteiro"),
    e("must be a list", "deve ser uma lista"),
    e("must be an object of weekdays (mon to sun)", "deve ser um objeto de dias da semana (mon a sun)"),
    e(
        "is not a weekday: use mon, tue, wed, thu, fri, sat or sun",
        "não é um dia da semana: use mon, tue, wed, thu, fri, sat ou sun"
    ),
    e("must be a list of at most 6 intervals", "deve ser uma lista de no máximo 6 intervalos"),
    e("must be an object of open and close times in HH:MM", "deve ser um objeto com horários open e close em HH:MM"),
    e("must close after it opens", "deve fechar depois de abrir"),
    e(
        "must start after the previous interval closes, in order",
        "deve começar depois que o intervalo anterior fecha, em ordem"
    ),
    e("is not in the schema", "não está no esquema"),
    e("is required", "é obrigatório"),
    e("is not a known field", "não é um campo conhecido"),
    // Sizes and ranges.
    e("must have at most {count} characters", "deve ter no máximo {count} caracteres"),
    e("must have at least {count} characters", "deve ter no mínimo {count} caracteres"),
    e("must have at most {count} items", "deve ter no máximo {count} itens"),
    e("must have at least {count} items", "deve ter no mínimo {count} itens"),
    e("must have at most {count} fields", "deve ter no máximo {count} campos"),
    e("must have at least {count} fields", "deve ter no mínimo {count} campos"),
    e("must have 14 characters", "deve ter 14 caracteres"),
    e("must hold 1 to {count} fields", "deve ter de 1 a {count} campos"),
    e("must hold at most {count} scopes", "deve ter no máximo {count} escopos"),
    // Retention settings.
    e("must be between {min} and {max} days", "deve estar entre {min} e {max} dias"),
    e(
        "sign-in records must be kept at least {days} days (Marco Civil da Internet, art. 15)",
        "os registros de acesso devem ser guardados por no mínimo {days} dias (Marco Civil da Internet, art. 15)",
    ),
    e(
        "must be at least the sign-in retention ({days} days)",
        "deve ser no mínimo a retenção dos registros de acesso ({days} dias)",
    ),
    e("must be between {min} and {max}", "deve estar entre {min} e {max}"),
    e("must be at most {max}", "deve ser no máximo {max}"),
    e("must be at least {min}", "deve ser no mínimo {min}"),
    e("must be in the future", "deve estar no futuro"),
    e("must not be after to (or now, when to is absent)", "não pode ser depois de to (ou de agora, quando to falta)"),
    e("must not be after to", "não pode ser depois de to"),
    e("the period is at most {days} days", "o período é de no máximo {days} dias"),
    e(
        "the period from `from` to `to` (or now) is at most {days} days",
        "o período de `from` a `to` (ou até agora) é de no máximo {days} dias",
    ),
    // Values.
    e("is not a company id", "não é um id de empresa"),
    e("is not a user id", "não é um id de usuário"),
    e("is not an application id", "não é um id de aplicação"),
    e("no such application", "aplicação inexistente"),
    e("no such company", "empresa inexistente"),
    e(
        "is not a cursor this server gave out; pass the next_cursor of the previous page",
        "não é um cursor dado por este servidor; passe o next_cursor da página anterior",
    ),
    e("is not a cursor this server gave out", "não é um cursor dado por este servidor"),
    e(
        "was made for sort={token}, not sort={asked}; keep the sort of the first page or start again without a cursor",
        "foi feito para sort={token}, não sort={asked}; mantenha a ordem da primeira página ou recomece sem cursor",
    ),
    e("must be company_admin or member", "deve ser company_admin ou member"),
    e("must end with two check digits (0-9)", "deve terminar com dois dígitos verificadores (0-9)"),
    e("is not a valid CNPJ", "não é um CNPJ válido"),
    e("check digits do not match", "os dígitos verificadores não conferem"),
    e("{slug} is reserved for the platform; choose another", "{slug} é reservado para a plataforma; escolha outro"),
    e(
        "names under {domain} belong to the platform: a company answers there at its slug",
        "nomes sob {domain} pertencem à plataforma: uma empresa responde ali pelo seu slug",
    ),
    e("must not contain control characters", "não pode conter caracteres de controle"),
    e(
        "must not contain bidirectional control characters (U+202A to U+202E, U+2066 to U+2069, U+200E, U+200F, U+061C)",
        "não pode conter caracteres de controle bidirecional (U+202A a U+202E, U+2066 a U+2069, U+200E, U+200F, U+061C)",
    ),
    e("must contain at least one visible character", "deve conter pelo menos um caractere visível"),
    e(
        "is declared {declared} but its bytes are not a PNG, JPEG, WebP or GIF image",
        "foi declarado {declared}, mas seus bytes não são uma imagem PNG, JPEG, WebP ou GIF",
    ),
    e("is declared {declared} but its bytes are {found}", "foi declarado {declared}, mas seus bytes são {found}"),
    e("must be an e-mail address without quotes", "deve ser um endereço de e-mail sem aspas"),
    e("must be an e-mail address ({detail})", "deve ser um endereço de e-mail ({detail})"),
    e("must be a phone number with 8 to 15 digits", "deve ser um telefone com 8 a 15 dígitos"),
    e(
        "must be 3 to 63 lowercase letters, digits or hyphens, not starting or ending with a hyphen",
        "deve ter de 3 a 63 letras minúsculas, dígitos ou hífens, sem começar nem terminar com hífen",
    ),
    e("must be a colour like #1a2b3c", "deve ser uma cor como #1a2b3c"),
    e("must be a data: URL of an image", "deve ser uma URL data: de uma imagem"),
    e("must be a base64 data: URL", "deve ser uma URL data: em base64"),
    e("must be a PNG, JPEG, WebP or GIF image", "deve ser uma imagem PNG, JPEG, WebP ou GIF"),
    e("is not valid base64", "não é base64 válido"),
    e(
        "must be omie, asaas, evolution, google_calendar or custom_<name> (lowercase letters, digits, _)",
        "deve ser omie, asaas, evolution, google_calendar ou custom_<nome> (letras minúsculas, dígitos, _)",
    ),
    e("is not a field of {kind}", "não é um campo de {kind}"),
    e("field names are letters, digits and _", "nomes de campo são letras, dígitos e _"),
    e(
        "unknown scope {scope}; use company:read, users:read, usage:read, config:read, config:write, billing:write or secrets:<kind>:read",
        "escopo desconhecido {scope}; use company:read, users:read, usage:read, config:read, config:write, billing:write ou secrets:<tipo>:read",
    ),
    e("must be provisioning, ready or failed", "deve ser provisioning, ready ou failed"),
    e("say why provisioning failed", "diga por que a preparação falhou"),
    e(
        "an application has at most 10 webhook endpoints",
        "uma aplicação tem no máximo 10 endpoints de webhook",
    ),
    e("must be a host name such as app.example.com.br", "deve ser um nome de host como app.example.com.br"),
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

/// Values that are words themselves: a status read out in a sentence.
fn translate_value(name: &str, value: &str) -> Option<&'static str> {
    Some(match (name, value) {
        ("company_status", "pending") => "pendente",
        ("company_status", "active") => "ativa",
        ("company_status", "suspended") => "suspensa",
        ("company_status", "cancelled") => "cancelada",
        ("user_status", "pending") => "pendente",
        ("user_status", "active") => "ativo",
        ("user_status", "disabled") => "desativado",
        _ => return None,
    })
}

/// The message in the given language. English is the text as written; a message with no entry
/// (a parser's own wording) is left in English rather than lost.
pub fn localize(message: &str, lang: Lang) -> String {
    match lang {
        Lang::En => message.to_string(),
        Lang::PtBr => to_pt(message).unwrap_or_else(|| message.to_string()),
    }
}

/// The pt-BR rendering, when the message has an entry.
pub(crate) fn to_pt(message: &str) -> Option<String> {
    if let Some(t) = render(message) {
        return Some(t);
    }
    // `field: reason`: the field keeps its name, as in the `field` property.
    let (field, reason) = message.split_once(": ")?;
    if !is_field_name(field) {
        return None;
    }
    Some(format!("{field}: {}", render(reason)?))
}

fn is_field_name(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_.-[]".contains(c))
}

fn render(message: &str) -> Option<String> {
    CATALOG.iter().find_map(|entry| {
        let values = capture(&parts(entry.en), message)?;
        let mut out = entry.pt.to_string();
        for (name, value) in values {
            let value = translate_value(name, &value).map_or(value, str::to_string);
            out = out.replace(&format!("{{{name}}}"), &value);
        }
        Some(out)
    })
}

/// A template cut into text and `{name}` parts.
#[derive(Debug, PartialEq)]
pub(crate) enum Part<'a> {
    Text(&'a str),
    Value(&'a str),
}

pub(crate) fn parts(template: &str) -> Vec<Part<'_>> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        if open > 0 {
            out.push(Part::Text(&rest[..open]));
        }
        out.push(Part::Value(&rest[open + 1..open + close]));
        rest = &rest[open + close + 1..];
    }
    if !rest.is_empty() {
        out.push(Part::Text(rest));
    }
    out
}

/// Matches `text` against the template parts; each value takes at least one character.
fn capture<'t>(parts: &[Part<'t>], text: &str) -> Option<Vec<(&'t str, String)>> {
    match parts.split_first() {
        None => text.is_empty().then(Vec::new),
        Some((Part::Text(t), rest)) => capture(rest, text.strip_prefix(t)?),
        Some((Part::Value(name), rest)) => {
            if rest.is_empty() {
                return (!text.is_empty()).then(|| vec![(*name, text.to_string())]);
            }
            // The next part is text: try each place it occurs, the nearest first.
            let Part::Text(next) = rest[0] else {
                return None;
            };
            let mut from = text.chars().next()?.len_utf8();
            while let Some(at) = text.get(from..).and_then(|t| t.find(next)) {
                let split = from + at;
                if let Some(mut found) = capture(rest, &text[split..]) {
                    found.insert(0, (*name, text[..split].to_string()));
                    return Some(found);
                }
                from = split + 1;
                while from < text.len() && !text.is_char_boundary(from) {
                    from += 1;
                }
            }
            None
        }
    }
}

#[cfg(test)]
#[path = "messages_tests.rs"]
mod tests;
