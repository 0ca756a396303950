-- SQLite keys: an AUTOINCREMENT table, a rowid key, a generated stored column, and a cycle of
-- immediate NOT NULL foreign keys (SQLite can defer every key until commit).
CREATE TABLE tags (tag_id INTEGER PRIMARY KEY AUTOINCREMENT, label TEXT NOT NULL);
CREATE TABLE notes (
  note_id INTEGER PRIMARY KEY,
  tag_id INTEGER NOT NULL REFERENCES tags (tag_id),
  body TEXT NOT NULL,
  size INTEGER GENERATED ALWAYS AS (length(body)) STORED
);
CREATE TABLE users (user_id INTEGER PRIMARY KEY AUTOINCREMENT, home_id INTEGER NOT NULL REFERENCES folders);
CREATE TABLE folders (folder_id INTEGER PRIMARY KEY, owner_id INTEGER NOT NULL REFERENCES users);
