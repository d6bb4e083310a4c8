-- 0006_intake: seed the spam list with well-known disposable-mail domains (docs/design.md §3.4). INSERT OR
-- IGNORE, since demo data or an admin may have added some of them already.
INSERT OR IGNORE INTO spam_list (kind, value, note, created_at)
SELECT 'domain', value, 'disposable mail (seeded)', CAST(strftime('%s', 'now') AS INTEGER) FROM (
    SELECT '10minutemail.com' AS value UNION ALL SELECT '10minutemail.net' UNION ALL SELECT '20minutemail.com'
    UNION ALL SELECT '33mail.com' UNION ALL SELECT 'anonbox.net' UNION ALL SELECT 'burnermail.io'
    UNION ALL SELECT 'discard.email' UNION ALL SELECT 'dispostable.com' UNION ALL SELECT 'dropmail.me'
    UNION ALL SELECT 'emailondeck.com' UNION ALL SELECT 'fakeinbox.com' UNION ALL SELECT 'fakemail.net'
    UNION ALL SELECT 'getairmail.com' UNION ALL SELECT 'getnada.com' UNION ALL SELECT 'guerrillamail.biz'
    UNION ALL SELECT 'guerrillamail.com' UNION ALL SELECT 'guerrillamail.de' UNION ALL SELECT 'guerrillamail.info'
    UNION ALL SELECT 'guerrillamail.net' UNION ALL SELECT 'guerrillamail.org' UNION ALL SELECT 'guerrillamailblock.com'
    UNION ALL SELECT 'harakirimail.com' UNION ALL SELECT 'incognitomail.org' UNION ALL SELECT 'jetable.org'
    UNION ALL SELECT 'mail-temp.com' UNION ALL SELECT 'mailcatch.com' UNION ALL SELECT 'maildrop.cc'
    UNION ALL SELECT 'mailinator.com' UNION ALL SELECT 'mailinator.net' UNION ALL SELECT 'mailnesia.com'
    UNION ALL SELECT 'mailsac.com' UNION ALL SELECT 'mintemail.com' UNION ALL SELECT 'moakt.com'
    UNION ALL SELECT 'mohmal.com' UNION ALL SELECT 'mytemp.email' UNION ALL SELECT 'mytrashmail.com'
    UNION ALL SELECT 'nada.email' UNION ALL SELECT 'sharklasers.com' UNION ALL SELECT 'spam4.me'
    UNION ALL SELECT 'spambox.us' UNION ALL SELECT 'spamgourmet.com' UNION ALL SELECT 'temp-mail.io'
    UNION ALL SELECT 'temp-mail.org' UNION ALL SELECT 'tempail.com' UNION ALL SELECT 'tempmail.com'
    UNION ALL SELECT 'tempmail.net' UNION ALL SELECT 'tempmailo.com' UNION ALL SELECT 'tempr.email'
    UNION ALL SELECT 'throwawaymail.com' UNION ALL SELECT 'trash-mail.com' UNION ALL SELECT 'trashmail.com'
    UNION ALL SELECT 'trashmail.de' UNION ALL SELECT 'trashmail.net' UNION ALL SELECT 'wegwerfmail.de'
    UNION ALL SELECT 'yopmail.com' UNION ALL SELECT 'yopmail.fr' UNION ALL SELECT 'yopmail.net'
);
