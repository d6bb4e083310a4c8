-- 0101: the queues and the digest items are looked up by lead when a lead is anonymised or deleted
-- (scrubQueuesTx deletes the lead's queued copies; deleting a lead sets outbox.lead_id to NULL and
-- cascades to digest_items). Without an index each of those is a scan of the whole table, once per
-- lead: a retention run of 500 leads over a 14,000-message outbox held the write lock for more than
-- ten seconds, and every other writer (the jobs, a sign-in) failed with "database is locked".
CREATE INDEX outbox_lead ON outbox(lead_id);
CREATE INDEX webhook_deliveries_lead ON webhook_deliveries(lead_id);
CREATE INDEX digest_items_lead ON digest_items(lead_id);
