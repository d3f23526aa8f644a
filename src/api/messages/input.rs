//! The catalog's messages about what a request carries: its body, webhook addresses,
//! configuration schemas and values, sizes and ranges, retention settings, and values.

use super::{e, Entry};

/// What a request carries: the body, webhooks, configuration, sizes and ranges, retention,
/// values. More specific templates come before the general ones that would also match them.
pub(super) const ENTRIES: &[Entry] = &[
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
];
