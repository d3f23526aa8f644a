//! The catalog's messages about signing in and access: who may do what, application roles,
//! second factors, what is not found, and states and limits a change runs into.

use super::{e, Entry};

/// Signing in, access and application roles, second factors, what is not found, states and
/// limits. More specific templates come before the general ones that would also match them.
pub(super) const ENTRIES: &[Entry] = &[
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
];
