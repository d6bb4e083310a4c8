-- 0100: saved views of the Leads list (issue 17). A view is a stored query string of the list (tab,
-- filters, search, sort, page size), personal or shared with the team; each person orders the views
-- they see (their own and the shared ones) in saved_view_positions. Deleting a view never touches leads.
CREATE TABLE saved_views (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name       TEXT    NOT NULL,
    query      TEXT    NOT NULL,
    shared     INTEGER NOT NULL DEFAULT 0 CHECK (shared IN (0, 1)),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX saved_views_user ON saved_views(user_id);
CREATE INDEX saved_views_shared ON saved_views(shared) WHERE shared = 1;

CREATE TABLE saved_view_positions (
    user_id  INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    view_id  INTEGER NOT NULL REFERENCES saved_views(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    PRIMARY KEY (user_id, view_id)
) WITHOUT ROWID;
