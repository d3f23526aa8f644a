#!/usr/bin/env python3
"""Fills a database that armario's migrations created (bench/million.sh) with COMPANIES
companies (pt-BR names with accents, valid CNPJs), 3 users each, 10 audit events each over a
year, 1,000 applications with links, and usage rows over four months.

`search_fold` and `sort_name` are computed as armario computes them (src/domain/search.rs:
lower case, NFKD, no combining marks; fields joined by U+001F). The audit events are chained
here exactly as src/domain/audit_chain.rs links them (SHA-256 over the previous link and the
length-prefixed fields, with a salted commitment to the IP and details), so the chain that
armario verifies at start is intact. Indexes and triggers of the filled tables are dropped
while filling and created again after (a sort instead of millions of random inserts); the
search index is rebuilt and the company counts recomputed at the end.

    python3 bench/million_fill.py DB COMPANIES
"""
import hashlib, os, random, sqlite3, struct, sys, time, unicodedata

db, companies = sys.argv[1], int(sys.argv[2])
APPS, LINKS_PER_APP, USAGE_LINKS, USAGE_DAYS, EVENTS = 1000, 20, 5, 120, 10
YEAR_MS = 365 * 86400 * 1000
now_ms = int(time.time() * 1000)
rng = random.Random(15)

PREFIXES = ["Comércio", "Indústria", "Padaria", "Açougue", "Farmácia", "Papelaria", "Auto Peças",
            "Distribuidora", "Construções", "Confecções", "Laticínios", "Serviços", "Transportes",
            "Mercearia", "Ótica", "Clínica", "Escola", "Pizzaria", "Sorveteria", "Café"]
PLACES = ["São Paulo", "Ribeirão Preto", "Florianópolis", "Goiânia", "Maceió", "Belém", "Jundiaí",
          "São José", "Niterói", "Vitória", "Cuiabá", "Paraná", "Ceará", "Pará", "Amapá",
          "Maranhão", "Guarujá", "Itajaí", "Petrópolis", "Uberlândia", "Araçatuba", "Londrina",
          "Macaé", "Taubaté", "Jacareí", "Criciúma", "Chapecó", "Ilhéus", "Camaçari", "Tatuí"]
SUFFIXES = ["Ltda", "ME", "EIRELI", "S.A.", "Ltda."]
FIRST = ["José", "João", "Antônio", "Márcia", "Luíza", "Sônia", "Fábio", "Vinícius", "Cássia",
         "Lúcia", "André", "Otávio", "Inês", "Débora", "Érica", "Flávia", "Júlio", "Mônica"]
LAST = ["Araújo", "Conceição", "Gonçalves", "Simões", "Magalhães", "Assunção", "Brandão",
        "Falcão", "Galvão", "Guimarães", "Leão", "Romão", "Sebastião", "Tavares", "Peçanha"]
ACTIONS = ["company.updated", "user.created", "user.updated", "auth.login", "auth.login_failed",
           "secret.read", "link.created", "user.invited", "session.revoked", "company.viewed"]


def fold(text):
    return "".join(ch for ch in unicodedata.normalize("NFKD", text.lower())
                   if not unicodedata.category(ch).startswith("M"))


def search_text(*fields):
    return "\x1f".join(fold(f or "") for f in fields)


def cnpj(n):
    base = [int(d) for d in f"{n:08d}0001"]
    for weights in ([5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2], [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]):
        r = sum(d * w for d, w in zip(base, weights)) % 11
        base.append(0 if r < 2 else 11 - r)
    return "".join(map(str, base))


def text(h, v):
    if v is None:
        h.update(b"\0")
    else:
        b = v.encode()
        h.update(b"\1" + struct.pack(">Q", len(b)) + b)


def link(prev, e, commit):
    h = hashlib.sha256(b"armario.audit.link.v1")
    h.update(struct.pack(">Q", len(prev)) + prev)
    h.update(struct.pack(">qq", e[0], e[1]))
    for v in e[2:8]:
        text(h, v)
    h.update(struct.pack(">Q", len(commit)) + commit)
    return h.digest()


def personal_commit(salt, ip, details):
    h = hashlib.sha256(b"armario.audit.personal.v1")
    h.update(struct.pack(">Q", len(salt)) + salt)
    text(h, ip)
    text(h, details)
    return h.digest()


conn = sqlite3.connect(db, isolation_level=None)
conn.execute("PRAGMA journal_mode = OFF")
conn.execute("PRAGMA synchronous = OFF")
conn.execute("PRAGMA cache_size = -262144")
tables = ("companies", "users", "audit_events", "audit_chain", "applications", "links",
          "usage_daily")
saved = conn.execute(
    "SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') AND sql IS NOT NULL"
    f" AND tbl_name IN ({','.join('?' * len(tables))})", tables).fetchall()
conn.execute("BEGIN")
for kind, name, _ in saved:
    conn.execute(f'DROP {kind.upper()} "{name}"')

timings = {}


def timed(name, rows, fn):
    t = time.monotonic()
    fn()
    s = time.monotonic() - t
    timings[name] = (rows, s)
    print(f"  {name}: {rows:,} rows in {s:.1f} s ({s / max(rows, 1) * 1e6:.1f} s per million)",
          flush=True)


def fill_companies():
    # Every company is on a plan.
    plan = "pln_" + "0" * 31 + "1"
    conn.execute("INSERT OR IGNORE INTO plans (id, name, name_fold, description, limits,"
                 " created_at, updated_at) VALUES (?, 'Padrão', 'padrao', '',"
                 " '{\"max_users\":25}', ?, ?)", (plan, now_ms, now_ms))

    def rows():
        for i in range(1, companies + 1):
            legal = f"{rng.choice(PREFIXES)} {rng.choice(PLACES)} {i} {rng.choice(SUFFIXES)}"
            trade = legal.rsplit(" ", 1)[0]
            slug = f"empresa-{i}"
            at = now_ms - rng.randrange(YEAR_MS)
            yield (f"cmp_{i:032x}", legal, trade, cnpj(i), slug, f"contato{i}@empresa.test",
                   "active", at, at, search_text(legal, trade, slug), fold(trade), plan)
    conn.executemany(
        "INSERT INTO companies (id, legal_name, trade_name, cnpj, slug, contact_email, status,"
        " created_at, updated_at, search_fold, sort_name, plan_id)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", rows())


def fill_users():
    def rows():
        for i in range(1, companies + 1):
            for k, role in enumerate(("company_admin", "member", "member")):
                name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
                email = f"u{i}.{k}@empresa{i}.test"
                yield (f"usr_{i:028x}{k:04x}", f"cmp_{i:032x}", email, name, role, "active",
                       "!", now_ms, now_ms, search_text(name, email))
    conn.executemany(
        "INSERT INTO users (id, company_id, email, name, role, status, password_hash, created_at,"
        " updated_at, search_fold) VALUES (?,?,?,?,?,?,?,?,?,?)", rows())


def fill_audit():
    start = conn.execute("SELECT COALESCE(MAX(id), 0) FROM audit_events").fetchone()[0]
    prev = conn.execute("SELECT hash FROM audit_chain ORDER BY event_id DESC LIMIT 1").fetchone()
    prev = prev[0] if prev else bytes(32)
    n = companies * EVENTS
    # Events in time order over the last year, each of a random company.
    times = sorted(now_ms - rng.randrange(YEAR_MS) for _ in range(n))
    events, chain = [], []
    for j, at in enumerate(times):
        eid = start + 1 + j
        c = f"cmp_{rng.randrange(1, companies + 1):032x}"
        e = (eid, at, "user", f"usr_{rng.randrange(1, companies + 1):028x}0000", c,
             ACTIONS[j % len(ACTIONS)], "company", c)
        ip, details = f"10.{j % 250}.{(j >> 8) % 250}.{(j >> 16) % 250}", '{"fields":["trade_name"]}'
        salt = rng.randbytes(16)
        commit = personal_commit(salt, ip, details)
        h = link(prev, e, commit)
        events.append(e + (ip, details))
        chain.append((eid, salt, commit, prev, h))
        prev = h
        if len(events) == 200_000:
            flush(events, chain)
    flush(events, chain)


def flush(events, chain):
    conn.executemany("INSERT INTO audit_events (id, at, actor_kind, actor_id, company_id, action,"
                     " target_kind, target_id, ip, details) VALUES (?,?,?,?,?,?,?,?,?,?)", events)
    conn.executemany("INSERT INTO audit_chain (event_id, personal_salt, personal_commit,"
                     " prev_hash, hash) VALUES (?,?,?,?,?)", chain)
    events.clear()
    chain.clear()


def fill_apps():
    conn.executemany(
        "INSERT INTO applications (id, name, status, created_at, updated_at) VALUES (?,?,?,?,?)",
        ((f"app_{a:032x}", f"Aplicação {a}", "active", now_ms, now_ms) for a in range(1, APPS + 1)))
    conn.executemany(
        "INSERT OR IGNORE INTO links (id, application_id, company_id, scopes, created_at,"
        " updated_at) VALUES (?,?,?,?,?,?)",
        ((f"lnk_{a:08x}{k:024x}", f"app_{a:032x}",
          f"cmp_{(a * LINKS_PER_APP + k) % companies + 1:032x}", '["company:read"]', now_ms, now_ms)
         for a in range(1, APPS + 1) for k in range(LINKS_PER_APP)))


def fill_usage():
    day0 = time.gmtime(now_ms // 1000 - USAGE_DAYS * 86400)
    days = [time.strftime("%Y-%m-%d", time.gmtime(time.mktime(day0) + d * 86400))
            for d in range(USAGE_DAYS)]
    # The first USAGE_LINKS links of each application call the API every day.
    links = [(f"app_{a:032x}", f"cmp_{(a * LINKS_PER_APP + k) % companies + 1:032x}")
             for a in range(1, APPS + 1) for k in range(USAGE_LINKS)]
    conn.executemany(
        "INSERT OR IGNORE INTO usage_daily (day, application_id, company_id, route_group, requests)"
        " VALUES (?,?,?,?,?)",
        ((d, a, c, "companies", rng.randrange(1, 500)) for a, c in links for d in days))
    return len(links) * len(days)


t0 = time.monotonic()
timed("companies", companies, fill_companies)
timed("users", companies * 3, fill_users)
timed("audit events (chained)", companies * EVENTS, fill_audit)
timed("applications and links", APPS * (LINKS_PER_APP + 1), fill_apps)
timed("usage rows", APPS * USAGE_LINKS * USAGE_DAYS, fill_usage)


def restore():
    for kind, name, sql in saved:
        conn.execute(sql)
    conn.execute("INSERT INTO company_search (company_search) VALUES ('rebuild')")
    # The rebuild indexed every company: nothing queued for the index is left to hand over
    # (armario 0031 and later queue changes for the index).
    if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'company_search_pending'").fetchone():
        conn.execute("DELETE FROM company_search_pending")
    conn.execute("DELETE FROM company_counts")
    conn.execute("INSERT INTO company_counts (status, n)"
                 " SELECT status, COUNT(*) FROM companies GROUP BY status")
timed("indexes, triggers, search index", len(saved), restore)
conn.execute("COMMIT")
print(f"filled in {time.monotonic() - t0:.1f} s", flush=True)
