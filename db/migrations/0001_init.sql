-- 0001_init: the whole data model of Leaddesk (docs/design.md §2–§6).
-- Times are INTEGER Unix seconds in UTC; dates without time are TEXT 'YYYY-MM-DD'.
-- Money is INTEGER minor units (cents) with an ISO 4217 currency code.

-- Users, roles and sign-in --------------------------------------------------

CREATE TABLE users (
    id              INTEGER PRIMARY KEY,
    email           TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    name            TEXT    NOT NULL DEFAULT '',
    password_hash   TEXT    NOT NULL DEFAULT '',      -- empty: no local password (SSO only)
    lang            TEXT    NOT NULL DEFAULT '',      -- '' = from the browser, else 'en' | 'ja'
    disabled        INTEGER NOT NULL DEFAULT 0,
    session_epoch   INTEGER NOT NULL DEFAULT 0,       -- bumped by "sign out everywhere"
    last_view       TEXT    NOT NULL DEFAULT '',      -- the last leads query string
    created_at      INTEGER NOT NULL,
    last_sign_in_at INTEGER
);

CREATE TABLE user_roles (
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role    TEXT    NOT NULL CHECK (role IN ('referrals-admin', 'business-profile-admin', 'account-admin')),
    PRIMARY KEY (user_id, role)
) WITHOUT ROWID;

-- External sign-in identities (goth provider + subject).
CREATE TABLE user_identities (
    provider   TEXT    NOT NULL,
    subject    TEXT    NOT NULL,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    email      TEXT    NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    PRIMARY KEY (provider, subject)
) WITHOUT ROWID;
CREATE INDEX user_identities_user ON user_identities(user_id);

-- One-time links: first-run setup, invitations, password resets. Only a hash of the token is kept.
CREATE TABLE auth_tokens (
    id         INTEGER PRIMARY KEY,
    kind       TEXT    NOT NULL CHECK (kind IN ('setup', 'invite', 'reset')),
    token_hash TEXT    NOT NULL UNIQUE,
    user_id    INTEGER REFERENCES users(id) ON DELETE CASCADE,
    email      TEXT    NOT NULL DEFAULT '',
    roles      TEXT    NOT NULL DEFAULT '',          -- comma-separated, for invitations
    created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER
);

-- Failed sign-in counters per account and per client address (key = 'email:…' or 'ip:…').
CREATE TABLE sign_in_failures (
    key        TEXT    PRIMARY KEY,
    failures   INTEGER NOT NULL,
    last_at    INTEGER NOT NULL
) WITHOUT ROWID;

-- Instance secrets generated once (session keys and the like).
CREATE TABLE app_secrets (
    name       TEXT PRIMARY KEY,
    value      BLOB NOT NULL,
    created_at INTEGER NOT NULL
) WITHOUT ROWID;

-- Who changed what outside a lead: roles, users, profile, tokens, spam list, mail settings.
CREATE TABLE audit_log (
    id            INTEGER PRIMARY KEY,
    at            INTEGER NOT NULL,
    actor_user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    actor_label   TEXT    NOT NULL DEFAULT '',       -- e.g. 'cli', 'job', when no user
    action        TEXT    NOT NULL,                  -- e.g. 'user.roles', 'profile.location.update'
    target        TEXT    NOT NULL DEFAULT '',
    details       TEXT    NOT NULL DEFAULT '{}'      -- JSON: old → new
);
CREATE INDEX audit_log_at ON audit_log(at DESC);

-- API tokens (bearer tokens and the marketplace endpoint's URL token). Only a hash is kept.
CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    name         TEXT    NOT NULL,
    token_hash   TEXT    NOT NULL UNIQUE,
    scopes       TEXT    NOT NULL,                   -- comma-separated: intake,read,write
    created_by   INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at   INTEGER
);

-- Business profile (docs/design.md §6) --------------------------------------------------

CREATE TABLE business_profile (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    company_name TEXT    NOT NULL DEFAULT '',
    description  TEXT    NOT NULL DEFAULT '',
    website      TEXT    NOT NULL DEFAULT '',
    updated_at   INTEGER NOT NULL,
    updated_by   INTEGER REFERENCES users(id) ON DELETE SET NULL
);

CREATE TABLE profile_keywords (
    id      INTEGER PRIMARY KEY,
    kind    TEXT NOT NULL CHECK (kind IN ('expertise', 'business_model')),
    keyword TEXT NOT NULL,
    UNIQUE (kind, keyword COLLATE NOCASE)
);

-- Preferences: company sizes ('1-9', '10-50', …) and industries, as codes.
CREATE TABLE profile_preferences (
    kind  TEXT NOT NULL CHECK (kind IN ('company_size', 'industry')),
    value TEXT NOT NULL,
    PRIMARY KEY (kind, value)
) WITHOUT ROWID;

CREATE TABLE locations (
    id            INTEGER PRIMARY KEY,
    name          TEXT    NOT NULL,
    address       TEXT    NOT NULL DEFAULT '',
    country       TEXT    NOT NULL DEFAULT '',
    contact_name  TEXT    NOT NULL DEFAULT '',
    contact_email TEXT    NOT NULL DEFAULT '',
    contact_phone TEXT    NOT NULL DEFAULT '',
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);

-- Leads (docs/design.md §3–§5) -----------------------------------------------------------

CREATE TABLE leads (
    id                         INTEGER PRIMARY KEY,
    external_id                TEXT,                 -- sender's id, for de-duplication
    tab                        TEXT    NOT NULL CHECK (tab IN ('marketplace', 'qualified')),
    classification             TEXT    CHECK (classification IN ('marketing_qualified', 'sales_qualified')),
    lead_type                  TEXT    CHECK (lead_type IN ('offer', 'profile')),
    source                     TEXT    CHECK (source IN ('appsource', 'azure_marketplace', 'azure_portal')),
    cta                        TEXT    CHECK (cta IN ('get_it_now', 'free_trial', 'test_drive', 'contact_me')),
    actionable                 INTEGER NOT NULL CHECK (actionable IN (0, 1)),
    offer_id                   TEXT    NOT NULL DEFAULT '',
    offer_title                TEXT    NOT NULL DEFAULT '',
    location_id                INTEGER REFERENCES locations(id) ON DELETE RESTRICT,
    customer_company           TEXT    NOT NULL DEFAULT '',
    contact_first_name         TEXT    NOT NULL DEFAULT '',
    contact_last_name          TEXT    NOT NULL DEFAULT '',
    contact_title              TEXT    NOT NULL DEFAULT '',
    contact_email              TEXT    NOT NULL DEFAULT '',
    contact_phone              TEXT    NOT NULL DEFAULT '',
    country                    TEXT    NOT NULL DEFAULT '',   -- ISO 3166-1 alpha-2
    city                       TEXT    NOT NULL DEFAULT '',
    description                TEXT    NOT NULL DEFAULT '',
    quality                    TEXT    NOT NULL DEFAULT 'high' CHECK (quality IN ('high', 'low')),
    email_validity             TEXT    NOT NULL DEFAULT 'unknown' CHECK (email_validity IN ('valid', 'invalid', 'spam', 'unknown')),
    phone_validity             TEXT    NOT NULL DEFAULT 'unknown' CHECK (phone_validity IN ('valid', 'invalid', 'unknown')),
    customer_requested_contact INTEGER NOT NULL DEFAULT 0 CHECK (customer_requested_contact IN (0, 1)),
    customer_consent           INTEGER NOT NULL DEFAULT 0 CHECK (customer_consent IN (0, 1)), -- may be mailed on decline
    status                     TEXT    NOT NULL DEFAULT 'received' CHECK (status IN ('received', 'accepted', 'archived')),
    outcome                    TEXT    CHECK (outcome IN ('won', 'lost', 'declined', 'expired')),
    reason                     TEXT    NOT NULL DEFAULT '',   -- decline / lost reason code
    reason_notes               TEXT    NOT NULL DEFAULT '',
    deal_name                  TEXT    NOT NULL DEFAULT '',
    deal_value                 INTEGER NOT NULL DEFAULT 0,    -- minor units
    currency                   TEXT    NOT NULL DEFAULT '',
    purchase_date              TEXT    NOT NULL DEFAULT '',   -- YYYY-MM-DD
    notes                      TEXT    NOT NULL DEFAULT '',
    crm_id                     TEXT    NOT NULL DEFAULT '',
    campaign_id                TEXT    NOT NULL DEFAULT '',
    sender_name                TEXT    NOT NULL DEFAULT '',
    sender_email               TEXT    NOT NULL DEFAULT '',
    is_test                    INTEGER NOT NULL DEFAULT 0 CHECK (is_test IN (0, 1)),
    created_at                 INTEGER NOT NULL,
    updated_at                 INTEGER NOT NULL,
    accepted_at                INTEGER,
    archived_at                INTEGER,
    expires_at                 INTEGER,               -- respond-by for received actionable leads
    version                    INTEGER NOT NULL DEFAULT 1,
    CHECK ((tab = 'qualified') = (classification IS NOT NULL)),
    CHECK ((status = 'archived') OR outcome IS NULL)
);

-- The list queries of docs/design.md §3.2 always filter by tab and page by (created_at, id) by default;
-- the other sorts have their own index per tab. Selective filters get (tab, filter, created_at).
CREATE INDEX leads_tab_created   ON leads(tab, created_at DESC, id DESC);
CREATE INDEX leads_tab_customer  ON leads(tab, customer_company COLLATE NOCASE, id);
CREATE INDEX leads_tab_value     ON leads(tab, deal_value, id);
CREATE INDEX leads_tab_status    ON leads(tab, status, created_at DESC, id DESC);
CREATE INDEX leads_tab_expires   ON leads(tab, expires_at, id);
CREATE INDEX leads_tab_country   ON leads(tab, country, created_at DESC, id DESC);
CREATE INDEX leads_tab_cta       ON leads(tab, cta, created_at DESC, id DESC);
-- De-duplication: one lead per external id; jobs find due leads by expiry.
CREATE UNIQUE INDEX leads_external_id ON leads(external_id) WHERE external_id IS NOT NULL;
CREATE INDEX leads_due ON leads(status, expires_at) WHERE status = 'received';
CREATE INDEX leads_dedupe ON leads(contact_email COLLATE NOCASE, offer_id, cta, created_at);

-- Team members (users of this instance) working an accepted lead.
CREATE TABLE lead_team (
    lead_id INTEGER NOT NULL REFERENCES leads(id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (lead_id, user_id)
) WITHOUT ROWID;

-- Extra company contacts (given on accept) and employees added later.
CREATE TABLE lead_contacts (
    id         INTEGER PRIMARY KEY,
    lead_id    INTEGER NOT NULL REFERENCES leads(id) ON DELETE CASCADE,
    kind       TEXT    NOT NULL CHECK (kind IN ('contact', 'employee')),
    name       TEXT    NOT NULL,
    email      TEXT    NOT NULL DEFAULT '',
    phone      TEXT    NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
);
CREATE INDEX lead_contacts_lead ON lead_contacts(lead_id);

CREATE TABLE favorites (
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    lead_id    INTEGER NOT NULL REFERENCES leads(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, lead_id)
) WITHOUT ROWID;
CREATE INDEX favorites_lead ON favorites(lead_id);

-- The lead timeline: every change by a person, a job or an integration.
CREATE TABLE lead_events (
    id            INTEGER PRIMARY KEY,
    lead_id       INTEGER NOT NULL REFERENCES leads(id) ON DELETE CASCADE,
    at            INTEGER NOT NULL,
    actor_user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    actor_label   TEXT    NOT NULL DEFAULT '',       -- 'job', 'api:<token name>', 'import', … when no user
    kind          TEXT    NOT NULL,                  -- 'created', 'accepted', 'declined', 'edited', 'expired', …
    changes       TEXT    NOT NULL DEFAULT '{}'      -- JSON {"field": ["old", "new"]}
);
CREATE INDEX lead_events_lead ON lead_events(lead_id, at, id);

-- Customer-name search (docs/design.md §3.2 `q`): FTS5 over company, contact, deal name, notes and id.
-- Each row is the lead's text cut into overlapping character bigrams (see db.SearchTerms), so two-
-- character queries and unsegmented scripts such as Japanese match; rowid = leads.id.
CREATE VIRTUAL TABLE lead_search USING fts5(terms, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 0');

-- Spam list: whole domains or single addresses (docs/design.md §3.4).
CREATE TABLE spam_list (
    id         INTEGER PRIMARY KEY,
    kind       TEXT    NOT NULL CHECK (kind IN ('domain', 'address')),
    value      TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    note       TEXT    NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
);

-- Notifications (docs/design.md §4) ---------------------------------------------------------

-- A user's own preferences override what the business profile says for them.
CREATE TABLE notification_prefs (
    user_id    INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    email      TEXT    NOT NULL DEFAULT '',           -- '' = the account's address
    enabled    INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    mode       TEXT    NOT NULL DEFAULT 'single' CHECK (mode IN ('single', 'digest')),
    lang       TEXT    NOT NULL DEFAULT '',           -- '' = the user's language
    updated_at INTEGER NOT NULL
);

-- The mail outbox: written in the same transaction as the change that causes it, delivered later.
-- The sender renders `kind` with `params` (JSON) in `lang`; the Message-ID derives from the id.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    kind            TEXT    NOT NULL,                 -- 'new_lead', 'digest', 'decline_customer', …
    to_email        TEXT    NOT NULL,
    to_name         TEXT    NOT NULL DEFAULT '',
    lang            TEXT    NOT NULL DEFAULT 'en',
    params          TEXT    NOT NULL DEFAULT '{}',
    lead_id         INTEGER REFERENCES leads(id) ON DELETE SET NULL,
    dedupe_key      TEXT    UNIQUE,                   -- the same message is never queued twice
    status          TEXT    NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sending', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error      TEXT    NOT NULL DEFAULT '',
    created_at      INTEGER NOT NULL,
    sent_at         INTEGER
);
CREATE INDEX outbox_due ON outbox(status, next_attempt_at);

-- Per recipient and local day: how many single new-lead mails went out, and the leads held for the digest.
CREATE TABLE mail_day_counts (
    recipient TEXT    NOT NULL COLLATE NOCASE,
    day       TEXT    NOT NULL,                      -- YYYY-MM-DD in the configured time zone
    singles   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (recipient, day)
) WITHOUT ROWID;

CREATE TABLE digest_items (
    recipient TEXT    NOT NULL COLLATE NOCASE,
    day       TEXT    NOT NULL,
    lead_id   INTEGER NOT NULL REFERENCES leads(id) ON DELETE CASCADE,
    lang      TEXT    NOT NULL DEFAULT 'en',
    queued    INTEGER NOT NULL DEFAULT 0,            -- 1 once the digest is in the outbox
    PRIMARY KEY (recipient, day, lead_id)
) WITHOUT ROWID;

-- Action Center items: recommended actions for a lead, done automatically when it is answered.
CREATE TABLE action_items (
    id         INTEGER PRIMARY KEY,
    lead_id    INTEGER NOT NULL REFERENCES leads(id) ON DELETE CASCADE,
    kind       TEXT    NOT NULL CHECK (kind IN ('new_lead', 'requested_contact', 'expiring', 'expired')),
    created_at INTEGER NOT NULL,
    done_at    INTEGER,
    UNIQUE (lead_id, kind)
);
CREATE INDEX action_items_open ON action_items(done_at, created_at DESC);

CREATE TABLE action_item_reads (
    item_id      INTEGER NOT NULL REFERENCES action_items(id) ON DELETE CASCADE,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    read_at      INTEGER,
    dismissed_at INTEGER,
    PRIMARY KEY (item_id, user_id)
) WITHOUT ROWID;
