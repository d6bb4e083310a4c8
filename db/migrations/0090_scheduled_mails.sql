-- 0090: the two scheduled personal mails (issues 16 and 17): the weekly summary (Monday morning, last
-- week's headline figures) and the morning "today" mail (next steps due, owned leads near expiry).
-- mail_subscriptions holds each user's choice; a NULL weekly_summary is the default (on for Referrals
-- admins, off for others), so a role change moves the default until the user chooses.
CREATE TABLE mail_subscriptions (
    user_id        INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    weekly_summary INTEGER CHECK (weekly_summary IN (0, 1)),
    today          INTEGER NOT NULL DEFAULT 0 CHECK (today IN (0, 1)),
    updated_at     INTEGER NOT NULL
);
-- scheduled_mail_runs is the once-only guard: one row per mail kind, user and period (the week's
-- Monday or the day, YYYY-MM-DD, in the configured zone), written in the transaction that queues the
-- mail, or that decided there was nothing to say. A second run of the job, another instance or a
-- restart finds the row and queues nothing.
CREATE TABLE scheduled_mail_runs (
    kind    TEXT    NOT NULL CHECK (kind IN ('weekly_summary', 'today')),
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    period  TEXT    NOT NULL,
    queued  INTEGER NOT NULL CHECK (queued IN (0, 1)),
    at      INTEGER NOT NULL,
    PRIMARY KEY (kind, user_id, period)
);
